import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { encode as encodePngFile } from 'fast-png';
import jpeg from 'jpeg-js';

import { decodeImage, imageFormat } from '../../src/data/decode.js';
import { loadImageFolder } from '../../src/data/image-folder.js';

const f32 = Math.fround;

function png(width: number, height: number, channels: number, data: ArrayLike<number>, depth: 8 | 16 = 8): Uint8Array {
  const array = depth === 16 ? Uint16Array.from(data) : Uint8Array.from(data);
  return encodePngFile({ width, height, channels, depth, data: array });
}

function jpg(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) data.set([...rgb, 255], p * 4);
  return new Uint8Array(jpeg.encode({ width, height, data }, 95).data);
}

describe('decodeImage', () => {
  it('decodes RGB, RGBA, grey and grey+alpha PNG exactly, to [3, H, W] or [1, H, W] floats', () => {
    const rgb = png(2, 1, 3, [255, 0, 51, 0, 255, 102]);
    assert.equal(imageFormat(rgb), 'png');
    const image = decodeImage(rgb, 'rgb.png');
    assert.deepEqual([image.channels, image.height, image.width], [3, 1, 2]);
    assert.deepEqual(Array.from(image.data), [1, 0, 0, 1, 0.2, 0.4].map(f32));
    // Luma: (299 R + 587 G + 114 B) / 1000.
    const luma = decodeImage(rgb, 'rgb.png', { grayscale: true });
    assert.deepEqual(Array.from(luma.data), [f32((299 * 255 + 114 * 51) / 1000 / 255), f32((587 * 255 + 114 * 102) / 1000 / 255)]);
    const rgba = decodeImage(png(1, 1, 4, [10, 20, 30, 0]), 'rgba.png');
    assert.deepEqual(Array.from(rgba.data), [10 / 255, 20 / 255, 30 / 255].map(f32), 'alpha is dropped');
    const greyAlpha = decodeImage(png(2, 1, 2, [51, 255, 204, 0]), 'ga.png');
    assert.deepEqual(Array.from(greyAlpha.data), [0.2, 0.8, 0.2, 0.8, 0.2, 0.8].map(f32), 'grey is replicated to RGB');
    const grey = decodeImage(png(2, 1, 1, [51, 204]), 'g.png', { grayscale: true });
    assert.deepEqual(Array.from(grey.data), [0.2, 0.8].map(f32));
  });

  it('keeps 16-bit precision and unpacks 1-bit greyscale', () => {
    const deep = decodeImage(png(2, 1, 1, [0, 32768], 16), 'deep.png', { grayscale: true });
    assert.deepEqual(Array.from(deep.data), [0, f32(32768 / 65535)]);
    const bits = encodePngFile({ width: 3, height: 2, channels: 1, depth: 1, data: Uint8Array.of(0b10100000, 0b01000000) });
    assert.deepEqual(Array.from(decodeImage(bits, 'bits.png', { grayscale: true }).data), [1, 0, 1, 0, 1, 0]);
  });

  it('decodes JPEG (lossy: close to the encoded colour)', () => {
    const file = jpg(8, 8, [200, 100, 50]);
    assert.equal(imageFormat(file), 'jpeg');
    const image = decodeImage(file, 'x.jpg');
    assert.deepEqual([image.channels, image.height, image.width], [3, 8, 8]);
    for (const [c, v] of [200, 100, 50].entries()) assert.ok(Math.abs(image.data[c * 64]! * 255 - v) < 4, `channel ${c}`);
  });

  it('names the file in every failure: unknown format, truncation, CRC, size limits', () => {
    assert.throws(() => decodeImage(new TextEncoder().encode('GIF89a...'), 'a.gif'), /^Error: a\.gif: not a PNG or JPEG file \(it starts with bytes 47 49 46/);
    assert.throws(() => decodeImage(new Uint8Array(0), 'empty.png'), /empty\.png: not a PNG or JPEG file \(it starts with nothing: the file is empty\)/);
    const good = png(4, 4, 3, new Uint8Array(48).fill(7));
    assert.throws(() => decodeImage(good.subarray(0, good.length - 20), 't.png'), /t\.png: truncated PNG file/);
    const flipped = good.slice();
    flipped[45] = flipped[45]! ^ 1;
    assert.throws(() => decodeImage(flipped, 'c.png'), /c\.png: corrupt PNG file: chunk IDAT at byte 33 fails its CRC check/);
    assert.throws(() => decodeImage(good, 'big.png', { maxPixels: 15 }), /big\.png: the image is 4x4 = 16 pixels, above the limit of 15/);
    const file = jpg(8, 8, [1, 2, 3]);
    assert.throws(() => decodeImage(file.subarray(0, file.length - 30), 't.jpg'), /t\.jpg: truncated JPEG file/);
    assert.throws(() => decodeImage(file, 'big.jpg', { maxPixels: 63 }), /big\.jpg: corrupt JPEG file: maxResolutionInMP limit exceeded/);
  });
});

function folder(): string {
  const root = mkdtempSync(join(tmpdir(), 'descent-folder-'));
  // Created out of order: classes are sorted by name.
  for (const name of ['zebra', 'ant', '.hidden-class']) mkdirSync(join(root, name));
  mkdirSync(join(root, 'zebra', 'nested'));
  writeFileSync(join(root, 'zebra', 'b.PNG'), png(3, 2, 1, [0, 51, 102, 153, 204, 255]));
  writeFileSync(join(root, 'zebra', 'nested', 'a.png'), png(3, 2, 3, new Uint8Array(18).fill(255)));
  writeFileSync(join(root, 'ant', 'photo.jpg'), jpg(3, 2, [0, 0, 0]));
  writeFileSync(join(root, 'ant', 'notes.txt'), 'not an image');
  writeFileSync(join(root, 'ant', '.DS_Store.png'), 'hidden');
  writeFileSync(join(root, '.hidden-class', 'x.png'), png(3, 2, 1, new Uint8Array(6)));
  return root;
}

describe('loadImageFolder', () => {
  it('labels images by sorted class folder, recursing into sub-folders and skipping other and hidden files', async () => {
    const root = folder();
    const dataset = await loadImageFolder(root);
    assert.deepEqual(dataset.classes, ['ant', 'zebra']);
    assert.deepEqual(
      dataset.entries.map((e) => [e.path.slice(root.length + 1), e.label]),
      [
        [join('ant', 'photo.jpg'), 0],
        [join('zebra', 'b.PNG'), 1],
        [join('zebra', 'nested', 'a.png'), 1],
      ],
    );
    assert.equal(dataset.length, 3);
    const { image, label } = dataset.get(1);
    assert.equal(label, 1);
    assert.deepEqual([image.channels, image.height, image.width], [3, 2, 3]);
    assert.deepEqual(Array.from(image.data.subarray(0, 6)), [0, 0.2, 0.4, 0.6, 0.8, 1].map(f32));
    // get returns a copy: changing it does not change the dataset.
    image.data.fill(9);
    assert.equal(dataset.get(1).image.data[0], 0);
  });

  it('decodes to greyscale and resizes with bilinear interpolation', async () => {
    const dataset = await loadImageFolder(folder(), { grayscale: true, size: [4, 6] });
    for (let i = 0; i < dataset.length; i++) {
      const { image } = dataset.get(i);
      assert.deepEqual([image.channels, image.height, image.width], [1, 4, 6]);
    }
    assert.ok(dataset.get(2).image.data.every((v) => v === 1), 'a white image stays white');
    const pngsOnly = await loadImageFolder(folder(), { extensions: ['png'] });
    assert.equal(pngsOnly.length, 2);
  });

  it('fails with the path of a corrupt file, of a mismatched size, or of a folder without classes', async () => {
    const root = folder();
    const broken = png(3, 2, 1, new Uint8Array(6));
    writeFileSync(join(root, 'ant', 'broken.png'), broken.subarray(0, 30));
    await assert.rejects(loadImageFolder(root), (error: Error) => {
      assert.match(error.message, /broken\.png: truncated PNG file/);
      assert.ok(error.message.startsWith(join(root, 'ant', 'broken.png')));
      return true;
    });

    const sizes = folder();
    writeFileSync(join(sizes, 'zebra', 'wide.png'), png(4, 2, 1, new Uint8Array(8)));
    await assert.rejects(loadImageFolder(sizes), /wide\.png: the image is 4x2, but ant[/\\]photo\.jpg is 3x2; pass size: \[height, width\]/);
    assert.equal((await loadImageFolder(sizes, { size: [2, 3] })).length, 4);

    const empty = mkdtempSync(join(tmpdir(), 'descent-empty-'));
    await assert.rejects(loadImageFolder(empty), /no class folders found/);
    await assert.rejects(loadImageFolder(join(empty, 'missing')), /missing: not a directory/);
    mkdirSync(join(empty, 'cls'));
    await assert.rejects(loadImageFolder(empty), /no images with extensions \.png, \.jpg, \.jpeg in the class folders cls/);
  });
});
