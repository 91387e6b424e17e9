// `npx nx g @sluice/tools:sink <name>`: a sink package on the sink kit, from the templates in files/.
// Each template path and text has {{name}} (elastic), {{Name}} (Elastic), {{displayName}} and
// {{prefix}} (connect.elastic) replaced. After the files are written, the README's configuration table is
// generated from the new plugin (tools/gen-config-docs.ts), so that it starts in sync.
// CommonJS because Nx loads generator factories with require(); the templates are strict ESM TypeScript.
'use strict';
/* global require, module, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- Nx loads generator factories with require() */
const { readdirSync, readFileSync, statSync } = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const FILES = path.join(__dirname, 'files');

/** Every template under files/, as [relative path, text]. */
function templates(dir = FILES, prefix = '') {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    const rel = prefix ? `${prefix}/${entry}` : entry;
    return statSync(full).isDirectory() ? templates(full, rel) : [[rel, readFileSync(full, 'utf8')]];
  });
}

function substitute(text, vars) {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, key) => (key in vars ? vars[key] : whole));
}

/** @param {import('nx/src/devkit-exports').Tree} tree */
module.exports = async function sinkGenerator(tree, options) {
  const name = String(options.name).trim();
  if (!/^[a-z][a-z0-9]*$/.test(name))
    throw new Error(`'${name}' is not a sink name: lower-case letters and digits, starting with a letter`);
  const Name = name[0].toUpperCase() + name.slice(1);
  const vars = { name, Name, displayName: options.displayName || Name, prefix: `connect.${name}` };
  const root = `packages/sink-${name}`;
  if (tree.exists(root)) throw new Error(`${root} exists already`);
  for (const [rel, text] of templates()) {
    // `.template` keeps the template sources away from the workspace's tsc, ESLint and vitest.
    const target = substitute(rel, vars).replace(/\.template$/, '');
    tree.write(target, substitute(text, vars));
  }
  return () => {
    const run = (args) => spawnSync('npx', args, { cwd: tree.root, stdio: 'inherit' }).status === 0;
    run(['prettier', '--log-level', 'warn', '--write', root, `examples/${name}`, `tools/bench/${name}.ts`]);
    if (options.skipDocs) return;
    if (!run(['tsx', 'tools/gen-config-docs.ts', root]))
      console.warn(`Fill the README's config table: npx tsx tools/gen-config-docs.ts ${root}`);
  };
};
