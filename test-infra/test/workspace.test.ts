import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicesFor } from '../src/framework/workspace.js';
import { SERVICE_NAMES } from '../src/services/index.js';

describe('services declared by packages', () => {
  let root: string;
  const pkg = async (dir: string, json: object) => {
    await mkdir(path.join(root, dir), { recursive: true });
    await writeFile(path.join(root, dir, 'package.json'), JSON.stringify(json));
  };

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'sluice-workspace-'));
    await pkg('.', { name: 'root', workspaces: ['packages/*', 'infra'] });
    const integration = { scripts: { integration: 'vitest run' } };
    await pkg('packages/sink-a', {
      name: '@x/sink-a',
      ...integration,
      sluice: { services: ['mongodb', 'kafka'] },
    });
    await pkg('packages/sink-b', {
      name: '@x/sink-b',
      ...integration,
      sluice: { services: ['kafka', 'mosquitto'] },
    });
    await pkg('packages/parser', { name: '@x/parser' });
    await pkg('packages/forgetful', { name: '@x/forgetful', ...integration });
    await pkg('packages/typo', { name: '@x/typo', sluice: { services: ['mongo'] } });
    await pkg('infra', { name: '@x/infra', ...integration, sluice: { services: ['all'] } });
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  it('is the union of what the named packages declare, in start order', async () => {
    expect(await servicesFor(root, ['@x/sink-a', '@x/sink-b'])).toEqual(['kafka', 'mongodb', 'mosquitto']);
    expect(await servicesFor(root, ['@x/infra'])).toEqual([...SERVICE_NAMES]);
    expect(await servicesFor(root, ['@x/parser'])).toEqual([]);
  });

  it('says which package is unknown, declares nothing while it has integration tests, or names a bad service', async () => {
    await expect(servicesFor(root, ['@x/nope'])).rejects.toThrow(
      /no package @x\/nope in the workspace; packages: .*@x\/sink-a/,
    );
    await expect(servicesFor(root, ['@x/forgetful'])).rejects.toThrow(
      /@x\/forgetful has integration tests but declares no services; add "sluice": \{"services": \[...\]\}/,
    );
    await expect(servicesFor(root, ['@x/typo'])).rejects.toThrow(/names unknown service mongo; known: kafka/);
  });
});
