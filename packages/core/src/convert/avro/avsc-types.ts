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

const TWO_POW_52 = 2 ** 52;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Decodes a zig-zag varint (the raw bytes avsc hands over with `noUnpack`) into a bigint. */
function readLong(buf: Buffer): bigint {
  const length = buf.length;
  if (length <= 7) {
    // At most 49 bits: exact in a double, far cheaper than bigint arithmetic.
    let n = 0;
    let scale = 1;
    for (let i = 0; i < length; i++) {
      n += (buf[i]! & 0x7f) * scale;
      scale *= 128;
    }
    return BigInt(n % 2 === 0 ? n / 2 : -(n + 1) / 2);
  }
  let n = 0n;
  let shift = 0n;
  for (let i = 0; i < length; i++) {
    n |= BigInt(buf[i]! & 0x7f) << shift;
    shift += 7n;
  }
  n = BigInt.asUintN(64, n);
  return (n & 1n) === 0n ? n >> 1n : -((n + 1n) >> 1n);
}

/** Encodes a long as a zig-zag varint. */
function writeLong(value: bigint | number): Buffer {
  if (typeof value === 'number' && Math.abs(value) < TWO_POW_52) {
    let n = value >= 0 ? value * 2 : -value * 2 - 1;
    const bytes: number[] = [];
    while (n >= 128) {
      bytes.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    bytes.push(n);
    return Buffer.from(bytes);
  }
  const v = BigInt(value);
  let n = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  const bytes: number[] = [];
  while (n >= 128n) {
    bytes.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  bytes.push(Number(n));
  return Buffer.from(bytes);
}

function isLong(value: unknown): boolean {
  if (typeof value === 'bigint') return value >= INT64_MIN && value <= INT64_MAX;
  return typeof value === 'number' && Number.isSafeInteger(value);
}

const BIGINT_LONG = avro.types.LongType.__with(
  {
    fromBuffer: readLong,
    toBuffer: writeLong,
    fromJSON: (json: unknown) => BigInt(json as number | string),
    toJSON: (value: bigint | number) => Number(value),
    isValid: isLong,
    compare: (a: bigint | number, b: bigint | number) => (a === b ? 0 : a < b ? -1 : 1),
  },
  true,
);


/** Unions being built right now, so that the hook does not intercept its own forSchema call. */
const building = new Set<unknown>();

function typeHook(schema: avro.Schema, opts: avro.ForSchemaOptions): avro.Type | undefined {
  if (schema === 'long' || (isPlainObject(schema) && (schema as { type?: unknown }).type === 'long')) {
    return BIGINT_LONG;
  }
  if (Array.isArray(schema) && !building.has(schema)) {
    const previous = opts.wrapUnions;
    building.add(schema);
    opts.wrapUnions = isUnwrappedUnion(schema.length, schema.filter((b) => b === 'null').length) ? 'never' : 'always';
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
