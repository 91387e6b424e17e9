// Value transforms shared by several clauses (spec/kcql.md §4.1).

/** Java `int` and `long` upper bounds, for range checks that must be exact on 20-digit input. */
export const INT_MAX = 2n ** 31n - 1n;
export const LONG_MAX = 2n ** 63n - 1n;

/**
 * Removes one pair of back-ticks (when the text starts and ends with one), then one pair of single
 * quotes (likewise). `` `a.b` `` gives `a.b`; `` `a.b`.c `` is left alone.
 */
export function unescape(text: string): string {
  let value = text;
  if (value.length >= 2 && value.startsWith('`') && value.endsWith('`')) value = value.slice(1, -1);
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) value = value.slice(1, -1);
  return value;
}

/** Removes one pair of single quotes only. */
export function unquote(text: string): string {
  return text.length >= 2 && text.startsWith("'") && text.endsWith("'") ? text.slice(1, -1) : text;
}

/** The value of a digits-only token, or `undefined` when it is outside `min … max`. */
export function integerInRange(digits: string, min: bigint, max: bigint): number | undefined {
  const value = BigInt(digits);
  return value >= min && value <= max ? Number(value) : undefined;
}
