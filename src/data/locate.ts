// Where an MNIST-style dataset may live on this machine, in the order we look (Node only).
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

import { IDX_FILE_ROLES, type IdxDatasetSpec, type IdxFileRole } from './dataset-spec.js';

/** The environment variable naming a folder that holds datasets (directly or in `<name>/` subfolders). */
export const DATA_DIR_ENV = 'DESCENT_DATA_DIR';

/** A folder searched for dataset files, with a label saying why it is searched. */
export interface DataLocation {
  /** Why this folder is searched: "DESCENT_DATA_DIR", "user cache"... */
  label: string;
  dir: string;
}

/** The options that decide where to look. */
export interface LocateOptions {
  /** A folder given explicitly (the CLI's `--data-dir`); searched first. */
  dataDir?: string;
  /** Overrides the system folder (for the Debian package, `/usr/share/datasets/<name>`). */
  systemDir?: string;
  /** Overrides the user cache folder (default `$XDG_CACHE_HOME/descent/<name>`, else `~/.cache/descent/<name>`). */
  cacheDir?: string;
}

/** The result of looking in one folder: the four file paths, or why they are not all there. */
export type LocationProbe =
  | { location: DataLocation; complete: true; paths: Record<IdxFileRole, string> }
  | {
      location: DataLocation;
      complete: false;
      /** The files that are there, by role. */
      found: Partial<Record<IdxFileRole, string>>;
      /** Why the folder cannot be used, for messages: "does not exist", "has only 2 of the 4 files...". */
      problem: string;
    };

/**
 * The folders searched for `spec`'s files, in order: the explicit data folder, `DESCENT_DATA_DIR`
 * (each directly and in a `<name>/` subfolder), the system package folder, then the user cache.
 */
export function searchLocations(spec: IdxDatasetSpec, options: LocateOptions = {}): DataLocation[] {
  const locations: DataLocation[] = [];
  const addWithSubfolder = (label: string, dir: string): void => {
    locations.push({ label, dir }, { label: `${label}, ${spec.name}/ subfolder`, dir: join(dir, spec.name) });
  };
  if (options.dataDir) addWithSubfolder('data directory (--data-dir)', options.dataDir);
  const envDir = process.env[DATA_DIR_ENV];
  if (envDir) addWithSubfolder(DATA_DIR_ENV, envDir);
  const systemLabel = spec.debianPackage ? `Debian package ${spec.debianPackage}` : 'system dataset folder';
  locations.push({ label: systemLabel, dir: options.systemDir ?? spec.systemDir });
  locations.push({ label: 'user cache', dir: options.cacheDir ?? defaultCacheDir(spec.name) });
  return locations;
}

/** `$XDG_CACHE_HOME/descent/<name>` when XDG_CACHE_HOME is an absolute path (as the XDG spec requires), else `~/.cache/descent/<name>`. */
export function defaultCacheDir(name: string): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const cacheRoot = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  return join(cacheRoot, 'descent', name);
}

/** Looks for the four files in one folder, accepting `<file>.gz` or the raw `<file>` for each. */
export async function probeLocation(spec: IdxDatasetSpec, location: DataLocation): Promise<LocationProbe> {
  if (!(await isDirectory(location.dir))) {
    return { location, complete: false, found: {}, problem: 'does not exist' };
  }
  const paths: Partial<Record<IdxFileRole, string>> = {};
  const missing: string[] = [];
  for (const role of IDX_FILE_ROLES) {
    const base = join(location.dir, spec.files[role]);
    const found = (await isFile(`${base}.gz`)) ? `${base}.gz` : (await isFile(base)) ? base : undefined;
    if (found) paths[role] = found;
    else missing.push(`${spec.files[role]}[.gz]`);
  }
  if (missing.length > 0) {
    const problem =
      missing.length === IDX_FILE_ROLES.length
        ? `has none of the ${spec.title} files`
        : `has only ${IDX_FILE_ROLES.length - missing.length} of the 4 files, missing ${missing.join(', ')}`;
    return { location, complete: false, found: paths, problem };
  }
  return { location, complete: true, paths: paths as Record<IdxFileRole, string> };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
