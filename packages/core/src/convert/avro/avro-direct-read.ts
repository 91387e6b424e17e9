import { Struct, type Schema } from '../../data/index.js';
import type { AvroNode, AvroRecord } from './avro-schema-model.js';
import { valueReader, type ValueReader } from './avro-to-connect-value.js';
import type { AvscType } from './avsc-types.js';

// Reading a record straight from the bytes into a Connect Struct. The general path lets avsc build its
// record object, then copies it into a Struct; for a small record that second object and pass cost
// about as much as avsc's decoding itself. Here the record level reads each field with the field's avsc
// type and puts the Connect value in the struct's slot directly; everything below a record that is not
// itself a record (unions, arrays, maps, primitives) is still read by avsc and converted as usual.
//
// This relies on avsc's reading protocol, `type._read(tap)` and a record type's `fields`, which
// avsc-types.ts already builds on (stable across avsc 5.x).

type TapReader = (tap: unknown) => unknown;

interface AvscRecordType {
  readonly fields: readonly { readonly name: string; readonly type: { readonly _read: TapReader } }[];
}

/**
 * A view of `type`, the avsc type of the record `node`, whose `decode` yields the Connect Struct of
 * `schema` (avsc types are frozen: the view inherits everything but the reading). Null when the schema
 * is not a record whose fields are the struct's fields in the same order: the general path applies then.
 */
export function directRecordType(type: AvscType, node: AvroNode, schema: Schema | null): AvscType | null {
  if (schema === null || node.kind !== 'record') return null;
  const read = recordRead(type as unknown as AvscRecordType, node, schema);
  if (read === null) return null;
  return Object.create(type, { _read: { value: read } }) as AvscType;
}

function recordRead(type: AvscRecordType, node: AvroRecord, schema: Schema): TapReader | null {
  if (schema.type !== 'STRUCT') return null;
  const fields = schema.fields();
  const count = fields.length;
  if (type.fields.length !== count || node.fields.length !== count) return null;
  const readers: { readonly _read: TapReader }[] = [];
  const converts: (ValueReader | null)[] = [];
  for (let i = 0; i < count; i++) {
    const avroField = node.fields[i]!;
    const field = fields[i]!;
    const avscField = type.fields[i]!;
    if (field.name !== avroField.name || avscField.name !== avroField.name) return null;
    if (avroField.type.kind === 'record') {
      const nested = recordRead(avscField.type as unknown as AvscRecordType, avroField.type, field.schema);
      if (nested === null) return null;
      readers.push({ _read: nested });
      converts.push(null);
    } else {
      readers.push(avscField.type);
      converts.push(valueReader(avroField.type, field.schema));
    }
  }
  return generateRead(schema, readers, converts);
}

/**
 * `(t) => Struct.fromValidatedValues(schema, [c0(r0._read(t)), r1._read(t), …])`, generated as avsc
 * generates its own record readers: one call site per field keeps each call monomorphic, which a loop
 * over the fields does not (measured: the loop costs about a quarter of the decode). Only parameter
 * names are put into the source; schemas, names and functions are passed as arguments, never as text.
 * Converters never see null: avsc yields null only for `null` and union types, whose readers handle it.
 * Each value is read with its field's schema, so the struct needs no validation.
 */
function generateRead(
  schema: Schema,
  readers: readonly { readonly _read: TapReader }[],
  converts: readonly (ValueReader | null)[],
): TapReader {
  const params = ['Struct', 'schema'];
  const args: unknown[] = [Struct, schema];
  const values = readers.map((reader, i) => {
    params.push(`r${i}`);
    args.push(reader);
    const convert = converts[i];
    if (convert === null || convert === undefined) return `r${i}._read(t)`;
    params.push(`c${i}`);
    args.push(convert);
    return `c${i}(r${i}._read(t))`;
  });
  const body = `return function readStruct(t) {\n  return Struct.fromValidatedValues(schema, [\n    ${values.join(',\n    ')}\n  ]);\n};`;
  // Generated code (as avsc does) from schema field names that were validated as Avro names; no user text runs.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(...params, body)(...args) as TapReader;
}
