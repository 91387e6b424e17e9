import { SchemaBuilder, Struct, isStruct, type KcqlStatement, type Schema } from '@sluice/core/sink';

// A KCQL projection of a Struct that keeps its schema: `SELECT *`, `SELECT a, b AS c`, `IGNORE d` over
// top-level fields give a Struct of the selected fields (renamed), with their own schemas. AVRO needs
// it (the Avro record is written with the projected schema, as Stream Reactor did), and MAP uses it so
// that a FLOAT64 3.0 stays a Double (a projection to plain values would lose the schema).
// Routes check at start that an AVRO statement selects top-level fields only; this returns null for
// anything else, and the caller falls back to the plain projection.

export function projectStruct(value: unknown, statement: KcqlStatement): Struct | null {
  if (!isStruct(value)) return null;
  if (statement.keyFields.length > 0 || statement.headerFields.length > 0 || statement.retainStructure)
    return null;
  if (statement.fields.some((f) => f.type !== 'VALUE' || (f.parents?.length ?? 0) > 0)) return null;
  if (statement.ignoredFields.some((f) => (f.parents?.length ?? 0) > 0)) return null;

  const struct = value as unknown as Struct;
  const schema = struct.schema as Schema;
  const ignored = new Set(statement.ignoredFields.map((f) => f.name));
  const selected: [from: string, to: string][] = [];
  const wildcard = statement.fields.some((f) => f.name === '*');
  const renames = new Map(statement.fields.filter((f) => f.name !== '*').map((f) => [f.name, f.alias]));
  if (wildcard) {
    for (const f of schema.fields())
      if (!ignored.has(f.name)) selected.push([f.name, renames.get(f.name) ?? f.name]);
  }
  for (const f of statement.fields) {
    if (f.name === '*' || (wildcard && schema.field(f.name))) continue;
    if (ignored.has(f.name)) continue;
    if (!schema.field(f.name)) return null;
    selected.push([f.name, f.alias]);
  }
  if (wildcard && renames.size === 0 && ignored.size === 0) return struct;

  const builder = SchemaBuilder.struct();
  if (schema.name) builder.name(schema.name);
  for (const [from, to] of selected) builder.field(to, schema.field(from)!.schema);
  const projected = new Struct(builder.build());
  for (const [from, to] of selected) projected.put(to, struct.get(from));
  return projected;
}
