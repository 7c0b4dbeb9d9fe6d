/**
 * Checkpoints on disk (Node): a checkpoint is a directory holding
 *
 *     model.safetensors    the model's state dict (parameters and persistent buffers) under PyTorch's
 *                          dotted names, readable by `safetensors.torch.load_file`
 *     state.safetensors    the tensors of the trainer state (optimizer moments, callback weights...)
 *     trainer-state.json   everything else: format and version, position (epoch, batch, step),
 *                          optimizer and scheduler state dicts, RNG states, data order, metric
 *                          accumulators, callback states, history; a tensor in it is a reference
 *                          {"$tensor": name} into state.safetensors
 *
 * Atomicity. A checkpoint is written into a fresh temporary directory `.tmp-<name>@<unique>` next to
 * its final place; every file is fsynced, then the directory, and only then is it renamed to `<name>`
 * and the parent directory fsynced. Replacing an existing `<name>` (as `last` or `best` are replaced)
 * first renames the old one to `.old-<name>@<unique>`, renames the new one into place, then moves the
 * old one to `.trash-<name>@<unique>` and deletes it. Deleting any checkpoint goes through the same
 * rename to `.trash-…` first. So, whenever the process dies:
 *
 * - every directory whose name starts with neither `.tmp-` nor `.trash-` is a complete checkpoint
 *   that loads (`<name>` directories and `.old-…` ones alike);
 * - a kill between the two renames of a replacement leaves no `<name>` but a complete `.old-<name>@…`;
 *   `recoverCheckpoints` (run before every write) moves it back, and deletes `.tmp-` and `.trash-`
 *   leftovers. Reading never writes.
 *
 * One process writes to a checkpoint directory at a time: recovery removes any `.tmp-` it finds.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import type { StateDict } from '../nn/module.js';
import { decodeTensor, encodeTensor, isEncodedTensor, type Encoded } from '../optim/state-dict.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  fsyncDirectory,
  uniqueSuffix,
  writeFileAtomic,
  writeFileDurable,
  writeHooks,
} from './atomic-write.js';
import { deserializeSafetensors, SafetensorsError, serializeSafetensors } from './safetensors.js';

export const MODEL_FILE = 'model.safetensors';
export const STATE_TENSORS_FILE = 'state.safetensors';
export const STATE_FILE = 'trainer-state.json';
/** The `format` field of trainer-state.json. */
export const STATE_FORMAT = 'descent-trainer-state';
/** The version of the checkpoint layout this code writes and reads. */
export const STATE_VERSION = 1;

/** A checkpoint that cannot be read: `path` names the file (or directory) and the message says why. */
export class CheckpointError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'CheckpointError';
  }
}

/** What a checkpoint holds: model weights, and a JSON tree (`Encoded`, tensors as EncodedTensor). */
export interface CheckpointContents {
  weights: StateDict;
  /** The trainer state without the format and version fields; tensors are `EncodedTensor`s. */
  state: Record<string, Encoded>;
  /** The directory read. */
  dir: string;
}

// ---- single safetensors files ----

/**
 * Writes named tensors to `path` as a safetensors file, atomically (temp file, fsync, rename, fsync
 * of the directory). `metadata` defaults to `{format: 'pt'}`, which Hugging Face tools expect.
 *
 * @example
 * saveSafetensors('mlp.safetensors', model.stateDict());
 * // Python: model.load_state_dict(safetensors.torch.load_file('mlp.safetensors'))
 */
export function saveSafetensors(
  path: string,
  tensors: Readonly<Record<string, Tensor>>,
  metadata: Readonly<Record<string, string>> = { format: 'pt' },
): void {
  writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

/**
 * Reads and validates a safetensors file; any problem (missing file included) raises a
 * `SafetensorsError` naming the file. Never writes.
 */
export function loadSafetensors(path: string): {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string> | null;
} {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new SafetensorsError(path, `cannot read: ${(error as Error).message}`);
  }
  return deserializeSafetensors(bytes, path);
}

// ---- tensors out of and back into JSON trees ----

