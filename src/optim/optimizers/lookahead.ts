import { noGrad } from '../../autograd/grad-mode.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Optimizer, type OptimizerLike, type OptimizerStateDict, type ParamGroupSpec } from '../optimizer.js';
import type { ParamGroup } from '../param-group.js';
import { decodeTensor, encodeTensor, isEncodedTensor, type Encoded } from '../state-dict.js';
import { applyUpdates } from '../transform.js';
import { checkInterval } from '../validate.js';

export interface LookaheadOptions {
  /** Synchronise every k inner steps (an integer ≥ 1). */
  k: number;
  /** α, how far the slow weights move towards the fast ones at each synchronisation, in [0, 1]. */
  alpha: number;
}

export const LOOKAHEAD_DEFAULTS: Readonly<LookaheadOptions> = { k: 5, alpha: 0.5 };

function checkLookahead(k: unknown, alpha: unknown): void {
  checkInterval('Lookahead', 'k', k, '[1, ∞)');
  if (!Number.isInteger(k))
    throw new RangeError(`Lookahead: k must be an integer in [1, ∞), got ${String(k)}`);
  checkInterval('Lookahead', 'alpha', alpha, '[0, 1]');
}

/**
 * Lookahead (Zhang, Lucas, Hinton & Ba 2019, "Lookahead Optimizer: k steps forward, 1 step back",
 * arXiv:1907.08610) around any optimizer: the inner optimizer moves the fast weights θ; every k of
 * its steps the slow weights φ (starting at θ₀) move towards them and θ restarts from there:
 *
 *     φ ← φ + α(θ − φ),   θ ← φ
 *
 * Defaults: k 5, alpha 0.5. `paramGroups` are the inner optimizer's, so schedulers work unchanged.
 *
 * @example
 * const opt = new Lookahead(new Adam(model.parameters(), { lr: 1e-3 }), { k: 5, alpha: 0.5 });
 */
export class Lookahead<O extends object = Record<string, unknown>> implements OptimizerLike {
  readonly inner: Optimizer<O>;
  /** Synchronise every k steps (restored by loadStateDict). */
  k: number;
  /** The slow weights' step towards the fast ones (restored by loadStateDict). */
  alpha: number;
  /** The slow weights φ of each parameter. */
  readonly slow = new Map<Tensor, Tensor>();
  /** Inner steps taken so far. */
  stepCount = 0;

  constructor(inner: Optimizer<O>, options: Partial<LookaheadOptions> = {}) {
    const { k, alpha } = { ...LOOKAHEAD_DEFAULTS, ...options };
    checkLookahead(k, alpha);
    this.inner = inner;
    this.k = k;
    this.alpha = alpha;
    for (const group of inner.paramGroups) this.track(group.params);
  }

  get paramGroups(): ParamGroup[] {
    return this.inner.paramGroups;
  }

  get state(): Map<Tensor, unknown> {
    return this.inner.state;
  }

  private track(params: readonly Tensor[]): void {
    for (const p of params)
      if (!this.slow.has(p))
        this.slow.set(
          p,
          noGrad(() => p.detach().clone()),
        );
  }

  addParamGroup(spec: ParamGroupSpec<O>): void {
    this.inner.addParamGroup(spec);
    this.track(this.inner.paramGroups[this.inner.paramGroups.length - 1]!.params);
  }

  /** One inner step; every k-th also synchronises the slow and fast weights. */
  step<T>(closure?: () => T): T | undefined {
    const loss = this.inner.step(closure);
    this.stepCount++;
    if (this.stepCount % this.k === 0) this.synchronise();
    return loss;
  }

  private synchronise(): void {
    const params = this.inner.paramGroups.flatMap((g) => g.params);
    const slow = noGrad(() =>
      params.map((p) => {
        const phi = this.slow.get(p)!;
        const next = phi.add(p.sub(phi).mul(this.alpha));
        this.slow.set(p, next);
        return next;
      }),
    );
    applyUpdates(params, slow, 'replace');
  }

  zeroGrad(setToNone = true): void {
    this.inner.zeroGrad(setToNone);
  }

  stateDict(): OptimizerStateDict {
    const dict = this.inner.stateDict();
    const slow: Encoded[] = this.inner.paramGroups.flatMap((g) =>
      g.params.map((p) => encodeTensor(this.slow.get(p)!)),
    );
    return { ...dict, lookahead: { k: this.k, alpha: this.alpha, stepCount: this.stepCount, slow } };
  }

  loadStateDict(dict: OptimizerStateDict): void {
    const saved = dict.lookahead as
      { k?: unknown; alpha?: unknown; stepCount?: unknown; slow?: unknown } | undefined;
    const params = this.inner.paramGroups.flatMap((g) => g.params);
    if (!saved || !Number.isInteger(saved.stepCount) || !Array.isArray(saved.slow)) {
      throw new TypeError(
        'Lookahead.loadStateDict: the state dict has no lookahead section {stepCount, slow}',
      );
    }
    checkLookahead(saved.k, saved.alpha);
    if (saved.slow.length !== params.length) {
      throw new RangeError(
        `Lookahead.loadStateDict: the state dict has slow weights for ${saved.slow.length} parameters but this optimizer has ${params.length}`,
      );
    }
    const slow = saved.slow.map((t, i) => {
      const p = params[i]!;
      if (!isEncodedTensor(t)) throw new TypeError(`Lookahead.loadStateDict: slow[${i}] is not a tensor`);
      const phi = decodeTensor(t, `Lookahead.loadStateDict: slow[${i}]`);
      if (phi.numel !== p.numel) {
        throw new RangeError(
          `Lookahead.loadStateDict: slow[${i}] has ${phi.numel} elements but its parameter has ${p.numel}`,
        );
      }
      return phi.reshape([...p.shape]).to(p.dtype);
    });
    const { lookahead: _lookahead, ...innerDict } = dict;
    this.inner.loadStateDict(innerDict);
    params.forEach((p, i) => this.slow.set(p, slow[i]!));
    this.stepCount = saved.stepCount as number;
    this.k = saved.k as number;
    this.alpha = saved.alpha as number;
  }
}
