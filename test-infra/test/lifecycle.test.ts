import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { definitionStatus, ensureDefinition, stopService } from '../src/framework/manager.js';
import { readPidRecord } from '../src/framework/pid-record.js';
import { servicePaths } from '../src/framework/paths.js';
import { processStartTicks } from '../src/framework/pid-record.js';
import { pruneOrphans, startPrivateDefinition } from '../src/framework/private-instance.js';
import type { ServiceDefinition } from '../src/service.js';

// The framework's install / start / reuse / restart / stop cycle, driven with a throwaway service: a
// tiny Node HTTP server on a free port, standing in for a real one.
// It answers with the content of its data file, which the test may change, to show whose data it serves.
const SERVER = `
const [port, dataFile] = [Number(process.argv[1]), process.argv[2]];
if (process.env.FAIL_START) { console.error('fatal: the config is broken'); process.exit(3); }
const fs = require('node:fs');
require('node:http').createServer((_q, s) => s.end(fs.readFileSync(dataFile))).listen(port, '127.0.0.1', () => console.log('listening on ' + port));
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
    ports: { http: port },
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
      const state = path.join(ctx.dataDir, 'state');
      if (!existsSync(state)) await writeFile(state, 'fresh');
      return {
        command: process.execPath,
        args: ['-e', SERVER, String(ctx.ports.http), state],
        env: opts.failStart ? { FAIL_START: '1' } : ({} as Record<string, string>),
      };
    },
    async healthy(ctx) {
      try {
        return (await fetch(`http://127.0.0.1:${ctx.ports.http}/`)).ok;
      } catch {
        return false;
      }
    },
    info(ctx) {
      const p = ctx.ports.http;
      return { name: 'fake', host: '127.0.0.1', port: p, url: `http://127.0.0.1:${p}` };
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
    expect(info.url).toBe(`http://127.0.0.1:${def.ports.http}`);
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

  it('starts the shared server on the port SLUICE_INFRA_PORT_<SERVICE> names, and status reports it', async () => {
    const { def } = fakeService(await freePort());
    const override = await freePort();
    process.env.SLUICE_INFRA_PORT_FAKE = String(override);
    try {
      const info = await ensureDefinition(def, { cacheDir, ...quiet });
      expect(info.port).toBe(override);
      expect(await (await fetch(`http://127.0.0.1:${override}/`)).text()).toBe('fresh');
    } finally {
      delete process.env.SLUICE_INFRA_PORT_FAKE;
    }
    // Without the variable, status and a reusing caller still see where it actually runs.
    const status = await definitionStatus(def, cacheDir);
    expect(status).toMatchObject({ state: 'healthy', port: override, ports: { http: override } });
    expect((await ensureDefinition(def, { cacheDir, ...quiet })).port).toBe(override);
  });
});

describe('private instances', () => {
  let cacheDir: string;
  const quiet = { log: () => undefined };

  beforeEach(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'sluice-infra-test-'));
  });

  afterEach(async () => {
    await stopService('fake', cacheDir).catch(() => undefined);
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('stops and starts on the same port with the same data, never touching the shared server', async () => {
    const { def, calls } = fakeService(await freePort());
    const shared = await ensureDefinition(def, { cacheDir, ...quiet });
    const sharedPid = (await readPidRecord(servicePaths(cacheDir, 'fake').pidFile))!.pid;

    const instance = await startPrivateDefinition(def, {
      cacheDir,
      avoidPorts: new Set([shared.port]),
      ...quiet,
    });
    try {
      expect(instance.info.port).not.toBe(shared.port);
      const url = instance.info.url as string;
      expect(await (await fetch(url)).text()).toBe('fresh');
      // What a test stored in it must still be there after the outage.
      const dataDir = path.join(
        cacheDir,
        'private',
        (await readdir(path.join(cacheDir, 'private')))[0]!,
        'data',
      );
      await writeFile(path.join(dataDir, 'state'), 'written before the outage');

      await instance.stop();
      await expect(fetch(url)).rejects.toThrow();
      expect((await definitionStatus(def, cacheDir)).state).toBe('healthy');
      await instance.stop(); // stopping a stopped instance is harmless

      await instance.start();
      expect(await (await fetch(url)).text()).toBe('written before the outage');
      expect((await readPidRecord(servicePaths(cacheDir, 'fake').pidFile))!.pid).toBe(sharedPid);
      expect(calls.install).toBe(1); // installed once, shared with the shared server
    } finally {
      await instance.dispose();
    }
    await expect(fetch(instance.info.url as string)).rejects.toThrow();
    expect(await readdir(path.join(cacheDir, 'private'))).toEqual([]);
    await expect(instance.start()).rejects.toThrow(/was disposed/);
    expect((await definitionStatus(def, cacheDir)).state).toBe('healthy');
  });

  it('removes the instances of a test process that died', async () => {
    const { def } = fakeService(await freePort());
    const instance = await startPrivateDefinition(def, { cacheDir, ...quiet });
    const [id] = await readdir(path.join(cacheDir, 'private'));
    const record = (await readPidRecord(path.join(cacheDir, 'private', id!, 'server.json')))!;
    // Pretend its owner is gone: a pid with another start time.
    await writeFile(
      path.join(cacheDir, 'private', id!, 'owner.json'),
      JSON.stringify({ pid: process.pid, startTicks: -1 }),
    );
    expect(await pruneOrphans(cacheDir)).toEqual([id]);
    expect(processStartTicks(record.pid)).toBeUndefined();
    await expect(fetch(instance.info.url as string)).rejects.toThrow();
    await instance.dispose();
  });
});
