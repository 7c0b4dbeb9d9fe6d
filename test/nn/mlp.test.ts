import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Generator, zeros } from '../../src/index.js';
import { ACTIVATIONS, buildMlp, GELU, Linear, ReLU } from '../../src/nn/index.js';

describe('buildMlp', () => {
  it('builds Linear → activation → ... → Linear with PyTorch names', () => {
    const mlp = buildMlp([784, 256, 128, 10], 'relu');
    assert.deepEqual(
      [...mlp].map((m) => m.constructor.name),
      ['Linear', 'ReLU', 'Linear', 'ReLU', 'Linear'],
    );
    assert.deepEqual(
      mlp.namedParameters().map(([n, p]) => `${n} ${p.shape.join('x')}`),
      ['0.weight 256x784', '0.bias 256', '2.weight 128x256', '2.bias 128', '4.weight 10x128', '4.bias 10'],
    );
    assert.deepEqual([...mlp.forward(zeros([3, 784])).shape], [3, 10]);
    assert.ok(mlp[1] instanceof ReLU && mlp[4] instanceof Linear);
  });

  it('takes every listed activation, a dtype and a generator', () => {
    for (const name of Object.keys(ACTIVATIONS) as (keyof typeof ACTIVATIONS)[]) {
      assert.equal(buildMlp([2, 3, 2], name).length, 3);
    }
    assert.equal((buildMlp([2, 3, 2], 'gelu-tanh')[1] as GELU).approximate, 'tanh');
    const a = buildMlp([4, 4, 2], 'tanh', { dtype: 'float64', generator: new Generator(1) });
    const b = buildMlp([4, 4, 2], 'tanh', { dtype: 'float64', generator: new Generator(1) });
    assert.equal(a.parameters()[0]!.dtype, 'float64');
    assert.deepEqual([...a.parameters()[2]!.toTypedArray()], [...b.parameters()[2]!.toTypedArray()]);
  });

  it('names a bad activation and too few sizes', () => {
    assert.throws(
      () => buildMlp([2, 2], 'swish' as 'relu'),
      /unknown activation 'swish'; expected one of relu, leaky-relu/,
    );
    assert.throws(() => buildMlp([2], 'relu'), /need at least an input and an output size/);
  });
});
