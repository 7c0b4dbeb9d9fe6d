/**
 * Reads the built kernels from disk in Node. They are build outputs in dist/wasm/ (see
 * scripts/build-wasm.ts), found from this file whether it runs from src/ (tsx, the tests) or from
 * dist/ (the published package).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { WasmBuild } from './load.js';

const FILES: Record<WasmBuild, string> = {
  relaxed: 'descent-relaxed.wasm',
  simd: 'descent-simd.wasm',
  'relaxed-threads': 'descent-relaxed-threads.wasm',
  'simd-threads': 'descent-simd-threads.wasm',
};

const CANDIDATE_DIRS = [
  new URL('../../wasm/', import.meta.url), // dist/backend/wasm/ -> dist/wasm/
  new URL('../../../dist/wasm/', import.meta.url), // src/backend/wasm/ -> dist/wasm/
];

/** The bytes of one build of the kernels; throws, saying how to build them, when they are missing. */
export function readWasmKernelBytes(build: WasmBuild): BufferSource {
  for (const dir of CANDIDATE_DIRS) {
    const path = fileURLToPath(new URL(FILES[build], dir));
    if (existsSync(path)) return new Uint8Array(readFileSync(path));
  }
  const looked = CANDIDATE_DIRS.map((d) => fileURLToPath(new URL(FILES[build], d))).join(', ');
  throw new Error(
    `wasm backend: the WebAssembly kernels are not built (looked for ${looked}); run \`npm run build:wasm\``,
  );
}
