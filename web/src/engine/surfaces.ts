/**
 * The loss surfaces of the Descent view. Each is written once with Descent's tensor ops on `x` and
 * `y` of any one shape: on the two entries of a float64 [2] parameter it is the loss that autograd
 * differentiates for the optimizers, and on a whole grid of points it is the heatmap.
 */
import type { Tensor } from '../../../src/browser.js';

export const SURFACE_NAMES = ['rosenbrock', 'beale', 'himmelblau', 'saddle', 'bowl', 'rastrigin'] as const;

export type SurfaceName = (typeof SURFACE_NAMES)[number];

/** Parameters of the surfaces that have any. */
export interface SurfaceParams {
  /** Condition number κ of the quadratic bowl: the ratio of its largest to its smallest curvature. */
  condition: number;
}

export interface Surface {
  /** Shown in the menu. */
  label: string;
  /** The formula, shown under the plot. */
  formula: string;
  /** The loss at (x, y), elementwise. */
  f(x: Tensor, y: Tensor, params: SurfaceParams): Tensor;
  /** The plotted square: [xMin, xMax] and [yMin, yMax]. */
  domain: { x: [number, number]; y: [number, number] };
  /** Where the racers start until the user clicks elsewhere. */
  start: [number, number];
  /** The global minima (marked on the plot). */
  minima: [number, number][];
  /** The smallest value of the loss, the zero of the log colour scale. */
  minValue: number;
  /** Whether the heatmap colours log(loss − min) by default: for surfaces whose values span decades. */
  logColour: boolean;
}

const sq = (t: Tensor): Tensor => t.mul(t);

/** A rotation of 30° makes the bowl's axes diagonal, so per-coordinate step sizes cannot undo κ. */
const BOWL_ANGLE = Math.PI / 6;

export const SURFACES: Record<SurfaceName, Surface> = {
  rosenbrock: {
    label: 'Rosenbrock',
    formula: '(1 − x)² + 100·(y − x²)²: a curved, flat-bottomed valley; minimum 0 at (1, 1)',
    f: (x, y) => sq(x.neg().add(1)).add(sq(y.sub(sq(x))).mul(100)),
    domain: { x: [-2, 2], y: [-1, 3] },
    start: [-1.5, 2.5],
    minima: [[1, 1]],
    minValue: 0,
    logColour: true,
  },
  beale: {
    label: 'Beale',
    formula: '(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; minimum 0 at (3, 0.5)',
    f: (x, y) => {
      const term = (c: number, yk: Tensor) => sq(x.mul(yk).sub(x).add(c));
      return term(1.5, y)
        .add(term(2.25, sq(y)))
        .add(term(2.625, sq(y).mul(y)));
    },
    domain: { x: [-4.5, 4.5], y: [-4.5, 4.5] },
    start: [1, 1.5],
    minima: [[3, 0.5]],
    minValue: 0,
    logColour: true,
  },
  himmelblau: {
    label: 'Himmelblau',
    formula: '(x² + y − 11)² + (x + y² − 7)²: four minima of value 0',
    f: (x, y) => sq(sq(x).add(y).sub(11)).add(sq(x.add(sq(y)).sub(7))),
    domain: { x: [-5, 5], y: [-5, 5] },
    start: [0, 0],
    minima: [
      [3, 2],
      [-2.805118, 3.131312],
      [-3.77931, -3.283186],
      [3.584428, -1.848126],
    ],
    minValue: 0,
    logColour: true,
  },
  saddle: {
    label: 'Saddle',
    formula: 'x² + y⁴/4 − y²/2: a saddle point at (0, 0) between two minima −1/4 at (0, ±1)',
    f: (x, y) =>
      sq(x)
        .add(sq(sq(y)).mul(0.25))
        .sub(sq(y).mul(0.5)),
    domain: { x: [-2, 2], y: [-2, 2] },
    start: [-1.8, 0.001],
    minima: [
      [0, 1],
      [0, -1],
    ],
    minValue: -0.25,
    logColour: false,
  },
  bowl: {
    label: 'Ill-conditioned bowl',
    formula: '½(u² + κ·v²), (u, v) the point rotated by 30°: condition number κ; minimum 0 at (0, 0)',
    f: (x, y, { condition }) => {
      const c = Math.cos(BOWL_ANGLE);
      const s = Math.sin(BOWL_ANGLE);
      const u = x.mul(c).add(y.mul(s));
      const v = y.mul(c).sub(x.mul(s));
      return sq(u).add(sq(v).mul(condition)).mul(0.5);
    },
    domain: { x: [-3, 3], y: [-3, 3] },
    start: [-2.5, 2],
    minima: [[0, 0]],
    minValue: 0,
    logColour: true,
  },
  rastrigin: {
    label: 'Rastrigin',
    formula: '20 + Σ (t² − 10·cos 2πt) over t = x, y: a bumpy bowl of local minima; 0 at (0, 0)',
    f: (x, y) => {
      const bump = (t: Tensor) =>
        sq(t).sub(
          t
            .mul(2 * Math.PI)
            .cos()
            .mul(10),
        );
      return bump(x).add(bump(y)).add(20);
    },
    domain: { x: [-5.12, 5.12], y: [-5.12, 5.12] },
    start: [-4.2, 3.6],
    minima: [[0, 0]],
    minValue: 0,
    logColour: false,
  },
};
