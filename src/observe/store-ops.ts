// Every history store operation as a client span (under the turn's span when it runs in one) and a
// count, seen at the Keyv store ADAPTER (@keyv/sqlite, @keyv/redis, or memory://'s Map): Keyv awaits
// the adapter's get/set/delete/..., so a wrapper there sees each operation start and end, whoever
// called it (the conversation, recent threads, approvals, spend, coordination, OAuth).
// A span only inside a trace (a question's): the claims of an ack or a health probe's read would
// otherwise each start a trace of their own; they are counted all the same.
// Only built when telemetry is on (openStore's `observe` option): with noTelemetry the adapter is used as it is.
//
// Named as the OpenTelemetry database conventions say: span "{db.operation.name} {db.system.name}",
// attributes db.operation.name, db.system.name (sqlite, redis) and, for the *Many operations,
// db.operation.batch.size (@opentelemetry/semantic-conventions: ATTR_DB_OPERATION_NAME,
// ATTR_DB_SYSTEM_NAME, ATTR_DB_OPERATION_BATCH_SIZE; DB_SYSTEM_NAME_VALUE_SQLITE/_REDIS in
// /incubating). Never a key or a value: keys carry team, channel, user and thread ids, values the
// conversations themselves.
//
// A Proxy, not a subclass or a copy: the adapters are EventEmitters with their own state (a
// connection, a namespace Keyv sets on them), and Keyv checks `instanceof Map` for memory://; the
// proxy keeps all of that and changes only the operations listed here.
import { ATTR_DB_OPERATION_BATCH_SIZE, ATTR_DB_OPERATION_NAME, ATTR_DB_SYSTEM_NAME } from '@opentelemetry/semantic-conventions';
import type { ObserveAdapter } from '../store.js';
import { noTelemetry, type StoreOperation, type Telemetry } from './telemetry.js';

/** The adapter methods Keyv calls for a store operation (node_modules/keyv/dist/index.d.ts, KeyvStoreAdapter), and their label. */
const OPERATIONS: Record<string, StoreOperation> = {
  get: 'get',
  getMany: 'get_many',
  set: 'set',
  setMany: 'set_many',
  delete: 'delete',
  deleteMany: 'delete_many',
  has: 'has',
  hasMany: 'has_many',
  clear: 'clear',
};

/** db.system.name's well-known values; memory:// has none, its spans are named by the operation alone. */
export type StoreSystem = 'sqlite' | 'redis' | undefined;

type Operation = (...args: unknown[]) => unknown;

export function observeStoreAdapter<A extends object>(adapter: A, system: StoreSystem, telemetry: Pick<Telemetry, 'span' | 'storeOperation'>): A {
  const wrapped = new Map<string, Operation>();
  const observed = (operation: StoreOperation, run: Operation): Operation => {
    const spanName = system ? `${operation} ${system}` : operation;
    return (...args) => {
      telemetry.storeOperation(operation);
      const batch = Array.isArray(args[0]) ? args[0].length : undefined;
      const attributes = { [ATTR_DB_OPERATION_NAME]: operation, [ATTR_DB_SYSTEM_NAME]: system, [ATTR_DB_OPERATION_BATCH_SIZE]: batch };
      // A rejection fails the span (telemetry.span); the error count comes from the adapter's own
      // "error" event (countStoreErrors), as before, so one lost connection is not counted twice.
      return telemetry.span(spanName, { kind: 'client', attributes, onlyInTrace: true }, () => Promise.resolve(run.apply(adapter, args)));
    };
  };
  return new Proxy(adapter, {
    get(target, property) {
      // Read with the adapter itself as `this`: Map's getters and methods refuse a proxy.
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const operation = typeof property === 'string' ? OPERATIONS[property] : undefined;
      if (operation === undefined || typeof property !== 'string') return (value as Operation).bind(target);
      let found = wrapped.get(property);
      if (!found) {
        found = observed(operation, value as Operation);
        wrapped.set(property, found);
      }
      return found;
    },
  });
}

/** Errors the store reports (a lost Redis connection): the adapter's "error" event, which Keyv passes on. */
export function countStoreErrors(store: { on(event: 'error', listener: () => void): unknown }, metrics: Pick<Telemetry, 'storeError'>): void {
  store.on('error', () => metrics.storeError());
}

/** openStore's `observe` option for this telemetry; none at all with noTelemetry. */
export function storeObserver(telemetry: Telemetry): ObserveAdapter | undefined {
  if (telemetry === noTelemetry) return undefined;
  return (adapter, system) => observeStoreAdapter(adapter, system, telemetry);
}
