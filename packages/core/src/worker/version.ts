import { readFileSync } from 'node:fs';

// The version of @sluice/core, read from its package.json (two levels up from both src/worker and
// dist/worker), reported by `GET /`, `sluice --version` and the built-in connectors.
function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export const SLUICE_VERSION = readVersion();
