import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  clamp,
  maximum,
  minimum,
  randn,
  manualSeed,
  scalar,
  tensor,
  where,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/golden.js';

const f64 = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: 'float64' });
const i32 = (values: number[], shape = [values.length]) => tensor(Int32Array.from(values), { shape });
const EXACT = { rtol: 0, atol: 0 };

/** out[idx] = op(a[bcast(idx)], b[bcast(idx)]) written out with explicit index arithmetic. */
function naiveBroadcast(
  a: Tensor,
  b: Tensor,
  op: (x: number, y: number) => number,
): { shape: number[]; data: number[] } {
  const nd = Math.max(a.ndim, b.ndim);
  const pad = (s: readonly number[]) => [...new Array<number>(nd - s.length).fill(1), ...s];
  const as = pad(a.shape);
  const bs = pad(b.shape);
  const shape = as.map((d, i) => Math.max(d, bs[i]!));
  const ad = a.toTypedArray();
  const bd = b.toTypedArray();
  const flatIndex = (idx: number[], s: number[]) =>
    idx.reduce((acc, v, d) => acc * s[d]! + (s[d] === 1 ? 0 : v), 0);
  const data: number[] = [];
  const total = shape.reduce((x, y) => x * y, 1);
  for (let f = 0; f < total; f++) {
    const idx: number[] = [];
    let rest = f;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d] = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    data.push(op(ad[flatIndex(idx, as)]!, bd[flatIndex(idx, bs)]!));
  }
  return { shape, data };
}

describe('broadcasting values', () => {
  manualSeed(11);
  const shapes: [number[], number[]][] = [
    [[2, 3, 1], [4]],
    [
      [3, 1],
      [1, 4],
    ],
    [[], [2, 3]],
    [[2, 3], []],
    [
      [5, 1, 3],
      [4, 1],
    ],
    [
      [1, 2, 1, 2],
      [3, 1, 2, 1],
    ],
    [[6], [6]],
  ];
  const ops: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
    ['add', (a, b) => a.add(b), (x, y) => x + y],
    ['sub', (a, b) => a.sub(b), (x, y) => x - y],
    ['mul', (a, b) => a.mul(b), (x, y) => x * y],
    ['div', (a, b) => a.div(b), (x, y) => x / y],
    ['pow', (a, b) => a.abs().pow(b), (x, y) => Math.abs(x) ** y],
    ['maximum', (a, b) => a.maximum(b), Math.max],
    ['minimum', (a, b) => a.minimum(b), Math.min],
    ['gt', (a, b) => a.gt(b), (x, y) => (x > y ? 1 : 0)],
    ['where', (a, b) => where(a.gt(0), a, b), (x, y) => (x > 0 ? x : y)],
  ];
  for (const [name, op, ref] of ops) {
    it(`${name} matches a hand-written loop for every shape pair`, () => {
      for (const [sa, sb] of shapes) {
        const a = randn(sa, { dtype: 'float64' });
        const b = randn(sb, { dtype: 'float64' });
        const out = op(a, b);
        const expected = naiveBroadcast(a, b, ref);
        assert.deepEqual(out.shape, expected.shape, `${name} ${JSON.stringify([sa, sb])}: shape`);
        assertClose(out, expected.data, { rtol: 1e-15, atol: 0 }, `${name} ${JSON.stringify([sa, sb])}`);
      }
    });
  }

  it('a broadcast result is the same in both operand orders for symmetric ops', () => {
    const a = randn([3, 1, 2], { dtype: 'float64' });
    const b = randn([4, 1], { dtype: 'float64' });
    assert.deepEqual(a.add(b).toArray(), b.add(a).toArray());
    assert.deepEqual(a.mul(b).shape, [3, 4, 2]);
  });

  it('JS numbers act as 0-d operands', () => {
    const x = tensor([[1, 2], [3, 4]]); // prettier-ignore
    assert.deepEqual(x.add(1).toArray(), [[2, 3], [4, 5]]); // prettier-ignore
    assert.deepEqual(x.sub(1).toArray(), [[0, 1], [2, 3]]); // prettier-ignore
    assert.deepEqual(x.mul(-2).toArray(), [[-2, -4], [-6, -8]]); // prettier-ignore
    assert.deepEqual(x.div(4).toArray(), [[0.25, 0.5], [0.75, 1]]); // prettier-ignore
    assert.deepEqual(x.pow(2).toArray(), [[1, 4], [9, 16]]); // prettier-ignore
  });
});

