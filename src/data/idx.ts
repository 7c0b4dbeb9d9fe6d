// The IDX file format (the one MNIST and Fashion-MNIST ship in), parsed and written from bytes.
// This file is pure: no Node imports, so the browser playground can parse IDX bytes it fetched itself.
// Reading from disk and gunzipping live in idx-file.ts.
//
// Layout (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT"):
//   bytes 0-1  zero
//   byte  2    type code: 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double
//   byte  3    number of dimensions D
//   D x 4 bytes  each dimension, unsigned 32-bit big-endian
//   then the values in row-major order, multi-byte values big-endian.

interface IdxTypedArrays {
  uint8: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  float32: Float32Array;
  float64: Float64Array;
}

/** The element types an IDX file can hold. */
export type IdxDtype = keyof IdxTypedArrays;

/**
 * The contents of an IDX file: its element type, its shape, and its values in row-major order
 * (already converted from the file's big-endian byte order to native numbers).
 */
export type IdxArray = {
  [D in IdxDtype]: { dtype: D; shape: number[]; data: IdxTypedArrays[D] };
}[IdxDtype];

interface IdxTypeInfo {
  code: number;
  dtype: IdxDtype;
  bytesPerValue: number;
  /** The name the IDX specification uses, kept for error messages. */
  specName: string;
}

const IDX_TYPES: readonly IdxTypeInfo[] = [
  { code: 0x08, dtype: 'uint8', bytesPerValue: 1, specName: 'unsigned byte' },
  { code: 0x09, dtype: 'int8', bytesPerValue: 1, specName: 'signed byte' },
  { code: 0x0b, dtype: 'int16', bytesPerValue: 2, specName: 'short' },
  { code: 0x0c, dtype: 'int32', bytesPerValue: 4, specName: 'int' },
  { code: 0x0d, dtype: 'float32', bytesPerValue: 4, specName: 'float' },
  { code: 0x0e, dtype: 'float64', bytesPerValue: 8, specName: 'double' },
];

const TYPE_CODE_LIST = IDX_TYPES.map((t) => `${hexByte(t.code)} ${t.dtype}`).join(', ');

/** Largest dimension we accept; bigger values mean a corrupted header, and would overflow typed-array sizes. */
const MAX_DIMENSION = 2 ** 31 - 1;

/**
 * Parses the bytes of an (uncompressed) IDX file.
 *
 * Validates the two leading zero bytes, the type code, the number of dimensions, every dimension
 * and the exact payload length. Every error message starts with `source` (a file name or URL) and
 * says what was expected and what was found.
 *
 * @example
 * const labels = parseIdx(bytes, 'train-labels-idx1-ubyte'); // { dtype: 'uint8', shape: [60000], data }
 */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) {
    throw new Error(
      `${source}: not an IDX file: it is ${bytes.length} bytes long, too short for the 4-byte magic number`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    // A gzip stream starts with 1f 8b: the likeliest way to get here is a .gz file read as raw bytes.
    const gzipHint =
      bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (this looks like gzip data: decompress it first)' : '';
    throw new Error(
      `${source}: bad magic number ${hexWord(magic)}: expected 0x0000TTDD, two zero bytes then the type code TT ` +
        `and the number of dimensions DD (e.g. 0x00000803 for MNIST images), but the first two bytes are ` +
        `${hexByte(bytes[0]!)} ${hexByte(bytes[1]!)}${gzipHint}`,
    );
  }
  const typeCode = bytes[2]!;
  const type = IDX_TYPES.find((t) => t.code === typeCode);
  if (type === undefined) {
    throw new Error(
      `${source}: bad magic number ${hexWord(magic)}: unknown IDX type code ${hexByte(typeCode)}, ` +
        `expected one of ${TYPE_CODE_LIST}`,
    );
  }
  const rank = bytes[3]!;
  if (rank === 0) {
    throw new Error(
      `${source}: bad magic number ${hexWord(magic)}: the number of dimensions is 0, expected 1 to 255`,
    );
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new Error(
      `${source}: truncated IDX header: magic number ${hexWord(magic)} announces ${rank} dimensions, ` +
        `which need a ${headerLength}-byte header, but the file is only ${bytes.length} bytes long`,
    );
  }

  const shape: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const size = view.getUint32(4 + 4 * axis, false);
    if (size > MAX_DIMENSION) {
      throw new Error(
        `${source}: bad IDX header: dimension ${axis} is ${size}, expected at most ${MAX_DIMENSION} ` +
          `(the header is probably corrupted)`,
      );
    }
    shape.push(size);
  }

  const count = shape.reduce((a, b) => a * b, 1);
  const expectedBytes = count * type.bytesPerValue;
  const payloadBytes = bytes.length - headerLength;
  const what = describePayload(shape, type, expectedBytes);
  if (payloadBytes < expectedBytes) {
    throw new Error(
      `${source}: truncated IDX file: header says ${what} of data, but only ${payloadBytes} follow ` +
        `(the download may be incomplete)`,
    );
  }
  if (payloadBytes > expectedBytes) {
    throw new Error(
      `${source}: IDX file has ${payloadBytes - expectedBytes} unexpected trailing bytes: header says ` +
        `${what} of data, but ${payloadBytes} follow (the file is corrupted or is not what its header says)`,
    );
  }

  return { dtype: type.dtype, shape, data: decodeValues(view, headerLength, count, type.dtype) } as IdxArray;
}

