import { mapValue, valueHooks, type FloatType, type IntType, type ValueHooks } from '@sluice/core/sink';

// Connect values → Elasticsearch JSON, through the kit's schema-aware value hooks (run on each value
// with its Connect schema): every value becomes its JSON text, so a FLOAT64 3.0 is written `3.0` (the
// dynamic mapping then picks a floating type, not long), INT64 exactly, Decimal as its exact digits,
// Timestamp / Date / Time as ISO-8601 text (Elasticsearch's dates), bytes as base64 (its `binary`).
// Structs and string-keyed maps become objects, arrays arrays. The hooks return JSON text directly
// (`esJsonHooks`): a document is serialized in the one walk that maps it, with no tree in between
// (the hot path). AUTOCREATE's explicit mapping comes from the same leaves with their Elasticsearch
// field types (`esMappingHooks`), built once per index.

type Mapping = Record<string, unknown>;

/** A leaf of a document being mapped for AUTOCREATE: its Elasticsearch field mapping, if it has one. */
class EsLeaf {
  constructor(
    readonly mapping: Mapping | null,
    /** A string leaf's own text (map keys need it back). */
    readonly text?: string,
  ) {}
}

const UNMAPPED = new EsLeaf(null);
const TEXT: Mapping = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
const INT_TYPES: Record<IntType, Mapping> = {
  INT8: { type: 'byte' },
  INT16: { type: 'short' },
  INT32: { type: 'integer' },
};
const FLOAT_TYPES: Record<FloatType, Mapping> = { FLOAT32: { type: 'float' }, FLOAT64: { type: 'double' } };
const LONG: Mapping = { type: 'long' };
const BOOLEAN: Mapping = { type: 'boolean' };
const BINARY: Mapping = { type: 'binary' };
const DATE: Mapping = { type: 'date' };
const TIME: Mapping = { type: 'date', format: 'strict_hour_minute_second_fraction' };
// `double`, not `scaled_float`: scaled_float lives in the mapper-extras module (absent from minimal
// distributions) and stores a long, so it overflows where a decimal does not; the document's _source
// keeps the exact digits either way.
const DECIMAL: Mapping = { type: 'double' };

function floatJson(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  const text = String(value);
  return Number.isInteger(value) && !text.includes('e') ? `${text}.0` : text;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function object(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Each Connect leaf's JSON text: the one place a value's Elasticsearch JSON form is decided. */
const leafJson = {
  boolean: (v: boolean) => (v ? 'true' : 'false'),
  int: (v: number) => String(v),
  int64: (v: bigint) => v.toString(),
  float: floatJson,
  string: (v: string) => JSON.stringify(v),
  bytes: (v: Buffer) => `"${v.toString('base64')}"`,
  decimal: (v: { toString(): string }) => v.toString(),
  date: (v: Date) => `"${v.toISOString().slice(0, 10)}"`,
  time: (ms: number) =>
    `"${pad(Math.floor(ms / 3_600_000), 2)}:${pad(Math.floor(ms / 60_000) % 60, 2)}:${pad(Math.floor(ms / 1000) % 60, 2)}.${pad(ms % 1000, 3)}"`,
  timestamp: (v: Date) => `"${v.toISOString()}"`,
};

/** Connect values as Elasticsearch JSON text (for projectRecord's valueHooks, or mapValue directly). */
export const esJsonHooks: ValueHooks<string> = valueHooks<string>({
  null: () => 'null',
  ...leafJson,
  array: (items) => `[${items.join(',')}]`,
  // String keys come as their JSON text (the string hook's). A map with other keys: [key, value]
  // pairs, as the reference's JSON converter wrote it.
  map: (entries, keysAreStrings) =>
    keysAreStrings
      ? `{${entries.map(([k, v]) => `${k}:${v}`).join(',')}}`
      : `[${entries.map(([k, v]) => `[${k},${v}]`).join(',')}]`,
  struct: (fields) => `{${fields.map(([name, v]) => `${JSON.stringify(name)}:${v}`).join(',')}}`,
});

/**
 * A record's value (a Struct, Map or object) as one document's JSON text, in the walk that maps it:
 * for a statement that selects the whole value (`SELECT *`, nothing renamed or ignored). As in the
 * projection, a Struct's fields go by their schemas, a Map's or object's entries by their runtime
 * types. Null when the value is no JSON object (a map with other keys than strings): the projection
 * then decides, as for any other statement.
 */
export function valueDocumentJson(value: unknown): string | null {
  const json = schemalessJson(value);
  return json.startsWith('{') ? json : null;
}

/**
 * What the JsonConverter makes of schemaless JSON (Maps with string keys, arrays, strings, INT64 as
 * bigint, booleans, null) written directly, half the cost of the general walk; anything else (numbers,
 * Structs, logical types, other maps) goes through the kit's walk with the same hooks.
 */
function schemalessJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return leafJson.string(value);
    case 'bigint':
      return leafJson.int64(value);
    case 'boolean':
      return leafJson.boolean(value);
  }
  if (value === null || value === undefined) return 'null';
  if (value instanceof Map) {
    let out = '';
    for (const [k, v] of value) {
      if (typeof k !== 'string') return mapValue(value, null, esJsonHooks);
      out += `${out === '' ? '{' : ','}${leafJson.string(k)}:${schemalessJson(v)}`;
    }
    return out === '' ? '{}' : `${out}}`;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += `${i > 0 ? ',' : ''}${schemalessJson(value[i])}`;
    return `${out}]`;
  }
  return mapValue(value, null, esJsonHooks);
}

