// AssemblyScript (compiled by scripts/build-wasm.ts, not by tsc): a whole batch of a convolution, its
// input gradient or its weight gradient, shared out by images between threads (and max pooling, by
// planes). Each thread builds one
// image's columns at a time in its own buffer and runs the packed GEMM on them (one per group), so
// threads never write the same memory, and the per-image GEMMs need no synchronisation. The JS side
// (src/backend/wasm/backend.ts) writes the job's description into memory and every thread, the caller
// included, calls convThread(job, itsIndex).
//
// The weight gradient sums over the batch: images are grouped in CHUNKS fixed chunks (independent of
// the thread count), each chunk summed in float64 in image order into its own accumulator, and the
// chunks then added in order and rounded once (sumChunksF64). So every thread count gives the same
// bits.
import { sgemm } from './gemm';
import { accumulateF64, col2imF32, im2colF32, maxPool2dF32 } from './conv';

// The job: i32 slots at byte address `job`.
const KIND = 0; // 0 forward, 1 input gradient, 2 weight gradient, 3 max pooling (planes shared out)
const X = 1; // input images (forward, weight gradient, pooling)
const W = 2; // weights (forward, input gradient)
const Y = 3; // forward: output; gradients: dy; pooling: values
const DX = 4; // input gradient: output; pooling: the winners' indices
const ACC = 5; // weight gradient: chunk c's float64 accumulator at ACC + c·size·8
const BATCH = 6; // images; pooling: planes
const CHANNELS = 7;
const GEOMETRY = 8; // height, width, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow (12 slots)
const GROUPS = 20;
const PER_GROUP = 21; // output channels per group
const ROWS = 22; // rows of one group's columns: (channels / groups)·kh·kw
const SPATIAL = 23; // oh·ow
const IMAGE = 24; // floats per input image
const PER_IMAGE = 25; // floats per output image
const SIZE = 26; // floats of the weights
const THREADS = 27;
const CHUNKS = 28;
const COLS = 29; // thread i's column buffer at COLS + i·COLS_STRIDE (bytes)
const COLS_STRIDE = 30;
const TMP = 31; // weight gradient: thread i's one-image gradient at TMP + i·TMP_STRIDE
const TMP_STRIDE = 32;
const WORK = 33; // thread i's GEMM packing workspace at WORK + i·WORK_STRIDE
const WORK_STRIDE = 34;

/** The number of slots of a job. */
export function convJobSlots(): i32 {
  return 35;
}

function slot(job: usize, i: i32): i32 {
  return load<i32>(job + ((<usize>i) << 2));
}

function ptr(job: usize, i: i32): usize {
  return <usize>load<u32>(job + ((<usize>i) << 2));
}

function im2colImage(job: usize, x: usize, cols: usize): void {
  const g = job + ((<usize>GEOMETRY) << 2);
  im2colF32(
    x, slot(job, CHANNELS), load<i32>(g), load<i32>(g, 4), load<i32>(g, 8), load<i32>(g, 12), load<i32>(g, 16),
    load<i32>(g, 20), load<i32>(g, 24), load<i32>(g, 28), load<i32>(g, 32), load<i32>(g, 36), load<i32>(g, 40),
    load<i32>(g, 44), 0, cols,
  );
} // prettier-ignore

function col2imImage(job: usize, cols: usize, dx: usize): void {
  const g = job + ((<usize>GEOMETRY) << 2);
  col2imF32(
    cols, slot(job, CHANNELS), load<i32>(g), load<i32>(g, 4), load<i32>(g, 8), load<i32>(g, 12), load<i32>(g, 16),
    load<i32>(g, 20), load<i32>(g, 24), load<i32>(g, 28), load<i32>(g, 32), load<i32>(g, 36), load<i32>(g, 40),
    load<i32>(g, 44), dx,
  );
} // prettier-ignore

