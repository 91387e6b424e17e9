import { open } from 'node:fs/promises';

/** The last `lines` lines of a file (reads at most the last 64 KiB), or '' when it does not exist. */
export async function tailFile(file: string, lines = 30): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    return lastLines(buf.toString('utf8'), lines);
  } finally {
    await handle.close();
  }
}

export function lastLines(text: string, lines: number): string {
  const all = text.replace(/\s+$/, '').split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}
