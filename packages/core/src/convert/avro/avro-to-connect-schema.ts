import {
  Decimal,
  LogicalDate,
  SchemaBuilder,
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
  AVRO_TYPE_UNION,
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
  DEFAULT_SCHEMA_FULL_NAME,
  GENERALIZED_TYPE_ENUM,
  GENERALIZED_TYPE_UNION,
  GENERALIZED_TYPE_UNION_PREFIX,
  KEY_FIELD,
  MAP_ENTRY_TYPE_NAME,
  NAMESPACE,
  VALUE_FIELD,
} from './avro-names.js';
import type { AvroNode, AvroProps, AvroRecord } from './avro-schema-model.js';
import { nonNullBranches, unionMemberFieldName } from './union-fields.js';

/** Counter of generalized union names (`connect_union_<n>`), shared by one AvroData. */
export interface UnionNaming {
  next: number;
}

/**
 * Avro schema → Connect schema, following Confluent's AvroData.toConnectSchema. `version` is the
 * registry version of the writer schema: the Connect version when `connect.version` is absent.
 */
export function avroToConnectSchema(
  node: AvroNode,
  version: number | null,
  config: AvroDataConfig,
  unionNaming: UnionNaming,
): Schema {
  return new AvroToConnectSchema(config, unionNaming).convert(node, false, undefined, version);
}

/** Marks "no field default", as distinct from a JSON `null` default. */
const NO_DEFAULT = Symbol('no default');

class AvroToConnectSchema {
  private readonly inProgress = new Set<AvroRecord>();

  constructor(
    private readonly config: AvroDataConfig,
    private readonly unionNaming: UnionNaming,
  ) {}

  convert(node: AvroNode, forceOptional: boolean, fieldDefault: unknown, version: number | null): Schema {
    if (node.kind === 'union') return this.union(node, forceOptional, fieldDefault, version);
    const props = node.props;
    const builder = this.baseBuilder(node);

    if (this.config.connectMetaData && typeof props[CONNECT_DOC_PROP] === 'string') {
      builder.doc(props[CONNECT_DOC_PROP] as string);
    }
    const connectVersion = props[CONNECT_VERSION_PROP];
    if (connectVersion !== undefined) {
      if (typeof connectVersion !== 'number') {
        throw new DataException(`Invalid Connect version found: ${JSON.stringify(connectVersion)}`);
      }
      builder.version(connectVersion);
    } else if (version !== null && version >= 0) {
      builder.version(version);
    }
    const parameters = props[CONNECT_PARAMETERS_PROP];
    if (this.config.connectMetaData && parameters !== undefined) {
      if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
        throw new DataException(
          `Expected JSON object for schema parameters but found: ${JSON.stringify(parameters)}`,
        );
      }
      for (const [key, value] of Object.entries(parameters)) {
        if (typeof value !== 'string') {
          throw new DataException(
            `Expected schema parameter values to be strings but found: ${JSON.stringify(value)}`,
          );
        }
        builder.parameter(key, value);
      }
    }
    for (const [key, value] of Object.entries(props)) {
      if (key.startsWith(AVRO_PROP_PREFIX))
        builder.parameter(key, typeof value === 'string' ? value : JSON.stringify(value));
    }

    const connectDefault = props[CONNECT_DEFAULT_VALUE_PROP];
    let defaultJson: unknown = NO_DEFAULT;
    if (fieldDefault === NO_DEFAULT || fieldDefault === undefined) {
      if (connectDefault !== undefined) defaultJson = connectDefault;
    } else {
      defaultJson = fieldDefault;
      if (this.config.connectMetaData && connectDefault === undefined)
        builder.parameter(AVRO_FIELD_DEFAULT_FLAG_PROP, 'true');
    }

    const name = this.connectName(node);
    // A decimal carried in a `fixed` keeps the Decimal logical name: the fixed's own name is not set
    // over it (Confluent's AvroData up to 6.x; 7.x fails such schemas with "Mismatched names").
    const decimalInFixed = node.kind === 'fixed' && builder.build().name === Decimal.LOGICAL_NAME;
    if (name !== null && !name.startsWith(DEFAULT_SCHEMA_FULL_NAME) && !decimalInFixed) builder.name(name);
    if (forceOptional) builder.optional();

