/**
 * SWATS: Adam that switches itself to SGD with momentum when the SGD learning rate implied by its
 * steps has settled (Keskar & Socher 2017, "Improving Generalization Performance by Switching from
 * Adam to SGD", arXiv:1712.07628, Algorithm 1).
 */
import { enableGrad, noGrad } from '../../autograd/grad-mode.js';
import { zerosLike } from '../../tensor/creation.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import {
  Optimizer,
  type Group,
  type OptimizerStateDict,
  type ParamGroupSpec,
  type Params,
} from '../optimizer.js';
import type { Scheduler } from '../schedulers/lr-scheduler.js';
import { decodeValue, encodeValue, type Encoded } from '../state-dict.js';
import {
  applyUpdates,
  chain,
  resolve,
  scale,
  scaleByLearningRate,
  type GradientTransformation,
  type Hyper,
  type Hyperparam,
} from '../transform.js';
import { traceMomentum } from '../transforms/momentum.js';
import { checkBetas, checkInterval, checkLr } from '../validate.js';
import {
  SwitchEmitter,
  checkEpochsDone,
  checkHistory,
  type SwitchEvent,
  type SwitchListener,
} from './events.js';

export interface SWATSOptions {
  /** α, the Adam phase's learning rate (a scheduler may change it; the paper's α_k). */
  lr: number;
  /**
   * (β₁, β₂). β₁: Adam's first moment, then the SGD phase's momentum. β₂: Adam's second moment, and
   * the decay of λ, the average of the projected learning rate. Each in [0, 1).
   */
  betas: [number, number];
  /** ε in Adam's denominator √a + ε (the paper's ε, 1e-9). */
  eps: number;
  /** ε of the switching criterion |λ_k/(1 − β₂ᵏ) − γ_k| < ε (the paper's ε, 1e-9). */
  switchEps: number;
  /** L2 penalty added to the gradient in both phases: g ← g + wd·θ (not in the paper; default 0). */
  weightDecay: number;
}

export const SWATS_DEFAULTS: Readonly<SWATSOptions> = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-9,
  switchEps: 1e-9,
  weightDecay: 0,
};

/**
 * Over which parameters γ, λ and the switch are computed: 'group' (default), each parameter group
 * on its own (put each layer in its own group to get per-layer switching); 'global', all
 * parameters as one vector, the paper's Algorithm 1 taken literally, one switch for the model.
 */
export type SwatsScope = 'group' | 'global';

/** Constructor options: the per-group options plus the scope, which is fixed for the optimizer. */
export type SWATSConstructorOptions = Partial<SWATSOptions> & { scope?: SwatsScope };

/** Which rule a parameter group follows. */
export type SwatsPhase = 'adam' | 'sgd';

/** Each parameter's state; Adam's moments are dropped at the switch and the momentum buffer made at its first SGD step. */
export interface SwatsParamState {
  /** Adam steps taken by this parameter (t in its bias corrections). */
  step: number;
  /** m, the running mean of the gradient (null before the first step and after the switch). */
  expAvg: Tensor | null;
  /** a, the running mean of its square (null before the first step and after the switch). */
  expAvgSq: Tensor | null;
  /** v, the SGD phase's momentum buffer (null until the first SGD step). */
  momentumBuffer: Tensor | null;
}

/** The state of one estimate of the SGD rate (one per group, or one for all with scope 'global'). */
export interface SwatsEstimate {
  /** k: the steps taken by this group (or by the optimizer, with scope 'global'). */
  step: number;
  /** λ_k: the exponential average of γ, not bias-corrected. */
  lambda: number;
  phase: SwatsPhase;
  /** Λ = λ_k/(1 − β₂ᵏ) at the switch, null before. */
  estimatedLr: number | null;
  /** The k at which the switch happened, null before. */
  switchStep: number | null;
}

/** A state dict of SWATS: the Optimizer's, plus the estimates and the history of switches. */
export interface SwatsStateDict extends OptimizerStateDict {
  swats: Encoded;
}

/** The hyperparameter record the SWATS rule reads: a group, and the phase it is in (Adam when absent). */
export type SwatsHyper = Group<SWATSOptions> & { phase?: SwatsPhase };

/** State of `scaleBySwatsAdam`. */
export interface SwatsAdamState {
  step: number;
  expAvg: Tensor | null;
  expAvgSq: Tensor | null;
}