/** Only for AUTOCREATE: each leaf with its Elasticsearch field mapping (documentMapping reads them). */
export const esMappingHooks: ValueHooks = valueHooks<unknown>({
  null: () => UNMAPPED,
  boolean: () => new EsLeaf(BOOLEAN),
  int: (_v, type) => new EsLeaf(INT_TYPES[type]),
  int64: () => new EsLeaf(LONG),
  float: (_v, type) => new EsLeaf(FLOAT_TYPES[type]),
  string: (v) => new EsLeaf(TEXT, v),
  bytes: () => new EsLeaf(BINARY),
  decimal: () => new EsLeaf(DECIMAL),
  date: () => new EsLeaf(DATE),
  time: () => new EsLeaf(TIME),
  timestamp: () => new EsLeaf(DATE),
  array: (items) => items,
  // A map with other keys than strings is written as [key, value] pairs: left to dynamic mapping.
  map: (entries, keysAreStrings) =>
    keysAreStrings ? object(entries.map(([k, v]) => [(k as EsLeaf).text!, v])) : UNMAPPED,
  struct: (fields) => object(fields),
});

/**
 * A projected document (projectRecord with `esJsonHooks`) as JSON text: its values are JSON text
 * already; only the objects the projection built around them (WITHSTRUCTURE paths) are walked.
 */
export function documentJson(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'null';
  let out = '{';
  let first = true;
  for (const k in value as Record<string, unknown>) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${documentJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * The `properties` of an index mapping for such a document: every leaf with a type is mapped (a null
 * leaf has none: left to dynamic mapping), an array by its first typed element, objects recursively.
 */
export function documentMapping(doc: Record<string, unknown>): Mapping {
  const properties: Mapping = {};
  for (const [name, value] of Object.entries(doc)) {
    const m = valueMapping(value);
    if (m) properties[name] = m;
  }
  return properties;
}

function valueMapping(value: unknown): Mapping | null {
  if (value instanceof EsLeaf) return value.mapping;
  if (Array.isArray(value)) {
    for (const v of value) {
      const m = valueMapping(v);
      if (m) return m;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    const properties = documentMapping(value as Record<string, unknown>);
    return Object.keys(properties).length > 0 ? { properties } : null;
  }
  return null;
}
