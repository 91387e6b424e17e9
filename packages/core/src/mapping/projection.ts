import type { SinkRecord } from '../data/sink-record.js';
import type { Schema } from '../data/schema.js';
import { child, childNames, isContainer, isStruct, toPlain } from './connect-values.js';
import {
  fieldSource,
  resolveField,
  resolveFieldAndParent,
  type FieldOrigin,
  type FieldSource,
} from './field-paths.js';
import { RecordView, type MappingContext } from './record-view.js';
import { fieldSegments, type KcqlField, type KcqlStatement } from './statement.js';
import { mapValue, type ValueHooks } from './value-mapping.js';

// KCQL projection (spec/stream-reactor-sinks.md §1.6), one semantics for Struct, Map and JSON-text
// values — Stream Reactor had three that disagreed (§13, user pain #788):
// - `*` keeps every top-level field; IGNORE removes paths; `*, a AS b` renames a (the reference
//   forgot the alias for Structs);
// - an explicit list keeps only what it names (the reference kept unselected Map keys);
// - `a.b.c [AS x]` is written at the top level under its alias (leaf name by default), or, with
//   WITHSTRUCTURE, at `a.b.<alias>`; `a.*` copies a's children the same way;
// - `_key.x`, `_header.h.x` and `_.topic|partition|offset|timestamp` are written at the top level;
// - a flattened name that is already taken gets a `_1`, `_2`… suffix, as the reference's SQL path does;
// - IGNORE takes full paths (`IGNORE a.b` removes b inside a; the reference matched leaf names).
// Leaves keep Connect's representations, or, with `valueHooks`, are mapped by their Connect schema
// (a Struct field's schema; runtime type without one), so that the store gets its native types.

export type Document = Record<string, unknown>;

export type ProjectionStatement = Pick<
  KcqlStatement,
  'fields' | 'keyFields' | 'headerFields' | 'ignoredFields' | 'retainStructure'
>;

export interface ProjectionOptions extends MappingContext {
  /** A selected path the record does not have: fail the record (default) or leave the field out. */
  readonly missingFields?: 'error' | 'omit';
  /** Maps each selected value through these hooks, with its schema (see valueHooks). */
  readonly valueHooks?: ValueHooks;
}

/** Turns a selected value into what the document holds; `skip` / `path` carry IGNORE. */
type Leaf = (
  value: unknown,
  schema: Schema | null,
  skip: ReadonlySet<string> | undefined,
  path: string,
) => unknown;

function leafOf(options: ProjectionOptions): Leaf {
  const hooks = options.valueHooks;
  if (!hooks) return (value, _schema, skip, path) => toPlain(value, skip, path);
  return (value, schema, skip, path) => mapValue(value, schema, hooks, skip, path);
}

/** The schema of a container's child: a Struct field's; null for Maps and objects. */
function childSchema(container: unknown, name: string): Schema | null {
  if (!isStruct(container)) return null;
  const field = container.schema.fields().find((f) => f.name === name);
  return (field?.schema as Schema | undefined) ?? null;
}

/** What a statement asks of every record, worked out once per statement. */
interface ProjectionPlan {
  readonly ignored: ReadonlySet<string>;
  /** `*` at the top level: every top-level field, with these renames (`*, a AS b`). */
  readonly wildcard: boolean;
  readonly topLevel: readonly KcqlField[];
  readonly renames: ReadonlyMap<string, string>;
  /** The value fields handled one by one. */
  readonly rest: readonly KcqlField[];
}

const plans = new WeakMap<ProjectionStatement, ProjectionPlan>();

function planOf(statement: ProjectionStatement): ProjectionPlan {
  let plan = plans.get(statement);
  if (plan === undefined) {
    const wildcard = statement.fields.some((f) => isValueField(f) && f.name === '*' && !f.parents);
    const topLevel = wildcard
      ? statement.fields.filter((f) => isValueField(f) && !f.parents && f.name !== '*')
      : [];
    plan = {
      ignored: ignoredPaths(statement.ignoredFields),
      wildcard,
      topLevel,
      renames: new Map(topLevel.map((f) => [f.name, f.alias])),
      rest: wildcard
        ? statement.fields.filter((f) => f.name !== '*' || f.parents).filter((f) => !topLevel.includes(f))
        : statement.fields,
    };
    plans.set(statement, plan);
  }
  return plan;
}

export function projectRecord(
  record: SinkRecord | RecordView,
  statement: ProjectionStatement,
  options: ProjectionOptions = {},
): Document {
  const view = record instanceof RecordView ? record : new RecordView(record, options);
  const root = view.value();
  const { ignored, wildcard, topLevel, renames, rest } = planOf(statement);
  const missing = options.missingFields === 'omit' ? 'absent' : 'error';
  const out = new DocumentBuilder(statement.retainStructure);
  const leaf = leafOf(options);

  if (wildcard) {
    for (const f of topLevel) resolveField(view, fieldSource(view, f, 'value'), missing);
    for (const name of childNames(root)) {
      if (ignored.has(name)) continue;
      const value = (child(root, name) as { value: unknown }).value;
      out.put([renames.get(name) ?? name], leaf(value, childSchema(root, name), ignored, name));
    }
  }

  for (const f of rest) addField(view, out, f, 'value', ignored, missing, leaf);
  for (const f of statement.keyFields) addField(view, out, f, 'key', ignored, missing, leaf);
  for (const f of statement.headerFields) addField(view, out, f, 'header', ignored, missing, leaf);
  return out.document;
}

