#!/usr/bin/env node
// The `descent` executable: runs the CLI and exits with its code.
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`descent: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
