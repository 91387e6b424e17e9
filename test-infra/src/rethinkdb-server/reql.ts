import type { Catalog, Table } from './catalog.js';
import {
  type Datum,
  type Document,
  compare,
  deepEqual,
  isObject,
  primaryKeyOf,
  printDatum,
  ReqlError,
} from './datum.js';
import { ErrorType, TermType, termName } from './protocol.js';
import { insert, parseConflict, remove } from './writes.js';

// Evaluates ReQL terms as the JSON protocol encodes them: a term is `[type, args?, optargs?]`, an object
// literal is a MAKE_OBJ whose values are terms, anything else is a datum. Only the terms in protocol.ts
// are known; any other one fails with a compile error that names it, so a gap is loud, never silent.

export type Term = Datum;

/** An unsupported term: answered as COMPILE_ERROR. */
export class UnsupportedTermError extends Error {}

class DbRef {
  constructor(readonly name: string) {}
}

/** Rows of one table, either the whole table (`r.table`) or a subset (`getAll`, `filter`). */
class Selection {
  constructor(
    readonly table: Table,
    /** The subset's keys; null for the whole table, whose keys are listed only when a query reads them (an insert into the table never does). */
    private readonly subset: readonly string[] | null,
  ) {}
  get wholeTable(): boolean {
    return this.subset === null;
  }
  get keys(): readonly string[] {
    return this.subset ?? [...this.table.rows.keys()];
  }
  docs(): Document[] {
    return this.keys.flatMap((k) => {
      const doc = this.table.rows.get(k);
      return doc ? [doc] : [];
    });
  }
}

/** `get(key)`: one row that may not exist. */
class SingleRow {
  constructor(
    readonly table: Table,
    readonly key: string,
  ) {}
  doc(): Document | null {
    return this.table.rows.get(this.key) ?? null;
  }
}

class Func {
  constructor(
    readonly params: number[],
    readonly body: Term,
    readonly scope: Scope,
  ) {}
}

export type Value = Datum | DbRef | Selection | SingleRow | Func;

interface Scope {
  catalog: Catalog;
  defaultDb: string;
  vars: ReadonlyMap<number, Value>;
  /** What `r.row` means inside a filter predicate. */
  implicit?: Datum;
}

type Optargs = Record<string, Term>;
type Handler = (args: Term[], optargs: Optargs, scope: Scope) => Value;

const typeName = (v: Value) =>
  v instanceof DbRef
    ? 'DATABASE'
    : v instanceof Selection
      ? v.wholeTable
        ? 'TABLE'
        : 'SELECTION<STREAM>'
      : v instanceof SingleRow
        ? 'SELECTION<OBJECT>'
        : v instanceof Func
          ? 'FUNCTION'
          : v === null
            ? 'NULL'
            : Array.isArray(v)
              ? 'ARRAY'
              : isObject(v)
                ? 'OBJECT'
                : typeof v === 'number'
                  ? 'NUMBER'
                  : typeof v === 'string'
                    ? 'STRING'
                    : 'BOOL';

const wrongType = (expected: string, v: Value) =>
  new ReqlError(ErrorType.QUERY_LOGIC, `Expected type ${expected} but found ${typeName(v)}.`);

/** A value as plain JSON: sequences become arrays, a missing row becomes null. */
export function toDatum(v: Value): Datum {
  if (v instanceof Selection) return v.docs();
  if (v instanceof SingleRow) return v.doc();
  if (v instanceof DbRef || v instanceof Func) throw wrongType('DATUM', v);
  return v;
}

export const isSequence = (v: Value): v is Selection => v instanceof Selection;

