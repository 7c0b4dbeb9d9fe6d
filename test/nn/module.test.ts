import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Generator, noGrad, ones, randn, Tensor, tensor, zeros } from '../../src/index.js';
import {
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  Dropout,
  Embedding,
  Flatten,
  Identity,
  LayerNorm,
  Linear,
  Module,
  ModuleList,
  Parameter,
  ReLU,
  Sequential,
  Tanh,
  countParameters,
} from '../../src/nn/index.js';

class Net extends Module {
  features = new Sequential(new Linear(4, 5), new ReLU());
  layers = new Sequential(new Linear(5, 5), new Tanh(), new Linear(5, 2));
  scale = new Parameter(ones([1]));

  override forward(x: Tensor): Tensor {
    return this.layers.forward(this.features.forward(x)).mul(this.scale);
  }
}

const names = (m: Module) => m.namedParameters().map(([n]) => n);
const values = (t: Tensor) => [...t.toTypedArray()];

describe('Module registration', () => {
  it('names parameters with PyTorch dotted names, own parameters first (named_modules pre-order)', () => {
    assert.deepEqual(names(new Net()), [
      'scale',
      'features.0.weight',
      'features.0.bias',
      'layers.0.weight',
      'layers.0.bias',
      'layers.2.weight',
      'layers.2.bias',
    ]);
    const nested = new Sequential(
      new Sequential(new Linear(2, 3), new ReLU()),
      new Linear(3, 1, { bias: false }),
    );
    assert.deepEqual(names(nested), ['0.0.weight', '0.0.bias', '1.weight']);
    assert.equal(nested.parameters().length, 3);
    assert.deepEqual(
      nested.namedParameters({ prefix: 'model' }).map(([n]) => n),
      ['model.0.0.weight', 'model.0.0.bias', 'model.1.weight'],
    );
    assert.deepEqual(
      new Net().namedParameters({ recurse: false }).map(([n]) => n),
      ['scale'],
    );
  });

  it('lists children and modules in field order', () => {
    const net = new Net();
    assert.deepEqual(
      net.namedChildren().map(([n, m]) => [n, m.constructor.name]),
      [
        ['features', 'Sequential'],
        ['layers', 'Sequential'],
      ],
    );
    assert.deepEqual(
      net.namedModules().map(([n]) => n),
      ['', 'features', 'features.0', 'features.1', 'layers', 'layers.0', 'layers.1', 'layers.2'],
    );
    assert.equal(net.modules().length, 8);
    assert.equal(net.children().length, 2);
  });

  it('lists a shared parameter or module once, and sees a replaced field', () => {
    const shared = new Linear(3, 3);
    const tied = new Sequential(shared, new ReLU(), shared);
    assert.deepEqual(names(tied), ['0.weight', '0.bias']);
    const net = new Net();
    net.layers = new Sequential(new Linear(5, 1));
    assert.deepEqual(names(net).slice(3), ['layers.0.weight', 'layers.0.bias']);
  });

  it('refuses a plain array of modules, whose parameters would be invisible', () => {
    class Bad extends Module {
      blocks = [new Linear(2, 2), new Linear(2, 2)];
    }
    assert.throws(
      () => new Bad().parameters(),
      /Bad\.blocks is an array of modules.*ModuleList or Sequential/,
    );
    class Good extends Module {
      blocks = new ModuleList([new Linear(2, 2), new Linear(2, 2)]);
    }
    assert.deepEqual(names(new Good()), [
      'blocks.0.weight',
      'blocks.0.bias',
      'blocks.1.weight',
      'blocks.1.bias',
    ]);
  });

  it('keeps buffers apart from parameters, in the state dict unless non-persistent', () => {
    class WithStats extends Module {
      fc = new Linear(2, 2);
      constructor() {
        super();
        this.registerBuffer('runningMean', zeros([2]));
        this.registerBuffer('scratch', zeros([2]), { persistent: false });
      }
    }
    const m = new WithStats();
    assert.deepEqual(
      m.namedBuffers().map(([n]) => n),
      ['runningMean', 'scratch'],
    );
    assert.equal(m.parameters().length, 2);
    assert.deepEqual(Object.keys(m.stateDict()), ['fc.weight', 'fc.bias', 'runningMean']);
    assert.deepEqual(Object.keys(new CrossEntropyLoss({ weight: [1, 2] }).stateDict()), ['weight']);
    assert.throws(() => m.registerBuffer('a.b', zeros([1])), /contain no '\.'/);
  });

  it('Sequential is indexable, has at(), length, append and iterates', () => {
    const seq = new Sequential(new Linear(8, 9), new ReLU(), new Linear(9, 4));
    assert.equal(seq.length, 3);
    assert.ok(seq[0] instanceof Linear);
    assert.equal(seq.at(-1), seq[2]);
    assert.throws(() => seq.at(3), /index 3 is out of range for 3 modules/);
    seq.append(new Tanh());
    assert.equal(seq.length, 4);
    assert.deepEqual(
      [...seq].map((m) => m.constructor.name),
      ['Linear', 'ReLU', 'Linear', 'Tanh'],
    );
    assert.deepEqual([...seq.forward(zeros([5, 8])).shape], [5, 4]);
  });

  it('a plain Module has no forward, and says so', () => {
    assert.throws(() => new Module().forward(zeros([1])), /Module: this module has no forward/);
  });
});

