/** The Descent view's whole state: what is raced, on what, from where. Mirrored to the URL. */
import { formatRacer, parseRacer, type RacerSpec } from '../engine/racer.js';
import { SURFACE_NAMES, type SurfaceName } from '../engine/surfaces.js';
import { choiceField, listField, numberField, type FieldCodec, type Schema } from './codec.js';

export const COLOUR_SCALES = ['auto', 'log', 'linear'] as const;

export interface DescentState {
  /** The loss surface the racers descend. */
  surface: SurfaceName;
  /** Condition number κ of the ill-conditioned bowl (largest over smallest curvature). */
  condition: number;
  /** Where every racer starts, [x, y]; a click on the plot moves it. */
  start: [number, number];
  /** The racers: an optimizer with its hyperparameters, an optional schedule and switch each. */
  racers: RacerSpec[];
  /** The steps each racer takes. */
  steps: number;
  /** Optimizer steps per second of animation. */
  speed: number;
  /** Heatmap colours: by log(loss − min), by the loss itself, or whichever suits the surface. */
  colour: (typeof COLOUR_SCALES)[number];
}

const racerField: FieldCodec<RacerSpec> = { encode: formatRacer, decode: parseRacer };

export const DESCENT_SCHEMA: Schema<DescentState> = {
  surface: choiceField(SURFACE_NAMES),
  condition: numberField({ min: 1, max: 1e4 }),
  start: listField(numberField({ min: -1e3, max: 1e3 }), { min: 2, max: 2 }) as FieldCodec<[number, number]>,
  racers: listField(racerField, { separator: ';', min: 1, max: 12 }),
  steps: numberField({ min: 1, max: 20000, integer: true }),
  speed: numberField({ min: 1, max: 100000 }),
  colour: choiceField(COLOUR_SCALES),
};

export const DESCENT_DEFAULTS: DescentState = {
  surface: 'rosenbrock',
  condition: 10,
  start: [-1.5, 2.5],
  racers: [
    'sgd:lr=0.001',
    'sgd:lr=0.0005,momentum=0.9',
    'adam:lr=0.05',
    'rmsprop:lr=0.005',
    'adagrad:lr=0.5',
    'lion:lr=0.01',
  ].map(parseRacer),
  steps: 500,
  speed: 120,
  colour: 'auto',
};
