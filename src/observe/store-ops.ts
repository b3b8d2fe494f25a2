// The history store's operations and errors, counted through Keyv's own hooks (one handler per kind
// of operation, called as it starts) and its "error" event (what the store adapter reports: a lost
// Redis connection, a failed write). No wrapper around the store: its callers and its type stay as
// they are. Keyv hooks: node_modules/keyv/dist/index.d.ts (KeyvHooks, HooksManager.addHandler).
import { KeyvHooks } from 'keyv';
import type { Store } from '../store.js';
import type { Metrics } from './telemetry.js';

export function countStoreOperations(store: Store, metrics: Pick<Metrics, 'storeOperation' | 'storeError'>): void {
  store.hooks.addHandler(KeyvHooks.PRE_GET, () => metrics.storeOperation('get'));
  store.hooks.addHandler(KeyvHooks.PRE_GET_MANY, () => metrics.storeOperation('get_many'));
  store.hooks.addHandler(KeyvHooks.PRE_SET, () => metrics.storeOperation('set'));
  store.hooks.addHandler(KeyvHooks.PRE_DELETE, () => metrics.storeOperation('delete'));
  store.on('error', () => metrics.storeError());
}
