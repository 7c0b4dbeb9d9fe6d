/**
 * The WebAssembly backend: the whole backend spec (with the default size thresholds, and with every
 * size sent through the kernels), GEMM on odd sizes in every transpose variant against the reference
 * backend for both builds of the kernels (plain SIMD and relaxed SIMD), the elementwise kernels on
 * large arrays, the registry, and a few training steps against the reference backend.
 *
 * The kernels are build outputs: this file rebuilds them first when a source is newer than the
 * .wasm (or it is missing), so it never tests a stale build.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';

import { ensureWasmBuilt } from '../../scripts/build-wasm.js';
import {
  getBackend,
  setBackend,
  type BinaryOp,
  type Im2colSpec,
  type MatmulSpec,
} from '../../src/backend/backend.js';
import {
  conv2d as referenceConv2d,
  conv2dInputGrad as referenceConv2dInputGrad,
  conv2dWeightGrad as referenceConv2dWeightGrad,
} from '../../src/backend/js/conv.js';
import { createJsBackend } from '../../src/backend/js/index.js';
import {
  chooseWasmVariant,
  createGemmPool,
  createWasmBackend,
  detectWasmFeatures,
  loadWasmKernels,
  readWasmKernelBytes,
  sharedWasmKernels,
  threadsFromEnv,
  type WasmKernels,
} from '../../src/backend/wasm/index.js';
import { describeBackendSpec } from './spec.js';

await ensureWasmBuilt((line) => console.log(`# ${line}`));

const js = createJsBackend();
const defaultKernels = sharedWasmKernels(); // chosen by detection, before any flag below changes it

// Node 20 validates relaxed SIMD only behind a V8 flag; turning it on here (this file runs in its
// own process) lets the relaxed build be tested explicitly. Where the flag is unknown, it stays off.
if (!detectWasmFeatures().relaxedSimd) setFlagsFromString('--experimental-wasm-relaxed-simd');
const relaxedAvailable = detectWasmFeatures().relaxedSimd;

/** Each build under test: both variants, single-threaded and split over three threads. */
const variants: Record<string, WasmKernels> = {
  simd: loadWasmKernels('simd', readWasmKernelBytes),
  'simd, 3 threads': loadWasmKernels('simd', readWasmKernelBytes, 3, createGemmPool),
  ...(relaxedAvailable
    ? {
        relaxed: loadWasmKernels('relaxed', readWasmKernelBytes),
        'relaxed, 3 threads': loadWasmKernels('relaxed', readWasmKernelBytes, 3, createGemmPool),
      }
    : {}),
};
for (const kernels of Object.values(variants)) assert.ok(kernels.waitForThreads(), 'the GEMM workers start');

describeBackendSpec('wasm', () => createWasmBackend(defaultKernels));
describeBackendSpec('wasm, plain SIMD, every size through the kernels', () =>
  createWasmBackend(variants.simd!, { minElements: 0 }),
);
if (variants.relaxed) {
  describeBackendSpec('wasm, relaxed SIMD, every size through the kernels', () =>
    createWasmBackend(variants.relaxed!, { minElements: 0 }),
  );
}

/** mulberry32, as in the spec. */
function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomF32(n: number, rng: () => number, low = -1, high = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = low + (high - low) * rng();
  return out;
}

/** Σ_k |op(A)[i,k]|·|op(B)[k,j]| per output element: the scale a float32 GEMM's rounding error is relative to. */
function absProduct(a: Float32Array, b: Float32Array, spec: MatmulSpec): Float64Array {
  const abs = (x: Float32Array) => Float64Array.from(x, Math.abs);
  const out = new Float64Array(spec.batch * spec.m * spec.n);
  js.matmul(abs(a), abs(b), out, spec);
  return out;
}

