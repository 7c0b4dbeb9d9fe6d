/**
 * GEMM and convolution across worker threads over one shared WebAssembly memory, free of any
 * platform API: each worker instantiates the threaded build of the kernels on that memory, and the
 * caller and the workers each compute a band of rows of C with their own packing workspace, or their
 * share of a convolution's images or a pooling's planes (wasm/conv-batch.ts). Jobs are posted through
 * a small shared control block and Atomics.wait/notify, so a dispatch costs microseconds and the
 * caller stays synchronous. How a worker starts is the platform's: ./threads.ts (Node's
 * worker_threads) and ./web-workers.ts (Web Workers) pass `spawn`.
 *
 * A browser's main thread may not block: there the caller polls the control block instead of
 * waiting on it (the playground runs Descent in a worker, where it may).
 */
import type { GemmJob, GemmPool, WasmKernels } from './kernels.js';

// The control block, as Int32 slots.
const GEN = 0; // bumped to post a job
const DONE = 1; // workers finished with the current job
const READY = 2; // workers started
const STOP = 3;
const FAILED = 4;
const JOB = 5; // a, b, c, m, k, n, transA, transB, batch, strideA, strideB, perThread
// 0: the GEMM above split by rows; 2: split by columns; 1: a convolution job (wasm/conv-batch.ts) at
// address JOB[0].
const KIND = JOB + 12;
const SLOTS = KIND + 1;

/** What a worker receives to start: the module, the shared memory, the control block, its index and workspace. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
  work: number;
}

/**
 * The body of a worker, as source: `function runWorker(start)` never returns (it serves jobs until
 * STOP). The same slot numbers as above; a platform wraps it with how the worker gets `start`.
 */
export const WORKER_BODY = `
function runWorker({ module, memory, control, index, work }) {
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctl = new Int32Array(control);
  let seen = Atomics.load(ctl, ${GEN});
  Atomics.add(ctl, ${READY}, 1);
  Atomics.notify(ctl, ${READY});
  for (;;) {
    Atomics.wait(ctl, ${GEN}, seen);
    seen = Atomics.load(ctl, ${GEN});
    if (Atomics.load(ctl, ${STOP})) break;
    const [a, b, c, m, kk, n, ta, tb, batch, sa, sb, per] = ctl.subarray(${JOB}, ${JOB + 12});
    const kind = Atomics.load(ctl, ${KIND});
    const s0 = index * per;
    const s1 = Math.min(kind === 2 ? n : m, s0 + per);
    try {
      if (kind === 1) k.convThread(a, index);
      else {
        const gemm = kind === 2 ? k.sgemmCols : k.sgemm;
        for (let p = 0; p < batch && s0 < s1; p++) {
          gemm(a + 4 * p * sa, b + 4 * p * sb, c + 4 * p * m * n, m, kk, n, ta, tb, s0, s1, work);
        }
      }
    } catch {
      Atomics.store(ctl, ${FAILED}, 1);
    }
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
}
`;

/** Starts one worker with `start`; `onFailure` is to be called if it errors or exits. */
export type SpawnWorker = (start: WorkerStart, onFailure: (error: Error) => void) => { stop(): void };

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** A pool of `threads − 1` workers on the kernels' shared memory (the caller is thread 0). */
export function createWorkerPool(
  module: WebAssembly.Module,
  kernels: WasmKernels,
  threads: number,
  spawn: SpawnWorker,
): GemmPool {
  const control = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  let broken: Error | null = null;
  const workers: { stop(): void }[] = [];
  for (let index = 1; index < threads; index++) {
    const start = {
      module,
      memory: kernels.memory,
      control: control.buffer as SharedArrayBuffer,
      index,
      work: kernels.gemmWork + index * kernels.gemmWorkBytes,
    };
    workers.push(spawn(start, (e) => (broken ??= e)));
  }
  const helpers = workers.length;
  const blocking = canBlock();
  /** Waits while control[slot] is `value`: blocking where allowed, else polling (at most `ms`). */
  const waitWhile = (slot: number, value: number, ms: number) => {
    if (blocking) return void Atomics.wait(control, slot, value, ms);
    const until = performance.now() + ms;
    while (Atomics.load(control, slot) === value && performance.now() < until);
  };
  const ready = () => !broken && Atomics.load(control, READY) >= helpers;
  /** Posts the job in the control block to the workers, runs the caller's share, waits for theirs. */
  const dispatch = (own: () => void) => {
    Atomics.store(control, DONE, 0);
    Atomics.add(control, GEN, 1);
    Atomics.notify(control, GEN);
    own();
    for (let done = Atomics.load(control, DONE); done < helpers; done = Atomics.load(control, DONE)) {
      if (broken) throw new Error(`wasm backend: ${(broken as Error).message}`);
      waitWhile(DONE, done, 100);
    }
    if (Atomics.exchange(control, FAILED, 0)) throw new Error('wasm backend: a worker thread failed');
  };

  return {
    threads,
    run(
      job: GemmJob,
      perThread: number,
      own: (start: number, end: number) => void,
      byColumns = false,
    ): boolean {
      // Until every worker has started (or if one has died), the caller runs the job alone.
      if (!ready()) return false;
      const { a, b, c, m, k, n, transA, transB, batch, strideA, strideB } = job;
      const kind = byColumns ? 2 : 0;
      control.set(
        [a, b, c, m, k, n, transA ? 1 : 0, transB ? 1 : 0, batch, strideA, strideB, perThread, kind],
        JOB,
      );
      dispatch(() => own(0, Math.min(byColumns ? n : m, perThread)));
      return true;
    },
    runConv(job: number, own: () => void): boolean {
      if (!ready()) return false;
      control[JOB] = job;
      control[KIND] = 1;
      dispatch(own);
      return true;
    },
    ready,
    waitUntilReady(timeoutMs: number): boolean {
      const deadline = performance.now() + timeoutMs;
      for (
        let started = Atomics.load(control, READY);
        started < helpers;
        started = Atomics.load(control, READY)
      ) {
        const left = deadline - performance.now();
        if (broken || left <= 0) return false;
        waitWhile(READY, started, Math.min(left, 100));
      }
      return !broken;
    },
    close(): void {
      Atomics.store(control, STOP, 1);
      Atomics.add(control, GEN, 1);
      Atomics.notify(control, GEN);
      for (const w of workers) w.stop();
    },
  };
}