describe('dtype promotion', () => {
  const f32 = tensor([1, 2]);
  const d = f64([1, 2]);
  const i = i32([1, 2]);
  const b = tensor([true, false]);

  it('float32 with float64 gives float64, in either order', () => {
    assert.equal(f32.add(d).dtype, 'float64');
    assert.equal(d.mul(f32).dtype, 'float64');
    assert.equal(where(b, f32, d).dtype, 'float64');
  });

  it('int with float gives the float type', () => {
    assert.equal(i.add(f32).dtype, 'float32');
    assert.equal(i.mul(d).dtype, 'float64');
    assert.deepEqual(i.add(f32).toArray(), [2, 4]);
  });

  it('int with int stays int, except true division which gives float32', () => {
    assert.equal(i.add(i).dtype, 'int32');
    assert.equal(i.mul(i).dtype, 'int32');
    const q = i32([1, 7]).div(i32([2, 2]));
    assert.equal(q.dtype, 'float32');
    assert.deepEqual(q.toArray(), [0.5, 3.5]);
    assert.equal(i.div(2).dtype, 'float32');
  });

  it('JS numbers do not widen: float32 stays float32, int32 + an integer stays int32', () => {
    assert.equal(f32.add(0.1).dtype, 'float32');
    assert.equal(d.add(0.1).dtype, 'float64');
    assert.equal(i.add(2).dtype, 'int32');
    assert.equal(i.add(0.5).dtype, 'float32');
    assert.deepEqual(i.add(0.5).toArray(), [1.5, 2.5]);
    assert.equal(b.add(1).dtype, 'int32');
  });

  it('comparisons give bool', () => {
    for (const t of [f32, d, i, b]) {
      for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) assert.equal(t[op](1).dtype, 'bool');
    }
    assert.deepEqual(f32.lt(d.add(0.5)).toArray(), [true, true]);
    assert.deepEqual(i.eq(f32).toArray(), [true, true]);
  });

  it('float math on int tensors computes in float32', () => {
    for (const op of ['exp', 'log', 'sqrt', 'sigmoid', 'tanh', 'sin', 'erf', 'reciprocal'] as const) {
      assert.equal(i[op]().dtype, 'float32', op);
    }
    for (const op of ['neg', 'abs', 'sign', 'relu'] as const) assert.equal(i[op]().dtype, 'int32', op);
    assert.deepEqual(i32([4, 9]).sqrt().toArray(), [2, 3]);
  });

  it('to() converts between all dtypes', () => {
    assert.deepEqual(f64([1.7, -1.7, 0]).to('int32').toArray(), [1, -1, 0]);
    assert.deepEqual(f64([1.7, 0, NaN]).to('bool').toArray(), [true, false, true]);
    assert.deepEqual(b.to('float32').toArray(), [1, 0]);
    assert.equal(f64([0.1]).float().item(), Math.fround(0.1));
    assert.equal(f32.double().dtype, 'float64');
    assert.equal(f32.int().dtype, 'int32');
    assert.equal(f32.bool().dtype, 'bool');
    assert.equal(f32.to('float32'), f32, 'converting to the same dtype returns the tensor');
  });
});

