import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * Hold a cross-process lock on one service while `fn` runs, so that two processes calling `up` at the
 * same time do not both install or start it: the second waits, then finds it running and reuses it.
 * The lock is refreshed while held and considered stale when its holder died (no refresh for 30 s).
 */
export async function withServiceLock<T>(
  target: string,
  fn: () => Promise<T>,
  onWait?: () => void,
  maxWaitMs = 60 * 60_000,
): Promise<T> {
  await mkdir(path.dirname(target), { recursive: true });
  const options = {
    realpath: false,
    stale: 30_000,
    update: 5_000,
    // Losing the lock (e.g. the machine stalled for 30 s) is worth a warning, not a crash mid-start.
    onCompromised: (err: Error) => process.stderr.write(`[infra] lock ${target} was lost: ${err.message}\n`),
  };
  let release: () => Promise<void>;
  const deadline = Date.now() + maxWaitMs;
  let told = false;
  for (;;) {
    try {
      release = await lockfile.lock(target, options);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() > deadline) throw err;
      if (!told) onWait?.();
      told = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
