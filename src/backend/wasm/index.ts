/**
 * Registers the WebAssembly SIMD backend as 'wasm' in Node: `setBackend('wasm')` or
 * DESCENT_BACKEND=wasm.
 *
 * The kernels load synchronously on first use (new WebAssembly.Module on bytes read from dist/wasm/)
 * and are shared by every backend object made afterwards. The build is chosen by feature detection:
 * relaxed SIMD where the engine validates it, else plain SIMD (DESCENT_WASM_VARIANT=simd|relaxed
 * overrides it, for benchmarks). GEMMs are split across DESCENT_THREADS threads (default: every core;
 * 1 runs the single-threaded build with no workers at all), or the count given to
 * `configureWasmBackend({ threads })`. Without WebAssembly SIMD, setBackend('wasm') throws and the
 * current backend stays as it was.
 *
 * A browser build imports ./load.ts instead and calls `registerWasmBackend({ read })` with bytes it
 * fetched.
 */
import { availableParallelism } from 'node:os';

import { registerWasmBackend } from './load.js';
import { readWasmKernelBytes } from './node.js';
import { createGemmPool } from './threads.js';

export { createWasmBackend, type WasmBackendOptions } from './backend.js';
export { detectWasmFeatures, type WasmFeatures } from './features.js';
export { WasmKernels, type WasmVariant } from './kernels.js';
export {
  chooseWasmVariant,
  configureWasmBackend,
  loadWasmKernels,
  registerWasmBackend,
  sharedWasmKernels,
  type WasmBuild,
} from './load.js';
export { readWasmKernelBytes } from './node.js';
export { createGemmPool } from './threads.js';

/** The thread count from DESCENT_THREADS (a positive integer), else every core. */
export function threadsFromEnv(value: string | undefined, cores: number): number {
  if (value === undefined || value === '') return Math.max(1, cores);
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`wasm backend: DESCENT_THREADS='${value}' is not a positive integer`);
  }
  return n;
}

registerWasmBackend({
  read: readWasmKernelBytes,
  createPool: createGemmPool,
  variant: process.env.DESCENT_WASM_VARIANT,
  // Read when the kernels load, so that a bad value fails setBackend('wasm') rather than the import.
  threads: () => threadsFromEnv(process.env.DESCENT_THREADS, availableParallelism()),
});
