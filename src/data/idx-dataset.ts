// Loading an MNIST-style dataset: find its four IDX files, or download them, then parse and check them (Node only).
import { join } from 'node:path';

import type { FileChecksum } from './checksum.js';
import { IDX_FILE_ROLES, type IdxDatasetSpec, type IdxFileRole } from './dataset-spec.js';
import { downloadVerified } from './download.js';
import { readIdxFile } from './idx-file.js';
import { imageSetFromIdx, type ImageSet } from './image-set.js';
import {
  DATA_DIR_ENV,
  probeLocation,
  searchLocations,
  type DataLocation,
  type LocateOptions,
  type LocationProbe,
} from './locate.js';

/** A folder that does not hold all four files. */
type MissingProbe = Extract<LocationProbe, { complete: false }>;

/** Options for loading an MNIST-style dataset. */
export interface DatasetOptions extends LocateOptions {
  /** Download into the user cache when no folder has the files (default true). */
  download?: boolean;
  /** Download base URL, overriding the official mirror; the file name plus `.gz` is appended. */
  baseUrl?: string;
  /** Overrides the expected checksum of some downloaded files (for a private mirror, or tests). */
  checksums?: Partial<Record<IdxFileRole, FileChecksum>>;
  /** Receives one line per notable step (download started, folder skipped); silent by default. */
  log?: (message: string) => void;
}

/** A dataset's official train and test sets, and the folder they were read from. */
export interface TrainTestSets {
  train: ImageSet;
  test: ImageSet;
  location: DataLocation;
}

/**
 * Loads an MNIST-style dataset, looking in order in the explicit `dataDir`, `DESCENT_DATA_DIR`,
 * the system package folder and the user cache; when none has all four files and `download` is on,
 * downloads the missing ones into the cache, verifying each checksum before accepting it.
 *
 * A file that is found but invalid is an error naming the file, the problem and the location;
 * the search does not silently move on to another copy.
 */
export async function loadIdxDataset(spec: IdxDatasetSpec, options: DatasetOptions = {}): Promise<TrainTestSets> {
  const log = options.log ?? (() => {});
  const probes: MissingProbe[] = [];
  for (const location of searchLocations(spec, options)) {
    const probe = await probeLocation(spec, location);
    if (probe.complete) return readFromLocation(spec, probe.location, probe.paths);
    // A folder with some but not all files is probably a mistake worth mentioning; an empty one is not.
    if (Object.keys(probe.found).length > 0) log(`${spec.title}: skipping ${location.dir}: ${probe.problem}`);
    probes.push(probe);
  }

  if (options.download === false) {
    throw notFoundError(spec, probes, 'Downloading is turned off.');
  }
  // The cache is searched last, so its probe is the last one.
  const cacheProbe = probes[probes.length - 1]!;
  const cache = cacheProbe.location;
  try {
    await downloadMissing(spec, cacheProbe, options, log);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw notFoundError(spec, probes, `Downloading failed: ${reason}`, error);
  }
  const probe = await probeLocation(spec, cache);
  if (!probe.complete) {
    throw new Error(`${spec.title}: the download finished but ${cache.dir} ${probe.problem}`);
  }
  return readFromLocation(spec, cache, probe.paths);
}

/**
 * Reads an MNIST-style dataset from one known folder, without searching or downloading
 * (for data shipped with the package).
 */
export async function readIdxDatasetAt(spec: IdxDatasetSpec, location: DataLocation): Promise<TrainTestSets> {
  const probe = await probeLocation(spec, location);
  if (!probe.complete) {
    throw new Error(`${spec.title}: ${location.label} (${location.dir}) ${probe.problem}`);
  }
  return readFromLocation(spec, location, probe.paths);
}

async function readFromLocation(
  spec: IdxDatasetSpec,
  location: DataLocation,
  paths: Record<IdxFileRole, string>,
): Promise<TrainTestSets> {
  try {
    const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
      IDX_FILE_ROLES.map((role) => readIdxFile(paths[role])),
    );
    const train = imageSetFromIdx(
      { images: trainImages!, imagesFile: paths.trainImages, labels: trainLabels!, labelsFile: paths.trainLabels },
      spec.classes,
    );
    const test = imageSetFromIdx(
      { images: testImages!, imagesFile: paths.testImages, labels: testLabels!, labelsFile: paths.testLabels },
      spec.classes,
    );
    return { train, test, location };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint =
      location.label === 'user cache' ? ' Delete the file to download it again.' : ' Replace the file with a good copy.';
    throw new Error(
      `${spec.title} files found in ${location.label} (${location.dir}) are unusable: ${reason}.${hint}`,
      { cause: error },
    );
  }
}

async function downloadMissing(
  spec: IdxDatasetSpec,
  cacheProbe: MissingProbe,
  options: DatasetOptions,
  log: (message: string) => void,
): Promise<void> {
  const cacheDir = cacheProbe.location.dir;
  const baseUrl = withTrailingSlash(options.baseUrl ?? spec.mirror);
  for (const role of IDX_FILE_ROLES) {
    // Keep files a previous, interrupted run already verified and saved.
    if (cacheProbe.found[role] !== undefined) continue;
    const fileName = `${spec.files[role]}.gz`;
    const url = new URL(fileName, baseUrl).href;
    const checksum = options.checksums?.[role] ?? spec.checksums[role];
    log(`${spec.title}: downloading ${url} to ${cacheDir}`);
    await downloadVerified(url, join(cacheDir, fileName), checksum);
  }
}

function notFoundError(spec: IdxDatasetSpec, probes: MissingProbe[], downloadNote: string, cause?: unknown): Error {
  const searched = probes.map((probe) => `  - ${probe.location.label}: ${probe.location.dir} (${probe.problem})`);
  if (!process.env[DATA_DIR_ENV]) searched.splice(searched.length - 2, 0, `  - ${DATA_DIR_ENV}: not set`);
  const names = IDX_FILE_ROLES.map((role) => `${spec.files[role]}.gz`);
  const fileList = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const fixes = [
    spec.debianPackage
      ? `  - install the Debian package: sudo apt-get install ${spec.debianPackage}`
      : `  - let the download run (it needs access to ${spec.mirror})`,
    `  - or put ${fileList} in a folder and pass --data-dir <folder> or set ${DATA_DIR_ENV}=<folder>`,
  ];
  return new Error(
    [
      `${spec.title} not found. Searched:`,
      ...searched,
      downloadNote,
      'To fix it, either:',
      ...fixes,
    ].join('\n'),
    cause === undefined ? undefined : { cause },
  );
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
