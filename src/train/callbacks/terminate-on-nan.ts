/** Stopping at the first non-finite loss (Keras's TerminateOnNaN). */
import type { Trainer } from '../trainer.js';
import type { BatchLog, Callback } from './callback.js';

/**
 * Stops training as soon as a batch's loss is NaN or infinite: the epoch ends (its record shows the
 * non-finite loss) and `history.stopReason` says where it happened.
 *
 * @example
 * fit(model, data, { epochs: 10, optimizer, callbacks: [new TerminateOnNaN()] });
 */
export class TerminateOnNaN implements Callback {
  readonly name = 'TerminateOnNaN';

  onBatchEnd(trainer: Trainer, log: BatchLog): void {
    if (!Number.isFinite(log.loss)) {
      trainer.stop(
        `TerminateOnNaN: the loss was ${log.loss} at step ${log.step} (epoch ${log.epoch}, batch ${log.batch})`,
      );
    }
  }
}
