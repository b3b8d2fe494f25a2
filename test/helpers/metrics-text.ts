// Reads the Prometheus text format the bot serves at GET /metrics, for tests: the value of one
// sample, by metric name and its exact label set, and a scrape repeated until a condition holds.

export type Labels = Record<string, string>;

interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Labels = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] ?? ''] = pair[2] ?? '';
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the sample `name` whose labels are exactly `labels`; undefined when there is none. */
export function sample(text: string, name: string, labels: Labels = {}): number | undefined {
  const wanted = Object.entries(labels);
  const found = parse(text).find(
    (s) => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([key, value]) => s.labels[key] === value),
  );
  return found?.value;
}

/** Scrapes `url` until `done(text)` holds (or fails after timeoutMs, with the last scrape). */
export async function scrapeUntil(url: string, done: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(url);
    const text = await response.text();
    if (response.status === 200 && done(text)) return text;
    if (Date.now() > deadline) throw new Error(`GET ${url}: the condition did not hold within ${timeoutMs} ms; last answer ${response.status}:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
