import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createJsBackend } from '../../src/backend/js/index.js';
import { BACKEND_PRIMITIVES, describeBackendSpec } from './spec.js';

describeBackendSpec('js', createJsBackend);

describe('js backend', () => {
  it('implements exactly the primitives the spec exercises', () => {
    assert.deepEqual(Object.keys(createJsBackend()).sort(), [...BACKEND_PRIMITIVES].sort());
  });

  it("is named 'js'", () => {
    assert.equal(createJsBackend().name, 'js');
  });
});
