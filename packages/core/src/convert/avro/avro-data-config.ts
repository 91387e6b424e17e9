import { ConfigDef, validators } from '../../config/def.js';
import { ConfigException } from '../../errors.js';

/** AvroData's settings, under Confluent's key names (passed with the converter's properties). */
export interface AvroDataConfig {
  /** `schemas.cache.config`: converted schemas kept in each direction. */
  schemasCacheSize: number;
  /** `connect.meta.data`: write and read the `connect.*` schema properties. */
  connectMetaData: boolean;
  /** `enhanced.avro.schema.support`: keep enum symbols and package names; union fields use full names. */
  enhancedSchemaSupport: boolean;
  /** `scrub.invalid.names`: rewrite record and field names that Avro does not allow. */
  scrubInvalidNames: boolean;
  /** `generalized.sum.type.support`: unions and enums use the `org.apache.kafka.connect.data.*` parameters. */
  generalizedSumTypeSupport: boolean;
  /** `allow.optional.map.keys`: a MAP with an optional STRING key is still an Avro `map`. */
  allowOptionalMapKeys: boolean;
  /** `flatten.singleton.unions`: a one-branch union reads as that branch. */
  flattenSingletonUnions: boolean;
  /** `ignore.default.for.nullables`: a null optional field is written as null, not as its default. */
  ignoreDefaultForNullables: boolean;
}

export const AVRO_DATA_CONFIG_DEFAULTS: AvroDataConfig = {
  schemasCacheSize: 1000,
  connectMetaData: true,
  enhancedSchemaSupport: false,
  scrubInvalidNames: false,
  generalizedSumTypeSupport: false,
  allowOptionalMapKeys: false,
  flattenSingletonUnions: true,
  ignoreDefaultForNullables: false,
};

const KEYS: Record<keyof AvroDataConfig, { key: string; doc: string }> = {
  schemasCacheSize: {
    key: 'schemas.cache.config',
    doc: 'Size of the converted-schema cache in each direction.',
  },
  connectMetaData: {
    key: 'connect.meta.data',
    doc: 'Write and read Connect metadata (connect.name, connect.version, connect.doc, connect.parameters, connect.default) in Avro schemas.',
  },
  enhancedSchemaSupport: {
    key: 'enhanced.avro.schema.support',
    doc: 'Keep enum symbols and package names when converting between Avro and Connect schemas.',
  },
  scrubInvalidNames: {
    key: 'scrub.invalid.names',
    doc: 'Replace characters that Avro does not allow in names.',
  },
  generalizedSumTypeSupport: {
    key: 'generalized.sum.type.support',
    doc: 'Represent Avro unions and enums with the generalized org.apache.kafka.connect.data.Union/Enum parameters.',
  },
  allowOptionalMapKeys: {
    key: 'allow.optional.map.keys',
    doc: 'Convert a MAP whose key schema is an optional STRING to an Avro map (instead of an array of entries).',
  },
  flattenSingletonUnions: {
    key: 'flatten.singleton.unions',
    doc: 'Read a union with a single branch as that branch.',
  },
  ignoreDefaultForNullables: {
    key: 'ignore.default.for.nullables',
    doc: 'Write a null optional field as null instead of substituting its default.',
  },
};

export const AVRO_DATA_CONFIG_DEF: ConfigDef = (() => {
  const def = new ConfigDef();
  for (const [prop, { key, doc }] of Object.entries(KEYS)) {
    const fallback = AVRO_DATA_CONFIG_DEFAULTS[prop as keyof AvroDataConfig];
    def.define({
      name: key,
      type: typeof fallback === 'number' ? 'INT' : 'BOOLEAN',
      default: fallback,
      importance: 'LOW',
      doc,
      ...(typeof fallback === 'number' ? { validator: validators.atLeast(1) } : {}),
    });
  }
  return def;
})();

/** Reads AvroData settings from converter properties (missing keys take Confluent's defaults). */
export function parseAvroDataConfig(props: Record<string, string>): AvroDataConfig {
  const parsed = AVRO_DATA_CONFIG_DEF.parse(props);
  const out = { ...AVRO_DATA_CONFIG_DEFAULTS };
  for (const [prop, { key }] of Object.entries(KEYS)) {
    (out as Record<string, unknown>)[prop] = parsed[key];
  }
  return out;
}

/**
 * AvroData settings given either way: camelCase (`{ enhancedSchemaSupport: true }`) or under
 * Confluent's keys (`{ 'enhanced.avro.schema.support': 'true' }`, as converter properties carry
 * them). A key that is neither is refused, naming the keys there are: a Confluent-keyed map is never
 * silently ignored.
 */
export function avroDataConfigOf(
  settings: Partial<AvroDataConfig> | Record<string, unknown>,
): Partial<AvroDataConfig> {
  const camel: Partial<AvroDataConfig> = {};
  const confluent: Record<string, string> = {};
  const byKey = new Map(Object.entries(KEYS).map(([prop, { key }]) => [key, prop]));
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    if (name in KEYS) (camel as Record<string, unknown>)[name] = value;
    else if (byKey.has(name)) confluent[name] = String(value);
    else {
      throw new ConfigException(
        name,
        `AvroData has no setting ${name}; it takes ${[...byKey.keys()].join(', ')} (or their camelCase names: ${Object.keys(KEYS).join(', ')})`,
      );
    }
  }
  if (Object.keys(confluent).length === 0) return camel;
  const parsed = AVRO_DATA_CONFIG_DEF.parse(confluent);
  for (const key of Object.keys(confluent)) {
    (camel as Record<string, unknown>)[byKey.get(key)!] = parsed[key];
  }
  return camel;
}
