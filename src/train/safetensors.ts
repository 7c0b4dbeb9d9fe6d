/**
 * The safetensors format (Hugging Face, https://huggingface.co/docs/safetensors), written and read
 * with strict validation. Browser-safe: bytes in, bytes out; the file functions are in checkpoint.ts.
 *
 * Layout of a file:
 *
 *     [8 bytes]  N, the header length: an unsigned 64-bit little-endian integer
 *     [N bytes]  the header: UTF-8 JSON, an object; may end in spaces (0x20) as padding
 *     [rest]     the byte buffer: every tensor's data, row-major, little-endian
 *
 * The header maps each tensor name to `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}`
 * (offsets into the byte buffer, end exclusive) and may hold `"__metadata__"`, a string-to-string map.
 * The tensors must tile the byte buffer exactly: sorted by offset they are contiguous from 0 to its
 * end, with no hole and no overlap, and each spans shape × dtype size bytes. These are the checks of
 * the reference (Rust) implementation, which PyTorch's `safetensors.torch.load_file` runs.
 *
 * A name given twice in the header keeps its last entry (as JSON.parse does);
 * the forgotten entry's bytes then form a hole, which the tiling check rejects unless both entries
 * were identical.
 *
 * Names are PyTorch's dotted state-dict names (`0.weight`, `layers.2.bias`), so
 * `model.load_state_dict(safetensors.torch.load_file(path))` in PyTorch loads what `Module.stateDict()`
 * saved here.
 */
import { Tensor } from '../tensor/tensor.js';
import type { DType, TypedArray } from '../tensor/dtype.js';

/** The element types safetensors defines, with their sizes in bytes. */
export const SAFETENSORS_DTYPES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
} as const;

export type SafetensorsDType = keyof typeof SAFETENSORS_DTYPES;

/** The reference implementation's limit on the header length (100 MB). */
export const MAX_HEADER_LENGTH = 100_000_000;

/** One tensor's entry in the header. */
export interface SafetensorsEntry {
  dtype: SafetensorsDType;
  shape: number[];
  /** [begin, end) in the byte buffer. */
  dataOffsets: [number, number];
}

/** A parsed header: the entries in header order, the metadata, and where the byte buffer starts. */
export interface SafetensorsHeader {
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string> | null;
  /** N: the header's length in bytes. */
  headerLength: number;
  /** 8 + N: the file offset of the byte buffer. */
  dataStart: number;
}

/** A corrupt or unreadable safetensors file: `file` names it and `problem` says what is wrong. */
export class SafetensorsError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'SafetensorsError';
  }
}

const DTYPE_TO_SAFETENSORS: Record<DType, SafetensorsDType> = {
  float32: 'F32',
  float64: 'F64',
  int32: 'I32',
  bool: 'BOOL',
};

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The bytes of a typed array in little-endian order (a copy). */
function littleEndianBytes(data: TypedArray): Uint8Array {
  const bytes = new Uint8Array(data.byteLength);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const size = data.BYTES_PER_ELEMENT;
  if (!LITTLE_ENDIAN && size > 1) {
    for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  }
  return bytes;
}

/**
 * Serialises named tensors (e.g. `model.stateDict()`) and optional string metadata. Tensors are laid
 * out by decreasing element size and then by name, as the reference writer does, and the header is
 * padded with spaces to a multiple of 8 bytes, so every tensor's data is aligned to its element size.
 *
 * @example
 * const bytes = serializeSafetensors(model.stateDict(), { format: 'pt' });
 */
export function serializeSafetensors(
  tensors: Readonly<Record<string, Tensor>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const names = Object.keys(tensors);
  for (const name of names) {
    if (!(tensors[name] instanceof Tensor))
      throw new TypeError(`serializeSafetensors: '${name}' is not a Tensor`);
    if (name === '__metadata__') throw new RangeError(`serializeSafetensors: '__metadata__' is reserved`);
  }
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new TypeError(`serializeSafetensors: metadata '${k}' must be a string, got ${typeof v}`);
    }
  }
  const order = [...names].sort((a, b) => {
    const sa = tensors[a]!._data.BYTES_PER_ELEMENT;
    const sb = tensors[b]!._data.BYTES_PER_ELEMENT;
    return sa !== sb ? sb - sa : a < b ? -1 : a > b ? 1 : 0;
  });
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = { ...metadata };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of order) {
    const t = tensors[name]!;
    const bytes = littleEndianBytes(t._data);
    header[name] = {
      dtype: DTYPE_TO_SAFETENSORS[t.dtype],
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes.length],
    };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const quote = (name: string) => JSON.stringify(name.length > 60 ? name.slice(0, 60) + '…' : name);