function evaluate(term: Term, scope: Scope): Value {
  if (Array.isArray(term)) {
    const [type, args = [], optargs = {}] = term as [number, Term[]?, Optargs?];
    const handler = HANDLERS[type];
    if (!handler) {
      throw new UnsupportedTermError(
        `The Sluice RethinkDB test server does not implement ReQL term ${termName(type)} (${type}); ` +
          'see test-infra/src/rethinkdb-server/README.md for what it supports.',
      );
    }
    return handler(args, optargs, scope);
  }
  if (isObject(term)) {
    // A pseudo-type (TIME, BINARY) is stored as it came; other objects are MAKE_OBJ literals.
    if ('$reql_type$' in term) return term;
    return objectOf(term, scope);
  }
  return term;
}

const datumOf = (term: Term, scope: Scope) => toDatum(evaluate(term, scope));

/**
 * A MAKE_OBJ literal's value. Most values in an inserted document are plain data (strings, numbers,
 * nested objects of them), which are their own value: the object is returned as it came unless a field
 * evaluated to something else (an array term, ISO8601...), and then a copy is made.
 */
function objectOf(term: Document, scope: Scope): Document {
  let out: Document | undefined;
  for (const key in term) {
    if (!Object.hasOwn(term, key)) continue;
    const field = term[key] as Term;
    const value = field === null || typeof field !== 'object' ? field : datumOf(field, scope);
    if (value !== field && out === undefined) {
      out = {};
      for (const k in term) if (Object.hasOwn(term, k)) setField(out, k, term[k] as Datum);
    }
    if (out !== undefined) setField(out, key, value);
  }
  return out ?? term;
}

/** A data property even for the key `__proto__` (an assignment would set the prototype). */
function setField(target: Document, key: string, value: Datum): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function stringOf(term: Term, scope: Scope): string {
  const v = datumOf(term, scope);
  if (typeof v !== 'string') throw wrongType('STRING', v);
  return v;
}

function dbNameOf(term: Term, scope: Scope): string {
  const v = evaluate(term, scope);
  if (!(v instanceof DbRef)) throw wrongType('DATABASE', v);
  scope.catalog.db(v.name);
  return v.name;
}

function tableOf(term: Term, scope: Scope): Selection {
  const v = evaluate(term, scope);
  if (!(v instanceof Selection) || !v.wholeTable) throw wrongType('TABLE', v);
  return v;
}

/** `[db?, name]` argument lists of tableCreate/tableDrop/tableList: the database defaults to the connection's. */
function dbAndRest(args: Term[], restCount: number, scope: Scope): [string, Term[]] {
  return args.length > restCount
    ? [dbNameOf(args[0] as Term, scope), args.slice(1)]
    : [scope.defaultDb, args];
}

const truthy = (v: Datum) => v !== false && v !== null;

function call(fn: Value, params: Value[]): Value {
  if (!(fn instanceof Func)) throw wrongType('FUNCTION', fn);
  const vars = new Map(fn.scope.vars);
  fn.params.forEach((id, i) => vars.set(id, params[i] ?? null));
  return evaluate(fn.body, { ...fn.scope, vars });
}

/** Whether `row` passes a filter/count predicate: a function, an object to match, or an r.row expression. */
function matches(predicate: Term, row: Document, scope: Scope): boolean {
  try {
    const v = evaluate(predicate, { ...scope, implicit: row });
    if (v instanceof Func) return truthy(toDatum(call(v, [row])));
    const d = toDatum(v);
    return isObject(d) ? isSubset(d, row) : truthy(d);
  } catch (err) {
    // filter's default: a row without the compared field does not match.
    if (err instanceof ReqlError && err.type === ErrorType.NON_EXISTENCE) return false;
    throw err;
  }
}

function isSubset(pattern: Document, row: Datum): boolean {
  if (!isObject(row)) return false;
  return Object.entries(pattern).every(([k, v]) =>
    isObject(v) && !('$reql_type$' in v)
      ? isSubset(v, row[k] as Datum)
      : k in row && deepEqual(v, row[k] as Datum),
  );
}

