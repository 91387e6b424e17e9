import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

// An install counts as done only once it finished: the marker is written last, so an interrupted
// download is redone instead of being started half-present.

export function isMarked(dir: string): boolean {
  return existsSync(path.join(dir, '.installed'));
}

export async function mark(dir: string): Promise<void> {
  await writeFile(path.join(dir, '.installed'), new Date().toISOString() + '\n');
}
