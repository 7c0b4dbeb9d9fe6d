/**
 * `descent report LOG`: the report of a training run from its JSONL log (`descent train --log`):
 * report.html with the loss, accuracy and learning-rate curves and the optimizer switches, and the
 * curves as SVG and PNG files. The run's options come from the descent-run.json beside the log, when
 * there is one. (`descent train --report DIR` writes the same report, with test metrics, at the end
 * of a run.)
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { reportFromTrainLog } from '../../report/train-log.js';
import { writeTrainingReport } from '../../report/write.js';
import { UsageError, type CommandSpec, type ParsedOptions } from '../args.js';
import type { CliIo } from '../io.js';
import { RUN_CONFIG_FILE } from '../run-setup.js';

export const reportCommand: CommandSpec = {
  name: 'report',
  summary:
    'Make an HTML report (loss, accuracy and learning-rate curves with the optimizer switches marked) from the ' +
    'JSONL log of a training run, with the curves as SVG and PNG files.',
  options: [
    { name: 'log', kind: 'string', metavar: 'PATH', description: 'The JSONL log written by descent train --log (required)' },
    { name: 'out', kind: 'string', metavar: 'DIR', description: "Where to write report.html and the plots (default: the log's path without .jsonl, plus -report)" },
    { name: 'title', kind: 'string', metavar: 'TEXT', description: 'The report\'s title (default: "Training report: " and the log\'s name)' },
  ], // prettier-ignore
  positional: { option: 'log', metavar: 'LOG' },
  epilog: 'Example:\n  descent report runs/adam-sgd.jsonl --out runs/adam-sgd-report',
};

/** The run's options saved beside the log (descent-run.json), or null when there are none to read. */
function configBeside(log: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(readFileSync(join(dirname(log), RUN_CONFIG_FILE), 'utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export async function runReport(options: ParsedOptions, io: CliIo): Promise<number> {
  const log = options.log as string | undefined;
  if (log === undefined)
    throw new UsageError('descent report: give the JSONL log of a run (descent report LOG)');
  if (!statSync(log, { throwIfNoEntry: false })?.isFile()) {
    throw new UsageError(`descent report: ${log}: no such file`);
  }
  const out = (options.out as string | undefined) ?? `${log.replace(/\.jsonl?$/i, '')}-report`;
  let report;
  try {
    report = reportFromTrainLog(readFileSync(log, 'utf8'), {
      title: (options.title as string | undefined) ?? `Training report: ${basename(log)}`,
      config: configBeside(log),
    });
  } catch (error) {
    throw new Error(`${log}: ${(error as Error).message}`, { cause: error });
  }
  const [html, ...plots] = await writeTrainingReport(out, report);
  io.out(
    `${log}: ${report.epochs.length} epoch(s), ${report.steps.length} step record(s), ${report.switches.length} switch(es)`,
  );
  io.out(`report written to ${html}`);
  io.out(`plots written to ${plots.join(', ')}`);
  return 0;
}