function sequenceOf(term: Term, scope: Scope): Selection | Datum[] {
  const v = evaluate(term, scope);
  if (v instanceof Selection) return v;
  const d = toDatum(v);
  if (!Array.isArray(d)) throw wrongType('SEQUENCE', v);
  return d;
}

function field(value: Datum, name: string): Datum {
  if (!isObject(value)) throw wrongType('OBJECT', value);
  if (!(name in value)) {
    throw new ReqlError(ErrorType.NON_EXISTENCE, `No attribute \`${name}\` in object:\n${printDatum(value)}`);
  }
  return value[name] as Datum;
}

function chain(args: Term[], scope: Scope, ok: (a: Datum, b: Datum) => boolean): boolean {
  const values = args.map((a) => datumOf(a, scope));
  return values.every((v, i) => i === 0 || ok(values[i - 1] as Datum, v));
}

/** Writes accept `durability: "hard" | "soft"` (nothing is on disk here either way) and refuse anything else, as RethinkDB does. */
function checkDurability(optargs: Optargs, scope: Scope): void {
  if (optargs.durability === undefined) return;
  const d = datumOf(optargs.durability, scope);
  if (d !== 'hard' && d !== 'soft') {
    throw new ReqlError(
      ErrorType.QUERY_LOGIC,
      `Durability option \`${typeof d === 'string' ? d : JSON.stringify(d)}\` unrecognized (options are "hard" and "soft").`,
    );
  }
}

const writeFlag = (optargs: Optargs, name: string, scope: Scope) =>
  truthy(datumOf(optargs[name] ?? false, scope));

