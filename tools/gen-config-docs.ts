// Writes a sink's configuration table into its README from the plugin's ConfigDef, so the docs cannot
// drift from the code. The table goes between `<!-- config-table:start -->` and `<!-- config-table:end -->`.
//   npx tsx tools/gen-config-docs.ts packages/sink-mongodb [--check]
// --check exits 1 (without writing) when the README is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SinkPlugin } from '@sluice/core';
import { TABLE_END, TABLE_START, configTable, readmeTable } from '@sluice/test-utils';

export { configTable, readmeTable };

const START = TABLE_START;
const END = TABLE_END;

async function main(args: string[]): Promise<number> {
  const check = args.includes('--check');
  const dirs = args.filter((a) => a !== '--check');
  if (dirs.length === 0) {
    console.error('Usage: npx tsx tools/gen-config-docs.ts <package dir>... [--check]');
    return 2;
  }
  let stale = 0;
  for (const dir of dirs) {
    const mod = (await import(pathToFileURL(path.resolve(dir, 'src/index.ts')).href)) as {
      default: SinkPlugin;
    };
    const readmePath = path.resolve(dir, 'README.md');
    const readme = readFileSync(readmePath, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    if (start < 0 || end < start) {
      console.error(`${readmePath}: add ${START} and ${END} where the table goes`);
      return 2;
    }
    const table = await configTable(mod.default, readmePath);
    if (readmeTable(readme) === table) continue;
    const updated = `${readme.slice(0, start + START.length)}\n\n${table}\n\n${readme.slice(end)}`;
    if (check) {
      console.error(
        `${readmePath}: configuration table is out of date; run npx tsx tools/gen-config-docs.ts ${dir}`,
      );
      stale++;
    } else {
      writeFileSync(readmePath, updated);
      console.log(`${readmePath}: configuration table updated`);
    }
  }
  return stale > 0 ? 1 : 0;
}

// Run as a script; imported (by a package's README test) it only provides configTable/readmeTable.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exit(await main(process.argv.slice(2)));
}
