// Training logs in the 'descent-train-log' format (src/train/callbacks/jsonl-logger.ts), as the
// trainer's JsonlLogger writes them, for the Runs view's tests.

/** A log of `epochs` epochs whose loss decays at `rate`, optionally switching optimizer halfway. */
export function trainLog(optimizer: string, epochs: number, rate: number, switchTo?: string): string {
  const steps = 20;
  const lines: object[] = [
    {
      type: 'begin',
      format: 'descent-train-log',
      version: 1,
      time: '2025-01-01T12:00:00.000Z',
      epochs,
      stepsPerEpoch: steps,
      logEvery: 10,
      metrics: ['accuracy'],
      validation: true,
      optimizer,
    },
  ];
  let name = optimizer;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const loss = 2.3 * Math.exp(-rate * epoch);
    for (const batch of [10, 20]) {
      lines.push({
        type: 'step',
        step: (epoch - 1) * steps + batch,
        epoch,
        batch,
        loss: loss * 1.1,
        lr: 0.01,
        gradNorm: 1,
        optimizer: name,
        seconds: epoch,
      });
    }
    lines.push({
      type: 'epoch',
      epoch,
      step: epoch * steps,
      loss,
      metrics: { accuracy: 1 - loss / 2.5 },
      valLoss: loss * 1.2,
      valMetrics: { accuracy: 1 - (loss * 1.2) / 2.5 },
      lr: 0.01,
      gradNorm: 1,
      optimizer: name,
      seconds: epoch,
    });
    if (switchTo && epoch === Math.floor(epochs / 2)) {
      lines.push({
        type: 'switch',
        step: epoch * steps,
        epoch,
        from: optimizer,
        to: switchTo,
        lr: 0.05,
        reason: 'planned',
      });
      name = switchTo;
    }
  }
  lines.push({ type: 'end', step: epochs * steps, epoch: epochs, stopReason: null });
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}
