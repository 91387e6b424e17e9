import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { definitionStatus, ensureDefinition, stopService } from '../src/framework/manager.js';
import { readPidRecord } from '../src/framework/pid-record.js';
import { servicePaths } from '../src/framework/paths.js';
import { processStartTicks } from '../src/framework/pid-record.js';
import type { ServiceDefinition } from '../src/service.js';

// The framework's install / start / reuse / restart / stop cycle, driven with a throwaway service: a
// tiny Node HTTP server on a free port, standing in for a real one.
const SERVER = `
const port = Number(process.argv[1]);
if (process.env.FAIL_START) { console.error('fatal: the config is broken'); process.exit(3); }
require('node:http').createServer((_q, s) => s.end('ok')).listen(port, '127.0.0.1', () => console.log('listening on ' + port));
`;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function fakeService(port: number, opts: { failStart?: boolean } = {}) {
  const calls = { install: 0, prepare: 0 };
  const def: ServiceDefinition = {
    name: 'fake',
    ports: [port],
    memory: 'tiny',
    startTimeoutMs: 10_000,
    async isInstalled(ctx) {
      return existsSync(path.join(ctx.installDir, 'installed'));
    },
    async install(ctx) {
      calls.install++;
      await writeFile(path.join(ctx.installDir, 'installed'), 'yes');
    },
    async prepare(ctx) {
      calls.prepare++;
      await writeFile(path.join(ctx.dataDir, 'state'), 'fresh');
      return {
        command: process.execPath,
        args: ['-e', SERVER, String(port)],
        env: opts.failStart ? { FAIL_START: '1' } : {},
      };
    },
    async healthy() {
      try {
        return (await fetch(`http://127.0.0.1:${port}/`)).ok;
      } catch {
        return false;
      }
    },
    info() {
      return { name: 'fake', host: '127.0.0.1', port, url: `http://127.0.0.1:${port}` };
    },
  };
  return { def, calls };
}

describe('service lifecycle', () => {
  let cacheDir: string;
  const quiet = { log: () => undefined };

  beforeEach(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'sluice-infra-test-'));
  });

  afterEach(async () => {
    await stopService('fake', cacheDir).catch(() => undefined);
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('installs once, starts, records the pid, and reuses the healthy server', async () => {
    const { def, calls } = fakeService(await freePort());
    const info = await ensureDefinition(def, { cacheDir, ...quiet });
    expect(info.url).toBe(`http://127.0.0.1:${def.ports[0]}`);
    const first = await readPidRecord(servicePaths(cacheDir, 'fake').pidFile);
    expect(first?.pid).toBeGreaterThan(1);
    expect((await definitionStatus(def, cacheDir)).state).toBe('healthy');

    await ensureDefinition(def, { cacheDir, ...quiet });
    const second = await readPidRecord(servicePaths(cacheDir, 'fake').pidFile);
    expect(second?.pid).toBe(first?.pid);
    expect(calls).toEqual({ install: 1, prepare: 1 });
  });

  it('restarts a server that died', async () => {
    const { def, calls } = fakeService(await freePort());
    await ensureDefinition(def, { cacheDir, ...quiet });
    const dead = (await readPidRecord(servicePaths(cacheDir, 'fake').pidFile))!;
    process.kill(dead.pid, 'SIGKILL');
    while (processStartTicks(dead.pid) !== undefined) await new Promise((r) => setTimeout(r, 50));
    expect((await definitionStatus(def, cacheDir)).state).toBe('stopped');

    await ensureDefinition(def, { cacheDir, ...quiet });
    const again = await readPidRecord(servicePaths(cacheDir, 'fake').pidFile);
    expect(again?.pid).not.toBe(dead.pid);
    expect((await definitionStatus(def, cacheDir)).state).toBe('healthy');
    expect(calls).toEqual({ install: 1, prepare: 2 });
  });

  it('lets only one of two concurrent callers start the service', async () => {
    const { def, calls } = fakeService(await freePort());
    const [a, b] = await Promise.all([
      ensureDefinition(def, { cacheDir, ...quiet }),
      ensureDefinition(def, { cacheDir, ...quiet }),
    ]);
    expect(a).toEqual(b);
    expect(calls).toEqual({ install: 1, prepare: 1 });
  });

  it('stops by pid and removes the data dir and pid record', async () => {
    const { def } = fakeService(await freePort());
    await ensureDefinition(def, { cacheDir, ...quiet });
    const paths = servicePaths(cacheDir, 'fake');
    const record = (await readPidRecord(paths.pidFile))!;

    expect(await stopService('fake', cacheDir)).toBe(`terminated pid ${record.pid}`);
    expect(processStartTicks(record.pid)).toBeUndefined();
    expect(existsSync(paths.pidFile)).toBe(false);
    expect(existsSync(paths.dataDir)).toBe(false);
    expect(existsSync(path.join(paths.installDir, 'installed'))).toBe(true);
    expect(await stopService('fake', cacheDir)).toBe('was not running');
  });

  it('reports a server that exits during start with its last lines and the log path', async () => {
    const { def } = fakeService(await freePort(), { failStart: true });
    const err = await ensureDefinition(def, { cacheDir, ...quiet }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain('fake: the server exited with code 3 while starting');
    expect(message).toContain('fatal: the config is broken');
    expect(message).toContain(servicePaths(cacheDir, 'fake').logFile);
    expect(existsSync(servicePaths(cacheDir, 'fake').pidFile)).toBe(false);
  });

  it('refuses to start when a process it did not start holds the port', async () => {
    const port = await freePort();
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      const { def, calls } = fakeService(port);
      const err = await ensureDefinition(def, { cacheDir, ...quiet }).catch((e: Error) => e);
      expect((err as Error).message).toContain(
        `port 127.0.0.1:${port} is already in use by a process test-infra did not start`,
      );
      expect(calls.prepare).toBe(0);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });
});
