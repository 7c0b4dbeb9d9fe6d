import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Tensor } from '../../src/index.js';
import {
  Embedding,
  Flatten,
  LayerNorm,
  Linear,
  Module,
  ReLU,
  Sequential,
  summary,
} from '../../src/nn/index.js';

describe('summary', () => {
  it('shows the 8-9-4 MLP: 72 weights + 9 biases in the first layer, 40 in the last, 121 in all', () => {
    const s = summary(new Sequential(new Linear(8, 9), new ReLU(), new Linear(9, 4)), [1, 8]);
    assert.equal(
      s.text,
      [
        '========================================================',
        'Layer (type)   Output shape   Param #',
        '========================================================',
        '0 (Linear)     [1, 9]         81 (72 weights + 9 biases)',
        '1 (ReLU)       [1, 9]         0',
        '2 (Linear)     [1, 4]         40 (36 weights + 4 biases)',
        '========================================================',
        'Total params: 121',
        'Trainable params: 121',
        'Non-trainable params: 0',
        '========================================================',
      ].join('\n'),
    );
    assert.equal(String(s), s.text);
    assert.deepEqual(s.rows[0], {
      name: '0',
      type: 'Linear',
      outputShape: [1, 9],
      params: 81,
      paramsByName: { weight: 72, bias: 9 },
    });
    assert.deepEqual(
      s.rows.map((r) => r.params),
      [81, 0, 40],
    );
    assert.deepEqual([s.totalParams, s.trainableParams, s.nonTrainableParams], [121, 121, 0]);
  });

  it('walks nested modules, counts frozen parameters as non-trainable, and leaves forward as it was', () => {
    class Net extends Module {
      body = new Sequential(new Flatten(), new Linear(784, 256), new ReLU());
      norm = new LayerNorm(256);
      head = new Linear(256, 10);
      override forward(x: Tensor): Tensor {
        return this.head.forward(this.norm.forward(this.body.forward(x)));
      }
    }
    const net = new Net();
    net.norm.parameters().forEach((p) => p.requiresGrad_(false));
    const s = summary(net, [32, 1, 28, 28]);
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.type, r.outputShape, r.params]),
      [
        ['body', 'Sequential', [32, 256], 0],
        ['body.0', 'Flatten', [32, 784], 0],
        ['body.1', 'Linear', [32, 256], 200960],
        ['body.2', 'ReLU', [32, 256], 0],
        ['norm', 'LayerNorm', [32, 256], 512],
        ['head', 'Linear', [32, 10], 2570],
      ],
    );
    assert.match(s.text, /body\.1 \(Linear\)\s+\[32, 256\]\s+200,960 \(200,704 weights \+ 256 biases\)/);
    assert.match(s.text, /Total params: 204,042\nTrainable params: 203,530\nNon-trainable params: 512/);
    assert.ok(!Object.prototype.hasOwnProperty.call(net.head, 'forward'), 'the recording wrapper is removed');
  });

  it('summarises a single layer, and feeds int32 zeros to an embedding', () => {
    const s = summary(new Embedding(100, 16), [2, 5], { dtype: 'int32' });
    assert.deepEqual(s.rows, [
      {
        name: '(model)',
        type: 'Embedding',
        outputShape: [2, 5, 16],
        params: 1600,
        paramsByName: { weight: 1600 },
      },
    ]);
  });
});
