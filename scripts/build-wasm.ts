/**
 * Builds Descent's WebAssembly kernels from source: the AssemblyScript files in wasm/ are compiled by
 * the `assemblyscript` compiler (a dev dependency, from npm) into
 *
 *   dist/wasm/descent-relaxed.wasm           SIMD with relaxed-SIMD fused multiply-add
 *   dist/wasm/descent-simd.wasm              plain 128-bit SIMD, the fallback
 *   dist/wasm/descent-relaxed-threads.wasm   the same two with an imported shared memory, for
 *   dist/wasm/descent-simd-threads.wasm      GEMM split across worker threads
 *
 * The loader (src/backend/wasm) picks one at start-up by feature detection. The .wasm files are build
 * outputs, never committed: `npm run build:wasm` runs this script, `npm run build` (and so `npm ci`,
 * through `prepare`) runs it first, and the wasm backend's tests rebuild when a source is newer than
 * an output (`ensureWasmBuilt`).
 *
 *   npx tsx scripts/build-wasm.ts [--force]
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'wasm');
export const wasmOutDir = join(root, 'dist', 'wasm');

const SHARED_MEMORY = ['--enable', 'threads', '--importMemory', '--sharedMemory', '--maximumMemory', '65536'];

/** The four builds: their file names and the compiler flags that differ. */
export const WASM_VARIANTS = {
  relaxed: { file: 'descent-relaxed.wasm', flags: ['--enable', 'simd', '--enable', 'relaxed-simd'] },
  simd: { file: 'descent-simd.wasm', flags: ['--enable', 'simd'] },
  'relaxed-threads': {
    file: 'descent-relaxed-threads.wasm',
    flags: ['--enable', 'simd', '--enable', 'relaxed-simd', ...SHARED_MEMORY],
  },
  'simd-threads': { file: 'descent-simd-threads.wasm', flags: ['--enable', 'simd', ...SHARED_MEMORY] },
} as const;

function sources(): string[] {
  const files = readdirSync(sourceDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(sourceDir, f));
  return [...files, fileURLToPath(import.meta.url)];
}

/** True when an output is missing or older than a kernel source (or this script). */
export function isWasmBuildStale(): boolean {
  const newestSource = Math.max(...sources().map((f) => statSync(f).mtimeMs));
  return Object.values(WASM_VARIANTS).some((v) => {
    const out = join(wasmOutDir, v.file);
    return !existsSync(out) || statSync(out).mtimeMs < newestSource;
  });
}

/**
 * Compiles both variants (in parallel); throws with the compiler's output on an error. The compiler
 * runs in plain Node processes: loaded through tsx, its 10 MB Binaryen module compiles ten times slower.
 */
export async function buildWasm(log: (line: string) => void = console.log): Promise<void> {
  const ascPackage = createRequire(import.meta.url).resolve('assemblyscript/package.json');
  const ascBin = join(dirname(ascPackage), 'bin', 'asc.js');
  mkdirSync(wasmOutDir, { recursive: true });
  await Promise.all(
    Object.entries(WASM_VARIANTS).map(async ([name, variant]) => {
      const out = join(wasmOutDir, variant.file);
      const args = [
        ascBin, join(sourceDir, 'index.ts'),
        '--outFile', out,
        '-O3', '--noAssert',
        // No garbage collector or allocator: the JS side manages the linear memory.
        '--runtime', 'stub',
        ...variant.flags,
      ]; // prettier-ignore
      await new Promise<void>((done, fail) =>
        execFile(process.execPath, args, { cwd: root }, (error, stdout, stderr) => {
          if (error) fail(new Error(`build-wasm: compiling the ${name} kernels failed\n${stdout}${stderr}`));
          else done();
        }),
      );
      log(`build-wasm: ${relative(root, out)} (${statSync(out).size} bytes)`);
    }),
  );
}

/** Builds when stale; what the wasm backend's tests call before they load the kernels. */
export async function ensureWasmBuilt(log: (line: string) => void = console.log): Promise<void> {
  if (isWasmBuildStale()) await buildWasm(log);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const force = process.argv.includes('--force');
  await (force ? buildWasm() : ensureWasmBuilt()).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
