/** toString: PyTorch's layout (aligned columns, 4 decimals, '...' past 1000 elements) plus shape and dtype. */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';

import { arange, scalar, tensor, zeros } from '../../src/index.js';

describe('toString', () => {
  it('a small float tensor: aligned columns, 4 decimals', () => {
    const t = tensor([
      [1.5, -2.25, 3],
      [0.125, 10, -7.5],
    ]);
    assert.equal(
      t.toString(),
      'tensor([[ 1.5000, -2.2500,  3.0000],\n' +
        '        [ 0.1250, 10.0000, -7.5000]], shape=[2, 3], dtype=float32)',
    );
  });

  it('integer-valued floats print with a trailing dot', () => {
    assert.equal(tensor([1, -2, 30]).toString(), 'tensor([ 1., -2., 30.], shape=[3], dtype=float32)');
  });

  it('an int tensor', () => {
    assert.equal(
      tensor(Int32Array.from([1, -20, 300])).toString(),
      'tensor([  1, -20, 300], shape=[3], dtype=int32)',
    );
  });

  it('a bool tensor', () => {
    assert.equal(
      tensor([
        [true, false],
        [false, true],
      ]).toString(),
      'tensor([[ true, false],\n        [false,  true]], shape=[2, 2], dtype=bool)',
    );
  });

  it('scalars', () => {
    assert.equal(scalar(3.14159).toString(), 'tensor(3.1416, shape=[], dtype=float32)');
    assert.equal(scalar(2, { dtype: 'float64' }).toString(), 'tensor(2., shape=[], dtype=float64)');
  });

  it('a 3-D tensor: blank line between matrices', () => {
    assert.equal(
      arange(12).reshape(2, 2, 3).toString(),
      'tensor([[[ 0.,  1.,  2.],\n' +
        '         [ 3.,  4.,  5.]],\n' +
        '\n' +
        '        [[ 6.,  7.,  8.],\n' +
        '         [ 9., 10., 11.]]], shape=[2, 2, 3], dtype=float32)',
    );
  });

  it('requiresGrad and gradFn', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    assert.equal(x.toString(), 'tensor([1., 2.], shape=[2], dtype=float32, requiresGrad=true)');
    assert.equal(x.mul(2).toString(), 'tensor([2., 4.], shape=[2], dtype=float32, gradFn=mul)');
  });

  it('scientific notation when magnitudes are far apart; nan and inf', () => {
    assert.equal(
      tensor([1e-5, 1, 1000]).toString(),
      'tensor([1.0000e-05, 1.0000e+00, 1.0000e+03], shape=[3], dtype=float32)',
    );
    assert.equal(
      tensor([NaN, Infinity, -Infinity, 1.5]).toString(),
      'tensor([   nan,    inf,   -inf, 1.5000], shape=[4], dtype=float32)',
    );
  });

  it('empty tensors', () => {
    assert.equal(zeros([0]).toString(), 'tensor([], shape=[0], dtype=float32)');
  });

  it("summarises with '...' beyond 1000 elements, 3 items at each edge", () => {
    assert.equal(
      arange(1001).toString(),
      'tensor([   0.,    1.,    2., ...,  998.,  999., 1000.], shape=[1001], dtype=float32)',
    );
    assert.equal(
      arange(2000).reshape(40, 50).toString(),
      'tensor([[   0.,    1.,    2., ...,   47.,   48.,   49.],\n' +
        '        [  50.,   51.,   52., ...,   97.,   98.,   99.],\n' +
        '        [ 100.,  101.,  102., ...,  147.,  148.,  149.],\n' +
        '        ...,\n' +
        '        [1850., 1851., 1852., ..., 1897., 1898., 1899.],\n' +
        '        [1900., 1901., 1902., ..., 1947., 1948., 1949.],\n' +
        '        [1950., 1951., 1952., ..., 1997., 1998., 1999.]], shape=[40, 50], dtype=float32)',
    );
    // Exactly 1000 elements are printed in full.
    assert.ok(!arange(1000).toString().includes('...'));
  });

  it('console.log / util.inspect use toString', () => {
    const t = tensor([1, 2]);
    assert.equal(inspect(t), t.toString());
    assert.equal(`${t}`, t.toString());
  });
});
