// Several statements in one connector setting (spec/kcql.md §8): Stream Reactor connectors split the
// value with Java's `String.split(";")`, which this reproduces exactly.
import { KcqlError } from './errors.js';
import { parseStatement } from './parser.js';
import type { Kcql } from './types.js';

interface Part {
  from: number;
  to: number;
}

/**
 * Java `String.split(";")`: splits on every ';' (quotes and back-ticks do not protect it), drops
 * trailing empty parts but keeps leading and middle ones, and returns the input itself when it holds
 * no ';' at all (so `""` gives one empty part, while `";"` gives none).
 */
export function splitLikeJava(value: string): Part[] {
  const parts: Part[] = [];
  let from = 0;
  for (let i = value.indexOf(';'); i >= 0; i = value.indexOf(';', from)) {
    parts.push({ from, to: i });
    from = i + 1;
  }
  parts.push({ from, to: value.length });
  if (parts.length === 1) return parts;
  while (parts.length > 0 && parts[parts.length - 1]!.from === parts[parts.length - 1]!.to) parts.pop();
  return parts;
}

/**
 * Parses a connector's `connect.<x>.kcql` value: statements separated by ';', an optional ';' at the
 * end. Errors give the statement number and the line/column inside the whole value.
 */
export function parseKcqlList(configValue: string): Kcql[] {
  const parts = splitLikeJava(configValue);
  return parts.map((part, index) => {
    const statement = index + 1;
    if (configValue.slice(part.from, part.to).trim() === '') {
      // Stream Reactor rejects blank parts too: only a ';' at the very end of the value is dropped.
      const reason =
        index === parts.length - 1 && index > 0
          ? "only whitespace follows the last ';': remove it, or remove that ';'"
          : "empty statement: remove the extra ';' (statements are separated by a single ';')";
      throw new KcqlError(reason, { text: configValue, offset: part.from, statement });
    }
    return parseStatement({ text: configValue, ...part, statement });
  });
}