/**
 * Reads and validates the header of a safetensors file. Every problem raises a `SafetensorsError`
 * naming `file`: a file shorter than 8 bytes, a header length of 0, over 100 MB or past the end of
 * the file, a header that is not UTF-8 JSON or not an object, non-string metadata, an entry with a
 * missing, unknown or malformed field, an unknown dtype, a shape × dtype size that differs from the
 * entry's byte length, or entries that do not tile the byte buffer exactly.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, file: string): SafetensorsHeader {
  const fail = (problem: string): never => {
    throw new SafetensorsError(file, problem);
  };
  if (bytes.length < 8)
    fail(`not a safetensors file: ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  const available = bytes.length - 8;
  if (declared < 2n) fail(`corrupt header: the header length is ${declared}; a header holds at least '{}'`);
  if (declared > BigInt(MAX_HEADER_LENGTH)) {
    fail(`corrupt header: the header length ${declared} exceeds the limit of ${MAX_HEADER_LENGTH} bytes`);
  }
  const headerLength = Number(declared);
  if (headerLength > available) {
    fail(
      `truncated or corrupt: the header length is ${headerLength} bytes but only ${available} bytes follow it`,
    );
  }
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    fail('corrupt header: it is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`corrupt header: it must be a JSON object starting with '{'`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(`corrupt header: invalid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(parsed)) fail('corrupt header: the JSON is not an object');
  const header = parsed as Record<string, unknown>;
  const dataLength = available - headerLength;

  let metadata: Record<string, string> | null = null;
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isPlainObject(raw)) fail('corrupt header: __metadata__ must be an object of strings');
      const meta = raw as Record<string, unknown>;
      for (const [k, v] of Object.entries(meta)) {
        if (typeof v !== 'string') fail(`corrupt header: __metadata__ ${quote(k)} is not a string`);
      }
      metadata = { ...(meta as Record<string, string>) };
      continue;
    }
    const where = `tensor ${quote(name)}`;
    if (!isPlainObject(raw)) fail(`corrupt header: ${where} is not an object {dtype, shape, data_offsets}`);
    const info = raw as Record<string, unknown>;
    for (const key of Object.keys(info)) {
      if (key !== 'dtype' && key !== 'shape' && key !== 'data_offsets')
        fail(`corrupt header: ${where} has an unknown field ${quote(key)}`);
    }
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== 'string' || !Object.hasOwn(SAFETENSORS_DTYPES, dtype)) {
      fail(
        `corrupt header: ${where} has an unknown dtype ${typeof dtype === 'string' ? quote(dtype) : String(dtype)}; ` +
          `expected one of ${Object.keys(SAFETENSORS_DTYPES).join(', ')}`,
      );
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`corrupt header: ${where} has a shape that is not a list of non-negative integers`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
    ) {
      fail(`corrupt header: ${where} has data_offsets that are not two non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) fail(`corrupt header: ${where} has data_offsets [${begin}, ${end}] that run backwards`);
    if (end > dataLength) {
      fail(
        `truncated or corrupt: ${where} ends at byte ${end} of the data but the file holds ${dataLength} data bytes`,
      );
    }
    let bytesNeeded = SAFETENSORS_DTYPES[dtype as SafetensorsDType] as number;
    for (const d of shape as number[]) {
      bytesNeeded *= d;
      if (!Number.isSafeInteger(bytesNeeded)) fail(`corrupt header: ${where} has a shape too large to hold`);
    }
    if (bytesNeeded !== end - begin) {
      fail(
        `corrupt header: ${where} is ${dtype} of shape [${(shape as number[]).join(', ')}], ` +
          `${bytesNeeded} bytes, but its data_offsets span ${end - begin} bytes`,
      );
    }
    entries.set(name, {
      dtype: dtype as SafetensorsDType,
      shape: [...(shape as number[])],
      dataOffsets: [begin, end],
    });
  }
  // The entries must tile the byte buffer: contiguous from 0, no hole, no overlap, nothing after.
  const sorted = [...entries].sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0]);
  let expected = 0;
  for (const [name, entry] of sorted) {
    const [begin, end] = entry.dataOffsets;
    if (begin !== expected) {
      fail(
        begin < expected
          ? `corrupt header: tensor ${quote(name)} at bytes [${begin}, ${end}) overlaps the tensor before it`
          : `corrupt header: the data has a hole: bytes [${expected}, ${begin}) belong to no tensor`,
      );
    }
    expected = end;
  }
  if (expected !== dataLength) {
    fail(
      `corrupt or has trailing bytes: the tensors cover ${expected} bytes of data but the file holds ${dataLength}`,
    );
  }
  return { entries, metadata, headerLength, dataStart: 8 + headerLength };
}

/** Reads `count` elements of `size` bytes from little-endian `bytes` into a fresh, aligned buffer. */
function alignedCopy(bytes: Uint8Array, size: number): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (!LITTLE_ENDIAN && size > 1) {
    for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
  }
  return copy.buffer;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * One entry's data as a Descent tensor: F32, F64, I32 and BOOL as they are; F16 and BF16 widened to
 * float32 (exactly); U8, I8, I16, U16, U32, I64 and U64 as int32 when every value fits. Raises a
 * `SafetensorsError` for FP8 or an integer out of int32 range, or a BOOL byte other than 0 or 1.
 */
