import { DataException } from '../errors.js';
import { ConnectDecimal } from './connect-decimal.js';
import { formatJavaDouble, formatJavaFloat } from './java-number-format.js';
import { Decimal, LogicalDate, Time, Timestamp } from './logical-types.js';
import { Schema, type SchemaType } from './schema.js';
import { SchemaAndValue } from './schema-and-value.js';
import { SchemaBuilder } from './schema-builder.js';
import { Struct } from './struct.js';

// Kafka Connect's Values: rendering Connect values as header strings and inferring a schema back from
// such strings (what SimpleHeaderConverter does with every header).
//
// Deviations, on purpose: a top-level text with tokens left after a value (`12,13`) stays a STRING;
// quoted strings inside lists and maps are unescaped (`\"`, `\\`) so that rendering then parsing
// round-trips; dates use UTC (Java uses the JVM's default zone); dates are parsed strictly.

const MILLIS_PER_DAY = 86_400_000;
const DELIMITERS = new Set([':', ',', '{', '}', '[', ']', '"']);
const TEMPORAL_NAMES = new Set<string>([LogicalDate.LOGICAL_NAME, Time.LOGICAL_NAME, Timestamp.LOGICAL_NAME]);
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TIME_TEXT = /^(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;

const TRUE = new SchemaAndValue(Schema.BOOLEAN_SCHEMA, true);
const FALSE = new SchemaAndValue(Schema.BOOLEAN_SCHEMA, false);

export const Values = Object.freeze({
  /** Infers a schema and value from header text (§ Values.parseString). `null` text gives SchemaAndValue.NULL. */
  parseString(text: string | null): SchemaAndValue {
    if (text === null) return SchemaAndValue.NULL;
    if (text === '') return new SchemaAndValue(Schema.STRING_SCHEMA, text);
    const parser = new ValueParser(text);
    const parsed = parser.parse(false);
    if (parser.hasMoreContent()) return new SchemaAndValue(Schema.STRING_SCHEMA, text);
    return parsed ?? SchemaAndValue.NULL;
  },

  /** Renders a value as Kafka's Values.convertToString does; the schema picks number formats. */
  convertToString(schema: Schema | null, value: unknown): string | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') return value;
    return render(schema, value, false);
  },
});

// ---- rendering ----

function render(schema: Schema | null, value: unknown, embedded: boolean): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return embedded ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : value;
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'number':
      return renderNumber(schema?.type ?? null, value);
  }
  if (value instanceof ConnectDecimal) return value.toString();
  if (value instanceof Date) return formatDate(value);
  if (value instanceof Uint8Array) {
    const base64 = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    return embedded ? `"${base64}"` : base64;
  }
  if (Array.isArray(value)) {
    const element = schema?.type === 'ARRAY' ? schema.valueSchema() : null;
    return `[${value.map((v) => render(element, v, true)).join(',')}]`;
  }
  if (value instanceof Map) {
    const keySchema = schema?.type === 'MAP' ? schema.keySchema() : null;
    const valueSchema = schema?.type === 'MAP' ? schema.valueSchema() : null;
    const entries = [...value].map(
      ([k, v]) => `${render(keySchema, k, true)}:${render(valueSchema, v, true)}`,
    );
    return `{${entries.join(',')}}`;
  }
  if (value instanceof Struct) {
    const fields = value.schema
      .fields()
      .map((f) => `${render(null, f.name, true)}:${render(f.schema, value.get(f), true)}`);
    return `{${fields.join(',')}}`;
  }
  throw new DataException(
    `Failed to serialize unexpected value type ${(value as object).constructor?.name ?? 'Object'}`,
  );
}

function renderNumber(type: SchemaType | null, value: number): string {
  if (type === 'FLOAT32') return formatJavaFloat(value);
  if (type === 'FLOAT64' || (type === null && !Number.isInteger(value))) return formatJavaDouble(value);
  return String(value);
}

/** Kafka picks the format from the value: time of day, a whole day, or a full timestamp (UTC). */
function formatDate(value: Date): string {
  const iso = value.toISOString();
  const millis = value.getTime();
  if (millis >= 0 && millis < MILLIS_PER_DAY) return iso.slice(11);
  if (millis % MILLIS_PER_DAY === 0) return iso.slice(0, 10);
  return iso;
}

// ---- parsing ----

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\') {
      escaped = !escaped;
      continue;
    }
    if (DELIMITERS.has(c) && !escaped) {
      if (start < i) tokens.push(text.slice(start, i));
      tokens.push(c);
      start = i + 1;
    }
    escaped = false;
  }
  if (start < text.length) tokens.push(text.slice(start));
  return tokens;
}

class ValueParser {
  readonly #tokens: string[];
  #pos = 0;

  constructor(private readonly original: string) {
    this.#tokens = tokenize(original);
  }

  hasMoreContent(): boolean {
    return this.#tokens.slice(this.#pos).some((t) => t.trim() !== '');
  }

