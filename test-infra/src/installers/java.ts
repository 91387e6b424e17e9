import { existsSync } from 'node:fs';
import path from 'node:path';

// The JVM servers are tested on Java 17. The image has a second, newer JDK under /usr/lib/jvm, so pick
// Java 17 by path rather than trusting whichever `java` is first on PATH.
const JAVA_17_HOMES = ['/usr/lib/jvm/java-17-openjdk-amd64', '/usr/lib/jvm/java-17-openjdk-arm64'];

export function javaHome(): string | undefined {
  const candidates = [process.env.SLUICE_JAVA_HOME, ...JAVA_17_HOMES, process.env.JAVA_HOME];
  return candidates.find((home) => home && existsSync(path.join(home, 'bin', 'java')));
}

export function javaBin(): string {
  const home = javaHome();
  return home ? path.join(home, 'bin', 'java') : 'java';
}

/** The JDK's `keytool` beside the chosen `java` (it writes the JKS stores tests hand to clients). */
export function keytoolBin(): string {
  const home = javaHome();
  return home ? path.join(home, 'bin', 'keytool') : 'keytool';
}
