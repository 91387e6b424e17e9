import { valueHooks, type FloatType, type IntType, type ValueHooks } from '@sluice/core/sink';

// Connect values → Elasticsearch JSON, through the kit's schema-aware value hooks (run by the KCQL
// projection on each selected value, with its Connect schema): every leaf becomes its JSON text and
// the Elasticsearch field type it has, so a FLOAT64 3.0 is written `3.0` (the dynamic mapping then
// picks a floating type, not long), INT64 exactly, Decimal as its exact digits, Timestamp / Date / Time
// as ISO-8601 text (Elasticsearch's dates), bytes as base64 (its `binary`). The same leaves give
// AUTOCREATE its explicit mapping. Structs and string-keyed maps stay objects, arrays stay arrays.

type Mapping = Record<string, unknown>;

/** A leaf: its JSON text and, when it has one, its Elasticsearch field mapping. */
export class EsLeaf {
  constructor(
    readonly json: string,
    readonly mapping: Mapping | null,
    /** A string leaf's own text (map keys need it back). */
    readonly text?: string,
  ) {}
}

const NULL = new EsLeaf('null', null);
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

export const esValueHooks: ValueHooks = valueHooks<unknown>({
  null: () => NULL,
  boolean: (v) => new EsLeaf(v ? 'true' : 'false', BOOLEAN),
  int: (v, type) => new EsLeaf(String(v), INT_TYPES[type]),
  int64: (v) => new EsLeaf(v.toString(), LONG),
  float: (v, type) => new EsLeaf(floatJson(v), FLOAT_TYPES[type]),
  string: (v) => new EsLeaf(JSON.stringify(v), TEXT, v),
  bytes: (v) => new EsLeaf(`"${v.toString('base64')}"`, BINARY),
  decimal: (v) => new EsLeaf(v.toString(), DECIMAL),
  date: (v) => new EsLeaf(`"${v.toISOString().slice(0, 10)}"`, DATE),
  time: (ms) =>
    new EsLeaf(
      `"${pad(Math.floor(ms / 3_600_000), 2)}:${pad(Math.floor(ms / 60_000) % 60, 2)}:${pad(Math.floor(ms / 1000) % 60, 2)}.${pad(ms % 1000, 3)}"`,
      TIME,
    ),
  timestamp: (v) => new EsLeaf(`"${v.toISOString()}"`, DATE),
  array: (items) => items,
  // A map with other keys than strings: [key, value] pairs, as the reference's JSON converter wrote it.
  map: (entries, keysAreStrings) =>
    keysAreStrings
      ? object(entries.map(([k, v]) => [(k as EsLeaf).text!, v]))
      : new EsLeaf(`[${entries.map(([k, v]) => `[${documentJson(k)},${documentJson(v)}]`).join(',')}]`, null),
  struct: (fields) => object(fields),
});

/** The document built by the projection with `esValueHooks`, as JSON text. */
export function documentJson(value: unknown): string {
  if (value instanceof EsLeaf) return value.json;
  if (Array.isArray(value)) return `[${value.map(documentJson).join(',')}]`;
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
