/**
 * The 2-D toy datasets of the Train view, after TensorFlow Playground's: every point lies in the
 * square [-6, 6]², and a seeded Descent `Generator` makes the same points for the same seed.
 */
import { Generator } from '../../../src/browser.js';

export const DATASET_NAMES = ['spiral', 'circles', 'xor', 'gaussians'] as const;

export type DatasetName = (typeof DATASET_NAMES)[number];

/** Half the side of the square the points lie in. */
export const TOY_EXTENT = 6;

/** Labelled points. */
export interface ToyData {
  /** Coordinates, x then y for each point. */
  points: Float32Array;
  /** The class of each point. */
  labels: Int32Array;
  /** The number of classes. */
  classes: number;
}

/** How many classes each dataset has. */
export const DATASET_CLASSES: Record<DatasetName, number> = { spiral: 2, circles: 2, xor: 2, gaussians: 3 };

/** `count` points of dataset `name`, each coordinate perturbed by Gaussian noise of std `noise`. */
export function makeToyData(name: DatasetName, count: number, noise: number, seed: number): ToyData {
  const gen = new Generator(seed);
  const points = new Float32Array(count * 2);
  const labels = new Int32Array(count);
  const classes = DATASET_CLASSES[name];
  const clip = (v: number) => Math.max(-TOY_EXTENT, Math.min(TOY_EXTENT, v));
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    let x: number;
    let y: number;
    switch (name) {
      case 'spiral': {
        // Two interleaved arms of 1.75 turns, radius growing from 0 to 5.
        const t = gen.random();
        const angle = 1.75 * 2 * Math.PI * t + label * Math.PI;
        x = 5 * t * Math.sin(angle);
        y = 5 * t * Math.cos(angle);
        break;
      }
      case 'circles': {
        // A disc of radius 2 inside a ring from 3.5 to 5.
        const r = label === 0 ? 2 * Math.sqrt(gen.random()) : 3.5 + 1.5 * gen.random();
        const angle = 2 * Math.PI * gen.random();
        x = r * Math.cos(angle);
        y = r * Math.sin(angle);
        break;
      }
      case 'xor': {
        // Uniform in the four quadrants away from the axes; the class is the sign of x·y.
        const sx = gen.random() < 0.5 ? -1 : 1;
        const sy = (label === 0 ? 1 : -1) * sx;
        x = sx * (0.4 + 4.6 * gen.random());
        y = sy * (0.4 + 4.6 * gen.random());
        break;
      }
      case 'gaussians': {
        // Three blobs of std 1 at radius 3, a third of a turn apart.
        const angle = Math.PI / 2 + (2 * Math.PI * label) / classes;
        x = 3 * Math.cos(angle) + gen.normal();
        y = 3 * Math.sin(angle) + gen.normal();
        break;
      }
    }
    points[2 * i] = clip(x + noise * gen.normal());
    points[2 * i + 1] = clip(y + noise * gen.normal());
    labels[i] = label;
  }
  return { points, labels, classes };
}
