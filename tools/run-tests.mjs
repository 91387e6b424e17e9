#!/usr/bin/env node
// `npm test`: everything a fresh clone needs, in order: install dependencies when missing, build, lint,
// unit tests, bring up the real servers the packages' integration tests declare (test-infra installs what
// they need: Maven Central jars, the FerretDB Go build, Debian packages), then those integration tests. The servers are
// left running for the next run; `npm run infra -- down` stops them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const timings = [];

function summary() {
  console.log('\n=== summary');
  for (const { title, secs, ok } of timings)
    console.log(`${ok ? 'ok    ' : 'FAILED'} ${secs.padStart(7)}s  ${title}`);
}

/** @param {{ onFailure?: () => void, env?: NodeJS.ProcessEnv }} [options] */
function step(title, cmd, args, options = {}) {
  const { onFailure } = options;
  const started = Date.now();
  console.log(`\n=== ${title}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: options.env ?? env });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const ok = r.status === 0;
  timings.push({ title, secs, ok });
  if (!ok) {
    console.error(
      `=== ${title} failed after ${secs}s (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`,
    );
    onFailure?.();
    summary();
    process.exit(r.status || 1);
  }
  console.log(`=== ${title} done in ${secs}s`);
}

const infraStatus = () =>
  spawnSync('npm', ['run', '--silent', 'infra', '--', 'status'], { cwd: root, stdio: 'inherit', env });
// In CI nothing may outlive the run: stop the servers (their logs stay in the cache) however it ends.
const stopServicesInCi = () => {
  if (process.env.CI)
    spawnSync('npm', ['run', '--silent', 'infra', '--', 'down'], { cwd: root, stdio: 'inherit', env });
};
process.on('exit', stopServicesInCi);

if (!existsSync(path.join(root, 'node_modules', '.bin', 'nx'))) {
  // `npm install` rather than `npm ci`: it also completes a lock file whose optional platform
  // packages were recorded on another machine.
  step('install dependencies', 'npm', ['install', '--no-audit', '--no-fund']);
}
step('build', 'npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=stream']);
// src, tests and tools against their types (the build's tsconfigs cover src only).
step('typecheck', 'npx', ['nx', 'run-many', '-t', 'typecheck', '--outputStyle=stream']);
// Every package and tools/ (the workspace's own scripts).
step('lint', 'npx', ['nx', 'run-many', '-t', 'lint', '--outputStyle=stream']);
// Formatting (what must not be formatted is in .prettierignore).
step('format', 'npx', ['prettier', '--check', '.']);
step('package manifests', 'node', ['tools/check-packages.mjs']);
// The public API of each publishable package against its checked-in report (packages/<p>/api/*.api.md).
step('api reports', 'npx', ['nx', 'run-many', '-t', 'api', '--outputStyle=stream']);
// What `nx release` would version and write into each package's CHANGELOG (nothing is published).
step('release plan', 'npx', ['nx', 'release', '--dry-run', '--first-release']);
step('unit tests', 'npx', ['nx', 'run-many', '-t', 'test', '--outputStyle=stream']);
// The same unit tests on the newer Node lines (20 is the floor, `engines`), with binaries from npm in the
// cache: first on PATH, so nx, vitest and every child run on them; `node --version` is an input of the
// test target, so each version has its own cache entries.
const NEWER_NODES = ['22', '24'];
const nodes = spawnSync('node', ['tools/node-versions.mjs', ...NEWER_NODES], {
  cwd: root,
  env,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
if (nodes.status !== 0) {
  console.error('=== installing Node ' + NEWER_NODES.join(' and ') + ' from npm failed');
  process.exit(1);
}
for (const line of nodes.stdout.trim().split('\n')) {
  const [major, bin] = line.split(' ');
  step(`unit tests on Node ${major}`, 'npx', ['nx', 'run-many', '-t', 'test', '--outputStyle=stream'], {
    env: { ...env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
  });
}
// The servers the packages with integration tests declare ("sluice": {"services": [...]} in their
// package.json), one after another inside test-infra (two cores); installs go to $SLUICE_INFRA_CACHE and
// are reused.
const listed = spawnSync('npx', ['nx', 'show', 'projects', '--with-target', 'integration', '--json'], {
  cwd: root,
  env,
  encoding: 'utf8',
});
if (listed.status !== 0) {
  console.error(`=== listing the projects with integration tests failed:\n${listed.stderr}`);
  process.exit(1);
}
const integrationProjects = JSON.parse(listed.stdout);
step('start services', 'npm', ['run', 'infra', '--', 'up', '--for', ...integrationProjects], {
  onFailure: infraStatus,
});
step(
  'integration tests',
  'npx',
  ['nx', 'run-many', '-t', 'integration', '--parallel=1', '--outputStyle=stream'],
  { onFailure: infraStatus },
);
// The tarballs of core, kcql and every sink, installed as a user would, run the MongoDB example.
step('packages as users get them', 'node', ['tools/check-tarballs.mjs']);
summary();
