import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import {
  availableBackends,
  getBackend,
  registerBackend,
  setBackend,
  type Backend,
} from '../../src/backend/backend.js';
import { createJsBackend } from '../../src/backend/js/index.js';
import { tensor } from '../../src/index.js';

const entry = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), '../../src/index.ts')).href;

/** Runs a snippet in a fresh Node process (a fresh backend registry) with DESCENT_BACKEND set or unset. */
function runWithEnv(code: string, descentBackend: string | undefined) {
  const env = { ...process.env };
  delete env.DESCENT_BACKEND;
  if (descentBackend !== undefined) env.DESCENT_BACKEND = descentBackend;
  const script = `const m = await import(${JSON.stringify(entry)});\n${code}`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env,
    encoding: 'utf8',
  });
}

/** The js backend with every call counted, to see that tensor ops really go through the seam. */
function countingBackend(counts: Map<string, number>): Backend {
  const js = createJsBackend() as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { name: 'counting-js' };
  for (const [key, value] of Object.entries(js)) {
    if (typeof value !== 'function') continue;
    out[key] = (...args: unknown[]) => {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return (value as (...a: unknown[]) => unknown)(...args);
    };
  }
  return out as unknown as Backend;
}

describe('backend registry', () => {
  after(() => setBackend('js'));

  it("lists 'js' among the available backends and uses it by default", () => {
    assert.ok(availableBackends().includes('js'));
    assert.equal(getBackend().name, process.env.DESCENT_BACKEND || 'js');
  });

  it('setBackend returns the chosen backend and makes it current', () => {
    const b = setBackend('js');
    assert.equal(b.name, 'js');
    assert.equal(getBackend(), b);
  });

  it('setBackend with an unknown name says which backends exist', () => {
    assert.throws(
      () => setBackend('webgpu-nope'),
      (e: Error) =>
        e instanceof RangeError &&
        e.message.includes("unknown backend 'webgpu-nope'") &&
        e.message.includes('available: ') &&
        e.message.includes('js'),
    );
    // A failed switch leaves the current backend in place.
    assert.equal(getBackend().name, 'js');
  });

  it('registerBackend: tensor ops run through whichever backend is current', () => {
    const counts = new Map<string, number>();
    registerBackend('counting-js', () => countingBackend(counts));
    assert.ok(availableBackends().includes('counting-js'));
    setBackend('counting-js');
    try {
      const x = tensor([
        [1, 2],
        [3, 4],
      ]);
      const y = x.matmul(x).add(1).exp().sum(1).transpose(0, 0);
      assert.equal(y.shape.length, 1);
      for (const p of ['allocate', 'matmul', 'binary', 'unary', 'reduce']) {
        assert.ok((counts.get(p) ?? 0) > 0, `${p} went through the registered backend`);
      }
    } finally {
      setBackend('js');
    }
  });

  describe('DESCENT_BACKEND', () => {
    it("falls back to 'js' when unset or empty", () => {
      for (const value of [undefined, '']) {
        const r = runWithEnv('console.log(m.getBackend().name)', value);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), 'js');
      }
    });

    it('chooses the named backend', () => {
      const r = runWithEnv('console.log(m.getBackend().name, m.tensor([1, 2]).add(1).toArray())', 'js');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'js [ 2, 3 ]');
    });

    it('an unknown name fails at the first op with the variable, the name and the available backends', () => {
      const r = runWithEnv('m.tensor([1, 2]).add(1)', 'no-such-backend');
      assert.notEqual(r.status, 0);
      assert.match(
        r.stderr,
        /RangeError: DESCENT_BACKEND='no-such-backend' names an unknown backend; available: js/,
      );
    });

    it('setBackend overrides the variable', () => {
      const r = runWithEnv("console.log(m.setBackend('js').name, m.getBackend().name)", 'no-such-backend');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'js js');
    });
  });
});
