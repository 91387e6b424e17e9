import cassandra from 'cassandra-driver';
import { describeType, isDecimal, isStruct } from '@sluice/core/sink';

// A Connect value (or a schemaless JSON value) → the value the driver encodes for one CQL column type,
// decided by the column's type from the table metadata, not by the value's runtime type: an integer
// goes into a `varint`, `bigint` or `timestamp` column as what that column needs, a string into a
// `uuid`, `inet` or `date` column is parsed. A value that cannot be converted throws CqlConversionError
// with a reason; the caller adds topic, partition, offset and column.
// The driver is created with `useBigIntAsLong` / `useBigIntAsVarint` and `map: Map` (see session.ts),
// so bigint and varint values are bigints and maps are Maps.

const { dataTypes, BigDecimal, LocalDate, LocalTime, Uuid, InetAddress, Tuple, Duration } = cassandra.types;

/** A CQL type as the driver's metadata describes it (`column.type`). */
export interface CqlType {
  readonly code: number;
  readonly info?: unknown;
}

interface UdtInfo {
  readonly name: string;
  readonly fields: readonly { readonly name: string; readonly type: CqlType }[];
}

export class CqlConversionError extends Error {}

const MS_PER_DAY = 86_400_000;
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const SIMPLE_NAMES: Record<number, string> = {
  [dataTypes.custom]: 'custom',
  [dataTypes.ascii]: 'ascii',
  [dataTypes.bigint]: 'bigint',
  [dataTypes.blob]: 'blob',
  [dataTypes.boolean]: 'boolean',
  [dataTypes.counter]: 'counter',
  [dataTypes.decimal]: 'decimal',
  [dataTypes.double]: 'double',
  [dataTypes.float]: 'float',
  [dataTypes.int]: 'int',
  [dataTypes.text]: 'text',
  [dataTypes.timestamp]: 'timestamp',
  [dataTypes.uuid]: 'uuid',
  [dataTypes.varchar]: 'text',
  [dataTypes.varint]: 'varint',
  [dataTypes.timeuuid]: 'timeuuid',
  [dataTypes.inet]: 'inet',
  [dataTypes.date]: 'date',
  [dataTypes.time]: 'time',
  [dataTypes.smallint]: 'smallint',
  [dataTypes.tinyint]: 'tinyint',
  [dataTypes.duration]: 'duration',
};

/** The CQL spelling of a type, for messages (`map<text, int>`, `frozen<address>` is shown as `address`). */
export function cqlTypeName(type: CqlType): string {
  switch (type.code as cassandra.types.dataTypes) {
    case dataTypes.list:
      return `list<${cqlTypeName(type.info as CqlType)}>`;
    case dataTypes.set:
      return `set<${cqlTypeName(type.info as CqlType)}>`;
    case dataTypes.map: {
      const [k, v] = type.info as [CqlType, CqlType];
      return `map<${cqlTypeName(k)}, ${cqlTypeName(v)}>`;
    }
    case dataTypes.tuple:
      return `tuple<${(type.info as CqlType[]).map(cqlTypeName).join(', ')}>`;
    case dataTypes.udt:
      return (type.info as UdtInfo).name;
    case dataTypes.custom:
      return String(type.info ?? 'custom');
    default:
      return SIMPLE_NAMES[type.code] ?? `type 0x${type.code.toString(16)}`;
  }
}

function fail(value: unknown, type: CqlType, why?: string): never {
  throw new CqlConversionError(
    `cannot write ${describeType(value)} ${preview(value)}into a ${cqlTypeName(type)} column${why ? `: ${why}` : ''}`,
  );
}

function preview(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}' `;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return `${String(value)} `;
  return '';
}

/** Converts `value` for a column of `type`; null/undefined stay null (the caller decides null vs unset). */
export function toCqlValue(value: unknown, type: CqlType): unknown {
  if (value === null || value === undefined) return null;
  switch (type.code as cassandra.types.dataTypes) {
    case dataTypes.ascii:
    case dataTypes.text:
    case dataTypes.varchar:
      return toText(value, type);
    case dataTypes.boolean:
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return fail(value, type);
    case dataTypes.tinyint:
      return toSmallInteger(value, type, 8);
    case dataTypes.smallint:
      return toSmallInteger(value, type, 16);
    case dataTypes.int:
      return toSmallInteger(value, type, 32);
    case dataTypes.bigint:
    case dataTypes.counter:
      return toBigInt(value, type, 64);
    case dataTypes.varint:
      return toBigInt(value, type, null);
    case dataTypes.float:
    case dataTypes.double:
      return toDouble(value, type);
    case dataTypes.decimal:
      return toDecimal(value, type);
    case dataTypes.timestamp:
      return toTimestamp(value, type);
    case dataTypes.date:
      return toDate(value, type);
    case dataTypes.time:
      return toTime(value, type);
    case dataTypes.blob:
      return toBlob(value, type);
    case dataTypes.uuid:
    case dataTypes.timeuuid:
      return toUuid(value, type);
    case dataTypes.inet:
      return toInet(value, type);
    case dataTypes.duration:
      if (typeof value === 'string') return parseWith(value, type, (s) => Duration.fromString(s));
      return fail(value, type);
    case dataTypes.list:
    case dataTypes.set:
      return toCollection(value, type);
    case dataTypes.map:
      return toMap(value, type);
    case dataTypes.udt:
      return toUdt(value, type);
    case dataTypes.tuple:
      return toTuple(value, type);
    default:
      return fail(value, type, 'this sink does not write that column type');
  }
}

