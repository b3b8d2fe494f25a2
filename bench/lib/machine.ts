// The machine a run happened on, from node:os: numbers mean little without it.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Machine {
  cpu: string;
  /** MHz as the OS reports it for the first core (0 when unknown). */
  mhz: number;
  cores: number;
  ramGiB: number;
  node: string;
  platform: string;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: (cpus[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim(),
    mhz: cpus[0]?.speed ?? 0,
    cores: os.availableParallelism?.() ?? cpus.length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

/** The 1-minute load average, to tell a quiet machine from a busy one. */
export function load1(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}

export function machineLine(m: Machine): string {
  return `${m.cpu}${m.mhz > 0 ? ` at ${m.mhz} MHz` : ''}, ${m.cores} cores, ${m.ramGiB} GiB RAM, Node ${m.node}, ${m.platform}`;
}

/**
 * Which code was measured: the git commit, with "+ local changes" when tracked files differ from it.
 * BENCH_REVISION names it when the bench runs outside a git checkout (e.g. an exported snapshot).
 */
export function describeRevision(): string {
  if (process.env.BENCH_REVISION) return process.env.BENCH_REVISION;
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return dirty ? `${commit} + local changes` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
