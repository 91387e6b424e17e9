import {
  ConnectDecimal,
  ConnectSchema,
  Decimal,
  LogicalDate,
  schemasEqual,
  Struct,
  Time,
  Timestamp,
  type Schema,
} from '../../data/index.js';
import { DataException } from '../../errors.js';
import type { AvroDataConfig } from './avro-data-config.js';
import {
  AVRO_ENUM_DEFAULT_PREFIX_PROP,
  AVRO_ENUM_DOC_PREFIX_PROP,
  AVRO_FIELD_DEFAULT_FLAG_PROP,
  AVRO_FIELD_DOC_PREFIX_PROP,
  AVRO_LOGICAL_DATE,
  AVRO_LOGICAL_DECIMAL,
  AVRO_LOGICAL_TIME_MILLIS,
  AVRO_LOGICAL_TIMESTAMP_MILLIS,
  AVRO_PROP_PREFIX,
  AVRO_RECORD_DOC_PROP,
  AVRO_TYPE_ENUM,
  CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT,
  CONNECT_AVRO_DECIMAL_PRECISION_PROP,
  CONNECT_AVRO_FIXED_SIZE_PROP,
  CONNECT_DEFAULT_VALUE_PROP,
  CONNECT_DOC_PROP,
  CONNECT_INTERNAL_TYPE_NAME,
  CONNECT_NAME_PROP,
  CONNECT_PARAMETERS_PROP,
  CONNECT_TYPE_INT16,
  CONNECT_TYPE_INT8,
  CONNECT_TYPE_PROP,
  CONNECT_VERSION_PROP,
  DEFAULT_SCHEMA_NAME,
  GENERALIZED_TYPE_ENUM,
  isFixedSchema,
  isUnionSchema,
  KEY_FIELD,
  MAP_ENTRY_TYPE_NAME,
  NAMESPACE,
  splitName,
  VALUE_FIELD,
} from './avro-names.js';
import { ANYTHING_SCHEMA } from './anything-schema.js';
import { scrubFullName, scrubName } from './name-scrubbing.js';

/** Avro schema JSON as AvroData produces it: a type name, an object, or a union array. */
export type AvroSchemaJson = string | Record<string, unknown> | AvroSchemaJson[];
type AvroObject = Record<string, unknown>;

/**
 * Connect schema → Avro schema JSON, following Confluent's AvroData.fromConnectSchema rule for rule
 * (see the mapping tables in spec/kafka-connect-runtime.md §2.4).
 */
export function connectToAvroSchema(schema: Schema | null, config: AvroDataConfig): AvroSchemaJson {
  if (schema === null) return ANYTHING_SCHEMA;
  const built = new ConnectToAvroSchema(config).convert(schema, false);
  return referenceRepeatedNames(built);
}

class ConnectToAvroSchema {
  /** Non-optional schemas already converted in this schema: a repeated one is the same Avro type. */
  private readonly converted: Array<[Schema, AvroSchemaJson]> = [];
  private defaultNameIndex = 0;

  constructor(private readonly config: AvroDataConfig) {}

  convert(schema: Schema, ignoreOptional: boolean): AvroSchemaJson {
    if (!isUnionSchema(schema) && !schema.optional) {
      const seen = this.converted.find(([s]) => s === schema || schemasEqual(s, schema));
      if (seen) return seen[1];
    }
    let connectType: string | null = null;
    let base: AvroSchemaJson;
    switch (schema.type) {
      case 'INT8':
        connectType = CONNECT_TYPE_INT8;
        base = { type: 'int' };
        break;
      case 'INT16':
        connectType = CONNECT_TYPE_INT16;
        base = { type: 'int' };
        break;
      case 'INT32':
        base = { type: 'int' };
        break;
      case 'INT64':
        base = { type: 'long' };
        break;
      case 'FLOAT32':
        base = { type: 'float' };
        break;
      case 'FLOAT64':
        base = { type: 'double' };
        break;
      case 'BOOLEAN':
        base = { type: 'boolean' };
        break;
      case 'STRING':
        base = this.stringOrEnum(schema);
        break;
      case 'BYTES':
        base = this.bytesOrFixed(schema);
        break;
      case 'ARRAY':
        base = { type: 'array', items: this.convert(schema.valueSchema(), false) };
        break;
      case 'MAP':
        base = this.map(schema);
        break;
      case 'STRUCT':
        base = this.struct(schema);
        break;
    }

    let result: AvroSchemaJson = base;
    if (!Array.isArray(base)) {
      const obj = base as AvroObject;
      if (this.config.connectMetaData) this.addMetadata(schema, obj, connectType);
      this.addLogicalType(schema, obj);
      for (const [key, value] of schema.parameters ?? []) {
        if (key.startsWith(AVRO_PROP_PREFIX)) obj[key] = value;
      }
      if (!ignoreOptional) result = makeOptional(schema, base);
    }
    if (!schema.optional) this.converted.push([schema, result]);
    return result;
  }