/**
 * Serialises an array to IDX bytes (uncompressed), the inverse of {@link parseIdx}.
 * Used to write the embedded dataset and test fixtures.
 */
export function encodeIdx(array: IdxArray): Uint8Array {
  const type = IDX_TYPES.find((t) => t.dtype === array.dtype)!;
  const rank = array.shape.length;
  if (rank < 1 || rank > 255) {
    throw new Error(`encodeIdx: an IDX file holds 1 to 255 dimensions, got shape [${array.shape.join(', ')}]`);
  }
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) {
    throw new Error(
      `encodeIdx: shape [${array.shape.join(', ')}] holds ${count} values, but data has ${array.data.length}`,
    );
  }
  const headerLength = 4 + 4 * rank;
  const bytes = new Uint8Array(headerLength + count * type.bytesPerValue);
  const view = new DataView(bytes.buffer);
  bytes[2] = type.code;
  bytes[3] = rank;
  array.shape.forEach((size, axis) => {
    if (!Number.isInteger(size) || size < 0 || size > MAX_DIMENSION) {
      throw new Error(`encodeIdx: dimension ${axis} is ${size}, expected an integer in 0..${MAX_DIMENSION}`);
    }
    view.setUint32(4 + 4 * axis, size, false);
  });
  encodeValues(view, headerLength, array);
  return bytes;
}

function decodeValues(view: DataView, offset: number, count: number, dtype: IdxDtype): IdxArray['data'] {
  switch (dtype) {
    case 'uint8':
      // Copy rather than view, so the result does not pin the (possibly much larger) file buffer.
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

function encodeValues(view: DataView, offset: number, array: IdxArray): void {
  const { data } = array;
  switch (array.dtype) {
    case 'uint8':
    case 'int8':
      // Typed-array set wraps int8 values modulo 256, which is exactly their two's-complement byte.
      new Uint8Array(view.buffer, offset, data.length).set(data);
      return;
    case 'int16':
      for (let i = 0; i < data.length; i++) view.setInt16(offset + 2 * i, data[i]!, false);
      return;
    case 'int32':
      for (let i = 0; i < data.length; i++) view.setInt32(offset + 4 * i, data[i]!, false);
      return;
    case 'float32':
      for (let i = 0; i < data.length; i++) view.setFloat32(offset + 4 * i, data[i]!, false);
      return;
    case 'float64':
      for (let i = 0; i < data.length; i++) view.setFloat64(offset + 8 * i, data[i]!, false);
      return;
  }
}

function describePayload(shape: number[], type: IdxTypeInfo, bytes: number): string {
  const dims = shape.join('x');
  if (type.bytesPerValue === 1) return `${dims} = ${bytes} bytes`;
  const count = shape.reduce((a, b) => a * b, 1);
  return `${dims} = ${count} ${type.dtype} values = ${bytes} bytes`;
}

function hexByte(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(2, '0')}`;
}

function hexWord(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;
}
