import { readFile } from 'node:fs/promises';
import { parseProperties } from '../worker/properties.js';

/** Reads a worker `.properties` file; the error says which file could not be read. */
export async function readWorkerProperties(path: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`Cannot read worker config ${path}: ${(e as Error).message}`);
  }
  return parseProperties(text);
}
