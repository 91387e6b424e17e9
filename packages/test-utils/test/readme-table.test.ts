import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigDef, type SinkPlugin } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { configTable, expectReadmeConfigTable, TABLE_END, TABLE_START } from '../src/readme-table.js';

const plugin = (doc: string) =>
  ({
    name: '@sluice/sink-x',
    configDef: new ConfigDef().define({ name: 'connect.x.url', type: 'STRING', importance: 'HIGH', doc }),
  }) as unknown as SinkPlugin;

async function readme(table: string): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'readme-')), 'README.md');
  writeFileSync(file, `# x\n\n${TABLE_START}\n\n${table}\n\n${TABLE_END}\n`);
  return file;
}

describe('expectReadmeConfigTable', () => {
  it('passes when the table is the one generated from the ConfigDef', async () => {
    const file = await readme(await configTable(plugin('Where x listens.'), '/tmp/README.md'));
    await expect(expectReadmeConfigTable(plugin('Where x listens.'), file)).resolves.toBeUndefined();
  });

  it('fails naming the line that drifted and how to regenerate', async () => {
    const file = await readme(await configTable(plugin('Where x listens.'), '/tmp/README.md'));
    await expect(expectReadmeConfigTable(plugin('Where x listens now.'), file)).rejects.toThrow(
      /configuration table has drifted from @sluice\/sink-x's ConfigDef; run npx tsx tools\/gen-config-docs\.ts[\s\S]*\+ .*Where x listens now\./,
    );
  });

  it('fails when the README has no table markers', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'readme-')), 'README.md');
    writeFileSync(file, '# x\n');
    await expect(expectReadmeConfigTable(plugin('d'), file)).rejects.toThrow(
      /add <!-- config-table:start -->/,
    );
  });
});
