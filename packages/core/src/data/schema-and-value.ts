import type { Schema } from './schema.js';

/** A value together with its schema (either may be null: schemaless data, tombstones). */
export class SchemaAndValue {
  static readonly NULL = new SchemaAndValue(null, null);

  constructor(
    readonly schema: Schema | null,
    readonly value: unknown,
  ) {
    Object.freeze(this);
  }
}
