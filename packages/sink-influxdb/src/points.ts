import { parseJsonText, recordError, type DataException, type SinkRecord } from '@sluice/core/sink';
import type { LinePoint } from './line-protocol.js';
import type { InfluxRoute, RecordPath } from './route.js';
import { fromNanos, parseIsoInstant, secondsToNanos, type NanoClock, type Precision } from './timestamps.js';
import {
  UnsupportedValue,
  addFieldValues,
  childSlot,
  children,
  isContainer,
  tagText,
  type Slot,
} from './values.js';

// One record under one KCQL statement → InfluxDB points (spec §3.3): the measurement from the target
// or WITHTARGET, fields from the select list, tags from WITHTAG, the time from WITHTIMESTAMP in the
// statement's unit (or now, in nanoseconds). With PROPERTIES('explode'='a'), one point per element of
// the array `a`: the select list, tags and time are read from the element first, then from the record.

export interface PointContext {
  readonly connectorName: string;
  readonly clock: NanoClock;
  /** connect.influx.schemaless.numbers=FLOAT. */
  readonly schemalessFloats?: boolean;
  /** A warning about the route's data, not one record; the caller logs each distinct message once. */
  readonly warnOnce: (route: InfluxRoute, message: string) => void;
}

export interface RoutedPoint extends LinePoint {
  readonly precision: Precision;
}

/** The points of `record` under `route`; a record that cannot be written throws a DataException naming it. */
export function buildPoints(record: SinkRecord, route: InfluxRoute, ctx: PointContext): RoutedPoint[] {
  const reader = new RecordReader(record, ctx);
  try {
    if (!route.explode) return [buildPoint(reader, route, null)];
    const list = reader.resolve(route.explode, null);
    if (list === undefined || list.value === null || list.value === undefined) {
      throw reader.error(`the array to explode is missing`, route.explode.label);
    }
    if (!Array.isArray(list.value)) {
      throw reader.error(
        `explode needs an array of Structs, Maps or objects, found ${typeName(list.value)}`,
        route.explode.label,
      );
    }
    const element = list.schema?.valueSchema?.();
    return list.value.map((v, i) => {
      if (!isContainer(v)) {
        throw reader.error(
          `element ${i} of the exploded array is ${typeName(v)}, not a Struct, Map or object`,
          route.explode!.label,
        );
      }
      return buildPoint(reader, route, { value: v, schema: element, origin: list.origin });
    });
  } catch (e) {
    if (e instanceof UnsupportedValue) throw reader.error(e.message);
    throw e;
  }
}

function buildPoint(reader: RecordReader, route: InfluxRoute, element: Slot | null): RoutedPoint {
  const fields = new Map<string, string>();
  const add = (name: string, slot: Slot, label: string) => {
    if (name === 'time') {
      // InfluxDB refuses a field called time (the point's timestamp has that name).
      reader.ctx.warnOnce(
        route,
        `the field '${label}' is not written: InfluxDB cannot store a field named 'time' (alias it, e.g. SELECT ${label} AS t)`,
      );
      return;
    }
    try {
      addFieldValues(fields, name, slot, reader.ctx.schemalessFloats);
    } catch (e) {
      if (e instanceof UnsupportedValue) throw reader.error(e.message, label);
      throw e;
    }
  };
  if (route.allValueFields) {
    const root = element ?? reader.valueSlot();
    for (const [name, slot] of children(root.value, root.origin)) {
      if (route.ignoredNames.has(name) || route.selectedTopLevel.has(name)) continue;
      add(name, slot, name);
    }
  }
  if (route.allKeyFields) {
    const key = reader.keySlot();
    if (!isContainer(key.value))
      throw reader.error(
        `_key.* needs a Struct, Map or JSON object key, found ${typeName(key.value)}`,
        '_key.*',
      );
    for (const [name, slot] of children(key.value, key.origin)) {
      if (route.ignoredNames.has(name)) continue;
      add(name, slot, `_key.${name}`);
    }
  }
  for (const f of route.selected) {
    if (route.ignoredLabels.has(f.path.label)) continue;
    const slot = reader.resolve(f.path, f.path.root === 'value' ? element : null);
    if (slot === undefined) {
      throw reader.error(
        `the selected field does not exist in the record; fix the KCQL select list or the data`,
        f.path.label,
      );
    }
    add(f.name, slot, f.path.label);
  }
  if (fields.size === 0) {
    throw reader.error(
      `the point for ${route.label} has no field values (InfluxDB needs at least one; null fields are left out)`,
    );
  }

  const tags = new Map<string, string>();
  for (const tag of route.tags) {
    if (tag.kind === 'constant') {
      tags.set(tag.name, tag.value);
      continue;
    }
    const slot = reader.resolve(tag.path, element);
    const text = slot === undefined ? null : tagTextOf(reader, slot, tag.path.label);
    if (text === null || text === '') {
      reader.ctx.warnOnce(
        route,
        `records without a value for the tag field '${tag.path.label}' are written without that tag`,
      );
    } else tags.set(tag.name, text);
  }

  return {
    measurement: measurementOf(reader, route),
    tags,
    fields,
    time: timeOf(reader, route, element),
    precision: route.precision,
  };
}

function tagTextOf(reader: RecordReader, slot: Slot, label: string): string | null {
  try {
    return tagText(slot);
  } catch (e) {
    if (e instanceof UnsupportedValue) throw reader.error(e.message, label);
    throw e;
  }
}

