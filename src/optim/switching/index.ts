/**
 * Switching optimizers mid-run: planned phases (`SwitchingOptimizer`, with the `--switch` spec
 * parser) and the automatic switch of SWATS (Keskar & Socher 2017). Both announce a switch as a
 * `SwitchEvent` to their `onSwitch` listeners.
 */
export type { SwitchEvent, SwitchListener } from './events.js';
export * from './switching-optimizer.js';
export * from './spec.js';
export * from './swats.js';
