import { Decimal128, Long } from 'mongodb';
import {
  RecordView,
  describeType,
  extractPrimaryKeys,
  extractPrimaryKeysFromKey,
  projectRecord,
  type KcqlStatement,
  type KeyPart,
  type SinkRecord,
} from '@sluice/core/sink';
import { convertDatetimeFields, toBsonValue } from './bson-values.js';

// One record + its KCQL statement → one MongoDB write (pure: unit tested without a server).
// INSERT → insertOne; UPSERT → replaceOne({_id}, doc, {upsert: true}) with `_id` from the PK fields
// (one PK → that value, several → a sub-document keyed by leaf names in PK order); a tombstone → deleteOne
// by the same `_id` when delete.on.null is on, otherwise a record error.

export type MongoOperation =
  | { readonly kind: 'insert'; readonly document: Record<string, unknown> }
  | { readonly kind: 'replace'; readonly id: unknown; readonly document: Record<string, unknown> }
  | { readonly kind: 'delete'; readonly id: unknown };

export interface OperationOptions {
  readonly connectorName: string;
  readonly deleteOnNull: boolean;
  readonly jsonDatetimeFields: readonly (readonly string[])[];
}

export function toOperation(
  record: SinkRecord,
  statement: KcqlStatement,
  options: OperationOptions,
): MongoOperation {
  const view = new RecordView(record, { connectorName: options.connectorName });
  const upsert = statement.writeMode === 'UPSERT';
  if (record.value === null || record.value === undefined) {
    if (!options.deleteOnNull) {
      throw view.error(
        'the value is null (a tombstone). Set connect.mongo.delete.on.null=true to delete the matching document, or filter tombstones out.',
      );
    }
    if (!upsert || statement.primaryKeys.length === 0) {
      throw view.error(
        `a tombstone can only delete by _id, which needs an UPSERT statement with PK fields; the statement for ${statement.target} has none.`,
      );
    }
    return { kind: 'delete', id: documentId(view, extractPrimaryKeysFromKey(view, statement.primaryKeys)) };
  }

  const schemaless =
    record.valueSchema === null ||
    record.valueSchema.type === 'STRING' ||
    record.valueSchema.type === 'BYTES';
  const document = toBsonValue(projectRecord(view, statement), { schemaless }) as Record<string, unknown>;
  convertDatetimeFields(document, options.jsonDatetimeFields);
  if (!upsert) return { kind: 'insert', document };
  const id = documentId(view, extractPrimaryKeys(view, statement.primaryKeys));
  return { kind: 'replace', id, document: { _id: id, ...withoutId(document) } };
}

function withoutId(document: Record<string, unknown>): Record<string, unknown> {
  const { _id: _ignored, ...rest } = document;
  return rest;
}

/** `_id` from the PK parts; each part must be a scalar MongoDB can index and compare. */
function documentId(view: RecordView, parts: readonly KeyPart[]): unknown {
  const values = parts.map((p) => {
    const value = toBsonValue(p.value, { schemaless: false });
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