function addField(
  view: RecordView,
  out: DocumentBuilder,
  field: KcqlField,
  origin: FieldOrigin,
  ignored: ReadonlySet<string>,
  missing: 'error' | 'absent',
  leaf: Leaf,
): void {
  const structured = origin === 'value' && field.type === 'VALUE';
  if (field.name === '*' && origin === 'header' && !field.parents) {
    for (const h of view.record.headers) out.put([h.key], leaf(h.value, h.schema, undefined, ''));
    return;
  }
  if (field.name === '*') {
    const source = fieldSource(view, containerOf(field), origin);
    const found = resolveField(view, source, missing);
    if (!found.found || found.value === null) return;
    if (!isContainer(found.value)) {
      throw view.error(`'*' needs a Struct, Map or object here, found a single value`, source.label);
    }
    const prefix = source.segments.join('.');
    for (const name of childNames(found.value)) {
      const path = prefix === '' ? name : `${prefix}.${name}`;
      if (origin === 'value' && ignored.has(path)) continue;
      const value = leaf(
        (child(found.value, name) as { value: unknown }).value,
        childSchema(found.value, name),
        origin === 'value' ? ignored : undefined,
        path,
      );
      out.put(structured ? [...source.segments, name] : [name], value);
    }
    return;
  }
  const source = fieldSource(view, field, origin);
  const { lookup: found, parent } = resolveFieldAndParent(view, source, missing);
  if (!found.found) return;
  const skip = origin === 'value' && ignored.size > 0 ? ignored : undefined;
  const value = leaf(
    found.value,
    leafSchema(view, source, found.value, parent),
    skip,
    // The path only matters to IGNORE.
    skip ? source.segments.join('.') : '',
  );
  out.put(structured ? [...source.segments.slice(0, -1), field.alias] : [field.alias], value);
}

const containers = new WeakMap<KcqlField, KcqlField>();

/**
 * The field a `*` reads its children from: `a.b.*` the container at a.b, `_key.*` (no parents) the
 * whole key. One per field, so that what is worked out per field (fieldSource) is kept.
 */
function containerOf(field: KcqlField): KcqlField {
  let container = containers.get(field);
  if (container === undefined) {
    const parents = field.parents ?? [];
    container =
      parents.length > 0
        ? { ...field, name: parents.at(-1)!, parents: parents.length > 1 ? parents.slice(0, -1) : null }
        : { ...field, name: '_key', parents: null };
    containers.set(field, container);
  }
  return container;
}

/**
 * The schema of a resolved field: its parent Struct's field schema, a header's schema, or by runtime
 * type. `parent` is the container it was read from.
 */
function leafSchema(view: RecordView, source: FieldSource, value: unknown, parent: unknown): Schema | null {
  if (isStruct(value)) return value.schema as unknown as Schema;
  if (source.segments.length === 0) {
    if (source.root === view.record.value) return view.record.valueSchema;
    if (source.root === view.record.key) return view.record.keySchema;
    return null;
  }
  return childSchema(parent, source.segments.at(-1)!);
}

function isValueField(f: KcqlField): boolean {
  return f.type === 'VALUE';
}

function ignoredPaths(fields: readonly KcqlField[]): Set<string> {
  const paths = new Set<string>();
  for (const f of fields) {
    if (f.type !== 'VALUE') continue;
    const segments = fieldSegments(f);
    paths.add((segments[0] === '_value' && segments.length > 1 ? segments.slice(1) : segments).join('.'));
  }
  return paths;
}

/** Builds the output document; a name that is already taken gets a numeric suffix. */
class DocumentBuilder {
  readonly document: Document = {};

  constructor(private readonly retainStructure: boolean) {}

  put(path: readonly string[], value: unknown): void {
    let target = this.document;
    if (!this.retainStructure || path.length === 1) {
      const name = path[path.length - 1]!;
      target[name in target ? freeName(target, name) : name] = value;
      return;
    }
    const segments = path;
    for (const segment of segments.slice(0, -1)) {
      const existing = target[segment];
      if (
        typeof existing === 'object' &&
        existing !== null &&
        !Array.isArray(existing) &&
        !(existing instanceof Map)
      ) {
        target = existing as Document;
      } else {
        const created: Document = {};
        target[existing === undefined ? segment : freeName(target, segment)] = created;
        target = created;
      }
    }
    const leaf = segments.at(-1)!;
    target[leaf in target ? freeName(target, leaf) : leaf] = value;
  }
}

function freeName(target: Document, name: string): string {
  for (let i = 1; ; i++) if (!(`${name}_${i}` in target)) return `${name}_${i}`;
}
