import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createRestServer } from '../../src/rest/server.js';
import { readBuildCommit } from '../../src/worker/version.js';
import { buildTestHerder } from '../worker/fakes.js';

// What a worker's start shows a user besides the API itself (issue 13, defects 9 and 11).

let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

function server(commit?: string) {
  const t = buildTestHerder();
  app = createRestServer({
    herder: t.herder,
    loggers: t.loggers,
    logger: pino({ level: 'silent' }),
    version: '0.1.0',
    ...(commit !== undefined ? { commit } : {}),
  });
  return app;
}

describe('REST server start', () => {
  it('prints no deprecation warning (FastifyDeprecation) on stderr', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      await server().ready();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
  });

  it("GET / answers the build's commit id", async () => {
    const body = (await server('0123456789abcdef').inject({ url: '/' })).json();
    expect(body.commit).toBe('0123456789abcdef');
  });
});

describe('readBuildCommit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-build-info-'));

  it('reads the commit the build recorded', () => {
    const file = join(dir, 'build-info.json');
    writeFileSync(file, JSON.stringify({ commit: 'fedcba9876543210' }));
    expect(readBuildCommit(pathToFileURL(file))).toBe('fedcba9876543210');
  });

  it('answers "unknown" without a build record, as Kafka Connect does', () => {
    expect(readBuildCommit(pathToFileURL(join(dir, 'missing.json')))).toBe('unknown');
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, JSON.stringify({ commit: '' }));
    expect(readBuildCommit(pathToFileURL(empty))).toBe('unknown');
  });
});
