/// <reference types="vite/client" />

// The library's only references to Node in the browser-safe modules are guarded at run time; these
// declarations type them without pulling in all of @types/node (which would hide real Node use).
// src/backend/backend.ts: reads DESCENT_BACKEND when `typeof process !== 'undefined'`.
declare const process: { env?: Record<string, string | undefined> } | undefined;
// src/report/png.ts: `typeof import('node:zlib')` types the deflate found through process.getBuiltinModule.
declare module 'node:zlib' {
  export function deflateSync(data: Uint8Array, options?: { level?: number }): Uint8Array;
}
// src/data/loader.ts: prefetches with setImmediate when `typeof globalThis.setImmediate === 'function'` (absent in
// browsers, so the declared type is optimistic; the check guards every call).
// eslint-disable-next-line no-var
declare var setImmediate: (callback: () => void) => unknown;
