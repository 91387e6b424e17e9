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

/**
 * Install Debian packages that are missing (`apt-get update` first: a fresh machine has no lists).
 * Waits for the dpkg lock rather than failing when another install runs at the same time.
 */
export async function aptInstall(ctx: ServiceContext, packages: readonly string[]): Promise<void> {
  const missing = [];
  for (const pkg of packages) if (!(await isInstalled(pkg))) missing.push(pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Debian packages ${missing.join(' ')} are missing; install them as root: apt-get install ${missing.join(' ')}`,
    );
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  ctx.progress(`apt-get update, then installing ${missing.join(' ')}`);
  await ctx.run('apt-get', [...lock, 'update', '-q'], { env });
  await ctx.run('apt-get', [...lock, 'install', '-y', '-q', '--no-install-recommends', ...missing], { env });
}
