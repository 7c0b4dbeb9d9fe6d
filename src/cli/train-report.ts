/**
 * The report of a `descent train` run (see src/report/training-report.ts): the trainer's history of
 * the whole run (a resumed run's earlier sessions included), every step's loss and lr, the optimizer
 * switches, the run's config, and the trained model evaluated on the test set with a confusion matrix.
 */
import { evaluate } from '../train/trainer.js';
import { ConfusionMatrix } from '../train/metrics.js';
import type { Sequential } from '../nn/layers/sequential.js';
import type { ReportEvaluation, ReportStep, TrainingReport } from '../report/training-report.js';
import type { RunData, TrainingRun } from './run-setup.js';

/** Loss, accuracy and confusion matrix of `model` on the test set. */
export function evaluateForReport(
  model: Sequential,
  data: RunData,
  dtype: 'float32' | 'float64',
): ReportEvaluation {
  const result = evaluate(model, data.test, {
    metrics: ['accuracy', new ConfusionMatrix(data.classes)],
    batchSize: 1000,
    dtype,
  });
  return {
    split: 'test',
    loss: result.loss,
    accuracy: result.metrics.accuracy ?? NaN,
    samples: result.samples,
    classNames: [...data.test.classes],
    confusion: result.values.confusion as number[][],
  };
}

export interface ReportContext {
  title: string;
  summary: string[];
  stepsPerEpoch: number;
  config: Record<string, unknown> | null;
  evaluation: ReportEvaluation | null;
}

/**
 * A run's report. The per-step curve is every step of this session, after the trainer's step records
 * (one per 50 steps) of the sessions before a resume.
 */
export function trainingReportFromRun(run: TrainingRun, context: ReportContext): TrainingReport {
  const first = run.steps[0]?.step ?? Infinity;
  const steps: ReportStep[] = [
    ...run.fit.steps.filter((s) => s.step < first).map((s) => ({ step: s.step, loss: s.loss, lr: s.lr })),
    ...run.steps,
  ];
  return {
    ...context,
    epochs: run.fit.epochs.map((e) => ({
      epoch: e.epoch,
      step: e.step,
      loss: e.loss,
      accuracy: e.metrics.accuracy ?? NaN,
      valLoss: e.valLoss,
      valAccuracy: e.valMetrics.accuracy ?? NaN,
      lr: e.lr,
      optimizer: e.optimizer,
    })),
    steps,
    switches: run.fit.switches.map(({ step, epoch, from, to, lr, reason }) => ({
      step,
      epoch,
      from,
      to,
      lr,
      reason,
    })),
  };
}
