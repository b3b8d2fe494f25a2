// The worker thread that scales one image down (scale-image.ts), so the CPU work of decoding and
// encoding never holds up the thread that acks Slack's events. One message in, one message out.
import { parentPort, workerData } from 'node:worker_threads';
import { scaleToFit, type ImageLimits, type ScalableType } from './scale-image.js';

export interface ScaleRequest {
  bytes: Uint8Array;
  type: ScalableType;
  limits: ImageLimits;
}

export type ScaleReply = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

const request = workerData as ScaleRequest;
scaleToFit(request.bytes, request.type, request.limits).then(
  (bytes) => parentPort?.postMessage({ ok: true, bytes } satisfies ScaleReply),
  (error: unknown) => parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies ScaleReply),
);
