import { Decimal, LogicalDate, Struct, Time, Timestamp, type Schema } from '../../data/index.js';
import { DataException } from '../../errors.js';
import { isUnionSchema, KEY_FIELD, VALUE_FIELD } from './avro-names.js';
import { branchName, type AvroNode } from './avro-schema-model.js';
import { isUnwrappedUnion, nonNullBranches } from './union-fields.js';

/** Turns one avsc datum into its Connect value. */
export type ValueReader = (datum: unknown) => unknown;

const identity: ValueReader = (datum) => datum;

/**
 * Compiles the datum → Connect value conversion for an Avro schema and the Connect schema derived
 * from it, once per schema: decoding a record then runs straight-line closures with no schema
 * lookups. Values avsc already produces in Connect's form (strings, numbers, bigints, Buffers,
 * booleans) pass through untouched.
 */
export function compileReader(node: AvroNode, schema: Schema | null): ValueReader {
  return schema === null ? readAnything : reader(node, schema);
}

/** The reader of a value of `node` read as `schema`; null when avsc's datum already is the Connect value. */
export function valueReader(node: AvroNode, schema: Schema): ValueReader | null {
  const read = reader(node, schema);
  return read === identity ? null : read;
}

function reader(node: AvroNode, schema: Schema): ValueReader {
  if (node.kind === 'union') return unionReader(node, schema);
  switch (node.kind) {
    case 'record':
      return recordReader(node, schema);
    case 'array':
      return arrayReader(node, schema);
    case 'map': {
      const values = reader(node.values, schema.valueSchema());
      return (datum) => {
        const out = new Map<string, unknown>();
        for (const key of Object.keys(datum as object))
          out.set(key, values((datum as Record<string, unknown>)[key]));
        return out;
      };
    }
    default:
      return primitiveReader(schema);
  }
}

function primitiveReader(schema: Schema): ValueReader {
  switch (schema.name) {
    case Decimal.LOGICAL_NAME:
      return (datum) => Decimal.toLogical(schema, datum as Buffer);
    case LogicalDate.LOGICAL_NAME:
      return (datum) => LogicalDate.toLogical(schema, datum as number);
    case Time.LOGICAL_NAME:
      return (datum) => Time.toLogical(schema, datum as number);
    case Timestamp.LOGICAL_NAME:
      // The schema is known to be a Timestamp here: skip toLogical's per-value name check.
      return (datum) => new Date(Number(datum as bigint));
  }
  switch (schema.type) {
    // Java narrows with Integer.byteValue()/shortValue(): the low bits, sign-extended.
    case 'INT8':
      return (datum) => ((datum as number) << 24) >> 24;
    case 'INT16':
      return (datum) => ((datum as number) << 16) >> 16;
    default:
      return identity;
  }
}

function unionReader(node: Extract<AvroNode, { kind: 'union' }>, schema: Schema): ValueReader {
  const branches = nonNullBranches(node.branches);
  const unwrapped = isUnwrappedUnion(node.branches.length, node.branches.length - branches.length);
  if (!isUnionSchema(schema) || schema.type !== 'STRUCT') {
    // An optional value ([null, T]) or a flattened single-branch union: the datum is null or a T.
    const inner = reader(branches[0]!.node, schema);
    return (datum) => (datum === null ? null : inner(datum));
  }
  const fields = schema.fields();
  if (unwrapped) {
    const field = fields[0]!;
    const inner = reader(branches[0]!.node, field.schema);
    return (datum) => (datum === null ? null : unionStruct(schema, field.index, inner(datum)));
  }
  // Wrapped: the datum is `{branchName: value}`; union field i is the i-th non-null branch.
  const byBranch = new Map<string, { field: (typeof fields)[number]; read: ValueReader }>();
  branches.forEach(({ node: branch }, i) => {
    const field = fields[i]!;
    byBranch.set(branchName(branch), { field, read: reader(branch, field.schema) });
  });
  return (datum) => {
    if (datum === null) return null;
    for (const key in datum as object) {
      const member = byBranch.get(key);
      if (!member) break;
      return unionStruct(schema, member.field.index, member.read((datum as Record<string, unknown>)[key]));
    }
    throw new DataException('Did not find matching union field for data');
  };
}

/** The struct of a union schema with the branch at `index` set: the value was read with its schema. */
function unionStruct(schema: Schema, index: number, value: unknown): Struct {
  const values = new Array<unknown>(schema.fields().length).fill(null);
  values[index] = value;
  return Struct.fromValidatedValues(schema, values);
}

function recordReader(node: Extract<AvroNode, { kind: 'record' }>, schema: Schema): ValueReader {
  // Slot i of the struct comes from the Avro field of Connect field i (none: the slot stays null).
  const slots: ({ name: string; read: ValueReader | null } | null)[] = schema.fields().map(() => null);
  for (const avroField of node.fields) {
    const field = schema.field(avroField.name);
    if (!field)
      throw new DataException(
        `Connect schema has no field ${avroField.name} for Avro record ${node.fullName}`,
      );
    slots[field.index] = { name: avroField.name, read: valueReader(avroField.type, field.schema) };
  }
  const count = slots.length;
  return (datum) => {
    const record = datum as Record<string, unknown>;
    // Every value is read with its field's schema, so the struct needs no validation.
    const values: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const slot = slots[i] ?? null;
      const value = slot === null ? null : record[slot.name];
      if (value === null || value === undefined) values.push(null);
      else values.push(slot!.read === null ? value : slot!.read(value));
    }
    return Struct.fromValidatedValues(schema, values);
  };
}

function arrayReader(node: Extract<AvroNode, { kind: 'array' }>, schema: Schema): ValueReader {
  if (schema.type === 'MAP') {
    const entry = node.items as Extract<AvroNode, { kind: 'record' }>;
    const keyNode = entry.fields.find((f) => f.name === KEY_FIELD)!.type;
    const valueNode = entry.fields.find((f) => f.name === VALUE_FIELD)!.type;
    const readKey = reader(keyNode, schema.keySchema());
    const readValue = reader(valueNode, schema.valueSchema());
    return (datum) => {
      const out = new Map<unknown, unknown>();
      for (const e of datum as Record<string, unknown>[])
        out.set(readKey(e[KEY_FIELD]), readValue(e[VALUE_FIELD]));
      return out;
    };
  }
  const items = reader(node.items, schema.valueSchema());
  if (items === identity) return identity;
  return (datum) => (datum as unknown[]).map((d) => (d === null ? null : items(d)));
}

/** Schemaless data: the one field of the Anything record that is set (INT8/16/32 all read as int). */
function readAnything(datum: unknown): unknown {
  if (datum === null || datum === undefined) return null;
  const a = datum as Record<string, unknown>;
  if (a.boolean != null) return a.boolean;
  if (a.bytes != null) return a.bytes;
  if (a.double != null) return a.double;
  if (a.float != null) return a.float;
  if (a.int != null) return a.int;
  if (a.long != null) return a.long;
  if (a.string != null) return a.string;
  if (a.array != null) return (a.array as unknown[]).map(readAnything);
  if (a.map != null) {
    const out = new Map<unknown, unknown>();
    for (const e of a.map as Record<string, unknown>[])
      out.set(readAnything(e[KEY_FIELD]), readAnything(e[VALUE_FIELD]));
    return out;
  }
  return null;
}
