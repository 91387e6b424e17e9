#!/usr/bin/env node
// `node tools/check-packages.mjs`: what every package's package.json promises a user who installs it from
// npm, checked so that a new package (a new sink) cannot miss it. Run by `npm test`. Exits 1 listing
// every problem.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const rootPkg = readJson(path.join(root, 'package.json'));
const license = readFileSync(path.join(root, 'LICENSE'), 'utf8');
const floor = rootPkg.engines?.node;
// What a tarball may contain besides package.json: the build without its source maps (they would point
// at sources that are not shipped), the checked-in bin shim, the README and the license.
const ALLOWED_FILES = new Set(['dist', '!dist/**/*.map', 'bin', 'README.md', 'LICENSE']);

const dirs = rootPkg.workspaces.flatMap((pattern) =>
  pattern.endsWith('/*')
    ? readdirSync(path.join(root, pattern.slice(0, -2)), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => path.join(pattern.slice(0, -2), e.name))
    : [pattern],
);

const problems = [];
let checked = 0;
for (const dir of dirs) {
  const file = path.join(root, dir, 'package.json');
  if (!existsSync(file)) continue;
  const pkg = readJson(file);
  checked++;
  const problem = (what) => problems.push(`${dir}/package.json: ${what}`);
  if (pkg.engines?.node !== floor)
    problem(`engines.node is ${pkg.engines?.node}, not the workspace's ${floor}`);
  if (pkg.private) continue;
  if (pkg.publishConfig?.access !== 'public')
    problem('publishConfig.access must be "public" (a scoped package publishes as restricted otherwise)');
  if (pkg.repository?.directory !== dir || pkg.repository?.url !== rootPkg.repository?.url)
    problem(`repository must be {url: ${rootPkg.repository?.url}, directory: "${dir}"}`);
  if (pkg.license !== rootPkg.license) problem(`license is ${pkg.license}, not ${rootPkg.license}`);
  const own = path.join(root, dir, 'LICENSE');
  if (!existsSync(own) || readFileSync(own, 'utf8') !== license)
    problem('LICENSE is missing or differs from the root LICENSE');
  if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0) problem('keywords are missing');
  if (!pkg.exports?.['.']?.types) problem('exports["."].types is missing');
  const files = pkg.files ?? [];
  const extra = files.filter((f) => !ALLOWED_FILES.has(f));
  if (extra.length > 0 || !files.includes('dist') || !files.includes('!dist/**/*.map'))
    problem(
      `files must be dist (without its source maps), README.md, LICENSE (and bin); has ${JSON.stringify(files)}`,
    );
  const peer = pkg.peerDependencies?.['@sluice/core'];
  if (peer !== undefined && !peer.startsWith('^'))
    problem(`the peer dependency on @sluice/core must be a caret range, is ${peer}`);
  for (const target of Object.values(pkg.bin ?? {}))
    if (!existsSync(path.join(root, dir, target)))
      problem(`bin ${target} is not checked in (npm links bins at install time, before any build)`);
}
if (problems.length > 0) {
  console.error(`package manifests:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`package manifests: ${checked} packages checked`);