describe('wasm GEMM against the reference backend', () => {
  const shapes: [number, number, number, number][] = [
    // batch, m, k, n: degenerate, odd, across the KC (256) and MC blocks, across the NC (2048) block
    [1, 1, 1, 1],
    [1, 7, 13, 5],
    [1, 129, 785, 257],
    [3, 6, 9, 8],
    [2, 11, 300, 17],
    [1, 3, 5, 2100],
    [2, 4, 0, 3],
  ];
  /** Every case once, with the reference result and the error scale, shared by the builds below. */
  const cases: {
    spec: MatmulSpec;
    a: Float32Array;
    b: Float32Array;
    expected: Float32Array;
    scale: Float64Array;
  }[] = [];
  const rng = makeRng(11);
  for (const [batch, m, k, n] of shapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const [shareA, shareB] of [
          [false, false],
          [true, false],
          [false, true],
        ]) {
          if (batch === 1 && (shareA || shareB)) continue;
          const spec: MatmulSpec = {
            batch,
            m,
            k,
            n,
            transA,
            transB,
            strideA: shareA ? 0 : m * k,
            strideB: shareB ? 0 : k * n,
          };
          const a = randomF32((shareA ? 1 : batch) * m * k, rng);
          const b = randomF32((shareB ? 1 : batch) * k * n, rng);
          const expected = new Float32Array(batch * m * n);
          js.matmul(a, b, expected, spec);
          cases.push({ spec, a, b, expected, scale: absProduct(a, b, spec) });
        }
      }
    }
  }
  for (const [variant, kernels] of Object.entries(variants)) {
    it(`${variant}: every transpose variant, batches, strides 0, odd sizes (rtol 1e-4 of Σ|a||b|)`, () => {
      const wasm = createWasmBackend(kernels);
      for (const { spec, a, b, expected, scale } of cases) {
        const out = new Float32Array(expected.length).fill(123);
        wasm.matmul(a, b, out, spec);
        for (let i = 0; i < out.length; i++) {
          const err = Math.abs(out[i]! - expected[i]!);
          assert.ok(
            err <= 1e-4 * scale[i]! || err === 0,
            `${JSON.stringify(spec)}: element ${i} is ${out[i]}, expected ${expected[i]}`,
          );
        }
      }
    });
  }

  it('gives bit-identical results on every thread count', () => {
    const rng = makeRng(12);
    // Split by rows (m ≥ n) and by columns (m < n: each thread packs its own columns of B).
    for (const [m, k, n] of [
      [200, 300, 70],
      [97, 513, 130],
      [33, 250, 517],
    ]) {
      for (const transA of [false, true]) {
        const spec: MatmulSpec = { batch: 2, m, k, n, transA, transB: !transA, strideA: 0, strideB: k * n };
        const a = randomF32(m * k, rng);
        const b = randomF32(2 * k * n, rng);
        const outputs = ['simd', 'simd, 3 threads'].map((name) => {
          const out = new Float32Array(2 * m * n);
          createWasmBackend(variants[name]!).matmul(a, b, out, spec);
          return out;
        });
        assert.deepEqual(outputs[1], outputs[0], `${JSON.stringify(spec)}`);
      }
    }
    assert.equal(variants['simd, 3 threads']!.threads, 3);
  });

  it('reads the thread count from DESCENT_THREADS, defaulting to every core', () => {
    assert.equal(threadsFromEnv(undefined, 8), 8);
    assert.equal(threadsFromEnv('', 2), 2);
    assert.equal(threadsFromEnv('3', 8), 3);
    assert.throws(() => threadsFromEnv('0', 8), /DESCENT_THREADS='0' is not a positive integer/);
    assert.throws(() => threadsFromEnv('two', 8), /not a positive integer/);
  });

  it('the default build is the best one the engine validates', () => {
    const features = { webAssembly: true, simd: true, relaxedSimd: false };
    assert.equal(chooseWasmVariant(features), 'simd');
    assert.equal(chooseWasmVariant({ ...features, relaxedSimd: true }), 'relaxed');
    assert.equal(chooseWasmVariant({ ...features, relaxedSimd: true }, 'simd'), 'simd');
    assert.throws(() => chooseWasmVariant(features, 'relaxed'), /no relaxed SIMD/);
    assert.throws(() => chooseWasmVariant(features, 'avx'), /neither 'relaxed' nor 'simd'/);
    assert.throws(
      () => chooseWasmVariant({ ...features, simd: false }),
      /no WebAssembly SIMD; use the 'js' backend/,
    );
  });

  it('float64 and mixed dtypes fall back to the reference', () => {
    const wasm = createWasmBackend(variants.simd!);
    const spec: MatmulSpec = {
      batch: 1,
      m: 3,
      k: 4,
      n: 2,
      transA: false,
      transB: true,
      strideA: 12,
      strideB: 8,
    };
    const a = Float64Array.from({ length: 12 }, (_, i) => i / 7);
    const b = Float64Array.from({ length: 8 }, (_, i) => 1 - i / 3);
    const expected = new Float64Array(6);
    js.matmul(a, b, expected, spec);
    const out = new Float64Array(6);
    wasm.matmul(a, b, out, spec);
    assert.deepEqual(out, expected);
  });

  it('keeps its memory flat across repeated calls', () => {
    const kernels = variants.simd!;
    const wasm = createWasmBackend(kernels);
    const spec: MatmulSpec = {
      batch: 1,
      m: 64,
      k: 64,
      n: 64,
      transA: true,
      transB: false,
      strideA: 0,
      strideB: 0,
    };
    const a = randomF32(64 * 64, makeRng(3));
    const out = new Float32Array(64 * 64);
    wasm.matmul(a, a, out, spec);
    const bytes = kernels.memory.buffer.byteLength;
    for (let i = 0; i < 50; i++) wasm.matmul(a, a, out, spec);
    assert.equal(kernels.memory.buffer.byteLength, bytes);
  });
});

