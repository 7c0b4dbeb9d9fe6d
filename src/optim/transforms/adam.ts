/**
 * The Adam family of preconditioners: moment estimates of the gradient, with PyTorch's exact
 * placement of ε and of the bias corrections. Each outputs the step direction before the learning
 * rate (chain it with `scaleByLearningRate`).
 */
import { getBackend, type AdamSpec } from '../../backend/backend.js';
import { zerosLike } from '../../tensor/creation.js';
import { isFloat } from '../../tensor/dtype.js';
import { sameShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { resolve, type GradientTransformation, type Hyper, type Hyperparam } from '../transform.js';

export interface AdamState {
  step: number;
  /** m: the running mean of the gradient. */
  expAvg: Tensor;
  /** v: the running mean of its square. */
  expAvgSq: Tensor;
  /** max over time of v (amsgrad only, else null). */
  maxExpAvgSq: Tensor | null;
}

export interface ScaleByAdamOptions<H> {
  /** β₁, default 0.9. */
  b1?: Hyperparam<number, H>;
  /** β₂, default 0.999. */
  b2?: Hyperparam<number, H>;
  /** ε, added to √v̂ (outside the square root), default 1e-8. */
  eps?: Hyperparam<number, H>;
  /** Use the running maximum of v (Reddi et al. 2018). Fixed for the life of the state. */
  amsgrad?: boolean;
}

/**
 * Adam's direction (Kingma & Ba 2015): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * u = m/(1−β₁ᵗ) / (√v/√(1−β₂ᵗ) + ε); with amsgrad v is replaced by its running maximum.
 */
export function scaleByAdam<H = Hyper>(
  options: ScaleByAdamOptions<H> = {},
): GradientTransformation<AdamState, H> {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, amsgrad = false } = options;
  return {
    init: (params) =>
      params.map((p) => ({
        step: 0,
        expAvg: zerosLike(p),
        expAvgSq: zerosLike(p),
        maxExpAvgSq: amsgrad ? zerosLike(p) : null,
      })),
    update: (updates, states, _params, hyper) => {
      const beta1 = resolve(b1, hyper);
      const beta2 = resolve(b2, hyper);
      const epsilon = resolve(eps, hyper);
      const next: AdamState[] = [];
      const out = updates.map((g, i) => {
        const s = states[i]!;
        const step = s.step + 1;
        if (!s.maxExpAvgSq && fusable(g, s.expAvg, s.expAvgSq)) {
          const fused = adamKernel(g, s.expAvg, s.expAvgSq, { beta1, beta2, eps: epsilon, step });
          next.push({ step, expAvg: fused.expAvg, expAvgSq: fused.expAvgSq, maxExpAvgSq: null });
          return fused.update;
        }
        const expAvg = s.expAvg.mul(beta1).add(g.mul(1 - beta1));
        const expAvgSq = s.expAvgSq.mul(beta2).add(g.mul(g).mul(1 - beta2));
        const maxExpAvgSq = s.maxExpAvgSq ? s.maxExpAvgSq.maximum(expAvgSq) : null;
        const biasCorrection1 = 1 - beta1 ** step;
        const biasCorrection2 = 1 - beta2 ** step;
        const denom = (maxExpAvgSq ?? expAvgSq).sqrt().div(Math.sqrt(biasCorrection2)).add(epsilon);
        next.push({ step, expAvg, expAvgSq, maxExpAvgSq });
        return expAvg.div(denom).div(biasCorrection1);
      });
      return { updates: out, states: next };
    },
  };
}

/** g and both moments share one float dtype and shape: the backend's fused adam() applies. */
function fusable(g: Tensor, m: Tensor, v: Tensor): boolean {
  return (
    isFloat(g.dtype) &&
    g.dtype === m.dtype &&
    g.dtype === v.dtype &&
    sameShape(g.shape, m.shape) &&
    sameShape(g.shape, v.shape)
  );
}

/**
 * The update above as one backend kernel (Backend.adam): the same operations in the same order, each
 * rounded as the tensor ops round it, so the numbers are identical, with 3 fresh buffers instead of 13.
 */
function adamKernel(
  g: Tensor,
  m: Tensor,
  v: Tensor,
  spec: AdamSpec,
): { expAvg: Tensor; expAvgSq: Tensor; update: Tensor } {
  const backend = getBackend();
  const [mOut, vOut, u] = [0, 1, 2].map(() => backend.allocateUninitialised(g.dtype, g.numel));
  backend.adam(g._data, m._data, v._data, spec, mOut!, vOut!, u!);
  const shape = [...g.shape];
  return {
    expAvg: Tensor._fromData(mOut!, shape),
    expAvgSq: Tensor._fromData(vOut!, shape),
    update: Tensor._fromData(u!, shape),
  };
}

export interface AdamaxState {
  step: number;
  expAvg: Tensor;
  /** u: the exponentially weighted infinity norm. */
  expInf: Tensor;
}

/**
 * Adamax's direction (Kingma & Ba 2015, §7.1): m ← β₁m + (1−β₁)g, u ← max(β₂u, |g| + ε),
 * output m/(1−β₁ᵗ)/u. As in PyTorch, ε is added to |g| inside the max.
 */
