// Slack gets its ack for a question only once the question is durably in the inbox.
//
// Why a receiver wrapper: Bolt 5 acks every Events API request itself, before any middleware or
// listener runs (App.processEvent calls `await ack()` for every event but function_executed; see
// node_modules/@slack/bolt/dist/App.js), so neither a listener nor a middleware can hold the ack.
// processBeforeResponse: true would hold it, but for every request kind (actions, commands,
// views) until all their listeners end, so every one of them would have to be rewritten to ack
// first and work after. Instead this wrapper sits between the receiver (HTTP or Socket Mode) and
// the app, for the events that go to the inbox only (INBOX_EVENTS). The receiver has already done
// what Bolt must do (the signature check and body parsing in HTTP mode, the envelope in Socket
// Mode); the wrapper hands the body to the intake (listeners/events.ts: classify, claim + append,
// a few milliseconds, no Web API or model call) and sends the ack when it is done. If the intake
// throws IntakeUnavailableError (the inbox is out of reach), no ack is sent: the HTTP receiver
// answers 500, Socket Mode leaves the envelope unacked, and Slack sends the event again later.
//
// Why these events skip App.processEvent (Bolt's middleware and listener matching): in a burst of
// 500 mentions (bench threads-at-once, the bot in its own process, profiled with --cpu-prof over
// the acks only) Bolt's code was on the stack for 35% of the busy time of the main thread, most of
// it processEvent running every registered listener's middleware chain for each event and the
// garbage that makes (GC was another 20%); the two event types have one listener each and need
// nothing from Bolt's context but the bot's own user id, which the start-up check already knows.
// Every other request (actions, views, commands, app_home_opened) still goes through Bolt.
import type { App, Receiver } from '@slack/bolt';
import type { AcksInFlight } from '../../intake/acks-in-flight.js';

/** The event types that go to the intake (and the inbox). Everything else goes to Bolt and is acked as Bolt does. */
export const INBOX_EVENTS = new Set(['app_mention', 'message']);

/** The inbox could not take the question: Slack must not be acked, so it sends the event again. */
export class IntakeUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the inbox is out of reach: the event is not acknowledged, so Slack sends it again', options);
    this.name = 'IntakeUnavailableError';
  }
}

type ReceiverEvent = Parameters<App['processEvent']>[0];

/** An app_mention or message event callback, as the receiver parsed it. */
export interface InboxEventBody {
  type: 'event_callback';
  event_id?: string;
  team_id?: string;
  event: { type: string; [field: string]: unknown };
}

/** Classifies and accepts one event (listeners/events.ts); throws IntakeUnavailableError to leave it unacked. */
export type EventIntake = (body: InboxEventBody, retryNum: number | undefined) => Promise<void>;

export interface AckAfterIntakeOptions {
  intake: EventIntake;
  /** Counts the acks being held, so that workers hold back new turns meanwhile. */
  acks?: AcksInFlight;
  /** Told how long each ack took, from the event's arrival here (ack latency, src/observe/). */
  onAcked?: (seconds: number) => void;
}

export function ackAfterIntake(inner: Receiver, { intake, acks, onAcked }: AckAfterIntakeOptions): Receiver {
  return {
    init(app: App) {
      // The receiver only calls processEvent; everything else it may read comes from the real app.
      const deferring = Object.create(app) as App;
      deferring.processEvent = (event) => {
        const { body } = event;
        return goesToInbox(body) ? counted(acks, () => intakeThenAck(intake, body, event, onAcked)) : app.processEvent(event);
      };
      inner.init(deferring);
    },
    start: (...args: unknown[]) => inner.start(...args),
    stop: (...args: unknown[]) => inner.stop(...args),
  };
}

async function counted(acks: AcksInFlight | undefined, fn: () => Promise<void>): Promise<void> {
  acks?.begin();
  try {
    await fn();
  } finally {
    acks?.end();
  }
}

async function intakeThenAck(intake: EventIntake, body: InboxEventBody, event: ReceiverEvent, onAcked?: (seconds: number) => void): Promise<void> {
  const started = performance.now();
  await intake(body, event.retryNum);
  await event.ack();
  onAcked?.((performance.now() - started) / 1000);
}

function goesToInbox(body: ReceiverEvent['body']): body is InboxEventBody {
  const event: unknown = body.event;
  return body.type === 'event_callback' && typeof event === 'object' && event !== null && 'type' in event && typeof event.type === 'string' && INBOX_EVENTS.has(event.type);
}
