import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configTable, readmeTable } from '../../../tools/gen-config-docs.js';
import plugin from '../src/index.js';

describe('README', () => {
  it('has the configuration table generated from the ConfigDef (npx tsx tools/gen-config-docs.ts packages/sink-cassandra)', async () => {
    const path = fileURLToPath(new URL('../README.md', import.meta.url));
    expect(readmeTable(readFileSync(path, 'utf8'))).toBe(await configTable(plugin, path));
  });
});