/** Replaces every EncodedTensor in `tree` by {"$tensor": path} and collects the tensors by path. */
function packTensors(tree: Encoded, tensors: Record<string, Tensor>, path: string): Encoded {
  if (isEncodedTensor(tree)) {
    const name = path || 'root';
    tensors[name] = decodeTensor(tree, name);
    return { $tensor: name };
  }
  if (Array.isArray(tree)) return tree.map((v, i) => packTensors(v, tensors, `${path}/${i}`));
  if (typeof tree === 'object' && tree !== null) {
    const out: Record<string, Encoded> = {};
    for (const [k, v] of Object.entries(tree)) out[k] = packTensors(v, tensors, path ? `${path}/${k}` : k);
    return out;
  }
  return tree;
}

function unpackTensors(tree: unknown, tensors: Record<string, Tensor>, file: string): Encoded {
  if (Array.isArray(tree)) return tree.map((v) => unpackTensors(v, tensors, file));
  if (typeof tree === 'object' && tree !== null) {
    const keys = Object.keys(tree);
    if (keys.length === 1 && keys[0] === '$tensor') {
      const name = (tree as { $tensor: unknown }).$tensor;
      if (typeof name !== 'string' || !Object.hasOwn(tensors, name)) {
        throw new CheckpointError(
          file,
          `refers to tensor ${JSON.stringify(name)}, which ${STATE_TENSORS_FILE} lacks`,
        );
      }
      return encodeTensor(tensors[name]!);
    }
    const out: Record<string, Encoded> = {};
    for (const [k, v] of Object.entries(tree)) out[k] = unpackTensors(v, tensors, file);
    return out;
  }
  return tree as Encoded;
}

// ---- checkpoint directories ----

function isTemporary(name: string): boolean {
  return name.startsWith('.tmp-') || name.startsWith('.trash-');
}

function checkName(name: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) {
    throw new RangeError(
      `checkpoint name must be letters, digits, '_', '-' and '.', not starting with '.' or '-', got '${name}'`,
    );
  }
}

/** Deletes a directory by renaming it to `.trash-…` first, so no half-deleted checkpoint is ever visible. */
function discard(root: string, name: string): void {
  const trash = join(root, `.trash-${name.replace(/^\.old-/, '').split('@')[0]}@${uniqueSuffix()}`);
  renameSync(join(root, name), trash);
  fsyncDirectory(root);
  rmSync(trash, { recursive: true, force: true });
}

/**
 * Puts a checkpoint root back in order after a crash: removes `.tmp-` and `.trash-` leftovers, and
 * moves an `.old-<name>@…` back to `<name>` when a kill struck between the two renames of a
 * replacement (or discards it when `<name>` is there). Called before every write.
 */
export function recoverCheckpoints(root: string): void {
  if (!existsSync(root)) return;
  const names = readdirSync(root);
  for (const name of names) {
    if (isTemporary(name)) rmSync(join(root, name), { recursive: true, force: true });
  }
  const olds = names
    .filter((n) => n.startsWith('.old-'))
    .map((n) => ({ n, target: n.slice('.old-'.length, n.lastIndexOf('@')) }));
  for (const { n, target } of olds) {
    if (target && !existsSync(join(root, target))) {
      renameSync(join(root, n), join(root, target));
      fsyncDirectory(root);
    } else {
      discard(root, n);
    }
  }
}

/**
 * Writes a checkpoint directory `root/name` atomically (see the file's doc comment) and returns its
 * path. An existing checkpoint of that name is replaced; other checkpoints are not touched.
 */
