/**
 * Learning-rate schedules: pure functions of the step (./schedules.ts) and the PyTorch-style
 * scheduler classes that write them into `group.lr`. Step once per batch or once per epoch: a step
 * is whatever the caller counts, and the lengths (`stepSize`, `tMax`, `totalSteps`, ...) are in the
 * same unit.
 */
export * from './schedules.js';
export {
  LRScheduler,
  ClosedFormScheduler,
  type JsonValue,
  type Scheduler,
  type SchedulerState,
} from './lr-scheduler.js';
export * from './decay.js';
export * from './cosine.js';
export * from './one-cycle.js';
export * from './cyclic.js';
export * from './lambda.js';
export * from './sequential.js';
export * from './plateau.js';
export * from './registry.js';
export type { MomentumField } from './momentum.js';
