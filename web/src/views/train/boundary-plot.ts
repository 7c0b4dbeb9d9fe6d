/** The Train view's plot: the decision boundary as a heatmap of class probabilities, and the points. */
import type { Boundary } from '../../engine/trainer.js';
import { TOY_EXTENT } from '../../engine/toy-data.js';
import { CLASS_COLOURS } from '../../ui/colours.js';

export interface PlotData {
  points: Float32Array;
  labels: Int32Array;
  trainIndices: Int32Array;
  valIndices: Int32Array;
}

/**
 * Each grid cell gets the class colours mixed by the predicted probabilities, washed towards white
 * where the model is unsure (as in TensorFlow Playground).
 */
function boundaryImage(boundary: Boundary): ImageData {
  const { resolution, probabilities, classes } = boundary;
  const image = new ImageData(resolution, resolution);
  for (let i = 0; i < resolution * resolution; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let top = 0;
    for (let c = 0; c < classes; c++) {
      const p = probabilities[i * classes + c]!;
      const colour = CLASS_COLOURS[c % CLASS_COLOURS.length]!;
      r += p * colour[0];
      g += p * colour[1];
      b += p * colour[2];
      top = Math.max(top, p);
    }
    // Confidence 1/classes (a coin toss) is white, 1 is the full colour.
    const strength = 0.15 + 0.6 * Math.max(0, (top - 1 / classes) / (1 - 1 / classes));
    image.data.set(
      [255 + strength * (r - 255), 255 + strength * (g - 255), 255 + strength * (b - 255), 255],
      4 * i,
    );
  }
  return image;
}

export function drawBoundaryPlot(
  canvas: HTMLCanvasElement,
  size: number,
  boundary: Boundary | null,
  data: PlotData | null,
): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, size, size);
  if (boundary) {
    const grid = document.createElement('canvas');
    grid.width = boundary.resolution;
    grid.height = boundary.resolution;
    grid.getContext('2d')!.putImageData(boundaryImage(boundary), 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(grid, 0, 0, size, size);
  }
  if (!data) return;
  const px = (v: number) => ((v + TOY_EXTENT) / (2 * TOY_EXTENT)) * size;
  const py = (v: number) => ((TOY_EXTENT - v) / (2 * TOY_EXTENT)) * size;
  const dot = (index: number, validation: boolean) => {
    const colour = CLASS_COLOURS[data.labels[index]! % CLASS_COLOURS.length]!;
    ctx.beginPath();
    ctx.arc(px(data.points[2 * index]!), py(data.points[2 * index + 1]!), 3.5, 0, 2 * Math.PI);
    if (validation) {
      ctx.strokeStyle = `rgb(${colour.join(',')})`;
      ctx.lineWidth = 1.6;
      ctx.stroke();
    } else {
      ctx.fillStyle = `rgb(${colour.join(',')})`;
      ctx.fill();
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  };
  for (const i of data.trainIndices) dot(i, false);
  for (const i of data.valIndices) dot(i, true);
}
