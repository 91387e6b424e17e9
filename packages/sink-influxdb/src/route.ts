import { ConfigException, fieldSegments, type KcqlField, type KcqlStatement } from '@sluice/core/sink';
import { KCQL_KEY } from './config.js';
import { PRECISION_OF_UNIT, type Precision } from './timestamps.js';

// One KCQL statement compiled into what building a point needs (spec §3.2), checked once at start and
// at validate: whatever the sink cannot honour is refused here, naming the statement.

/** A path into the record: the value, or the key when written `_key.…`. */
export interface RecordPath {
  readonly root: 'value' | 'key';
  readonly segments: readonly string[];
  /** As the user wrote it, for messages. */
  readonly label: string;
}

export interface SelectedField {
  readonly path: RecordPath;
  readonly name: string;
}

export type TagSpec =
  | { readonly kind: 'field'; readonly name: string; readonly path: RecordPath }
  | { readonly kind: 'constant'; readonly name: string; readonly value: string };

export interface InfluxRoute {
  /** `FROM <topic> INTO <target>`, for messages. */
  readonly label: string;
  readonly measurement: string;
  readonly measurementPath: RecordPath | null;
  /** `SELECT *`: every top-level value field (minus IGNORE and the ones selected by name). */
  readonly allValueFields: boolean;
  /** `SELECT _key.*`. */
  readonly allKeyFields: boolean;
  readonly selected: readonly SelectedField[];
  /** Top-level value fields selected by name: `*` leaves them to the selection (which may alias them). */
  readonly selectedTopLevel: ReadonlySet<string>;
  /** Top-level names IGNORE removes from `*` / `_key.*` (Stream Reactor matched leaf names). */
  readonly ignoredNames: ReadonlySet<string>;
  /** Full labels (`a.b`, `_key.a`) IGNORE removes from the explicit selection. */
  readonly ignoredLabels: ReadonlySet<string>;
  readonly tags: readonly TagSpec[];
  readonly time: { readonly kind: 'now' } | { readonly kind: 'field'; readonly path: RecordPath };
  readonly precision: Precision;
  /** PROPERTIES('explode'='a.b'): one point per element of that array. */
  readonly explode: RecordPath | null;
}

export const EXPLODE_PROPERTY = 'explode';

function unquote(text: string): string {
  return text.replace(/`/g, '');
}

export function recordPath(text: string): RecordPath {
  const segments = text.split('.');
  if (segments[0]?.toLowerCase() === '_key') return { root: 'key', segments: segments.slice(1), label: text };
  if (segments[0] === '_value' && segments.length > 1)
    return { root: 'value', segments: segments.slice(1), label: text };
  return { root: 'value', segments, label: text };
}

function keyPath(field: KcqlField): RecordPath {
  const segments = fieldSegments(field);
  const rest = segments[0] === '_key' ? segments.slice(1) : segments;
  return { root: 'key', segments: rest, label: `_key.${rest.join('.')}` };
}

export function compileRoute(statement: KcqlStatement): InfluxRoute {
  const s = statement;
  const label = `FROM ${s.source ?? '?'} INTO ${s.target ?? '?'}`;
  const fail = (message: string): never => {
    throw new ConfigException(KCQL_KEY, `statement ${label}: ${message}`);
  };
  if (s.writeMode !== 'INSERT')
    fail(
      `${s.writeMode ?? 'no write mode'}: the InfluxDB sink only writes with INSERT (a point with the same series and time replaces the earlier one anyway).`,
    );

  const precision = PRECISION_OF_UNIT[s.timestampUnit ?? 'MILLISECONDS'];
  if (!precision) {
    fail(
      `TIMESTAMPUNIT = ${s.timestampUnit} has no InfluxDB write precision; use NANOSECONDS, MICROSECONDS, MILLISECONDS or SECONDS.`,
    );
  }

  const unknownProperties = Object.keys(s.properties ?? {}).filter((k) => k !== EXPLODE_PROPERTY);
  if (unknownProperties.length > 0) {
    fail(
      `PROPERTIES ${unknownProperties.map((k) => `'${k}'`).join(', ')} unknown to the InfluxDB sink; it reads only '${EXPLODE_PROPERTY}'.`,
    );
  }
  const explodeText = s.properties?.[EXPLODE_PROPERTY]?.trim();
  if (explodeText === '') fail(`PROPERTIES('${EXPLODE_PROPERTY}'='…') needs the path of an array field.`);
  const explode = explodeText ? recordPath(explodeText) : null;
  if (explode?.root === 'key') fail(`'${EXPLODE_PROPERTY}' must name a field of the value, not of the key.`);

  let allValueFields = false;
  let allKeyFields = false;
  const selected: SelectedField[] = [];
  for (const f of s.fields) {
    if (f.type === 'KEY') {
      if (f.name === '*') allKeyFields = true;
      else selected.push({ path: keyPath(f), name: f.alias });
      continue;
    }
    if (f.type !== 'VALUE')
      fail(`the field ${f.name} (record metadata) cannot be written by the InfluxDB sink.`);
    if (f.name === '*' && !f.parents) {
      allValueFields = true;
      continue;
    }
    if (f.name === '*')
      fail(`'${fieldSegments(f).join('.')}' is not supported; select the nested fields by name.`);
    const path = recordPath(fieldSegments(f).join('.'));
    if (path.root === 'key' && path.segments.length === 1 && path.segments[0] === '*') allKeyFields = true;
    else selected.push({ path, name: f.alias });
  }
  for (const f of s.keyFields) {
    if (f.name === '*' && !f.parents) allKeyFields = true;
    else if (f.name === '*')
      fail(`'_key.${fieldSegments(f).join('.')}' is not supported; select the nested key fields by name.`);
    else selected.push({ path: keyPath(f), name: f.alias });
  }

  const ignoredNames = new Set<string>();
  const ignoredLabels = new Set<string>();
  for (const f of s.ignoredFields) {
    const segments = fieldSegments(f);
    const text =
      f.type === 'KEY' || segments[0] === '_key'
        ? `_key.${segments.filter((x, i) => i > 0 || x !== '_key').join('.')}`
        : segments.join('.');
    ignoredLabels.add(text);
    ignoredNames.add(f.name);
  }

  // The parser keeps back-ticks (needed for keywords: WITHTAG (`from`, `to`)) in tag texts.
  const tags: TagSpec[] = (s.tags ?? []).map((t) => {
    const key = unquote(t.key);
    if (t.type === 'CONSTANT') return { kind: 'constant', name: key, value: unquote(t.value ?? '') };
    return { kind: 'field', name: t.type === 'ALIAS' ? unquote(t.value!) : key, path: recordPath(key) };
  });

  const time: InfluxRoute['time'] =
    s.timestamp === null || s.timestamp === undefined || s.timestamp.toLowerCase() === 'sys_time()'
      ? { kind: 'now' }
      : { kind: 'field', path: recordPath(s.timestamp) };

  return {
    label,
    measurement: s.target!,
    measurementPath: s.dynamicTarget ? recordPath(s.dynamicTarget) : null,
    allValueFields,
    allKeyFields,
    selected,
    selectedTopLevel: new Set(
      selected
        .filter((f) => f.path.root === 'value' && f.path.segments.length === 1)
        .map((f) => f.path.segments[0]!),
    ),
    ignoredNames,
    ignoredLabels,
    tags,
    time,
    // Stream Reactor wrote "now" in nanoseconds whatever the unit, which also keeps such points apart.
    precision: time.kind === 'now' ? 'ns' : precision!,
    explode,
  };
}
