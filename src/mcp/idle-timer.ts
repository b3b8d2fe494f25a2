// A tool call's timeout measures silence, not total time: progress from the server starts it over,
// and it stands still while the server waits on a person (an elicitation) or on Claude (sampling),
// since a form in Slack can take minutes to fill in and the call is not stuck meanwhile.
export class IdleTimer {
  private timer: NodeJS.Timeout | undefined;
  private holds = 0;
  private done = false;

  constructor(
    private readonly ms: number,
    private readonly onExpire: () => void,
  ) {
    this.arm();
  }

  /** Starts the wait over (progress arrived). Does nothing while held. */
  reset(): void {
    if (this.holds === 0) this.arm();
  }

  /** Stops the clock until the returned release is called; the full wait starts again after the last release. */
  hold(): () => void {
    this.holds++;
    this.clear();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.holds === 0) this.arm();
    };
  }

  stop(): void {
    this.done = true;
    this.clear();
  }

  private arm(): void {
    if (this.done) return;
    this.clear();
    this.timer = setTimeout(() => {
      this.done = true;
      this.onExpire();
    }, this.ms);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