/**
 * Adam's direction as the paper writes it (Algorithm 1, lines 10-12, before the lr), with ε outside
 * the square root of the *uncorrected* a and both bias corrections folded into one factor:
 *
 *     m ← β₁m + (1 − β₁)g,   a ← β₂a + (1 − β₂)g²,   u = √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√a + ε)
 *
 * (torch.optim.Adam instead adds ε to √a/√(1 − β₂ᵗ)). Chain it with `scaleByLearningRate(α)` to get
 * the paper's step p_k. The moments are made at the first step, so a state of nulls is a fresh one.
 */
export function scaleBySwatsAdam<H = Hyper>(
  options: { b1?: Hyperparam<number, H>; b2?: Hyperparam<number, H>; eps?: Hyperparam<number, H> } = {},
): GradientTransformation<SwatsAdamState, H> {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-9 } = options;
  return {
    init: (params) => params.map(() => ({ step: 0, expAvg: null, expAvgSq: null })),
    update: (updates, states, _params, hyper) => {
      const beta1 = resolve(b1, hyper);
      const beta2 = resolve(b2, hyper);
      const epsilon = resolve(eps, hyper);
      const next: SwatsAdamState[] = [];
      const out = updates.map((g, i) => {
        const s = states[i]!;
        const step = s.step + 1;
        const m = s.expAvg ?? zerosLike(g);
        const a = s.expAvgSq ?? zerosLike(g);
        const expAvg = m.mul(beta1).add(g.mul(1 - beta1));
        const expAvgSq = a.mul(beta2).add(g.mul(g).mul(1 - beta2));
        next.push({ step, expAvg, expAvgSq });
        const factor = Math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step);
        return expAvg.div(expAvgSq.sqrt().add(epsilon)).mul(factor);
      });
      return { updates: out, states: next };
    },
  };
}

/**
 * The per-parameter rule of SWATS in the phase `hyper.phase`: the Adam step p = −α·(Adam direction),
 * or the paper's SGD step with momentum, −(1 − β₁)·lr·v with v ← β₁v + g (v₀ = 0). The switch
 * itself needs sums over all the parameters of a group and lives in the `SWATS` class.
 */
export function swatsRule(): GradientTransformation<SwatsParamState, SwatsHyper> {
  const adam = chain<SwatsHyper>(
    scaleBySwatsAdam<SwatsHyper>({ b1: (h) => h.betas[0], b2: (h) => h.betas[1], eps: (h) => h.eps }),
    scaleByLearningRate((h) => h.lr),
  );
  const sgd = chain<SwatsHyper>(
    traceMomentum<SwatsHyper>({ momentum: (h) => h.betas[0] }),
    scale((h) => 1 - h.betas[0]),
    scaleByLearningRate((h) => h.lr),
  );
  return {
    init: (params) => params.map(() => ({ step: 0, expAvg: null, expAvgSq: null, momentumBuffer: null })),
    update: (updates, states, params, hyper) => {
      if (hyper.phase === 'sgd') {
        const r = sgd.update(
          updates,
          states.map((s) => [{ momentumBuffer: s.momentumBuffer }, {}, {}]),
          params,
          hyper,
        );
        const next = states.map((s, i) =>
          paramState(s, (r.states[i]![0] as { momentumBuffer: Tensor | null }).momentumBuffer),
        );
        return { updates: r.updates, states: next };
      }
      const r = adam.update(
        updates,
        states.map((s) => [{ step: s.step, expAvg: s.expAvg, expAvgSq: s.expAvgSq }, {}]),
        params,
        hyper,
      );
      const next = states.map((s, i) => {
        const adamState = r.states[i]![0] as SwatsAdamState;
        return paramState(adamState, s.momentumBuffer);
      });
      return { updates: r.updates, states: next };
    },
  };
}

/** A parameter's state, its keys always in one order (so that state dicts compare as strings). */
function paramState(adam: SwatsAdamState, momentumBuffer: Tensor | null): SwatsParamState {
  return { step: adam.step, expAvg: adam.expAvg, expAvgSq: adam.expAvgSq, momentumBuffer };
}

function dot(a: Tensor, b: Tensor): number {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! * y[i]!;
  return sum;
}

function freshEstimate(): SwatsEstimate {
  return { step: 0, lambda: 0, phase: 'adam', estimatedLr: null, switchStep: null };
}

function checkEstimate(where: string, value: unknown): SwatsEstimate {
  const e = value as Record<string, unknown>;
  const nullableNumber = (x: unknown) => x === null || typeof x === 'number';
  const ok =
    typeof e === 'object' &&
    e !== null &&
    Number.isInteger(e.step) &&
    (e.step as number) >= 0 &&
    typeof e.lambda === 'number' &&
    (e.phase === 'adam' || e.phase === 'sgd') &&
    nullableNumber(e.estimatedLr) &&
    (e.switchStep === null || Number.isInteger(e.switchStep));
  if (!ok) {
    throw new TypeError(`${where} should be {step, lambda, phase: 'adam' | 'sgd', estimatedLr, switchStep}`);
  }
  return {
    step: e.step as number,
    lambda: e.lambda as number,
    phase: e.phase as SwatsPhase,
    estimatedLr: e.estimatedLr as number | null,
    switchStep: e.switchStep as number | null,
  };
}

