// Decoding of converter-vectors.json's tagged values and schemas (see the file's `conventions`), and
// comparisons shared by the vector tests.
import { readFileSync } from 'node:fs';
import { ConnectDecimal, Struct, type Schema } from '../../src/data/index.js';
import { JsonConverter } from '../../src/convert/json/json-converter.js';
import { JsonNumberText, type JsonNode } from '../../src/convert/json/json-node.js';

export interface ConverterVector {
  id: string;
  converter: string;
  direction: string;
  config?: Record<string, unknown>;
  input: { bytes_utf8?: string | null; schema?: unknown; value?: unknown };
  expected: { schema?: unknown; value?: unknown; json?: unknown; error?: string; compare?: string };
}

export function loadVectors(section: 'json' | 'simpleHeader'): ConverterVector[] {
  const file = new URL('../fixtures/converter-vectors.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as Record<string, ConverterVector[]>)[section] ?? [];
}

const schemaReader = new JsonConverter();
schemaReader.configure({ 'schemas.enable': 'true' }, false);

export function vectorSchema(json: unknown): Schema | null {
  return schemaReader.asConnectSchema(json as JsonNode);
}

/** The schema's JSON form, for comparing against a vector's schema. */
export function schemaAsJson(schema: Schema | null): unknown {
  return normalizeJson(schemaReader.asJsonSchema(schema));
}

/** A tagged vector value as the Connect value it stands for, typed by `schema` where one is given. */
export function vectorValue(tagged: unknown, schema: Schema | null): unknown {
  if (tagged === null || tagged === undefined) return null;
  if (Array.isArray(tagged)) {
    const element = schema?.type === 'ARRAY' ? schema.valueSchema() : null;
    return tagged.map((e) => vectorValue(e, element));
  }
  if (typeof tagged === 'number') return schema?.type === 'INT64' ? BigInt(tagged) : tagged;
  if (typeof tagged !== 'object') return tagged;
  const tag = tagged as Record<string, unknown>;
  if ('$bytes' in tag) return Buffer.from(tag.$bytes as string, 'base64');
  if ('$decimal' in tag) return ConnectDecimal.parse(tag.$decimal as string);
  if ('$epochMillis' in tag) return new Date(tag.$epochMillis as number);
  if ('$int64' in tag) return BigInt(tag.$int64 as number);
  if ('$int32' in tag || '$float64' in tag) return (tag.$int32 ?? tag.$float64) as number;
  if ('$map' in tag) {
    const keySchema = schema?.type === 'MAP' ? schema.keySchema() : null;
    const valueSchema = schema?.type === 'MAP' ? schema.valueSchema() : null;
    return new Map(
      (tag.$map as [unknown, unknown][]).map(([k, v]) => [
        vectorValue(k, keySchema),
        vectorValue(v, valueSchema),
      ]),
    );
  }
  if ('$struct' in tag) {
    if (!schema) throw new Error('a $struct value needs a struct schema');
    const struct = new Struct(schema);
    for (const [name, v] of Object.entries(tag.$struct as Record<string, unknown>)) {
      struct.put(name, vectorValue(v, schema.field(name)?.schema ?? null));
    }
    return struct;
  }
  throw new Error(`unknown tagged value ${JSON.stringify(tagged)}`);
}

/** JSON (parsed by either parser) with numbers as plain numbers, for semantic comparison. */
export function normalizeJson(node: unknown): unknown {
  if (node instanceof JsonNumberText) return node.toNumber();
  if (typeof node === 'bigint') return Number(node);
  if (Array.isArray(node)) return node.map(normalizeJson);
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, normalizeJson(v)]));
  }
  return node;
}

/** Whether `expected` (a vector's partial schema JSON) is contained in `actual`. */
export function containsJson(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return actual === expected;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => containsJson(actual[i], e))
    );
  }
  if (actual === null || typeof actual !== 'object') return false;
  return Object.entries(expected).every(([k, v]) => containsJson((actual as Record<string, unknown>)[k], v));
}

/**
 * The JS runtime types inside a value (`bigint` vs `number` matters: INT64 vs INT32/FLOAT64), since
 * valuesEqual deliberately treats 12n and 12 as the same Java Long.
 */
export function typeShape(value: unknown): unknown {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return value.map(typeShape);
  if (value instanceof Map) return [...value].map(([k, v]) => [typeShape(k), typeShape(v)]);
  if (value instanceof Struct) return value.schema.fields().map((f) => typeShape(value.getWithoutDefault(f)));
  if (typeof value === 'object') return (value as object).constructor.name;
  return typeof value;
}
