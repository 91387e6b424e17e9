import avro from 'avsc';
import { isUnwrappedUnion } from './union-fields.js';

// How Sluice builds avsc Types from Avro schema JSON, so that every part of the converter sees the
// same datum shapes:
// - `long` is a `bigint` on read (Connect INT64); on write a bigint or a safe-integer number.
// - a union of `null` and one other type, or of a single type, is unwrapped (null or the value: no
//   object per optional field on the hot path); every other union is wrapped (`{branchName: value}`),
//   so the branch a value was written with is never guessed.
// - no avsc logical types: decimals stay bytes, dates stay ints; AvroData applies Connect's rules.

export type AvroSchema = avro.Schema;
export type AvscType = avro.Type;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** A varint of up to 7 bytes (49 bits) is exact in a double; an 8th byte (scale 2^49) takes the bigint path. */
const EXACT_LIMIT = 2 ** 49;
const TWO_POW_52 = 2 ** 52;

interface Tap {
  buf: Buffer;
  pos: number;
  writeLong(n: number): void;
}

function isLong(value: unknown): boolean {
  if (typeof value === 'bigint') return value >= INT64_MIN && value <= INT64_MAX;
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Reads a zig-zag varint from the tap as a bigint; doubles do the work while they are exact. */
function readBigIntLong(tap: Tap): bigint {
  const buf = tap.buf;
  let pos = tap.pos;
  let b = buf[pos++]!;
  let n = b & 0x7f;
  let scale = 128;
  while (b & 0x80) {
    if (scale >= EXACT_LIMIT) return readBigIntLongSlow(tap);
    b = buf[pos++]!;
    n += (b & 0x7f) * scale;
    scale *= 128;
  }
  tap.pos = pos;
  return BigInt(n % 2 === 0 ? n / 2 : -(n + 1) / 2);
}

function readBigIntLongSlow(tap: Tap): bigint {
  const buf = tap.buf;
  let n = 0n;
  let shift = 0n;
  let b: number;
  do {
    b = buf[tap.pos++]!;
    n |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  } while (b & 0x80 && shift < 70n);
  n = BigInt.asUintN(64, n);
  return (n & 1n) === 0n ? n >> 1n : -((n + 1n) >> 1n);
}

function writeBigIntLong(tap: Tap, value: bigint | number): void {
  // avsc's writeLong computes the zig-zag value in a double, which is inexact beyond 2^52.
  if (typeof value === 'number') {
    if (value > -TWO_POW_52 && value < TWO_POW_52) {
      tap.writeLong(value);
      return;
    }
    value = BigInt(value);
  }
  // Writes past the end of the buffer are dropped and leave the tap invalid; avsc then retries
  // with a larger buffer, as for its own types.
  let n = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  while (n >= 0x80n) {
    tap.buf[tap.pos++] = Number(n & 0x7fn) | 0x80;
    n >>= 7n;
  }
  tap.buf[tap.pos++] = Number(n);
}

/**
 * Avro `long` as Connect's INT64: a bigint on read. It reads the varint straight from avsc's tap
 * (avsc's `LongType.__with` hook would allocate a buffer per value).
 */
class BigIntLongType extends avro.types.LongType {
  _read(tap: Tap): bigint {
    return readBigIntLong(tap);
  }

  _write(tap: Tap, value: unknown): void {
    if (!isLong(value)) throw new Error(`invalid "long": ${String(value)}`);
    writeBigIntLong(tap, value as bigint | number);
  }

  _check(value: unknown, _flags: unknown, hook?: (value: unknown, type: unknown) => void): boolean {
    const ok = isLong(value);
    if (!ok && hook) hook(value, this);
    return ok;
  }

  _copy(value: unknown, opts?: { coerce?: number }): unknown {
    if (opts?.coerce === 3) return Number(value);
    if (!isLong(value)) throw new Error(`invalid "long": ${String(value)}`);
    return typeof value === 'bigint' ? value : BigInt(value as number);
  }

  override compare(a: bigint | number, b: bigint | number): number {
    return a === b ? 0 : a < b ? -1 : 1;
  }

  /** Schema resolution: an `int` writer is promoted to bigint too. */
  _update(
    resolver: { _read: (tap: Tap) => unknown },
    writer: avro.Type & { _read(tap: Tap): unknown },
  ): void {
    if (writer.typeName === 'int') resolver._read = (tap) => BigInt(writer._read(tap) as number);
    else if (writer.typeName === 'long' || writer.typeName === ABSTRACT_LONG) resolver._read = readBigIntLong;
  }

  _deref(): string {
    return 'long';
  }
}

// avsc's own name for a long with a custom representation: unwrapped unions then check values with
// `_check` instead of by JS type (a bigint is not a "number"), and the union branch is still `long`.
const ABSTRACT_LONG = 'abstract:long';
Object.assign(BigIntLongType.prototype, { typeName: ABSTRACT_LONG, _concreteTypeName: 'long' });

const BIGINT_LONG = new BigIntLongType();

/** Unions being built right now, so that the hook does not intercept its own forSchema call. */
const building = new Set<unknown>();

function typeHook(schema: avro.Schema, opts: avro.ForSchemaOptions): avro.Type | undefined {
  if (schema === 'long' || (isPlainObject(schema) && (schema as { type?: unknown }).type === 'long')) {
    return BIGINT_LONG;
  }
  if (Array.isArray(schema) && !building.has(schema)) {
    const previous = opts.wrapUnions;
    building.add(schema);
    opts.wrapUnions = isUnwrappedUnion(schema.length, schema.filter((b) => b === 'null').length)
      ? 'never'
      : 'always';
    try {
      return avro.Type.forSchema(schema, opts);
    } finally {
      opts.wrapUnions = previous;
      building.delete(schema);
    }
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An avsc Type for Avro schema JSON (an object, array or type name), with the conventions above. */
export function avscType(schema: AvroSchema): AvscType {
  return avro.Type.forSchema(schema, { typeHook, omitRecordMethods: true } as Partial<avro.ForSchemaOptions>);
}

/** A resolver that reads data written with `writer` as `reader` (Avro schema resolution). */
export function resolverFor(reader: AvscType, writer: AvscType): ReturnType<AvscType['createResolver']> {
  return reader.createResolver(writer);
}

/** The full name of a named Avro type (record, enum, fixed), or null for any other schema. */
export function namedTypeFullName(type: AvscType): string | null {
  const t = type as AvscType & { typeName: string; name?: string };
  return t.typeName === 'record' || t.typeName === 'enum' || t.typeName === 'fixed' ? (t.name ?? null) : null;
}

/** Whether a wrapped union value (`{branch: value}`) or an unwrapped type is a union. */
export function isUnionType(type: AvscType): boolean {
  const name = (type as AvscType & { typeName: string }).typeName;
  return name === 'union:wrapped' || name === 'union:unwrapped';
}