  private stringOrEnum(schema: Schema): AvroSchemaJson {
    const { generalizedSumTypeSupport, enhancedSchemaSupport } = this.config;
    const params = schema.parameters;
    if (
      !(generalizedSumTypeSupport || enhancedSchemaSupport) ||
      params === null ||
      !(params.has(GENERALIZED_TYPE_ENUM) || params.has(AVRO_TYPE_ENUM))
    ) {
      return { type: 'string' };
    }
    const paramName = generalizedSumTypeSupport ? GENERALIZED_TYPE_ENUM : AVRO_TYPE_ENUM;
    const symbols = [...params.keys()]
      .filter((k) => k.startsWith(`${paramName}.`))
      .map((k) => k.slice(paramName.length + 1));
    const [, name] = this.nameOrDefault(schema.name);
    const enumName = params.get(paramName) ?? name;
    const doc = params.get(AVRO_ENUM_DOC_PREFIX_PROP + name);
    const defaultSymbol = params.get(AVRO_ENUM_DEFAULT_PREFIX_PROP + name);
    return {
      type: 'enum',
      name: this.scrubFull(enumName),
      ...(doc !== undefined ? { doc } : {}),
      ...(defaultSymbol !== undefined ? { default: defaultSymbol } : {}),
      symbols,
    };
  }

  private bytesOrFixed(schema: Schema): AvroObject {
    let base: AvroObject;
    if (isFixedSchema(schema)) {
      const [namespace, name] = this.nameOrDefault(schema.name);
      base = {
        type: 'fixed',
        name,
        ...(namespace !== null ? { namespace } : {}),
        size: parseIntParameter(schema, CONNECT_AVRO_FIXED_SIZE_PROP),
      };
    } else {
      base = { type: 'bytes' };
    }
    if (schema.name === Decimal.LOGICAL_NAME) {
      base.scale = Decimal.scale(schema);
      base.precision = schema.parameters?.has(CONNECT_AVRO_DECIMAL_PRECISION_PROP)
        ? parseIntParameter(schema, CONNECT_AVRO_DECIMAL_PRECISION_PROP)
        : CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT;
    }
    return base;
  }

  private map(schema: Schema): AvroSchemaJson {
    const keySchema = schema.keySchema();
    if (keySchema.type === 'STRING' && (!keySchema.optional || this.config.allowOptionalMapKeys)) {
      return { type: 'map', values: this.convert(schema.valueSchema(), false) };
    }
    // Avro maps only have string keys: any other key makes an array of key/value records.
    let entry: AvroObject;
    if (schema.name === null) {
      entry = { type: 'record', name: MAP_ENTRY_TYPE_NAME, namespace: NAMESPACE };
    } else {
      const [namespace, name] = this.nameOrDefault(schema.name);
      entry = { type: 'record', name, ...(namespace !== null ? { namespace } : {}) };
      entry[CONNECT_INTERNAL_TYPE_NAME] = MAP_ENTRY_TYPE_NAME;
    }
    entry.fields = [
      this.recordField(KEY_FIELD, keySchema, undefined),
      this.recordField(VALUE_FIELD, schema.valueSchema(), undefined),
    ];
    return { type: 'array', items: entry };
  }

  private struct(schema: Schema): AvroSchemaJson {
    if (isUnionSchema(schema)) {
      const branches: AvroSchemaJson[] = schema.optional ? ['null'] : [];
      for (const field of schema.fields()) branches.push(this.convert(nonOptional(field.schema), true));
      return branches;
    }
    if (schema.optional) return ['null', this.convert(nonOptional(schema), false)];
    const [namespace, name] = this.nameOrDefault(schema.name);
    const doc = schema.parameters?.get(AVRO_RECORD_DOC_PROP);
    const record: AvroObject = {
      type: 'record',
      name,
      ...(namespace !== null ? { namespace } : {}),
      ...(doc !== undefined ? { doc } : {}),
    };
    record.fields = schema
      .fields()
      .map((field) =>
        this.recordField(
          this.scrub(field.name),
          field.schema,
          schema.parameters?.get(AVRO_FIELD_DOC_PREFIX_PROP + field.name),
        ),
      );
    return record;
  }

