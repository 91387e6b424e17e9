// The token cursor the recursive-descent parser and its clause parsers share: look-ahead, expectations
// with readable errors, and readers for the value shapes of the grammar (spec/kcql.md §3.1).
import { KcqlError } from './errors.js';
import { FieldRuleError, type ColumnPath } from './fields.js';
import { reservedWordIgnoringCase, type Keyword } from './keywords.js';
import type { LexSource, Token, TokenKind } from './lexer.js';

/** Tokens that would silently glue onto a value written right after it (`a-b.c`, `topic*`, `1.5`). */
const WORDISH: ReadonlySet<TokenKind> = new Set<TokenKind>([
  'keyword',
  'format',
  'int',
  'field',
  'topicname',
  'systime',
  'string',
  'keydelim',
  '.',
  '*',
]);

export class TokenCursor {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: LexSource,
  ) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  previous(): Token {
    return this.tokens[Math.max(this.index - 1, 0)]!;
  }

  atKeyword(keyword: Keyword, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'keyword' && token.value === keyword;
  }

  at(kind: TokenKind): boolean {
    return this.peek().kind === kind;
  }

  acceptKeyword(keyword: Keyword): Token | undefined {
    return this.atKeyword(keyword) ? this.next() : undefined;
  }

  accept(kind: TokenKind): Token | undefined {
    return this.at(kind) ? this.next() : undefined;
  }

  expectKeyword(keyword: Keyword, context: string): Token {
    if (this.atKeyword(keyword)) return this.next();
    return this.fail(`expected ${keyword} ${context}, found ${describe(this.peek())}`);
  }

  /** Takes a token of one of `kinds`, or fails with "expected <what> …". */
  expect(kinds: TokenKind[], what: string): Token {
    const token = this.peek();
    if (kinds.includes(token.kind)) return this.next();
    if (token.kind === 'keydelim') {
      // Classic KCQL lexes any quoted single character as a KEYDELIMITER value, never as a string.
      this.fail(
        `expected ${what}, found ${describe(token)}: KCQL cannot read a one-character quoted string; ` +
          `write ${token.text[1]} without quotes or in back-ticks`,
      );
    }
    return this.fail(`expected ${what}, found ${describe(token)}`);
  }

  /** `=` after a clause keyword. */
  expectEquals(clause: Token): void {
    this.expect(['='], `'=' after ${clause.text}`);
  }

  fail(reason: string, at: Token = this.peek()): never {
    throw new KcqlError(reason, {
      text: this.source.text,
      offset: at.start,
      statement: this.source.statement,
    });
  }

  /** Runs a Field rule, reporting its failure at `at`. */
  applyFieldRule<T>(at: Token, rule: () => T): T {
    try {
      return rule();
    } catch (error) {
      if (error instanceof FieldRuleError) this.fail(error.message, at);
      throw error;
    }
  }

  /**
   * A value the reference reads as a run of tokens joined without spaces. Sluice takes only tokens
   * written without whitespace between them, then rejects a token glued to the end that the grammar
   * would have left over (the reference silently ignores it). `what` reads well after "the".
   */
  readRun(what: string, first: TokenKind[], rest: TokenKind[]): string {
    let text = this.expect(first, `the ${what}`).text;
    while (rest.includes(this.peek().kind) && !this.peek().spaced) text += this.next().text;
    this.rejectGlued(text, what);
    return text;
  }

  /** A FIELD, or a run of TOPICNAME and '.' tokens (`STOREAS`, tag values, properties…). */
  readFieldOrTopicRun(what: string, alsoSingle: TokenKind[] = []): string {
    if (this.at('field') || alsoSingle.includes(this.peek().kind)) {
      const text = this.next().text;
      this.rejectGlued(text, what);
      return text;
    }
    return this.readRun(what, ['topicname', '.'], ['topicname', '.']);
  }

  /** `{FIELD | '.'}+ | {'.' | TOPICNAME}+`: the first word decides which, and they never mix. */
  readDottedRun(what: string): string {
    let ahead = 0;
    while (this.peek(ahead).kind === '.' && (ahead === 0 || !this.peek(ahead).spaced)) ahead++;
    const word = this.peek(ahead).kind === 'topicname' ? 'topicname' : 'field';
    return this.readRun(what, [word, '.'], [word, '.']);
  }

  /** A single value token, with nothing glued to it. */
  readSingle(kinds: TokenKind[], what: string): Token {
    const token = this.expect(kinds, what);
    this.rejectGlued(token.text, 'value');
    return token;
  }

  private rejectGlued(text: string, what: string): void {
    const token = this.peek();
    if (token.spaced || !WORDISH.has(token.kind)) return;
    const hint = /^[0-9]+$/.test(text)
      ? 'expected a whole number'
      : `if it is part of the ${what}, write the whole ${what} in back-ticks`;
    this.fail(`unexpected ${describe(token)} right after '${text}': ${hint}`, token);
  }

  /** `FIELD { '.' FIELD } [ '.' '*' ]` — the classic column rule. */
  readColumnPath(what: string): ColumnPath {
    const segments = [this.expectWord(what)];
    while (this.accept('.')) {
      if (this.accept('*')) return { segments, star: true };
      segments.push(this.expectWord(`a name after '${segments.join('.')}.'`));
    }
    return { segments, star: false };
  }

  /** A FIELD token's text: a column name or path segment. */
  expectWord(what: string): string {
    const token = this.peek();
    if (token.kind === 'field') return this.next().text;
    const found = `expected ${what}, found ${describe(token)}`;
    if (token.kind === 'keyword' || token.kind === 'format') {
      this.fail(`${found}: it is a KCQL reserved word and cannot be used as a column name`);
    }
    if (token.kind === 'topicname') {
      this.fail(
        `${found}: column names may only contain letters, digits, _ and @, and cannot be back-ticked`,
      );
    }
    return this.fail(found);
  }
}

export function describe(token: Token): string {
  if (token.kind === 'eof') return 'the end of the statement';
  const reserved = token.kind === 'field' ? reservedWordIgnoringCase(token.text) : undefined;
  const hint = reserved ? ` (keywords are written all upper-case or all lower-case: ${reserved})` : '';
  const shown = token.kind === 'string' || token.kind === 'keydelim' ? token.text : `'${token.text}'`;
  return `${shown}${hint}`;
}