/** Thread `index`'s share of the job: a contiguous run of images, or (weight gradient) every threads-th chunk. */
export function convThread(job: usize, index: i32): void {
  const kind = slot(job, KIND);
  const batch = slot(job, BATCH);
  const threads = slot(job, THREADS);
  if (kind == 3) {
    const per = (batch + threads - 1) / threads;
    const g = job + ((<usize>GEOMETRY) << 2);
    maxPool2dF32(
      ptr(job, X),
      index * per,
      min(batch, (index + 1) * per),
      load<i32>(g),
      load<i32>(g, 4),
      load<i32>(g, 8),
      load<i32>(g, 12),
      load<i32>(g, 16),
      load<i32>(g, 20),
      load<i32>(g, 24),
      load<i32>(g, 28),
      load<i32>(g, 32),
      load<i32>(g, 36),
      load<i32>(g, 40),
      load<i32>(g, 44),
      ptr(job, Y),
      ptr(job, DX),
    );
    return;
  }
  const groups = slot(job, GROUPS);
  const perGroup = slot(job, PER_GROUP);
  const rows = slot(job, ROWS);
  const spatial = slot(job, SPATIAL);
  const image = (<usize>slot(job, IMAGE)) << 2;
  const perImage = (<usize>slot(job, PER_IMAGE)) << 2;
  const cols = ptr(job, COLS) + <usize>index * ptr(job, COLS_STRIDE);
  const work = ptr(job, WORK) + <usize>index * ptr(job, WORK_STRIDE);
  const wGroup = (<usize>perGroup * <usize>rows) << 2; // bytes of one group's weights
  const cGroup = (<usize>rows * <usize>spatial) << 2; // bytes of one group's columns
  const yGroup = (<usize>perGroup * <usize>spatial) << 2; // bytes of one group's output plane set
  if (kind == 2) {
    const size = slot(job, SIZE);
    const chunks = slot(job, CHUNKS);
    const per = (batch + chunks - 1) / chunks;
    const tmp = ptr(job, TMP) + <usize>index * ptr(job, TMP_STRIDE);
    const x = ptr(job, X);
    const dy = ptr(job, Y);
    for (let c = index; c < chunks; c += threads) {
      const acc = ptr(job, ACC) + ((<usize>c * <usize>size) << 3);
      memory.fill(acc, 0, (<usize>size) << 3);
      const end = min(batch, (c + 1) * per);
      for (let n = c * per; n < end; n++) {
        im2colImage(job, x + <usize>n * image, cols);
        for (let g = 0; g < groups; g++) {
          sgemm(
            dy + <usize>n * perImage + <usize>g * yGroup, cols + <usize>g * cGroup, tmp + <usize>g * wGroup,
            perGroup, spatial, rows, 0, 1, 0, perGroup, work,
          );
        } // prettier-ignore
        accumulateF64(acc, tmp, size);
      }
    }
    return;
  }
  const per = (batch + threads - 1) / threads;
  const end = min(batch, (index + 1) * per);
  const w = ptr(job, W);
  for (let n = index * per; n < end; n++) {
    if (kind == 0) {
      const y = ptr(job, Y) + <usize>n * perImage;
      im2colImage(job, ptr(job, X) + <usize>n * image, cols);
      for (let g = 0; g < groups; g++) {
        sgemm(w + <usize>g * wGroup, cols + <usize>g * cGroup, y + <usize>g * yGroup, perGroup, rows, spatial, 0, 0, 0, perGroup, work);
      } // prettier-ignore
    } else {
      const dy = ptr(job, Y) + <usize>n * perImage;
      for (let g = 0; g < groups; g++) {
        sgemm(w + <usize>g * wGroup, dy + <usize>g * yGroup, cols + <usize>g * cGroup, rows, perGroup, spatial, 1, 0, 0, rows, work);
      } // prettier-ignore
      const dx = ptr(job, DX) + <usize>n * image;
      memory.fill(dx, 0, image);
      col2imImage(job, cols, dx);
    }
  }
}

/** The weight gradient's chunks (float64, `size` each, from `acc`) added in order and rounded into out. */
export function sumChunksF64(acc: usize, chunks: i32, size: i32, out: usize): void {
  const bytes = (<usize>size) << 3;
  for (let i = 0; i < size; i++) {
    const at = (<usize>i) << 3;
    let s = load<f64>(acc + at);
    for (let c = 1; c < chunks; c++) s += load<f64>(acc + <usize>c * bytes + at);
    store<f32>(out + ((<usize>i) << 2), <f32>s);
  }
}
