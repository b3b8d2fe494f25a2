// An image over the Messages API's limits scaled down until it fits (platform.claude.com/docs/en/build-with-claude/vision:
// "If you submit an image larger than 8000x8000 px, it will be rejected"; an image's base64 data may have
// 5 MB: the API answers "image exceeds 5 MB maximum: N bytes > 5242880 bytes"), keeping its aspect
// ratio and its type. Jimp 1.x (jimp-dev.github.io/jimp/guides/custom-jimp), only its PNG and JPEG
// codecs and its resize: pure JavaScript (pngjs, jpeg-js), so it installs on Node 20 without a native
// build or a binary download, which sharp needs. GIF and WebP are not decoded (jimp has no WebP codec
// in pure JavaScript; a scaled GIF would lose its frames), so those stay refused (content.ts).
//
// Decoding is CPU work in JavaScript (about a second for a 4 MB PNG): it runs in a worker thread
// (image-worker.ts), never on the thread that acks Slack's events.
import { createJimp } from '@jimp/core';
import jpeg from '@jimp/js-jpeg';
import png from '@jimp/js-png';
import * as resize from '@jimp/plugin-resize';

export type ScalableType = 'image/png' | 'image/jpeg';

export interface ImageLimits {
  /** Most characters of the image's base64 data. */
  maxBase64Bytes: number;
  /** Most pixels of its width and of its height. */
  maxPixels: number;
}

const Jimp = createJimp({ formats: [png, jpeg], plugins: [resize.methods] });

/** A scaled JPEG's quality: jpeg-js' scale of 1-100; 85 keeps text in screenshots readable. */
const JPEG_QUALITY = 85;
/** Tries before giving up: each one aims a little lower than the size the last one reached. */
const MAX_TRIES = 6;

/** The image scaled down to fit `limits`, in its own type; rejects when it cannot be decoded or made to fit. */
export async function scaleToFit(bytes: Uint8Array, type: ScalableType, limits: ImageLimits): Promise<Uint8Array> {
  const original = await Jimp.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const { width, height } = original.bitmap;
  // The bytes of an image grow with its area: aim at the area that fits, with a margin.
  let factor = Math.min(1, limits.maxPixels / Math.max(width, height), Math.sqrt(limits.maxBase64Bytes / base64Length(bytes.length)) * 0.95);
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const w = Math.max(1, Math.floor(width * factor));
    const h = Math.max(1, Math.floor(height * factor));
    const scaled = original.clone().resize({ w, h });
    const encoded = type === 'image/png' ? await scaled.getBuffer('image/png') : await scaled.getBuffer('image/jpeg', { quality: JPEG_QUALITY });
    const size = base64Length(encoded.length);
    if (size <= limits.maxBase64Bytes) return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    factor *= Math.min(0.9, Math.sqrt(limits.maxBase64Bytes / size) * 0.95);
  }
  throw new Error(`still over ${limits.maxBase64Bytes} bytes base64-encoded after ${MAX_TRIES} tries`);
}

/** Characters of the base64 encoding of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}
