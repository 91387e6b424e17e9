// Error messages and positions: each names the column (1-based) and what was expected.
import { describe, expect, it } from 'vitest';
import { KcqlError, parseKcql, parseKcqlList } from '../src/index.js';

function errorOf(parse: () => unknown): KcqlError {
  try {
    parse();
  } catch (error) {
    if (error instanceof KcqlError) return error;
    throw error;
  }
  throw new Error('expected a KcqlError');
}

describe('KcqlError', () => {
  it('reports a misspelt FROM at its column', () => {
    const error = errorOf(() => parseKcql('INSERT INTO TABLE_A SELECT col1 FORM TOPIC_A'));
    expect(error.column).toBe(33);
    expect(error.message).toBe("KCQL error at column 33: expected FROM after the select list, found 'FORM'");
    expect(error.reason).toBe("expected FROM after the select list, found 'FORM'");
  });

  it('gives line and column inside a multi-line statement', () => {
    const error = errorOf(() => parseKcql('INSERT INTO a\nSELECT x,\n  y z\nFROM b'));
    expect([error.line, error.column, error.offset]).toEqual([3, 5, 28]);
    expect(error.message).toMatch(
      /^KCQL error at line 3, column 5: expected FROM after the select list, found 'z'/,
    );
  });

  it('points at the first clause that is out of order and names the one it must precede', () => {
    const error = errorOf(() => parseKcql('INSERT INTO a SELECT * FROM b PK id AUTOCREATE'));
    expect(error.column).toBe(37);
    expect(error.reason).toBe('AUTOCREATE must come before PK: KCQL clauses have a fixed order');
  });

  it('rejects a repeated clause instead of ignoring it', () => {
    expect(errorOf(() => parseKcql('INSERT INTO a SELECT * FROM b BATCH = 1 BATCH = 2')).reason).toBe(
      'BATCH is given twice: each clause may appear once',
    );
  });

  it('says which statement form a misplaced clause belongs to', () => {
    expect(errorOf(() => parseKcql('SELECT * FROM b AUTOCREATE')).reason).toBe(
      'AUTOCREATE is only allowed in an INSERT/UPSERT INTO statement',
    );
    expect(errorOf(() => parseKcql('INSERT INTO a SELECT * FROM b SAMPLE 1 EVERY 2')).reason).toBe(
      'SAMPLE is only allowed in a SELECT-only statement',
    );
  });

  it('rejects IGNORE after other clauses with the rule', () => {
    expect(errorOf(() => parseKcql('INSERT INTO a SELECT * FROM b PK id IGNORE f')).reason).toMatch(
      /^IGNORE must come directly after the source name/,
    );
  });

  it('does not glue separate words into one name', () => {
    const error = errorOf(() => parseKcql('INSERT INTO tbl one SELECT * FROM b'));
    expect(error.column).toBe(17);
    expect(error.reason).toMatch(
      /^unexpected 'one' after the target name 'tbl': a name cannot contain spaces/,
    );
  });

  it('suggests the keyword a misspelt clause was meant to be', () => {
    expect(errorOf(() => parseKcql('INSERT INTO a SELECT * FROM b WITHTAGS (x)')).reason).toMatch(
      /'WITHTAGS' after the source name 'b' is not a KCQL keyword \(did you mean WITHTAG\?\)/,
    );
  });

  it('explains that keywords are all upper-case or all lower-case', () => {
    expect(errorOf(() => parseKcql('Insert INTO a SELECT * FROM b')).reason).toContain(
      'keywords are written all upper-case or all lower-case: INSERT',
    );
  });

  it('rejects characters the reference would silently drop', () => {
    const error = errorOf(() => parseKcql('INSERT INTO a SELECT * FROM top#ic'));
    expect(error.column).toBe(32);
    expect(error.reason).toMatch(/^unexpected character '#'/);
    expect(errorOf(() => parseKcql('INSERT INTO a SELECT * FROM tópico')).reason).toMatch(
      /^unexpected character U\+00F3/,
    );
    expect(errorOf(() => parseKcql('INSERT INTO a SELECT * FROM "t"')).reason).toMatch(/double quotes/);
  });

  it('rejects text glued to a value that the reference would leave unread', () => {
    expect(errorOf(() => parseKcql('INSERT INTO a SELECT * FROM b BATCH = 1.5')).reason).toBe(
      "unexpected '.' right after '1': expected a whole number",
    );
    expect(errorOf(() => parseKcql('INSERT INTO a SELECT * FROM b STOREAS com.x.Y')).reason).toBe(
      "unexpected '.' right after 'com': if it is part of the STOREAS type, write the whole STOREAS type in back-ticks",
    );
  });

  it('accepts one trailing semicolon but not a second statement', () => {
    expect(parseKcql('INSERT INTO a SELECT * FROM b ; \n').source).toBe('b');
    const error = errorOf(() => parseKcql('INSERT INTO a SELECT * FROM b; INSERT INTO c SELECT * FROM d'));
    expect(error.column).toBe(30);
    expect(error.reason).toMatch(/parseKcqlList/);
  });

  it('explains why a one-character quoted value is not a string', () => {
    expect(errorOf(() => parseKcql("INSERT INTO a SELECT * FROM b PROPERTIES(p='1')")).reason).toBe(
      "expected the value of the property 'p', found '1': KCQL cannot read a one-character quoted string; " +
        'write 1 without quotes or in back-ticks',
    );
  });

  it('reports unterminated back-ticks and quotes where they open', () => {
    expect(errorOf(() => parseKcql('INSERT INTO a SELECT * FROM `abc')).column).toBe(29);
    expect(errorOf(() => parseKcql("INSERT INTO a SELECT * FROM b PROPERTIES(a='x\n)")).column).toBe(44);
  });

  it('keeps the semantic checks of the reference, at the offending value', () => {
    const cases: [string, number, string][] = [
      ['INSERT INTO a SELECT * FROM b BATCH = 0', 39, '0 is not a valid number for a batch Size.'],
      ['INSERT INTO a SELECT f, g, f FROM b', 28, 'Field f has already been defined'],
      ['INSERT INTO a SELECT x, _key.x FROM b', 25, 'Key field x has already been defined'],
      ['INSERT INTO a SELECT h, _header.h FROM b', 25, 'Header field h has already been defined'],
      ['INSERT INTO a SELECT * FROM b TTL = 0', 37, '0 is not a valid number for a TTL.'],
      ['INSERT INTO a SELECT * FROM b LIMIT 0', 37, 'Invalid limit specified. Needs to be an integer'],
      ['INSERT INTO a SELECT * FROM b WITHCOMPRESSION = zip', 49, 'No enum constant'],
      ['SELECT * FROM b SAMPLE 5 EVERY 0', 32, 'Sample rate should be a positive number'],
      ["INSERT INTO a SELECT * FROM b KEYDELIMITER = '`'", 46, 'Invalid key delimiter'],
      ['INSERT INTO a SELECT * FROM b WITHTAG (a as x)', 40, 'Invalid syntax for tags'],
    ];
    for (const [statement, column, reason] of cases) {
      const error = errorOf(() => parseKcql(statement));
      expect([statement, error.column, error.reason.slice(0, reason.length)]).toEqual([
        statement,
        column,
        reason,
      ]);
    }
  });
});

