import { expectReadmeConfigTable } from '@sluice/test-utils';
import { describe, it } from 'vitest';
import plugin from '../src/index.js';

describe('README', () => {
  it('has the configuration table generated from the plugin (npx tsx tools/gen-config-docs.ts <package dir>)', async () => {
    await expectReadmeConfigTable(plugin);
  });
});
