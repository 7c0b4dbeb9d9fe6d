/**
 * Where one training step's time goes: runs the bench's CNN and MLP (Adam, batch 128) on random
 * Fashion-MNIST-shaped data and times, per step, the whole step and every backend primitive it calls
 * (each primitive wrapped in a timer, keyed by its name and, for matmul and the sliding-window
 * kernels, its shape). The time outside the primitives is autograd, tensor bookkeeping and
 * allocation.
 *
 *     node --import tsx bench/profile-step.ts [--backend wasm] [--model cnn|mlp|both] [--steps 10] [--plain] [--no-pool]
 *
 * --plain times the steps without the wrappers (for step times to compare before and after a change).
 * --no-pool turns off buffer recycling (src/backend/pool.ts: dead gradients, activations, optimizer
 * temporaries), to see what it saves.
 * DESCENT_THREADS sets the wasm backend's threads, as everywhere.
 */
import { performance } from 'node:perf_hooks';

import { getBackend, manualSeed, nn, optim, randn, setBackend, tensor, type Tensor } from '../src/index.js';
import '../src/backend/wasm/index.js';
import { setPooling } from '../src/backend/pool.js';

type Module = InstanceType<typeof nn.Module>;

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

const backendName = flag('backend', 'wasm');
const which = flag('model', 'both');
const steps = Number(flag('steps', '10'));
const plain = process.argv.includes('--plain');
const BATCH = 128;

function buildCnn(): Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(3136, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}

/** Primitive name (with shape detail) → [total ms, calls] in the current step. */
const timings = new Map<string, [number, number]>();
/** Primitive name → its per-step [ms, calls], one entry per step. */
const perStep = new Map<string, [number, number][]>();

function key(name: string, args: unknown[]): string {
  if (name === 'matmul') {
    const s = args[3] as { batch: number; m: number; k: number; n: number; transA: boolean; transB: boolean };
    return `matmul ${s.batch}x[${s.m}x${s.k}x${s.n}]${s.transA ? ' tA' : ''}${s.transB ? ' tB' : ''}`;
  }
  if (name === 'im2col' || name === 'col2im') {
    const s = args[1] as {
      batch: number;
      channels: number;
      height: number;
      kernelH: number;
      padValue?: number;
    };
    return `${name} ${s.batch}x${s.channels}x${s.height}² k${s.kernelH}${s.padValue === -Infinity ? ' -inf' : ''}`;
  }
  if (name === 'unary' || name === 'binary' || name === 'reduce' || name === 'argReduce') {
    const size = (args[1] as { length: number }).length;
    return `${name} ${String(args[0])} ${size}`;
  }
  if (
    name === 'conv2d' ||
    name === 'conv2dInputGrad' ||
    name === 'conv2dWeightGrad' ||
    name === 'maxPool2d'
  ) {
    const s = args[name === 'conv2d' ? 3 : name === 'maxPool2d' ? 1 : 2] as {
      batch: number;
      channels: number;
      height: number;
    };
    return `${name} ${s.batch}x${s.channels}x${s.height}²`;
  }
  if (name === 'allocate') return 'allocate';
  return name;
}

function instrument(): void {
  const backend = getBackend() as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(backend)) {
    if (typeof value !== 'function') continue;
    const fn = value as (...args: unknown[]) => unknown;
    backend[name] = (...args: unknown[]) => {
      const start = performance.now();
      const result = fn(...args);
      const k = key(name, args);
      const entry = timings.get(k) ?? [0, 0];
      entry[0] += performance.now() - start;
      entry[1]++;
      timings.set(k, entry);
      return result;
    };
  }
}

function profile(label: string, model: Module, input: Tensor, labels: Tensor): void {
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const step = () => {
    optimizer.zeroGrad();
    const loss = nn.crossEntropy(model.forward(input), labels);
    loss.backward();
    optimizer.step();
  };
  for (let i = 0; i < 3; i++) step(); // warm-up: JIT, wasm memory growth
  timings.clear();
  perStep.clear();
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    step();
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / 1000);
    times.push(performance.now() - start);
    for (const [name, entry] of timings) perStep.set(name, [...(perStep.get(name) ?? []), entry]);
    timings.clear();
  }
  const total = times.reduce((a, b) => a + b, 0);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  // On a loaded machine the wall time includes waiting for a core; the CPU time (this process's
  // threads, the garbage collector's included) does not.
  console.log(
    `${label} on ${backendName}: median step ${median(times).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms CPU ` +
      `(min ${Math.min(...times).toFixed(1)} wall, ${steps} steps)`,
  );
  if (plain) return;
  // Per primitive, the median and the minimum over the steps of its time in one step: the minimum is
  // the least disturbed by other processes.
  const rows = [...perStep.entries()].map(([name, entries]) => {
    const ms = entries.map(([t]) => t);
    return { name, median: median(ms), min: Math.min(...ms), calls: entries[0]![1] };
  });
  rows.sort((a, b) => b.median - a.median);
  const inPrimitives = rows.reduce((sum, r) => sum + r.median, 0);
  console.log(
    `  outside primitives (autograd, bookkeeping): ${(median(times) - inPrimitives).toFixed(1)} ms/step`,
  );
  console.log('    median      min  share  calls  primitive');
  for (const r of rows.slice(0, 16)) {
    const share = ((100 * r.median) / median(times)).toFixed(1).padStart(5);
    console.log(
      `  ${r.median.toFixed(2).padStart(8)} ${r.min.toFixed(2).padStart(8)} ${share}% ${String(r.calls).padStart(5)}×  ${r.name}`,
    );
  }
  void total;
}

setBackend(backendName);
if (process.argv.includes('--no-pool')) setPooling(false);
if (!plain) instrument();
manualSeed(0);
const labels = tensor(
  Int32Array.from({ length: BATCH }, (_, i) => (i * 7) % 10),
  { dtype: 'int32' },
);
if (which === 'cnn' || which === 'both') {
  profile('CNN step', buildCnn(), randn([BATCH, 1, 28, 28]), labels);
}
if (which === 'mlp' || which === 'both') {
  profile('MLP step', nn.buildMlp([784, 256, 128, 10], 'relu'), randn([BATCH, 784]), labels);
}
process.exit(0);
