import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { javaBin, javaHome } from '../installers/java.js';
import { copyJarsWithDependencies } from '../installers/maven.js';
import { isMarked, mark } from '../installers/marker.js';
import type { ServiceContext, ServiceDefinition } from '../service.js';

// A real JMS consumer for the JMS sink's tests: test-infra/jms-consumer/JmsConsumer.java, compiled with
// javac against ActiveMQ's own client (OpenWire, from Maven Central) and served on HTTP, so that a test
// sees what a Java application receives (JMS message type, body, properties), not what STOMP shows.
// Its API is described in the Java file; `info().url` is its base URL.
const HOST = '127.0.0.1';
const ACTIVEMQ_CLIENT = { groupId: 'org.apache.activemq', artifactId: 'activemq-client', version: '5.17.6' };
const SOURCE = fileURLToPath(new URL('../../jms-consumer/JmsConsumer.java', import.meta.url));

/** The build's directory carries a hash of the source (and client version), so an edit triggers a rebuild. */
async function buildDir(ctx: ServiceContext): Promise<string> {
  const hash = createHash('sha256')
    .update(await readFile(SOURCE))
    .update(ACTIVEMQ_CLIENT.version);
  return path.join(ctx.installDir, `build-${hash.digest('hex').slice(0, 12)}`);
}

function javac(): string {
  const home = javaHome();
  const candidate = home ? path.join(home, 'bin', 'javac') : '';
  return candidate && existsSync(candidate) ? candidate : 'javac';
}

const jmsConsumer: ServiceDefinition = {
  name: 'jms-consumer',
  dependsOn: ['activemq'],
  prerequisites: { install: ['maven', 'java17'], start: ['java17'] },
  ports: { http: 61690 },
  memory: '64 MiB heap; ~60 MiB RSS',
  startTimeoutMs: 30_000,

  async isInstalled(ctx) {
    return isMarked(await buildDir(ctx));
  },

  async install(ctx) {
    const dir = await buildDir(ctx);
    await rm(dir, { recursive: true, force: true });
    const lib = path.join(dir, 'lib');
    const classes = path.join(dir, 'classes');
    await mkdir(classes, { recursive: true });
    ctx.progress(`downloading activemq-client ${ACTIVEMQ_CLIENT.version} from Maven Central`);
    await copyJarsWithDependencies(ctx, [ACTIVEMQ_CLIENT], lib);
    ctx.progress('compiling JmsConsumer.java');
    await ctx.run(javac(), ['-d', classes, '-cp', `${lib}/*`, SOURCE]);
    await mark(dir);
    // Builds of earlier versions of the source are never used again.
    for (const file of await readdir(ctx.installDir)) {
      if (file.startsWith('build-') && path.join(ctx.installDir, file) !== dir) {
        await rm(path.join(ctx.installDir, file), { recursive: true, force: true });
      }
    }
  },

  async prepare(ctx) {
    const dir = await buildDir(ctx);
    return {
      command: javaBin(),
      args: [
        '-Xms32m',
        '-Xmx64m',
        '-XX:+UseSerialGC',
        '-cp',
        `${path.join(dir, 'classes')}:${path.join(dir, 'lib')}/*`,
        'JmsConsumer',
        String(ctx.ports.http),
      ],
      cwd: ctx.dataDir,
    };
  },

  async healthy(ctx) {
    try {
      const response = await fetch(`http://${HOST}:${ctx.ports.http}/health`, {
        signal: AbortSignal.timeout(2_000),
      });
      return response.ok;
    } catch {
      return false;
    }
  },

  info(ctx) {
    const port = ctx.ports.http;
    return { name: 'jms-consumer', host: HOST, port, url: `http://${HOST}:${port}` };
  },
};

export default jmsConsumer;