function measurementOf(reader: RecordReader, route: InfluxRoute): string {
  if (route.measurementPath) {
    const slot = reader.resolve(route.measurementPath, null);
    const text = slot === undefined ? null : tagTextOf(reader, slot, route.measurementPath.label);
    if (text !== null && text !== '') return text;
  }
  return route.measurement;
}

function timeOf(reader: RecordReader, route: InfluxRoute, element: Slot | null): bigint {
  if (route.time.kind === 'now') return fromNanos(reader.ctx.clock.now(), route.precision);
  const path = route.time.path;
  const slot = reader.resolve(path, element);
  if (slot === undefined || slot.value === null || slot.value === undefined) {
    throw reader.error(`the WITHTIMESTAMP field has no value`, path.label);
  }
  if (isWholeUnitInteger(slot)) return integerIn(slot.value);
  const nanos = timestampNanos(slot.value);
  if (nanos === null) {
    throw reader.error(
      `${JSON.stringify(String(slot.value))} is not a timestamp: expected an integer in the TIMESTAMPUNIT, Unix seconds with a fraction, an ISO-8601 instant with a zone (2024-01-02T03:04:05.123456Z) or a Connect Timestamp`,
      path.label,
    );
  }
  return fromNanos(nanos, route.precision);
}

/** An integer timestamp is already in the statement's unit (Stream Reactor's rule); nothing to convert. */
function isWholeUnitInteger(slot: Slot): boolean {
  const { value, schema } = slot;
  if (schema?.name) return false;
  if (typeof value === 'bigint') return true;
  if (typeof value === 'string') return /^-?\d+$/.test(value.trim());
  if (typeof value !== 'number' || !Number.isInteger(value)) return false;
  // A FLOAT schema, or a schemaless Map's number (its integers are bigints), is a double: seconds.
  return !(schema?.type === 'FLOAT32' || schema?.type === 'FLOAT64' || slot.origin === 'map');
}

function integerIn(value: unknown): bigint {
  return BigInt(typeof value === 'string' ? value.trim() : (value as number | bigint));
}

/** Nanoseconds since the epoch of a date, ISO-8601 text or fractional Unix seconds; null for anything else. */
function timestampNanos(value: unknown): bigint | null {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? null : BigInt(ms) * 1_000_000n;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? secondsToNanos(value) : null;
  if (typeof value === 'string') return parseIsoInstant(value);
  return null;
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'bytes';
  if (isContainer(value)) return 'a nested value';
  return `a ${typeof value}`;
}

/** The record's value and key as trees paths can walk; JSON text is parsed once, on first use. */
class RecordReader {
  private value: Slot | undefined;
  private key: Slot | undefined;

  constructor(
    readonly record: SinkRecord,
    readonly ctx: PointContext,
  ) {}

  valueSlot(): Slot {
    if (this.value) return this.value;
    const raw = this.record.value;
    if (raw === null || raw === undefined)
      throw this.error('the value is null (a tombstone); InfluxDB has nothing to write for it');
    const slot = this.asTree(raw, this.record.valueSchema as Slot['schema'], 'value');
    if (!isContainer(slot.value))
      throw this.error(`the value is ${typeName(slot.value)}, not a Struct, Map or JSON object`);
    return (this.value = slot);
  }

  keySlot(): Slot {
    if (this.key) return this.key;
    const raw = this.record.key;
    return (this.key =
      raw === null || raw === undefined
        ? { value: null, origin: 'json' }
        : this.asTree(raw, this.record.keySchema as Slot['schema'], 'key'));
  }

  private asTree(raw: unknown, schema: Slot['schema'], what: string): Slot {
    if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
      const text = typeof raw === 'string' ? raw : raw.toString('utf8');
      try {
        return { value: parseJsonText(text), origin: 'json' };
      } catch (e) {
        if (what === 'key') return { value: raw, origin: 'json' };
        throw this.error(`the ${what} is not valid JSON (${(e as Error).message})`);
      }
    }
    if (raw instanceof Map) return { value: raw, origin: 'map' };
    if (schema && schema.type === 'STRUCT') return { value: raw, origin: 'struct' };
    return { value: raw, origin: isContainer(raw) && !(raw instanceof Map) ? 'json' : 'struct' };
  }

  /** The value at `path`, read from `element` first when given; undefined when absent. */
  resolve(path: RecordPath, element: Slot | null): Slot | undefined {
    if (path.root === 'value' && element) {
      const found = walk(element, path.segments, this, path.label);
      if (found !== undefined) return found;
    }
    const root = path.root === 'key' ? this.keySlot() : this.valueSlot();
    return walk(root, path.segments, this, path.label);
  }

  error(message: string, field?: string): DataException {
    return recordError(this.record, { connectorName: this.ctx.connectorName }, message, field);
  }
}

function walk(
  root: Slot,
  segments: readonly string[],
  reader: RecordReader,
  label: string,
): Slot | undefined {
  let current: Slot = root;
  for (let i = 0; i < segments.length; i++) {
    const value = current.value;
    if (value === null || value === undefined) return { value: null, origin: current.origin };
    if (!isContainer(value)) {
      const at = i === 0 ? 'the record' : `'${segments.slice(0, i).join('.')}'`;
      throw reader.error(`${at} is ${typeName(value)}, so '${segments[i]}' cannot be read from it`, label);
    }
    const next = childSlot(value, segments[i]!, current.origin);
    if (next === undefined) return undefined;
    current = next;
  }
  return current;
}
