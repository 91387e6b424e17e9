import { mkdir } from 'node:fs/promises';
import { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onPath } from '../installers/commands.js';
import { V1_0 } from '../rethinkdb-server/protocol.js';
import type { ServiceContext, ServiceDefinition, StartSpec } from '../service.js';

// No registry this project can reach ships a RethinkDB server. A real `rethinkdb` on PATH is used when
// present; otherwise test-infra runs its own wire-protocol test double (src/rethinkdb-server/, see its
// README): V1_0 handshake with SCRAM-SHA-256 and the ReQL subset the RethinkDB sink uses, in memory.
const HOST = '127.0.0.1';

/** The test double runs from source under tsx (how test-infra itself runs) or from the compiled dist. */
function testDoubleSpec(ctx: ServiceContext): StartSpec {
  const self = fileURLToPath(import.meta.url);
  const fromSource = self.endsWith('.ts');
  const main = path.join(path.dirname(self), '..', 'rethinkdb-server', fromSource ? 'main.ts' : 'main.js');
  const args = ['--bind', HOST, '--driver-port', String(ctx.ports.driver)];
  // A private instance keeps its data across a stop and start; the shared one starts empty each time.
  if (ctx.instance === 'private') args.push('--data-file', path.join(ctx.dataDir, 'catalog.json'));
  return {
    command: process.execPath,
    args: fromSource ? ['--import', 'tsx', main, ...args] : [main, ...args],
    // `--import tsx` resolves from the working directory: the test-infra package.
    cwd: path.resolve(path.dirname(self), '..', '..'),
  };
}

/** The server answers a V1_0 magic number with a JSON hello ending in a null byte. */
function answersHello(port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let received = Buffer.alloc(0);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(0);
      if (end < 0) return;
      try {
        done(
          (JSON.parse(received.subarray(0, end).toString('utf8')) as { success?: boolean }).success === true,
        );
      } catch {
        done(false);
      }
    });
    socket.connect(port, HOST, () => {
      const magic = Buffer.alloc(4);
      magic.writeUInt32LE(V1_0, 0);
      socket.write(magic);
    });
  });
}

const rethinkdb: ServiceDefinition = {
  name: 'rethinkdb',
  // The cluster port is only used by a real rethinkdb.
  ports: { driver: 28015, cluster: 29015 },
  memory: 'test double: ~85 MiB RSS with the tsx loader, plus the data it holds',
  startTimeoutMs: 30_000,

  // The test double is part of this repository; a real server would already be on PATH.
  async isInstalled() {
    return true;
  },

  async install() {},

  async prepare(ctx) {
    if (!onPath('rethinkdb')) {
      ctx.progress('no `rethinkdb` on PATH: starting the RethinkDB test double (not a real server)');
      return testDoubleSpec(ctx);
    }
    const directory = path.join(ctx.dataDir, 'rethinkdb_data');
    await mkdir(ctx.dataDir, { recursive: true });
    return {
      command: 'rethinkdb',
      args: [
        '--bind',
        HOST,
        '--driver-port',
        String(ctx.ports.driver),
        '--cluster-port',
        String(ctx.ports.cluster),
        '--no-http-admin',
        '--directory',
        directory,
      ],
      cwd: ctx.dataDir,
    };
  },

  healthy: (ctx) => answersHello(ctx.ports.driver),

  info(ctx) {
    return {
      name: 'rethinkdb',
      host: HOST,
      port: ctx.ports.driver,
      url: `rethinkdb://${HOST}:${ctx.ports.driver}`,
      user: 'admin',
      password: '',
      testDouble: !onPath('rethinkdb'),
    };
  },
};

export default rethinkdb;
