/** Colours: a perceptually uniform map for heatmaps, and distinct colours for racers and classes. */

/** Viridis sampled at 9 stops, interpolated linearly. */
const VIRIDIS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
] as const;

/** The viridis colour of t in [0, 1] (clamped). */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 1)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

/** Racer colours, distinct on the dark-to-yellow viridis background (Tableau 10, reordered). */
export const RACER_COLOURS = [
  '#ff4d4d',
  '#ffffff',
  '#ff9f1c',
  '#4dc9ff',
  '#ff6ad5',
  '#b2ff59',
  '#c9a0ff',
  '#ffd23f',
  '#00e5c0',
  '#ff8a65',
  '#90a4ae',
  '#e040fb',
];

/** The colour of racer `i`. */
export function racerColour(i: number): string {
  return RACER_COLOURS[i % RACER_COLOURS.length]!;
}

/** Class colours for the Train view: orange and blue as in TensorFlow Playground, then green. */
export const CLASS_COLOURS: [number, number, number][] = [
  [245, 147, 34],
  [8, 119, 189],
  [60, 170, 80],
  [200, 60, 160],
];
