// A V8 .cpuprofile (node --cpu-prof) in a few lines: self time by where the code lives (a package in
// node_modules, a room of src/, Node's own modules, GC, idle) and the busiest functions. For the
// "where does the time go" question behind a missed target; opt-in (BENCH_CPU_PROFILE), never part
// of the timed numbers, since profiling slows the bot down.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

function bucketOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) {
    // node:internal/deps/undici/undici is fetch; node:internal/streams/writable -> node:internal/streams.
    if (url.includes('deps/undici')) return 'node: fetch (bundled undici)';
    return url.split('/').slice(0, url.startsWith('node:internal/') ? 2 : 1).join('/');
  }
  const room = /\/(?:dist|src)\/([^/]+)\//.exec(url)?.[1];
  if (room) return `own code ${room}/`;
  if (/\/(?:dist|src|naive)\/[^/]+\.(?:js|ts)$/.test(url)) return 'own code (top level)';
  return url.replace(/^file:\/\//, '');
}

/**
 * The profile in a few lines. With `turns`, every time is divided by it: milliseconds a turn, for a
 * profile that covered exactly that many turns and nothing else.
 */
export function summarizeCpuProfile(file: string, top = 12, turns?: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // The bench's probe (bench/lib/child-bot.ts) is not the program: its samples (e.g. the profiler's
  // own stop, which serializes the profile) are left out.
  const stackHasProbe = (sample: number | undefined): boolean => {
    for (let id = sample; id !== undefined; id = parent.get(id)) if (byId.get(id)?.callFrame.url.endsWith('/probe.mjs')) return true;
    return false;
  };
  const samples = (profile.samples ?? []).map((id) => (stackHasProbe(id) ? -1 : id));
  const deltas = profile.timeDeltas ?? [];
  // Self time per node: the sum of the time deltas of the samples that landed in it.
  const self = new Map<number, number>();
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] ?? -1;
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  // Inclusive time by library: a sample counts for every package on its stack (once each).
  const inclusive = new Map<string, number>();
  for (let i = 0; i < samples.length; i++) {
    const seen = new Set<string>();
    for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (!node) break;
      const bucket = bucketOf(node);
      if (bucket.startsWith('(') || bucket.startsWith('own code') || bucket.startsWith('node:')) continue;
      seen.add(bucket);
    }
    for (const bucket of seen) inclusive.set(bucket, (inclusive.get(bucket) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const bucket = bucketOf(node);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + ms);
    if (bucket !== '(idle)') busy += ms;
    if (bucket === '(idle)' || bucket === '(program)' || bucket === '(garbage collector)') continue;
    const name = `${node.callFrame.functionName || '(anonymous)'} ${bucket}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const pct = (ms: number) => `${((100 * ms) / Math.max(1, busy)).toFixed(1)}%`;
  const sorted = (map: Map<string, number>) => [...map].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top);
  const per = turns ?? 1;
  const unit = turns === undefined ? 'ms' : 'ms a turn';
  const line = ([name, ms]: [string, number]) => `    ${pct(ms).padStart(6)}  ${(ms / per).toFixed(turns === undefined ? 0 : 2).padStart(7)} ${unit}  ${name}`;
  const profiled = (profile.endTime - profile.startTime) / 1000;
  return [
    turns === undefined
      ? `  busy (not idle) ${busy.toFixed(0)} ms of ${profiled.toFixed(0)} ms profiled; self time by place:`
      : `  busy (not idle) ${busy.toFixed(0)} ms over ${turns} turns (${(busy / turns).toFixed(1)} ms a turn) in ${profiled.toFixed(0)} ms profiled; self time by place:`,
    ...sorted(buckets).map(line),
    '  time with a library on the stack (inclusive: its own code, what it calls, native calls it makes):',
    ...sorted(inclusive).map(line),
    '  busiest functions (self time):',
    ...sorted(functions).map(line),
  ].join('\n');
}
