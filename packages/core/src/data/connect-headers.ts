import { DataException } from '../errors.js';
import type { ConnectDecimal } from './connect-decimal.js';
import { Decimal, LogicalDate, Time, Timestamp } from './logical-types.js';
import { Schema } from './schema.js';
import type { Struct } from './struct.js';
import { validateValue } from './validate.js';

/** One header: the same shape as sink/api.ts's ConnectHeader. */
export interface Header {
  readonly key: string;
  readonly schema: Schema | null;
  readonly value: unknown;
}

/** Returns the replacement header, or null to remove it (Kafka's HeaderTransform). */
export type HeaderTransform = (header: Header) => Header | null;

/**
 * Kafka Connect's ConnectHeaders: an ordered multimap of headers (a key may repeat; order is kept).
 * Values are validated against their schema when added.
 */
export class ConnectHeaders implements Iterable<Header> {
  #headers: Header[];

  constructor(headers: Iterable<Header> = []) {
    this.#headers = [...headers];
  }

  get size(): number {
    return this.#headers.length;
  }

  isEmpty(): boolean {
    return this.#headers.length === 0;
  }

  [Symbol.iterator](): Iterator<Header> {
    return this.#headers[Symbol.iterator]();
  }

  toArray(): Header[] {
    return [...this.#headers];
  }

  add(key: string, value: unknown, schema: Schema | null = null): this {
    if (!key) throw new DataException('Header key cannot be null or empty');
    if (schema !== null) {
      try {
        validateValue(schema, value ?? null);
      } catch (e) {
        throw new DataException(`Header '${key}': ${(e as Error).message}`, { cause: e });
      }
    }
    this.#headers.push({ key, schema, value: value ?? null });
    return this;
  }

  addString(key: string, value: string | null): this {
    return this.add(key, value, Schema.OPTIONAL_STRING_SCHEMA);
  }

  addBoolean(key: string, value: boolean): this {
    return this.add(key, value, Schema.BOOLEAN_SCHEMA);
  }

  addByte(key: string, value: number): this {
    return this.add(key, value, Schema.INT8_SCHEMA);
  }

  addShort(key: string, value: number): this {
    return this.add(key, value, Schema.INT16_SCHEMA);
  }

  addInt(key: string, value: number): this {
    return this.add(key, value, Schema.INT32_SCHEMA);
  }

  addLong(key: string, value: bigint | number): this {
    return this.add(key, typeof value === 'number' ? BigInt(value) : value, Schema.INT64_SCHEMA);
  }

  addFloat(key: string, value: number): this {
    return this.add(key, value, Schema.FLOAT32_SCHEMA);
  }

  addDouble(key: string, value: number): this {
    return this.add(key, value, Schema.FLOAT64_SCHEMA);
  }

  addBytes(key: string, value: Uint8Array): this {
    return this.add(key, value, Schema.BYTES_SCHEMA);
  }

  addList(key: string, value: unknown[], schema: Schema): this {
    return this.add(key, value, schema);
  }

  addMap(key: string, value: Map<unknown, unknown>, schema: Schema): this {
    return this.add(key, value, schema);
  }

  addStruct(key: string, value: Struct): this {
    return this.add(key, value, value.schema);
  }

  addDecimal(key: string, value: ConnectDecimal): this {
    return this.add(key, value, Decimal.schema(value.scale));
  }

  addDate(key: string, value: Date): this {
    return this.add(key, value, LogicalDate.schema());
  }

  addTime(key: string, value: Date): this {
    return this.add(key, value, Time.schema());
  }

  addTimestamp(key: string, value: Date): this {
    return this.add(key, value, Timestamp.schema());
  }

  lastWithName(key: string): Header | null {
    for (let i = this.#headers.length - 1; i >= 0; i--) {
      if (this.#headers[i]!.key === key) return this.#headers[i]!;
    }
    return null;
  }

  allWithName(key: string): Header[] {
    return this.#headers.filter((h) => h.key === key);
  }

  remove(key: string): this {
    this.#headers = this.#headers.filter((h) => h.key !== key);
    return this;
  }

  /** Keeps only the last header of `key`, or of every key when none is given. */
  retainLatest(key?: string): this {
    const seen = new Set<string>();
    const kept: Header[] = [];
    for (let i = this.#headers.length - 1; i >= 0; i--) {
      const h = this.#headers[i]!;
      if ((key === undefined || h.key === key) && seen.has(h.key)) continue;
      seen.add(h.key);
      kept.push(h);
    }
    this.#headers = kept.reverse();
    return this;
  }

  clear(): this {
    this.#headers = [];
    return this;
  }

  /** Replaces every header (or every header of `key`) by the transform's result; null removes it. */
  apply(transform: HeaderTransform, key?: string): this {
    const out: Header[] = [];
    for (const h of this.#headers) {
      const next = key === undefined || h.key === key ? transform(h) : h;
      if (next) out.push(next);
    }
    this.#headers = out;
    return this;
  }

  duplicate(): ConnectHeaders {
    return new ConnectHeaders(this.#headers);
  }
}
