import { Decimal128, Long } from 'mongodb';
import {
  ConfigException,
  RecordView,
  describeType,
  extractPrimaryKeys,
  extractPrimaryKeysFromKey,
  mapValue,
  projectRecord,
  valueHooks,
  type KcqlStatement,
  type KeyPart,
  type SinkRecord,
} from '@sluice/core/sink';
import { asDate, asUuid, bsonHooks, convertFields } from './bson-values.js';
import { DELETE_ON_NULL, KCQL_KEY, type MongoSinkConfig } from './config.js';

// KCQL statement → route (checked at validate and start), and one record + its route → one MongoDB
// write (pure: unit tested without a server).
// INSERT → insertOne; UPSERT → replaceOne({_id}, doc, {upsert}) with `_id` from the PK fields (one PK →
// that value, several → a sub-document keyed by leaf names in PK order), or with
// PROPERTIES('update.mode'='set') updateOne({_id}, {$set: selected fields}, {upsert}), which leaves the
// document's other fields as they are; a tombstone → deleteOne by the same `_id` when delete.on.null is
// on, otherwise a record error.

export type MongoOperation =
  | { readonly kind: 'insert'; readonly collection: string; readonly document: Record<string, unknown> }
  | {
      readonly kind: 'replace' | 'set';
      readonly collection: string;
      readonly id: unknown;
      readonly document: Record<string, unknown>;
    }
  | { readonly kind: 'delete'; readonly collection: string; readonly id: unknown };

export type UpdateMode = 'replace' | 'set';

export interface MongoRoute {
  readonly statement: KcqlStatement;
  readonly collection: string;
  readonly upsert: boolean;
  readonly updateMode: UpdateMode;
}

const UPDATE_MODE = 'update.mode';
const UPDATE_MODES: readonly UpdateMode[] = ['replace', 'set'];

/** UPSERT needs PK fields with distinct leaf names (the `_id` sub-document keys); PROPERTIES may set update.mode. */
export function compileRoute(statement: KcqlStatement): MongoRoute {
  const target = statement.target!;
  const upsert = statement.writeMode === 'UPSERT';
  const fail = (message: string): never => {
    throw new ConfigException(KCQL_KEY, `[${target}] ${message}`);
  };
  const properties = (statement as { properties?: Readonly<Record<string, string>> }).properties ?? {};
  for (const key of Object.keys(properties)) {
    if (key !== UPDATE_MODE)
      fail(`has PROPERTIES key '${key}', which the MongoDB sink does not know (it knows ${UPDATE_MODE}).`);
  }
  const mode = properties[UPDATE_MODE]?.trim().toLowerCase() ?? 'replace';
  if (!UPDATE_MODES.includes(mode as UpdateMode))
    fail(`sets '${UPDATE_MODE}' to '${properties[UPDATE_MODE]}'; use 'replace' (default) or 'set'.`);
  if (mode === 'set' && !upsert) fail(`sets '${UPDATE_MODE}'='set', which only UPSERT statements use.`);
  if (upsert) {
    if (statement.primaryKeys.length === 0)
      fail('is set up with upsert, you need to set primary keys (PK a, b.c).');
    const names = statement.primaryKeys.map((pk) => pk.alias);
    const repeated = names.filter((n, i) => names.indexOf(n) !== i);
    if (repeated.length > 0)
      fail(
        `has PK fields with the same leaf name (${repeated.join(', ')}); _id sub-document keys are leaf names, so they would overwrite each other.`,
      );
  }
  return { statement, collection: target, upsert, updateMode: mode as UpdateMode };
}

export function toOperation(
  record: SinkRecord,
  route: MongoRoute,
  config: Pick<MongoSinkConfig, 'deleteOnNull' | 'jsonDatetimeFields' | 'uuidFields'>,
  connectorName: string,
): MongoOperation {
  const { statement, collection, upsert } = route;
  const view = new RecordView(record, { connectorName });
  if (record.value === null || record.value === undefined) {
    if (!config.deleteOnNull) {
      throw view.error(
        `the value is null (a tombstone). Set ${DELETE_ON_NULL}=true to delete the matching document, or filter tombstones out.`,
      );
    }
    if (!upsert) {
      throw view.error(
        `a tombstone can only delete by _id, which needs an UPSERT statement with PK fields; the statement for ${statement.target} has none.`,
      );
    }
    return {
      kind: 'delete',
      collection,
      id: documentId(view, extractPrimaryKeysFromKey(view, statement.primaryKeys)),
    };
  }

  const document = projectRecord(view, statement, { connectorName, valueHooks: bsonHooks });
  convertFields(document, config.jsonDatetimeFields, asDate);
  convertFields(document, config.uuidFields, asUuid);
  if (!upsert) return { kind: 'insert', collection, document };
  const id = documentId(view, extractPrimaryKeys(view, statement.primaryKeys));
  const { _id: _ignored, ...fields } = document;
  return route.updateMode === 'set'
    ? { kind: 'set', collection, id, document: fields }
    : { kind: 'replace', collection, id, document: { _id: id, ...fields } };
}

// `_id` parts keep plain numbers (a double and an int of the same value match in a query either way).
const idHooks = valueHooks({ ...bsonHooks, float: (v: number) => v });

/** `_id` from the PK parts; each part must be a scalar MongoDB can index and compare. */
function documentId(view: RecordView, parts: readonly KeyPart[]): unknown {
  const values = parts.map((p) => {
    const value = mapValue(p.value, null, idHooks);
    const ok =
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean' ||
      value instanceof Date ||
      value instanceof Long ||
      value instanceof Decimal128;
    if (!ok) {
      throw view.error(
        `a PK field is ${describeType(p.value)}; _id parts must be a string, number, boolean, date or decimal. Choose a scalar field in PK.`,
        p.path,
      );
    }
    return value;
  });
  if (parts.length === 1) return values[0];
  return Object.fromEntries(parts.map((p, i) => [p.name, values[i]]));
}