describe('wasm convolution, one image at a time', () => {
  // Big enough to be shared out between threads (batch·m·k·n ≥ 2^20), with more images than the
  // weight gradient's 8 chunks and not a multiple of the thread count.
  const BATCH = 11;
  const spec: Im2colSpec = {
    batch: BATCH, channels: 16, height: 14, width: 15, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1,
    padTop: 1, padLeft: 1, dilationH: 1, dilationW: 1, outH: 14, outW: 15,
  }; // prettier-ignore
  const outChannels = 40;
  const rng = makeRng(31);
  const x = randomF32(BATCH * 16 * 14 * 15, rng);
  const w = randomF32(outChannels * 16 * 9, rng);
  const bias = randomF32(outChannels, rng);
  const dy = randomF32(BATCH * outChannels * 14 * 15, rng);

  /** conv2d with its bias and both gradients on one backend. */
  function run(backend: ReturnType<typeof createWasmBackend>) {
    const y = new Float32Array(dy.length);
    backend.conv2d(x, w, bias, spec, 1, y);
    const dx = new Float32Array(x.length);
    backend.conv2dInputGrad(dy, w, spec, 1, dx);
    const dw = new Float32Array(w.length);
    backend.conv2dWeightGrad(x, dy, spec, 1, dw);
    return { y, dx, dw };
  }

  it('equals im2col, matmul, col2im on the same kernels bit for bit, and the float64 batch sum to its rounding', () => {
    const wasm = createWasmBackend(variants.simd!);
    const fused = run(wasm);
    // The composition the reference defines, run with the wasm backend's own matmul and reduce.
    const reference = {
      y: new Float32Array(dy.length),
      dx: new Float32Array(x.length),
      dw: new Float32Array(w.length),
    };
    referenceConv2d(wasm.matmul, x, w, bias, spec, 1, reference.y);
    referenceConv2dInputGrad(wasm.matmul, dy, w, spec, 1, reference.dx);
    referenceConv2dWeightGrad(wasm.matmul, wasm.reduce, x, dy, spec, 1, reference.dw);
    assert.deepEqual(fused.y, reference.y);
    assert.deepEqual(fused.dx, reference.dx);
    // The weight gradient sums the batch in float64 in 8 chunks, then the chunks: another order than
    // the reference's, so the two float64 sums may round to neighbouring float32s, no further apart.
    fused.dw.forEach((v, i) => {
      const r = reference.dw[i]!;
      assert.ok(Math.abs(v - r) <= Math.abs(r) * 2 ** -23, `dw[${i}]: ${v} vs the reference's ${r}`);
    });
  });

  it('gives bit-identical results on every thread count', () => {
    const one = run(createWasmBackend(variants.simd!));
    const three = run(createWasmBackend(variants['simd, 3 threads']!));
    assert.deepEqual(three.y, one.y);
    assert.deepEqual(three.dx, one.dx);
    assert.deepEqual(three.dw, one.dw);
  });

  it('max pooling shares its planes out between threads with the same result as one thread and the reference', () => {
    // 67 planes of 125×123 (over 2^20 floats, so that it is shared out; not a multiple of 3 threads).
    const pool: Im2colSpec = {
      batch: 67, channels: 1, height: 125, width: 123, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2,
      padTop: 0, padLeft: 0, dilationH: 1, dilationW: 1, outH: 62, outW: 61,
    }; // prettier-ignore
    const input = randomF32(67 * 125 * 123, makeRng(32));
    const results = [variants.simd!, variants['simd, 3 threads']!].map((v) => {
      const values = new Float32Array(67 * 62 * 61);
      const indices = new Int32Array(values.length);
      createWasmBackend(v).maxPool2d(input, pool, values, indices);
      return { values, indices };
    });
    const reference = { values: new Float32Array(67 * 62 * 61), indices: new Int32Array(67 * 62 * 61) };
    createJsBackend().maxPool2d(input, pool, reference.values, reference.indices);
    assert.deepEqual(results[1], results[0]);
    assert.deepEqual(results[0], reference);
  });
});

