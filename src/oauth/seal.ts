// Tokens and client registrations are kept encrypted at rest: AES-256-GCM (node:crypto; no library
// needed for one cipher) with TOKEN_ENCRYPTION_KEY, a fresh 12-byte IV per value and the GCM tag,
// so a value changed or swapped in the store fails to open instead of being used.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** The key from its base64 form (`openssl rand -base64 32`); undefined when it is not 32 bytes. */
export function parseKey(text: string): Buffer | undefined {
  const key = Buffer.from(text.trim(), 'base64');
  return key.length === KEY_BYTES ? key : undefined;
}

export interface Sealer {
  seal(value: unknown): string;
  /** Throws when the value was not sealed with this key or was changed. */
  open(sealed: string): unknown;
}

/** Seals and opens JSON values with `key`. */
export function createSealer(key: Buffer): Sealer {
  return {
    seal(value) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      const raw = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      return JSON.parse(text) as unknown;
    },
  };
}
