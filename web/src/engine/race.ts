/**
 * The race itself, free of the DOM so that it runs in the worker and in Node's tests alike: every
 * racer holds a float64 [2] parameter, the loss is the surface evaluated on it with Descent's tensor
 * ops, autograd gives the gradient and the racer's Descent optimizer takes the step.
 */
import { fromTypedArray, noGrad, tensor, type Tensor } from '../../../src/browser.js';
import { buildRacerOptimizer, type RacerOptimizer, type RacerSpec } from './racer.js';
import { SURFACES, type SurfaceName, type SurfaceParams } from './surfaces.js';

/** What a race needs to start. */
export interface RaceSetup {
  /** The surface raced on. */
  surface: SurfaceName;
  /** The surfaces' parameters (the bowl's condition number). */
  params: SurfaceParams;
  /** The common start point [x, y]. */
  start: [number, number];
  /** One spec per racer. */
  racers: RacerSpec[];
  /** The number of steps every racer takes. */
  steps: number;
}

/** The points one racer reached since the last report: step k's position and its loss before the step. */
export interface RacerChunk {
  /** Positions and losses, as parallel arrays. */
  xs: number[];
  ys: number[];
  losses: number[];
  /** The learning rate of each of those steps. */
  lrs: number[];
  /** The optimizer stepping now. */
  activeName: string;
  /** No more steps: the race's length was reached, or the racer diverged or failed. */
  done: boolean;
  /** Why the racer stopped early (diverged, invalid options), if it did. */
  error?: string;
}

/** Beyond this distance from the start a racer counts as diverged. */
const ESCAPE = 1e6;

class Racer {
  private readonly p: Tensor;
  private optimizer: RacerOptimizer | null = null;
  private taken = 0;
  done = false;
  error: string | undefined;
  /** The loss at the current position, computed with the last step. */
  private loss: number;

  constructor(
    spec: RacerSpec,
    private readonly setup: RaceSetup,
  ) {
    this.p = tensor(setup.start, { dtype: 'float64', requiresGrad: true });
    this.loss = this.lossAt().item();
    try {
      this.optimizer = buildRacerOptimizer(spec, [this.p], setup.steps);
    } catch (error) {
      this.stop((error as Error).message);
    }
  }

  private lossAt(): Tensor {
    const surface = SURFACES[this.setup.surface];
    return surface.f(this.p.select(0, 0), this.p.select(0, 1), this.setup.params);
  }

  private stop(error?: string): void {
    this.done = true;
    this.error = error;
  }

  /** Takes up to `n` steps and reports where they went; the first report also has the start. */
  advance(n: number): RacerChunk {
    const chunk: RacerChunk = { xs: [], ys: [], losses: [], lrs: [], activeName: '', done: false };
    const record = (lr: number) => {
      const [x, y] = this.p.toTypedArray();
      chunk.xs.push(x!);
      chunk.ys.push(y!);
      chunk.losses.push(this.loss);
      chunk.lrs.push(lr);
    };
    if (this.taken === 0 && !this.optimizer) record(NaN);
    for (let i = 0; i < n && !this.done && this.optimizer; i++) {
      if (this.taken === 0) record(this.optimizer.lr);
      try {
        this.optimizer.step(() => this.lossAt());
      } catch (error) {
        this.stop((error as Error).message);
        break;
      }
      this.taken++;
      const lr = this.optimizer.lr;
      this.loss = noGrad(() => this.lossAt().item());
      record(lr);
      const [x, y] = this.p.toTypedArray();
      if (
        !Number.isFinite(this.loss) ||
        Math.hypot(x! - this.setup.start[0], y! - this.setup.start[1]) > ESCAPE
      ) {
        this.stop(`diverged at step ${this.taken}`);
      } else if (this.taken >= this.setup.steps) {
        this.stop();
      }
    }
    chunk.activeName = this.optimizer?.activeName ?? '';
    chunk.done = this.done;
    if (this.error !== undefined) chunk.error = this.error;
    return chunk;
  }
}

/** All racers of one setup, advanced together. */
export class Race {
  private readonly racers: Racer[];
  /** Steps taken so far by the racers still running. */
  step = 0;

  constructor(readonly setup: RaceSetup) {
    this.racers = setup.racers.map((spec) => new Racer(spec, setup));
  }

  /** True when every racer has stopped. */
  get finished(): boolean {
    return this.racers.every((r) => r.done);
  }

  /** Advances every running racer by up to `n` steps. */
  advance(n: number): RacerChunk[] {
    const chunks = this.racers.map((r) => r.advance(n));
    this.step = Math.min(this.step + n, this.setup.steps);
    return chunks;
  }
}

/**
 * The surface on a `width` × `height` grid over its domain, row-major from the top (largest y) row,
 * evaluated with the same tensor code as the racers' losses.
 */
export function surfaceGrid(
  name: SurfaceName,
  params: SurfaceParams,
  width: number,
  height: number,
): Float64Array {
  const { domain, f } = SURFACES[name];
  const xs = new Float64Array(width * height);
  const ys = new Float64Array(width * height);
  for (let row = 0; row < height; row++) {
    const y = domain.y[1] - ((domain.y[1] - domain.y[0]) * row) / (height - 1);
    for (let col = 0; col < width; col++) {
      xs[row * width + col] = domain.x[0] + ((domain.x[1] - domain.x[0]) * col) / (width - 1);
      ys[row * width + col] = y;
    }
  }
  return noGrad(() => {
    const out = f(fromTypedArray(xs, [width * height]), fromTypedArray(ys, [width * height]), params);
    return Float64Array.from(out.toTypedArray());
  });
}
