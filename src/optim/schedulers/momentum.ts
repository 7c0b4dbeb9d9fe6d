/**
 * Reading and writing the momentum that one-cycle and cyclical schedules cycle: `group.momentum`
 * for SGD-like optimizers, `group.betas[0]` (β1) for the Adam family.
 */
import type { ParamGroup } from '../param-group.js';

/** Which field of a group holds its momentum. */
export type MomentumField = 'momentum' | 'betas';

/** The momentum field of each group; throws naming the first group that has none. */
export function momentumFields(who: string, groups: readonly ParamGroup[]): MomentumField[] {
  return groups.map((group, i) => {
    if (Array.isArray(group.betas)) return 'betas';
    if (typeof group.momentum === 'number') return 'momentum';
    throw new TypeError(
      `${who}: cycleMomentum needs parameter groups with momentum (SGD, RMSprop) or betas (Adam family); ` +
        `group ${i} has neither. Pass cycleMomentum: false to leave momentum alone`,
    );
  });
}

/** Writes a momentum value: `momentum`, or a new `betas` pair with β1 replaced. */
export function writeMomentum(group: ParamGroup, field: MomentumField, value: number): void {
  if (field === 'betas') group.betas = [value, group.betas![1]];
  else group.momentum = value;
}
