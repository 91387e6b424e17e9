import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ServiceContext } from '../service.js';
import { aptInstall } from './apt.js';
import { onPath } from './commands.js';

// Downloads from Maven Central through `mvn`, with a local repository inside the cache, so that a
// fresh cache is a true cold install and nothing lands in ~/.m2.

/** A fresh Debian machine may lack Maven; it comes from Debian (with a JDK) like the other system packages. */
async function ensureMaven(ctx: ServiceContext): Promise<void> {
  if (!onPath('mvn')) await aptInstall(ctx, ['maven', 'openjdk-17-jdk-headless']);
}

// The plugin by full coordinates: `dependency:…` alone resolves whatever version the installed Maven binds
// (2.8 for Debian 12's Maven 3.8), so a new Maven or plugin release could change a cold install.
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

function mvnArgs(ctx: ServiceContext): string[] {
  return ['-B', '--no-transfer-progress', `-Dmaven.repo.local=${path.join(ctx.cacheDir, 'm2')}`];
}

export interface MavenDependency {
  groupId: string;
  artifactId: string;
  version: string;
}

/** Copy these artifacts and their runtime dependencies (jars) into `outDir`. */
export async function copyJarsWithDependencies(
  ctx: ServiceContext,
  dependencies: readonly MavenDependency[],
  outDir: string,
): Promise<void> {
  await ensureMaven(ctx);
  const pomDir = path.join(ctx.installDir, 'pom');
  await mkdir(pomDir, { recursive: true });
  const deps = dependencies
    .map(
      (d) =>
        `<dependency><groupId>${d.groupId}</groupId><artifactId>${d.artifactId}</artifactId><version>${d.version}</version></dependency>`,
    )
    .join('\n    ');
  // A pom that only lists dependencies: the standard way to make mvn resolve a runtime classpath.
  await writeFile(
    path.join(pomDir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>local.sluice</groupId><artifactId>runtime</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    ${deps}
  </dependencies>
</project>
`,
  );
  await ctx.run('mvn', [
    ...mvnArgs(ctx),
    '-f',
    path.join(pomDir, 'pom.xml'),
    `${DEPENDENCY_PLUGIN}:copy-dependencies`,
    '-DincludeScope=runtime',
    `-DoutputDirectory=${outDir}`,
  ]);
}

/** Copy one artifact (`group:artifact:version:type[:classifier]`) into `outDir`. */
export async function copyArtifact(ctx: ServiceContext, coordinates: string, outDir: string): Promise<void> {
  await ensureMaven(ctx);
  await ctx.run('mvn', [
    ...mvnArgs(ctx),
    `${DEPENDENCY_PLUGIN}:copy`,
    `-Dartifact=${coordinates}`,
    `-DoutputDirectory=${outDir}`,
  ]);
}

/** Maven Central, or a mirror of it (`SLUICE_MAVEN_REPO`, for machines behind a repository manager). */
const mavenRepo = () =>
  (process.env['SLUICE_MAVEN_REPO'] ?? 'https://repo.maven.apache.org/maven2').replace(/\/$/, '');

/**
 * Download one archive (`group:artifact:version:type[:classifier]`) into `outDir` straight from the
 * repository, checked against its published SHA-512. For archives whose POM cannot be resolved: mvn
 * reads an artifact's POM, and its parent's, before it fetches the file itself, so an archive stays out of
 * reach once its parent POM is gone from the repository (Apicurio Registry 3.0.9's is), although the
 * archive, which needs neither, is still there.
 */
export async function downloadArtifact(
  ctx: ServiceContext,
  coordinates: string,
  outDir: string,
): Promise<string> {
  const [groupId, artifactId, version, type, classifier] = coordinates.split(':');
  if (!groupId || !artifactId || !version || !type) {
    throw new Error(`not group:artifact:version:type[:classifier]: ${coordinates}`);
  }
  const file = `${artifactId}-${version}${classifier ? `-${classifier}` : ''}.${type}`;
  const url = `${mavenRepo()}/${groupId.replaceAll('.', '/')}/${artifactId}/${version}/${file}`;
  const expected = await fetchText(`${url}.sha512`);
  await mkdir(outDir, { recursive: true });
  const target = path.join(outDir, file);
  const partial = `${target}.part`;
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`GET ${url} answered ${res.status}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const hash = createHash('sha512');
  const started = Date.now();
  let received = 0;
  let lastReport = started;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      received += chunk.length;
      if (Date.now() - lastReport >= 5000) {
        lastReport = Date.now();
        const mb = received / 2 ** 20;
        const of = total ? ` of ${(total / 2 ** 20).toFixed(0)}` : '';
        ctx.progress(
          `${file}: ${mb.toFixed(0)}${of} MiB, ${(mb / ((lastReport - started) / 1000)).toFixed(1)} MiB/s`,
        );
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
      meter,
      createWriteStream(partial),
    );
    const actual = hash.digest('hex');
    // The .sha512 file holds the hex digest, sometimes followed by the file name.
    if (actual !== expected.trim().split(/\s+/)[0]) {
      throw new Error(`${url}: SHA-512 ${actual} does not match the published ${expected.trim()}`);
    }
    await rename(partial, target);
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
  return target;
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.text();
}
