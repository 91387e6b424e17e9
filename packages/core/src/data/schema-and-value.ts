import type { Schema } from './schema.js';

/**
 * A value together with its schema (either may be null: schemaless data, tombstones). Not frozen at run
 * time: converters create one per record and freezing costs more than the rest of a small decode.
 */
export class SchemaAndValue {
  static readonly NULL: SchemaAndValue = Object.freeze(new SchemaAndValue(null, null));

  constructor(
    readonly schema: Schema | null,
    readonly value: unknown,
  ) {}
}