function parseWith<T>(text: string, type: CqlType, parse: (s: string) => T): T {
  try {
    return parse(text);
  } catch (e) {
    return fail(text, type, (e as Error).message);
  }
}

function toText(value: unknown, type: CqlType): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (isDecimal(value)) return value.toString();
  if (value instanceof Date) return value.toISOString();
  return fail(value, type);
}

function integerOf(value: unknown, type: CqlType): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return BigInt(value);
    return fail(value, type, 'not an integer');
  }
  if (typeof value === 'string' && INTEGER.test(value.trim())) return BigInt(value.trim());
  if (isDecimal(value) && value.scale <= 0) return value.unscaled * 10n ** BigInt(-value.scale);
  return fail(value, type);
}

function toSmallInteger(value: unknown, type: CqlType, bits: number): number {
  const n = integerOf(value, type);
  const max = (1n << BigInt(bits - 1)) - 1n;
  if (n > max || n < -max - 1n) fail(value, type, `out of range [${-max - 1n}, ${max}]`);
  return Number(n);
}

function toBigInt(value: unknown, type: CqlType, bits: number | null): bigint {
  if (value instanceof Date && bits !== null) return BigInt(value.getTime());
  const n = integerOf(value, type);
  if (bits !== null) {
    const max = (1n << BigInt(bits - 1)) - 1n;
    if (n > max || n < -max - 1n) fail(value, type, `out of range [${-max - 1n}, ${max}]`);
  }
  return n;
}

function toDouble(value: unknown, type: CqlType): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (isDecimal(value)) return Number(value.toString());
  if (typeof value === 'string' && NUMBER.test(value.trim())) return Number(value.trim());
  return fail(value, type);
}

function toDecimal(value: unknown, type: CqlType): InstanceType<typeof BigDecimal> {
  if (isDecimal(value)) return BigDecimal.fromString(value.toString());
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(value, type, 'not a finite number');
    return BigDecimal.fromString(String(value));
  }
  if (typeof value === 'bigint') return BigDecimal.fromString(value.toString());
  if (typeof value === 'string' && NUMBER.test(value.trim())) return BigDecimal.fromString(value.trim());
  return fail(value, type);
}

function toTimestamp(value: unknown, type: CqlType): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' && Number.isInteger(value)) return new Date(value);
  if (typeof value === 'bigint') return new Date(Number(value));
  if (typeof value === 'string') {
    const text = value.trim();
    const ms = INTEGER.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isNaN(ms)) return new Date(ms);
    return fail(value, type, 'expected an ISO-8601 date-time or epoch milliseconds');
  }
  return fail(value, type);
}

function toDate(value: unknown, type: CqlType): InstanceType<typeof LocalDate> {
  // Connect's Date is a UTC midnight; a Timestamp is cut to its UTC day.
  if (value instanceof Date) return daysSinceEpoch(Math.floor(value.getTime() / MS_PER_DAY));
  if (typeof value === 'number' && Number.isInteger(value)) return daysSinceEpoch(value);
  if (typeof value === 'string' && /^[+-]?\d{1,9}-\d{1,2}-\d{1,2}$/.test(value.trim()))
    return parseWith(value.trim(), type, (s) => LocalDate.fromString(s));
  return fail(value, type, typeof value === 'string' ? 'expected yyyy-mm-dd' : undefined);
}

/** The driver's LocalDate takes a single argument as days since the epoch (its typings omit that form). */
function daysSinceEpoch(days: number): InstanceType<typeof LocalDate> {
  return new (LocalDate as unknown as new (days: number) => InstanceType<typeof LocalDate>)(days);
}

function toTime(value: unknown, type: CqlType): InstanceType<typeof LocalTime> {
  // Connect's Time is milliseconds since midnight, held as a Date on 1970-01-01 UTC.
  if (value instanceof Date) return LocalTime.fromMilliseconds(value.getTime());
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < MS_PER_DAY)
    return LocalTime.fromMilliseconds(value);
  if (typeof value === 'string' && /^\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/.test(value.trim()))
    return parseWith(value.trim(), type, (s) => LocalTime.fromString(s));
  return fail(value, type, 'expected hh:mm:ss[.fffffffff] or milliseconds since midnight');
}

