import type { SinkRecord } from '../data/sink-record.js';
import { toPlain } from './connect-values.js';
import { fieldSource, resolveField } from './field-paths.js';
import { RecordView, type MappingContext } from './record-view.js';
import type { KcqlField } from './statement.js';

// Primary-key extraction (KCQL `PK a, b.c`). Paths are read from the record as it arrived, before
// projection, so a PK need not be selected; `_key.x` (or `_key` for the whole key) reads the record
// key and `_.topic`-style metadata works too. Each part is named by its leaf, as Stream Reactor does
// (`PK location.lon` → `lon`).

export interface KeyPart {
  /** Leaf name of the path (the alias a PK always has). */
  readonly name: string;
  /** The path as written, for messages. */
  readonly path: string;
  /** Plain value (see toPlain); never null. */
  readonly value: unknown;
}

export function extractPrimaryKeys(
  record: SinkRecord | RecordView,
  primaryKeys: readonly KcqlField[],
  context: MappingContext = {},
): KeyPart[] {
  const view = record instanceof RecordView ? record : new RecordView(record, context);
  return primaryKeys.map((pk) => {
    const source = fieldSource(view, pk, 'value');
    const found = resolveField(view, source, 'error');
    const value = found.found ? found.value : null;
    if (value === null || value === undefined) {
      throw view.error('the primary key is null; every PK field needs a value', source.label);
    }
    return { name: pk.alias, path: source.label, value: toPlain(value) };
  });
}

/**
 * Primary keys of a tombstone, which has no value to read them from: each PK path (with or without a
 * leading `_key.`) is read from the record key; a single PK over a key that is a plain value (a string
 * or number key) is that value.
 */
export function extractPrimaryKeysFromKey(
  record: SinkRecord | RecordView,
  primaryKeys: readonly KcqlField[],
  context: MappingContext = {},
): KeyPart[] {
  const view = record instanceof RecordView ? record : new RecordView(record, context);
  const key = view.key();
  if (key === null || key === undefined) {
    throw view.error('the record has neither a value nor a key, so it has no primary key');
  }
  return primaryKeys.map((pk) => {
    const segments = [...(pk.parents ?? []), pk.name];
    const inKey = segments[0] === '_key' ? segments.slice(1) : segments;
    const label = ['_key', ...inKey].join('.');
    if (typeof key !== 'object' || Buffer.isBuffer(key) || key instanceof Date) {
      if (primaryKeys.length === 1) return { name: pk.alias, path: label, value: key };
      throw view.error(
        `the key is a single value, so it cannot provide ${primaryKeys.length} primary key fields`,
        label,
      );
    }
    const found = resolveField(view, { root: key, segments: inKey, label }, 'error');
    const value = found.found ? found.value : null;
    if (value === null || value === undefined) throw view.error('the primary key is null', label);
    return { name: pk.alias, path: label, value: toPlain(value) };
  });
}
