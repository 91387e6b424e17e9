// Recursive-descent parser for one classic KCQL statement (spec/kcql.md §3.1). Where the reference
// parser stops quietly and ignores the rest (§4.2), this one requires the end of the statement and
// says why the leftover text could not be read.
import { INSERT_CLAUSES, SELECT_CLAUSES, type Clause, type ClauseContext } from './clauses.js';
import { TokenCursor, describe } from './cursor.js';
import { addSelectedField, addValueField, fieldFromPath, type ColumnPath } from './fields.js';
import { closestKeyword, type Keyword } from './keywords.js';
import { tokenize, type LexSource, type Token } from './lexer.js';
import { defaultKcql, type Kcql } from './types.js';
import { unescape } from './values.js';

export function parseStatement(source: LexSource): Kcql {
  const cursor = new TokenCursor(tokenize(source), source);
  const context: ClauseContext = { cursor, kcql: defaultKcql() };
  const first = cursor.peek();
  if (
    first.kind === 'keyword' &&
    (first.value === 'INSERT' || first.value === 'UPSERT' || first.value === 'UPDATE')
  ) {
    parseWriteMode(context);
    context.kcql.target = readName(cursor, 'target name');
    cursor.expectKeyword('SELECT', `after the target name '${context.kcql.target}'`);
    parseSelectCore(context);
    parseClauses(context, INSERT_CLAUSES, SELECT_CLAUSES, 'a SELECT-only statement');
  } else if (first.kind === 'keyword' && first.value === 'SELECT') {
    cursor.next();
    parseSelectCore(context);
    parseClauses(context, SELECT_CLAUSES, INSERT_CLAUSES, 'an INSERT/UPSERT INTO statement');
  } else {
    cursor.fail(`expected INSERT INTO, UPSERT INTO, UPDATE INTO or SELECT, found ${describe(first)}`);
  }
  if (context.bucketCount && context.kcql.bucketing?.bucketsNumber === 0) {
    cursor.fail(
      'Invalid bucketing information. Missing the buckets number (INTO 0 BUCKETS)',
      context.bucketCount,
    );
  }
  return context.kcql;
}

function parseWriteMode({ cursor, kcql }: ClauseContext): void {
  const mode = cursor.next();
  if (mode.value === 'UPSERT' && cursor.acceptKeyword('PK')) {
    // A leftover of an early syntax: the reference accepts it but records neither the mode nor the key.
    cursor.readSingle(['field'], 'a column after UPSERT PK');
  } else {
    kcql.writeMode = mode.value as Kcql['writeMode'];
  }
  cursor.expectKeyword('INTO', `after ${mode.text}`);
}

/** `name = STRING | { FIELD | TOPICNAME | '.' }+`, written without spaces, then unescaped. */
function readName(cursor: TokenCursor, what: string): string {
  if (cursor.at('keydelim')) {
    cursor.fail(`a one-character quoted ${what} cannot be read by KCQL: write it in back-ticks instead`);
  }
  const name = cursor.at('string')
    ? unescape(cursor.readSingle(['string'], `the ${what}`).text)
    : unescape(cursor.readRun(what, ['field', 'topicname', '.'], ['field', 'topicname', '.']));
  const after = cursor.peek();
  if (after.kind === 'field' || after.kind === 'topicname') {
    // The reference glues such a word onto the name (`FROM tbl one` reads topic `tblone`).
    const meant = closestKeyword(after.text);
    if (meant || /^[A-Z][A-Z_]+$/.test(after.text)) {
      cursor.fail(
        `'${after.text}' after the ${what} '${name}' is not a KCQL keyword` +
          (meant ? ` (did you mean ${meant}?)` : '') +
          ': expected a clause keyword or the end of the statement',
      );
    }
    cursor.fail(
      `unexpected ${describe(after)} after the ${what} '${name}': a name cannot contain spaces ` +
        `(write it in back-ticks if '${name} ${after.text}' is one name)`,
    );
  }
  return name;
}

