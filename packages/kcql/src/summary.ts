import { defaultKcql, type Kcql } from './types.js';

/**
 * The properties of a parsed statement that differ from their defaults: a short, JSON-ready view of
 * what a statement does (used by `sluice kcql "<statement>"`, and the format of the conformance cases).
 */
export function nonDefaultProperties(kcql: Kcql): Partial<Kcql> {
  const defaults = defaultKcql() as unknown as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(kcql).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(defaults[key])),
  ) as Partial<Kcql>;
}
