// The pixel size of a PNG, JPEG, GIF or WebP from its header, so an image the API would refuse
// (over 8000x8000 px: platform.claude.com/docs/en/build-with-claude/vision) is named in a sentence
// instead of failing the whole question. Written by hand: the formats' headers are a few fixed
// offsets, and no well-kept dependency-free library is in the project (image-size would be one).
import type Anthropic from '@anthropic-ai/sdk';

export const API_IMAGE_MAX_PIXELS = 8000;

export interface Dimensions {
  width: number;
  height: number;
}

/** The image's width and height, or undefined when the header cannot be read. */
export function imageDimensions(bytes: Uint8Array, type: Anthropic.Base64ImageSource['media_type']): Dimensions | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = (read: () => Dimensions): Dimensions | undefined => {
    try {
      return read();
    } catch {
      return undefined; // a header cut short
    }
  };
  switch (type) {
    case 'image/png': // IHDR, the first chunk: width and height big-endian at 16 and 20
      return at(() => ({ width: view.getUint32(16), height: view.getUint32(20) }));
    case 'image/gif': // the logical screen: little-endian at 6 and 8
      return at(() => ({ width: view.getUint16(6, true), height: view.getUint16(8, true) }));
    case 'image/webp':
      return at(() => webpDimensions(view));
    case 'image/jpeg':
      return at(() => jpegDimensions(view));
  }
}

function webpDimensions(view: DataView): Dimensions {
  const chunk = String.fromCharCode(view.getUint8(12), view.getUint8(13), view.getUint8(14), view.getUint8(15));
  if (chunk === 'VP8 ') return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    const uint24 = (offset: number) => view.getUint8(offset) | (view.getUint8(offset + 1) << 8) | (view.getUint8(offset + 2) << 16);
    return { width: uint24(24) + 1, height: uint24(27) + 1 };
  }
  throw new Error(`unknown WebP chunk ${chunk}`);
}

/** The first start-of-frame marker's size (SOF0-SOF15 but DHT, JPG and DAC, which share the range). */
function jpegDimensions(view: DataView): Dimensions {
  let offset = 2;
  for (;;) {
    if (view.getUint8(offset) !== 0xff) throw new Error('not a JPEG marker');
    const marker = view.getUint8(offset + 1);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
    }
    offset += 2 + view.getUint16(offset + 2);
  }
}
