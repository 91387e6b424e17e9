import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** Whether an executable named `cmd` is on PATH. */
export function onPath(cmd: string, envPath = process.env.PATH ?? ''): boolean {
  return envPath
    .split(path.delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(path.join(dir, cmd), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}
