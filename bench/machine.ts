/** What the numbers were measured on: CPU, cores, memory, runtimes, the commit, the load around the run. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

export interface MachineInfo {
  cpu: string;
  /** Logical CPUs the OS reports (what the thread counts are chosen from). */
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  v8: string;
  /** The versions of the anchors, when installed. */
  tfjs: string | null;
  tfjsWasm: string | null;
  torch: string | null;
  /** The BLAS library PyTorch loads (Debian's alternatives: OpenBLAS pthread, or the slow reference). */
  blas: string | null;
  commit: string | null;
  /** Uncommitted changes in the tree when the run started (the numbers are then of work in progress). */
  dirty: boolean | null;
  date: string;
  /** 1-minute load average before and after the run: other work on the machine skews every number. */
  loadBefore: number;
  loadAfter?: number;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1]!.trim();
  } catch {
    // Not Linux: fall through to what Node reports.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function packageVersion(name: string): string | null {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function machineInfo(torch: { torch?: unknown; blas?: unknown } | null): MachineInfo {
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    v8: process.versions.v8,
    tfjs: packageVersion('@tensorflow/tfjs'),
    tfjsWasm: packageVersion('@tensorflow/tfjs-backend-wasm'),
    torch: typeof torch?.torch === 'string' ? torch.torch : null,
    blas: typeof torch?.blas === 'string' ? torch.blas : null,
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: status === null ? null : status.length > 0,
    date: new Date().toISOString(),
    loadBefore: os.loadavg()[0]!,
  };
}

/** The Python the PyTorch anchor runs under: Debian's, never a pyenv shim (whose python has no torch). */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
