import { randomUUID } from 'node:crypto';
import type { Table } from './catalog.js';
import {
  type Datum,
  type Document,
  deepEqual,
  isObject,
  merge,
  primaryKeyOf,
  printDatum,
  ReqlError,
} from './datum.js';
import { ErrorType } from './protocol.js';

// insert and delete with RethinkDB's write-result shape and conflict rules.

export type Conflict = 'error' | 'replace' | 'update';

export type WriteResult = {
  deleted: number;
  errors: number;
  inserted: number;
  replaced: number;
  skipped: number;
  unchanged: number;
  generated_keys?: string[];
  first_error?: string;
  changes?: { old_val: Datum; new_val: Datum }[];
};

const emptyResult = (): WriteResult => ({
  deleted: 0,
  errors: 0,
  inserted: 0,
  replaced: 0,
  skipped: 0,
  unchanged: 0,
});

export function parseConflict(value: Datum | undefined): Conflict {
  if (value === undefined) return 'error';
  if (value === 'error' || value === 'replace' || value === 'update') return value;
  throw new ReqlError(
    ErrorType.QUERY_LOGIC,
    `Conflict option \`${JSON.stringify(value)}\` unrecognized (options are "error", "replace" and "update"; the test server has no conflict functions).`,
  );
}

export function insert(table: Table, docs: Datum[], conflict: Conflict, returnChanges: boolean): WriteResult {
  const result = emptyResult();
  const changes: { old_val: Datum; new_val: Datum }[] = [];
  const pk = table.primaryKey;
  for (const doc of docs) {
    if (!isObject(doc)) {
      throw new ReqlError(
        ErrorType.QUERY_LOGIC,
        `Expected type OBJECT but found ${doc === null ? 'NULL' : typeof doc === 'string' ? 'STRING' : Array.isArray(doc) ? 'ARRAY' : typeof doc === 'number' ? 'NUMBER' : 'BOOL'}.`,
      );
    }
    let row: Document = doc;
    if (!(pk in row)) {
      const generated = randomUUID();
      row = { ...row, [pk]: generated };
      (result.generated_keys ??= []).push(generated);
    }
    const key = primaryKeyOf(row[pk], pk);
    const old = table.rows.get(key);
    if (old === undefined) {
      table.rows.set(key, row);
      result.inserted++;
      changes.push({ old_val: null, new_val: row });
      continue;
    }
    if (conflict === 'error') {
      result.errors++;
      result.first_error ??= `Duplicate primary key \`${pk}\`:\n${printDatum(old)}\n${printDatum(row)}`;
      continue;
    }
    const next = conflict === 'update' ? merge(old, row) : row;
    if (deepEqual(old, next)) {
      result.unchanged++;
      continue;
    }
    table.rows.set(key, next);
    result.replaced++;
    changes.push({ old_val: old, new_val: next });
  }
  if (returnChanges) result.changes = changes;
  return result;
}

/** Delete the rows with these primary-key map keys; `skipped` counts the ones already gone. */
export function remove(
  table: Table,
  keys: readonly (string | undefined)[],
  returnChanges: boolean,
): WriteResult {
  const result = emptyResult();
  const changes: { old_val: Datum; new_val: Datum }[] = [];
  for (const key of keys) {
    const old = key === undefined ? undefined : table.rows.get(key);
    if (key === undefined || old === undefined) {
      result.skipped++;
      continue;
    }
    table.rows.delete(key);
    result.deleted++;
    changes.push({ old_val: old, new_val: null });
  }
  if (returnChanges) result.changes = changes;
  return result;
}
