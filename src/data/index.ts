// The data layer's public API. Node-only modules (files, downloads, the dataset loaders) are mixed in
// here; browser code should import the pure modules directly: idx.ts, image-set.ts, shuffle.ts,
// split.ts, batches.ts.
export { parseIdx, encodeIdx, type IdxArray, type IdxDtype } from './idx.js';
export { readIdxFile, gunzipIfNeeded, isGzip } from './idx-file.js';
export { classCounts, imageSetFromIdx, selectImages, type ImageSet } from './image-set.js';
export { type FileChecksum } from './checksum.js';
export { type IdxDatasetSpec, type IdxFileRole } from './dataset-spec.js';
export { DATA_DIR_ENV, defaultCacheDir, searchLocations, type DataLocation } from './locate.js';
export { loadIdxDataset, type DatasetOptions, type TrainTestSets } from './idx-dataset.js';
export {
  FASHION_MNIST,
  FASHION_MNIST_CLASSES,
  MNIST,
  MNIST_CLASSES,
  loadFashionMnist,
  loadMnist,
} from './mnist.js';
export { embeddedFashionMnistDir, loadEmbeddedFashionMnist } from './embedded.js';
export { DATASET_NAMES, isDatasetName, loadDataset, type DatasetName } from './datasets.js';
export { trainValidationSplit, type TrainValidationSplit } from './split.js';
export { batchCount, batches, type Batch, type BatchOptions } from './batches.js';
export { shuffledIndices, xoshiro128ss, type Uint32Generator } from './shuffle.js';
export {
  ImageSetDataset,
  Subset,
  TensorDataset,
  randomSplit,
  type Dataset,
  type ImageSample,
  type Sample,
  type TensorSample,
} from './dataset.js';
export {
  DataLoader,
  type DataLoaderOptions,
  type EpochBatches,
  type LoaderBatch,
  type LoaderState,
} from './loader.js';
export {
  CsvDataset,
  csvDataset,
  loadCsvDataset,
  parseCsv,
  type CsvColumn,
  type CsvDatasetOptions,
  type CsvParseOptions,
  type CsvRecord,
} from './csv.js';
export { decodeImage, imageFormat, type DecodeOptions, type ImageFormat } from './decode.js';
export {
  ImageFolderDataset,
  loadImageFolder,
  type ImageFolderEntry,
  type ImageFolderOptions,
} from './image-folder.js';
export * from './transforms/index.js';
