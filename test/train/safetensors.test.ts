/**
 * safetensors: round trips of every dtype, the byte layout checked against the format's spec by
 * parsing it by hand (PyTorch and the `safetensors` Python package are not installed here, so no
 * cross-check with them), files written the way the reference writer does read back, and a fuzz test
 * of 1,200 seeded mutations of a valid file: each loads or raises a SafetensorsError naming the file,
 * and loading never writes anything.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { Linear, ReLU, Sequential } from '../../src/nn/index.js';
import { tensor } from '../../src/tensor/creation.js';
import { Generator, manualSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import {
  MAX_HEADER_LENGTH,
  SafetensorsError,
  deserializeSafetensors,
  loadSafetensors,
  saveSafetensors,
  serializeSafetensors,
} from '../../src/train/index.js';
import { makeTempDir } from './fixtures/temp-dir.js';

const root = makeTempDir('descent-safetensors-');
after(() => rmSync(root, { recursive: true, force: true }));

function sample(): Record<string, Tensor> {
  return {
    'layer.weight': tensor([
      [1.5, -2, 0.25],
      [Math.PI, -0, 1e-30],
    ]),
    'layer.bias': tensor([NaN, Infinity], { dtype: 'float32' }),
    'norm.running_var': tensor([1 / 3, 2 / 3], { dtype: 'float64' }),
    'norm.num_batches_tracked': tensor(7, { dtype: 'int32' }),
    mask: tensor([true, false, true]),
    empty: tensor([], { dtype: 'float32' }).reshape([0, 4]),
  };
}

function bytesOf(t: Tensor): Buffer {
  return Buffer.from(t._data.buffer, t._data.byteOffset, t._data.byteLength);
}

function header(bytes: Uint8Array): { length: number; json: Record<string, unknown>; raw: string } {
  const length = Number(Buffer.from(bytes).readBigUInt64LE(0));
  const raw = Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8');
  return { length, json: JSON.parse(raw) as Record<string, unknown>, raw };
}

describe('safetensors format', () => {
  it('round-trips every dtype bit for bit, with metadata', () => {
    const tensors = sample();
    const bytes = serializeSafetensors(tensors, { format: 'pt', note: 'hello' });
    const back = deserializeSafetensors(bytes, 'memory');
    assert.deepEqual(back.metadata, { format: 'pt', note: 'hello' });
    assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const u = back.tensors[name]!;
      assert.equal(u.dtype, t.dtype, name);
      assert.deepEqual(u.shape, t.shape, name);
      assert.ok(bytesOf(u).equals(bytesOf(t)), name);
    }
  });

  it('lays the file out as the spec says: u64 LE header length, padded JSON header, tiled little-endian data', () => {
    const tensors = sample();
    const bytes = serializeSafetensors(tensors, { format: 'pt' });
    const { length, json, raw } = header(bytes);
    assert.equal(length % 8, 0, 'the header is padded to 8 bytes');
    assert.equal(raw.trimEnd(), JSON.stringify(json), 'padding is trailing spaces only');
    assert.ok(raw.startsWith('{'));
    assert.deepEqual(json.__metadata__, { format: 'pt' });
    const data = Buffer.from(bytes.subarray(8 + length));
    const entries = Object.entries(json)
      .filter(([k]) => k !== '__metadata__')
      .map(([name, v]) => ({
        name,
        ...(v as { dtype: string; shape: number[]; data_offsets: [number, number] }),
      }))
      .sort((a, b) => a.data_offsets[0] - b.data_offsets[0]);
    const dtypes: Record<string, [string, number]> = {
      float32: ['F32', 4],
      float64: ['F64', 8],
      int32: ['I32', 4],
      bool: ['BOOL', 1],
    };
    let offset = 0;
    for (const e of entries) {
      const t = tensors[e.name]!;
      const [dtype, size] = dtypes[t.dtype]!;
      assert.equal(e.dtype, dtype, e.name);
      assert.deepEqual(e.shape, [...t.shape], e.name);
      assert.equal(e.data_offsets[0], offset, `${e.name} starts where the previous tensor ends`);
      assert.equal(e.data_offsets[1] - e.data_offsets[0], t.numel * size, e.name);
      assert.equal((8 + length + offset) % size, 0, `${e.name} is aligned to its element size`);
      // Little-endian element by element, read independently of the typed-array layout.
      const chunk = data.subarray(e.data_offsets[0], e.data_offsets[1]);
      for (let i = 0; i < t.numel; i++) {
        const v = t._data[i]!;
        const read =
          dtype === 'F32'
            ? chunk.readFloatLE(4 * i)
            : dtype === 'F64'
              ? chunk.readDoubleLE(8 * i)
              : dtype === 'I32'
                ? chunk.readInt32LE(4 * i)
                : chunk.readUInt8(i);
        assert.ok(Object.is(read, v) || (Number.isNaN(read) && Number.isNaN(v)), `${e.name}[${i}]`);
      }
      offset = e.data_offsets[1];
    }
    assert.equal(offset, data.length, 'the tensors cover the data exactly');
    // The reference writer's order: larger elements first, then by name.
    assert.deepEqual(
      entries.map((e) => e.name),
      ['norm.running_var', 'layer.bias', 'layer.weight', 'norm.num_batches_tracked', 'empty', 'mask'].sort(
        (a, b) => {
          const size = (n: string) => tensors[n]!._data.BYTES_PER_ELEMENT;
          return size(b) - size(a) || (a < b ? -1 : 1);
        },
      ),
    );
  });

  it('reads a file built by hand the way PyTorch writes one (F32 weight, I64 counter, F16 and BF16)', () => {
    const head = JSON.stringify({
      __metadata__: { format: 'pt' },
      'bn.num_batches_tracked': { dtype: 'I64', shape: [], data_offsets: [0, 8] },
      'fc.weight': { dtype: 'F32', shape: [1, 2], data_offsets: [8, 16] },
      half: { dtype: 'F16', shape: [3], data_offsets: [16, 22] },
      brain: { dtype: 'BF16', shape: [2], data_offsets: [22, 26] },
    });
    const data = Buffer.alloc(26);
    data.writeBigInt64LE(12345n, 0);
    data.writeFloatLE(0.5, 8);
    data.writeFloatLE(-3, 12);
    data.writeUInt16LE(0x3c00, 16); // 1
    data.writeUInt16LE(0xc000, 18); // -2
    data.writeUInt16LE(0x7c00, 20); // +inf
    data.writeUInt16LE(0x3fc0, 22); // 1.5
    data.writeUInt16LE(0xc2f7, 24); // -123.5
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(head.length));
    const file = join(root, 'by-hand.safetensors');
    writeFileSync(file, Buffer.concat([length, Buffer.from(head), data]));
    const { tensors, metadata } = loadSafetensors(file);
    assert.deepEqual(metadata, { format: 'pt' });
    assert.deepEqual(Object.keys(tensors), ['bn.num_batches_tracked', 'fc.weight', 'half', 'brain']);
    assert.equal(tensors['bn.num_batches_tracked']!.dtype, 'int32');
    assert.equal(tensors['bn.num_batches_tracked']!.item(), 12345);
    assert.deepEqual(tensors['fc.weight']!.toArray(), [[0.5, -3]]);
    assert.deepEqual(tensors.half!.toArray(), [1, -2, Infinity]);
    assert.deepEqual(tensors.brain!.toArray(), [1.5, -123.5]);
  });

  it("saves a model's state dict under PyTorch's dotted names and loads it back into a fresh model", () => {
    manualSeed(3);
    const model = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    const file = join(root, 'model.safetensors');
    saveSafetensors(file, model.stateDict());
    const { json } = header(readFileSync(file));
    assert.deepEqual(Object.keys(json).sort(), ['0.bias', '0.weight', '2.bias', '2.weight', '__metadata__']);
    manualSeed(4);
    const fresh = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    fresh.loadStateDict(loadSafetensors(file).tensors);
    for (const [name, t] of Object.entries(model.stateDict())) {
      assert.ok(bytesOf(fresh.stateDict()[name]!).equals(bytesOf(t)), name);
    }
  });

  const bad: [string, (b: Buffer) => Buffer, RegExp][] = [
    ['a file under 8 bytes', (b) => b.subarray(0, 5), /too short for the 8-byte header length/],
    [
      'a header length past the end',
      (b) => b.subarray(0, 40),
      /header length is \d+ bytes but only 32 bytes follow/,
    ],
    [
      'a header length over the limit',
      (b) => {
        const c = Buffer.from(b);
        c.writeBigUInt64LE(BigInt(MAX_HEADER_LENGTH) + 1n);
        return c;
      },
      /exceeds the limit/,
    ],
    ['a header length of 0', (b) => Buffer.concat([Buffer.alloc(8), b.subarray(8)]), /header length is 0/],
    [
      'a truncated data section',
      (b) => b.subarray(0, b.length - 3),
      /ends at byte \d+ of the data but the file holds \d+ data bytes/,
    ],
    ['trailing bytes', (b) => Buffer.concat([b, Buffer.from([1, 2, 3])]), /trailing bytes/],
  ];
  for (const [what, mutate, message] of bad) {
    it(`rejects ${what}, naming the file`, () => {
      const file = join(root, `bad-${what.replace(/\W+/g, '-')}.safetensors`);
      writeFileSync(file, mutate(Buffer.from(serializeSafetensors(sample()))));
      assert.throws(
        () => loadSafetensors(file),
        (error: Error) =>
          error instanceof SafetensorsError && error.message.startsWith(file) && message.test(error.message),
      );
    });
  }

  it('rejects overlapping, holey, mis-sized and mistyped entries', () => {
    const make = (entries: Record<string, unknown>, dataLength: number) => {
      const head = Buffer.from(JSON.stringify(entries));
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(head.length));
      return Buffer.concat([length, head, Buffer.alloc(dataLength)]);
    };
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        12,
        /overlaps/,
      ],
      [{ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8, /hole/],
      [{ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8, /12 bytes, but its data_offsets span 8/],
      [{ a: { dtype: 'F31', shape: [2], data_offsets: [0, 8] } }, 8, /unknown dtype "F31"/],
      [
        { a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } },
        8,
        /shape that is not a list of non-negative integers/,
      ],
      [{ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, 8, /run backwards/],
      [{ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8], extra: 1 } }, 8, /unknown field "extra"/],
      [{ a: { dtype: 'F32', data_offsets: [0, 8] } }, 8, /shape/],
      [{ __metadata__: { n: 1 } }, 0, /__metadata__ "n" is not a string/],
      [{ a: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] } }, 1, null as unknown as RegExp],
    ];
    for (const [entries, dataLength, message] of cases) {
      const bytes = make(entries, dataLength);
      if (message === null) {
        deserializeSafetensors(bytes, 'ok');
        continue;
      }
      assert.throws(
        () => deserializeSafetensors(bytes, 'case.safetensors'),
        (e: Error) =>
          e instanceof SafetensorsError &&
          e.message.startsWith('case.safetensors: ') &&
          message.test(e.message),
        JSON.stringify(entries),
      );
    }
  });
});

describe('safetensors fuzz', () => {
  it('1,200 seeded mutations of a valid file each load or raise a clean error naming the file; nothing is written', (t) => {
    const dir = join(root, 'fuzz');
    mkdirSync(dir);
    const good = join(root, 'good.safetensors');
    const valid = Buffer.from(serializeSafetensors(sample(), { format: 'pt', owner: 'fuzz' }));
    writeFileSync(good, valid);
    const goodHash = createHash('sha256').update(readFileSync(good)).digest('hex');
    const { length: headerLength, json } = header(valid);
    const g = new Generator(99);
    const int = (n: number) => g.integer(0, n);
    const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;

    const withHeader = (text: string, data = valid.subarray(8 + headerLength)) => {
      const head = Buffer.from(text);
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(head.length));
      return Buffer.concat([length, head, data]);
    };
    const editJson = (edit: (h: Record<string, Record<string, unknown>>) => void) => {
      const h = structuredClone(json) as Record<string, Record<string, unknown>>;
      edit(h);
      return withHeader(JSON.stringify(h));
    };
    const names = Object.keys(json).filter((k) => k !== '__metadata__');
    const mutations: Record<string, () => Buffer> = {
      truncate: () => valid.subarray(0, int(valid.length)),
      'flip bits': () => {
        const c = Buffer.from(valid);
        const region = g.random() < 0.6 ? 8 + headerLength : c.length;
        for (let k = 1 + int(4); k > 0; k--) {
          const at = int(region);
          c[at] = c[at]! ^ (1 << int(8));
        }
        return c;
      },
      'header length': () => {
        const c = Buffer.from(valid);
        const choices = [
          0n,
          1n,
          2n,
          BigInt(headerLength + 1 + int(64)),
          BigInt(headerLength - 1 - int(16)),
          2n ** 63n,
          2n ** 64n - 1n,
          BigInt(int(2 ** 31)),
        ];
        c.writeBigUInt64LE(pick(choices));
        return c;
      },
      'JSON garbage': () => {
        const text = Buffer.from(valid.subarray(8, 8 + headerLength))
          .toString('latin1')
          .split('');
        for (let k = 1 + int(6); k > 0; k--)
          text[int(text.length)] = pick(['{', '}', '"', ',', ':', '[', ']', '\\', 'x', '0', '\u00ff', ' ']);
        const c = Buffer.from(valid);
        c.write(text.join(''), 8, 'latin1');
        return c;
      },
      'random header': () =>
        withHeader(
          pick([
            '',
            '[]',
            'null',
            '{',
            '{"a":',
            '"x"',
            '{"a":1}',
            '{"a":{}}',
            '{"__metadata__":[]}',
            '\uFEFF{}',
            '{}'.padEnd(int(64), 'z'),
          ]),
        ),
      'offset overlap': () =>
        editJson((h) => {
          const a = h[pick(names)]!;
          const b = h[pick(names)]!;
          const [start, end] = b.data_offsets as [number, number];
          const shift = int(9) - 4;
          a.data_offsets = [Math.max(0, start + shift), Math.max(0, end + shift)];
        }),
      'swap offsets': () =>
        editJson((h) => {
          const a = h[pick(names)]!;
          const b = h[pick(names)]!;
          [a.data_offsets, b.data_offsets] = [b.data_offsets, a.data_offsets];
        }),
      'bad fields': () =>
        editJson((h) => {
          const e = h[pick(names)]!;
          const field = pick(['dtype', 'shape', 'data_offsets', 'extra']);
          e[field] = pick([
            null,
            -1,
            1.5,
            'F64',
            'I64',
            'U8',
            'F8_E4M3',
            [],
            [2 ** 60],
            [-1, 3],
            [3, 2.5],
            { a: 1 },
            '',
            [1e300],
            [0, 2 ** 53],
          ]);
        }),
      'drop entry': () =>
        editJson((h) => {
          delete h[pick(names)];
        }),
      'duplicate key': () => {
        const text = Buffer.from(valid.subarray(8, 8 + headerLength))
          .toString('utf8')
          .trimEnd();
        const name = pick(names);
        const entry = JSON.stringify(json[name]);
        return withHeader(text.slice(0, -1) + `,${JSON.stringify(name)}:${entry}}`);
      },
      'trailing or missing data': () =>
        g.random() < 0.5
          ? Buffer.concat([valid, Buffer.alloc(1 + int(16), 7)])
          : valid.subarray(0, valid.length - 1 - int(8)),
    };
    const kinds = Object.keys(mutations);
    const outcomes: Record<string, { loaded: number; rejected: number }> = {};
    const COUNT = 1200;
    const start = performance.now();
    for (let i = 0; i < COUNT; i++) {
      const kind = kinds[i % kinds.length]!;
      const bytes = mutations[kind]!();
      const file = join(dir, `m${i}.safetensors`);
      writeFileSync(file, bytes, { flag: 'w' });
      outcomes[kind] ??= { loaded: 0, rejected: 0 };
      const t0 = performance.now();
      try {
        const { tensors } = loadSafetensors(file);
        for (const t of Object.values(tensors))
          assert.equal(
            t.numel,
            t.shape.reduce((a, b) => a * b, 1),
          );
        outcomes[kind]!.loaded++;
      } catch (error) {
        if (!(error instanceof SafetensorsError) || !error.message.startsWith(`${file}: `)) {
          assert.fail(`mutation ${i} (${kind}) raised an unclean error: ${(error as Error).stack}`);
        }
        outcomes[kind]!.rejected++;
      }
      assert.ok(performance.now() - t0 < 2000, `mutation ${i} (${kind}) took too long`);
      assert.ok(readFileSync(file).equals(bytes), `loading mutation ${i} changed the file`);
      rmSync(file);
    }
    assert.equal(
      createHash('sha256').update(readFileSync(good)).digest('hex'),
      goodHash,
      'the good file changed',
    );
    assert.deepEqual(readdirSync(dir), [], 'loading left files behind');
    const total = Object.values(outcomes).reduce((n, o) => n + o.loaded + o.rejected, 0);
    assert.equal(total, COUNT);
    for (const kind of ['truncate', 'header length', 'offset overlap', 'random header']) {
      assert.ok(outcomes[kind]!.rejected > 0, `${kind} never rejected`);
    }
    t.diagnostic(
      `${COUNT} mutations in ${Math.round(performance.now() - start)} ms: ` +
        Object.entries(outcomes)
          .map(([k, o]) => `${k} ${o.rejected} rejected/${o.loaded} loaded`)
          .join('; '),
    );
  });
});