export function scaleByAdamax<H = Hyper>(
  options: Omit<ScaleByAdamOptions<H>, 'amsgrad'> = {},
): GradientTransformation<AdamaxState, H> {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8 } = options;
  return {
    init: (params) => params.map((p) => ({ step: 0, expAvg: zerosLike(p), expInf: zerosLike(p) })),
    update: (updates, states, _params, hyper) => {
      const beta1 = resolve(b1, hyper);
      const beta2 = resolve(b2, hyper);
      const epsilon = resolve(eps, hyper);
      const next: AdamaxState[] = [];
      const out = updates.map((g, i) => {
        const s = states[i]!;
        const step = s.step + 1;
        const expAvg = s.expAvg.mul(beta1).add(g.mul(1 - beta1));
        const expInf = s.expInf.mul(beta2).maximum(g.abs().add(epsilon));
        next.push({ step, expAvg, expInf });
        return expAvg.div(expInf).div(1 - beta1 ** step);
      });
      return { updates: out, states: next };
    },
  };
}

export interface NadamState {
  step: number;
  /** Πₖ μₖ over the steps so far. */
  muProduct: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

export interface ScaleByNadamOptions<H> extends Omit<ScaleByAdamOptions<H>, 'amsgrad'> {
  /** ψ in μₜ = β₁(1 − ½·0.96^(tψ)), default 4e-3. */
  momentumDecay?: Hyperparam<number, H>;
}

/**
 * NAdam's direction (Dozat 2016), PyTorch 2.x formula: μₜ = β₁(1 − ½·0.96^(tψ)), Pₜ = μ₁⋯μₜ,
 * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², d = √(v/(1−β₂ᵗ)) + ε,
 * u = (1−μₜ)/(1−Pₜ)·g/d + μₜ₊₁/(1−Pₜμₜ₊₁)·m/d.
 */
export function scaleByNadam<H = Hyper>(
  options: ScaleByNadamOptions<H> = {},
): GradientTransformation<NadamState, H> {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, momentumDecay = 4e-3 } = options;
  return {
    init: (params) =>
      params.map((p) => ({ step: 0, muProduct: 1, expAvg: zerosLike(p), expAvgSq: zerosLike(p) })),
    update: (updates, states, _params, hyper) => {
      const beta1 = resolve(b1, hyper);
      const beta2 = resolve(b2, hyper);
      const epsilon = resolve(eps, hyper);
      const psi = resolve(momentumDecay, hyper);
      const next: NadamState[] = [];
      const out = updates.map((g, i) => {
        const s = states[i]!;
        const step = s.step + 1;
        const mu = beta1 * (1 - 0.5 * 0.96 ** (step * psi));
        const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * psi));
        const muProduct = s.muProduct * mu;
        // m.lerp(g, 1 − β₁), as PyTorch writes it.
        const expAvg = s.expAvg.add(g.sub(s.expAvg).mul(1 - beta1));
        const expAvgSq = s.expAvgSq.mul(beta2).add(g.mul(g).mul(1 - beta2));
        const denom = expAvgSq
          .div(1 - beta2 ** step)
          .sqrt()
          .add(epsilon);
        next.push({ step, muProduct, expAvg, expAvgSq });
        return g
          .div(denom)
          .mul((1 - mu) / (1 - muProduct))
          .add(expAvg.div(denom).mul(muNext / (1 - muProduct * muNext)));
      });
      return { updates: out, states: next };
    },
  };
}

export interface RadamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

/**
 * RAdam's direction (Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and Beyond",
 * arXiv:1908.03265): ρ∞ = 2/(1−β₂) − 1, ρₜ = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ), m̂ = m/(1−β₁ᵗ). While ρₜ ≤ 5
 * the output is m̂ (plain momentum); after, m̂·rₜ·√(1−β₂ᵗ)/(√v + ε) with the rectification
 * rₜ = √((ρₜ−4)(ρₜ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρₜ)). ε is added to √v, as in PyTorch.
 */
export function scaleByRadam<H = Hyper>(
  options: Omit<ScaleByAdamOptions<H>, 'amsgrad'> = {},
): GradientTransformation<RadamState, H> {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8 } = options;
  return {
    init: (params) => params.map((p) => ({ step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) })),
    update: (updates, states, _params, hyper) => {
      const beta1 = resolve(b1, hyper);
      const beta2 = resolve(b2, hyper);
      const epsilon = resolve(eps, hyper);
      const next: RadamState[] = [];
      const out = updates.map((g, i) => {
        const s = states[i]!;
        const step = s.step + 1;
        const expAvg = s.expAvg.mul(beta1).add(g.mul(1 - beta1));
        const expAvgSq = s.expAvgSq.mul(beta2).add(g.mul(g).mul(1 - beta2));
        next.push({ step, expAvg, expAvgSq });
        const biasCorrection2 = 1 - beta2 ** step;
        const corrected = expAvg.div(1 - beta1 ** step);
        const rhoInf = 2 / (1 - beta2) - 1;
        const rho = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
        if (!(rho > 5)) return corrected;
        const rect = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
        return corrected.div(expAvgSq.sqrt().add(epsilon)).mul(Math.sqrt(biasCorrection2) * rect);
      });
      return { updates: out, states: next };
    },
  };
}
