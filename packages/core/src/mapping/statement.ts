// The part of a parsed KCQL statement (`@sluice/kcql`, spec/kcql.md §1.1) that sinks route and project
// with. Declared structurally so that mapping depends on the object model, not on the parser's
// internals: whatever `parseKcql` returns is assignable to it.

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

export interface KcqlStatement {
  readonly source: string | null;
  readonly target: string | null;
  readonly writeMode: 'INSERT' | 'UPSERT' | 'UPDATE' | null;
  readonly fields: readonly KcqlField[];
  readonly keyFields: readonly KcqlField[];
  readonly headerFields: readonly KcqlField[];
  readonly ignoredFields: readonly KcqlField[];
  readonly primaryKeys: readonly KcqlField[];
  readonly batchSize: number;
  readonly retainStructure: boolean;
}

/** The dotted path of a field as written in the statement (`a.b.c`), like Java's Field.toString. */
export function fieldPath(field: KcqlField): string {
  return field.parents && field.parents.length > 0 ? `${field.parents.join('.')}.${field.name}` : field.name;
}

/** Path segments of a field, `name` last. */
export function fieldSegments(field: KcqlField): string[] {
  return [...(field.parents ?? []), field.name];
}
