/**
 * The confusion matrix of a classifier as a heat grid: row = true class, column = predicted class,
 * each cell shaded by its share of the row (so every class reads on the same scale whatever its size)
 * and labelled with its count. The diagonal holds the correct predictions.
 */
export function drawConfusionMatrix(
  canvas: HTMLCanvasElement,
  size: number,
  matrix: readonly (readonly number[])[] | null,
  classNames: readonly string[],
): void {
  const ctx = canvas.getContext('2d')!;
  ctx.save();
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, size, size);
  const n = classNames.length;
  const left = 86;
  const top = 84;
  const cell = Math.floor((size - left - 8) / Math.max(1, n));
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillStyle = '#333';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  classNames.forEach((name, i) => ctx.fillText(name, left - 4, top + (i + 0.5) * cell));
  classNames.forEach((name, j) => {
    ctx.save();
    ctx.translate(left + (j + 0.5) * cell, top - 4);
    ctx.rotate(-Math.PI / 3);
    ctx.textAlign = 'left';
    ctx.fillText(name, 0, 0);
    ctx.restore();
  });
  ctx.textAlign = 'center';
  ctx.font = '600 11px system-ui, sans-serif';
  ctx.fillText('predicted →', left + (n * cell) / 2, 8);
  ctx.save();
  ctx.translate(10, top + (n * cell) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText('true class →', 0, 0);
  ctx.restore();
  ctx.font = '10px system-ui, sans-serif';
  for (let i = 0; i < n; i++) {
    const row = matrix?.[i] ?? [];
    const total = row.reduce((a, b) => a + b, 0);
    for (let j = 0; j < n; j++) {
      const count = row[j] ?? 0;
      const share = total > 0 ? count / total : 0;
      // White to deep blue on the diagonal, white to deep orange elsewhere (the mistakes).
      const [r, g, b] = i === j ? [8, 81, 156] : [217, 72, 1];
      const mix = (c: number) => Math.round(255 + (c - 255) * Math.sqrt(share));
      ctx.fillStyle = `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
      const x = left + j * cell;
      const y = top + i * cell;
      ctx.fillRect(x, y, cell - 1, cell - 1);
      if (count > 0) {
        ctx.fillStyle = share > 0.45 ? '#fff' : '#222';
        ctx.fillText(String(count), x + cell / 2, y + cell / 2);
      }
    }
  }
  ctx.restore();
}
