import {
  ConnectDecimal,
  Decimal,
  LogicalDate,
  schemasEqual,
  Struct,
  Time,
  Timestamp,
  type Field,
  type Schema,
} from '../../data/index.js';
import { DataException } from '../../errors.js';
import type { AvroDataConfig } from './avro-data-config.js';
import { isUnionSchema, KEY_FIELD, VALUE_FIELD } from './avro-names.js';
import { branchName, type AvroNode, type AvroRecord } from './avro-schema-model.js';
import { scrubName } from './name-scrubbing.js';
import { isUnwrappedUnion, nonNullBranches } from './union-fields.js';

/** Turns a Connect value (already validated against its schema) into the avsc datum. */
export type ValueWriter = (value: unknown) => unknown;

/**
 * Compiles the Connect value → avsc datum conversion for a Connect schema and the Avro schema
 * AvroData derived from it. `node` is that Avro schema parsed, so names are resolved.
 */
export function compileWriter(schema: Schema | null, node: AvroNode, config: AvroDataConfig): ValueWriter {
  if (schema === null)
    return (value) => (value === null || value === undefined ? null : writeAnything(value, 'value'));
  return new WriterCompiler(config).writer(schema, node, 'value');
}

class WriterCompiler {
  constructor(private readonly config: AvroDataConfig) {}

  writer(schema: Schema, node: AvroNode, path: string): ValueWriter {
    const inner = this.nonNullWriter(schema, node, path);
    return (value) => {
      if (value === null || value === undefined) {
        if (!schema.optional) throw new DataException(`Found null value for non-optional schema at ${path}`);
        return null;
      }
      return inner(value);
    };
  }

  private nonNullWriter(schema: Schema, node: AvroNode, path: string): ValueWriter {
    if (node.kind === 'union') {
      if (schema.type === 'STRUCT' && isUnionSchema(schema)) return this.unionWriter(schema, node, path);
      // optional T: avsc takes the bare T (see avsc-types.ts).
      return this.nonNullWriter(schema, nonNullBranches(node.branches)[0]!.node, path);
    }
    switch (schema.type) {
      case 'STRUCT':
        return this.structWriter(schema, node as AvroRecord, path);
      case 'ARRAY': {
        if (node.kind !== 'array') throw mismatch(path, schema, node);
        const items = this.writer(schema.valueSchema(), node.items, `element of array ${path}`);
        return (value) => (value as unknown[]).map(items);
      }
      case 'MAP':
        return this.mapWriter(schema, node, path);
      case 'STRING':
        if (node.kind === 'enum') {
          const symbols = new Set(node.symbols);
          return (value) => {
            if (!symbols.has(value as string)) {
              throw new DataException(
                `Invalid enum symbol "${String(value)}" for ${path}: ${node.fullName} has ${node.symbols.join(', ')}`,
              );
            }
            return value;
          };
        }
        return passThrough;
      case 'BYTES':
        return this.bytesWriter(schema, node, path);
      default:
        return primitiveWriter(schema);
    }
  }

  private structWriter(schema: Schema, node: AvroRecord, path: string): ValueWriter {
    if (node.kind !== 'record') throw mismatch(path, schema, node);
    const avroFields = new Map(node.fields.map((f) => [f.name, f]));
    const fields = schema.fields().map((field) => {
      const avroName = this.config.scrubInvalidNames ? scrubName(field.name) : field.name;
      const avroField = avroFields.get(avroName);
      if (!avroField)
        throw new DataException(`Avro record ${node.fullName} has no field ${avroName} for ${path}`);
      return {
        field,
        avroName,
        write: this.writer(field.schema, avroField.type, `field ${field.name} of ${path}`),
      };
    });
    const get = this.getter();
    return (value) => {
      const struct = value as Struct;
      if (struct.schema !== schema && !schemasEqual(struct.schema, schema)) {
        throw new DataException(`Mismatching struct schema at ${path}`);
      }
      const record: Record<string, unknown> = {};
      for (const f of fields) record[f.avroName] = f.write(get(struct, f.field));
      return record;
    };
  }

  private unionWriter(schema: Schema, node: Extract<AvroNode, { kind: 'union' }>, path: string): ValueWriter {
    const branches = nonNullBranches(node.branches);
    const wrapped = !isUnwrappedUnion(node.branches.length, node.branches.length - branches.length);
    const members = schema.fields().map((field, i) => {
      const branch = branches[i];
      if (!branch) throw new DataException(`Union ${path} has more fields than its Avro union has branches`);
      const write = this.writer(field.schema, branch.node, `${field.name} of union ${path}`);
      const name = branchName(branch.node);
      return { field, write: wrapped ? (v: unknown) => ({ [name]: write(v) }) : write };
    });
    const get = this.getter();
    return (value) => {
      const struct = value as Struct;
      for (const m of members) {
        const member = get(struct, m.field);
        if (member !== null && member !== undefined) return m.write(member);
      }
      if (!schema.optional) throw new DataException(`Found null value for non-optional schema at ${path}`);
      return null;
    };
  }

