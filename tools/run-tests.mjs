#!/usr/bin/env node
// `npm test`: everything a fresh clone needs, in order. Installs dependencies when missing, builds,
// brings up the real servers the integration tests use (test-infra), then runs lint, unit and
// integration tests of every package through Nx.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

function step(title, cmd, args) {
  const started = Date.now();
  console.log(`\n=== ${title}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`=== ${title} failed after ${secs}s (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  console.log(`=== ${title} done in ${secs}s`);
}

if (!existsSync(path.join(root, 'node_modules', '.bin', 'nx'))) {
  step('install dependencies', 'npm', ['ci', '--no-audit', '--no-fund']);
}
step('build', 'npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=stream']);
step('lint', 'npx', ['nx', 'run-many', '-t', 'lint', '--outputStyle=stream']);
step('unit tests', 'npx', ['nx', 'run-many', '-t', 'test', '--outputStyle=stream']);
step('start services', 'npm', ['run', 'infra', '--', 'up', 'all']);
step('integration tests', 'npx', ['nx', 'run-many', '-t', 'integration', '--parallel=1', '--outputStyle=stream']);