  private recordField(name: string, fieldSchema: Schema, doc: string | undefined): AvroObject {
    const type = this.convert(fieldSchema, false);
    const field: AvroObject = { name, type };
    if (doc !== undefined) field.doc = doc;
    let defaultValue: unknown;
    if (fieldSchema.defaultValue !== null)
      defaultValue = this.defaultToJson(fieldSchema, fieldSchema.defaultValue);
    else if (fieldSchema.optional) defaultValue = null;
    // Avro requires a default to match the field type (for a union: its first branch); Confluent
    // drops a default that does not, rather than failing the whole schema.
    if (defaultValue !== undefined && defaultMatches(type, defaultValue)) field.default = defaultValue;
    return field;
  }

  private addMetadata(schema: Schema, obj: AvroObject, connectType: string | null): void {
    if (schema.doc !== null) obj[CONNECT_DOC_PROP] = schema.doc;
    if (schema.version !== null) obj[CONNECT_VERSION_PROP] = schema.version;
    if (schema.parameters !== null) {
      const params: Record<string, string> = {};
      for (const [k, v] of schema.parameters) if (k !== AVRO_FIELD_DEFAULT_FLAG_PROP) params[k] = v;
      if (Object.keys(params).length > 0) obj[CONNECT_PARAMETERS_PROP] = params;
    }
    if (schema.defaultValue !== null && !schema.parameters?.has(AVRO_FIELD_DEFAULT_FLAG_PROP)) {
      obj[CONNECT_DEFAULT_VALUE_PROP] = this.defaultToJson(schema, schema.defaultValue);
    }
    if (schema.name !== null) obj[CONNECT_NAME_PROP] = schema.name;
    if (connectType !== null) obj[CONNECT_TYPE_PROP] = connectType;
  }

  private addLogicalType(schema: Schema, obj: AvroObject): void {
    switch (schema.name) {
      case Decimal.LOGICAL_NAME:
        // The Avro decimal type needs 0 <= scale <= precision; outside that only the legacy
        // property is written, as Confluent does (the schema then reads back all the same).
        obj.logicalType = AVRO_LOGICAL_DECIMAL;
        break;
      case Time.LOGICAL_NAME:
        obj.logicalType = AVRO_LOGICAL_TIME_MILLIS;
        break;
      case Timestamp.LOGICAL_NAME:
        obj.logicalType = AVRO_LOGICAL_TIMESTAMP_MILLIS;
        break;
      case LogicalDate.LOGICAL_NAME:
        obj.logicalType = AVRO_LOGICAL_DATE;
        break;
    }
  }

  /** A Connect default as the JSON Avro expects for it (Confluent's defaultValueFromConnect). */
  private defaultToJson(schema: Schema, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    switch (schema.name) {
      case Decimal.LOGICAL_NAME:
        return Decimal.fromLogical(schema, value as ConnectDecimal).toString('latin1');
      case LogicalDate.LOGICAL_NAME:
        return LogicalDate.fromLogical(schema, value as Date);
      case Time.LOGICAL_NAME:
        return Time.fromLogical(schema, value as Date);
      case Timestamp.LOGICAL_NAME:
        return Number(Timestamp.fromLogical(schema, value as Date));
    }
    switch (schema.type) {
      case 'INT64':
        return Number(value);
      case 'BYTES':
        return Buffer.from(value as Uint8Array).toString('latin1');
      case 'ARRAY':
        return (value as unknown[]).map((v) => this.defaultToJson(schema.valueSchema(), v));
      case 'MAP': {
        const keySchema = schema.keySchema();
        const entries = [...(value as Map<unknown, unknown>)];
        if (keySchema.type === 'STRING' && (!keySchema.optional || this.config.allowOptionalMapKeys)) {
          return Object.fromEntries(
            entries.map(([k, v]) => [k, this.defaultToJson(schema.valueSchema(), v)]),
          );
        }
        return entries.map(([k, v]) => [
          this.defaultToJson(keySchema, k),
          this.defaultToJson(schema.valueSchema(), v),
        ]);
      }
      case 'STRUCT': {
        const struct = value as Struct;
        const out: AvroObject = {};
        for (const field of schema.fields()) {
          const json = this.defaultToJson(field.schema, struct.get(field.name));
          if (isUnionSchema(schema)) return json;
          out[this.scrub(field.name)] = json;
        }
        return out;
      }
      default:
        return value;
    }
  }

  private nameOrDefault(name: string | null): [string | null, string] {
    if (name !== null) {
      const [namespace, simple] = splitName(name);
      return [namespace === null ? null : this.scrubNamespace(namespace), this.scrub(simple)];
    }
    const index = ++this.defaultNameIndex;
    return [NAMESPACE, DEFAULT_SCHEMA_NAME + (index > 1 ? index : '')];
  }

  private scrub(name: string): string {
    return this.config.scrubInvalidNames ? scrubName(name) : name;
  }

