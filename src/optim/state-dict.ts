/**
 * Turning optimizer state (trees of tensors, numbers, booleans, arrays and plain objects) into plain
 * JSON and back, exactly: a tensor becomes {shape, dtype, data: number[]}, and the values JSON cannot
 * hold (±Infinity, NaN, and −0, whose sign JSON drops) are written as strings in tensor data and as
 * {number: '…'} elsewhere. So `JSON.parse(JSON.stringify(dict))` restores every bit.
 */
import { tensor } from '../tensor/creation.js';
import { assertDType, type DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** A tensor in a state dict. */
export interface EncodedTensor {
  shape: number[];
  dtype: DType;
  /** Row-major values; 'Infinity', '-Infinity', 'NaN' and '-0' stand for what JSON cannot hold. */
  data: (number | string)[];
}

/** Any value in a state dict: JSON, with tensors as `EncodedTensor`. */
export type Encoded =
  | null
  | boolean
  | number
  | string
  | EncodedTensor
  | { number: string }
  | Encoded[]
  | { [key: string]: Encoded };

const SPECIAL: Record<string, number> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN, '-0': -0 };

function encodeNumber(x: number): number | string {
  if (Number.isFinite(x) && !Object.is(x, -0)) return x;
  return Object.is(x, -0) ? '-0' : String(x);
}

function decodeNumber(x: unknown, where: string): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && x in SPECIAL) return SPECIAL[x]!;
  throw new TypeError(`${where}: expected a number, got ${JSON.stringify(x)}`);
}

export function encodeTensor(t: Tensor): EncodedTensor {
  return { shape: [...t.shape], dtype: t.dtype, data: Array.from(t.toTypedArray(), encodeNumber) };
}

export function isEncodedTensor(value: unknown): value is EncodedTensor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value).sort().join(',');
  return keys === 'data,dtype,shape';
}

export function decodeTensor(value: EncodedTensor, where: string): Tensor {
  const dtype = assertDType(String(value.dtype), where);
  if (!Array.isArray(value.shape) || !Array.isArray(value.data)) {
    throw new TypeError(`${where}: a tensor needs shape and data arrays`);
  }
  const size = value.shape.reduce((n: number, d: unknown) => n * Number(d), 1);
  if (value.data.length !== size) {
    throw new RangeError(
      `${where}: a tensor of shape [${value.shape.join(', ')}] needs ${size} values, got ${value.data.length}`,
    );
  }
  const data = Float64Array.from(value.data, (x) => decodeNumber(x, where));
  return tensor(data, { shape: value.shape, dtype });
}

/** Encodes a state tree; throws on anything that cannot be saved (functions, class instances...). */
export function encodeValue(value: unknown, where: string): Encoded {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    const x = encodeNumber(value);
    return typeof x === 'number' ? x : { number: x };
  }
  if (value instanceof Tensor) return encodeTensor(value);
  if (Array.isArray(value)) return value.map((v, i) => encodeValue(v, `${where}[${i}]`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, Encoded> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeValue(v, `${where}.${k}`);
    return out;
  }
  throw new TypeError(`stateDict: ${where} is a ${typeof value} and cannot be saved`);
}

/** The inverse of `encodeValue`. */
export function decodeValue(value: unknown, where: string): unknown {
  if (
    value === null ||
    typeof value === 'boolean' ||
    typeof value === 'string' ||
    typeof value === 'number'
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => decodeValue(v, `${where}[${i}]`));
  if (typeof value === 'object') {
    if (isEncodedTensor(value)) return decodeTensor(value, where);
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'number')
      return decodeNumber((value as { number: unknown }).number, where);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = decodeValue(v, `${where}.${k}`);
    return out;
  }
  throw new TypeError(`loadStateDict: ${where} holds a ${typeof value}, which a state dict cannot contain`);
}