/** `SELECT columns FROM source [IGNORE columns]`; the SELECT keyword is already consumed. */
function parseSelectCore(context: ClauseContext): void {
  const { cursor, kcql } = context;
  do {
    const at = cursor.peek();
    const item = readColumnItem(cursor, 'a column or * in the select list');
    cursor.applyFieldRule(at, () => addSelectedField(kcql, fieldFromPath(item.path, item.alias)));
  } while (cursor.accept(','));
  cursor.expectKeyword('FROM', 'after the select list');
  kcql.source = readName(cursor, 'source name');
  if (cursor.at(',')) {
    cursor.fail('a statement reads one topic: write one statement per topic, separated by ;');
  }
  if (cursor.acceptKeyword('IGNORE')) {
    do {
      const at = cursor.peek();
      const item = readColumnItem(cursor, 'a column to IGNORE');
      const field = cursor.applyFieldRule(at, () => fieldFromPath(item.path, item.alias));
      // The reference adds `IGNORE *` to the selected fields, not the ignored ones (spec/kcql.md §5.4).
      if (item.path.segments.length === 0) cursor.applyFieldRule(at, () => addValueField(kcql, field));
      else kcql.ignoredFields.push(field);
    } while (cursor.accept(','));
  }
}

/** `'*' | column [AS alias]`; a lone `*` has no segments. */
function readColumnItem(cursor: TokenCursor, what: string): { path: ColumnPath; alias: string | null } {
  if (cursor.accept('*')) {
    if (cursor.atKeyword('AS')) cursor.fail("'*' cannot have an alias");
    if (cursor.at('.')) cursor.fail("'*' must be the last part of a column path");
    return { path: { segments: [], star: true }, alias: null };
  }
  if (cursor.at('string')) {
    cursor.fail('a quoted column is not supported (the reference parser crashes on it): write the name bare');
  }
  const path = cursor.readColumnPath(what);
  if (path.star && cursor.at('.')) cursor.fail("'*' must be the last part of a column path");
  const alias = cursor.acceptKeyword('AS')
    ? cursor.expect(['field', 'string'], 'an alias after AS').text
    : null;
  return { path, alias };
}

/** Walks the ordered clause table: each clause may follow only the clauses listed before it. */
function parseClauses(
  context: ClauseContext,
  clauses: readonly Clause[],
  otherForm: readonly Clause[],
  otherFormName: string,
): void {
  const { cursor } = context;
  const seen = new Map<Keyword, Token>();
  let nextAllowed = 0;
  while (!cursor.at('eof')) {
    const token = cursor.peek();
    // A clause listed twice in the table (WITHTYPE) may still appear once only.
    if (token.kind === 'keyword' && seen.has(token.value as Keyword)) {
      cursor.fail(`${token.text} is given twice: each clause may appear once`);
    }
    const index = clauses.findIndex(
      (c, i) => i >= nextAllowed && token.kind === 'keyword' && c.keyword === token.value,
    );
    if (index < 0) failOnLeftover(cursor, token, clauses, seen, otherForm, otherFormName);
    cursor.next();
    clauses[index]!.parse(context, token);
    seen.set(clauses[index]!.keyword, token);
    nextAllowed = index + 1;
  }
}

function failOnLeftover(
  cursor: TokenCursor,
  token: Token,
  clauses: readonly Clause[],
  seen: Map<Keyword, Token>,
  otherForm: readonly Clause[],
  otherFormName: string,
): never {
  const keyword = token.kind === 'keyword' ? (token.value as Keyword) : undefined;
  if (keyword === 'IGNORE')
    cursor.fail('IGNORE must come directly after the source name (FROM <topic> IGNORE …)');
  if (keyword && seen.has(keyword)) cursor.fail(`${token.text} is given twice: each clause may appear once`);
  const position = clauses.findIndex((c) => c.keyword === keyword);
  if (position >= 0) {
    const later = clauses.slice(position + 1).find((c) => seen.has(c.keyword))!;
    cursor.fail(
      `${token.text} must come before ${seen.get(later.keyword)!.text}: KCQL clauses have a fixed order`,
    );
  }
  if (otherForm.some((c) => c.keyword === keyword)) {
    cursor.fail(`${token.text} is only allowed in ${otherFormName}`);
  }
  const after = cursor.previous();
  cursor.fail(
    `expected a clause keyword or the end of the statement after '${after.text}', found ${describe(token)}`,
  );
}
