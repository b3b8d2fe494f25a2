// WebP for Jimp (scale-image.ts): @jsquash/webp, libwebp compiled to WebAssembly (no native build).
// Written here instead of using @jimp/wasm-webp, which wraps the same library: that package lets
// @jsquash/webp load its .wasm files with fetch(file://...), which Node does not implement ("fetch
// failed ... not implemented... yet...": github.com/jimp-dev/jimp/issues/1366, fix still open in
// jimp-dev/jimp#1403). So the .wasm files are read from disk and handed to the codecs' init()
// (jSquash's own advice for Node: github.com/jamsinclair/jSquash/issues/61).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import jsquashDecode, { init as initDecoder } from '@jsquash/webp/decode.js';
import jsquashEncode, { init as initEncoder } from '@jsquash/webp/encode.js';
import type { EncodeOptions } from '@jsquash/webp/meta.js';

/** The pixels Jimp hands a format and takes back from it: RGBA, 4 bytes a pixel. */
interface Pixels {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * The browser's ImageData, which @jsquash/webp's types name: the project's types have no DOM, so its
 * shape (RGBA bytes, width, height: developer.mozilla.org/en-US/docs/Web/API/ImageData) is written
 * here and the codecs typed with it.
 */
interface RgbaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
  colorSpace: 'srgb';
}
const encode = jsquashEncode as (image: RgbaImage, options?: Partial<EncodeOptions>) => Promise<ArrayBuffer>;
const decode = jsquashDecode as (buffer: ArrayBuffer) => Promise<RgbaImage>;

/** The lossy quality a scaled WebP is encoded at (libwebp's 0-100), as for a JPEG. */
const WEBP_QUALITY = 85;

/** A Jimp format (mime, encode, decode) for WebP; its codecs are loaded at its first use. */
export default function webp() {
  let loading: Promise<void> | undefined;
  const load = () => (loading ??= loadCodecs());
  return {
    mime: 'image/webp' as const,
    hasAlpha: true,
    encode: async (bitmap: Pixels): Promise<Buffer> => {
      await load();
      const data = new Uint8ClampedArray(bitmap.data.buffer, bitmap.data.byteOffset, bitmap.data.byteLength);
      const encoded = await encode({ data, width: bitmap.width, height: bitmap.height, colorSpace: 'srgb' }, { quality: WEBP_QUALITY });
      return Buffer.from(encoded);
    },
    decode: async (bytes: Buffer): Promise<Pixels> => {
      await load();
      const copy = new Uint8Array(bytes); // decode() takes an ArrayBuffer of the file alone
      const image = await decode(copy.buffer);
      return { data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), width: image.width, height: image.height };
    },
  };
}

async function loadCodecs(): Promise<void> {
  const resolve = createRequire(import.meta.url).resolve;
  // `wasmBinary` is Emscripten's Module option for a binary already in hand (it then fetches
  // nothing); @jsquash/webp's init() passes its options on to Emscripten, though its types list only
  // some of them (noInitialRun, which it sets too), hence the object built first.
  const withBinary = async (file: string) => ({ noInitialRun: true, wasmBinary: await readFile(resolve(file)) });
  // The encoder's SIMD build: Node 20's V8 runs WebAssembly SIMD, so @jsquash/webp's init() picks
  // that build's JavaScript, which must get the matching .wasm.
  const encoderOptions = await withBinary('@jsquash/webp/codec/enc/webp_enc_simd.wasm');
  const decoderOptions = await withBinary('@jsquash/webp/codec/dec/webp_dec.wasm');
  await initEncoder(encoderOptions);
  await initDecoder(decoderOptions);
}
