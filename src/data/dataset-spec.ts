// What the loader needs to know about an MNIST-style dataset: its files, checksums, classes and homes.
import type { FileChecksum } from './checksum.js';

/** The four files of an MNIST-style dataset, by the part of the dataset each one holds. */
export type IdxFileRole = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

export const IDX_FILE_ROLES: readonly IdxFileRole[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

/** Describes an MNIST-style dataset: four IDX files (train/test images/labels) and where to find them. */
export interface IdxDatasetSpec {
  /** Folder name, used for the `DESCENT_DATA_DIR/<name>/` subfolder and the cache: `fashion-mnist`. */
  name: string;
  /** Name shown to people: `Fashion-MNIST`. */
  title: string;
  /** Class names, indexed by label. */
  classes: string[];
  /** File names without the `.gz` extension (either the `.gz` or the raw file is accepted). */
  files: Record<IdxFileRole, string>;
  /** What each downloaded file must hash to; see {@link FileChecksum} for what is hashed. */
  checksums: Record<IdxFileRole, FileChecksum>;
  /** Default download base URL, ending in `/`; the file name plus `.gz` is appended. */
  mirror: string;
  /** Where a system package installs the files, searched after the user's own folders. */
  systemDir: string;
  /** The Debian package that installs `systemDir`, when there is one. */
  debianPackage?: string;
}
