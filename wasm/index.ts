// AssemblyScript entry point of Descent's WebAssembly kernels, compiled twice by
// scripts/build-wasm.ts: with relaxed SIMD (fused multiply-add) and with plain SIMD. The JS side is
// src/backend/wasm/kernels.ts; every pointer here is a byte address into this module's memory.
export { sgemm, sgemmColAlign, sgemmCols, sgemmRowAlign, sgemmWorkspace } from './gemm';
export {
  binaryF32,
  binaryScalarF32,
  binaryRowsF32,
  adamF32,
  compareF32,
  reluGradF32,
  unaryF32,
} from './elementwise';
export { argReduceF32, sumF32 } from './reduce';
export { accumulateF64, col2imF32, im2colF32, maxPool2dF32, roundF64, zeroBytes } from './conv';
export { convJobSlots, convThread, sumChunksF64 } from './conv-batch';

/** The first free byte after the module's static data: the JS side manages memory from there. */
export function heapBase(): usize {
  return __heap_base;
}
