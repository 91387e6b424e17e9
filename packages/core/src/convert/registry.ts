import { ConfigException } from '../errors.js';
import type { Converter, HeaderConverter } from './api.js';
import { ByteArrayConverter } from './byte-array-converter.js';
import { JsonConverter } from './json/json-converter.js';
import {
  BooleanConverter,
  DoubleConverter,
  FloatConverter,
  IntegerConverter,
  LongConverter,
  ShortConverter,
} from './primitive-converters.js';
import { SimpleHeaderConverter } from './simple-header-converter.js';
import { StringConverter } from './string-converter.js';

// Converter lookup by the class names users put in `key.converter` / `value.converter` /
// `header.converter` (Kafka's and Confluent's), or by short names.

type Factory = () => Converter | HeaderConverter | Promise<Converter | HeaderConverter>;

// Loaded on demand: Avro (and avsc) stay out of workers that do not use it.
async function loadAvro(): Promise<Converter> {
  const { AvroConverter } = await import('./avro/index.js');
  return new AvroConverter();
}

const FACTORIES = new Map<string, Factory>();

function register(names: string[], factory: Factory): void {
  for (const n of names) FACTORIES.set(n.toLowerCase(), factory);
}

register(['org.apache.kafka.connect.json.JsonConverter', 'JsonConverter', 'json'], () => new JsonConverter());
register(
  ['org.apache.kafka.connect.storage.StringConverter', 'StringConverter', 'string'],
  () => new StringConverter(),
);
register(
  ['org.apache.kafka.connect.converters.ByteArrayConverter', 'ByteArrayConverter', 'bytearray', 'bytes'],
  () => new ByteArrayConverter(),
);
register(
  ['org.apache.kafka.connect.storage.SimpleHeaderConverter', 'SimpleHeaderConverter', 'simple'],
  () => new SimpleHeaderConverter(),
);
register(['io.confluent.connect.avro.AvroConverter', 'AvroConverter', 'avro'], loadAvro);

/** Kafka's one-number (or boolean) converters, by their simple names. */
const PRIMITIVE_CONVERTERS: Record<string, () => Converter & HeaderConverter> = {
  BooleanConverter: () => new BooleanConverter(),
  ShortConverter: () => new ShortConverter(),
  IntegerConverter: () => new IntegerConverter(),
  LongConverter: () => new LongConverter(),
  FloatConverter: () => new FloatConverter(),
  DoubleConverter: () => new DoubleConverter(),
};
for (const [name, factory] of Object.entries(PRIMITIVE_CONVERTERS)) {
  register([`org.apache.kafka.connect.converters.${name}`, name], factory);
}

export const KNOWN_CONVERTER_CLASSES: readonly string[] = [
  'org.apache.kafka.connect.json.JsonConverter',
  'org.apache.kafka.connect.storage.StringConverter',
  'org.apache.kafka.connect.converters.ByteArrayConverter',
  ...Object.keys(PRIMITIVE_CONVERTERS).map((name) => `org.apache.kafka.connect.converters.${name}`),
  'org.apache.kafka.connect.storage.SimpleHeaderConverter',
  'io.confluent.connect.avro.AvroConverter',
];

async function instantiate(className: string, configKey: string): Promise<Converter | HeaderConverter> {
  const factory = FACTORIES.get(className.trim().toLowerCase());
  if (!factory) {
    throw new ConfigException(
      configKey,
      `Class ${className} could not be found. Supported converters: ${KNOWN_CONVERTER_CLASSES.join(', ')}`,
    );
  }
  return factory();
}

/** A key/value converter for a class name (not yet configured). */
export async function createConverter(className: string, configKey = 'value.converter'): Promise<Converter> {
  const converter = await instantiate(className, configKey);
  if (!('toConnectData' in converter)) {
    throw new ConfigException(
      configKey,
      `${className} is a header converter and cannot convert keys or values`,
    );
  }
  return converter;
}

/** A header converter for a class name (not yet configured); Kafka's data converters qualify too. */
export async function createHeaderConverter(
  className: string,
  configKey = 'header.converter',
): Promise<HeaderConverter> {
  const converter = await instantiate(className, configKey);
  if (!('toConnectHeader' in converter)) {
    throw new ConfigException(configKey, `${className} cannot be used as a header converter`);
  }
  return converter;
}
