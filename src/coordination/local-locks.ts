// Per-key mutual exclusion inside one process: holders in arrival order, waiters that give up
// after waitMs leave the line without disturbing it. With one process there is no holder that can
// die and leave the lock behind (if the process dies, so does the lock), so there is no lease.
import { CoordinatorClosedError, LockTimeoutError } from './errors.js';

interface Waiter {
  grant(): void;
  refuse(error: Error): void;
}

export type Release = () => void;

export class KeyedMutex {
  /** A key is present while it is held; its array is the line of waiters, first in first out. */
  private readonly lines = new Map<string, Waiter[]>();

  acquire(key: string, waitMs: number): Promise<Release> {
    const line = this.lines.get(key);
    if (!line) {
      this.lines.set(key, []);
      return Promise.resolve(this.releaser(key));
    }
    return new Promise<Release>((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = line.indexOf(waiter);
        if (at >= 0) line.splice(at, 1);
        reject(new LockTimeoutError(key, waitMs));
      }, waitMs);
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(this.releaser(key));
        },
        refuse: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      line.push(waiter);
    });
  }

  /** Refuses every waiter (holders keep their locks until they release them). */
  refuseAll(): void {
    for (const line of this.lines.values()) for (const waiter of line.splice(0)) waiter.refuse(new CoordinatorClosedError());
  }

  private releaser(key: string): Release {
    let released = false;
    return () => {
      if (released) return; // a second call must not hand the lock to a second waiter
      released = true;
      const next = this.lines.get(key)?.shift();
      if (next) next.grant();
      else this.lines.delete(key);
    };
  }
}