export function writeCheckpoint(
  root: string,
  name: string,
  contents: { weights: StateDict; state: Record<string, Encoded>; metadata?: Record<string, string> },
): string {
  checkName(name);
  mkdirSync(root, { recursive: true });
  recoverCheckpoints(root);
  const temp = join(root, `.tmp-${name}@${uniqueSuffix()}`);
  const final = join(root, name);
  mkdirSync(temp);
  try {
    writeFileDurable(
      join(temp, MODEL_FILE),
      serializeSafetensors(contents.weights, { format: 'pt', ...(contents.metadata ?? {}) }),
    );
    const tensors: Record<string, Tensor> = {};
    const packed = packTensors(contents.state, tensors, '') as Record<string, Encoded>;
    writeFileDurable(join(temp, STATE_TENSORS_FILE), serializeSafetensors(tensors, { format: STATE_FORMAT }));
    const json = JSON.stringify({ format: STATE_FORMAT, version: STATE_VERSION, ...packed });
    writeFileDurable(join(temp, STATE_FILE), json + '\n');
    fsyncDirectory(temp);
    writeHooks.beforeRename?.(final);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  let old: string | null = null;
  if (existsSync(final)) {
    old = `.old-${name}@${uniqueSuffix()}`;
    renameSync(final, join(root, old));
  }
  renameSync(temp, final);
  fsyncDirectory(root);
  if (old !== null) discard(root, old);
  return final;
}

/** Deletes a checkpoint directory safely (renamed to `.trash-…` first). */
export function removeCheckpoint(dir: string): void {
  discard(dirname(dir), basename(dir));
}

/**
 * Reads a checkpoint directory with full validation; never writes. Any problem raises a
 * `CheckpointError` or `SafetensorsError` naming the file.
 */
export function readCheckpoint(dir: string): CheckpointContents {
  const stateFile = join(dir, STATE_FILE);
  let text: string;
  try {
    text = readFileSync(stateFile, 'utf8');
  } catch (error) {
    throw new CheckpointError(
      stateFile,
      `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): not a complete checkpoint`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(stateFile, `invalid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CheckpointError(stateFile, 'is not a JSON object');
  }
  const { format, version, ...rest } = parsed as Record<string, unknown>;
  if (format !== STATE_FORMAT) {
    throw new CheckpointError(stateFile, `format is ${JSON.stringify(format)}, expected '${STATE_FORMAT}'`);
  }
  if (version !== STATE_VERSION) {
    throw new CheckpointError(
      stateFile,
      `version ${JSON.stringify(version)} is not supported; this code reads version ${STATE_VERSION}`,
    );
  }
  const weights = loadSafetensors(join(dir, MODEL_FILE)).tensors;
  const tensors = loadSafetensors(join(dir, STATE_TENSORS_FILE)).tensors;
  const state = unpackTensors(rest, tensors, stateFile) as Record<string, Encoded>;
  return { weights, state, dir };
}

/** The complete checkpoints under `root` (directories holding trainer-state.json), sorted by name. */
export function listCheckpoints(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => !isTemporary(name))
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isDirectory() && existsSync(join(path, STATE_FILE)))
    .sort();
}

/** Where a checkpoint was taken, read from its trainer-state.json (null when unreadable). */
export function checkpointPosition(dir: string): { epoch: number; batch: number; step: number } | null {
  try {
    const state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as {
      position?: { epoch?: unknown; batch?: unknown; step?: unknown };
    };
    const { epoch, batch, step } = state.position ?? {};
    return typeof epoch === 'number' && typeof batch === 'number' && typeof step === 'number'
      ? { epoch, batch, step }
      : null;
  } catch {
    return null;
  }
}

/** The step a checkpoint was taken at (NaN when unreadable). */
export function checkpointStep(dir: string): number {
  return checkpointPosition(dir)?.step ?? NaN;
}

/**
 * The checkpoint under `root` furthest into the run (most steps; at equal steps, most epochs done,
 * since a checkpoint after an epoch's last batch precedes the epoch's end), or null when there is
 * none. `root` may also be a checkpoint directory itself, which is then returned.
 */
export function latestCheckpoint(root: string): string | null {
  if (existsSync(join(root, STATE_FILE))) return root;
  let best: string | null = null;
  let bestKey: [number, number] = [-Infinity, -Infinity];
  for (const dir of listCheckpoints(root)) {
    const position = checkpointPosition(dir);
    if (position === null) continue;
    const key: [number, number] = [position.step, position.epoch];
    if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] >= bestKey[1])) {
      best = dir;
      bestKey = key;
    }
  }
  return best;
}
