import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { tensor, zeros } from '../../src/index.js';

describe('conversion back to JS values', () => {
  it('toArray: nested numbers, booleans for bool tensors, a number for 0-d', () => {
    assert.deepEqual(
      tensor([
        [1, 2],
        [3, 4],
      ]).toArray(),
      [
        [1, 2],
        [3, 4],
      ],
    );
    assert.deepEqual(tensor([true, false]).toArray(), [true, false]);
    assert.equal(tensor(7).toArray(), 7);
    assert.deepEqual(zeros([2, 0]).toArray(), [[], []]);
    assert.deepEqual(zeros([0, 2]).toArray(), []);
    assert.deepEqual(zeros([1, 1, 1]).toArray(), [[[0]]]);
  });

  it('toTypedArray: a flat copy of the right type', () => {
    const t = tensor([[1, 2, 3]], { dtype: 'float64' });
    const a = t.toTypedArray();
    assert.ok(a instanceof Float64Array);
    assert.deepEqual(Array.from(a), [1, 2, 3]);
    a[0] = 99;
    assert.equal(t.toArray().toString(), '1,2,3', 'the copy is independent');
    assert.ok(tensor(Int32Array.of(1)).toTypedArray() instanceof Int32Array);
    assert.ok(tensor([true]).toTypedArray() instanceof Uint8Array);
  });

  it('item: the value of a one-element tensor of any shape', () => {
    assert.equal(tensor(2.5).item(), 2.5);
    assert.equal(tensor([[4]]).item(), 4);
    assert.equal(tensor(Int32Array.of(-3)).item(), -3);
    assert.throws(
      () => zeros([2, 3]).item(),
      /item: only one-element tensors can be converted to a number, this one has shape \[2, 3\]/,
    );
    assert.throws(() => zeros([0]).item(), /this one has shape \[0\]/);
  });

  it('size, ndim, numel', () => {
    const t = zeros([2, 3, 4]);
    assert.equal(t.size(), 24);
    assert.equal(t.size(1), 3);
    assert.equal(t.size(-1), 4);
    assert.equal(t.ndim, 3);
    assert.equal(t.numel, 24);
    assert.ok(Object.isFrozen(t.shape));
  });

  it('clone copies the buffer; detach shares it', () => {
    const t = tensor([1, 2]);
    const c = t.clone();
    c.fill_(0);
    assert.deepEqual(t.toArray(), [1, 2]);
    t.detach().fill_(5);
    assert.deepEqual(t.toArray(), [5, 5]);
  });
});

describe('errors a user meets while building tensors', () => {
  it('a ragged nested array says where the ragged row is', () => {
    assert.throws(
      () => tensor([[1, 2], [3]]),
      /tensor: ragged nested array: the row at \[1\] has length 1, but the first row at that depth has length 2/,
    );
    assert.throws(
      () =>
        tensor([
          [
            [1, 2],
            [3, 4],
          ],
          [
            [5, 6],
            [7, 8, 9],
          ],
        ]),
      /the row at \[1\]\[1\] has length 3, but the first row at that depth has length 2/,
    );
    assert.throws(
      () => tensor([[1, 2], 3] as never),
      /ragged nested array: \[1\] is a number, but an array of length 2 was expected/,
    );
    assert.throws(
      () => tensor([1, [2, 3]] as never),
      /ragged nested array: \[1\] is an array, but the first element at that depth is a number/,
    );
    assert.throws(() => tensor([1, null] as never), /element \[1\] is null; expected a number or boolean/);
    assert.throws(() => tensor([[1, '2']] as never), /element \[0\]\[1\] is string/);
  });

  it('a broadcast of [3] against [4] names both shapes', () => {
    const a = zeros([3]);
    const b = zeros([4]);
    for (const op of [() => a.add(b), () => a.mul(b), () => a.maximum(b), () => a.lt(b)]) {
      assert.throws(
        op,
        (e: Error) =>
          e instanceof RangeError &&
          /shapes \[3\] and \[4\] cannot be broadcast: dimension -1 \(counting from the right\) is 3 in one and 4 in the other/.test(
            e.message,
          ),
      );
    }
    assert.throws(
      () => zeros([2, 3]).sub(zeros([4, 1, 2])),
      /sub: shapes \[2, 3\] and \[4, 1, 2\] cannot be broadcast/,
    );
  });
});
