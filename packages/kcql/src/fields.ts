// Turning a parsed column path into a Field, and the rules for where a selected Field goes
// (spec/kcql.md §5.3–5.5): `_.` metadata/key paths, `_key.`/`_header.` routing, duplicate checks.
import type { Field, FieldType, Kcql } from './types.js';

/** A dotted column as written: `a.b.c`, `a.b.*` (`star`), or a lone `*` (no segments). */
export interface ColumnPath {
  segments: string[];
  star: boolean;
}

/** Why a column could not become a Field; the parser adds the position. */
export class FieldRuleError extends Error {}

const METADATA_TYPES: Record<string, FieldType> = {
  topic: 'TOPIC',
  partition: 'PARTITION',
  offset: 'OFFSET',
  timestamp: 'TIMESTAMP',
};

/** Builds the Field for a select, IGNORE or PK item, applying the `_.` prefix rules. */
export function fieldFromPath(path: ColumnPath, alias: string | null): Field {
  const all = path.star ? [...path.segments, '*'] : path.segments;
  if (all.length >= 2 && all[0] === '_') return underscoreField(all, alias);
  return makeField(all, alias, 'VALUE');
}

function underscoreField(all: string[], alias: string | null): Field {
  const last = all[all.length - 1]!.toLowerCase();
  const metadataType = METADATA_TYPES[last];
  // Only the last segment counts, so `_.x.topic` is the record's topic too (reference behaviour).
  if (metadataType) return { name: last, alias: alias ?? last, type: metadataType, parents: null };
  if (all.length >= 3 && all[1]!.toLowerCase() === 'key') {
    const keyPath = all.slice(2);
    if (keyPath[keyPath.length - 1] === '*' && alias !== null) {
      throw new FieldRuleError(`You can't alias '*': remove 'AS ${alias}' after _.key.*`);
    }
    return makeField(keyPath, alias, 'KEY');
  }
  throw new FieldRuleError(
    "Invalid syntax. '_' needs to be followed by: key,topic,partition,timestamp,offset (e.g. _.key.id or _.topic)",
  );
}

function makeField(all: string[], alias: string | null, type: FieldType): Field {
  const name = all[all.length - 1]!;
  return { name, alias: alias ?? name, type, parents: all.length > 1 ? all.slice(0, -1) : null };
}

/** Adds a select-list Field to `fields`, `keyFields` or `headerFields`, checking for duplicates. */
export function addSelectedField(kcql: Kcql, field: Field): void {
  const route = field.parents?.[0];
  if (route === '_key' || route === '_header') {
    const routed: Field = { ...field, parents: field.parents!.length > 1 ? field.parents!.slice(1) : null };
    // The reference checks key and header fields against the value fields selected so far only.
    if (kcql.fields.some((f) => f.parents === null && f.type === 'VALUE' && f.name === routed.name)) {
      const kind = route === '_key' ? 'Key' : 'Header';
      throw new FieldRuleError(`${kind} field ${routed.name} has already been defined`);
    }
    (route === '_key' ? kcql.keyFields : kcql.headerFields).push(routed);
    return;
  }
  addValueField(kcql, field);
}

/** Adds to `fields`; two un-nested fields with the same name and type are a conflict. */
export function addValueField(kcql: Kcql, field: Field): void {
  const clash =
    field.parents === null &&
    kcql.fields.some((f) => f.parents === null && f.type === field.type && f.name === field.name);
  if (clash) {
    throw new FieldRuleError(
      `Field ${field.name} has already been defined: select it once, or give each copy a different source path`,
    );
  }
  kcql.fields.push(field);
}
