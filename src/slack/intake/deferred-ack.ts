// Slack gets its ack for a question only once the question is durably in the inbox.
//
// Why a receiver wrapper: Bolt 5 acks every Events API request itself, before any middleware or
// listener runs (App.processEvent calls `await ack()` for every event but function_executed; see
// node_modules/@slack/bolt/dist/App.js), so neither a listener nor a middleware can hold the ack.
// processBeforeResponse: true would hold it, but for every request kind (actions, commands,
// views) until all their listeners end, so every one of them would have to be rewritten to ack
// first and work after. Instead this wrapper sits between the receiver (HTTP or Socket Mode) and
// the app, for the events that go to the inbox only (INBOX_EVENTS): Bolt's own ack call is kept
// aside, the listeners run (classify, claim + append: a few milliseconds, no Web API or model
// call), and the real ack goes out when they are done. If a listener throws IntakeUnavailableError
// (the inbox is out of reach), app.error rethrows it and no ack is sent: the HTTP receiver answers
// 500, Socket Mode leaves the envelope unacked, and Slack sends the event again later.
import type { App, Receiver } from '@slack/bolt';
import type { AcksInFlight } from '../../intake/acks-in-flight.js';

/** The event types whose listeners append to the inbox. Everything else is acked as Bolt does. */
export const INBOX_EVENTS = new Set(['app_mention', 'message']);

/** The inbox could not take the question: Slack must not be acked, so it sends the event again. */
export class IntakeUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the inbox is out of reach: the event is not acknowledged, so Slack sends it again', options);
    this.name = 'IntakeUnavailableError';
  }
}

type ReceiverEvent = Parameters<App['processEvent']>[0];

/** `acks` counts the acks being held, so that workers hold back new turns meanwhile. */
export function ackAfterIntake(inner: Receiver, acks?: AcksInFlight): Receiver {
  return {
    init(app: App) {
      // The receiver only calls processEvent; everything else it may read comes from the real app.
      const deferring = Object.create(app) as App;
      deferring.processEvent = (event) => (goesToInbox(event) ? counted(acks, () => processThenAck(app, event)) : app.processEvent(event));
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

async function processThenAck(app: App, event: ReceiverEvent): Promise<void> {
  const ack = event.ack;
  let response: unknown;
  let acked = false;
  await app.processEvent({
    ...event,
    ack: (body?: unknown) => {
      acked = true;
      response = body;
      return Promise.resolve();
    },
  });
  if (acked) await ack(response);
}

function goesToInbox(event: ReceiverEvent): boolean {
  const body = event.body as { type?: unknown; event?: { type?: unknown } };
  return body.type === 'event_callback' && typeof body.event?.type === 'string' && INBOX_EVENTS.has(body.event.type);
}