/**
 * SWATS (Keskar & Socher 2017, "Improving Generalization Performance by Switching from Adam to SGD",
 * arXiv:1712.07628), Algorithm 1. Starts as Adam; at each step k, with g_k the gradient and p_k
 * the Adam step actually taken,
 *
 *     m_k = β₁m + (1 − β₁)g_k,   a_k = β₂a + (1 − β₂)g_k²
 *     p_k = −α·√(1 − β₂ᵏ)/(1 − β₁ᵏ) · m_k/(√a_k + ε),   θ ← θ + p_k
 *     if p_kᵀg_k ≠ 0:
 *       γ_k = p_kᵀp_k / (−p_kᵀg_k)            (the rate γ at which −γg_k, projected on p_k, is p_k)
 *       λ_k = β₂λ_{k−1} + (1 − β₂)γ_k          (λ₀ = 0)
 *       if k > 1 and |λ_k/(1 − β₂ᵏ) − γ_k| < ε:  switch, with Λ = λ_k/(1 − β₂ᵏ)
 *
 * and after the switch, SGD with momentum in the paper's form (v₀ = 0 at the switch):
 *
 *     v_k = β₁v_{k−1} + g_k,   θ ← θ − (1 − β₁)·Λ·v_k
 *
 * The dot products run over all the parameters of a parameter group (scope 'group', the default:
 * each group estimates and switches on its own) or over all parameters (scope 'global': the
 * algorithm with θ the whole model, one switch, Λ set in every group; β₂ and the criterion's ε are
 * then those of the first group). At the switch each switching group's `lr` becomes Λ, Adam's
 * moments are dropped, and a `SwitchEvent` `{ step: k, epoch, from: 'adam', to: 'sgd', lr: Λ,
 * reason: 'swats' }` goes to the `onSwitch` listeners. The SGD phase reads `group.lr`, so a
 * scheduler keeps working after the switch: register it with `attachScheduler` so that its base
 * is rescaled to Λ (see ./events.ts); an unregistered scheduler overwrites Λ at its next step.
 *
 * Defaults (the paper's): lr 1e-3, betas (0.9, 0.999), eps 1e-9, switchEps 1e-9 (the paper has one
 * ε for Adam's denominator and the criterion; they are two options here); weightDecay 0 (an L2
 * term added to g in both phases, not in the paper). The Adam phase places ε as the paper does
 * (`scaleBySwatsAdam`), so it differs from `Adam` by O(ε). The paper adds nothing to guard against
 * Λ ≤ 0, and neither does this class. Parameters without a gradient are skipped; k counts the steps
 * in which the group (the model, with scope 'global') had at least one gradient.
 *
 * @example
 * const opt = new SWATS(model.parameters(), { lr: 1e-3 });
 * opt.onSwitch((e) => console.log(`SGD from step ${e.step + 1} at lr ${e.lr}`));
 * // ... opt.zeroGrad(); loss.backward(); opt.step(); ...
 * opt.switched; // true once SGD runs; opt.switchStep, opt.estimatedLr
 */
export class SWATS extends Optimizer<SWATSOptions> {
  /** Over which parameters the rate is estimated and the switch decided. */
  readonly scope: SwatsScope;
  private estimates: SwatsEstimate[] = [];
  private readonly emitter: SwitchEmitter;
  private readonly rule = swatsRule();
  private epochsCompleted = 0;
  private ready = false;

  constructor(params: Params<SWATSOptions>, options: SWATSConstructorOptions = {}) {
    const { scope = 'group', ...rest } = options ?? {};
    super('SWATS', params, rest, SWATS_DEFAULTS);
    if (scope !== 'group' && scope !== 'global') {
      throw new RangeError(`SWATS: scope must be 'group' or 'global', got ${JSON.stringify(scope)}`);
    }
    this.scope = scope;
    this.emitter = new SwitchEmitter('SWATS', this);
    this.ready = true;
  }

  protected override validate(g: Group<SWATSOptions>): void {
    checkLr('SWATS', g.lr);
    checkBetas('SWATS', g.betas);
    checkInterval('SWATS', 'eps', g.eps, '[0, ∞)');
    checkInterval('SWATS', 'switchEps', g.switchEps, '[0, ∞)');
    checkInterval('SWATS', 'weightDecay', g.weightDecay, '[0, ∞)');
  }

