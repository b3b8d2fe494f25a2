// Real images made in the tests, with the same pure-JavaScript codecs the bot scales with (jimp).
import { randomBytes } from 'node:crypto';
import { createJimp } from '@jimp/core';
import gif from '@jimp/js-gif';
import jpeg from '@jimp/js-jpeg';
import png from '@jimp/js-png';
import webp from '../../src/files/webp-format.js';

const Jimp = createJimp({ formats: [png, jpeg, gif, webp] });

/** A PNG of random pixels, which does not compress: about 4 bytes a pixel. */
export async function noisyPng(width: number, height: number): Promise<Buffer> {
  const image = new Jimp({ width, height });
  image.bitmap.data = randomBytes(width * height * 4);
  return image.getBuffer('image/png');
}

/** A JPEG of one colour, small in bytes whatever its pixel size. */
export async function plainJpeg(width: number, height: number): Promise<Buffer> {
  return new Jimp({ width, height, color: 0x3366ccff }).getBuffer('image/jpeg', { quality: 80 });
}

/** An image of one colour in a type the bot scales, small in bytes whatever its pixel size. */
export async function plainImage(width: number, height: number, type: 'image/gif' | 'image/webp'): Promise<Buffer> {
  return new Jimp({ width, height, color: 0x3366ccff }).getBuffer(type);
}

/** An image's width and height, decoded. */
export async function pixelSize(bytes: Buffer): Promise<{ width: number; height: number }> {
  const { bitmap } = await Jimp.fromBuffer(bytes);
  return { width: bitmap.width, height: bitmap.height };
}
