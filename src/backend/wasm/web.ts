/**
 * The wasm backend in a browser (or any engine with fetch and Web Workers): fetches the build of the
 * kernels this engine supports and registers 'wasm', with Web Workers as the threads where the page
 * is cross-origin isolated (served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`, as `descent serve` does), which is what makes
 * SharedArrayBuffer and a shared WebAssembly memory available. Elsewhere it runs on one thread.
 *
 * The caller of a threaded backend waits for its workers; a page's main thread may not block, so
 * there it polls, and the better place for training is a worker (the playground trains in one).
 *
 * @example
 * // in a module worker, with the .wasm files of dist/wasm served from /wasm/
 * const { variant, threads } = await loadWasmBackend({ baseUrl: new URL('/wasm/', location.href) });
 * setBackend('wasm');
 */
import { detectWasmFeatures } from './features.js';
import type { GemmPool, WasmKernels, WasmVariant } from './kernels.js';
import { chooseWasmVariant, registerWasmBackend, type WasmBuild } from './load.js';
import { createWorkerPool, WORKER_BODY } from './worker-pool.js';

export interface LoadWasmBackendOptions {
  /** The folder the builds are served from (descent-simd.wasm, descent-simd-threads.wasm, ...). */
  baseUrl: string | URL;
  /**
   * Threads, the caller included. Default: every core (navigator.hardwareConcurrency) where threads
   * are possible, else 1. More than 1 where they are not possible is an error.
   */
  threads?: number;
  /** 'relaxed' or 'simd' instead of the best the engine validates. */
  variant?: WasmVariant;
}

export interface LoadedWasmBackend {
  variant: WasmVariant;
  threads: number;
}

/** Whether this context can share memory with workers (SharedArrayBuffer, cross-origin isolation). */
export function wasmThreadsPossible(): boolean {
  const scope = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  return typeof SharedArrayBuffer === 'function' && scope.crossOriginIsolated === true && !!scope.Worker;
}

/** Fetches the kernels and registers 'wasm' (then `setBackend('wasm')` selects it). */
export async function loadWasmBackend(options: LoadWasmBackendOptions): Promise<LoadedWasmBackend> {
  const variant = chooseWasmVariant(detectWasmFeatures(), options.variant);
  const possible = wasmThreadsPossible();
  const threads = options.threads ?? (possible ? Math.max(1, navigator.hardwareConcurrency || 1) : 1);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`loadWasmBackend: threads must be a positive integer, got ${threads}`);
  }
  if (threads > 1 && !possible) {
    throw new Error(
      `loadWasmBackend: ${threads} threads need SharedArrayBuffer and a cross-origin isolated page ` +
        '(Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp)',
    );
  }
  const build: WasmBuild = threads > 1 ? `${variant}-threads` : variant;
  const url = new URL(`descent-${build}.wasm`, options.baseUrl);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`loadWasmBackend: ${url.href}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  registerWasmBackend({
    read: (wanted) => {
      if (wanted !== build) throw new Error(`loadWasmBackend: the ${wanted} build was not fetched`);
      return bytes;
    },
    threads,
    variant,
    createPool: createWebWorkerPool,
  });
  return { variant, threads };
}

/** A pool of `threads − 1` Web Workers on the kernels' shared memory (the caller is thread 0). */
export function createWebWorkerPool(
  module: WebAssembly.Module,
  kernels: WasmKernels,
  threads: number,
): GemmPool {
  const source = `${WORKER_BODY}\nself.onmessage = (event) => runWorker(event.data);\n`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  return createWorkerPool(module, kernels, threads, (start, onFailure) => {
    const worker = new Worker(url);
    worker.onerror = (event) => onFailure(new Error(event.message || 'a wasm Web Worker failed'));
    worker.postMessage(start);
    return { stop: () => worker.terminate() };
  });
}
