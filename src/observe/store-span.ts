// A store operation of a turn as a span under the question's trace (the conversation's one read and
// one write). Named as the database conventions say, "{db.operation.name} {db.collection.name}"
// (@opentelemetry/semantic-conventions: ATTR_DB_OPERATION_NAME, ATTR_DB_COLLECTION_NAME); the
// collection is the kind of entry (the key's prefix), never a key, which names a thread.
import { ATTR_DB_COLLECTION_NAME, ATTR_DB_OPERATION_NAME } from '@opentelemetry/semantic-conventions';
import type { Telemetry } from './telemetry.js';

export function storeSpan<T>(telemetry: Pick<Telemetry, 'span'>, operation: 'get' | 'set' | 'delete', collection: string, run: () => Promise<T>): Promise<T> {
  return telemetry.span(`${operation} ${collection}`, { kind: 'client', attributes: { [ATTR_DB_OPERATION_NAME]: operation, [ATTR_DB_COLLECTION_NAME]: collection } }, () => run());
}
