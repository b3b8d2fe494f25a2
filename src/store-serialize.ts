// How the store turns values into text and back: Keyv's own format (@keyv/serialize, the default of
// Keyv 5), written and read faster. Why by hand: Keyv's serializer builds the text value by value in
// JavaScript, and its deserializer is JSON.parse with a reviver, 2-5 times slower than plain
// JSON.stringify / JSON.parse (measured on stored transcripts: 4 KB and 180 KB); a turn writes and
// reads its whole transcript, so that cost grows with the thread. The format is kept, so entries
// written before (and by an older version of the bot) read the same, and the other way round:
// Keyv's escaping prefixes a string value that starts with ":" with one more ":", and a Buffer is
// ":base64:<data>". The fast path is taken only when that escaping has nothing to do; otherwise
// @keyv/serialize itself does the work.
import { defaultDeserialize, defaultSerialize } from '@keyv/serialize';
import type { DeserializedData } from 'keyv';

/**
 * In JSON.stringify's output, a string VALUE that starts with ":" opens right after `[`, `,` or
 * `:` (an object key opens after `{` or `,`). This also matches keys after a comma that start with
 * ":" and strings that end in one of those characters before a key's colon: those take the slow
 * path, which is always right, just slower.
 */
const MAYBE_COLON_VALUE = /[[,:]":/;
/** Keyv's escapes in stored text: a ":"-string (written "::...") or a Buffer (":base64:..."). */
const ESCAPED = /"::|":base64:/;

export function serializeForStore<Value>(data: DeserializedData<Value>): string {
  const text = JSON.stringify(data);
  // A Buffer (JSON.stringify calls its toJSON) is written as Keyv writes it, by Keyv.
  if (MAYBE_COLON_VALUE.test(text) || text.includes('"type":"Buffer"')) return defaultSerialize(data);
  return text;
}

export function deserializeFromStore<Value>(text: string): DeserializedData<Value> | undefined {
  // Without an escape, Keyv's reviver would change nothing: plain JSON.parse gives the same value.
  return (ESCAPED.test(text) ? defaultDeserialize(text) : JSON.parse(text)) as DeserializedData<Value> | undefined;
}