  private scrubFull(name: string): string {
    return this.config.scrubInvalidNames ? scrubFullName(name) : name;
  }

  private scrubNamespace(namespace: string): string {
    return this.config.scrubInvalidNames
      ? namespace
          .split('.')
          .map((p) => scrubName(p))
          .join('.')
      : namespace;
  }
}

/** optional X: `["null", X]`, or `[X, "null"]` when it has a default (an Avro default matches the first branch). */
function makeOptional(schema: Schema, base: AvroSchemaJson): AvroSchemaJson {
  if (!schema.optional) return base;
  return schema.defaultValue !== null ? [base, 'null'] : ['null', base];
}

/** The same schema, required (Confluent's AvroData.nonOptional). */
function nonOptional(schema: Schema): Schema {
  if (!schema.optional) return schema;
  return new ConnectSchema({
    type: schema.type,
    optional: false,
    defaultValue: schema.defaultValue,
    name: schema.name,
    version: schema.version,
    doc: schema.doc,
    parameters: schema.parameters,
    fields: schema.type === 'STRUCT' ? schema.fields() : null,
    keySchema: schema.type === 'MAP' ? schema.keySchema() : null,
    valueSchema: schema.type === 'MAP' || schema.type === 'ARRAY' ? schema.valueSchema() : null,
  });
}

function parseIntParameter(schema: Schema, key: string): number {
  const text = schema.parameters?.get(key);
  if (text === undefined || !/^[+-]?\d+$/.test(text.trim())) {
    throw new DataException(
      `Schema ${schema.name ?? schema.type} has an invalid ${key} parameter: ${String(text)}`,
    );
  }
  return Number(text);
}

/** Whether `value` is an acceptable JSON default for the Avro schema (unions: the first branch). */
function defaultMatches(type: AvroSchemaJson, value: unknown): boolean {
  if (Array.isArray(type)) return type.length > 0 && defaultMatches(type[0]!, value);
  const name = typeof type === 'string' ? type : (type.type as string);
  switch (name) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'int':
    case 'long':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
    case 'double':
      return typeof value === 'number';
    case 'string':
    case 'bytes':
      return typeof value === 'string';
    case 'enum':
      return typeof value === 'string' && ((type as AvroObject).symbols as string[]).includes(value);
    case 'fixed':
      return typeof value === 'string' && value.length === (type as AvroObject).size;
    case 'array':
      return (
        Array.isArray(value) &&
        value.every((v) => defaultMatches((type as AvroObject).items as AvroSchemaJson, v))
      );
    case 'map':
      return (
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.values(value).every((v) => defaultMatches((type as AvroObject).values as AvroSchemaJson, v))
      );
    case 'record':
      return (
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        ((type as AvroObject).fields as AvroObject[]).every(
          (f) =>
            f.default !== undefined ||
            defaultMatches(f.type as AvroSchemaJson, (value as AvroObject)[f.name as string]),
        )
      );
    default:
      // A reference to a named type defined elsewhere: accepted, as its shape is not at hand.
      return true;
  }
}

/**
 * A named Avro type may be defined once per schema; later uses refer to it by full name. The
 * converter reuses one JSON object for a repeated Connect schema, so this copies the tree and turns
 * every definition after the first into a reference.
 */
function referenceRepeatedNames(schema: AvroSchemaJson): AvroSchemaJson {
  const defined = new Set<string>();
  const visit = (node: AvroSchemaJson, namespace: string | undefined): AvroSchemaJson => {
    if (typeof node === 'string') return node;
    if (Array.isArray(node)) return node.map((b) => visit(b, namespace));
    const type = node.type as string;
    if (type === 'record' || type === 'enum' || type === 'fixed') {
      const name = node.name as string;
      const dot = name.lastIndexOf('.');
      const ns =
        dot >= 0 ? name.slice(0, dot) : typeof node.namespace === 'string' ? node.namespace : namespace;
      const simple = dot >= 0 ? name.slice(dot + 1) : name;
      const fullName = ns ? `${ns}.${simple}` : simple;
      // Avro resolves a dotless name in the enclosing namespace, so that is how Java prints it.
      if (defined.has(fullName)) return ns !== undefined && ns === namespace ? simple : fullName;
      defined.add(fullName);
      if (type !== 'record') return { ...node };
      return {
        ...node,
        fields: (node.fields as AvroObject[]).map((f) => ({
          ...f,
          type: visit(f.type as AvroSchemaJson, ns),
        })),
      };
    }
    if (type === 'array') return { ...node, items: visit(node.items as AvroSchemaJson, namespace) };
    if (type === 'map') return { ...node, values: visit(node.values as AvroSchemaJson, namespace) };
    return { ...node };
  };
  return visit(schema, undefined);
}