describe('wasm elementwise kernels against the reference backend, on large arrays', () => {
  const wasm = createWasmBackend(variants.simd!);
  const rng = makeRng(21);
  const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 1e-40, -3.5];
  const n = 4099; // not a multiple of 4: the scalar tails run too
  const withSpecials = (x: Float32Array) => (x.set(SPECIALS, 0), x);

  it('unary relu, neg, abs, sqrt equal the reference exactly (NaN included)', () => {
    const x = withSpecials(randomF32(n, rng, -4, 4));
    for (const op of ['relu', 'neg', 'abs', 'sqrt'] as const) {
      const expected = new Float32Array(n);
      js.unary(op, x, expected);
      const out = new Float32Array(n);
      wasm.unary(op, x, out);
      assert.deepEqual(out, expected, op);
    }
  });

  it('add, sub, mul, div: equal shapes, scalars on either side, rows and per-row values, in place', () => {
    const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div'];
    const rows = 37;
    const cols = 111;
    const a = withSpecials(randomF32(rows * cols, rng, -3, 3));
    // x, its shape, y, its shape, and the broadcast shape of the result
    const cases: [Float32Array, number[], Float32Array, number[], number[]][] = [
      [a, [rows, cols], randomF32(rows * cols, rng, 0.5, 2), [rows, cols], [rows, cols]],
      [a, [rows, cols], Float32Array.of(0.7), [], [rows, cols]],
      [Float32Array.of(1.5), [1], a, [rows, cols], [rows, cols]],
      [a, [rows, cols], randomF32(cols, rng, 0.5, 2), [cols], [rows, cols]],
      [a, [rows, cols], randomF32(cols, rng, 0.5, 2), [1, 1, cols], [1, rows, cols]],
      [a, [rows, cols], randomF32(rows, rng, 0.5, 2), [rows, 1], [rows, cols]],
      [a, [1, rows, cols], randomF32(rows, rng, 0.5, 2), [rows, 1], [1, rows, cols]],
      [a, [rows, cols], randomF32(rows, rng, 0.5, 2), [1, rows, 1], [1, rows, cols]],
      // a conv bias [C, 1] over [N, C, H·W] (period C), and a [1, C, 1] one
      [a, [1, 37, 3, 37], randomF32(3, rng, 0.5, 2), [3, 1], [1, 37, 3, 37]],
      [a, [37, 3, 37], randomF32(3, rng, 0.5, 2), [1, 3, 1], [37, 3, 37]],
    ];
    for (const op of ops) {
      for (const [x, xShape, y, yShape, outShape] of cases) {
        const expected = new Float32Array(rows * cols);
        js.binary(op, x, xShape, y, yShape, expected, outShape);
        const out = new Float32Array(rows * cols);
        wasm.binary(op, x, xShape, y, yShape, out, outShape);
        assert.deepEqual(out, expected, `${op} ${JSON.stringify([xShape, yShape])}`);
      }
      const inPlace = Float32Array.from(a);
      const other = randomF32(a.length, rng, 0.5, 2);
      const expected = new Float32Array(a.length);
      js.binary(op, a, [rows, cols], other, [rows, cols], expected, [rows, cols]);
      wasm.binary(op, inPlace, [rows, cols], other, [rows, cols], inPlace, [rows, cols]);
      assert.deepEqual(inPlace, expected, `${op} in place`);
    }
  });

  it('eq, ne, lt, le, gt, ge into 0/1 bytes: equal shapes and scalars on either side, NaN and ±0 included', () => {
    const a = withSpecials(randomF32(n, rng, -2, 2));
    const b = withSpecials(randomF32(n, rng, -2, 2)).reverse();
    b.set([0, 0, 1, NaN, Infinity], 0); // equal values, −0 against +0, NaN against a number, infinities
    for (const i of [100, 200, 4000]) b[i] = a[i]!;
    const scalar = Float32Array.of(a[150]!);
    for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
      for (const [x, xShape, y, yShape] of [
        [a, [n], b, [n]],
        [a, [n], scalar, []],
        [scalar, [1], a, [n]],
      ] as [Float32Array, number[], Float32Array, number[]][]) {
        const expected = new Uint8Array(n);
        js.binary(op, x, xShape, y, yShape, expected, [n]);
        const out = new Uint8Array(n).fill(7);
        wasm.binary(op, x, xShape, y, yShape, out, [n]);
        assert.deepEqual(out, expected, `${op} ${JSON.stringify([xShape, yShape])}`);
      }
    }
  });

  it('argReduce max and min: values and first-extreme indices, ties and NaN, as the reference', () => {
    for (const [outer, reduced, inner] of [
      [4096, 4, 49],
      [3, 9, 1001],
      [2, 300, 5],
      [5, 1, 7],
    ] as [number, number, number][]) {
      // A coarse grid makes ties common; a few NaN and −0/+0 pairs test the first-wins rules.
      const x = Float32Array.from({ length: outer * reduced * inner }, () => Math.floor(rng() * 4) - 2);
      for (let i = 0; i < x.length; i += 97) x[i] = NaN;
      for (let i = 5; i < x.length; i += 89) x[i] = -0;
      for (const op of ['max', 'min'] as const) {
        const expected = { values: new Float32Array(outer * inner), indices: new Int32Array(outer * inner) };
        js.argReduce(op, x, outer, reduced, inner, expected.values, expected.indices);
        const values = new Float32Array(outer * inner);
        const indices = new Int32Array(outer * inner);
        wasm.argReduce(op, x, outer, reduced, inner, values, indices);
        assert.deepEqual(indices, expected.indices, `${op} [${outer}, ${reduced}, ${inner}]: indices`);
        assert.deepEqual(values, expected.values, `${op} [${outer}, ${reduced}, ${inner}]: values`);
      }
    }
  });

  it('sum over [outer, reduced, inner] within 1e-6 of the reference (float64 accumulation)', () => {
    for (const [outer, reduced, inner] of [
      [1, 5000, 1],
      [3, 1001, 1],
      [1, 128, 256],
      [4, 33, 7],
      [2, 300, 1001],
    ] as [number, number, number][]) {
      const x = randomF32(outer * reduced * inner, rng, -1, 2);
      const expected = new Float32Array(outer * inner);
      js.reduce('sum', x, outer, reduced, inner, expected);
      const out = new Float32Array(outer * inner);
      wasm.reduce('sum', x, outer, reduced, inner, out);
      for (let i = 0; i < out.length; i++) {
        assert.ok(
          Math.abs(out[i]! - expected[i]!) <= 1e-6 * Math.abs(expected[i]!) + 1e-7,
          `sum ${outer}x${reduced}x${inner} at ${i}`,
        );
      }
    }
  });
});

