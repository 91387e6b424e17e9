// Kafka Connect's data model (org.apache.kafka.connect.data): schemas, structs, logical types, values.
export {
  ConnectSchema,
  Field,
  Schema,
  SCHEMA_TYPES,
  isPrimitiveType,
  isSchema,
  schemaTypeName,
  type ConnectSchemaInit,
  type SchemaType,
} from './schema.js';
export { SchemaBuilder, type SchemaLike } from './schema-builder.js';
export { Struct } from './struct.js';
export { SchemaAndValue } from './schema-and-value.js';
export { ConnectDecimal } from './connect-decimal.js';
// `Date` keeps Kafka's name; `LogicalDate` is the same object for modules that also use the global Date.
export { Decimal, LogicalDate, LogicalDate as Date, Time, Timestamp } from './logical-types.js';
export { validateValue, isValueOfType } from './validate.js';
export { schemasEqual, valuesEqual } from './equality.js';
export { Values } from './values.js';
export { formatJavaDouble, formatJavaFloat } from './java-number-format.js';
export { ConnectHeaders, type Header, type HeaderTransform } from './connect-headers.js';
