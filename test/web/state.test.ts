// The playground's URL state: every view's state survives encode → decode, and a bad or unknown
// field is ignored with a warning instead of breaking the link.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  booleanField,
  choiceField,
  decodeState,
  encodeState,
  listField,
  numberField,
  type Schema,
} from '../../web/src/state/codec.js';
import { DESCENT_DEFAULTS, DESCENT_SCHEMA, type DescentState } from '../../web/src/state/descent-state.js';
import { TRAIN_DEFAULTS, TRAIN_SCHEMA } from '../../web/src/state/train-state.js';
import { INSIDE_DEFAULTS, INSIDE_SCHEMA, trainStateOf } from '../../web/src/state/inside-state.js';
import { formatRacer, parseRacer } from '../../web/src/engine/racer.js';

interface Toy {
  /** A number. */
  n: number;
  /** A name. */
  kind: 'a' | 'b';
  /** A flag. */
  on: boolean;
  /** Some integers. */
  list: number[];
}
const TOY_SCHEMA: Schema<Toy> = {
  n: numberField({ min: 0, max: 10 }),
  kind: choiceField(['a', 'b'] as const),
  on: booleanField(),
  list: listField(numberField({ integer: true }), { max: 3 }),
};
const TOY: Toy = { n: 1, kind: 'a', on: false, list: [1, 2] };

describe('URL state codec', () => {
  test('encodes every field in schema order and decodes it back', () => {
    const state: Toy = { n: 2.5, kind: 'b', on: true, list: [] };
    const query = encodeState(state, TOY_SCHEMA);
    assert.equal(query, 'n=2.5&kind=b&on=true&list=');
    assert.deepEqual(decodeState(query, TOY_SCHEMA, TOY), { state, warnings: [] });
  });

  test('unknown fields, invalid values and repeats are ignored with one warning each', () => {
    const { state, warnings } = decodeState('?n=11&kind=c&on=yes&list=1,2.5&zoom=3&n=2', TOY_SCHEMA, TOY);
    assert.deepEqual(state, TOY);
    assert.equal(warnings.length, 6);
    assert.match(warnings.join('\n'), /n=11: 11 is outside \[0, 10\]/);
    assert.match(warnings.join('\n'), /kind=c: 'c' is not one of a, b/);
    assert.match(warnings.join('\n'), /list=1,2\.5: item 2: '2\.5' is not an integer/);
    assert.match(warnings.join('\n'), /unknown field 'zoom'/);
    assert.match(warnings.join('\n'), /second value for 'n'/);
  });

  test('decoding never changes the defaults object', () => {
    const defaults = structuredClone(TOY);
    decodeState('list=7', TOY_SCHEMA, defaults);
    assert.deepEqual(defaults, TOY);
  });

  test('the Descent and Train states round-trip through the URL', () => {
    const descent: DescentState = {
      ...structuredClone(DESCENT_DEFAULTS),
      surface: 'bowl',
      condition: 250,
      start: [0.5, -2],
      racers: [
        parseRacer('adam:lr=0.1,betas=0.8/0.99|sched=warmup-cosine'),
        parseRacer('sgd:lr=0.01,momentum=0.9,nesterov=true|switch=adam@100s:lr=0.01'),
      ],
    };
    const query = encodeState(descent, DESCENT_SCHEMA);
    assert.match(query, /racers=adam:lr=0\.1,betas=0\.8\/0\.99\|sched=warmup-cosine;sgd:/);
    assert.deepEqual(decodeState(query, DESCENT_SCHEMA, DESCENT_DEFAULTS), { state: descent, warnings: [] });
    const train = {
      ...structuredClone(TRAIN_DEFAULTS),
      dataset: 'xor' as const,
      hidden: [8, 4, 2],
      lr: 0.003,
    };
    assert.deepEqual(decodeState(encodeState(train, TRAIN_SCHEMA), TRAIN_SCHEMA, TRAIN_DEFAULTS), {
      state: train,
      warnings: [],
    });
  });

  test('the image fields of the Train state round-trip, and a bad augmentation spec only warns', () => {
    const train = {
      ...structuredClone(TRAIN_DEFAULTS),
      dataset: 'fashion-mnist' as const,
      model: 'cnn' as const,
      channels: [4, 8],
      images: 3000,
      valImages: 500,
      augment: 'rotate=10,crop=2,flip',
    };
    const query = encodeState(train, TRAIN_SCHEMA);
    assert.match(query, /&augment=rotate=10,crop=2,flip$/);
    assert.deepEqual(decodeState(query, TRAIN_SCHEMA, TRAIN_DEFAULTS), { state: train, warnings: [] });
    const bad = decodeState('dataset=fashion-mnist&augment=spin=3', TRAIN_SCHEMA, TRAIN_DEFAULTS);
    assert.equal(bad.state.augment, '');
    assert.match(bad.warnings.join('\n'), /augment=spin=3: unknown augmentation 'spin'/);
    const inside = decodeState(`${query}&image=12`, INSIDE_SCHEMA, INSIDE_DEFAULTS);
    assert.deepEqual(inside, { state: { ...train, image: 12 }, warnings: [] });
    assert.deepEqual(trainStateOf(inside.state), train);
  });

  test('the default racers need no escaping beyond the spec characters', () => {
    const query = encodeState(DESCENT_DEFAULTS, DESCENT_SCHEMA);
    assert.doesNotMatch(query, /%/);
  });
});

describe('racer specs', () => {
  test('format and parse are inverse', () => {
    for (const text of [
      'adam',
      'sgd:lr=0.001,momentum=0.9',
      'lion:lr=0.001|sched=onecycle',
      'adam|switch=sgd@50s',
    ]) {
      assert.equal(formatRacer(parseRacer(text)), text);
    }
  });

  test('invalid specs say what is wrong', () => {
    assert.throws(() => parseRacer('adamx'), /unknown optimizer 'adamx'; valid: sgd, adam/);
    assert.throws(() => parseRacer('adam:momentum=0.9'), /adam has no option 'momentum'/);
    assert.throws(() => parseRacer('adam:betas=0.9'), /betas takes 2 numbers/);
    assert.throws(() => parseRacer('sgd:nesterov=1'), /nesterov takes true or false/);
    assert.throws(() => parseRacer('sgd:lr=-1'), /lr/);
    assert.throws(() => parseRacer('sgd|sched=sometimes'), /unknown schedule 'sometimes'/);
    assert.throws(() => parseRacer('sgd|switch=adam@3'), /a race counts steps/);
    assert.throws(() => parseRacer('sgd|switch=nope@3s'), /unknown optimizer 'nope'/);
  });
});
