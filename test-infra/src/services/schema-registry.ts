import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { javaBin } from '../installers/java.js';
import { downloadArtifact } from '../installers/maven.js';
import { isMarked, mark } from '../installers/marker.js';
import type { ServiceContext, ServiceDefinition } from '../service.js';

// A Confluent-compatible schema registry: Apicurio Registry 3 (Quarkus) serves the Confluent REST API
// under /apis/ccompat/v7. Confluent's own server and Karapace are not in any registry this machine
// reaches; Apicurio's `all` distribution is on Maven Central. Storage is in-memory H2: data is lost on
// restart, which suits tests.
const VERSION = '3.0.9';
const HOST = '127.0.0.1';
const base = (ctx: ServiceContext) => `http://${HOST}:${ctx.ports.http}`;
const ccompat = (ctx: ServiceContext) => `${base(ctx)}/apis/ccompat/v7`;

/** Where Apicurio is unpacked inside an install dir (schema-registry-https runs this service's install). */
export const apicurioHome = (installDir: string) => path.join(installDir, `apicurio-registry-${VERSION}`);
const home = (ctx: ServiceContext) => apicurioHome(ctx.installDir);
const runner = (installDir: string) =>
  path.join(apicurioHome(installDir), `apicurio-registry-app-${VERSION}-runner.jar`);

/**
 * The JVM's arguments for an Apicurio that behaves like a Confluent Schema Registry, with `listen`
 * (the `-Dquarkus.http.*` settings of its listener, and any security) before the jar.
 */
export function apicurioArgs(installDir: string, tmpDir: string, listen: string[]): string[] {
  return [
    '-Xms128m',
    '-Xmx384m',
    '-XX:+UseSerialGC',
    '-XX:+ExitOnOutOfMemoryError',
    `-Djava.io.tmpdir=${tmpDir}`,
    ...listen,
    '-Dquarkus.http.access-log.enabled=false',
    // Behave like a Confluent Schema Registry: subjects can be deleted, the default compatibility
    // is BACKWARD, and the same schema with other whitespace gets the same id.
    '-Dapicurio.rest.deletion.group.enabled=true',
    '-Dapicurio.rest.deletion.artifact.enabled=true',
    '-Dapicurio.rest.deletion.artifact-version.enabled=true',
    '-Dapicurio.rules.global.compatibility=BACKWARD',
    '-Dapicurio.ccompat.use-canonical-hash=true',
    '-jar',
    runner(installDir),
  ];
}

const schemaRegistry: ServiceDefinition = {
  name: 'schema-registry',
  prerequisites: { start: ['java17'] },
  ports: { http: 8081 },
  memory: '384 MiB heap (-Xmx384m)',
  startTimeoutMs: 120_000,

  async isInstalled(ctx) {
    return isMarked(home(ctx));
  },

  async install(ctx) {
    const download = path.join(ctx.installDir, 'download');
    await rm(home(ctx), { recursive: true, force: true });
    await rm(download, { recursive: true, force: true });
    ctx.progress(`downloading Apicurio Registry ${VERSION} (about 110 MB) from Maven Central`);
    // Straight from the repository: its parent POM, which mvn would read first, is no longer served.
    const archive = await downloadArtifact(
      ctx,
      `io.apicurio:apicurio-registry-app:${VERSION}:tar.gz:all`,
      download,
    );
    ctx.progress('unpacking Apicurio Registry');
    await mkdir(home(ctx), { recursive: true });
    await ctx.run('tar', ['-xzf', archive, '-C', home(ctx)]);
    await rm(download, { recursive: true, force: true });
    await mark(home(ctx));
  },

  async prepare(ctx) {
    const tmp = path.join(ctx.dataDir, 'tmp');
    await mkdir(tmp, { recursive: true });
    return {
      command: javaBin(),
      args: apicurioArgs(ctx.installDir, tmp, [
        `-Dquarkus.http.host=${HOST}`,
        `-Dquarkus.http.port=${ctx.ports.http}`,
      ]),
      cwd: ctx.dataDir,
    };
  },

  async healthy(ctx) {
    try {
      const ready = await fetch(`${base(ctx)}/health/ready`, { signal: AbortSignal.timeout(3000) });
      if (!ready.ok) return false;
      const subjects = await fetch(`${ccompat(ctx)}/subjects`, { signal: AbortSignal.timeout(3000) });
      return subjects.ok;
    } catch {
      return false;
    }
  },

  // The default rule above is enforced but not reported by GET /config; storing it makes the two agree,
  // as on a Confluent registry, whose default is BACKWARD.
  async afterStart(ctx) {
    const res = await fetch(`${ccompat(ctx)}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`PUT ${ccompat(ctx)}/config answered ${res.status}: ${await res.text()}`);
  },

  info(ctx) {
    return { name: 'schema-registry', host: HOST, port: ctx.ports.http, url: ccompat(ctx) };
  },
};

export default schemaRegistry;
