/**
 * Gradient checking by float64 central differences. For a random upstream vector v, the analytic
 * vector-Jacobian product vᵀJ from `backward()` must match, input element by element,
 * (vᵀf(x + εeᵢ) − vᵀf(x − εeᵢ)) / 2ε. A random v tests every output at once.
 */
import { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { noGrad } from './grad-mode.js';

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Seed of the random upstream vector. */
  seed?: number;
  /** Throw with the worst mismatch (default) or return false. */
  raiseOnFailure?: boolean;
}

export type GradcheckFn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

/**
 * Checks the gradients of `fn` at `inputs` (float64 tensors; those with requiresGrad are checked).
 * Returns true, or throws an error naming the input, the element and both values.
 */
export function gradcheck(
  fn: GradcheckFn,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 0, raiseOnFailure = true } = options;
  const checked = inputs.filter((t) => t.requiresGrad);
  if (checked.length === 0)
    throw new Error('gradcheck: no input requires grad, so there is nothing to check');
  for (const t of checked) {
    if (t.dtype !== 'float64')
      throw new TypeError(
        `gradcheck: inputs must be float64 for accurate differences, got ${t.dtype} for an input of shape ${formatShape(t.shape)}`,
      );
  }
  const outputs = () => {
    const out = fn(...inputs);
    return out instanceof Tensor ? [out] : [...out];
  };
  const first = outputs().filter((o) => o.dtype === 'float64' || o.dtype === 'float32');
  const generator = new Generator(seed);
  const upstream = first.map((o) => {
    const v = new Float64Array(o.numel);
    for (let i = 0; i < v.length; i++) v[i] = generator.normal();
    return v;
  });
  const project = (outs: Tensor[]) => {
    let s = 0;
    outs
      .filter((o) => o.dtype === 'float64' || o.dtype === 'float32')
      .forEach((o, k) => {
        const v = upstream[k]!;
        for (let i = 0; i < v.length; i++) s += o._data[i]! * v[i]!;
      });
    return s;
  };

  // Analytic: backward of Σ v·f.
  // The check must not disturb gradients the caller has accumulated: set them aside and restore them.
  const savedGrads = checked.map((t) => t.grad);
  for (const t of checked) t.grad = null;
  let total: Tensor | null = null;
  first.forEach((o, k) => {
    if (!o.requiresGrad) return;
    const term = o.mul(new Tensor(upstream[k]!.slice(), o.shape).to(o.dtype)).sum();
    total = total ? total.add(term) : term;
  });
  const analytic = checked.map((t) => new Float64Array(t.numel));
  if (total) {
    (total as Tensor).backward();
    checked.forEach((t, k) => {
      if (t.grad) analytic[k]!.set(t.grad._data);
    });
  }
  checked.forEach((t, k) => (t.grad = savedGrads[k]!));

  // Numeric: central differences, one element at a time.
  for (let k = 0; k < checked.length; k++) {
    const t = checked[k]!;
    for (let i = 0; i < t.numel; i++) {
      const x0 = t._data[i]!;
      const plus = noGrad(() => {
        t._data[i] = x0 + eps;
        return project(outputs());
      });
      const minus = noGrad(() => {
        t._data[i] = x0 - eps;
        return project(outputs());
      });
      t._data[i] = x0;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[k]![i]!;
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
        if (!raiseOnFailure) return false;
        throw new Error(
          `gradcheck: gradient mismatch for input ${inputs.indexOf(t)} (shape ${formatShape(t.shape)}) at flat element ${i}: ` +
            `analytic ${a}, numeric ${numeric} (difference ${Math.abs(a - numeric).toExponential(3)}, tolerance atol ${atol} + rtol ${rtol})`,
        );
      }
    }
  }
  return true;
}