const HANDLERS: Record<number, Handler> = {
  [TermType.MAKE_ARRAY]: (args, _o, scope) => args.map((a) => datumOf(a, scope)),
  [TermType.MAKE_OBJ]: (_a, optargs, scope) => evaluate(optargs, scope),
  [TermType.VAR]: ([id], _o, scope) => {
    const v = scope.vars.get(id as number);
    if (v === undefined) throw new ReqlError(ErrorType.QUERY_LOGIC, `Variable ${id} is not bound.`);
    return v;
  },
  [TermType.IMPLICIT_VAR]: (_a, _o, scope) => {
    if (scope.implicit === undefined)
      throw new ReqlError(ErrorType.QUERY_LOGIC, 'r.row is not defined in this context.');
    return scope.implicit;
  },
  [TermType.FUNC]: ([params, body], _o, scope) =>
    new Func(datumOf(params as Term, scope) as number[], body as Term, scope),
  [TermType.FUNCALL]: ([fn, ...params], _o, scope) =>
    call(
      evaluate(fn as Term, scope),
      params.map((p) => evaluate(p, scope)),
    ),

  [TermType.DB]: ([name], _o, scope) => new DbRef(stringOf(name as Term, scope)),
  [TermType.TABLE]: (args, _o, scope) => {
    const [db, [name]] = dbAndRest(args, 1, scope);
    const table = scope.catalog.table(db, stringOf(name as Term, scope));
    return new Selection(table, null);
  },
  [TermType.GET]: ([table, key], _o, scope) => {
    const t = tableOf(table as Term, scope).table;
    return new SingleRow(t, primaryKeyOf(datumOf(key as Term, scope), t.primaryKey));
  },
  [TermType.GET_ALL]: ([table, ...keys], optargs, scope) => {
    const t = tableOf(table as Term, scope).table;
    const index = optargs.index === undefined ? t.primaryKey : stringOf(optargs.index, scope);
    if (index !== t.primaryKey) {
      throw new ReqlError(
        ErrorType.OP_FAILED,
        `Index \`${index}\` was not found on table \`${t.db}.${t.name}\` (the test server has only primary indexes).`,
      );
    }
    const wanted = new Set(keys.map((k) => primaryKeyOf(datumOf(k, scope), t.primaryKey)));
    return new Selection(
      t,
      [...wanted].filter((k) => t.rows.has(k)),
    );
  },
  [TermType.FILTER]: ([seq, predicate], _o, scope) => {
    const s = sequenceOf(seq as Term, scope);
    if (s instanceof Selection) {
      const keys = s.keys.filter((k) => {
        const row = s.table.rows.get(k);
        return row !== undefined && matches(predicate as Term, row, scope);
      });
      return new Selection(s.table, keys);
    }
    return s.filter((row) => isObject(row) && matches(predicate as Term, row, scope));
  },
  [TermType.COUNT]: ([seq, predicate], _o, scope) => {
    const s = sequenceOf(seq as Term, scope);
    const rows = s instanceof Selection ? s.docs() : s;
    if (predicate === undefined) return rows.length;
    const v = evaluate(predicate, scope);
    if (v instanceof Func) return rows.filter((r) => truthy(toDatum(call(v, [r])))).length;
    const d = toDatum(v);
    return rows.filter((r) => deepEqual(r, d)).length;
  },
  [TermType.CONTAINS]: ([seq, ...values], _o, scope) => {
    const s = sequenceOf(seq as Term, scope);
    const rows = s instanceof Selection ? s.docs() : s;
    return values.every((t) => {
      const v = evaluate(t, scope);
      return v instanceof Func
        ? rows.some((r) => truthy(toDatum(call(v, [r]))))
        : rows.some((r) => deepEqual(r, toDatum(v)));
    });
  },

  [TermType.GET_FIELD]: ([obj, name], _o, scope) =>
    field(datumOf(obj as Term, scope), stringOf(name as Term, scope)),
  [TermType.BRACKET]: ([obj, at], _o, scope) => {
    const target = datumOf(obj as Term, scope);
    const key = datumOf(at as Term, scope);
    if (typeof key === 'number' && Array.isArray(target)) {
      const v = target[key < 0 ? target.length + key : key];
      if (v === undefined) throw new ReqlError(ErrorType.NON_EXISTENCE, `Index out of bounds: ${key}`);
      return v;
    }
    if (typeof key !== 'string') throw wrongType('STRING', key);
    return Array.isArray(target)
      ? target
          .filter(isObject)
          .filter((r) => key in r)
          .map((r) => r[key] as Datum)
      : field(target, key);
  },
  [TermType.EQ]: (args, _o, scope) => chain(args, scope, deepEqual),
  [TermType.NE]: (args, _o, scope) => !chain(args, scope, deepEqual),
  [TermType.LT]: (args, _o, scope) => chain(args, scope, (a, b) => compare(a, b) < 0),
  [TermType.LE]: (args, _o, scope) => chain(args, scope, (a, b) => compare(a, b) <= 0),
  [TermType.GT]: (args, _o, scope) => chain(args, scope, (a, b) => compare(a, b) > 0),
  [TermType.GE]: (args, _o, scope) => chain(args, scope, (a, b) => compare(a, b) >= 0),
  [TermType.NOT]: ([v], _o, scope) => !truthy(datumOf(v as Term, scope)),
  [TermType.AND]: (args, _o, scope) => {
    let last: Datum = true;
    for (const a of args) if (!truthy((last = datumOf(a, scope)))) return last;
    return last;
  },
  [TermType.OR]: (args, _o, scope) => {
    let last: Datum = false;
    for (const a of args) if (truthy((last = datumOf(a, scope)))) return last;
    return last;
  },

  // The JS driver sends a Date as r.ISO8601(date.toISOString()); answer with the TIME pseudo-type.
  [TermType.ISO8601]: ([text], optargs, scope) => {
    const iso = stringOf(text as Term, scope);
    const zone = /(Z|[+-]\d\d:?\d\d)$/.exec(iso)?.[1];
    const fallback =
      optargs.default_timezone === undefined ? undefined : stringOf(optargs.default_timezone, scope);
    const epochMs = Date.parse(zone || !fallback ? iso : iso + fallback);
    if (Number.isNaN(epochMs) || (!zone && !fallback)) {
      throw new ReqlError(ErrorType.QUERY_LOGIC, `Invalid ISO 8601 time (with a time zone) \`${iso}\`.`);
    }
    const timezone = (zone ?? fallback ?? 'Z')
      .replace(/^Z$/, '+00:00')
      .replace(/^([+-]\d\d)(\d\d)$/, '$1:$2');
    return { $reql_type$: 'TIME', epoch_time: epochMs / 1000, timezone };
  },

  // `table.info()`: what a client reads a table's primary key from.
  [TermType.INFO]: ([target], _o, scope) => {
    const t = tableOf(target as Term, scope).table;
    return {
      db: { id: scope.catalog.dbId(t.db), name: t.db, type: 'DB' },
      doc_count_estimates: [t.rows.size],
      id: t.id,
      indexes: [],
      name: t.name,
      primary_key: t.primaryKey,
      type: 'TABLE',
    };
  },
  [TermType.INSERT]: ([table, docs], optargs, scope) => {
    const t = tableOf(table as Term, scope).table;
    checkDurability(optargs, scope);
    const d = datumOf(docs as Term, scope);
    const conflict = parseConflict(
      optargs.conflict === undefined ? undefined : datumOf(optargs.conflict, scope),
    );
    return insert(t, Array.isArray(d) ? d : [d], conflict, writeFlag(optargs, 'return_changes', scope));
  },
  [TermType.DELETE]: ([selection], optargs, scope) => {
    const v = evaluate(selection as Term, scope);
    checkDurability(optargs, scope);
    const returnChanges = writeFlag(optargs, 'return_changes', scope);
    if (v instanceof SingleRow) return remove(v.table, [v.key], returnChanges);
    if (v instanceof Selection) return remove(v.table, v.keys, returnChanges);
    throw wrongType('SELECTION', v);
  },

  [TermType.DB_CREATE]: ([name], _o, scope) => scope.catalog.dbCreate(stringOf(name as Term, scope)),
  [TermType.DB_DROP]: ([name], _o, scope) => scope.catalog.dbDrop(stringOf(name as Term, scope)),
  [TermType.DB_LIST]: (_a, _o, scope) => scope.catalog.dbList(),
  [TermType.TABLE_CREATE]: (args, optargs, scope) => {
    const [db, [name]] = dbAndRest(args, 1, scope);
    const primaryKey = optargs.primary_key === undefined ? undefined : stringOf(optargs.primary_key, scope);
    return scope.catalog.tableCreate(db, stringOf(name as Term, scope), primaryKey);
  },
  [TermType.TABLE_DROP]: (args, _o, scope) => {
    const [db, [name]] = dbAndRest(args, 1, scope);
    return scope.catalog.tableDrop(db, stringOf(name as Term, scope));
  },
  [TermType.TABLE_LIST]: (args, _o, scope) => scope.catalog.tableList(dbAndRest(args, 0, scope)[0]),
  // Tables are ready as soon as tableCreate returns.
  [TermType.WAIT]: ([target], _o, scope) => {
    const v = evaluate(target as Term, scope);
    if (v instanceof DbRef) return { ready: scope.catalog.tableList(v.name).length };
    if (v instanceof Selection && v.wholeTable) return { ready: 1 };
    throw wrongType('TABLE', v);
  },
};

/** Run one START query: `globals` are the run() options (`db`, `noreply`…). */
export function runQuery(catalog: Catalog, term: Term, globals: Optargs): Value {
  const scope: Scope = { catalog, defaultDb: 'test', vars: new Map() };
  // The connection's default database is looked up only when a query uses it (RethinkDB lets a client
  // connect with `db: x` and then create x).
  if (globals.db !== undefined) {
    const db = evaluate(globals.db, scope);
    if (!(db instanceof DbRef)) throw wrongType('DATABASE', db);
    scope.defaultDb = db.name;
  }
  return evaluate(term, scope);
}
