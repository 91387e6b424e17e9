import {
  ConfigException,
  RecordView,
  describeType,
  extractPrimaryKeys,
  extractPrimaryKeysFromKey,
  isDecimal,
  projectRecord,
  type KcqlField,
  type KcqlStatement,
  type SinkRecord,
  type ValueHooks,
} from '@sluice/core/sink';
import { KCQL_KEY, type ElasticSettings } from './config.js';
import {
  documentJson,
  documentMapping,
  esJsonHooks,
  esMappingHooks,
  valueDocumentJson,
} from './documents.js';
import { IndexSuffix, parseIndexTarget, resolveIndex, type IndexTarget } from './index-name.js';

// One KCQL statement compiled once (`compileRoute`, also run by validate), and one record + its route →
// one bulk action (`toOperation`, pure: unit tested without a server). INSERT → `index` by id, UPSERT →
// `update` with `doc_as_upsert`; the id is the PK values joined with connect.elastic.pk.separator, or
// `<topic><sep><partition><sep><offset>` without PK, so a replay overwrites instead of duplicating.
// A tombstone follows PROPERTIES('behavior.on.null.values'): IGNORE (default), DELETE or FAIL.

export type NullBehaviour = 'IGNORE' | 'DELETE' | 'FAIL';
export const NULL_BEHAVIOUR_PROPERTY = 'behavior.on.null.values';

export interface Route {
  readonly statement: KcqlStatement;
  readonly target: IndexTarget;
  readonly suffix: IndexSuffix | null;
  readonly action: 'index' | 'update';
  readonly primaryKeys: readonly KcqlField[];
  readonly pipeline: string | null;
  readonly onNull: NullBehaviour;
  readonly autoCreate: boolean;
  /** WITHDOCTYPE, accepted for 6.x configs and not sent (Elasticsearch 7+ has no mapping types). */
  readonly docType: string | null;
  readonly pkSeparator: string;
  /** `SELECT *` with nothing renamed, ignored or added: the document is the whole value. */
  readonly wholeValue: boolean;
}

type KcqlExtras = KcqlStatement & {
  autoCreate?: boolean;
  pipeline?: string | null;
  docType?: string | null;
  indexSuffix?: string | null;
  properties?: Record<string, string>;
};

export function compileRoute(
  statement: KcqlStatement,
  settings: Pick<ElasticSettings, 'pkSeparator' | 'maxInFlight'>,
): Route {
  const s = statement as KcqlExtras;
  const target = parseIndexTarget(statement.target!);
  const autoCreate = s.autoCreate === true;
  if (autoCreate && target.kind !== 'static') {
    throw new ConfigException(
      KCQL_KEY,
      `[${statement.target}] AUTOCREATE can not be used with an index named by the record's key, value or headers; create those indices (or an index template) in Elasticsearch.`,
    );
  }
  const upsert = statement.writeMode === 'UPSERT';
  if (upsert && statement.primaryKeys.length === 0) {
    throw new ConfigException(
      KCQL_KEY,
      `[${statement.target}] is set up with upsert, you need to set primary keys (PK a, b.c): the document id comes from them.`,
    );
  }
  if (upsert && s.pipeline) {
    throw new ConfigException(
      KCQL_KEY,
      `[${statement.target}] WITHPIPELINE applies to INSERT: Elasticsearch's update action runs no pipeline. Use INSERT, or set the index's index.default_pipeline.`,
    );
  }
  for (const pk of statement.primaryKeys) {
    const segments = [...(pk.parents ?? []), pk.name];
    if (segments[0] === '_header' && segments.length !== 2) {
      throw new ConfigException(
        KCQL_KEY,
        `[${statement.target}] PK ${segments.join('.')}: a header PK is _header.<name>; header values are not walked into.`,
      );
    }
    if (pk.name === '*') throw new ConfigException(KCQL_KEY, `[${statement.target}] PK cannot be '*'.`);
  }
  return {
    statement,
    target,
    suffix: s.indexSuffix ? new IndexSuffix(s.indexSuffix) : null,
    action: upsert ? 'update' : 'index',
    primaryKeys: statement.primaryKeys,
    pipeline: s.pipeline ?? null,
    onNull: nullBehaviour(statement),
    autoCreate,
    docType: s.docType ?? null,
    pkSeparator: settings.pkSeparator,
    wholeValue: selectsWholeValue(statement),
  };
}

