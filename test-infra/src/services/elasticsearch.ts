import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { javaHome } from '../installers/java.js';
import { copyArtifact } from '../installers/maven.js';
import { isMarked, mark } from '../installers/marker.js';
import type { ServiceContext, ServiceDefinition } from '../service.js';

// Elasticsearch from the integ-test zip on Maven Central: no bundled JDK, only the transport and
// x-pack core/security modules (so no painless, ingest processors or reindex), which covers index,
// mapping, bulk, search and aggregations. `elasticsearch` is 8.x (the @elastic/elasticsearch client's
// major); `elasticsearch7` (elasticsearch7.ts) is the same service at 7.17 on other ports.
const HOST = '127.0.0.1';
// Elasticsearch refuses to start as root; when test-infra runs as root it runs ES as this user.
const RUN_AS = 'sluice-es';
const exec = promisify(execFile);

const distDir = (ctx: ServiceContext, version: string) =>
  path.join(ctx.installDir, `elasticsearch-${version}`);
/** The copy ES runs from, inside the data dir, so the unprivileged user never needs the install dir. */
const homeDir = (ctx: ServiceContext) => path.join(ctx.dataDir, 'home');
/** What ES writes: config (it creates its keystore there), data, logs, temp files. */
const WRITABLE = ['config', 'data', 'logs', 'tmp'];

function elasticsearchYml(ctx: ServiceContext, cluster: string): string {
  return `# Written by test-infra for a single-node test cluster; see test-infra/README.md.
cluster.name: ${cluster}
node.name: ${cluster}-1
discovery.type: single-node
network.host: ${HOST}
http.port: ${ctx.ports.http}
transport.port: ${ctx.ports.transport}
path.data: ${path.join(ctx.dataDir, 'data')}
path.logs: ${path.join(ctx.dataDir, 'logs')}
# 8.x ships the security module; without this it auto-configures TLS and passwords.
xpack.security.enabled: false
# A nearly full disk on a dev machine must not turn test indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
# Tests delete their indices with wildcards.
action.destructive_requires_name: false
`;
}

const userId = async (flag: '-u' | '-g') => Number((await exec('id', [flag, RUN_AS])).stdout.trim());

async function ensureUser(ctx: ServiceContext): Promise<void> {
  try {
    await exec('id', ['-u', RUN_AS]);
  } catch {
    ctx.progress(`creating system user ${RUN_AS} (Elasticsearch refuses to run as root)`);
    await ctx.run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', RUN_AS]);
  }
}

/**
 * The unprivileged user must be able to walk down to the data dir. The default cache lives under
 * /root (mode 0700), so grant search permission (o+x: enter, not list) where it is missing, and say so.
 */
async function grantSearchOnParents(ctx: ServiceContext): Promise<void> {
  for (let dir = path.dirname(ctx.dataDir); ; dir = path.dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      ctx.progress(`chmod o+x ${dir}, so that user ${RUN_AS} can reach ${ctx.dataDir}`);
      await chmod(dir, (mode & 0o7777) | 0o001);
    }
    if (dir === path.dirname(dir)) return;
  }
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid, gid);
    else await chown(child, uid, gid);
  }
}