  protected override makeTransform(): GradientTransformation<unknown, Group<SWATSOptions>> {
    return this.rule as GradientTransformation<unknown, Group<SWATSOptions>>;
  }

  /** A group added after a global switch runs SGD at Λ. */
  override addParamGroup(spec: ParamGroupSpec<SWATSOptions>): void {
    super.addParamGroup(spec);
    const e = this.ready && this.scope === 'global' ? this.estimate(0) : null;
    if (e && e.estimatedLr !== null) this.paramGroups[this.paramGroups.length - 1]!.lr = e.estimatedLr;
  }

  private estimate(index: number): SwatsEstimate {
    return (this.estimates[index] ??= freshEstimate());
  }

  /** The groups that share each estimate. */
  private units(): { estimate: SwatsEstimate; groups: number[] }[] {
    const all = this.paramGroups.map((_, g) => g);
    if (this.scope === 'global') return [{ estimate: this.estimate(0), groups: all }];
    return all.map((g) => ({ estimate: this.estimate(g), groups: [g] }));
  }

  /** The phase of a group: 'adam' until its switch, 'sgd' after. */
  phaseOf(group = 0): SwatsPhase {
    this.checkGroup(group);
    return this.estimate(this.scope === 'global' ? 0 : group).phase;
  }

  /** A copy of the estimate of a group (k, λ, phase, Λ, switch step). */
  estimateOf(group = 0): SwatsEstimate {
    this.checkGroup(group);
    return { ...this.estimate(this.scope === 'global' ? 0 : group) };
  }

  private checkGroup(group: number): void {
    if (!Number.isInteger(group) || group < 0 || group >= this.paramGroups.length) {
      throw new RangeError(
        `SWATS: group must be an integer in [0, ${this.paramGroups.length - 1}], got ${String(group)}`,
      );
    }
  }

  /** True once every group runs SGD. */
  get switched(): boolean {
    return this.paramGroups.every((_, g) => this.phaseOf(g) === 'sgd');
  }

  /** The step k at which the first group (or the model, with scope 'global') switched; null before. */
  get switchStep(): number | null {
    return this.estimateOf(0).switchStep;
  }

  /** Λ, the SGD rate estimated at the switch of the first group (or the model); null before. */
  get estimatedLr(): number | null {
    return this.estimateOf(0).estimatedLr;
  }

  /** Every switch so far, oldest first. */
  get switches(): readonly SwitchEvent[] {
    return this.emitter.history;
  }

  /** Calls `listener` at each switch; returns a function that removes it. */
  onSwitch(listener: SwitchListener): () => void {
    return this.emitter.on(listener);
  }

  /** Registers a scheduler of this optimizer so that its base lr is rescaled to Λ at the switch. */
  attachScheduler(scheduler: Scheduler): void {
    this.emitter.attach(scheduler);
  }

  /**
   * Reports the end of an epoch, for the `epoch` of switch events: `epochsDone` is the number of
   * epochs completed (the 1-based number of the epoch that ended); by default one more than before.
   */
  onEpochEnd(epochsDone?: number): void {
    this.epochsCompleted =
      epochsDone === undefined
        ? this.epochsCompleted + 1
        : checkEpochsDone('SWATS.onEpochEnd', epochsDone, 1);
  }

  /** The number of epochs completed, as reported through `onEpochEnd`. */
  get epochsDone(): number {
    return this.epochsCompleted;
  }

  /** 'SWATS (Adam)' until every group has switched, then 'SWATS (SGD)': for logs and tables. */
  get activeName(): string {
    return this.switched ? 'SWATS (SGD)' : 'SWATS (Adam)';
  }