function selectsWholeValue(statement: KcqlStatement): boolean {
  const [field, ...more] = statement.fields;
  return (
    field !== undefined &&
    more.length === 0 &&
    field.name === '*' &&
    field.type === 'VALUE' &&
    !field.parents?.length &&
    statement.keyFields.length === 0 &&
    statement.headerFields.length === 0 &&
    statement.ignoredFields.length === 0
  );
}

function nullBehaviour(statement: KcqlStatement): NullBehaviour {
  const properties = (statement as KcqlExtras).properties ?? {};
  const key = Object.keys(properties).find((k) => k.toLowerCase() === NULL_BEHAVIOUR_PROPERTY);
  if (key === undefined) return 'IGNORE';
  const value = properties[key]!.trim().toUpperCase();
  if (value === 'IGNORE' || value === 'DELETE' || value === 'FAIL') return value;
  throw new ConfigException(
    KCQL_KEY,
    `[${statement.target}] PROPERTIES('${key}'='${properties[key]}'): use IGNORE, DELETE or FAIL.`,
  );
}

export type ElasticOperation =
  | {
      readonly kind: 'index' | 'update';
      readonly index: string;
      readonly id: string;
      /** The action and source lines of the bulk body, newline-terminated. */
      readonly body: string;
      /** The body's UTF-8 size: what bulks are cut by, and where it goes in the request's buffer. */
      readonly bytes: number;
      /** Only with AUTOCREATE: the explicit mapping the record's schema gives (null when schemaless). */
      readonly mapping?: () => Record<string, unknown> | null;
      readonly autoCreate: boolean;
    }
  | {
      readonly kind: 'delete';
      readonly index: string;
      readonly id: string;
      readonly body: string;
      readonly bytes: number;
      readonly autoCreate: false;
    };

export interface OperationOptions {
  readonly connectorName?: string;
  /** The time WITHINDEXSUFFIX formats (now, by default). */
  readonly now?: Date;
}

export function toOperation(
  record: SinkRecord,
  route: Route,
  options: OperationOptions = {},
): ElasticOperation | null {
  const view = new RecordView(record, { connectorName: options.connectorName });
  if (record.value === null || record.value === undefined) return tombstone(view, route, options);
  const index = indexName(view, route, options);
  const id = documentId(view, route, false);
  const source = documentSource(view, route, options);
  // AUTOCREATE maps the record's Connect schema (once per index); a schemaless record leaves it to
  // dynamic mapping.
  const mapping =
    route.autoCreate && record.valueSchema?.type === 'STRUCT'
      ? () => documentMapping(project(view, route, options, esMappingHooks) as Record<string, unknown>)
      : route.autoCreate
        ? () => null
        : undefined;
  if (route.action === 'update') {
    return {
      kind: 'update',
      index,
      id,
      ...body(`${actionLine('update', index, id, null)}\n{"doc":${source},"doc_as_upsert":true}\n`),
      autoCreate: route.autoCreate,
      mapping,
    };
  }
  return {
    kind: 'index',
    index,
    id,
    ...body(`${actionLine('index', index, id, route.pipeline)}\n${source}\n`),
    autoCreate: route.autoCreate,
    mapping,
  };
}

/**
 * A body with its UTF-8 size. Measuring it also flattens the string built of pieces, so that what
 * waits for the bulk request is one flat string, not the pieces (less for the garbage collector).
 */
function body(text: string): { body: string; bytes: number } {
  return { body: text, bytes: Buffer.byteLength(text) };
}

