// Builds the playground into web/dist: `npm run build:web` (also part of `npm run build`).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/** The embedded Fashion-MNIST subset (data/fashion-mnist-subset), which the Train view fetches. */
const SUBSET_DIR = fileURLToPath(new URL('../data/fashion-mnist-subset/', import.meta.url));
const SUBSET_URL = 'data/fashion-mnist-subset/';
const SUBSET_FILES = readdirSync(SUBSET_DIR).filter((name) => name.endsWith('-ubyte.gz'));

/**
 * Ships the subset's four gzipped IDX files (5 MiB) beside the app as static files, fetched only when
 * a view trains on them: copied into the build, and served as they are by the dev server.
 */
function embeddedSubset(): Plugin {
  return {
    name: 'descent-embedded-subset',
    generateBundle() {
      for (const name of SUBSET_FILES) {
        this.emitFile({
          type: 'asset',
          fileName: SUBSET_URL + name,
          source: readFileSync(join(SUBSET_DIR, name)),
        });
      }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = req.url?.split('?')[0]?.replace(/^\/+/, '');
        const file = name?.startsWith(SUBSET_URL) ? name.slice(SUBSET_URL.length) : undefined;
        if (file === undefined || !SUBSET_FILES.includes(file)) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(readFileSync(join(SUBSET_DIR, file)));
      });
    },
  };
}

/** The WebAssembly kernels built by `npm run build:wasm` (dist/wasm), which the worker fetches from wasm/. */
const WASM_DIR = fileURLToPath(new URL('../dist/wasm/', import.meta.url));
const WASM_URL = 'wasm/';

/** Ships the kernels' builds beside the app: copied into the build, served by the dev server. */
function wasmKernels(): Plugin {
  const files = () => readdirSync(WASM_DIR).filter((name) => name.endsWith('.wasm'));
  return {
    name: 'descent-wasm-kernels',
    generateBundle() {
      for (const name of files()) {
        this.emitFile({
          type: 'asset',
          fileName: WASM_URL + name,
          source: readFileSync(join(WASM_DIR, name)),
        });
      }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = req.url?.split('?')[0]?.replace(/^\/+/, '');
        const file = name?.startsWith(WASM_URL) ? name.slice(WASM_URL.length) : undefined;
        if (file === undefined || !files().includes(file)) return next();
        res.setHeader('Content-Type', 'application/wasm');
        res.end(readFileSync(join(WASM_DIR, file)));
      });
    },
  };
}

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
