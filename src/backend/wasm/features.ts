/**
 * Start-up feature detection for the WebAssembly backend: each feature is probed by validating the
 * smallest module that uses it, so nothing is compiled or run. Runtimes without fixed-width SIMD
 * (old browsers) keep the 'js' backend; those without relaxed SIMD (Node 20 without
 * --experimental-wasm-relaxed-simd, Safari before 18) run the plain-SIMD build of the kernels.
 */

export interface WasmFeatures {
  /** WebAssembly itself. */
  webAssembly: boolean;
  /** Fixed-width 128-bit SIMD. */
  simd: boolean;
  /** Relaxed SIMD (f32x4.relaxed_madd, a fused multiply-add where the hardware has one). */
  relaxedSimd: boolean;
}

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** (func (result v128) (v128.const i32x4 0 0 0 0)) */
const SIMD_PROBE: BufferSource = new Uint8Array([
  ...HEADER,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b, // code: v128.const
]); // prettier-ignore

/** (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))) */
const RELAXED_SIMD_PROBE: BufferSource = new Uint8Array([
  ...HEADER,
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type section: (v128 v128 v128) -> v128
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // code
]); // prettier-ignore

function validates(bytes: BufferSource): boolean {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** Probes the running engine (cheap: a few dozen bytes validated; call it again after changing V8 flags). */
export function detectWasmFeatures(): WasmFeatures {
  const webAssembly = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
  const simd = webAssembly && validates(SIMD_PROBE);
  return { webAssembly, simd, relaxedSimd: simd && validates(RELAXED_SIMD_PROBE) };
}
