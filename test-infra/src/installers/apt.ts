import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ServiceContext } from '../service.js';

const exec = promisify(execFile);

async function isInstalled(pkg: string): Promise<boolean> {
  try {
    const { stdout } = await exec('dpkg-query', ['-W', '-f=${Status}', pkg]);
    return stdout.trim() === 'install ok installed';
  } catch {
    return false;
  }
}

/** Whether every Debian package in `packages` is installed. */
export async function aptInstalled(packages: readonly string[]): Promise<boolean> {
  for (const pkg of packages) if (!(await isInstalled(pkg))) return false;
  return true;
}

/** `sudo -n` when this process is not root but may use sudo without a password; [] when it is root. */
async function rootPrefix(): Promise<string[] | undefined> {
  if (process.getuid?.() === 0) return [];
  try {
    await exec('sudo', ['-n', 'true']);
    return ['sudo', '-n'];
  } catch {
    return undefined;
  }
}

/** Whether apt-get can run as root here: as root, or through passwordless sudo. */
export async function canRunAsRoot(): Promise<boolean> {
  return (await rootPrefix()) !== undefined;
}

/**
 * Install Debian packages that are missing (`apt-get update` first: a fresh machine has no lists).
 * Waits for the dpkg lock rather than failing when another install runs at the same time.
 */
export async function aptInstall(ctx: ServiceContext, packages: readonly string[]): Promise<void> {
  const missing = [];
  for (const pkg of packages) if (!(await isInstalled(pkg))) missing.push(pkg);
  if (missing.length === 0) return;
  const prefix = await rootPrefix();
  if (!prefix) {
    throw new Error(
      `Debian packages ${missing.join(' ')} are missing; install them as root: apt-get install ${missing.join(' ')}`,
    );
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  // sudo keeps DEBIAN_FRONTEND only when it is passed on its command line.
  const aptGet = (...args: string[]) =>
    prefix.length === 0
      ? ctx.run('apt-get', args, { env })
      : ctx.run(prefix[0]!, [...prefix.slice(1), 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]);
  ctx.progress(`apt-get update, then installing ${missing.join(' ')}`);
  await aptGet(...lock, 'update', '-q');
  await aptGet(...lock, 'install', '-y', '-q', '--no-install-recommends', ...missing);
}
