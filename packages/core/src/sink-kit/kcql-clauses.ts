import { ConfigException } from '../errors.js';
import type { KcqlStatement } from '../mapping/statement.js';
import { kcqlClausesUsed, type KcqlClause } from '../sink/stream-reactor-config.js';

// One list per sink says which KCQL clauses it honours; it drives validation (here), the README's
// KCQL table and the conformance suite. Clauses Stream Reactor's sink accepted without effect stay
// accepted (old configs keep running) with a warning; anything else is refused naming the clause.

export interface KcqlSupport {
  /** Clauses the sink honours (write modes INSERT / UPSERT / UPDATE count as clauses). */
  readonly supported: readonly KcqlClause[];
  /** Clauses accepted for Stream Reactor compatibility that have no effect: one WARN each. */
  readonly ignored?: readonly KcqlClause[];
}

/**
 * Checks every statement: a target and a write mode, no clause outside `supported` + `ignored`.
 * Throws ConfigException on `kcqlKey`; returns the warnings for clauses that have no effect.
 */
export function checkKcqlSupport(
  statements: readonly KcqlStatement[],
  support: KcqlSupport,
  kcqlKey: string,
  displayName: string,
): string[] {
  const ignored = support.ignored ?? [];
  const warnings: string[] = [];
  statements.forEach((statement, i) => {
    const label = `KCQL statement ${i + 1} (FROM ${statement.source ?? '?'})`;
    if (!statement.target || !statement.writeMode) {
      throw new ConfigException(kcqlKey, `${label} has no INSERT INTO / UPSERT INTO target; ${displayName} needs one.`);
    }
    const used = kcqlClausesUsed(statement);
    const refused = used.filter((c) => !support.supported.includes(c) && !ignored.includes(c));
    if (refused.length > 0) {
      throw new ConfigException(
        kcqlKey,
        `${label} uses ${refused.join(', ')}, which ${displayName} does not support ` +
          `(it supports ${support.supported.join(', ')}). Remove ${refused.length > 1 ? 'these clauses' : 'the clause'}.`,
      );
    }
    for (const c of used.filter((u) => ignored.includes(u) && !support.supported.includes(u))) {
      warnings.push(
        `${label} uses ${c}, which ${displayName} accepts for Stream Reactor compatibility but ignores: it has no effect.`,
      );
    }
  });
  return warnings;
}
