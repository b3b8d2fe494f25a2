// The pure parts of OAuth storage: sealed values open only with their key and unchanged, and a
// sign-in state is taken once, only before it expires, and never when made up.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import Keyv from 'keyv';
import { createSealer, parseKey } from '../../src/oauth/seal.js';
import { createStates } from '../../src/oauth/states.js';
import { createVault } from '../../src/oauth/vault.js';

const key = () => randomBytes(32);

describe('oauth seal', () => {
  it('opens what it sealed, and refuses another key or a changed value', () => {
    const sealer = createSealer(key());
    const sealed = sealer.seal({ access_token: 'secret-token' });
    assert.doesNotMatch(sealed, /secret-token/);
    assert.deepEqual(sealer.open(sealed), { access_token: 'secret-token' });
    assert.throws(() => createSealer(key()).open(sealed));
    const raw = Buffer.from(sealed, 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    assert.throws(() => sealer.open(raw.toString('base64')));
  });

  it('takes a key of 32 bytes in base64 only', () => {
    assert.ok(parseKey(randomBytes(32).toString('base64')));
    assert.equal(parseKey(randomBytes(16).toString('base64')), undefined);
    assert.equal(parseKey('not a key'), undefined);
  });
});

describe('oauth records and states', () => {
  it('keeps each identity\'s records apart, and reads a value sealed with another key as absent', async () => {
    const store = new Keyv();
    const vault = createVault(store, createSealer(key()));
    await vault.recordsFor({ teamId: 'T1', userId: 'U1', server: 'docs' }).set('tokens', { access_token: 'a' });
    assert.deepEqual(await vault.recordsFor({ teamId: 'T1', userId: 'U1', server: 'docs' }).get('tokens'), { access_token: 'a' });
    assert.equal(await vault.recordsFor({ teamId: 'T1', userId: 'U2', server: 'docs' }).get('tokens'), undefined);
    assert.equal(await createVault(store, createSealer(key())).recordsFor({ teamId: 'T1', userId: 'U1', server: 'docs' }).get('tokens'), undefined);
  });

  it('gives a state\'s binding once, never for a made-up state, and not after it expired', async () => {
    const store = new Keyv();
    const states = createStates(store, createSealer(key()), 50);
    const state = await states.create({ teamId: 'T1', userId: 'U1', server: 'docs' });
    assert.deepEqual(await states.take(state), { teamId: 'T1', userId: 'U1', server: 'docs' });
    assert.equal(await states.take(state), undefined);
    assert.equal(await states.take(randomBytes(32).toString('base64url')), undefined);
    const late = await states.create({ teamId: 'T1', userId: 'U1', server: 'docs' });
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(await states.take(late), undefined);
  });
});
