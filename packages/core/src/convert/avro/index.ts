// Confluent-compatible Avro: AvroData (Connect ↔ Avro), AvroConverter (Schema Registry wire format)
// and the schema registry client, public as `@sluice/core/avro`. The converter registry loads this
// module lazily for `io.confluent.connect.avro.AvroConverter`, so avsc is only loaded by workers that
// use Avro (which is also why the root entry does not re-export it).
export { AvroConverter, type AvroConverterOptions } from './avro-converter.js';
export { AVRO_CONVERTER_CONFIG_DEF, type AvroConverterSettings } from './avro-converter-config.js';
export { AvroData, type AvroReader, type AvroWriter } from './avro-data.js';
export {
  AVRO_DATA_CONFIG_DEF,
  avroDataConfigOf,
  parseAvroDataConfig,
  type AvroDataConfig,
} from './avro-data-config.js';
export type { AvroSchemaJson } from './connect-to-avro-schema.js';
export {
  SchemaRegistryError,
  SchemaRegistryUnavailableError,
  type RegisteredSchema,
  type SchemaRegistry,
} from './schema-registry.js';
export { SchemaRegistryClient, type SchemaRegistryClientOptions } from './schema-registry-client.js';
export {
  recordNameStrategy,
  subjectNameStrategy,
  topicNameStrategy,
  topicRecordNameStrategy,
  type SubjectNameStrategy,
} from './subject-name-strategy.js';
export { MAGIC_BYTE } from './wire-format.js';
