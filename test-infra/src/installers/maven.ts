import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
