import { child, childNames, describeType, isContainer, type Lookup } from './connect-values.js';
import type { RecordView } from './record-view.js';
import { fieldPath, fieldSegments, type KcqlField } from './statement.js';

// Where a KCQL field reads from, and walking a dotted path through Structs, Maps and objects.

/** Which part of the record a field path starts in. */
export type FieldOrigin = 'value' | 'key' | 'header';

export interface FieldSource {
  /** The root value the segments are resolved against; `undefined` for a header that is absent. */
  readonly root: unknown;
  readonly segments: readonly string[];
  /** How the user wrote the field, for messages. */
  readonly label: string;
}

/**
 * The root and path of a field: metadata fields (`_.topic`…) resolve to a constant, `_.key.x` and
 * `_key.x` (keyFields, or a PK written `_key.x`) to the record key, `_header.h.x` to header `h`, and a
 * leading `_value.` is dropped (the parser keeps it as an ordinary parent).
 */
export function fieldSource(view: RecordView, field: KcqlField, origin: FieldOrigin): FieldSource {
  const record = view.record;
  const { segments, labels } = pathsOf(field);
  const label = labels[origin];
  switch (field.type) {
    case 'TOPIC':
      return { root: record.topic, segments: [], label };
    case 'PARTITION':
      return { root: record.kafkaPartition, segments: [], label };
    case 'OFFSET':
      return { root: record.kafkaOffset, segments: [], label };
    case 'TIMESTAMP':
      return { root: record.timestamp, segments: [], label };
    case 'KEY':
      return { root: view.key(), segments, label };
    case 'VALUE':
      break;
  }
  if (origin === 'key') return { root: view.key(), segments: dropBareKey(segments), label };
  if (origin === 'header') {
    const [name, ...rest] = segments;
    const header = [...record.headers].reverse().find((h) => h.key === name);
    return { root: header?.value, segments: header ? rest : segments, label };
  }
  if (segments[0] === '_key') return { root: view.key(), segments: segments.slice(1), label };
  if (segments[0] === '_value' && segments.length > 1)
    return { root: view.value(), segments: segments.slice(1), label };
  return { root: view.value(), segments, label };
}

/** The current dialect parses a bare `_key` as a key field named `_key`: the whole key. */
function dropBareKey(segments: readonly string[]): readonly string[] {
  return segments.length === 1 && segments[0] === '_key' ? [] : segments;
}

/** A field's segments and labels, built once per field (a statement's fields serve every record). */
interface FieldPaths {
  readonly segments: readonly string[];
  readonly labels: Readonly<Record<FieldOrigin, string>>;
}

const fieldPaths = new WeakMap<KcqlField, FieldPaths>();

function pathsOf(field: KcqlField): FieldPaths {
  let paths = fieldPaths.get(field);
  if (paths === undefined) {
    const path = fieldPath(field);
    paths = {
      segments: fieldSegments(field),
      labels: { value: path, key: `_key.${path}`, header: `_header.${path}` },
    };
    fieldPaths.set(field, paths);
  }
  return paths;
}

/**
 * Resolves `source.segments` from `source.root`. A null on the way yields null (an optional parent that
 * is not set); a non-container on the way is a DataException; a missing name is a DataException
 * listing what is there, unless `missing` is 'absent'.
 */
export function resolveField(
  view: RecordView,
  source: FieldSource,
  missing: 'error' | 'absent' = 'error',
): Lookup {
  return resolveFieldAndParent(view, source, missing).lookup;
}

/**
 * resolveField, and the container the value was read from (its Struct field schema tells the value's
 * schema): undefined at the root, null when a null parent cut the path short.
 */
export function resolveFieldAndParent(
  view: RecordView,
  source: FieldSource,
  missing: 'error' | 'absent' = 'error',
): { lookup: Lookup; parent: unknown } {
  if (source.root === undefined) {
    if (missing === 'absent') return { lookup: { found: false }, parent: undefined };
    throw view.error('the record has no such header', source.label);
  }
  let current: unknown = source.root;
  let parent: unknown = undefined;
  for (let i = 0; i < source.segments.length; i++) {
    const name = source.segments[i]!;
    if (current === null || current === undefined)
      return { lookup: { found: true, value: null }, parent: null };
    if (!isContainer(current)) {
      const at = i === 0 ? 'the root' : `'${source.segments.slice(0, i).join('.')}'`;
      throw view.error(
        `${at} is ${describeType(current)}, not a Struct, Map or object, so '${name}' cannot be read from it`,
        source.label,
      );
    }
    const next = child(current, name);
    if (!next.found) {
      if (missing === 'absent') return { lookup: next, parent: current };
      const available = childNames(current);
      throw view.error(
        `'${name}' does not exist; available fields are [${available.join(', ')}]. Fix the KCQL select list or the data.`,
        source.label,
      );
    }
    parent = current;
    current = next.value;
  }
  return { lookup: { found: true, value: current }, parent };
}
