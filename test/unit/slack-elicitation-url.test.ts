// Which links a server may send a person to (URL elicitation), and the host they are shown.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkElicitationUrl } from '../../src/mcp/index.js';

describe('links a server asks the person to open', () => {
  test('https anywhere; the host is the one the browser reaches', () => {
    assert.deepEqual(checkElicitationUrl('https://auth.example.com:8443/consent?x=1'), { ok: true, host: 'auth.example.com:8443' });
    assert.deepEqual(checkElicitationUrl('https://bank.example@evil.example/login'), { ok: true, host: 'evil.example' });
    assert.deepEqual(checkElicitationUrl('https://exämple.com/'), { ok: true, host: 'xn--exmple-cua.com' });
  });

  test('plain http only to this machine', () => {
    for (const url of ['http://localhost:3000/cb', 'http://127.0.0.1/cb', 'http://[::1]:8080/cb']) assert.equal(checkElicitationUrl(url).ok, true, url);
    assert.deepEqual(checkElicitationUrl('http://login.example.net/'), { ok: false, reason: 'it is not https' });
    assert.deepEqual(checkElicitationUrl('http://localhost.evil.example/'), { ok: false, reason: 'it is not https' });
  });

  test('other schemes and non-links are refused', () => {
    assert.deepEqual(checkElicitationUrl('javascript:alert(1)'), { ok: false, reason: 'its scheme javascript: is not https' });
    assert.deepEqual(checkElicitationUrl('not a link'), { ok: false, reason: 'it is not a valid link' });
  });
});
