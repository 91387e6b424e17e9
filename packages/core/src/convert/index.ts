// Converters: bytes on a topic <-> Connect data (org.apache.kafka.connect.storage.Converter and friends).
export type { Converter, ConverterConfig, HeaderConverter } from './api.js';
export { JsonConverter, JSON_CONVERTER_CONFIG } from './json/json-converter.js';
export type { DecimalFormat } from './json/connect-to-json.js';
export { JsonNumberText, type JsonNode, type JsonObject } from './json/json-node.js';
export { StringConverter, STRING_CONVERTER_CONFIG } from './string-converter.js';
export { ByteArrayConverter } from './byte-array-converter.js';
export {
  BooleanConverter,
  DoubleConverter,
  FloatConverter,
  IntegerConverter,
  LongConverter,
  ShortConverter,
} from './primitive-converters.js';
export { SimpleHeaderConverter, type HeaderWarningLogger } from './simple-header-converter.js';
export { createConverter, createHeaderConverter, KNOWN_CONVERTER_CLASSES } from './registry.js';
