// A sink that cannot break the loop: a throw or a rejected promise from the real sink is logged and
// forgotten. Emitting never waits (text deltas arrive faster than Slack can post); `flush` waits for
// what the sink is still doing, so a turn ends only once its events are delivered.
import type { Logger } from '../log.js';
import type { AgentEvent, AgentSink } from './types.js';

export interface SafeSink {
  emit(event: AgentEvent): void;
  flush(): Promise<void>;
}

export function safeSink(sink: AgentSink, logger: Logger): SafeSink {
  const pending = new Set<Promise<void>>();
  const report = (event: AgentEvent, error: unknown) =>
    logger.warn('sink failed to take an event', { event: event.type, error: error instanceof Error ? error.message : String(error) });

  return {
    emit(event) {
      let result: void | Promise<void>;
      try {
        result = sink.emit(event);
      } catch (error) {
        report(event, error);
        return;
      }
      if (result && typeof result.then === 'function') {
        const tracked: Promise<void> = result.then(
          () => undefined,
          (error: unknown) => report(event, error),
        );
        pending.add(tracked);
        void tracked.finally(() => pending.delete(tracked));
      }
    },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
