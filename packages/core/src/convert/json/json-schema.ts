import { DataException } from '../../errors.js';
import type { Schema } from '../../data/schema.js';
import { SchemaBuilder } from '../../data/schema-builder.js';
import { connectToJson, type ToJsonOptions } from './connect-to-json.js';
import { jsonToConnect } from './json-to-connect.js';
import { isIntegralNumber, isJsonObject, type JsonNode, type JsonObject } from './json-node.js';

// JsonConverter's schema JSON: Connect schema ↔ `{"type":…,"optional":…,…}`, members in Java's order.

const TYPE_BY_JSON_NAME: Record<string, () => SchemaBuilder> = {
  boolean: () => SchemaBuilder.bool(),
  int8: () => SchemaBuilder.int8(),
  int16: () => SchemaBuilder.int16(),
  int32: () => SchemaBuilder.int32(),
  int64: () => SchemaBuilder.int64(),
  float: () => SchemaBuilder.float32(),
  double: () => SchemaBuilder.float64(),
  bytes: () => SchemaBuilder.bytes(),
  string: () => SchemaBuilder.string(),
};

const JSON_NAME_BY_TYPE: Record<string, string> = {
  BOOLEAN: 'boolean',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FLOAT32: 'float',
  FLOAT64: 'double',
  BYTES: 'bytes',
  STRING: 'string',
  ARRAY: 'array',
  MAP: 'map',
  STRUCT: 'struct',
};

export function schemaToJson(schema: Schema, options: ToJsonOptions): JsonObject {
  const json: JsonObject = { type: JSON_NAME_BY_TYPE[schema.type] as string };
  switch (schema.type) {
    // Element schemas are absent only in element-less header schemas (SchemaBuilder.arrayOfNull()…).
    case 'ARRAY':
      if (schema.valueSchema()) json.items = schemaToJson(schema.valueSchema(), options);
      break;
    case 'MAP':
      if (schema.keySchema()) json.keys = schemaToJson(schema.keySchema(), options);
      if (schema.valueSchema()) json.values = schemaToJson(schema.valueSchema(), options);
      break;
    case 'STRUCT':
      json.fields = schema.fields().map((f) => ({ ...schemaToJson(f.schema, options), field: f.name }));
      break;
    default:
      break;
  }
  json.optional = schema.optional;
  if (schema.name !== null) json.name = schema.name;
  if (schema.version !== null) json.version = schema.version;
  if (schema.doc !== null) json.doc = schema.doc;
  if (schema.parameters !== null) json.parameters = Object.fromEntries(schema.parameters);
  if (schema.defaultValue !== null) json.default = connectToJson(schema, schema.defaultValue, options);
  return json;
}

/** Reads a schema JSON node; `null` means schemaless and gives null. */
export function schemaFromJson(json: JsonNode | undefined, replaceNullWithDefault: boolean): Schema | null {
  if (json === null || json === undefined) return null;
  if (!isJsonObject(json)) throw new DataException("Schema must contain 'type' field");
  const typeName = json.type;
  if (typeof typeName !== 'string') throw new DataException("Schema must contain 'type' field");
  let builder: SchemaBuilder;
  switch (typeName) {
    case 'array': {
      const items = json.items;
      if (items === undefined || items === null)
        throw new DataException('Array schema did not specify the element type');
      builder = SchemaBuilder.array(requireSchema(items, replaceNullWithDefault));
      break;
    }
    case 'map': {
      if (json.keys === undefined) throw new DataException('Map schema did not specify the key type');
      if (json.values === undefined) throw new DataException('Map schema did not specify the value type');
      builder = SchemaBuilder.map(
        requireSchema(json.keys, replaceNullWithDefault),
        requireSchema(json.values, replaceNullWithDefault),
      );
      break;
    }
    case 'struct': {
      builder = SchemaBuilder.struct();
      const fields = json.fields;
      if (!Array.isArray(fields))
        throw new DataException('Struct schema\'s "fields" argument is not an array.');
      for (const field of fields) {
        const name = isJsonObject(field) ? field.field : undefined;
        if (typeof name !== 'string')
          throw new DataException("Struct schema's field name not specified properly");
        builder.field(name, requireSchema(field, replaceNullWithDefault));
      }
      break;
    }
    default: {
      const make = Object.hasOwn(TYPE_BY_JSON_NAME, typeName) ? TYPE_BY_JSON_NAME[typeName] : undefined;
      if (!make) throw new DataException(`Unknown schema type: ${typeName}`);
      builder = make();
    }
  }
  if (json.optional === true) builder.optional();
  else builder.required();
  if (typeof json.name === 'string') builder.name(json.name);
  if (isIntegralNumber(json.version)) builder.version(Number(json.version));
  if (typeof json.doc === 'string') builder.doc(json.doc);
  if (isJsonObject(json.parameters)) {
    for (const [k, v] of Object.entries(json.parameters)) {
      if (typeof v !== 'string') throw new DataException('Schema parameters must have string values.');
      builder.parameter(k, v);
    }
  }
  if (json.default !== undefined) {
    builder.defaultValue(jsonToConnect(builder.build(), json.default, replaceNullWithDefault));
  }
  return builder.build();
}

function requireSchema(json: JsonNode, replaceNullWithDefault: boolean): Schema {
  const schema = schemaFromJson(json, replaceNullWithDefault);
  if (!schema) throw new DataException("Schema must contain 'type' field");
  return schema;
}
