// A small seeded random generator and Fisher-Yates shuffle, so data order is reproducible from a seed.
// Kept separate from the tensor RNG on purpose: reshuffling data must not shift the stream that
// initialises weights, and vice versa.

/** A generator of uniformly distributed unsigned 32-bit integers. */
export type Uint32Generator = () => number;

/**
 * xoshiro128** (Blackman and Vigna, 2018), a fast generator with a 2^128 - 1 period, seeded by
 * running splitmix32 on `seed` to fill its 128-bit state.
 * The same seed always yields the same sequence.
 */
export function xoshiro128ss(seed: number): Uint32Generator {
  const nextSeed = splitmix32(seed);
  return xoshiro128ssFromState([nextSeed(), nextSeed(), nextSeed(), nextSeed()]);
}

/** xoshiro128** started from an explicit 128-bit state (four uint32 words, not all zero). */
export function xoshiro128ssFromState(state: readonly [number, number, number, number]): Uint32Generator {
  let [s0, s1, s2, s3] = state;
  // The all-zero state is the generator's one fixed point: it would return zeros forever.
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
}

/**
 * splitmix32: turns one 32-bit seed into a stream of well-mixed 32-bit values, to seed xoshiro
 * (a golden-ratio Weyl sequence passed through the MurmurHash3 32-bit finaliser).
 */
export function splitmix32(seed: number): Uint32Generator {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A uniform integer in `[0, n)`, without modulo bias (rejects the few draws that would cause it). */
export function randomBelow(next: Uint32Generator, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) {
    throw new Error(`randomBelow: n must be an integer in 1..2^32, got ${n}`);
  }
  const limit = 2 ** 32 - (2 ** 32 % n);
  let draw = next();
  while (draw >= limit) draw = next();
  return draw % n;
}

/** Shuffles `array` in place with Fisher-Yates driven by `next`, and returns it. */
export function shuffleInPlace<T extends { length: number; [index: number]: unknown }>(
  array: T,
  next: Uint32Generator,
): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = randomBelow(next, i + 1);
    const swap = array[i];
    array[i] = array[j];
    array[j] = swap;
  }
  return array;
}

/**
 * A permutation of `0..n-1` determined by `seed`: the same seed gives the same order.
 * For a new order each epoch, pass `seed + epoch`.
 */
export function shuffledIndices(n: number, seed: number): Int32Array {
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  return shuffleInPlace(indices, xoshiro128ss(seed));
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
