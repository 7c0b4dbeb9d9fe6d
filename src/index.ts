/**
 * Descent: tensors with reverse-mode autograd, neural-network layers, optimizers and schedules, data
 * loading and training, in TypeScript for Node and the browser.
 */
import './backend/js/index.js';

export * from './tensor/index.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad-mode.js';
export {
  setBackend,
  getBackend,
  availableBackends,
  registerBackend,
  type Backend,
} from './backend/backend.js';
export { gradcheck, type GradcheckOptions, type GradcheckFn } from './autograd/gradcheck.js';