const entry = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), '../../src/index.ts')).href;

function runNode(code: string, env: Record<string, string | undefined> = {}) {
  const script = `const m = await import(${JSON.stringify(entry)});\n${code}`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, DESCENT_BACKEND: undefined, DESCENT_WASM_VARIANT: undefined, ...env },
    encoding: 'utf8',
  });
}

describe("the 'wasm' backend in the registry", () => {
  after(() => setBackend('js'));

  it("setBackend('wasm') selects it, and tensor ops run on it", async () => {
    const { tensor } = await import('../../src/index.js');
    assert.equal(setBackend('wasm').name, 'wasm');
    assert.equal(getBackend().name, 'wasm');
    const x = tensor([[1, 2], [3, 4]]); // prettier-ignore
    assert.deepEqual(x.matmul(x).toArray(), [[7, 10], [15, 22]]); // prettier-ignore
  });

  it('DESCENT_BACKEND=wasm chooses it in a fresh process', () => {
    const r = runNode(
      "console.log(m.getBackend().name, m.tensor([1, 2]).add(m.tensor([3, 4])).toArray().join(','))",
      {
        DESCENT_BACKEND: 'wasm',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'wasm 4,6');
  });

  it('DESCENT_THREADS sets the GEMM threads; a bad value fails setBackend, not the import', () => {
    const wasmEntry = pathToFileURL(
      resolve(dirname(fileURLToPath(import.meta.url)), '../../src/backend/wasm/index.ts'),
    ).href;
    const code = `const w = await import(${JSON.stringify(wasmEntry)});
try { m.setBackend('wasm'); console.log(w.sharedWasmKernels().threads) } catch (e) { console.log(e.message) }`;
    for (const [threads, expected] of [
      ['1', '1'],
      ['2', '2'],
      ['0', "wasm backend: DESCENT_THREADS='0' is not a positive integer"],
    ]) {
      const r = runNode(code, { DESCENT_THREADS: threads });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), expected);
    }
  });

  it("without WebAssembly SIMD, setBackend('wasm') throws a clear error and 'js' stays", () => {
    const r = runNode(
      "try { m.setBackend('wasm'); console.log('no error') } catch (e) { console.log(e.message) }\nconsole.log(m.getBackend().name)",
      {
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import data:text/javascript,WebAssembly.validate=()=>false`,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const [message, name] = r.stdout.trim().split('\n');
    assert.match(message!, /no WebAssembly SIMD; use the 'js' backend/);
    assert.equal(name, 'js');
  });
});

describe('training on the wasm backend', () => {
  after(() => setBackend('js'));

  it('a few Adam steps of an MLP give the losses of the reference backend', async () => {
    const { Adam, manualSeed, nn, trainEpoch } = await import('../../src/index.js');
    const rng = makeRng(5);
    const batches = Array.from({ length: 3 }, () => ({
      images: randomF32(32 * 64, rng, 0, 1),
      labels: Int32Array.from({ length: 32 }, () => Math.floor(rng() * 10)),
      size: 32,
      indices: new Int32Array(32),
    }));
    const losses = (backend: string) => {
      setBackend(backend);
      manualSeed(0);
      const model = nn.buildMlp([64, 48, 24, 10]);
      const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
      return [0, 1, 2].map(() => trainEpoch(model, batches, optimizer, nn.functional.crossEntropy).loss);
    };
    const reference = losses('js');
    const wasm = losses('wasm');
    for (let i = 0; i < reference.length; i++)
      assert.ok(Math.abs(wasm[i]! - reference[i]!) < 1e-4, `epoch ${i}: ${wasm[i]} vs ${reference[i]}`);
  });
});