describe('elementwise values', () => {
  it('unary math', () => {
    const x = f64([-2, -0.5, 0, 0.5, 2]);
    const check = (t: Tensor, f: (v: number) => number, what: string) =>
      assertClose(t, [-2, -0.5, 0, 0.5, 2].map(f), { rtol: 1e-14, atol: 1e-15 }, what);
    check(x.neg(), (v) => -v, 'neg');
    check(x.exp(), Math.exp, 'exp');
    check(x.abs(), Math.abs, 'abs');
    check(x.sign(), Math.sign, 'sign');
    check(x.sin(), Math.sin, 'sin');
    check(x.cos(), Math.cos, 'cos');
    check(x.tanh(), Math.tanh, 'tanh');
    check(x.sigmoid(), (v) => 1 / (1 + Math.exp(-v)), 'sigmoid');
    check(x.relu(), (v) => Math.max(v, 0), 'relu');
    check(x.square(), (v) => v * v, 'square');
    check(x.floor(), Math.floor, 'floor');
    check(x.ceil(), Math.ceil, 'ceil');
    check(x.erf(), (v) => ({ '-2': -0.9953222650189527, '-0.5': -0.5204998778130465, '0': 0, '0.5': 0.5204998778130465, '2': 0.9953222650189527 })[String(v)]!, 'erf'); // prettier-ignore
    const p = f64([0.25, 1, 4]);
    assertClose(p.log(), [0.25, 1, 4].map(Math.log), { rtol: 1e-15, atol: 0 }, 'log');
    assertClose(p.log1p(), [0.25, 1, 4].map(Math.log1p), { rtol: 1e-15, atol: 0 }, 'log1p');
    assertClose(p.sqrt(), [0.5, 1, 2], EXACT, 'sqrt');
    assertClose(p.rsqrt(), [2, 1, 0.5], EXACT, 'rsqrt');
    assertClose(p.reciprocal(), [4, 1, 0.25], EXACT, 'reciprocal');
  });

  it('round is half-to-even, as in PyTorch', () => {
    assert.deepEqual(
      f64([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6]).round().toArray(),
      [0, 2, 2, -0, -2, -2, 2, 3],
    );
  });

  it('sigmoid does not overflow and relu keeps NaN', () => {
    assert.deepEqual(f64([-1000, 1000]).sigmoid().toArray(), [0, 1]);
    assert.ok(Number.isNaN(f64([NaN]).relu().item()));
  });

  it('clamp with both bounds, one bound, and a bad call', () => {
    const x = f64([-3, -1, 0, 1, 3]);
    assert.deepEqual(x.clamp(-1.5, 2).toArray(), [-1.5, -1, 0, 1, 2]);
    assert.deepEqual(x.clamp(0).toArray(), [0, 0, 0, 1, 3]);
    assert.deepEqual(x.clamp(null, 0).toArray(), [-3, -1, 0, 0, 0]);
    assert.deepEqual(clamp(x, -1, 1).toArray(), [-1, -1, 0, 1, 1]);
    assert.equal(x.clamp(0, 1).dtype, 'float64');
    assert.equal(i32([1, 5]).clamp(2, 3).dtype, 'int32');
    assert.throws(() => x.clamp(), /give at least one of min and max/);
    assert.throws(() => x.clamp(2, 1), /min 2 is greater than max 1/);
  });

  it('maximum/minimum propagate NaN; the functions match the methods', () => {
    const a = f64([1, NaN, 3]);
    const b = f64([2, 0, NaN]);
    const mx = maximum(a, b).toArray() as number[];
    const mn = minimum(a, b).toArray() as number[];
    assert.equal(mx[0], 2);
    assert.ok(Number.isNaN(mx[1]!) && Number.isNaN(mx[2]!));
    assert.equal(mn[0], 1);
    assert.ok(Number.isNaN(mn[1]!) && Number.isNaN(mn[2]!));
  });

  it('comparisons and logical ops', () => {
    const a = tensor([1, 2, 3]);
    assert.deepEqual(a.eq(2).toArray(), [false, true, false]);
    assert.deepEqual(a.ne(2).toArray(), [true, false, true]);
    assert.deepEqual(a.lt(2).toArray(), [true, false, false]);
    assert.deepEqual(a.le(2).toArray(), [true, true, false]);
    assert.deepEqual(a.gt(2).toArray(), [false, false, true]);
    assert.deepEqual(a.ge(2).toArray(), [false, true, true]);
    const p = tensor([true, true, false, false]);
    const q = tensor([true, false, true, false]);
    assert.deepEqual(p.logicalAnd(q).toArray(), [true, false, false, false]);
    assert.deepEqual(p.logicalOr(q).toArray(), [true, true, true, false]);
    assert.deepEqual(p.logicalNot().toArray(), [false, false, true, true]);
    assert.deepEqual(tensor([0, 2, -1]).logicalNot().toArray(), [true, false, false]);
    assert.deepEqual(f64([1, NaN, Infinity, -Infinity]).isNaN().toArray(), [false, true, false, false]);
    assert.deepEqual(f64([1, NaN, Infinity, -Infinity]).isFinite().toArray(), [true, false, false, false]);
  });

  it('where: the function, the method, scalar branches', () => {
    const cond = tensor([true, false, true]);
    assert.deepEqual(where(cond, tensor([1, 2, 3]), tensor([10, 20, 30])).toArray(), [1, 20, 3]);
    assert.deepEqual(tensor([1, 2, 3]).where(cond, 0).toArray(), [1, 0, 3]);
    assert.deepEqual(where(cond, 1, 0).toArray(), [1, 0, 1]);
    assert.equal(where(cond, 1, 0).dtype, 'float32');
    assert.deepEqual(where(tensor([[true], [false]]), tensor([1, 2]), scalar(-1)).toArray(), [[1, 2], [-1, -1]]); // prettier-ignore
  });
});
