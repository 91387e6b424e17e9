import type { Kcql } from '@sluice/kcql';

// A parsed KCQL statement (`@sluice/kcql`, spec/kcql.md §1.1) as sinks route and project with: the
// parser's object model, so that whatever `parseKcql` returns is assignable to it.

export type KcqlFieldType = 'VALUE' | 'KEY' | 'TOPIC' | 'PARTITION' | 'OFFSET' | 'TIMESTAMP';

export interface KcqlField {
  /** Last path segment, or `*`. */
  readonly name: string;
  /** The `AS` name, or `name`. */
  readonly alias: string;
  readonly type: KcqlFieldType;
  /** Path segments before `name`; null (not []) when there are none. */
  readonly parents: readonly string[] | null;
}

/**
 * A parsed statement as sinks read it: every clause of `@sluice/kcql`'s object model (AUTOCREATE,
 * PROPERTIES, TTL, WITHTAG, WITHTARGET…), read-only, with the field lists typed as mapping uses them.
 */
export interface KcqlStatement extends Readonly<
  Omit<Kcql, 'fields' | 'keyFields' | 'headerFields' | 'ignoredFields' | 'primaryKeys' | 'properties'>
> {
  readonly fields: readonly KcqlField[];
  readonly keyFields: readonly KcqlField[];
  readonly headerFields: readonly KcqlField[];
  readonly ignoredFields: readonly KcqlField[];
  readonly primaryKeys: readonly KcqlField[];
  readonly properties: Readonly<Record<string, string>>;
}

/** The dotted path of a field as written in the statement (`a.b.c`), like Java's Field.toString. */
export function fieldPath(field: KcqlField): string {
  return field.parents && field.parents.length > 0 ? `${field.parents.join('.')}.${field.name}` : field.name;
}

/** Path segments of a field, `name` last. */
export function fieldSegments(field: KcqlField): string[] {
  return [...(field.parents ?? []), field.name];
}
