/**
 * The learning-rate schedules offered in the playground, as presets that fit a run of known length:
 * each becomes a `SchedulerSpec` for Descent's `schedulerFromSpec`, stepped once per optimizer step.
 * Lengths scale with the run, so "cosine" always anneals over the whole run.
 */
import { optim } from '../../../src/browser.js';

export const SCHEDULE_PRESETS = [
  'none',
  'step',
  'exponential',
  'cosine',
  'warmup-cosine',
  'onecycle',
  'cyclic',
] as const;

export type SchedulePreset = (typeof SCHEDULE_PRESETS)[number];

/** One line per preset, for the menus' tooltips. */
export const SCHEDULE_SUMMARIES: Record<SchedulePreset, string> = {
  none: 'constant learning rate',
  step: 'halve the lr every quarter of the run (StepLR)',
  exponential: 'lr·γ^step, down to lr/100 at the end (ExponentialLR)',
  cosine: 'cosine annealing from lr to 0 over the run (CosineAnnealingLR)',
  'warmup-cosine': 'linear warm-up over the first tenth, then cosine (LinearLR → CosineAnnealingLR)',
  onecycle: '1cycle: up to lr then down to lr/10⁴ (OneCycleLR)',
  cyclic: 'triangular waves between lr/10 and lr, 4 cycles (CyclicLR)',
};

/** The scheduler spec of `preset` for a run of `steps` steps whose base (or peak) lr is `lr`. */
export function schedulePresetSpec(
  preset: SchedulePreset,
  steps: number,
  lr: number,
): optim.SchedulerSpec | null {
  const n = Math.max(steps, 8);
  switch (preset) {
    case 'none':
      return null;
    case 'step':
      return { type: 'step', options: { stepSize: Math.round(n / 4), gamma: 0.5 } };
    case 'exponential':
      return { type: 'exponential', options: { gamma: 0.01 ** (1 / n) } };
    case 'cosine':
      return { type: 'cosine', options: { tMax: n } };
    case 'warmup-cosine': {
      const warm = Math.max(1, Math.round(n / 10));
      return { type: 'cosine', options: { tMax: n - warm }, warmup: { steps: warm } };
    }
    case 'onecycle':
      // One step more than the run, as the scheduler refuses to step past its total.
      return { type: 'onecycle', options: { maxLr: lr, totalSteps: n + 1, cycleMomentum: false } };
    case 'cyclic':
      return {
        type: 'cyclic',
        options: {
          baseLr: lr / 10,
          maxLr: lr,
          stepSizeUp: Math.max(1, Math.round(n / 8)),
          cycleMomentum: false,
        },
      };
  }
}
