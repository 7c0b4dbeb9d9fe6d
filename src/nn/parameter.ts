/**
 * A Parameter is a tensor that a Module owns and an optimizer updates: a leaf that requires grad by
 * default. It is a Tensor subclass, so `instanceof Parameter` is how a Module recognises the fields it
 * must register (PyTorch's `nn.Parameter`), and everything a Tensor does works on it unchanged.
 */
import { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';

export class Parameter extends Tensor {
  /**
   * Wraps `data`'s buffer (no copy, as PyTorch does) in a new leaf outside any graph.
   *
   * @example const scale = new Parameter(ones([4]));
   */
  constructor(data: Tensor, requiresGrad = true) {
    super(data._data, data.shape);
    if (requiresGrad) this.requiresGrad_(true);
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/**
 * Converts a tensor's element type in place, keeping the object: optimizers and other holders of a
 * parameter keep a valid reference after `module.double()`. Its gradient is converted too.
 */
export function convertInPlace(t: Tensor, dtype: DType): void {
  if (t.dtype === dtype) return;
  t._data = t.detach().to(dtype)._data;
  t._version++;
  if (t.grad) t.grad = t.grad.to(dtype);
}