  private mapWriter(schema: Schema, node: AvroNode, path: string): ValueWriter {
    if (node.kind === 'map') {
      const values = this.writer(schema.valueSchema(), node.values, `value of map ${path}`);
      return (value) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of value as Map<string, unknown>) out[k] = values(v);
        return out;
      };
    }
    if (node.kind !== 'array' || node.items.kind !== 'record') throw mismatch(path, schema, node);
    const entry = node.items;
    const keyNode = entry.fields.find((f) => f.name === KEY_FIELD)!.type;
    const valueNode = entry.fields.find((f) => f.name === VALUE_FIELD)!.type;
    const keys = this.writer(schema.keySchema(), keyNode, `key of map ${path}`);
    const values = this.writer(schema.valueSchema(), valueNode, `value of map ${path}`);
    return (value) => {
      const out: Record<string, unknown>[] = [];
      for (const [k, v] of value as Map<unknown, unknown>)
        out.push({ [KEY_FIELD]: keys(k), [VALUE_FIELD]: values(v) });
      return out;
    };
  }

  private bytesWriter(schema: Schema, node: AvroNode, path: string): ValueWriter {
    const size = node.kind === 'fixed' ? node.size : null;
    if (schema.name === Decimal.LOGICAL_NAME) {
      return (value) => {
        const bytes = Decimal.fromLogical(schema, value as ConnectDecimal);
        return size === null ? bytes : signExtend(bytes, size, path);
      };
    }
    return (value) => {
      const bytes = toBuffer(value as Uint8Array);
      if (size !== null && bytes.length !== size) {
        throw new DataException(`Fixed ${path} needs exactly ${size} bytes, got ${bytes.length}`);
      }
      return bytes;
    };
  }

  private getter(): (struct: Struct, field: Field) => unknown {
    return this.config.ignoreDefaultForNullables
      ? (struct, field) => struct.getWithoutDefault(field)
      : (struct, field) => struct.get(field);
  }
}

const passThrough: ValueWriter = (value) => value;

function primitiveWriter(schema: Schema): ValueWriter {
  switch (schema.name) {
    case LogicalDate.LOGICAL_NAME:
      return (value) => LogicalDate.fromLogical(schema, value as Date);
    case Time.LOGICAL_NAME:
      return (value) => Time.fromLogical(schema, value as Date);
    case Timestamp.LOGICAL_NAME:
      return (value) => Timestamp.fromLogical(schema, value as Date);
  }
  return passThrough;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Two's-complement bytes widened to a fixed size (Confluent pads decimals in fixed this way). */
function signExtend(bytes: Buffer, size: number, path: string): Buffer {
  if (bytes.length > size) {
    throw new DataException(`Decimal ${path} needs ${bytes.length} bytes but its Avro fixed holds ${size}`);
  }
  if (bytes.length === size) return bytes;
  const out = Buffer.alloc(size, bytes.length > 0 && bytes[0]! & 0x80 ? 0xff : 0x00);
  bytes.copy(out, size - bytes.length);
  return out;
}

function mismatch(path: string, schema: Schema, node: AvroNode): DataException {
  return new DataException(
    `Connect schema of ${path} (${schema.type}) does not match its Avro schema (${node.kind})`,
  );
}

/** Schemaless values by their JS type: integers that fit int32 use `int`, other numbers `long`/`double`. */
function writeAnything(value: unknown, path: string): Record<string, unknown> {
  const a: Record<string, unknown> = {
    boolean: null,
    bytes: null,
    double: null,
    float: null,
    int: null,
    long: null,
    string: null,
    array: null,
    map: null,
  };
  if (value === null || value === undefined) return a;
  switch (typeof value) {
    case 'boolean':
      a.boolean = value;
      return a;
    case 'string':
      a.string = value;
      return a;
    case 'bigint':
      a.long = value;
      return a;
    case 'number':
      if (Number.isInteger(value) && value >= -2147483648 && value <= 2147483647) a.int = value;
      else if (Number.isSafeInteger(value)) a.long = value;
      else a.double = value;
      return a;
  }
  if (value instanceof Uint8Array) a.bytes = toBuffer(value);
  else if (Array.isArray(value)) a.array = value.map((v) => writeAnything(v, `element of array ${path}`));
  else if (value instanceof Map) {
    a.map = [...value].map(([k, v]) => ({
      [KEY_FIELD]: writeAnything(k, `key of map ${path}`),
      [VALUE_FIELD]: writeAnything(v, `value of map ${path}`),
    }));
  } else {
    throw new DataException(
      `Unknown type for schemaless data at ${path}: ${(value as object).constructor?.name ?? typeof value} ` +
        '(schemaless Avro carries booleans, numbers, bigints, strings, bytes, arrays and maps)',
    );
  }
  return a;
}