  override step<T>(closure?: () => T): T | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => {
      for (const unit of this.units()) this.stepUnit(unit.estimate, unit.groups);
    });
    return loss;
  }

  private gradients(group: Group<SWATSOptions>, index: number): { params: Tensor[]; grads: Tensor[] } {
    const params = group.params.filter((p) => p.grad !== null);
    const grads = params.map((p) => {
      const grad = p.grad!;
      if (grad.numel !== p.numel || grad.shape.some((d, k) => d !== p.shape[k])) {
        throw new RangeError(
          `SWATS.step: a parameter of shape ${formatShape(p.shape)} in group ${index} has a gradient of shape ${formatShape(grad.shape)}`,
        );
      }
      if (grad.dtype !== p.dtype) {
        throw new TypeError(
          `SWATS.step: a ${p.dtype} parameter in group ${index} has a ${grad.dtype} gradient`,
        );
      }
      return group.weightDecay === 0 ? grad : grad.add(p.mul(group.weightDecay));
    });
    return { params, grads };
  }

  private stepUnit(estimate: SwatsEstimate, groupIndices: readonly number[]): void {
    const parts = groupIndices
      .map((g) => ({ g, group: this.paramGroups[g]!, ...this.gradients(this.paramGroups[g]!, g) }))
      .filter((part) => part.params.length > 0);
    if (parts.length === 0) return;
    estimate.step += 1;
    const k = estimate.step;
    let pp = 0;
    let pg = 0;
    for (const { group, params, grads } of parts) {
      const fresh = params.filter((p) => !this.state.has(p));
      this.rule.init(fresh, group).forEach((s, i) => this.state.set(fresh[i]!, s));
      const states = params.map((p) => this.state.get(p) as SwatsParamState);
      const { updates, states: next } = this.rule.update(grads, states, params, {
        ...group,
        phase: estimate.phase,
      });
      params.forEach((p, i) => this.state.set(p, next[i]));
      if (estimate.phase === 'adam') {
        updates.forEach((u, i) => {
          pp += dot(u, u);
          pg += dot(u, grads[i]!);
        });
      }
      applyUpdates(params, updates);
    }
    if (estimate.phase === 'sgd' || pg === 0) return;
    const first = this.paramGroups[groupIndices[0]!]!;
    const beta2 = first.betas[1];
    const gamma = pp / -pg;
    estimate.lambda = beta2 * estimate.lambda + (1 - beta2) * gamma;
    const rate = estimate.lambda / (1 - beta2 ** k);
    if (k > 1 && Math.abs(rate - gamma) < first.switchEps) this.switchUnit(estimate, groupIndices, rate, k);
  }

  private switchUnit(
    estimate: SwatsEstimate,
    groupIndices: readonly number[],
    rate: number,
    k: number,
  ): void {
    estimate.phase = 'sgd';
    estimate.estimatedLr = rate;
    estimate.switchStep = k;
    for (const g of groupIndices) {
      for (const p of this.paramGroups[g]!.params) {
        const s = this.state.get(p) as SwatsParamState | undefined;
        if (s)
          this.state.set(p, paramState({ step: s.step, expAvg: null, expAvgSq: null }, s.momentumBuffer));
      }
    }
    this.emitter.emit(
      { step: k, epoch: this.epochsCompleted, from: 'adam', to: 'sgd', reason: 'swats' },
      groupIndices.map((g) => {
        const now = this.paramGroups[g]!.lr;
        return { group: g, lr: rate, rescale: now > 0 ? { from: now, to: rate } : null };
      }),
    );
  }

  /** The Optimizer's state dict plus `swats`: the scope, the epoch, each estimate and the switches. */
  override stateDict(): SwatsStateDict {
    const estimates = this.paramGroups
      .slice(0, this.scope === 'global' ? 1 : undefined)
      .map((_, i) => ({ ...this.estimate(i) }));
    return {
      ...super.stateDict(),
      swats: encodeValue(
        { scope: this.scope, epochsDone: this.epochsCompleted, estimates, switches: this.emitter.history },
        'swats',
      ),
    };
  }

  /** Restores a `stateDict()` of a SWATS with the same scope and groups; nothing changes if a check fails. */
  override loadStateDict(dict: OptimizerStateDict): void {
    const where = 'SWATS.loadStateDict';
    const section = (dict as Partial<SwatsStateDict> | null)?.swats;
    const saved = section === undefined ? null : (decodeValue(section, 'swats') as Record<string, unknown>);
    if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) {
      throw new TypeError(
        `${where}: the state dict has no swats section {scope, epochsDone, estimates, switches}`,
      );
    }
    if (saved.scope !== this.scope) {
      throw new RangeError(
        `${where}: the state dict was saved with scope ${JSON.stringify(saved.scope)}, this optimizer has scope '${this.scope}'`,
      );
    }
    const epochsDone = checkEpochsDone(`${where}: swats.epochsDone`, saved.epochsDone);
    const expected = this.scope === 'global' ? 1 : this.paramGroups.length;
    if (!Array.isArray(saved.estimates) || saved.estimates.length !== expected) {
      throw new RangeError(`${where}: swats.estimates must hold ${expected} estimates`);
    }
    const estimates = saved.estimates.map((e, i) => checkEstimate(`${where}: swats.estimates[${i}]`, e));
    const history = checkHistory(where, saved.switches);
    const { swats: _swats, ...rest } = dict as SwatsStateDict;
    super.loadStateDict(rest);
    this.estimates = estimates;
    this.epochsCompleted = epochsDone;
    this.emitter.history = history;
  }
}
