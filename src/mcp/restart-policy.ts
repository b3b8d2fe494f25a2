// When to try a crashed server again. Exponential backoff so a server that dies on every start does
// not spin; a run that stayed up for a while counts as healthy and starts the count over.
export interface RestartPolicy {
  /** Wait before the first restart attempt. */
  initialDelayMs: number;
  /** The wait doubles per attempt up to this. */
  maxDelayMs: number;
  /** Attempts without a stable run in between before the server is given up ('failed'). Default 10. */
  maxAttempts?: number;
  /** A session that lived this long resets the attempt count. Default 60 s. */
  stableAfterMs?: number;
}

export const DEFAULT_RESTART_POLICY: Required<RestartPolicy> = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxAttempts: 10,
  stableAfterMs: 60_000,
};

export function withDefaults(policy: RestartPolicy | undefined): Required<RestartPolicy> {
  return {
    initialDelayMs: policy?.initialDelayMs ?? DEFAULT_RESTART_POLICY.initialDelayMs,
    maxDelayMs: policy?.maxDelayMs ?? DEFAULT_RESTART_POLICY.maxDelayMs,
    maxAttempts: policy?.maxAttempts ?? DEFAULT_RESTART_POLICY.maxAttempts,
    stableAfterMs: policy?.stableAfterMs ?? DEFAULT_RESTART_POLICY.stableAfterMs,
  };
}

/** The wait before attempt number `attempt` (1-based). */
export function backoffDelay(attempt: number, policy: Pick<RestartPolicy, 'initialDelayMs' | 'maxDelayMs'>): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
}
