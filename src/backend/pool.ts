/**
 * Recycled buffers for the backends' `allocate`. A training step makes the same large buffers every
 * step, and on Linux a freshly allocated large typed array costs a page fault per 4 KiB page when
 * first written (glibc hands big freed blocks back to the kernel). So the buffers known to be dead
 * come back here, keyed by dtype and length, and `allocate` hands them out again, zeroed as its
 * contract says: a consumed gradient that nothing else can reach (see runBackward), and an optimizer
 * step's temporaries and replaced state (see Optimizer.step). In the bench's MLP step (wasm, Adam)
 * that took the allocator's fresh memory per step from 4.2 to 0.5 MB, and the full garbage
 * collections (which external-memory pressure triggers) from one per 7 steps to one per 15.
 *
 * Safety rests on provenance: only a buffer that `allocate` made during the pass now being tracked
 * (`trackAllocations`: a backward pass, an optimizer step) can be released, so nothing made by the
 * user or by the forward pass (which user code may still hold) is ever recycled; `recycle` skips that
 * check for an owner that vouches for its own buffers (the optimizer's unread state). Small buffers
 * are never pooled (the allocator is fast for them), and the pool holds at most MAX_POOL_BYTES: when
 * a release would pass that, the free lists are emptied first (their buffers go to the garbage
 * collector).
 */
import { allocate, dtypeOf, type DType, type TypedArray } from '../tensor/dtype.js';

/** Buffers smaller than this are neither tracked nor pooled. */
export const MIN_POOLED_BYTES = 64 * 1024;
/** The most bytes the free lists hold at once. */
export const MAX_POOL_BYTES = 128 * 1024 * 1024;

const free = new Map<string, TypedArray[]>();
let pooledBytes = 0;
let enabled = true;
/** The buffers allocated during the innermost tracked pass (a backward pass or an optimizer step). */
let born: Map<ArrayBuffer, TypedArray> | null = null;

const keyOf = (dtype: DType, size: number) => `${dtype}:${size}`;

/**
 * A zero-filled buffer: a recycled one when the free list has one of this dtype and size, else a new
 * one. With `zeroed` false a recycled buffer keeps its old contents (Backend.allocateUninitialised).
 */
export function pooledAllocate(dtype: DType, size: number, zeroed = true): TypedArray {
  let array: TypedArray | undefined;
  if (pooledBytes > 0) {
    const list = free.get(keyOf(dtype, size));
    array = list?.pop();
    if (array) {
      pooledBytes -= array.byteLength;
      if (zeroed) array.fill(0);
    }
  }
  array ??= allocate(dtype, size);
  if (born && array.byteLength >= MIN_POOLED_BYTES) born.set(array.buffer as ArrayBuffer, array);
  return array;
}

/**
 * Runs fn with allocations tracked; `release` inside it accepts only buffers allocated during it.
 * Nested calls track separately (an inner pass's buffers are not releasable by the outer one).
 */
export function trackAllocations<T>(fn: () => T): T {
  const outer = born;
  born = new Map();
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
  recycle(array);
}

/** Whether `array`'s buffer was allocated during the innermost tracked pass (and not released). */
export function bornInThisPass(array: TypedArray): boolean {
  return born?.has(array.buffer as ArrayBuffer) ?? false;
}

/**
 * Hands back every buffer allocated so far during the innermost tracked pass except those in `keep`.
 * For an owner that knows everything made in the pass is dead once its results are used: the
 * optimizer's step, whose temporaries nothing outside the step can reach (see Optimizer.step).
 */
export function releaseAllExcept(keep: ReadonlySet<ArrayBuffer>): void {
  if (!born) return;
  for (const [buffer, array] of born) {
    if (keep.has(buffer)) continue;
    born.delete(buffer);
    recycle(array);
  }
}

/**
 * Puts a dead buffer on the free lists, with no provenance check: the caller vouches that nothing
 * will read or write it again (the optimizer, for its own replaced state; see Optimizer.step).
 * Ignored when pooling is off, when the buffer is small, does not cover its whole ArrayBuffer, or
 * is larger than the cap.
 */
export function recycle(array: TypedArray): void {
  const buffer = array.buffer as ArrayBuffer;
  if (!enabled || array.byteLength < MIN_POOLED_BYTES) return;
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
