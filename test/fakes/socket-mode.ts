// A fake of Slack's Socket Mode endpoint: apps.connections.open (on the fake Web API) hands out the
// URL of this WebSocket server, which says hello, sends event envelopes, and records the acks.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeSlackApi } from './slack-api.js';

export interface Ack {
  envelope_id: string;
  at: number;
}

export class FakeSocketMode {
  readonly acks: Ack[] = [];
  private socket: WebSocket | undefined;
  private connected: Promise<void>;
  private markConnected: () => void = () => {};
  private counter = 0;

  private constructor(private readonly server: WebSocketServer) {
    this.connected = new Promise((resolve) => (this.markConnected = resolve));
    server.on('connection', (socket) => {
      this.socket = socket;
      socket.on('message', (data) => {
        const message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8')) as { envelope_id?: string };
        if (message.envelope_id) this.acks.push({ envelope_id: message.envelope_id, at: Date.now() });
      });
      socket.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0FAKEAPP1' }, debug_info: { host: 'fake' } }));
      this.markConnected();
    });
  }

  static async start(slack: FakeSlackApi): Promise<FakeSocketMode> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    slack.respond('apps.connections.open', () => ({ ok: true, url: `ws://127.0.0.1:${port}/link` }));
    return new FakeSocketMode(server);
  }

  /** Resolves when the app has connected (and been greeted). */
  waitConnected(): Promise<void> {
    return this.connected;
  }

  /** Sends an Events API envelope as Slack does over Socket Mode; returns its envelope id. */
  sendEvent(payload: unknown, retryAttempt = 0): string {
    if (!this.socket) throw new Error('no app connected');
    const envelopeId = `env-${++this.counter}-${Date.now()}`;
    this.socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type: 'events_api',
        accepts_response_payload: false,
        retry_attempt: retryAttempt,
        retry_reason: retryAttempt > 0 ? 'timeout' : '',
        payload,
      }),
    );
    return envelopeId;
  }

  async close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
