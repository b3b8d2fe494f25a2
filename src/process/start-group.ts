// Start-up steps that do not depend on each other run at the same time (the Slack check, the store,
// the MCP servers, the inbox, the model check): a start takes as long as its slowest step, not the
// sum. The first step that fails (a token Slack refuses, a model the API does not serve), or a stop
// while starting, aborts the others; once every step has settled, what did open is closed again
// (newest first) and the start fails with that first reason, so nothing is left running.
// Written by hand: AbortController and Promise.allSettled say it in a few lines, no library needed.

export class StartGroup {
  private readonly controller = new AbortController();
  private readonly pending: Promise<unknown>[] = [];
  private readonly closers: (() => Promise<void>)[] = [];

  /** `stop`: the process's stop signal; a stop aborts the group with its reason. */
  constructor(stop?: AbortSignal) {
    if (stop?.aborted) this.controller.abort(stop.reason);
    else stop?.addEventListener('abort', () => this.abort(stop.reason), { once: true });
  }

  /** Aborted when a step failed or the process was told to stop; steps that can stop early listen to it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Adds a step that is already under way. `close` undoes it if the start fails. The promise returned
   * is the step's own; read it only after done() resolved.
   */
  add<T>(step: Promise<T>, close?: (value: T) => Promise<void>): Promise<T> {
    const watched = step.then(
      (value) => {
        if (close) this.closers.push(() => close(value));
        return value;
      },
      (error: unknown) => {
        this.abort(error);
        throw error;
      },
    );
    this.pending.push(watched);
    return watched;
  }

  /** Waits for every step; if the group was aborted, closes what opened and throws the first reason. */
  async done(): Promise<void> {
    await Promise.allSettled(this.pending);
    this.pending.length = 0;
    if (!this.controller.signal.aborted) return;
    for (const close of this.closers.reverse()) await close().catch(() => undefined);
    this.closers.length = 0;
    throw this.controller.signal.reason;
  }

  private abort(reason: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }
}