/** The document's JSON text: the whole value in one walk, or the statement's projection. */
function documentSource(view: RecordView, route: Route, options: OperationOptions): string {
  if (route.wholeValue) {
    const whole = valueDocumentJson(view.value());
    if (whole !== null) return whole;
  }
  return documentJson(project(view, route, options, esJsonHooks));
}

function project(view: RecordView, route: Route, options: OperationOptions, valueHooks: ValueHooks) {
  // As the reference's projection does, a selected field the record lacks is left out of the document.
  return projectRecord(view, route.statement, {
    connectorName: options.connectorName,
    missingFields: 'omit',
    valueHooks,
  });
}

function tombstone(view: RecordView, route: Route, options: OperationOptions): ElasticOperation | null {
  switch (route.onNull) {
    case 'IGNORE':
      return null;
    case 'FAIL':
      throw view.error(
        `the value is null (a tombstone) and the statement for ${route.statement.target} is configured to fail on tombstone records (${NULL_BEHAVIOUR_PROPERTY}=FAIL).`,
      );
    case 'DELETE': {
      // The index of a dynamic `_value.` target cannot be read from a null value.
      if (route.target.kind === 'value') {
        throw view.error(
          `a tombstone cannot be deleted from an index named by a value field (${route.target.text}): the value is null.`,
        );
      }
      const index = indexName(view, route, options);
      const id = documentId(view, route, true);
      return {
        kind: 'delete',
        index,
        id,
        ...body(`${actionLine('delete', index, id, null)}\n`),
        autoCreate: false,
      };
    }
  }
}

function indexName(view: RecordView, route: Route, options: OperationOptions): string {
  const base = resolveIndex(view, route.target);
  return route.suffix ? `${base}${route.suffix.format(options.now ?? new Date())}`.toLowerCase() : base;
}

function actionLine(action: string, index: string, id: string, pipeline: string | null): string {
  let meta = `"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)}`;
  if (pipeline) meta += `,"pipeline":${JSON.stringify(pipeline)}`;
  // Two tasks updating one document at once conflict on its version; Elasticsearch re-applies the
  // partial document itself rather than failing the item.
  if (action === 'update') meta += ',"retry_on_conflict":3';
  return `{"${action}":{${meta}}}`;
}

/**
 * The document id: PK values (read from the record as it arrived, before projection) joined with the
 * separator. A tombstone has no value, so its PK paths are read from the key (`_key.x` or `x`), the
 * headers (`_header.h`), or — without PK — the key itself is the id.
 */
function documentId(view: RecordView, route: Route, tombstone: boolean): string {
  const record = view.record;
  const sep = route.pkSeparator;
  if (route.primaryKeys.length === 0) {
    if (!tombstone) return `${record.topic}${sep}${record.kafkaPartition}${sep}${record.kafkaOffset}`;
    return idPart(view, view.key(), '_key');
  }
  const parts = route.primaryKeys.map((pk) => {
    const segments = [...(pk.parents ?? []), pk.name];
    if (segments[0] === '_header') {
      const header = [...record.headers].reverse().find((h) => h.key === segments[1]);
      if (!header || header.value === null || header.value === undefined) {
        throw view.error(`the record has no header '${segments[1]}' for its PK`, segments.join('.'));
      }
      return idPart(view, header.value, segments.join('.'));
    }
    const [part] = tombstone ? extractPrimaryKeysFromKey(view, [pk]) : extractPrimaryKeys(view, [pk]);
    return idPart(view, part!.value, part!.path);
  });
  return parts.join(sep);
}

function idPart(view: RecordView, value: unknown, path: string): string {
  if (value === null || value === undefined) throw view.error('the id is null', path);
  if (typeof value === 'string') {
    if (value === '') throw view.error('the id is an empty string', path);
    return value;
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (isDecimal(value)) return value.toString();
  if (value instanceof Date) return value.toISOString();
  throw view.error(
    `a PK must resolve to a primitive field (text, number, boolean), found ${describeType(value)}`,
    path,
  );
}
