#!/usr/bin/env node
// Node binaries for the unit tests on more than the floor version: `node tools/node-versions.mjs 22 24`
// prints one `<major> <path of bin/>` line per version. They come from npm, as the platform package that
// the `node` package installs (node-<os>-<cpu>: the official binary; installed directly because `node`
// does it in a preinstall script, which npm may be told not to run), into
// $SLUICE_INFRA_CACHE/node/<major> (default ~/.cache/sluice-infra), and are reused when present.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const cache = process.env.SLUICE_INFRA_CACHE ?? path.join(os.homedir(), '.cache', 'sluice-infra');
const platformPackage = `node-${process.platform}-${process.arch}`;

/** The bin/ folder of Node `major` when it is installed and runs, else null. */
function installed(major) {
  const bin = path.join(cache, 'node', major, 'node_modules', platformPackage, 'bin');
  if (!existsSync(path.join(bin, 'node'))) return null;
  const version = spawnSync(path.join(bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout?.trim();
  return version?.startsWith(`v${major}.`) ? bin : null;
}

async function install(major) {
  const target = path.join(cache, 'node', major);
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const started = Date.now();
  const spec = `${platformPackage}@${major}`;
  // One line rewritten in place on a terminal; a line every 10 s in a log.
  const tty = process.stderr.isTTY;
  const progress = () => {
    const secs = Math.round((Date.now() - started) / 1000);
    const line = `installing Node ${major} from npm (${spec}) into ${target}: ${secs}s`;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
  };
  progress();
  const ticker = setInterval(progress, tty ? 1000 : 10_000);
  const code = await new Promise((resolve) => {
    const child = spawn(
      'npm',
      [
        'install',
        '--prefix',
        staging,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        spec,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('error', () => resolve(-1));
    child.on('exit', (status) => resolve(status));
  });
  clearInterval(ticker);
  progress();
  process.stderr.write(`${tty ? ' ' : `Node ${major}: `}${code === 0 ? 'done' : 'FAILED'}\n`);
  if (code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`npm install ${spec} failed (exit ${code}); is the npm registry reachable?`);
  }
  // Another run may have finished first; either copy is the same package.
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
}

const majors = process.argv.slice(2);
if (majors.length === 0 || majors.some((m) => !/^\d+$/.test(m))) {
  console.error('usage: node tools/node-versions.mjs <major>...   e.g. 22 24');
  process.exit(2);
}
for (const major of majors) {
  if (!installed(major)) await install(major);
  const bin = installed(major);
  if (!bin)
    throw new Error(`Node ${major} was installed into ${path.join(cache, 'node', major)} but does not run`);
  console.log(`${major} ${bin}`);
}