/** The stock jvm.options writes GC logs, error files and heap dumps relative to ES_HOME: move them to the data dir. */
async function redirectJvmOutputs(ctx: ServiceContext, conf: string): Promise<void> {
  const file = path.join(conf, 'jvm.options');
  const options = await readFile(file, 'utf8');
  await writeFile(
    file,
    options
      .replace(/(file=|ErrorFile=)logs\//g, `$1${path.join(ctx.dataDir, 'logs')}/`)
      .replace(/HeapDumpPath=data$/m, `HeapDumpPath=${path.join(ctx.dataDir, 'data')}`),
  );
}

export interface ElasticsearchOptions {
  readonly name: string;
  readonly version: string;
  readonly ports: { readonly http: number; readonly transport: number };
  /** `cluster.name`, also the node name's prefix. */
  readonly cluster: string;
}

export function elasticsearchService(options: ElasticsearchOptions): ServiceDefinition {
  const { name, version } = options;
  const artifact = `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${version}:zip`;
  return {
    name,
    prerequisites: { install: ['maven', 'unzip'], start: ['java17'] },
    ports: options.ports,
    memory: '512 MiB heap; ~850 MiB RSS with the CLI launcher',
    startTimeoutMs: 120_000,

    async isInstalled(ctx) {
      return isMarked(distDir(ctx, version));
    },

    async install(ctx) {
      const download = path.join(ctx.installDir, 'download');
      ctx.progress(`downloading ${artifact} from Maven Central`);
      await copyArtifact(ctx, artifact, download);
      ctx.progress(`unpacking elasticsearch-${version}.zip`);
      await rm(distDir(ctx, version), { recursive: true, force: true });
      await ctx.run('unzip', [
        '-q',
        path.join(download, `elasticsearch-${version}.zip`),
        '-d',
        ctx.installDir,
      ]);
      await rm(download, { recursive: true, force: true });
      await mark(distDir(ctx, version));
    },

    async prepare(ctx) {
      const java = javaHome();
      if (!java)
        throw new Error('no Java 17 found under /usr/lib/jvm; set SLUICE_JAVA_HOME to a JDK 17 home');
      const home = homeDir(ctx);
      const conf = path.join(ctx.dataDir, 'config');
      // A private instance started again keeps its copy, its config (with the keystore ES made) and data.
      if (!existsSync(home)) {
        // Hard links cost nothing; a real copy is the fallback when the cache spans file systems.
        await ctx
          .run('cp', ['-al', distDir(ctx, version), home])
          .catch(() => cp(distDir(ctx, version), home, { recursive: true }));
      }
      if (!existsSync(conf)) await cp(path.join(home, 'config'), conf, { recursive: true });
      for (const dir of WRITABLE) await mkdir(path.join(ctx.dataDir, dir), { recursive: true });
      await writeFile(path.join(conf, 'elasticsearch.yml'), elasticsearchYml(ctx, options.cluster));
      await redirectJvmOutputs(ctx, conf);

      let user: string | undefined;
      if (process.getuid?.() === 0) {
        await ensureUser(ctx);
        await grantSearchOnParents(ctx);
        const [uid, gid] = [await userId('-u'), await userId('-g')];
        // Only the writable parts change owner: the hard-linked distribution shares inodes with the cache.
        await chown(ctx.dataDir, uid, gid);
        for (const dir of WRITABLE) await chownTree(path.join(ctx.dataDir, dir), uid, gid);
        user = RUN_AS;
      }
      return {
        command: path.join(home, 'bin', 'elasticsearch'),
        args: [],
        cwd: ctx.dataDir,
        user,
        env: {
          ES_JAVA_HOME: java,
          ES_PATH_CONF: conf,
          ES_TMPDIR: path.join(ctx.dataDir, 'tmp'),
          ES_JAVA_OPTS: '-Xms512m -Xmx512m',
        },
      };
    },

    async healthy(ctx) {
      try {
        const res = await fetch(
          `http://${HOST}:${ctx.ports.http}/_cluster/health?wait_for_status=yellow&timeout=1s`,
          {
            signal: AbortSignal.timeout(3_000),
          },
        );
        if (!res.ok) return false;
        const { status } = (await res.json()) as { status?: string };
        return status === 'green' || status === 'yellow';
      } catch {
        return false;
      }
    },

    info(ctx) {
      return {
        name,
        host: HOST,
        port: ctx.ports.http,
        url: `http://${HOST}:${ctx.ports.http}`,
        version,
      };
    },
  };
}

export default elasticsearchService({
  name: 'elasticsearch',
  version: '8.19.2',
  ports: { http: 9200, transport: 9300 },
  cluster: 'sluice-it',
});