function entryToTensor(bytes: Uint8Array, entry: SafetensorsEntry, name: string, file: string): Tensor {
  const fail = (problem: string): never => {
    throw new SafetensorsError(file, `tensor ${quote(name)}: ${problem}`);
  };
  const [begin, end] = entry.dataOffsets;
  const raw = bytes.subarray(begin, end);
  const size = SAFETENSORS_DTYPES[entry.dtype];
  const count = raw.length / size;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  let data: TypedArray;
  switch (entry.dtype) {
    case 'F32':
      data = new Float32Array(alignedCopy(raw, 4));
      break;
    case 'F64':
      data = new Float64Array(alignedCopy(raw, 8));
      break;
    case 'I32':
      data = new Int32Array(alignedCopy(raw, 4));
      break;
    case 'BOOL': {
      data = new Uint8Array(raw);
      const bad = data.findIndex((v) => v > 1);
      if (bad >= 0) fail(`BOOL element ${bad} is the byte ${data[bad]}, not 0 or 1`);
      break;
    }
    case 'F16':
      data = Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(2 * i, true)));
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const word = new DataView(new ArrayBuffer(4));
      data = Float32Array.from({ length: count }, (_, i) => {
        word.setUint32(0, view.getUint16(2 * i, true) << 16);
        return word.getFloat32(0);
      });
      break;
    }
    case 'U8':
    case 'I8':
    case 'I16':
    case 'U16':
    case 'U32':
    case 'I64':
    case 'U64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const at = i * size;
        const value =
          entry.dtype === 'U8'
            ? view.getUint8(at)
            : entry.dtype === 'I8'
              ? view.getInt8(at)
              : entry.dtype === 'I16'
                ? view.getInt16(at, true)
                : entry.dtype === 'U16'
                  ? view.getUint16(at, true)
                  : entry.dtype === 'U32'
                    ? view.getUint32(at, true)
                    : entry.dtype === 'I64'
                      ? Number(view.getBigInt64(at, true))
                      : Number(view.getBigUint64(at, true));
        if (value < -(2 ** 31) || value >= 2 ** 31)
          fail(`${entry.dtype} element ${i} (${value}) does not fit in int32`);
        out[i] = value;
      }
      data = out;
      break;
    }
    default:
      return fail(`dtype ${entry.dtype} is valid safetensors but Descent has no tensor type for it`);
  }
  return new Tensor(data, entry.shape);
}

/** A loaded file: tensors by name, in header order, and its metadata (null when it has none). */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string> | null;
}

/**
 * Parses a whole safetensors file after validating it (see `parseSafetensorsHeader`). Any problem,
 * including one this code did not foresee, raises a `SafetensorsError` naming `file`.
 *
 * @example
 * const { tensors } = deserializeSafetensors(readFileSync(path), path);
 * model.loadStateDict(tensors);
 */
export function deserializeSafetensors(bytes: Uint8Array, file = '<bytes>'): SafetensorsContents {
  try {
    const header = parseSafetensorsHeader(bytes, file);
    const data = bytes.subarray(header.dataStart);
    const tensors: Record<string, Tensor> = {};
    for (const [name, entry] of header.entries) tensors[name] = entryToTensor(data, entry, name, file);
    return { tensors, metadata: header.metadata };
  } catch (error) {
    if (error instanceof SafetensorsError) throw error;
    throw new SafetensorsError(file, `unreadable: ${(error as Error).message}`);
  }
}

/** The safetensors dtype a Descent dtype is saved as. */
export function safetensorsDType(dtype: DType): SafetensorsDType {
  return DTYPE_TO_SAFETENSORS[dtype];
}