function toBlob(value: unknown, type: CqlType): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  // Schemaless JSON has no bytes: base64 text, as Connect's JsonConverter writes bytes.
  if (typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0)
    return Buffer.from(value, 'base64');
  return fail(value, type, typeof value === 'string' ? 'expected base64 text' : undefined);
}

function toUuid(value: unknown, type: CqlType): InstanceType<typeof Uuid> {
  let uuid: InstanceType<typeof Uuid>;
  if (value instanceof Uuid) uuid = value;
  else if (typeof value === 'string') uuid = parseWith(value.trim(), type, (s) => Uuid.fromString(s));
  else if (Buffer.isBuffer(value) && value.length === 16) uuid = new Uuid(value);
  else return fail(value, type);
  if (
    (type.code as cassandra.types.dataTypes) === dataTypes.timeuuid &&
    (uuid.getBuffer()[6]! & 0xf0) !== 0x10
  ) {
    fail(value, type, 'not a version 1 (time-based) UUID');
  }
  return uuid;
}

function toInet(value: unknown, type: CqlType): InstanceType<typeof InetAddress> {
  if (value instanceof InetAddress) return value;
  if (typeof value === 'string') return parseWith(value.trim(), type, (s) => InetAddress.fromString(s));
  if (Buffer.isBuffer(value) && (value.length === 4 || value.length === 16)) return new InetAddress(value);
  return fail(value, type);
}

function elementsOf(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...(value as Set<unknown>)];
  return null;
}

function toCollection(value: unknown, type: CqlType): unknown[] {
  const elements = elementsOf(value);
  if (!elements) return fail(value, type, 'expected an array');
  const elementType = type.info as CqlType;
  return elements.map((e, i) => {
    if (e === null || e === undefined)
      fail(value, type, `element ${i} is null; collections cannot hold nulls`);
    return inside(() => toCqlValue(e, elementType), `element ${i}`);
  });
}

/** Entries of a Map, a plain object or a Struct (a Struct into a map column: field name → value). */
function entriesOf(value: unknown): [unknown, unknown][] | null {
  if (value instanceof Map) return [...value.entries()];
  if (isStruct(value)) return value.schema.fields().map((f) => [f.name, value.get(f.name)]);
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value)) {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return Object.entries(value);
  }
  return null;
}

function toMap(value: unknown, type: CqlType): Map<unknown, unknown> {
  const entries = entriesOf(value);
  if (!entries) return fail(value, type, 'expected a map or an object');
  const [keyType, valueType] = type.info as [CqlType, CqlType];
  const out = new Map<unknown, unknown>();
  for (const [k, v] of entries) {
    if (k === null || k === undefined) fail(value, type, 'a map key is null');
    const key = inside(() => toCqlValue(k, keyType), 'a key');
    out.set(
      key,
      inside(() => toCqlValue(v, valueType), `the value of key '${String(k)}'`),
    );
  }
  return out;
}

function toUdt(value: unknown, type: CqlType): Record<string, unknown> {
  const entries = entriesOf(value);
  if (!entries) return fail(value, type, 'expected a Struct or an object');
  const udt = type.info as UdtInfo;
  const out: Record<string, unknown> = {};
  for (const [name, v] of entries) {
    const field = matchName(
      String(name),
      udt.fields.map((f) => f.name),
    );
    if (field === undefined) {
      fail(
        value,
        type,
        `the type has no field '${String(name)}' (fields: ${udt.fields.map((f) => f.name).join(', ')})`,
      );
    }
    const fieldType = udt.fields.find((f) => f.name === field)!.type;
    out[field] = inside(() => toCqlValue(v, fieldType), `field '${field}'`);
  }
  return out;
}

function toTuple(value: unknown, type: CqlType): InstanceType<typeof Tuple> {
  const elements = elementsOf(value);
  const types = type.info as CqlType[];
  if (!elements || elements.length !== types.length)
    return fail(value, type, `expected an array of ${types.length} elements`);
  return Tuple.fromArray(elements.map((e, i) => inside(() => toCqlValue(e, types[i]!), `element ${i}`)));
}

/** Runs a nested conversion, prefixing its error with where in the outer value it happened. */
function inside<T>(convert: () => T, where: string): T {
  try {
    return convert();
  } catch (e) {
    if (e instanceof CqlConversionError) throw new CqlConversionError(`${where}: ${e.message}`);
    throw e;
  }
}

/**
 * A record's field name → one of `names` (columns or UDT fields): the exact name, otherwise the only
 * one that differs by case alone (CQL folds unquoted names to lower case, so a `firstName` field meets a
 * `firstname` column). Undefined when there is none, or several differ by case only.
 */
export function matchName(name: string, names: readonly string[]): string | undefined {
  if (names.includes(name)) return name;
  const lower = name.toLowerCase();
  const matches = names.filter((n) => n.toLowerCase() === lower);
  return matches.length === 1 ? matches[0] : undefined;
}
