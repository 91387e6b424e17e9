import { chown, cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { javaHome } from '../installers/java.js';
import { copyArtifact } from '../installers/maven.js';
import { isMarked, mark } from '../installers/marker.js';
import type { ServiceContext, ServiceDefinition } from '../service.js';
import {
  RUN_AS,
  WRITABLE,
  chownTree,
  ensureUser,
  grantSearchOnParents,
  redirectJvmOutputs,
  userId,
} from './elasticsearch.js';

// Elasticsearch 7.17 beside the 8.x server, for sinks that support both majors (the Elasticsearch
// sink). Same route as `elasticsearch`: the integ-test zip from Maven Central (no bundled JDK, runs on
// Java 17, transport + x-pack core/security modules only), run as an unprivileged user, on its own
// ports. Starts in ~5 s on two cores.
const VERSION = '7.17.29';
const ARTIFACT = `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${VERSION}:zip`;
const HOST = '127.0.0.1';
const HTTP_PORT = 9201;
const TRANSPORT_PORT = 9301;

const distDir = (ctx: ServiceContext) => path.join(ctx.installDir, `elasticsearch-${VERSION}`);
const homeDir = (ctx: ServiceContext) => path.join(ctx.dataDir, 'home');

function elasticsearchYml(ctx: ServiceContext): string {
  return `# Written by test-infra for a single-node test cluster; see test-infra/README.md.
cluster.name: sluice-it-7
node.name: sluice-it7-1
discovery.type: single-node
network.host: ${HOST}
http.port: ${HTTP_PORT}
transport.port: ${TRANSPORT_PORT}
path.data: ${path.join(ctx.dataDir, 'data')}
path.logs: ${path.join(ctx.dataDir, 'logs')}
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
`;
}

const elasticsearch7: ServiceDefinition = {
  name: 'elasticsearch7',
  ports: [HTTP_PORT, TRANSPORT_PORT],
  memory: '512 MiB heap; ~800 MiB RSS',
  startTimeoutMs: 120_000,

  async isInstalled(ctx) {
    return isMarked(distDir(ctx));
  },

  async install(ctx) {
    const download = path.join(ctx.installDir, 'download');
    ctx.progress(`downloading ${ARTIFACT} from Maven Central`);
    await copyArtifact(ctx, ARTIFACT, download);
    ctx.progress(`unpacking elasticsearch-${VERSION}.zip`);
    await rm(distDir(ctx), { recursive: true, force: true });
    await ctx.run('unzip', ['-q', path.join(download, `elasticsearch-${VERSION}.zip`), '-d', ctx.installDir]);
    await rm(download, { recursive: true, force: true });
    await mark(distDir(ctx));
  },

  async prepare(ctx) {
    const java = javaHome();
    if (!java) throw new Error('no Java 17 found under /usr/lib/jvm; set SLUICE_JAVA_HOME to a JDK 17 home');
    const home = homeDir(ctx);
    const conf = path.join(ctx.dataDir, 'config');
    await ctx.run('cp', ['-al', distDir(ctx), home]).catch(() => cp(distDir(ctx), home, { recursive: true }));
    await cp(path.join(home, 'config'), conf, { recursive: true });
    for (const dir of WRITABLE) await mkdir(path.join(ctx.dataDir, dir), { recursive: true });
    await writeFile(path.join(conf, 'elasticsearch.yml'), elasticsearchYml(ctx));
    await redirectJvmOutputs(ctx, conf);
    let user: string | undefined;
    if (process.getuid?.() === 0) {
      await ensureUser(ctx);
      await grantSearchOnParents(ctx);
      const [uid, gid] = [await userId('-u'), await userId('-g')];
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

  async healthy() {
    try {
      const res = await fetch(
        `http://${HOST}:${HTTP_PORT}/_cluster/health?wait_for_status=yellow&timeout=1s`,
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

  info() {
    return {
      name: 'elasticsearch7',
      host: HOST,
      port: HTTP_PORT,
      url: `http://${HOST}:${HTTP_PORT}`,
      version: VERSION,
    };
  },
};

export default elasticsearch7;
