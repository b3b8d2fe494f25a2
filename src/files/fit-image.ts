// An attached image over the API's limits (content.ts) scaled down to fit, in a worker thread
// (image-worker.ts), before it becomes an image block. Images within the limits, other files, and
// images that cannot be scaled (a header that cannot be read, too many pixels to decode, a failed decode)
// come back as they were: toBlock then names them in a sentence as before.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import { API_IMAGE_BASE64_BYTES, imageTypeOf, type LoadedFile } from './content.js';
import { API_IMAGE_MAX_PIXELS, imageDimensions } from './image-size.js';
import type { ScaleReply, ScaleRequest } from './image-worker.js';
import { base64Length, type ImageLimits } from './scale-image.js';

export const API_IMAGE_LIMITS: ImageLimits = { maxBase64Bytes: API_IMAGE_BASE64_BYTES, maxPixels: API_IMAGE_MAX_PIXELS };

/**
 * Most pixels decoded to scale one image: 4 bytes each in memory, so 50 million take 200 MB (a
 * 48-megapixel photo still fits). A larger image is refused rather than risk the bot's memory.
 */
export const MAX_DECODE_PIXELS = 50_000_000;

/** The file, its image scaled down when over the limits; never rejects (a failure leaves it as it was). */
export async function fitImage(file: LoadedFile, logger: Logger, signal?: AbortSignal, limits: ImageLimits = API_IMAGE_LIMITS): Promise<LoadedFile> {
  const type = imageTypeOf(file.bytes);
  if (!type) return file;
  const size = imageDimensions(file.bytes, type);
  if (!size || size.width * size.height > MAX_DECODE_PIXELS) return file;
  const over = base64Length(file.bytes.length) > limits.maxBase64Bytes || size.width > limits.maxPixels || size.height > limits.maxPixels;
  if (!over) return file;
  const startedAt = Date.now();
  try {
    const bytes = await inWorker({ bytes: file.bytes, type, limits }, signal);
    logger.info('image scaled down', { type, fromBytes: file.bytes.length, toBytes: bytes.length, ms: Date.now() - startedAt });
    return { ...file, bytes };
  } catch (error) {
    if (signal?.aborted) throw error;
    logger.warn('image could not be scaled down', { type, bytes: file.bytes.length, error: error instanceof Error ? error.message : String(error) });
    return file;
  }
}

/** Runs one scaling in a worker thread of its own, ended when it answers or the signal aborts. */
function inWorker(request: ScaleRequest, signal?: AbortSignal): Promise<Uint8Array> {
  const stopped = () => (signal?.reason instanceof Error ? signal.reason : new Error('the image scaling was stopped'));
  if (signal?.aborted) return Promise.reject(stopped());
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile(), { workerData: request });
    const stop = () => {
      reject(stopped());
      void worker.terminate();
    };
    signal?.addEventListener('abort', stop, { once: true });
    const settle = () => signal?.removeEventListener('abort', stop);
    worker.once('message', (reply: ScaleReply) => {
      settle();
      void worker.terminate();
      if (reply.ok) resolve(reply.bytes);
      else reject(new Error(reply.error));
    });
    worker.once('error', (error) => {
      settle();
      reject(error);
    });
    worker.once('exit', (code) => {
      settle();
      reject(new Error(`the image worker stopped (exit code ${code})`));
    });
  });
}

/**
 * Where the worker's compiled JavaScript is: tsc puts it next to this file (dist/files/), the
 * bundle of `npm start` and `npm run chat` runs this code from dist/ or dist/chunks/, and the tests
 * run the sources through tsx, whose loader a worker thread does not get on Node 20, so they use
 * the build's copy (the test runner builds dist/ first). A worker needs a file of its own, hence
 * the look-up.
 */
function workerFile(): string {
  const candidates = ['./image-worker.js', './files/image-worker.js', '../files/image-worker.js', '../../dist/files/image-worker.js'];
  for (const candidate of candidates) {
    const file = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(file)) return file;
  }
  throw new Error('the image worker (dist/files/image-worker.js) is missing: run npm run build');
}
