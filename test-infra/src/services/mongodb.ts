import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { goBuild } from '../installers/go.js';
import type { ServiceContext, ServiceDefinition } from '../service.js';

// A MongoDB-compatible server: FerretDB v1 (MongoDB wire protocol on SQLite), embedded in the small Go
// program in test-infra/ferretdb/ and built with the Go module proxy. No real mongod is in any registry
// this machine reaches. FerretDB v1 + SQLite has no transactions or change streams; sinks do not need them.
const HOST = '127.0.0.1';
const mongoUrl = (ctx: ServiceContext) => `mongodb://${HOST}:${ctx.ports.client}`;
const SOURCE_DIR = fileURLToPath(new URL('../../ferretdb/', import.meta.url));
const SOURCES = ['main.go', 'go.mod', 'go.sum'];

/** The binary's name carries a hash of its sources, so an edited main.go or go.mod triggers a rebuild. */
async function binary(ctx: ServiceContext): Promise<string> {
  const hash = createHash('sha256');
  for (const file of SOURCES) hash.update(await readFile(path.join(SOURCE_DIR, file)));
  return path.join(ctx.installDir, `ferretdb-it-${hash.digest('hex').slice(0, 12)}`);
}

const mongodb: ServiceDefinition = {
  name: 'mongodb',
  prerequisites: { install: ['go'] },
  ports: { client: 27017 },
  memory: 'under 100 MiB (Go, SQLite)',
  startTimeoutMs: 30_000,

  async isInstalled(ctx) {
    return existsSync(await binary(ctx));
  },

  async install(ctx) {
    const target = await binary(ctx);
    ctx.progress('building FerretDB v1.24.2 (embedded) with the Go module proxy');
    await goBuild(ctx, SOURCE_DIR, target);
    // Binaries built from earlier versions of the sources are never used again.
    for (const file of await readdir(ctx.installDir)) {
      if (file.startsWith('ferretdb-it-') && path.join(ctx.installDir, file) !== target) {
        await rm(path.join(ctx.installDir, file), { force: true });
      }
    }
  },

  async prepare(ctx) {
    return {
      command: await binary(ctx),
      // FerretDB's SQLite backend is embedded: its data is this directory, nothing else runs.
      args: ['-listen-addr', `${HOST}:${ctx.ports.client}`, '-dir', path.join(ctx.dataDir, 'sqlite')],
      cwd: ctx.dataDir,
    };
  },

  async healthy(ctx) {
    const client = new MongoClient(mongoUrl(ctx), { serverSelectionTimeoutMS: 2000, connectTimeoutMS: 2000 });
    try {
      await client.connect();
      const pong = await client.db('admin').command({ ping: 1 });
      return pong.ok === 1;
    } catch {
      return false;
    } finally {
      await client.close().catch(() => undefined);
    }
  },

  info(ctx) {
    return { name: 'mongodb', host: HOST, port: ctx.ports.client, url: mongoUrl(ctx) };
  },
};

export default mongodb;
