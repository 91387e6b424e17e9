import { escape } from '@influxdata/influxdb-client';

// InfluxDB line protocol text: `measurement[,tag=v…] field=v[,field=v…] time`. Escaping is the client
// library's (measurement: commas and spaces; tag keys, tag values and field keys: also `=`; string
// field values: quotes and backslashes); numbers are typed here: an integer ends in `i`, a float never
// does, so InfluxDB keeps the type the record had.

export interface LinePoint {
  readonly measurement: string;
  /** Tag key → value, unescaped. Empty values are left out (InfluxDB has no empty tag value). */
  readonly tags: ReadonlyMap<string, string>;
  /** Field key (unescaped) → the value's line-protocol text (see fieldInteger…). */
  readonly fields: ReadonlyMap<string, string>;
  /** In the precision the point is written with. */
  readonly time: bigint;
}

// The client's escapers look every character up in a table; most texts need no escaping at all, which
// one native regex test tells (the 800-character string of a 1 KB record took most of a point's time).
const MEASUREMENT_SPECIAL = /[, \n\r\t]/;
const TAG_SPECIAL = /[,= \n\r\t]/;

const escapeMeasurement = (text: string) =>
  MEASUREMENT_SPECIAL.test(text) ? escape.measurement(text) : text;
const escapeTag = (text: string) => (TAG_SPECIAL.test(text) ? escape.tag(text) : text);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An integer field, or null when it does not fit InfluxDB's signed 64-bit integers. */
export function fieldInteger(value: bigint): string | null {
  return value < INT64_MIN || value > INT64_MAX ? null : `${value}i`;
}

/** A float field, or null for NaN and ±Infinity, which InfluxDB cannot store. */
export function fieldFloat(value: number): string | null {
  return Number.isFinite(value) ? String(value) : null;
}

export function fieldBoolean(value: boolean): string {
  return value ? 'true' : 'false';
}

export function fieldString(value: string): string {
  // Two memchr-like scans are cheaper than a regex over a long text (a 1 KB record's payload).
  return value.indexOf('"') === -1 && value.indexOf('\\') === -1 ? `"${value}"` : escape.quoted(value);
}

/** A point's line (without the newline) and its identity in InfluxDB: measurement, tags and time. */
export function encodePoint(point: LinePoint): { line: string; identity: string } {
  const series = seriesKey(point);
  let fields = '';
  for (const [name, text] of point.fields) fields += `${fields === '' ? '' : ','}${escapeTag(name)}=${text}`;
  const time = String(point.time);
  return { line: `${series} ${fields} ${time}`, identity: `${series} ${time}` };
}

/** One line of line protocol, without the newline. */
export function toLine(point: LinePoint): string {
  return encodePoint(point).line;
}

function seriesKey(point: LinePoint): string {
  let key = escapeMeasurement(point.measurement);
  // InfluxDB sorts tags itself; sending them sorted saves it the work and makes the identity canonical.
  for (const name of [...point.tags.keys()].sort()) {
    const value = point.tags.get(name)!;
    if (value !== '') key += `,${escapeTag(name)}=${escapeTag(value)}`;
  }
  return key;
}
