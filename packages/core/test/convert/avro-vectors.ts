// The `avro` section of converter-vectors.json, and how its Avro side is read (see the file's
// `conventions`): schemas are Avro JSON, datums are Avro's JSON encoding (unions wrapped, bytes as
// ISO-8859-1 text) unless they are prose describing the datum.
import { readFileSync } from 'node:fs';
import { avscType, type AvroSchema, type AvscType } from '../../src/convert/avro/avsc-types.js';

export interface AvroVector {
  id: string;
  converter: 'AvroData' | 'AvroConverter';
  direction: 'both' | 'toConnect' | 'fromConnect' | 'fromConnectSchema' | 'function' | 'roundTrip';
  config?: Record<string, unknown>;
  avro?: { schema: unknown; datum: unknown };
  connect?: { schema: unknown; value: unknown };
  avroBinaryHex?: string;
  wireHex?: string;
  function?: string;
  cases?: [string | null, string | null][];
  steps?: { schema: unknown; value: unknown; expectedVersionAfterRoundTrip: number }[];
}

export function loadAvroVectors(): AvroVector[] {
  const file = new URL('../fixtures/converter-vectors.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { avro: AvroVector[] }).avro;
}

/** AvroData settings of a vector as converter properties. */
export function vectorConfig(vector: AvroVector): Record<string, string> {
  return Object.fromEntries(Object.entries(vector.config ?? {}).map(([k, v]) => [k, String(v)]));
}

/**
 * The vector's datum as an avsc value of `type`, or undefined when the datum is prose (a string
 * where the schema needs a record, array, number…, or text with spaces where it needs bytes).
 */
export function vectorDatum(vector: AvroVector, type: AvscType): unknown {
  const datum = vector.avro?.datum;
  if (datum === null || datum === undefined) return undefined;
  const typeName = (type as AvscType & { typeName: string }).typeName;
  if (typeof datum === 'string') {
    const textual =
      typeName === 'string' || typeName === 'enum' || typeName === 'bytes' || typeName === 'fixed';
    if (!textual || ((typeName === 'bytes' || typeName === 'fixed') && /\s/.test(datum))) return undefined;
  }
  return (type as AvscType & { fromString(text: string): unknown }).fromString(JSON.stringify(datum));
}

export function vectorAvroType(vector: AvroVector): AvscType {
  return avscType(vector.avro!.schema as AvroSchema);
}

/**
 * Avro schema JSON in one spelling, for comparing schemas written differently but meaning the same:
 * `{"type": "int"}` becomes `"int"`.
 */
export function normalizeAvroSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(normalizeAvroSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const obj = schema as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === 'type' && typeof obj.type === 'string') return obj.type;
  return Object.fromEntries(
    keys.map((k) => {
      if (k === 'fields') {
        return [
          k,
          (obj.fields as Record<string, unknown>[]).map((f) => ({ ...f, type: normalizeAvroSchema(f.type) })),
        ];
      }
      if (k === 'items' || k === 'values' || k === 'type') return [k, normalizeAvroSchema(obj[k])];
      return [k, obj[k]];
    }),
  );
}