  /** Null when the text is the literal `null` (or nothing is left). */
  parse(embedded: boolean): SchemaAndValue | null {
    if (this.#pos >= this.#tokens.length) return null;
    if (embedded && this.#consume('"')) return this.#quoted();
    for (const [literal, result] of [
      ['null', null],
      ['true', TRUE],
      ['false', FALSE],
    ] as const) {
      const mark = this.#pos;
      if (this.#consume(literal) && (embedded || !this.hasMoreContent())) return result;
      this.#pos = mark;
    }
    const start = this.#pos;
    try {
      if (this.#consume('[')) return this.#array();
      if (this.#consume('{')) return this.#map();
    } catch (e) {
      if (!(e instanceof DataException)) throw e;
      this.#pos = start;
    }
    const raw = this.#tokens[this.#pos++] as string;
    if (raw.trim() === '') return new SchemaAndValue(Schema.STRING_SCHEMA, raw);
    const token = raw.trim();
    const first = token.charCodeAt(0);
    const firstIsDigit = first >= 0x30 && first <= 0x39;
    if (firstIsDigit) {
      // Times and timestamps are split on their colons: try the token plus the next four first.
      if (this.#pos + 4 <= this.#tokens.length) {
        const joined = token + this.#tokens.slice(this.#pos, this.#pos + 4).join('');
        const temporal = parseTemporal(joined.trim());
        if (temporal) {
          this.#pos += 4;
          return temporal;
        }
      }
      const temporal = parseTemporal(token);
      if (temporal) return temporal;
    }
    if (firstIsDigit || token[0] === '+' || token[0] === '-' || token[0] === '.') {
      const number = parseNumber(token);
      if (number) return number;
    }
    if (embedded) throw new DataException('Failed to parse embedded value');
    this.#pos = this.#tokens.length;
    return new SchemaAndValue(Schema.STRING_SCHEMA, this.original);
  }

  #quoted(): SchemaAndValue {
    let content = '';
    for (;;) {
      if (this.#pos >= this.#tokens.length) throw new DataException('String is missing its closing quote');
      const token = this.#tokens[this.#pos++] as string;
      if (token === '"') break;
      content += token;
    }
    content = content.replace(/\\(["\\])/g, '$1');
    const parsed = content === '' ? null : parseTemporal(content);
    return parsed && TEMPORAL_NAMES.has(parsed.schema?.name ?? '')
      ? parsed
      : new SchemaAndValue(Schema.STRING_SCHEMA, content);
  }

  #array(): SchemaAndValue {
    const values: unknown[] = [];
    const common = new CommonSchema();
    for (;;) {
      if (this.#consume(']')) {
        const element = common.schema();
        if (!element) return new SchemaAndValue(SchemaBuilder.arrayOfNull().build(), values);
        return new SchemaAndValue(
          SchemaBuilder.array(element).build(),
          values.map((v) => align(element, v)),
        );
      }
      if (this.#consume(','))
        throw new DataException(`Unable to parse an empty array element: ${this.original}`);
      if (!this.#hasToken()) throw new DataException(`Array is missing terminating ']': ${this.original}`);
      const element = this.parse(true);
      common.add(element);
      values.push(element ? element.value : null);
      if (this.#peekIs(']')) continue;
      if (!this.#consume(',')) throw new DataException("Array elements missing ',' delimiter");
      if (!this.#hasToken()) throw new DataException(`Array is missing element after ',': ${this.original}`);
    }
  }

  #map(): SchemaAndValue {
    const entries: [unknown, unknown][] = [];
    const keys = new CommonSchema();
    const values = new CommonSchema();
    for (;;) {
      if (this.#consume('}')) {
        const keySchema = keys.schema();
        const valueSchema = values.schema();
        if (keySchema && valueSchema) {
          const map = new Map(entries.map(([k, v]) => [align(keySchema, k), align(valueSchema, v)]));
          return new SchemaAndValue(SchemaBuilder.map(keySchema, valueSchema).build(), map);
        }
        if (keySchema) {
          const map = new Map(entries.map(([k, v]) => [align(keySchema, k), v]));
          return new SchemaAndValue(SchemaBuilder.mapWithNullValues(keySchema).build(), map);
        }
        return new SchemaAndValue(SchemaBuilder.mapOfNull().build(), new Map(entries));
      }
      if (this.#consume(','))
        throw new DataException(`Unable to parse a map entry with no key or value: ${this.original}`);
      if (!this.#hasToken()) throw new DataException(`Map is missing terminating '}': ${this.original}`);
      const key = this.parse(true);
      if (!key || key.value === null)
        throw new DataException(`Map entry may not have a null key: ${this.original}`);
      if (!this.#consume(':')) throw new DataException(`Map entry is missing ':' in ${this.original}`);
      const value = this.parse(true);
      entries.push([key.value, value ? value.value : null]);
      keys.add(key);
      values.add(value);
      if (this.#peekIs('}')) continue;
      if (!this.#consume(',')) throw new DataException("Map entries missing ',' delimiter");
    }
  }

  #hasToken(): boolean {
    this.#skipBlank();
    return this.#pos < this.#tokens.length;
  }

  #peekIs(expected: string): boolean {
    this.#skipBlank();
    return this.#tokens[this.#pos]?.trim() === expected;
  }

  #consume(expected: string): boolean {
    if (!this.#peekIs(expected)) return false;
    this.#pos++;
    return true;
  }

  #skipBlank(): void {
    while (this.#pos < this.#tokens.length - 1 && (this.#tokens[this.#pos] as string).trim() === '')
      this.#pos++;
  }
}

/** Kafka's commonSchemaFor: the widest numeric type; any other mix has no common schema. */
class CommonSchema {
  #schema: Schema | null = null;
  #compatible = true;

  add(latest: SchemaAndValue | null): void {
    if (!latest || !latest.schema || !this.#compatible) return;
    const next = latest.schema;
    const previous = this.#schema;
    if (previous === null) {
      this.#schema = next;
      return;
    }
    if (previous.type !== next.type) {
      const p = NUMERIC_RANK[previous.type];
      const n = NUMERIC_RANK[next.type];
      if (p !== undefined && n !== undefined && previous.name === null && next.name === null) {
        if (n > p) this.#schema = next;
        return;
      }
      this.#compatible = false;
      return;
    }
    if (previous.optional !== next.optional || previous.name !== next.name) this.#compatible = false;
  }

  schema(): Schema | null {
    return this.#compatible ? this.#schema : null;
  }
}

const NUMERIC_RANK: Partial<Record<SchemaType, number>> = {
  INT8: 0,
  INT16: 1,
  INT32: 2,
  INT64: 3,
  FLOAT32: 4,
  FLOAT64: 5,
};

/** Converts a parsed element to the JS representation of the common element type. */
function align(schema: Schema, value: unknown): unknown {
  if (value === null || schema.name !== null) return value;
  if (schema.type === 'INT64' && typeof value === 'number') return BigInt(value);
  if ((schema.type === 'FLOAT32' || schema.type === 'FLOAT64') && typeof value === 'bigint')
    return Number(value);
  if (schema.type === 'FLOAT32' && typeof value === 'number') return Math.fround(value);
  return value;
}

function parseNumber(token: string): SchemaAndValue | null {
  if (!NUMBER_TEXT.test(token)) return null;
  const decimal = ConnectDecimal.parse(token);
  const integral = integralValue(decimal);
  if (integral !== null) {
    if (integral >= -128n && integral <= 127n)
      return new SchemaAndValue(Schema.INT8_SCHEMA, Number(integral));
    if (integral >= -32768n && integral <= 32767n)
      return new SchemaAndValue(Schema.INT16_SCHEMA, Number(integral));
    if (integral >= -2147483648n && integral <= 2147483647n) {
      return new SchemaAndValue(Schema.INT32_SCHEMA, Number(integral));
    }
    if (integral >= -(2n ** 63n) && integral < 2n ** 63n)
      return new SchemaAndValue(Schema.INT64_SCHEMA, integral);
  }
  // Like Kafka: a float32 whenever it is finite, even if precision is lost.
  const double = Number(decimal.toString());
  if (decimal.scale !== 0 && Number.isFinite(Math.fround(double))) {
    return new SchemaAndValue(Schema.FLOAT32_SCHEMA, Math.fround(double));
  }
  if (decimal.scale !== 0 && Number.isFinite(double))
    return new SchemaAndValue(Schema.FLOAT64_SCHEMA, double);
  return new SchemaAndValue(Decimal.schema(decimal.scale), decimal);
}

/** The value as an integer when it has no fractional part (`1.0` → 1), else null. */
function integralValue(decimal: ConnectDecimal): bigint | null {
  if (decimal.scale <= 0) return decimal.unscaled * 10n ** BigInt(-decimal.scale);
  const divisor = 10n ** BigInt(decimal.scale);
  return decimal.unscaled % divisor === 0n ? decimal.unscaled / divisor : null;
}

function parseTemporal(text: string): SchemaAndValue | null {
  const token = text.replace(/\\:/g, ':');
  let m = TIME_TEXT.exec(token);
  if (m) {
    const [h, min, s, ms] = m.slice(1).map(Number) as [number, number, number, number];
    if (h > 23 || min > 59 || s > 59) return null;
    return new SchemaAndValue(Time.schema(), new Date(((h * 60 + min) * 60 + s) * 1000 + ms));
  }
  m = DATE_TEXT.exec(token);
  if (m) {
    const date = utcDate(m.slice(1).map(Number));
    return date ? new SchemaAndValue(LogicalDate.schema(), date) : null;
  }
  m = TIMESTAMP_TEXT.exec(token);
  if (m) {
    const date = utcDate(m.slice(1).map(Number));
    return date ? new SchemaAndValue(Timestamp.schema(), date) : null;
  }
  return null;
}

/** A UTC date from [y, m, d, h?, min?, s?, ms?], or null when a part is out of range (no rollover). */
function utcDate(parts: number[]): Date | null {
  const [y, mo, d, h = 0, min = 0, s = 0, ms = 0] = parts as [
    number,
    number,
    number,
    number?,
    number?,
    number?,
    number?,
  ];
  if (h > 23 || min > 59 || s > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, min, s, ms);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
    ? date
    : null;
}
