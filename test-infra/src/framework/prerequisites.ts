import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { onPath } from '../installers/commands.js';
import { javaHome } from '../installers/java.js';
import { canRunAsRoot } from '../installers/apt.js';
import { contextFor } from './context.js';
import type { Prerequisite, ServiceDefinition } from '../service.js';

// What the machine must provide before test-infra installs or starts anything, checked first so that a
// missing tool is one clear line rather than a failure minutes into a cold install.

const exec = promisify(execFile);

/** The oldest Go whose `GOTOOLCHAIN` fetches the toolchain a build pins from the Go module proxy. */
const MIN_GO = [1, 21] as const;

/** Java's major version from the `release` file of a JDK/JRE home (`JAVA_VERSION="17.0.16"`). */
export function javaMajor(releaseFile: string): number | undefined {
  const match = /^JAVA_VERSION="(?:1\.)?(\d+)/m.exec(releaseFile);
  return match ? Number(match[1]) : undefined;
}

/** `go version` output → [major, minor], e.g. 'go version go1.22.5 linux/amd64' → [1, 22]. */
export function goVersion(output: string): [number, number] | undefined {
  const match = /\bgo(\d+)\.(\d+)/.exec(output);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** Undefined when the prerequisite holds, else the one line that says what is missing and how to get it. */
export async function checkPrerequisite(what: Prerequisite, forWhom: string): Promise<string | undefined> {
  switch (what) {
    case 'linux-proc':
      return existsSync('/proc/self/stat')
        ? undefined
        : 'test-infra needs Linux with /proc: it tells its servers from reused pids by /proc/<pid>/stat';
    case 'debian-root':
      if (!onPath('apt-get') || !onPath('dpkg-query'))
        return `${forWhom} installs Debian packages with apt-get, which this machine lacks (test-infra supports Debian and Ubuntu)`;
      return (await canRunAsRoot())
        ? undefined
        : `${forWhom} installs Debian packages with apt-get: run as root or with passwordless sudo (\`sudo -n true\` fails now)`;
    case 'maven':
      // Missing Maven is installed from Debian (installers/maven.ts).
      if (onPath('mvn')) return undefined;
      return (await checkPrerequisite('debian-root', forWhom)) === undefined
        ? undefined
        : `${forWhom} is downloaded from Maven Central with \`mvn\`, which is not on PATH and cannot be installed without root or sudo: apt-get install maven`;
    case 'gcc':
      return onPath('gcc')
        ? undefined
        : `${forWhom} is built with cgo and needs a C compiler: apt-get install gcc`;
    case 'unzip':
      return onPath('unzip') ? undefined : `${forWhom} is unpacked with unzip: apt-get install unzip`;
    case 'java17': {
      const home = javaHome();
      const release = home && existsSync(`${home}/release`) ? readFileSync(`${home}/release`, 'utf8') : '';
      if (!home)
        return `${forWhom} needs Java 17: none under /usr/lib/jvm/java-17-openjdk-*, $SLUICE_JAVA_HOME or $JAVA_HOME (apt-get install openjdk-17-jre-headless, or set SLUICE_JAVA_HOME to a JDK 17 home)`;
      const major = javaMajor(release);
      return major === undefined || major === 17
        ? undefined
        : `${forWhom} needs Java 17, but ${home} is Java ${major}: set SLUICE_JAVA_HOME to a JDK 17 home`;
    }
    case 'go': {
      const too = `${forWhom} is built with Go ${MIN_GO.join('.')} or newer (https://go.dev/dl; Debian 12's 1.19 is too old)`;
      if (!onPath('go')) return `${too}: no \`go\` on PATH`;
      const version = goVersion((await exec('go', ['version']).catch(() => ({ stdout: '' }))).stdout);
      if (!version) return `${too}: \`go version\` did not answer`;
      const [major, minor] = version;
      return major > MIN_GO[0] || (major === MIN_GO[0] && minor >= MIN_GO[1])
        ? undefined
        : `${too}: found go${major}.${minor}`;
    }
  }
}

/**
 * Check what `defs` need, before any of them is installed or started: what each install needs when its
 * service is not installed yet, what starting needs always. Throws one error with one line per problem.
 */
export async function checkPrerequisites(
  defs: readonly ServiceDefinition[],
  cacheDir: string,
): Promise<void> {
  const problems = new Set<string>();
  const check = async (what: Prerequisite, forWhom: string) => {
    const problem = await checkPrerequisite(what, forWhom);
    if (problem) problems.add(problem);
  };
  await check('linux-proc', 'test-infra');
  if (problems.size === 0) {
    for (const def of defs) {
      const installed = await def.isInstalled(contextFor(cacheDir, def)).catch(() => false);
      const needs = [
        ...(def.prerequisites?.start ?? []),
        ...(installed ? [] : (def.prerequisites?.install ?? [])),
      ];
      for (const what of new Set(needs)) await check(what, def.name);
    }
  }
  if (problems.size > 0)
    throw new Error(`test-infra: missing prerequisites:\n${[...problems].map((p) => `  - ${p}`).join('\n')}`);
}
