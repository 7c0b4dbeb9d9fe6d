// One entry point that loads any of the image datasets by name (what the CLI's --dataset option maps to).
import { loadEmbeddedFashionMnist } from './embedded.js';
import type { DatasetOptions, TrainTestSets } from './idx-dataset.js';
import { loadFashionMnist, loadMnist } from './mnist.js';

/** The datasets {@link loadDataset} knows, by the names the CLI accepts. */
export const DATASET_NAMES = ['fashion-mnist-subset', 'fashion-mnist', 'mnist'] as const;

/** A dataset name accepted by {@link loadDataset}. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** True when `name` is one of {@link DATASET_NAMES}; lets callers validate user input before loading. */
export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/**
 * Loads a dataset by name: `fashion-mnist-subset` (embedded, offline, options ignored),
 * `fashion-mnist` or `mnist` (searched for and, if allowed, downloaded; see {@link loadFashionMnist}).
 *
 * @example
 * const { train, test } = await loadDataset('fashion-mnist', { dataDir: './data' });
 */
export function loadDataset(name: DatasetName, options: DatasetOptions = {}): Promise<TrainTestSets> {
  switch (name) {
    case 'fashion-mnist-subset':
      return loadEmbeddedFashionMnist();
    case 'fashion-mnist':
      return loadFashionMnist(options);
    case 'mnist':
      return loadMnist(options);
    default:
      throw new Error(`unknown dataset '${String(name)}': expected one of ${DATASET_NAMES.join(', ')}`);
  }
}
