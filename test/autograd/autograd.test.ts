/** Autograd semantics, as in PyTorch: leaves, accumulation, noGrad, detach, freed graphs, in-place checks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  cat,
  enableGrad,
  isGradEnabled,
  noGrad,
  ones,
  stack,
  tensor,
  Tensor,
  zeros,
} from '../../src/index.js';

const vec = (values: number[], requiresGrad = true) => tensor(values, { dtype: 'float64', requiresGrad });
const grad = (t: Tensor) => {
  assert.ok(t.grad, 'expected a gradient');
  return t.grad.toArray();
};

describe('leaves and non-leaves', () => {
  it('tensors made by the user are leaves; tensors made by ops on them are not', () => {
    const x = vec([1, 2, 3]);
    const c = tensor([1, 2, 3]);
    const y = x.mul(2);
    assert.equal(x.isLeaf, true);
    assert.equal(x.gradFn, null);
    assert.equal(c.isLeaf, true);
    assert.equal(c.requiresGrad, false);
    assert.equal(y.isLeaf, false);
    assert.equal(y.requiresGrad, true);
    assert.equal(y.gradFn, 'mul');
    // An op on tensors that do not require grad makes another leaf.
    assert.equal(c.mul(2).isLeaf, true);
    assert.equal(c.mul(2).requiresGrad, false);
  });

  it('a tensor created with a shape and requiresGrad is a leaf and receives .grad', () => {
    const x = tensor([1, 2, 3, 4], { shape: [2, 2], requiresGrad: true });
    assert.equal(x.isLeaf, true);
    x.sum().backward();
    assert.deepEqual(grad(x), [
      [1, 1],
      [1, 1],
    ]);
  });

  it('.grad is populated on leaves only, unless retainGrad() is called', () => {
    const x = vec([1, 2, 3]);
    const y = x.mul(x);
    const z = y.mul(3);
    z.retainGrad();
    z.sum().backward();
    assert.deepEqual(grad(x), [6, 12, 18]);
    assert.equal(y.grad, null);
    assert.deepEqual(grad(z), [1, 1, 1]);
  });

  it('retainGrad on a tensor that does not require grad is refused', () => {
    assert.throws(() => tensor([1]).retainGrad(), /doesn't require grad/);
  });

  it('a non-leaf cannot stop requiring grad', () => {
    const y = vec([1]).mul(2);
    assert.throws(() => (y.requiresGrad = false), /only leaf tensors can stop requiring grad; use detach/);
    const x = vec([1]);
    x.requiresGrad = false;
    assert.equal(x.requiresGrad, false);
  });

  it('requiresGrad on int and bool tensors is refused', () => {
    assert.throws(() => tensor(Int32Array.from([1, 2]), { requiresGrad: true }), {
      name: 'TypeError',
      message: /only floating tensors can require gradients, this one is int32/,
    });
    assert.throws(() => (tensor([true, false]).requiresGrad = true), /this one is bool/);
    assert.throws(() => tensor([1.5]).int().requiresGrad_(), TypeError);
  });

  it('ops with integer or bool results never require grad', () => {
    const x = vec([1, -2, 3]);
    for (const out of [x.gt(0), x.argmax(), x.int(), x.eq(x), x.isNaN()]) {
      assert.equal(out.requiresGrad, false);
      assert.equal(out.gradFn, null);
    }
  });

  it('a leaf receives no gradient from a loss it does not influence', () => {
    const x = vec([1, 2]);
    const unused = vec([3]);
    x.sum().backward();
    assert.equal(unused.grad, null);
  });
});

describe('backward', () => {
  it('accumulates into .grad across calls; grad = null starts over', () => {
    const x = vec([1, 2, 3]);
    x.mul(x).sum().backward();
    assert.deepEqual(grad(x), [2, 4, 6]);
    x.mul(x).sum().backward();
    assert.deepEqual(grad(x), [4, 8, 12]);
    x.grad = null;
    x.mul(3).sum().backward();
    assert.deepEqual(grad(x), [3, 3, 3]);
  });

  it('.grad is a fresh tensor outside the graph', () => {
    const x = vec([1, 2]);
    const y = x.mul(1);
    y.sum().backward();
    const g = x.grad!;
    assert.equal(g.requiresGrad, false);
    assert.equal(g.isLeaf, true);
    // Changing the gradient in place affects nothing else.
    g.mul_(10);
    x.sum().backward();
    assert.deepEqual(grad(x), [11, 11]);
  });

  it('takes a gradient argument for non-scalar outputs', () => {
    const x = vec([1, 2, 3]);
    const y = x.mul(x);
    y.backward(tensor([1, 0.5, -1], { dtype: 'float64' }));
    assert.deepEqual(grad(x), [2, 2, -6]);
  });

  it('a non-scalar output without a gradient says it needs one, with the shape', () => {
    const y = vec([1, 2, 3]).mul(2);
    assert.throws(
      () => y.backward(),
      /backward: gradient can be created implicitly only for a single-element output, this one has shape \[3\]/,
    );
  });

  it('a gradient of the wrong shape is refused with both shapes', () => {
    const y = vec([1, 2, 3]).mul(2);
    assert.throws(
      () => y.backward(tensor([1, 2])),
      /gradient has shape \[2\] but the tensor has shape \[3\]/,
    );
  });

  it('a single-element non-scalar output needs no gradient', () => {
    const x = vec([2]);
    x.mul(x).reshape([1, 1]).backward();
    assert.deepEqual(grad(x), [4]);
  });

  it('backward on a tensor that does not require grad explains why', () => {
    assert.throws(() => tensor([1]).backward(), /doesn't require grad/);
    const x = vec([1]);
    const y = noGrad(() => x.mul(2));
    assert.throws(() => y.backward(), /computed under noGrad/);
  });

  it('backward given options where the gradient goes says where options go', () => {
    const loss = vec([1, 2]).exp().sum();
    assert.throws(
      // @ts-expect-error: the mistake this error is for
      () => loss.backward({ retainGraph: true }),
      /gradient must be a Tensor, got \{"retainGraph":true\}; options go second: backward\(undefined, \{retainGraph: true\}\)/,
    );
  });

  it('backward on a leaf itself sets its gradient', () => {
    const x = vec([5]);
    x.backward();
    assert.deepEqual(grad(x), [1]);
  });

  it('a second backward through a freed graph gives a clear error; retainGraph allows it', () => {
    const x = vec([1, 2]);
    const loss = x.exp().sum();
    loss.backward();
    assert.throws(() => loss.backward(), /backward through the graph a second time .*retainGraph: true/);

    const x2 = vec([1, 2]);
    const loss2 = x2.mul(x2).sum();
    loss2.backward(undefined, { retainGraph: true });
    loss2.backward(undefined, { retainGraph: true });
    loss2.backward();
    assert.deepEqual(grad(x2), [6, 12]);
    assert.throws(() => loss2.backward(), /second time/);
  });

  it('two losses sharing a subgraph: the second backward needs retainGraph on the first', () => {
    const x = vec([1, 2]);
    const h = x.mul(3);
    h.sum().backward(undefined, { retainGraph: true });
    h.mul(h).sum().backward();
    assert.deepEqual(grad(x), [3 + 18, 3 + 36]);
  });

  it('diamond graphs accumulate every path', () => {
    const x = vec([0.5, 2]);
    // y = x² + eˣ + x: x reaches y along three paths.
    x.mul(x).add(x.exp()).add(x).sum().backward();
    const expected = [0.5, 2].map((v) => 2 * v + Math.exp(v) + 1);
    Array.from(x.grad!.toTypedArray()).forEach((g, i) => assert.ok(Math.abs(g - expected[i]!) < 1e-12));

    const w = vec([1, 2]);
    const a = w.mul(2);
    const b = a.mul(3);
    const d = a.add(b).mul(a); // d = (a + 3a)·a = 4a², dd/dw = 8a·2 = 16·2w
    d.sum().backward();
    assert.deepEqual(grad(w), [32, 64]);
  });

  it('the same tensor listed twice in cat/stack gets both gradients', () => {
    const x = vec([1, 2]);
    cat([x, x])
      .mul(tensor([1, 2, 3, 4], { dtype: 'float64' }))
      .sum()
      .backward();
    assert.deepEqual(grad(x), [4, 6]);
    const y = vec([1, 2]);
    stack([y, y, y]).sum().backward();
    assert.deepEqual(grad(y), [3, 3]);
  });

  it("cat's gradient goes to the tensors it was given, even if the caller's list changes later", () => {
    const a = vec([1, 2]);
    const b = vec([3]);
    const other = vec([5, 6]);
    const list = [a, b];
    const y = cat(list);
    list[0] = other;
    y.sum().backward();
    assert.deepEqual(grad(a), [1, 1]);
    assert.equal(other.grad, null);
  });

  it('a float32 leaf used in a float64 op gets a float32 gradient', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const w = tensor([0.1, 0.2, 0.3], { dtype: 'float64' });
    const y = x.mul(w);
    assert.equal(y.dtype, 'float64');
    y.sum().backward();
    assert.equal(x.grad!.dtype, 'float32');
    assert.deepEqual(grad(x), [0.1, 0.2, 0.3].map(Math.fround));
  });

  it('a float64 leaf cast to float32 gets a float64 gradient', () => {
    const x = vec([1, 2]);
    x.float().mul(3).sum().backward();
    assert.equal(x.grad!.dtype, 'float64');
    assert.deepEqual(grad(x), [3, 3]);
  });
});

describe('noGrad, enableGrad', () => {
  it('noGrad records no graph and returns the result', () => {
    const x = vec([1, 2]);
    const y = noGrad(() => x.mul(2).exp());
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    assert.equal(y.isLeaf, true);
    assert.equal(isGradEnabled(), true);
  });

  it('nests, and enableGrad turns recording back on inside it', () => {
    const x = vec([1, 2]);
    noGrad(() => {
      assert.equal(isGradEnabled(), false);
      noGrad(() => assert.equal(isGradEnabled(), false));
      assert.equal(isGradEnabled(), false);
      const y = enableGrad(() => {
        assert.equal(isGradEnabled(), true);
        return x.mul(3).sum();
      });
      assert.equal(y.gradFn, 'sum');
      assert.equal(x.mul(3).gradFn, null);
      assert.equal(isGradEnabled(), false);
      // The graph recorded inside enableGrad can be run backward here: backward needs no grad mode.
      y.backward();
    });
    assert.deepEqual(grad(x), [3, 3]);
    assert.equal(isGradEnabled(), true);
  });

  it('restores the mode when the function throws', () => {
    assert.throws(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    );
    assert.equal(isGradEnabled(), true);
    noGrad(() => {
      assert.throws(() =>
        enableGrad(() => {
          throw new Error('boom');
        }),
      );
      assert.equal(isGradEnabled(), false);
    });
  });

  it('backward runs without recording: gradients do not require grad', () => {
    const x = vec([1, 2]);
    x.exp().sum().backward();
    assert.equal(x.grad!.requiresGrad, false);
    assert.equal(x.grad!.gradFn, null);
  });
});

describe('detach', () => {
  it('shares the data but is cut from the graph', () => {
    const x = vec([1, 2, 3]);
    const d = x.detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.isLeaf, true);
    assert.deepEqual(d.toArray(), [1, 2, 3]);
    // Same buffer: a change through the detached tensor shows in x.
    d.fill_(7);
    assert.deepEqual(x.toArray(), [7, 7, 7]);
  });

  it('stops the gradient along the detached path only', () => {
    const x = vec([1, 2, 3]);
    x.detach().mul(x).sum().backward(); // d/dx (c·x) with c = x held constant
    assert.deepEqual(grad(x), [1, 2, 3]);
  });
});

describe('in-place ops', () => {
  it('on a leaf that requires grad: refused while recording, allowed in noGrad (and not recorded)', () => {
    const w = vec([1, 2]);
    for (const op of [
      () => w.add_(1),
      () => w.sub_(1),
      () => w.mul_(2),
      () => w.div_(2),
      () => w.fill_(0),
      () => w.zero_(),
      () => w.copy_(tensor([3, 4])),
    ]) {
      assert.throws(op, /a leaf tensor that requires grad cannot be changed in place .*noGrad\(\)/);
    }
    noGrad(() => w.sub_(tensor([0.5, 0.5]), 2));
    assert.deepEqual(w.toArray(), [0, 1]);
    assert.equal(w.isLeaf, true);
    assert.equal(w.gradFn, null);
  });

  it('on a non-leaf that requires grad: refused while recording, since it would not be recorded', () => {
    const x = vec([1, 2, 3]);
    const y = x.mul(2);
    assert.throws(() => y.mul_(3), /in-place ops are not recorded/);
  });

  it('changing a saved input in place makes backward throw', () => {
    const x = vec([1, 2, 3]);
    const a = tensor([1, 1, 1], { dtype: 'float64' });
    const y = x.mul(a); // saves a for dy/dx
    a.mul_(2);
    assert.throws(() => y.sum().backward(), /an input of mul .*was modified in place after it was used/);
  });

  it('changing a leaf in noGrad after it was used makes backward through it throw', () => {
    const w = vec([1, 2]);
    const loss = w.mul(w).sum();
    noGrad(() => w.add_(1));
    assert.throws(() => loss.backward(), /modified in place .*version 0 then, 1 now/);
  });

  it('views share the version counter: changing a detached or reshaped alias of a saved input is caught', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const a = tensor([1, 1, 1]);
    const y = w.mul(a);
    a.detach().fill_(5);
    assert.throws(() => y.sum().backward(), /modified in place/);

    const b = tensor([[1, 1, 1]]);
    const z = w.mul(b.reshape([3]));
    b.mul_(5);
    assert.throws(() => z.sum().backward(), /modified in place/);
  });

  it("changing an op's output that its gradient rule reads is caught", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const e = x.exp();
    noGrad(() => e.mul_(2));
    assert.throws(() => e.backward(ones([3])), /output of exp .* was modified in place/);
    // add's rule does not read its output, so changing it afterwards is harmless, as in PyTorch.
    const s = x.add(1);
    noGrad(() => s.mul_(2));
    s.backward(ones([3]));
    assert.deepEqual(Array.from(x.grad!.toTypedArray()), [1, 1, 1]);
  });

  it('in-place ops on tensors outside the graph work and keep the dtype', () => {
    const t = zeros([2, 2]);
    t.add_(ones([2]))
      .mul_(3)
      .sub_(1, 0.5)
      .div_(tensor([1, 2]));
    assert.deepEqual(t.toArray(), [
      [2.5, 1.25],
      [2.5, 1.25],
    ]);
    assert.equal(t.dtype, 'float32');
    const i = tensor(Int32Array.from([1, 2]));
    i.add_(tensor([1.7, 1.7]));
    assert.equal(i.dtype, 'int32');
    assert.deepEqual(i.toArray(), [2, 3]);
  });

  it('an in-place result that does not fit is refused', () => {
    const t = zeros([3]);
    assert.throws(
      () => t.add_(zeros([2, 3])),
      /result of shape \[2, 3\] does not fit this tensor's shape \[3\]/,
    );
  });
});

describe('gradients at kinks follow PyTorch', () => {
  const gradOf = (values: number[], f: (x: Tensor) => Tensor) => {
    const x = vec(values);
    f(x).sum().backward();
    return grad(x);
  };

  it('relu and abs have derivative 0 at 0; clamp passes the gradient at both bounds', () => {
    assert.deepEqual(
      gradOf([0, 1, -1], (x) => x.relu()),
      [0, 1, 0],
    );
    assert.deepEqual(
      gradOf([0, 2, -2], (x) => x.abs()),
      [0, 1, -1],
    );
    assert.deepEqual(
      gradOf([-1, 0, 0.5, 1, 2], (x) => x.clamp(0, 1)),
      [0, 1, 1, 1, 0],
    );
  });

  it('ties: maximum splits the gradient, amax and max() share it, max(dim) gives it to the returned index', () => {
    const a = vec([1, 2]);
    const b = vec([1, 3]);
    a.maximum(b).sum().backward();
    assert.deepEqual(grad(a), [0.5, 0]);
    assert.deepEqual(grad(b), [0.5, 1]);
    assert.deepEqual(
      gradOf([3, 3, 1], (x) => x.amax()),
      [0.5, 0.5, 0],
    );
    assert.deepEqual(
      gradOf([3, 1, 3, 3], (x) => x.max()),
      [1 / 3, 0, 1 / 3, 1 / 3],
    );
    assert.deepEqual(
      gradOf([1, 3, 3], (x) => x.max(0).values),
      [0, 1, 0],
    );
    assert.deepEqual(
      gradOf([2, 1, 1], (x) => x.min(0).values),
      [0, 1, 0],
    );
  });

  it('pow at a zero base: finite gradients where PyTorch gives them', () => {
    const a = vec([0, 0, 2]);
    const b = vec([0, 2, 0]);
    a.pow(b).sum().backward();
    assert.deepEqual(grad(a), [0, 0, 0]);
    assert.deepEqual(grad(b), [0, 0, Math.log(2)]);
    assert.deepEqual(
      gradOf([0, 3], (x) => x.pow(0)),
      [0, 0],
    );
  });

  it('the 2-norm at 0 has gradient 0', () => {
    assert.deepEqual(
      gradOf([0, 0], (x) => x.norm()),
      [0, 0],
    );
    const g = gradOf([0, 0, 3, 4], (x) => x.reshape(2, 2).norm(2, 1)) as number[];
    [0, 0, 0.6, 0.8].forEach((e, i) => assert.ok(Math.abs(g[i]! - e) < 1e-15, `element ${i}: ${g[i]}`));
  });
});
