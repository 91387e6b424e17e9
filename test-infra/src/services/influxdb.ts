import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ServiceContext, ServiceDefinition } from '../service.js';

// InfluxDB 1.8, built from the Go module proxy. 1.8 is the newest 1.x whose flux dependency builds
// without Rust, and it already serves the 2.x-compatible `/api/v2/write`, `/api/v2/query` and `/health`
// that @influxdata/influxdb-client uses (bucket = "<database>/<retention policy>", org ignored).
const VERSION = 'v1.8.10';
const PACKAGE = 'github.com/influxdata/influxdb/cmd/influxd';
// The Go toolchain that builds it, fetched from the Go module proxy when the installed Go differs: an old
// module like this one can stop building with a new Go release. Any Go >= 1.21 can fetch it.
const GO_TOOLCHAIN = 'go1.26.8';
const HOST = '127.0.0.1';

const binary = (ctx: ServiceContext) => path.join(ctx.installDir, 'bin', 'influxd');

function influxdbConf(ctx: ServiceContext): string {
  const dir = (name: string) => JSON.stringify(path.join(ctx.dataDir, name));
  return `# Written by test-infra for a test server; see test-infra/README.md.
reporting-disabled = true
bind-address = "${HOST}:${ctx.ports.rpc}"
[meta]
  dir = ${dir('meta')}
[data]
  dir = ${dir('data')}
  wal-dir = ${dir('wal')}
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "${HOST}:${ctx.ports.http}"
  # /api/v2/query answers 403 without it.
  flux-enabled = true
  log-enabled = false
[monitor]
  store-enabled = false
`;
}

const influxdb: ServiceDefinition = {
  name: 'influxdb',
  prerequisites: { install: ['go', 'gcc'] },
  // The meta/backup RPC listener moved from its default 8088, which is also FerretDB's debug port.
  ports: { http: 8086, rpc: 8089 },
  memory: '~50 MiB RSS idle',
  startTimeoutMs: 30_000,

  async isInstalled(ctx) {
    return existsSync(binary(ctx));
  },

  async install(ctx) {
    ctx.progress(`building ${PACKAGE}@${VERSION} from the Go module proxy (a few minutes on 2 cores)`);
    // Module and build caches stay in the infra cache, like every other Go build of test-infra.
    // cgo is on: the flux standard library links mattn/go-sqlite3. `go install` writes the binary last,
    // so its presence means the install finished.
    await ctx.run('go', ['install', '-trimpath', `${PACKAGE}@${VERSION}`], {
      env: {
        GOBIN: path.dirname(binary(ctx)),
        GOMODCACHE: path.join(ctx.cacheDir, 'go', 'mod'),
        GOCACHE: path.join(ctx.cacheDir, 'go', 'build'),
        GOPATH: path.join(ctx.cacheDir, 'go', 'path'),
        GOFLAGS: '-modcacherw',
        GOTOOLCHAIN: GO_TOOLCHAIN,
        CGO_ENABLED: '1',
      },
    });
  },

  async prepare(ctx) {
    const conf = path.join(ctx.dataDir, 'influxdb.conf');
    await writeFile(conf, influxdbConf(ctx));
    return { command: binary(ctx), args: ['run', '-config', conf], cwd: ctx.dataDir };
  },

  async healthy(ctx) {
    try {
      const res = await fetch(`http://${HOST}:${ctx.ports.http}/health`, {
        signal: AbortSignal.timeout(3_000),
      });
      return res.ok && ((await res.json()) as { status?: string }).status === 'pass';
    } catch {
      return false;
    }
  },

  info(ctx) {
    return {
      name: 'influxdb',
      host: HOST,
      port: ctx.ports.http,
      url: `http://${HOST}:${ctx.ports.http}`,
      version: VERSION,
    };
  },
};

export default influxdb;
