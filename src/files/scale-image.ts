// An image over the Messages API's limits scaled down until it fits (platform.claude.com/docs/en/build-with-claude/vision:
// "If you submit an image larger than 8000x8000 px, it will be rejected"; an image's base64 data may have
// 5 MB: the API answers "image exceeds 5 MB maximum: N bytes > 5242880 bytes"), keeping its aspect
// ratio and its type. Jimp 1.x (jimp-dev.github.io/jimp/guides/custom-jimp), only its PNG, JPEG and
// GIF codecs and its resize: pure JavaScript (pngjs, jpeg-js, omggif + gifwrap), so it installs on
// Node 20 without a native build or a binary download, which sharp needs. WebP through libwebp in
// WebAssembly (webp-format.ts). A GIF is decoded to its first frame only (js-gif reads no other), and
// the scaled frame is written as a PNG: js-gif's encoder computes a 256-colour palette in JavaScript,
// seconds even for a thin 8400x50 strip (measured), so a large GIF would hold its question for a
// minute; a PNG is written in a fraction of that. The block's media type comes from the bytes.
//
// Decoding is CPU work in JavaScript (about a second for a 4 MB PNG): it runs in a worker thread
// (image-worker.ts), never on the thread that acks Slack's events.
import type Anthropic from '@anthropic-ai/sdk';
import { createJimp } from '@jimp/core';
import gif from '@jimp/js-gif';
import jpeg from '@jimp/js-jpeg';
import png from '@jimp/js-png';
import * as resize from '@jimp/plugin-resize';
import webp from './webp-format.js';

/** Every image type the API takes is scaled: PNG, JPEG, GIF and WebP. */
export type ScalableType = Anthropic.Base64ImageSource['media_type'];

export interface ImageLimits {
  /** Most characters of the image's base64 data. */
  maxBase64Bytes: number;
  /** Most pixels of its width and of its height. */
  maxPixels: number;
}

const Jimp = createJimp({ formats: [png, jpeg, gif, webp], plugins: [resize.methods] });

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
    const encoded =
      type === 'image/jpeg' ? await scaled.getBuffer('image/jpeg', { quality: JPEG_QUALITY }) : await scaled.getBuffer(type === 'image/gif' ? 'image/png' : type);
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
