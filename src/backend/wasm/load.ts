/**
 * Loading and registering the WebAssembly backend, free of any Node API: where the bytes come from
 * (`read`), how GEMM threads start (`createPool`) and how many there are come from the caller:
 * ./index.ts in Node (files, worker_threads, DESCENT_THREADS); a browser build passes fetched bytes
 * and no pool.
 */
import { registerBackend, type Backend } from '../backend.js';
import { createWasmBackend, type WasmBackendOptions } from './backend.js';
import { detectWasmFeatures, type WasmFeatures } from './features.js';
import { WasmKernels, type GemmPool, type WasmVariant } from './kernels.js';

/** A build of the kernels: a variant, single-threaded or with a shared memory for threads. */
export type WasmBuild = WasmVariant | `${WasmVariant}-threads`;

/** Reads the bytes of one build. */
export type WasmReader = (build: WasmBuild) => BufferSource;

/** Starts threads − 1 workers sharing the kernels' memory. */
export type GemmPoolFactory = (module: WebAssembly.Module, kernels: WasmKernels, threads: number) => GemmPool;

/** The build to load: the override when given (and supported), else the best the engine validates. */
export function chooseWasmVariant(features: WasmFeatures, override?: string): WasmVariant {
  if (!features.simd) {
    throw new Error(
      "wasm backend: this JavaScript engine has no WebAssembly SIMD; use the 'js' backend (setBackend('js'))",
    );
  }
  if (override === 'simd') return 'simd';
  if (override === 'relaxed') {
    if (!features.relaxedSimd) {
      throw new Error(
        'wasm backend: DESCENT_WASM_VARIANT=relaxed, but this engine has no relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)',
      );
    }
    return 'relaxed';
  }
  if (override !== undefined && override !== '') {
    throw new Error(`wasm backend: DESCENT_WASM_VARIANT='${override}' is neither 'relaxed' nor 'simd'`);
  }
  return features.relaxedSimd ? 'relaxed' : 'simd';
}

/**
 * Loads one build of the kernels: with threads > 1 and a pool factory, the threaded build on a fresh
 * shared memory with threads − 1 workers; else the single-threaded build with its own memory.
 */
export function loadWasmKernels(
  variant: WasmVariant,
  read: WasmReader,
  threads = 1,
  createPool?: GemmPoolFactory,
): WasmKernels {
  if (threads <= 1 || !createPool || typeof SharedArrayBuffer !== 'function') {
    return new WasmKernels(new WebAssembly.Module(read(variant)), variant);
  }
  const module = new WebAssembly.Module(read(`${variant}-threads`));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  const kernels = new WasmKernels(module, variant, { memory, threads });
  kernels.setPool(createPool(module, kernels, threads));
  return kernels;
}

export interface WasmBackendSettings {
  read: WasmReader;
  /** GEMM threads, the caller included (default 1), or a function read when the kernels load. */
  threads?: number | (() => number);
  createPool?: GemmPoolFactory;
  /** Forces a variant ('relaxed' or 'simd') instead of detecting one. */
  variant?: string;
  options?: WasmBackendOptions;
}

let settings: WasmBackendSettings | null = null;
let shared: WasmKernels | null = null;

/** The kernels every 'wasm' backend object uses, loaded on first call. */
export function sharedWasmKernels(): WasmKernels {
  if (!settings) throw new Error('wasm backend: not registered (call registerWasmBackend)');
  if (!shared) {
    const variant = chooseWasmVariant(detectWasmFeatures(), settings.variant);
    const threads = typeof settings.threads === 'function' ? settings.threads() : (settings.threads ?? 1);
    shared = loadWasmKernels(variant, settings.read, threads, settings.createPool);
  }
  return shared;
}

/** Registers (or re-registers) 'wasm'; the kernels load on the first setBackend('wasm'). */
export function registerWasmBackend(next: WasmBackendSettings): void {
  settings = { ...next };
  shared?.close();
  shared = null;
  registerBackend('wasm', (): Backend => createWasmBackend(sharedWasmKernels(), settings?.options));
}

/**
 * Changes how later `setBackend('wasm')` calls load the kernels: the thread count (instead of
 * DESCENT_THREADS) and the elementwise size threshold. Backends made before keep their kernels, but
 * their GEMMs run single-threaded from then on (their workers are stopped).
 */
export function configureWasmBackend(change: { threads?: number; options?: WasmBackendOptions }): void {
  if (!settings) throw new Error('wasm backend: not registered (call registerWasmBackend)');
  if (change.threads !== undefined && (!Number.isInteger(change.threads) || change.threads < 1)) {
    throw new RangeError(`configureWasmBackend: threads must be a positive integer, got ${change.threads}`);
  }
  registerWasmBackend({ ...settings, ...change });
}
