// PLACEHOLDER written by the integrator so that contracts compile; the data-model work replaces
// this file with the real Schema/SchemaBuilder/Struct/logical types, keeping these exported names.
export type SchemaType =
  | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FLOAT32' | 'FLOAT64' | 'BOOLEAN' | 'STRING' | 'BYTES'
  | 'ARRAY' | 'MAP' | 'STRUCT';

export interface Field {
  readonly name: string;
  readonly index: number;
  readonly schema: Schema;
}

export interface Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  readonly defaultValue: unknown;
  readonly name: string | null;
  readonly version: number | null;
  readonly doc: string | null;
  readonly parameters: Map<string, string> | null;
  keySchema(): Schema;
  valueSchema(): Schema;
  fields(): readonly Field[];
  field(name: string): Field | null;
}

export declare class Struct {
  readonly schema: Schema;
  get(field: string): unknown;
  put(field: string, value: unknown): this;
}

export interface SchemaAndValue {
  readonly schema: Schema | null;
  readonly value: unknown;
}