    if (defaultJson !== NO_DEFAULT && defaultJson !== null) {
      // An invalid default is ignored, as Confluent does (it only logs it).
      try {
        const schemaSoFar = builder.build();
        builder.defaultValue(defaultFromJson(schemaSoFar, node, defaultJson));
      } catch (e) {
        if (!(e instanceof DataException)) throw e;
      }
    }
    return builder.build();
  }

  private baseBuilder(node: Exclude<AvroNode, { kind: 'union' }>): SchemaBuilder {
    const props = node.props;
    const logicalType = typeof props.logicalType === 'string' ? props.logicalType.toLowerCase() : null;
    switch (node.kind) {
      case 'primitive':
        switch (node.type) {
          case 'boolean':
            return SchemaBuilder.bool();
          case 'bytes':
            return this.bytes(props, logicalType);
          case 'double':
            return SchemaBuilder.float64();
          case 'float':
            return SchemaBuilder.float32();
          case 'int': {
            const connectType = props[CONNECT_TYPE_PROP];
            if (logicalType === AVRO_LOGICAL_DATE) return LogicalDate.builder();
            if (logicalType === AVRO_LOGICAL_TIME_MILLIS) return Time.builder();
            if (logicalType !== null || connectType === undefined) return SchemaBuilder.int32();
            if (connectType === CONNECT_TYPE_INT8) return SchemaBuilder.int8();
            if (connectType === CONNECT_TYPE_INT16) return SchemaBuilder.int16();
            throw new DataException(
              `Unknown connect.type annotation ${JSON.stringify(connectType)} on an Avro int`,
            );
          }
          case 'long':
            return logicalType === AVRO_LOGICAL_TIMESTAMP_MILLIS
              ? Timestamp.builder()
              : SchemaBuilder.int64();
          case 'string':
            return SchemaBuilder.string();
          case 'null':
            throw new DataException('Standalone null schemas are not supported by this converter');
        }
        break;
      case 'fixed':
        return this.bytes(props, logicalType).parameter(CONNECT_AVRO_FIXED_SIZE_PROP, String(node.size));
      case 'enum': {
        const builder = SchemaBuilder.string();
        if (this.config.connectMetaData) {
          if (node.doc !== undefined) builder.parameter(AVRO_ENUM_DOC_PREFIX_PROP + node.name, node.doc);
          if (node.default !== undefined)
            builder.parameter(AVRO_ENUM_DEFAULT_PREFIX_PROP + node.name, node.default);
        }
        const generalized = this.config.generalizedSumTypeSupport;
        const paramName = generalized ? GENERALIZED_TYPE_ENUM : AVRO_TYPE_ENUM;
        builder.parameter(paramName, node.fullName);
        node.symbols.forEach((symbol, index) =>
          builder.parameter(`${paramName}.${symbol}`, generalized ? String(index) : symbol),
        );
        return builder;
      }
      case 'array': {
        const items = node.items;
        if (isMapEntry(items)) {
          const key = items.fields.find((f) => f.name === KEY_FIELD);
          const value = items.fields.find((f) => f.name === VALUE_FIELD);
          if (items.fields.length !== 2 || !key || !value) {
            throw new DataException(
              'Found map encoded as array of key-value pairs, but array elements do not match the expected format.',
            );
          }
          return SchemaBuilder.map(
            this.convert(key.type, false, NO_DEFAULT, null),
            this.convert(value.type, false, NO_DEFAULT, null),
          );
        }
        return SchemaBuilder.array(this.convert(items, false, NO_DEFAULT, null));
      }
      case 'map':
        return SchemaBuilder.map(
          SchemaBuilder.string().build(),
          this.convert(node.values, false, NO_DEFAULT, null),
        );
      case 'record':
        return this.record(node);
    }
  }

  private bytes(props: AvroProps, logicalType: string | null): SchemaBuilder {
    if (logicalType !== AVRO_LOGICAL_DECIMAL) return SchemaBuilder.bytes();
    const scale = typeof props.scale === 'number' ? props.scale : 0;
    const builder = Decimal.builder(scale);
    const precision = props.precision;
    if (precision !== undefined) {
      if (typeof precision !== 'number') {
        throw new DataException(
          'precision property must be a JSON Integer. https://avro.apache.org/docs/1.9.1/spec.html#Decimal',
        );
      }
      if (precision !== CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT) {
        builder.parameter(CONNECT_AVRO_DECIMAL_PRECISION_PROP, String(precision));
      }
    }
    return builder;
  }

  private record(node: AvroRecord): SchemaBuilder {
    if (this.inProgress.has(node)) {
      throw new DataException(
        `Avro record ${node.fullName} refers to itself; recursive schemas cannot be represented as Connect schemas`,
      );
    }
    this.inProgress.add(node);
    const builder = SchemaBuilder.struct();
    if (this.config.connectMetaData && node.doc !== undefined)
      builder.parameter(AVRO_RECORD_DOC_PROP, node.doc);
    for (const field of node.fields) {
      if (this.config.connectMetaData && field.doc !== undefined) {
        builder.parameter(AVRO_FIELD_DOC_PREFIX_PROP + field.name, field.doc);
      }
      builder.field(
        field.name,
        this.convert(field.type, false, field.hasDefault ? field.default : NO_DEFAULT, null),
      );
    }
    this.inProgress.delete(node);
    return builder;
  }

  private union(
    node: Extract<AvroNode, { kind: 'union' }>,
    forceOptional: boolean,
    fieldDefault: unknown,
    version: number | null,
  ): Schema {
    const branches = node.branches;
    if (branches.length === 1 && this.config.flattenSingletonUnions) {
      return this.convert(branches[0]!, false, NO_DEFAULT, null);
    }
    const nonNull = nonNullBranches(branches);
    if (branches.length === 2 && nonNull.length === 1) {
      // [null, T] or [T, null]: an optional T. The field default is dropped, as Confluent does; a
      // default survives through connect.default on T.
      return this.convert(nonNull[0]!.node, true, NO_DEFAULT, null);
    }
    const generalized = this.config.generalizedSumTypeSupport;
    const unionName = generalized
      ? `${GENERALIZED_TYPE_UNION_PREFIX}${this.unionNaming.next++}`
      : AVRO_TYPE_UNION;
    const builder = SchemaBuilder.struct().name(unionName);
    if (generalized) builder.parameter(GENERALIZED_TYPE_UNION, unionName);
    if (nonNull.length < branches.length || forceOptional) builder.optional();
    const names = new Set<string>();
    for (const { node: branch, index } of nonNull) {
      const fieldName = unionMemberFieldName(branch, index, this.config);
      if (names.has(fieldName))
        throw new DataException('Multiple union schemas map to the Connect union field name');
      names.add(fieldName);
      builder.field(fieldName, this.convert(branch, true, NO_DEFAULT, null));
    }
    if (version !== null && version >= 0) builder.version(version);
    const hasFieldDefault = fieldDefault !== NO_DEFAULT && fieldDefault !== undefined;
    if (hasFieldDefault && this.config.connectMetaData)
      builder.parameter(AVRO_FIELD_DEFAULT_FLAG_PROP, 'true');
    if (hasFieldDefault && fieldDefault !== null && nonNull[0]?.index === 0) {
      // An Avro union default is a value of the first branch. Invalid ones are ignored, as Confluent does.
      try {
        const schema = builder.build();
        const member = schema.fields()[0]!;
        builder.defaultValue(
          new Struct(schema).put(member.name, defaultFromJson(member.schema, nonNull[0].node, fieldDefault)),
        );
      } catch (e) {
        if (!(e instanceof DataException)) throw e;
      }
    }
    return builder.build();
  }

  private connectName(node: Exclude<AvroNode, { kind: 'union' }>): string | null {
    const connectName = node.props[CONNECT_NAME_PROP];
    if (connectName !== undefined) {
      if (typeof connectName !== 'string')
        throw new DataException(`Invalid schema name: ${JSON.stringify(connectName)}`);
      return connectName;
    }
    return node.kind === 'record' || node.kind === 'enum' || node.kind === 'fixed' ? node.fullName : null;
  }
}

