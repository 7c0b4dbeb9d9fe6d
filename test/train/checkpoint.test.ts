/**
 * Checkpoint directories: what they hold, atomic replacement, recovery after a kill between the two
 * renames of a replacement, failed writes that leave the old checkpoint intact, clean errors for
 * damaged checkpoints (including 300 seeded mutations of trainer-state.json), and which checkpoint
 * counts as the latest.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { Linear, ReLU, Sequential } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';
import { encodeValue, type Encoded } from '../../src/optim/state-dict.js';
import { randn, tensor } from '../../src/tensor/creation.js';
import { Generator, manualSeed } from '../../src/tensor/random.js';
import { writeHooks } from '../../src/train/atomic-write.js';
import {
  CheckpointError,
  SafetensorsError,
  Trainer,
  latestCheckpoint,
  listCheckpoints,
  readCheckpoint,
  recoverCheckpoints,
  removeCheckpoint,
  tensorSource,
  writeCheckpoint,
  writeFileAtomic,
} from '../../src/train/index.js';
import { makeTempDir } from './fixtures/temp-dir.js';

const root = makeTempDir('descent-checkpoint-');
after(() => rmSync(root, { recursive: true, force: true }));

const weights = () => ({ 'fc.weight': tensor([[1, 2]]), 'fc.bias': tensor([-0.5]) });
const state = (step: number): Record<string, Encoded> =>
  encodeValue(
    {
      position: { epoch: 0, batch: step, step },
      moments: tensor([-0, NaN, 1e-40], { dtype: 'float64' }),
      note: 'x',
    },
    'state',
  ) as Record<string, Encoded>;

describe('checkpoint directories', () => {
  it('hold model.safetensors, state.safetensors and trainer-state.json, and read back exactly', () => {
    const dir = writeCheckpoint(join(root, 'a'), 'step-1', { weights: weights(), state: state(1) });
    assert.deepEqual(readdirSync(dir).sort(), [
      'model.safetensors',
      'state.safetensors',
      'trainer-state.json',
    ]);
    const json = JSON.parse(readFileSync(join(dir, 'trainer-state.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(json.format, 'descent-trainer-state');
    assert.equal(json.version, 1);
    assert.deepEqual(json.moments, { $tensor: 'moments' });
    const back = readCheckpoint(dir);
    assert.deepEqual(back.state, state(1));
    assert.deepEqual(back.weights['fc.weight']!.toArray(), [[1, 2]]);
    assert.deepEqual(readdirSync(join(root, 'a')), ['step-1']);
  });

  it('replaces a checkpoint atomically, leaving nothing else behind', () => {
    const at = join(root, 'b');
    writeCheckpoint(at, 'last', { weights: weights(), state: state(1) });
    writeCheckpoint(at, 'last', { weights: weights(), state: state(2) });
    assert.deepEqual(readdirSync(at), ['last']);
    assert.equal((readCheckpoint(join(at, 'last')).state.position as { step: number }).step, 2);
  });

  it('a write that dies before its rename leaves the old checkpoint as it was', () => {
    const at = join(root, 'c');
    writeCheckpoint(at, 'last', { weights: weights(), state: state(1) });
    writeHooks.beforeRename = () => {
      throw new Error('killed');
    };
    try {
      assert.throws(() => writeCheckpoint(at, 'last', { weights: weights(), state: state(2) }), /killed/);
      assert.throws(() => writeFileAtomic(join(at, 'note.txt'), 'new'), /killed/);
    } finally {
      delete writeHooks.beforeRename;
    }
    assert.deepEqual(readdirSync(at), ['last']);
    assert.equal((readCheckpoint(join(at, 'last')).state.position as { step: number }).step, 1);
  });

  it('recovers from a kill between the two renames of a replacement, and clears leftovers', () => {
    const at = join(root, 'd');
    writeCheckpoint(at, 'last', { weights: weights(), state: state(1) });
    writeCheckpoint(at, 'best', { weights: weights(), state: state(1) });
    // What a kill leaves: `last` renamed away, the new one still temporary, a half-deleted trash.
    renameSync(join(at, 'last'), join(at, '.old-last@123-a-b'));
    cpSync(join(at, 'best'), join(at, '.tmp-last@123-a-c'), { recursive: true });
    mkdirSync(join(at, '.trash-step-00000004@1-2-3'));
    // and a stale .old of a checkpoint that was replaced after all
    cpSync(join(at, 'best'), join(at, '.old-best@9-9-9'), { recursive: true });
    // Every non-temporary directory loads, the .old one included.
    for (const dir of listCheckpoints(at)) readCheckpoint(dir);
    assert.equal(listCheckpoints(at).length, 3);
    recoverCheckpoints(at);
    assert.deepEqual(readdirSync(at).sort(), ['best', 'last']);
    readCheckpoint(join(at, 'last'));
  });

  it('removes a checkpoint through a rename, so no half-deleted one is ever listed', () => {
    const at = join(root, 'e');
    const dir = writeCheckpoint(at, 'step-00000004', { weights: weights(), state: state(4) });
    removeCheckpoint(dir);
    assert.deepEqual(readdirSync(at), []);
  });

  it('picks the checkpoint furthest into the run as the latest', () => {
    const at = join(root, 'f');
    const s = (epoch: number, batch: number, step: number) =>
      encodeValue({ position: { epoch, batch, step } }, 's') as Record<string, Encoded>;
    writeCheckpoint(at, 'step-00000010', { weights: weights(), state: s(0, 10, 10) });
    writeCheckpoint(at, 'pre-end', { weights: weights(), state: s(0, 12, 12) });
    writeCheckpoint(at, 'last', { weights: weights(), state: s(1, 0, 12) });
    writeCheckpoint(at, 'best', { weights: weights(), state: s(0, 12, 12) });
    assert.equal(latestCheckpoint(at), join(at, 'last'));
    assert.equal(latestCheckpoint(join(at, 'best')), join(at, 'best'));
    assert.equal(latestCheckpoint(join(root, 'nowhere')), null);
  });

  it('reports damaged checkpoints with errors naming the file', () => {
    const at = join(root, 'g');
    const dir = writeCheckpoint(at, 'x', { weights: weights(), state: state(1) });
    const file = join(dir, 'trainer-state.json');
    const original = readFileSync(file, 'utf8');
    const cases: [() => void, RegExp][] = [
      [() => writeFileSync(file, '{"format":'), /trainer-state\.json: invalid JSON/],
      [
        () => writeFileSync(file, original.replace('"version":1', '"version":99')),
        /version 99 is not supported/,
      ],
      [
        () => writeFileSync(file, original.replace('"format":"descent-trainer-state"', '"format":"x"')),
        /format is "x"/,
      ],
      [
        () => writeFileSync(file, original.replace('"$tensor":"moments"', '"$tensor":"nope"')),
        /refers to tensor "nope", which state\.safetensors lacks/,
      ],
      [() => rmSync(file), /trainer-state\.json: cannot read \(ENOENT\): not a complete checkpoint/],
    ];
    for (const [damage, message] of cases) {
      writeFileSync(file, original);
      damage();
      assert.throws(
        () => readCheckpoint(dir),
        (e: Error) => e instanceof CheckpointError && e.message.startsWith(file) && message.test(e.message),
      );
    }
    writeFileSync(file, original);
    writeFileSync(
      join(dir, 'model.safetensors'),
      readFileSync(join(dir, 'model.safetensors')).subarray(0, 30),
    );
    assert.throws(
      () => readCheckpoint(dir),
      (e: Error) => e instanceof SafetensorsError && e.message.startsWith(join(dir, 'model.safetensors')),
    );
  });
});

describe('trainer-state fuzz', () => {
  it('300 seeded mutations of trainer-state.json: resume succeeds or throws an error naming the checkpoint', (t) => {
    manualSeed(1);
    const x = randn([64, 4]);
    const y = tensor(
      Array.from({ length: 64 }, (_, i) => i % 3),
      { dtype: 'int32' },
    );
    const build = () => {
      manualSeed(2);
      const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
      const optimizer = new Adam(model.parameters(), { lr: 0.01 });
      return new Trainer(model, tensorSource(x, y, { batchSize: 16 }), {
        epochs: 2,
        optimizer,
        metrics: ['accuracy', 'confusion'],
      });
    };
    const trainer = build();
    trainer.fit();
    const good = trainer.save(join(root, 'fuzz'), 'good');
    const text = readFileSync(join(good, 'trainer-state.json'), 'utf8');
    const g = new Generator(5);
    let loaded = 0;
    let rejected = 0;
    for (let i = 0; i < 300; i++) {
      const chars = text.split('');
      for (let k = 1 + g.integer(0, 3); k > 0; k--) {
        const at = g.integer(0, chars.length);
        chars[at] = '{}[]",:0123456789-.eEtrufalsn x'[g.integer(0, 31)]!;
      }
      const dir = join(root, 'fuzz', `m${i}`);
      cpSync(good, dir, { recursive: true });
      writeFileSync(join(dir, 'trainer-state.json'), chars.join(''));
      try {
        build().resume(dir);
        loaded++;
      } catch (error) {
        const message = (error as Error).message;
        assert.ok(
          message.startsWith(`Trainer.resume(${dir}): `) ||
            message.startsWith(join(dir, 'trainer-state.json')),
          `mutation ${i}: an error that does not name the checkpoint: ${(error as Error).stack}`,
        );
        rejected++;
      }
      rmSync(dir, { recursive: true });
    }
    assert.ok(existsSync(join(good, 'trainer-state.json')));
    t.diagnostic(`300 mutations: ${rejected} rejected, ${loaded} loaded`);
  });
});
