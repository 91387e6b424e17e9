// @sluice/kcql: a parser for KCQL, the Kafka Connect Query Language of Stream Reactor (classic dialect).
import { parseStatement } from './parser.js';
import type { Kcql } from './types.js';

export { KcqlError } from './errors.js';
export { parseKcqlList } from './list.js';
export { nonDefaultProperties } from './summary.js';
export * from './types.js';

/**
 * Parses one KCQL statement into a plain, JSON-serialisable object. One trailing ';' is allowed.
 * Throws `KcqlError` (with `column`, `line` and a message saying what was expected) when the statement
 * is not valid, including where Stream Reactor's parser would silently ignore or drop part of it.
 */
export function parseKcql(statement: string): Kcql {
  return parseStatement({ text: statement, from: 0, to: statement.length });
}
