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

/**
 * The git commit the build was made from (`dist/build-info.json`, written by the build), or
 * "unknown" (run from sources, or built outside a checkout), as Kafka Connect reports a missing id.
 */
export function readBuildCommit(buildInfo: URL = new URL('../build-info.json', import.meta.url)): string {
  try {
    const { commit } = JSON.parse(readFileSync(buildInfo, 'utf8')) as { commit?: unknown };
    return typeof commit === 'string' && commit !== '' ? commit : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const SLUICE_COMMIT = readBuildCommit();
