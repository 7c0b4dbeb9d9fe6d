/**
 * The `descent` command line. Each command lives in src/cli/commands with its option list, which
 * drives parsing, validation and --help. Exit codes: 0 success, 1 runtime failure, 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseOptions, formatHelp, UsageError, type CommandSpec, type ParsedOptions } from './args.js';
import { processIo, type CliIo } from './io.js';
import { applyConfigFile } from './config.js';
import { trainCommand, runTrain } from './commands/train.js';
import { compareCommand, runCompare } from './commands/compare.js';
import { lrFindCommand, runLrFind } from './commands/lr-find.js';
import { serveCommand, runServe } from './commands/serve.js';
import { augmentCommand, runAugment } from './commands/augment.js';
import { evaluateCommand, runEvaluate } from './commands/evaluate.js';
import { predictCommand, runPredict } from './commands/predict.js';
import { inspectCommand, runInspect } from './commands/inspect.js';
import { reportCommand, runReport } from './commands/report.js';

interface Command {
  spec: CommandSpec;
  run(options: ParsedOptions, io: CliIo): Promise<number>;
}

const COMMANDS: Command[] = [
  { spec: trainCommand, run: runTrain },
  { spec: compareCommand, run: runCompare },
  { spec: lrFindCommand, run: runLrFind },
  { spec: augmentCommand, run: runAugment },
  { spec: evaluateCommand, run: runEvaluate },
  { spec: predictCommand, run: runPredict },
  { spec: inspectCommand, run: runInspect },
  { spec: reportCommand, run: runReport },
  { spec: serveCommand, run: runServe },
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 4;
  return [
    'Usage: descent <command> [options]',
    '',
    'Descent: deep learning in TypeScript, built around optimization.',
    '',
    'Commands:',
    ...COMMANDS.map(
      (c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary.split('. ')[0]!.replace(/\.$/, '')}`,
    ),
    '',
    "Run 'descent <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(version());
    return 0;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  try {
    if (!command) {
      throw new UsageError(
        `descent: unknown command '${name}'; available: ${COMMANDS.map((c) => c.spec.name).join(', ')}`,
      );
    }
    const parsed = parseOptions(command.spec, rest);
    if (parsed.help) {
      io.out(formatHelp(command.spec));
      return 0;
    }
    // --config fills in what the command line leaves out (the command handles --print-config).
    const options = applyConfigFile(command.spec, parsed);
    return await command.run(options, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 2;
    }
    io.err(`descent ${name}: ${(error as Error).message}`);
    if (process.env.DESCENT_DEBUG) io.err((error as Error).stack ?? '');
    return 1;
  }
}
