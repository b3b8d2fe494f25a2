// The last lines a server wrote to stderr, kept so a failed start or a crash can be reported with the
// server's own words (a missing key, a stack trace) without keeping its whole output in memory.
export class LineTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(
    private readonly maxLines = 50,
    private readonly maxLineLength = 500,
  ) {}

  /** Adds a chunk of output; returns the lines it completed (for debug logging). */
  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = (parts.pop() ?? '').slice(0, this.maxLineLength * 4);
    const complete = parts.map((line) => this.clip(line));
    for (const line of complete) this.add(line);
    return complete;
  }

  /** Up to `count` most recent lines, oldest first, including an unterminated last line. */
  tail(count = 20): string[] {
    const all = this.partial === '' ? this.lines : [...this.lines, this.clip(this.partial)];
    return all.filter((line) => line.trim() !== '').slice(-count);
  }

  private clip(line: string): string {
    return line.length <= this.maxLineLength ? line : `${line.slice(0, this.maxLineLength)}…`;
  }

  private add(line: string): void {
    // Blank lines say nothing and would crowd out the ones that do.
    if (line.trim() === '') return;
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }
}