describe('parseKcqlList errors', () => {
  it('numbers the failing statement and positions the error in the whole value', () => {
    const error = errorOf(() =>
      parseKcqlList('INSERT INTO a SELECT * FROM b;\nINSERT INTO c SELECT * FORM d'),
    );
    expect([error.statement, error.line, error.column]).toEqual([2, 2, 24]);
    expect(error.message).toBe(
      "KCQL error at statement 2, line 2, column 24: expected FROM after the select list, found 'FORM'",
    );
  });

  it('rejects empty and blank statements as Stream Reactor does', () => {
    expect(
      errorOf(() => parseKcqlList('INSERT INTO a SELECT * FROM b;;INSERT INTO c SELECT * FROM d')).reason,
    ).toMatch(/^empty statement/);
    expect(errorOf(() => parseKcqlList(';INSERT INTO a SELECT * FROM b')).statement).toBe(1);
    expect(errorOf(() => parseKcqlList('INSERT INTO a SELECT * FROM b; ')).reason).toMatch(
      /^only whitespace follows the last ';'/,
    );
    expect(() => parseKcqlList('')).toThrow(KcqlError);
  });

  it('splits inside quotes as Java String.split does, so a quoted ; breaks the statement', () => {
    expect(errorOf(() => parseKcqlList("INSERT INTO a SELECT * FROM b PROPERTIES(a='x;y')")).reason).toMatch(
      /^unterminated quoted string/,
    );
  });
});
