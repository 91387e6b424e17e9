#!/usr/bin/env node
// `npm run bench -- <name...>`: runs tools/bench/<name>.ts for each name (all of them when none is
// given). Benchmarks print records/s beside a reference measured in the same run; they are not tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'tools', 'bench');
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();
// Names come first; everything from the first `--option` on is passed to each benchmark
// (`npm run bench -- vs-java --sinks file,mongodb --records 100000`).
const argv = process.argv.slice(2);
const firstOption = argv.findIndex((a) => a.startsWith('--'));
const wanted = firstOption === -1 ? argv : argv.slice(0, firstOption);
const options = firstOption === -1 ? [] : argv.slice(firstOption);
const names = wanted.length > 0 ? wanted : available;

for (const name of names) {
  if (!existsSync(path.join(dir, `${name}.ts`))) {
    console.error(`No benchmark named '${name}'. Available: ${available.join(', ')}`);
    process.exit(2);
  }
}
const env = { ...process.env, NX_DAEMON: 'false' };
const built = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], {
  cwd: root,
  stdio: 'inherit',
  env,
});
if (built.status !== 0) process.exit(built.status ?? 1);
for (const name of names) {
  console.log(`\n### benchmark: ${name}`);
  const r = spawnSync('npx', ['tsx', path.join(dir, `${name}.ts`), ...options], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
