// Images over the API's limits scaled down to fit (src/files/scale-image.ts, run in a worker thread
// by fit-image.ts): real PNG, JPEG, GIF and WebP images made here, the aspect ratio and type kept, and the
// images that cannot be scaled left as they were for toBlock to name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageTypeOf, toBlock } from '../../src/files/content.js';
import { fitImage } from '../../src/files/fit-image.js';
import { base64Length } from '../../src/files/scale-image.js';
import { silentLogger } from '../../src/log.js';
import { noisyPng, pixelSize, plainImage, plainJpeg } from '../helpers/images.js';

describe('fitImage', () => {
  it('scales a PNG over 5 MB (base64) down until it fits, keeping its type and aspect ratio', async () => {
    const big = await noisyPng(1200, 1000);
    assert.ok(base64Length(big.length) > 5 * 1024 * 1024, 'the test image is over the limit');
    const fitted = await fitImage({ name: 'noise.png', bytes: big }, silentLogger);
    assert.ok(base64Length(fitted.bytes.length) <= 5 * 1024 * 1024, `${fitted.bytes.length} bytes fit`);
    assert.equal(imageTypeOf(fitted.bytes), 'image/png');
    const { width, height } = await pixelSize(Buffer.from(fitted.bytes));
    assert.ok(width < 1200 && width > 600, `width ${width}`);
    assert.ok(Math.abs(width / height - 1.2) < 0.01, `aspect ratio ${width}/${height}`);
    assert.equal(fitted.name, 'noise.png');
  });

  it('scales a JPEG wider than 8000 px down to 8000 px, keeping its type and aspect ratio', async () => {
    const wide = await plainJpeg(8400, 84);
    const fitted = await fitImage({ name: 'strip.jpg', bytes: wide }, silentLogger);
    assert.equal(imageTypeOf(fitted.bytes), 'image/jpeg');
    assert.deepEqual(await pixelSize(Buffer.from(fitted.bytes)), { width: 8000, height: 80 });
    assert.ok(toBlock(fitted).ok, 'the scaled image becomes a block');
  });

  for (const [type, name, becomes] of [
    ['image/gif', 'strip.gif', 'image/png'],
    ['image/webp', 'strip.webp', 'image/webp'],
  ] as const) {
    it(`scales a ${type} wider than 8000 px down to 8000 px, keeping its aspect ratio, as ${becomes}`, async () => {
      const wide = await plainImage(8200, 41, type);
      const fitted = await fitImage({ name, bytes: wide }, silentLogger);
      assert.equal(imageTypeOf(fitted.bytes), becomes);
      assert.deepEqual(await pixelSize(Buffer.from(fitted.bytes)), { width: 8000, height: 40 });
      const converted = toBlock(fitted);
      assert.ok(converted.ok && converted.block.type === 'image' && converted.block.source.type === 'base64', 'the scaled image becomes a block');
      assert.equal(converted.block.source.media_type, becomes);
      assert.equal(fitted.name, name);
    });
  }

  it('leaves an image within the limits and an image it cannot decode as they were (toBlock names the last)', async () => {
    const small = await plainJpeg(40, 30);
    assert.equal((await fitImage({ name: 'small.jpg', bytes: small }, silentLogger)).bytes, small);
    // A GIF header claiming 9000 px with no image behind it: the worker fails, the file is left as it was.
    const gif = Buffer.from('474946383961' + '2823' + '0100' + '000000', 'hex');
    const gifOut = await fitImage({ name: 'wide.gif', bytes: gif }, silentLogger);
    assert.equal(gifOut.bytes, gif);
    const refusal = toBlock(gifOut);
    assert.ok(!refusal.ok);
    assert.match(refusal.sentence, /9000x1 pixels.*could not be scaled down/);
    // A PNG header claiming 9000 px with no image behind it: the worker fails, the file is left as it was.
    const broken = Buffer.concat([(await noisyPng(1, 1)).subarray(0, 33), Buffer.alloc(100)]);
    broken.writeUInt32BE(9000, 16);
    const brokenOut = await fitImage({ name: 'broken.png', bytes: broken }, silentLogger);
    assert.equal(brokenOut.bytes, broken);
    assert.ok(!toBlock(brokenOut).ok);
  });

  it('stops the scaling when the turn is stopped', async () => {
    const big = await noisyPng(1200, 1000);
    const stop = new AbortController();
    const fitting = fitImage({ name: 'noise.png', bytes: big }, silentLogger, stop.signal);
    stop.abort(new Error('turn stopped'));
    await assert.rejects(fitting, /turn stopped/);
  });
});
