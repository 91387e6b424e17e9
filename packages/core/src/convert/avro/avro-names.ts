import type { Schema } from '../../data/index.js';

// Names and parameters AvroData writes into schemas. They are Confluent's, byte for byte: schemas
// registered by Java converters and by Sluice must read the same on both sides.

export const NAMESPACE = 'io.confluent.connect.avro';
export const DEFAULT_SCHEMA_NAME = 'ConnectDefault';
export const DEFAULT_SCHEMA_FULL_NAME = `${NAMESPACE}.${DEFAULT_SCHEMA_NAME}`;
export const MAP_ENTRY_TYPE_NAME = 'MapEntry';
export const KEY_FIELD = 'key';
export const VALUE_FIELD = 'value';

export const CONNECT_NAME_PROP = 'connect.name';
export const CONNECT_DOC_PROP = 'connect.doc';
export const CONNECT_VERSION_PROP = 'connect.version';
export const CONNECT_DEFAULT_VALUE_PROP = 'connect.default';
export const CONNECT_PARAMETERS_PROP = 'connect.parameters';
export const CONNECT_INTERNAL_TYPE_NAME = 'connect.internal.type';
export const CONNECT_TYPE_PROP = 'connect.type';
export const AVRO_RECORD_DOC_PROP = `${NAMESPACE}.record.doc`;
export const AVRO_ENUM_DOC_PREFIX_PROP = `${NAMESPACE}.enum.doc.`;
export const AVRO_FIELD_DOC_PREFIX_PROP = `${NAMESPACE}.field.doc.`;
/** Marks a Connect default that came from an Avro field default (so it is not written back as connect.default). */
export const AVRO_FIELD_DEFAULT_FLAG_PROP = `${NAMESPACE}.field.default`;
export const AVRO_ENUM_DEFAULT_PREFIX_PROP = `${NAMESPACE}.enum.default.`;
export const AVRO_TYPE_UNION = `${NAMESPACE}.Union`;
export const AVRO_TYPE_ENUM = `${NAMESPACE}.Enum`;
export const AVRO_TYPE_ANYTHING = `${NAMESPACE}.Anything`;

export const GENERALIZED_TYPE_UNION = 'org.apache.kafka.connect.data.Union';
export const GENERALIZED_TYPE_ENUM = 'org.apache.kafka.connect.data.Enum';
export const GENERALIZED_TYPE_UNION_PREFIX = 'connect_union_';
export const GENERALIZED_TYPE_UNION_FIELD_PREFIX = 'connect_union_field_';

export const CONNECT_AVRO_FIXED_SIZE_PROP = 'connect.fixed.size';
export const CONNECT_AVRO_DECIMAL_PRECISION_PROP = 'connect.decimal.precision';
export const CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT = 64;

export const AVRO_PROP_PREFIX = 'avro';
export const AVRO_LOGICAL_TYPE_PROP = 'logicalType';
export const AVRO_LOGICAL_TIMESTAMP_MILLIS = 'timestamp-millis';
export const AVRO_LOGICAL_TIME_MILLIS = 'time-millis';
export const AVRO_LOGICAL_DATE = 'date';
export const AVRO_LOGICAL_DECIMAL = 'decimal';

export const CONNECT_TYPE_INT8 = 'int8';
export const CONNECT_TYPE_INT16 = 'int16';

/** A Connect STRUCT standing for an Avro union (one optional field per branch). */
export function isUnionSchema(schema: Schema): boolean {
  return schema.name === AVRO_TYPE_UNION || schema.parameters?.has(GENERALIZED_TYPE_UNION) === true;
}

/** A Connect STRING standing for an Avro enum. */
export function isEnumSchema(schema: Schema): boolean {
  return (
    schema.type === 'STRING' &&
    schema.parameters !== null &&
    (schema.parameters.has(GENERALIZED_TYPE_ENUM) || schema.parameters.has(AVRO_TYPE_ENUM))
  );
}

/** A Connect BYTES standing for an Avro fixed. */
export function isFixedSchema(schema: Schema): boolean {
  return (
    schema.type === 'BYTES' &&
    schema.name !== null &&
    schema.parameters !== null &&
    schema.parameters.has(CONNECT_AVRO_FIXED_SIZE_PROP)
  );
}

/** `[namespace, name]` of a dotted full name; the namespace is null when there is no dot. */
export function splitName(fullName: string): [string | null, string] {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? [null, fullName] : [fullName.slice(0, dot), fullName.slice(dot + 1)];
}