describe('Module state', () => {
  it('round-trips through stateDict / loadStateDict, and the dict is a detached copy', () => {
    const a = new Net();
    const b = new Net();
    const state = a.stateDict();
    assert.deepEqual(Object.keys(state), names(a));
    for (const t of Object.values(state)) assert.equal(t.requiresGrad, false);
    const before = values(state['layers.0.weight']!);
    noGrad(() => a.layers[0]!.parameters()[0]!.add_(1));
    assert.deepEqual(
      values(state['layers.0.weight']!),
      before,
      'training later must not change a saved dict',
    );

    const result = b.loadStateDict(state);
    assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
    for (const [name, p] of b.namedParameters()) assert.deepEqual(values(p), values(state[name]!), name);
    const x = randn([3, 4], { generator: new Generator(1) });
    const c = new Net();
    c.loadStateDict(b.stateDict());
    assert.deepEqual(values(c.forward(x)), values(b.forward(x)));
  });

  it('names missing and unexpected keys and shape mismatches, and loads nothing then', () => {
    const model = new Sequential(new Linear(8, 9), new ReLU(), new Linear(9, 4));
    const state = model.stateDict();
    delete state['2.bias'];
    state['3.weight'] = zeros([1]);
    state['0.weight'] = zeros([8, 9]);
    const before = values(model[0]!.parameters()[1]!);
    state['0.bias'] = ones([9]);
    assert.throws(
      () => model.loadStateDict(state),
      (e: Error) => {
        assert.match(e.message, /^loadStateDict: cannot load the state dict into Sequential:/);
        assert.match(e.message, /missing keys: 2\.bias/);
        assert.match(e.message, /unexpected keys: 3\.weight/);
        assert.match(
          e.message,
          /shape mismatch for 0\.weight: the state dict has \[8, 9\], the model has \[9, 8\]/,
        );
        return true;
      },
    );
    assert.deepEqual(values(model[0]!.parameters()[1]!), before, 'nothing was copied');
  });

  it('with strict false reports the key differences instead, but still refuses shape mismatches', () => {
    const model = new Sequential(new Linear(2, 3));
    const result = model.loadStateDict({ '0.weight': ones([3, 2]), extra: zeros([1]) }, { strict: false });
    assert.deepEqual(result, { missingKeys: ['0.bias'], unexpectedKeys: ['extra'] });
    assert.deepEqual(values(model[0]!.parameters()[0]!), [1, 1, 1, 1, 1, 1]);
    assert.throws(
      () => model.loadStateDict({ '0.weight': ones([2, 3]) }, { strict: false }),
      /shape mismatch for 0\.weight: the state dict has \[2, 3\], the model has \[3, 2\]/,
    );
  });

  it('loads a float64 state into a float32 model, converting', () => {
    const model = new Linear(2, 1);
    model.loadStateDict({
      weight: tensor([[0.5, 0.25]], { dtype: 'float64' }),
      bias: tensor([1], { dtype: 'float64' }),
    });
    assert.equal(model.weight.dtype, 'float32');
    assert.deepEqual(values(model.weight), [0.5, 0.25]);
  });

  it('train() and eval() reach every submodule', () => {
    const net = new Net();
    assert.ok(net.modules().every((m) => m.training));
    assert.equal(net.eval(), net);
    assert.ok(net.modules().every((m) => !m.training));
    net.train();
    assert.ok(net.modules().every((m) => m.training));
    net.train(false);
    assert.equal(net.layers[1]!.training, false);
  });

  it('zeroGrad clears gradients (to null by default, to zeros on request)', () => {
    const fc = new Linear(3, 2);
    fc.forward(ones([1, 3]))
      .sum()
      .backward();
    assert.ok(fc.weight.grad);
    fc.zeroGrad({ setToNone: false });
    assert.deepEqual(values(fc.weight.grad!), [0, 0, 0, 0, 0, 0]);
    fc.zeroGrad();
    assert.equal(fc.weight.grad, null);
  });

  it('to(dtype) converts parameters and buffers in place, keeping the objects', () => {
    const net = new Sequential(new Linear(2, 2), new LayerNorm(2));
    const loss = new BCEWithLogitsLoss({ posWeight: [2, 3] });
    const w = net[0]!.parameters()[0]!;
    const before = values(w);
    assert.equal(net.double(), net);
    assert.equal(net[0]!.parameters()[0], w);
    assert.equal(w.dtype, 'float64');
    assert.ok(w.requiresGrad);
    assert.deepEqual(values(w), before);
    loss.float();
    assert.equal(loss.posWeight!.dtype, 'float32');
    net.float();
    assert.ok(net.parameters().every((p) => p.dtype === 'float32'));
    assert.throws(() => net.to('int32'), /only float32 and float64/);
  });

  it('apply visits children first, then the module', () => {
    const seen: string[] = [];
    new Sequential(new Linear(1, 1), new ReLU()).apply((m) => seen.push(m.constructor.name));
    assert.deepEqual(seen, ['Linear', 'ReLU', 'Sequential']);
  });

  it('prints the module tree like PyTorch', () => {
    const model = new Sequential(
      new Flatten(),
      new Linear(784, 256),
      new ReLU(),
      new Dropout(0.2),
      new Linear(256, 10),
    );
    assert.equal(
      model.toString(),
      [
        'Sequential(',
        '  (0): Flatten(startDim=1, endDim=-1)',
        '  (1): Linear(inFeatures=784, outFeatures=256, bias=true)',
        '  (2): ReLU()',
        '  (3): Dropout(p=0.2)',
        '  (4): Linear(inFeatures=256, outFeatures=10, bias=true)',
        ')',
      ].join('\n'),
    );
    assert.equal(
      new Net().toString(),
      [
        'Net(',
        '  (features): Sequential(',
        '    (0): Linear(inFeatures=4, outFeatures=5, bias=true)',
        '    (1): ReLU()',
        '  )',
        '  (layers): Sequential(',
        '    (0): Linear(inFeatures=5, outFeatures=5, bias=true)',
        '    (1): Tanh()',
        '    (2): Linear(inFeatures=5, outFeatures=2, bias=true)',
        '  )',
        ')',
      ].join('\n'),
    );
    assert.equal(
      new Embedding(10, 3, { paddingIdx: 0 }).toString(),
      'Embedding(numEmbeddings=10, embeddingDim=3, paddingIdx=0)',
    );
    assert.equal(
      new LayerNorm([3, 4]).toString(),
      'LayerNorm(normalizedShape=[3, 4], eps=0.00001, elementwiseAffine=true)',
    );
    assert.equal(
      new CrossEntropyLoss({ labelSmoothing: 0.1 }).toString(),
      'CrossEntropyLoss(labelSmoothing=0.1)',
    );
  });

  it('a Parameter is a leaf tensor that requires grad and shares the data it wraps', () => {
    const data = tensor([1, 2, 3]);
    const p = new Parameter(data);
    assert.ok(p instanceof Parameter && p instanceof Tensor);
    assert.ok(p.requiresGrad && p.isLeaf);
    assert.equal(new Parameter(data, false).requiresGrad, false);
    assert.match(p.toString(), /^Parameter containing:\ntensor\(\[1\., 2\., 3\.\]/);
    assert.equal(p.add(1) instanceof Parameter, false, 'ops give plain tensors');
  });

  it('counts parameters (shared ones once; trainable = requiresGrad)', () => {
    assert.deepEqual(countParameters(new Linear(784, 256)), { total: 200960, trainable: 200960 });
    const model = new Sequential(new Linear(8, 9), new ReLU(), new Linear(9, 4));
    assert.deepEqual(countParameters(model), { total: 121, trainable: 121 });
    model[2]!.parameters()[1]!.requiresGrad_(false);
    assert.deepEqual(countParameters(model), { total: 121, trainable: 117 });
  });
});

describe('layers', () => {
  it('Linear works on any leading dims and on a single vector', () => {
    const fc = new Linear(5, 3, { dtype: 'float64' });
    assert.deepEqual([...fc.forward(zeros([2, 4, 5], { dtype: 'float64' })).shape], [2, 4, 3]);
    assert.deepEqual([...fc.forward(zeros([5], { dtype: 'float64' })).shape], [3]);
    assert.throws(
      () => fc.forward(zeros([2, 4])),
      /linear: input of shape \[2, 4\] does not fit a weight of shape \[3, 5\] \(the input's last dimension must be inFeatures = 5\)/,
    );
    assert.equal(new Linear(2, 2, { bias: false }).bias, null);
  });

  it('Flatten and Identity', () => {
    assert.deepEqual([...new Flatten().forward(zeros([2, 1, 28, 28])).shape], [2, 784]);
    assert.deepEqual([...new Flatten(0, 1).forward(zeros([2, 3, 4])).shape], [6, 4]);
    const x = zeros([2]);
    assert.equal(new Identity().forward(x), x);
  });

  it('Embedding looks rows up, accumulates repeated indices and names a bad index', () => {
    const emb = new Embedding(4, 2, { paddingIdx: 1, dtype: 'float64' });
    assert.deepEqual(values(emb.weight).slice(2, 4), [0, 0], 'the padding row starts at zero');
    const idx = tensor(Int32Array.of(3, 1, 3, 0), { shape: [2, 2] });
    const out = emb.forward(idx);
    assert.deepEqual([...out.shape], [2, 2, 2]);
    out.sum().backward();
    assert.deepEqual(values(emb.weight.grad!), [1, 1, 0, 0, 0, 0, 2, 2]);
    assert.throws(
      () => emb.forward(tensor(Int32Array.of(0, 2, 7), { shape: [3] })),
      /embedding: index 7 at position 2 is out of range for 4 embeddings \(expected 0\.\.3\)/,
    );
    assert.throws(() => emb.forward(tensor([0, 1])), /indices must be an int32 tensor, got float32/);
    assert.equal(new Embedding(5, 2, { paddingIdx: -1 }).paddingIdx, 4);
  });

  it('LayerNorm checks the trailing shape', () => {
    assert.throws(
      () => new LayerNorm(4).forward(zeros([2, 5])),
      /layerNorm: input of shape \[2, 5\] does not end with normalizedShape \[4\]/,
    );
    const norm = new LayerNorm(3, { elementwiseAffine: false });
    assert.equal(norm.parameters().length, 0);
    const y = norm.forward(tensor([[1, 2, 3]], { dtype: 'float64' }));
    const expected = [-1, 0, 1].map((v) => v / Math.sqrt(2 / 3 + 1e-5));
    y.toTypedArray().forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-12));
  });
});

