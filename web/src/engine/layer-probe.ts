/**
 * Watching a network learn, layer by layer: at every optimizer step the probe records, for each layer
 * with weights, the gradient norm ‖∇θ‖ and the relative update ‖Δθ‖/‖θ‖ (a healthy step is around
 * 1e-3; far above, the learning rate is too high; far below, the layer hardly learns), and for each
 * ReLU the fraction of dead units: outputs that are 0 for every example of the batch. Forward hooks
 * (nn.registerForwardHook) see the ReLUs' outputs during the training forward passes only.
 */
import { nn, type Tensor } from '../../../src/browser.js';

/** Per-step statistics since the last `take()`: one array per layer, one value per step. */
export interface LayerStats {
  /** Optimizer steps done in all when the first of these steps was taken (steps are counted from 1). */
  firstStep: number;
  /** ‖grad‖ of each weighted layer's parameters (weight and bias together). */
  gradNorm: number[][];
  /** ‖θ after − θ before‖ / ‖θ before‖ of each weighted layer, per step. */
  updateRatio: number[][];
  /** Fraction of each ReLU's units that output 0 for the whole batch. */
  deadFraction: number[][];
}

/** The layers a probe watches, in model order. */
export interface ProbedLayers {
  /** Layers with parameters, by dotted module name, with their class. */
  weighted: { name: string; type: string }[];
  /** The ReLU layers. */
  relus: { name: string; type: string }[];
}

function sumOfSquares(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]! * values[i]!;
  return s;
}

/** The fraction of units (every position but the batch's) that are exactly 0 in every example. */
export function deadUnitFraction(output: Tensor): number {
  const batch = output.shape[0] ?? 1;
  const data = output.toTypedArray();
  const units = data.length / batch;
  if (units === 0) return 0;
  let dead = 0;
  for (let u = 0; u < units; u++) {
    let alive = false;
    for (let n = 0; n < batch && !alive; n++) alive = data[n * units + u] !== 0;
    if (!alive) dead++;
  }
  return dead / units;
}

export class LayerProbe {
  readonly layers: ProbedLayers;
  private readonly weighted: { params: nn.Parameter[] }[];
  private readonly handles: nn.RemovableHandle[] = [];
  private readonly lastDead: number[];
  private before: Float32Array[][] = [];
  private stats: LayerStats;
  private stepsDone = 0;

  constructor(model: nn.Module) {
    const weighted: ProbedLayers['weighted'] = [];
    const relus: ProbedLayers['relus'] = [];
    this.weighted = [];
    for (const [name, module] of model.namedModules()) {
      const params = module.namedParameters({ recurse: false }).map(([, p]) => p);
      if (params.length > 0) {
        weighted.push({ name, type: module.constructor.name });
        this.weighted.push({ params });
      }
      if (module instanceof nn.ReLU) {
        const index = relus.length;
        relus.push({ name, type: module.constructor.name });
        this.handles.push(
          nn.registerForwardHook(module, (m, _inputs, output) => {
            if (m.training) this.lastDead[index] = deadUnitFraction(output);
          }),
        );
      }
    }
    this.layers = { weighted, relus };
    this.lastDead = relus.map(() => NaN);
    this.stats = this.emptyStats();
  }

  private emptyStats(): LayerStats {
    return {
      firstStep: this.stepsDone + 1,
      gradNorm: this.weighted.map(() => []),
      updateRatio: this.weighted.map(() => []),
      deadFraction: this.layers.relus.map(() => []),
    };
  }

  /** Between backward() and step(): records the gradient norms and keeps the weights. */
  beforeStep(): void {
    this.before = this.weighted.map(({ params }, i) => {
      let squares = 0;
      for (const p of params) if (p.grad) squares += sumOfSquares(p.grad.toTypedArray());
      this.stats.gradNorm[i]!.push(Math.sqrt(squares));
      return params.map((p) => Float32Array.from(p.toTypedArray()));
    });
  }

  /** After step(): records the relative update of every layer and the dead units of the last forward. */
  afterStep(): void {
    this.weighted.forEach(({ params }, i) => {
      let delta = 0;
      let norm = 0;
      params.forEach((p, k) => {
        const old = this.before[i]?.[k];
        if (!old) return;
        const now = p.toTypedArray();
        for (let j = 0; j < old.length; j++) {
          const d = now[j]! - old[j]!;
          delta += d * d;
          norm += old[j]! * old[j]!;
        }
      });
      this.stats.updateRatio[i]!.push(norm > 0 ? Math.sqrt(delta / norm) : NaN);
    });
    this.lastDead.forEach((fraction, i) => this.stats.deadFraction[i]!.push(fraction));
    this.stepsDone++;
  }

  /** The statistics recorded since the last call, and a fresh start. */
  take(): LayerStats {
    const taken = this.stats;
    this.stats = this.emptyStats();
    return taken;
  }

  /** Removes the hooks. */
  dispose(): void {
    for (const handle of this.handles) handle.remove();
  }
}
