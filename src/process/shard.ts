// Which worker a thread belongs to when WORKERS > 1: a hash of the thread's channel and root ts,
// modulo the number of workers. The primary routes every event of a thread to that worker (so its
// questions are accepted, deduplicated and ordered in one process, as with one process), and the
// sqlite inbox lets each worker take only its own threads' questions. The team is left out: the
// router sees the envelope's team, the conversation key may carry the event's (shared channels).
// The hash is the first 32 bits of SHA-1 (node:crypto): stable across processes and versions, and
// every bit well mixed (a hand-written FNV-1a's lowest bit is a parity of the characters, which sent
// every test thread to worker 0 of 2).
import { createHash } from 'node:crypto';

export interface WorkerSlot {
  /** 0 .. count - 1. */
  index: number;
  count: number;
}

/** The thread's hash (0 .. 2^32 - 1): same input, same number, in every process. */
export function threadHash(channel: string, threadTs: string): number {
  return createHash('sha1').update(`${channel}:${threadTs}`).digest().readUInt32BE(0);
}

/** The hash of a conversation key (`team:channel:threadTs`, slack/intake/question.ts). */
export function conversationHash(key: string): number {
  const [, channel = '', threadTs = ''] = key.split(':');
  return threadHash(channel, threadTs);
}

/** The worker that owns a hash. */
export function workerOf(hash: number, count: number): number {
  return hash % count;
}