describe('Dropout', () => {
  const x = ones([200, 50], { dtype: 'float64' });

  it('is reproducible from a seeded generator', () => {
    const a = new Dropout(0.3, { generator: new Generator(7) }).forward(x);
    const b = new Dropout(0.3, { generator: new Generator(7) }).forward(x);
    const c = new Dropout(0.3, { generator: new Generator(8) }).forward(x);
    assert.deepEqual(values(a), values(b));
    assert.notDeepEqual(values(a), values(c));
  });

  it('zeroes about p of the elements and scales the rest by 1/(1 − p), so the mean is kept', () => {
    const out = values(new Dropout(0.3, { generator: new Generator(1) }).forward(x));
    const zerosFraction = out.filter((v) => v === 0).length / out.length;
    assert.ok(Math.abs(zerosFraction - 0.3) < 0.02, `zeroed ${zerosFraction}`);
    assert.ok(out.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-12));
  });

  it('is the identity in eval mode and for p = 0; p = 1 zeroes everything', () => {
    const drop = new Dropout(0.5);
    drop.eval();
    assert.equal(drop.forward(x), x);
    assert.equal(new Dropout(0).forward(x), x);
    assert.ok(values(new Dropout(1).forward(x)).every((v) => v === 0));
    assert.throws(() => new Dropout(1.5), /p must be a probability in \[0, 1\], got 1\.5/);
  });

  it('follows the mode of the model it is in', () => {
    const model = new Sequential(new Linear(50, 50), new Dropout(0.5, { generator: new Generator(3) }));
    model.eval();
    const y1 = model.forward(x);
    const y2 = model.forward(x);
    assert.deepEqual(values(y1), values(y2));
  });
});
