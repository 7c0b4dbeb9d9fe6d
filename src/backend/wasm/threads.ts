/**
 * The wasm backend's thread pool in Node: ./worker-pool.ts's workers as worker_threads, started from
 * source. Workers are unref'd: they never keep a process alive.
 */
import { Worker } from 'node:worker_threads';

import type { GemmPool, WasmKernels } from './kernels.js';
import { createWorkerPool, WORKER_BODY, type WorkerStart } from './worker-pool.js';

/** The worker, as source evaluated by Node (CommonJS). */
const WORKER_SOURCE = `${WORKER_BODY}
runWorker(require('node:worker_threads').workerData);
`;

/** A pool of `threads − 1` worker_threads on the kernels' shared memory (the caller is thread 0). */
export function createGemmPool(module: WebAssembly.Module, kernels: WasmKernels, threads: number): GemmPool {
  return createWorkerPool(module, kernels, threads, (start: WorkerStart, onFailure) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: start });
    worker.on('error', (e: Error) => onFailure(e));
    worker.on('exit', () => onFailure(new Error('a wasm worker thread exited')));
    worker.unref();
    // The pool's STOP ends the worker's loop; the worker then exits by itself.
    return { stop: () => {} };
  });
}
