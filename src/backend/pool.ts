/**
 * Recycled buffers for the backends' `allocate`. A training step makes the same large buffers every
 * step, and on Linux a freshly allocated large typed array costs a page fault per 4 KiB page when
 * first written (glibc hands big freed blocks back to the kernel). So the buffers that autograd knows
 * to be dead (a consumed gradient that nothing else can reach, see runBackward) come back here, keyed
 * by dtype and length, and `allocate` hands them out again, zeroed as its contract says. In the
 * bench's CNN step (wasm) that is 42 of the 95 MB allocated per step (the next forward pass takes
 * them), and about 10% of the step's CPU time.
 *
 * Safety rests on provenance: only a buffer that `allocate` made during the backward pass now being
 * tracked (`trackAllocations`) can be released, so nothing made by the user or by the forward pass
 * (which user code may still hold) is ever recycled. Small buffers are never pooled (the allocator is
 * fast for them), and the pool holds at most MAX_POOL_BYTES: when a release would pass that, the free
 * lists are emptied first (their buffers go to the garbage collector).
 */
import { allocate, dtypeOf, type DType, type TypedArray } from '../tensor/dtype.js';

/** Buffers smaller than this are neither tracked nor pooled. */
export const MIN_POOLED_BYTES = 64 * 1024;
/** The most bytes the free lists hold at once. */
export const MAX_POOL_BYTES = 128 * 1024 * 1024;

const free = new Map<string, TypedArray[]>();
let pooledBytes = 0;
let enabled = true;
/** The buffers allocated during the innermost tracked backward pass. */
let born: Set<ArrayBuffer> | null = null;

const keyOf = (dtype: DType, size: number) => `${dtype}:${size}`;

/** A zero-filled buffer: a recycled one when the free list has one of this dtype and size, else a new one. */
export function pooledAllocate(dtype: DType, size: number): TypedArray {
  let array: TypedArray | undefined;
  if (pooledBytes > 0) {
    const list = free.get(keyOf(dtype, size));
    array = list?.pop();
    if (array) {
      pooledBytes -= array.byteLength;
      array.fill(0);
    }
  }
  array ??= allocate(dtype, size);
  if (born && array.byteLength >= MIN_POOLED_BYTES) born.add(array.buffer as ArrayBuffer);
  return array;
}

/**
 * Runs fn with allocations tracked; `release` inside it accepts only buffers allocated during it.
 * Nested calls track separately (an inner pass's buffers are not releasable by the outer one).
 */
export function trackAllocations<T>(fn: () => T): T {
  const outer = born;
  born = new Set();
  try {
    return fn();
  } finally {
    born = outer;
  }
}

/**
 * Hands back a buffer nothing will read or write again. Ignored unless it was allocated during the
 * tracked pass, is large enough, covers its whole ArrayBuffer and fits under the cap.
 */
export function release(array: TypedArray): void {
  const buffer = array.buffer as ArrayBuffer;
  if (!enabled || !born || !born.has(buffer)) return;
  born.delete(buffer); // released once at most
  if (array.byteOffset !== 0 || array.byteLength !== buffer.byteLength) return;
  if (array.byteLength > MAX_POOL_BYTES) return;
  // Full (of sizes that may never come back, e.g. an epoch's last, smaller batch): start afresh.
  if (pooledBytes + array.byteLength > MAX_POOL_BYTES) clearPool();
  const key = keyOf(dtypeOf(array), array.length);
  const list = free.get(key);
  if (list) list.push(array);
  else free.set(key, [array]);
  pooledBytes += array.byteLength;
}

/** The bytes now waiting in the free lists (for tests and benchmarks). */
export function poolBytes(): number {
  return pooledBytes;
}

/**
 * Turns recycling on (the default) or off; off also empties the free lists. For tests that compare
 * against fresh buffers, and for ruling the pool out when chasing a bug.
 */
export function setPooling(on: boolean): void {
  enabled = on;
  if (!on) clearPool();
}

/** @internal For tests: takes every buffer out of the free lists, as `allocate` would. */
export function takeAllPooled(): TypedArray[] {
  const all = [...free.values()].flat();
  clearPool();
  return all;
}

/** Empties the free lists (their buffers go to the garbage collector). */
export function clearPool(): void {
  free.clear();
  pooledBytes = 0;
}