function isMapEntry(node: AvroNode): node is AvroRecord {
  if (node.kind !== 'record') return false;
  return (
    node.fullName === `${NAMESPACE}.${MAP_ENTRY_TYPE_NAME}` ||
    node.props[CONNECT_INTERNAL_TYPE_NAME] === MAP_ENTRY_TYPE_NAME
  );
}

/** A default written in Avro's JSON form (field default or `connect.default`) as a Connect value. */
export function defaultFromJson(schema: Schema, node: AvroNode, json: unknown): unknown {
  if (json === null || json === undefined) return null;
  const value = defaultWithoutLogical(schema, node, json);
  switch (schema.name) {
    case Decimal.LOGICAL_NAME:
      return Decimal.toLogical(schema, value as Buffer);
    case LogicalDate.LOGICAL_NAME:
      return LogicalDate.toLogical(schema, value as number);
    case Time.LOGICAL_NAME:
      return Time.toLogical(schema, value as number);
    case Timestamp.LOGICAL_NAME:
      return Timestamp.toLogical(schema, value as bigint);
    default:
      return value;
  }
}

function defaultWithoutLogical(schema: Schema, node: AvroNode, json: unknown): unknown {
  const invalid = (): never => {
    throw new DataException(`Invalid default ${JSON.stringify(json)} for ${schema.type} schema`);
  };
  if (node.kind === 'union') {
    if (schema.type === 'STRUCT' && schema.name === AVRO_TYPE_UNION) {
      const first = node.branches[0]!;
      if (first.kind === 'primitive' && first.type === 'null') return null;
      const member = schema.fields()[0]!;
      return new Struct(schema).put(member.name, defaultFromJson(member.schema, first, json));
    }
    const branch = nonNullBranches(node.branches)[0];
    return branch ? defaultWithoutLogical(schema, branch.node, json) : null;
  }
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
      if (typeof json !== 'number' || !Number.isInteger(json)) invalid();
      return schema.type === 'INT8'
        ? ((json as number) << 24) >> 24
        : schema.type === 'INT16'
          ? ((json as number) << 16) >> 16
          : json;
    case 'INT64':
      if (typeof json !== 'number' || !Number.isInteger(json)) invalid();
      return BigInt(json as number);
    case 'FLOAT32':
      if (typeof json !== 'number') invalid();
      return Math.fround(json as number);
    case 'FLOAT64':
      if (typeof json !== 'number') invalid();
      return json;
    case 'BOOLEAN':
      if (typeof json !== 'boolean') invalid();
      return json;
    case 'STRING':
      if (typeof json !== 'string') invalid();
      return json;
    case 'BYTES':
      if (typeof json !== 'string') invalid();
      return Buffer.from(json as string, 'latin1');
    case 'ARRAY': {
      if (!Array.isArray(json)) invalid();
      if (node.kind !== 'array') invalid();
      const items = (node as Extract<AvroNode, { kind: 'array' }>).items;
      return (json as unknown[]).map((v) => defaultFromJson(schema.valueSchema(), items, v));
    }
    case 'MAP': {
      if (node.kind === 'map') {
        if (typeof json !== 'object' || Array.isArray(json)) invalid();
        return new Map(
          Object.entries(json as Record<string, unknown>).map(([k, v]) => [
            k,
            defaultFromJson(schema.valueSchema(), node.values, v),
          ]),
        );
      }
      if (node.kind !== 'array' || node.items.kind !== 'record' || !Array.isArray(json)) invalid();
      const entry = (node as Extract<AvroNode, { kind: 'array' }>).items as AvroRecord;
      const keyNode = entry.fields.find((f) => f.name === KEY_FIELD)!.type;
      const valueNode = entry.fields.find((f) => f.name === VALUE_FIELD)!.type;
      return new Map(
        (json as unknown[]).map((e) => {
          const pair = Array.isArray(e)
            ? e
            : [(e as Record<string, unknown>)?.[KEY_FIELD], (e as Record<string, unknown>)?.[VALUE_FIELD]];
          return [
            defaultFromJson(schema.keySchema(), keyNode, pair[0]),
            defaultFromJson(schema.valueSchema(), valueNode, pair[1]),
          ];
        }),
      );
    }
    case 'STRUCT': {
      if (node.kind !== 'record' || typeof json !== 'object' || Array.isArray(json)) invalid();
      const record = node as AvroRecord;
      const struct = new Struct(schema);
      for (const avroField of record.fields) {
        const field = schema.field(avroField.name);
        if (!field) continue;
        const fieldJson = (json as Record<string, unknown>)[avroField.name];
        struct.put(
          field.name,
          defaultFromJson(
            field.schema,
            avroField.type,
            fieldJson === undefined ? avroField.default : fieldJson,
          ),
        );
      }
      return struct;
    }
  }
}
