// Builds the playground into web/dist: `npm run build:web` (also part of `npm run build`).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * Ships the files of `dir` whose names end in `suffix` beside the app under `url` as static files:
 * copied into the build, and served as they are by the dev server. The files are listed when used,
 * so a folder built after this config loads (dist/wasm) is seen.
 */
function staticFiles(name: string, dir: string, url: string, suffix: string, type: string): Plugin {
  const files = () => readdirSync(dir).filter((file) => file.endsWith(suffix));
  return {
    name,
    generateBundle() {
      for (const file of files()) {
        this.emitFile({ type: 'asset', fileName: url + file, source: readFileSync(join(dir, file)) });
      }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = req.url?.split('?')[0]?.replace(/^\/+/, '');
        const file = path?.startsWith(url) ? path.slice(url.length) : undefined;
        if (file === undefined || !files().includes(file)) return next();
        res.setHeader('Content-Type', type);
        res.end(readFileSync(join(dir, file)));
      });
    },
  };
}

/**
 * The embedded Fashion-MNIST subset's four gzipped IDX files (5 MiB, data/fashion-mnist-subset), which
 * the worker fetches only when a view trains on them.
 */
const embeddedSubset = () =>
  staticFiles(
    'descent-embedded-subset',
    fileURLToPath(new URL('../data/fashion-mnist-subset/', import.meta.url)),
    'data/fashion-mnist-subset/',
    '-ubyte.gz',
    'application/octet-stream',
  );

/** The WebAssembly kernels built by `npm run build:wasm` (dist/wasm), which the worker fetches from wasm/. */
const wasmKernels = () =>
  staticFiles(
    'descent-wasm-kernels',
    fileURLToPath(new URL('../dist/wasm/', import.meta.url)),
    'wasm/',
    '.wasm',
    'application/wasm',
  );

/** Cross-origin isolation, so that the worker's WebAssembly threads may share memory (as descent serve does). */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset paths, so the app works wherever it is served from (descent serve, a sub-path, a file host).
  base: './',
  plugins: [embeddedSubset(), wasmKernels()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Layer names come from constructor names (nn.featureMaps, nn.summary): keep them through minification.
    rolldownOptions: { output: { keepNames: true } },
  },
  worker: { format: 'es', rolldownOptions: { output: { keepNames: true } } },
  server: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
});
