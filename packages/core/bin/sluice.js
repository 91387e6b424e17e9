#!/usr/bin/env node
// The `sluice` command as npm links it. This file is checked in, unlike dist/: npm creates the
// node_modules/.bin link at install time, before a clone has built anything, and skips a bin whose
// target does not exist yet. It only loads the built CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write(
    `sluice: the CLI is not built (${fileURLToPath(cli)} is missing).\n` +
      'In a clone of the Sluice repository, run `npm run build` (or `npm test`) first.\n',
  );
  process.exit(1);
}
await import(cli.href);
