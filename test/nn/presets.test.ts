/**
 * The model presets: the CNN of issue 5 layer by layer with its exact parameter count, PyTorch's
 * parameter names, specs with defaults and errors that name the field, and recognising a preset's
 * spec from its weights alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Generator, zeros } from '../../src/index.js';
import { buildMlp, countParameters } from '../../src/nn/index.js';
import {
  MODEL_DEFAULTS,
  ModelSpecError,
  Unflatten,
  buildCnn,
  cnnFeatureShape,
  describeModel,
  inferModelSpec,
  modelFromSpec,
  resolveModelSpec,
  type CnnSpec,
} from '../../src/nn/presets.js';

describe('buildCnn', () => {
  it('is Conv(1,32,3,pad 1)-ReLU-MaxPool(2)-Conv(32,64,3,pad 1)-ReLU-MaxPool(2)-Linear(3136,128)-ReLU-Linear(128,10)', () => {
    const model = buildCnn();
    assert.deepEqual(
      model.namedChildren().map(([name, m]) => `${name} ${m.constructor.name}`),
      ['0 Unflatten', '1 Conv2d', '2 ReLU', '3 MaxPool2d', '4 Conv2d', '5 ReLU', '6 MaxPool2d', '7 Flatten', '8 Linear', '9 ReLU', '10 Linear'],
    ); // prettier-ignore
    const shapes = Object.fromEntries(model.namedParameters().map(([n, p]) => [n, p.shape]));
    assert.deepEqual(shapes, {
      '1.weight': [32, 1, 3, 3],
      '1.bias': [32],
      '4.weight': [64, 32, 3, 3],
      '4.bias': [64],
      '8.weight': [128, 3136],
      '8.bias': [128],
      '10.weight': [10, 128],
      '10.bias': [10],
    });
    const perLayer = [1, 4, 8, 10].map((i) => countParameters(model.at(i)).total);
    assert.deepEqual(perLayer, [320, 18_496, 401_536, 1_290]);
    assert.equal(countParameters(model).total, 421_642);
    assert.deepEqual(model.forward(zeros([3, 784])).shape, [3, 10]);
  });

  it('takes smaller settings, other activations, several hidden layers and float64', () => {
    const model = buildCnn({
      channels: [4, 8, 8],
      hidden: [16, 12],
      classes: 5,
      activation: 'gelu',
      dtype: 'float64',
    });
    assert.deepEqual(model.forward(zeros([2, 784], { dtype: 'float64' })).shape, [2, 5]);
    assert.equal(model.at(2).constructor.name, 'GELU');
    assert.deepEqual(model.at(11).parameters()[0]!.shape, [16, 8 * 3 * 3]); // 28 -> 14 -> 7 -> 3
    assert.equal(model.parameters()[0]!.dtype, 'float64');
  });

  it('draws the same weights from the same generator', () => {
    const a = buildCnn({ channels: [2], hidden: 4, generator: new Generator(7) });
    const b = buildCnn({ channels: [2], hidden: 4, generator: new Generator(7) });
    assert.deepEqual(
      a.parameters().map((p) => Array.from(p.toTypedArray())),
      b.parameters().map((p) => Array.from(p.toTypedArray())),
    );
  });

  it('refuses settings that leave nothing after the pooling, naming the field', () => {
    assert.throws(() => buildCnn({ inputShape: [1, 4, 4], channels: [2, 2, 2] }), /buildCnn\.channels: 3 pooling blocks shrink a 4x4 input to nothing after block 3/);
    assert.throws(() => buildCnn({ kernelSize: 4 }), /buildCnn\.kernelSize must be odd/);
    assert.throws(() => buildCnn({ channels: [] }), /buildCnn\.channels must not be empty/);
  }); // prettier-ignore
});

describe('Unflatten', () => {
  it('splits one dimension, as nn.Unflatten, and names the shapes when they do not fit', () => {
    assert.deepEqual(new Unflatten(1, [1, 28, 28]).forward(zeros([5, 784])).shape, [5, 1, 28, 28]);
    assert.deepEqual(new Unflatten(-1, [2, 3]).forward(zeros([4, 6])).shape, [4, 2, 3]);
    assert.throws(() => new Unflatten(1, [1, 28, 28]).forward(zeros([5, 780])), /dimension 1 of the input \[5, 780\] has size 780, but \[1, 28, 28\] needs 784/);
    assert.throws(() => new Unflatten(1, [0]), /positive integers/);
    assert.equal(String(new Unflatten(1, [1, 28, 28])), 'Unflatten(dim=1, unflattenedSize=[1, 28, 28])');
  }); // prettier-ignore
});

describe('model specs', () => {
  it('fill in the defaults; modelFromSpec builds the MLP of descent train and the CNN', () => {
    assert.deepEqual(resolveModelSpec({ type: 'mlp' }), MODEL_DEFAULTS.mlp);
    assert.deepEqual(resolveModelSpec({ type: 'cnn', hidden: 64 }), { ...MODEL_DEFAULTS.cnn, hidden: [64] });
    const mlp = modelFromSpec({ type: 'mlp', hidden: [32], classes: 3 });
    assert.deepEqual(
      mlp.namedParameters().map(([n, p]) => [n, p.shape]),
      buildMlp([784, 32, 3])
        .namedParameters()
        .map(([n, p]) => [n, p.shape]),
    );
    assert.equal(countParameters(modelFromSpec({ type: 'cnn' })).total, 421_642);
  });

  it('name the field and what was expected', () => {
    const cases: [unknown, RegExp][] = [
      [null, /^model must be an object, got null/],
      [{ type: 'rnn' }, /model\.type must be one of mlp, cnn, got "rnn"/],
      [{ type: 'mlp', hidden: [64, -1] }, /model\.hidden\[1\] must be a positive integer, got -1/],
      [{ type: 'mlp', hidden: 'x' }, /model\.hidden must be an array of positive integers, got "x"/],
      [{ type: 'cnn', inputShape: [28, 28] }, /model\.inputShape must be \[channels, height, width\]/],
      [{ type: 'cnn', activation: 'swish' }, /model\.activation must be one of relu, .*got "swish"/],
      [{ type: 'mlp', channels: [3] }, /model\.channels is not a field of an mlp spec/],
      [{ type: 'cnn', classes: 0 }, /model\.classes must be a positive integer, got 0/],
    ];
    for (const [spec, pattern] of cases) {
      assert.throws(() => resolveModelSpec(spec), (e: Error) => e instanceof ModelSpecError && pattern.test(e.message), JSON.stringify(spec));
    }
  }); // prettier-ignore

  it('describe the model in one line', () => {
    assert.equal(describeModel(MODEL_DEFAULTS.mlp), 'MLP 784-256-128-10 (relu)');
    assert.equal(
      describeModel(MODEL_DEFAULTS.cnn),
      'CNN 1x28x28, conv 32-64 (3x3, max-pool 2), fc 3136-128-10 (relu)',
    );
    assert.deepEqual(cnnFeatureShape(MODEL_DEFAULTS.cnn), [64, 7, 7]);
  });
});

describe('inferModelSpec', () => {
  it("recognises the presets from their weights' names and shapes", () => {
    const cnn: CnnSpec = { ...MODEL_DEFAULTS.cnn, channels: [4, 6], hidden: [10], classes: 7, inputShape: [1, 28, 28] };
    assert.deepEqual(inferModelSpec(modelFromSpec(cnn).stateDict()), cnn);
    assert.deepEqual(inferModelSpec(modelFromSpec({ type: 'mlp', hidden: [20, 10] }).stateDict(), { activation: 'tanh' }), {
      ...MODEL_DEFAULTS.mlp,
      hidden: [20, 10],
      activation: 'tanh',
    });
    // Another image size: the square that fits the first Linear layer.
    const big: CnnSpec = { ...cnn, inputShape: [3, 32, 32], kernelSize: 5 };
    assert.deepEqual(inferModelSpec(modelFromSpec(big).stateDict()), big);
  }); // prettier-ignore

  it('gives null for weights that are not a preset', () => {
    assert.equal(inferModelSpec({}), null);
    assert.equal(inferModelSpec({ 'encoder.weight': zeros([2, 2]) }), null);
    assert.equal(inferModelSpec({ '0.bias': zeros([2]) }), null);
    assert.equal(inferModelSpec({ '0.weight': zeros([2, 2, 3, 3]) }), null); // no Linear layer
  });
});
