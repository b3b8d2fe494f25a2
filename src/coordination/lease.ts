// Keeps a held lock's lease alive while its holder works: renews every leaseMs / 3, so two renewals
// can fail (a Redis blip) before the lease runs out. The lock counts as lost when a renewal finds
// another token (or none) in the key, or when a whole lease has passed without a good renewal: by
// then Redis has let it go and another process may hold it.
import type { Logger } from '../log.js';
import { messageOf } from './errors.js';

export interface LeaseKeeperOptions {
  leaseMs: number;
  /** One renewal: true if the lease was extended, false if the lock is no longer ours. */
  renew: () => Promise<boolean>;
  onLost: () => void;
  logger: Logger;
  now?: () => number;
}

export interface LeaseKeeper {
  stop(): void;
}

export function keepLease(options: LeaseKeeperOptions): LeaseKeeper {
  const now = options.now ?? Date.now;
  let renewedAt = now();
  let busy = false;
  let stopped = false;

  const lost = () => {
    stop();
    options.onLost();
  };
  const tick = async () => {
    if (busy || stopped) return; // a slow renewal is still out; do not stack them
    busy = true;
    try {
      const startedAt = now();
      if (await options.renew()) renewedAt = startedAt;
      else if (!stopped) lost();
    } catch (error) {
      if (stopped) return;
      options.logger.warn('coordination: could not renew a lock lease', { error: messageOf(error) });
      if (now() - renewedAt >= options.leaseMs) lost();
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), Math.max(1, Math.floor(options.leaseMs / 3)));
  timer.unref(); // the work under the lock keeps the process alive, not its lease

  function stop() {
    stopped = true;
    clearInterval(timer);
  }
  return { stop };
}
