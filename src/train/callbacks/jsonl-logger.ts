/**
 * The JSONL training log, the format the browser view reads.
 *
 * Format 'descent-train-log', version 1: UTF-8 text, one JSON object per line, each with a `type`:
 *
 *     {"type":"begin","format":"descent-train-log","version":1,"time":"2025-01-01T12:00:00.000Z",
 *      "epochs":10,"stepsPerEpoch":469,"logEvery":50,"metrics":["accuracy"],"validation":true,"optimizer":"Adam"}
 *     {"type":"step","step":50,"epoch":1,"batch":50,"loss":0.61,"lr":0.001,"gradNorm":1.2,"optimizer":"Adam","seconds":3.1}
 *     {"type":"epoch","epoch":1,"step":469,"loss":0.52,"metrics":{"accuracy":0.81},"valLoss":0.45,
 *      "valMetrics":{"accuracy":0.84},"lr":0.001,"gradNorm":1.1,"optimizer":"Adam","seconds":28.4}
 *     {"type":"switch","step":938,"epoch":2,"from":"adam","to":"sgd","lr":0.05,"reason":"planned"}
 *     {"type":"resume","time":"…","step":120,"epoch":1,"batch":120,"epochs":10,"from":"runs/a/step-00000120"}
 *     {"type":"end","step":4690,"epoch":10,"stopReason":null}
 *
 * - `begin` opens a run; `resume` marks where a resumed session continues: `step` steps done, `epoch`
 *   epochs done and `batch` batches into the next (a checkpoint taken mid-epoch), `epochs` the epochs
 *   now planned. The file is first cut back to its length at the checkpoint, so the lines of the steps
 *   after it (which are trained again) are not repeated and the log reads as one uninterrupted run
 *   with `resume` markers. Resumed into a file that is not the checkpoint's log (another run's, or
 *   one that is gone; a copy is fine), the log starts afresh with a `begin` line, then `resume`.
 * - `step` lines come every `logEvery` optimizer steps (the trainer's option); their loss and
 *   gradNorm are means over the steps since the previous step line, lr and optimizer those of the
 *   step. `epoch` (from 1) is the epoch in progress, `batch` the batches done in it.
 * - `epoch` lines are the trainer's EpochLog records (history.ts): `epoch` from 1, `step` the steps
 *   done at its end, loss and metrics over the epoch's training batches, validation after it.
 * - `switch` lines are optimizer switches (SwitchingOptimizer, SWATS): `step` steps were taken when
 *   it happened; `epoch` is the number of epochs completed.
 * - Numbers that are not finite (NaN where nothing was measured, such as valLoss without validation
 *   data) are written as null.
 *
 * Readers should skip a last line that does not parse (the writer may be between two writes of a
 * line only if the disk filled up) and ignore types and fields they do not know.
 */
import type { SwitchEvent } from '../../optim/switching/events.js';
import { optimizerName } from '../fit.js';
import type { EpochLog, History } from '../history.js';
import type { Trainer } from '../trainer.js';
import type { BatchLog, Callback } from './callback.js';
import { LogFile } from './log-file.js';

export const TRAIN_LOG_FORMAT = 'descent-train-log';
export const TRAIN_LOG_VERSION = 1;

/** JSON.stringify with non-finite numbers as null (JSON's own rule, spelled out). */
function line(value: object): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
}

/**
 * Writes the run to `path` as JSON lines (see the format above), one line per epoch, per step record
 * and per optimizer switch, each flushed to the OS as it is written and fsynced at every epoch end.
 *
 * @example
 * new JsonlLogger('runs/mlp/log.jsonl');
 */
export class JsonlLogger implements Callback {
  readonly name = 'JsonlLogger';
  private readonly file: LogFile;

  constructor(readonly path: string) {
    this.file = new LogFile(path);
  }

  onTrainBegin(trainer: Trainer): void {
    const continued = trainer.resumedFrom !== null && this.file.open(true);
    if (!continued) {
      this.file.open(false);
      this.file.append(
        line({
          type: 'begin',
          format: TRAIN_LOG_FORMAT,
          version: TRAIN_LOG_VERSION,
          time: new Date().toISOString(),
          epochs: trainer.epochs,
          stepsPerEpoch: trainer.stepsPerEpoch,
          logEvery: trainer.logEvery,
          metrics: trainer.metricKeys,
          validation: trainer.validation !== null,
          optimizer: optimizerName(trainer.optimizer),
        }),
      );
    }
    if (trainer.resumedFrom !== null) {
      this.file.append(
        line({
          type: 'resume',
          time: new Date().toISOString(),
          step: trainer.step,
          epoch: trainer.epochsDone,
          batch: trainer.batch,
          epochs: trainer.epochs,
          from: trainer.resumedFrom,
        }),
      );
    }
  }

  onBatchEnd(_trainer: Trainer, log: BatchLog): void {
    if (log.stepLog) this.file.append(line({ type: 'step', ...log.stepLog }));
  }

  onEpochEnd(_trainer: Trainer, log: EpochLog): void {
    this.file.append(line({ type: 'epoch', ...log }));
    this.file.sync();
  }

  onSwitch(_trainer: Trainer, event: SwitchEvent): void {
    const { step, epoch, from, to, lr, reason } = event;
    this.file.append(line({ type: 'switch', step, epoch, from, to, lr, reason }));
  }

  onTrainEnd(trainer: Trainer, history: History): void {
    this.file.append(
      line({ type: 'end', step: trainer.step, epoch: trainer.epochsDone, stopReason: history.stopReason }),
    );
    this.file.sync();
  }

  stateDict(): unknown {
    return this.file.stateDict();
  }

  loadStateDict(state: unknown): void {
    this.file.loadStateDict(state);
  }
}
