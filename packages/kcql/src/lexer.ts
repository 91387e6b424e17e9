// Hand-written equivalent of the classic ConnectorLexer.g4: longest match wins, and on a tie the rule
// defined first wins (keywords, then INT, then FIELD, then TOPICNAME). Unlike the ANTLR lexer, which
// silently drops characters it cannot match, this one rejects them (spec/kcql.md §1.2, §2.1).
import { KcqlError } from './errors.js';
import { formatWordOf, keywordOf, type FormatWord, type Keyword } from './keywords.js';

export type TokenKind =
  | 'keyword' // value: the canonical upper-case keyword
  | 'format' // a WITHFORMAT word (AVRO, json, …); value: upper-case
  | 'int' // [0-9]+
  | 'field' // [A-Za-z0-9_@]+
  | 'topicname' // [A-Za-z0-9_\-+/{}:]+ with at least one of -+/{}:, or a `back-ticked` string
  | 'systime' // sys_time() / SYS_TIME()
  | 'string' // 'single quoted' (text keeps the quotes)
  | 'keydelim' // a quoted single character such as '|' (text keeps the quotes)
  | '='
  | '*'
  | ','
  | '.'
  | '('
  | ')'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Exactly as written. */
  text: string;
  /** Set for `keyword` and `format` tokens. */
  value?: Keyword | FormatWord;
  /** 0-based offsets into the text handed to the lexer. */
  start: number;
  end: number;
  /** Whether whitespace separates this token from the previous one. */
  spaced: boolean;
}

export interface LexSource {
  /** The whole text, for error positions. */
  text: string;
  /** The part of `text` holding this statement. */
  from: number;
  to: number;
  statement?: number;
}

const FIELD_CHAR = /[A-Za-z0-9_@]/;
const TOPIC_CHAR = /[A-Za-z0-9_\-+/{}:]/;
const DIGIT = /[0-9]/;
const KEYDELIM_CHAR = /[A-Za-z0-9_\-+/{}:|#@^[\]*?$`]/;
const WHITESPACE = /[ \t\r\n]/;
const PUNCTUATION = new Set(['=', '*', ',', '.', '(', ')']);
const SYS_TIME = ['sys_time()', 'SYS_TIME()'];

export function tokenize(source: LexSource): Token[] {
  const { text, to } = source;
  const tokens: Token[] = [];
  const fail = (reason: string, offset: number): never => {
    throw new KcqlError(reason, { text, offset, statement: source.statement });
  };
  const runLength = (from: number, allowed: RegExp): number => {
    let end = from;
    while (end < to && allowed.test(text[end]!)) end++;
    return end - from;
  };

  let pos = source.from;
  let spaced = true;
  const push = (kind: TokenKind, end: number, value?: Keyword | FormatWord): void => {
    tokens.push({ kind, text: text.slice(pos, end), value, start: pos, end, spaced });
    pos = end;
    spaced = false;
  };

  while (pos < to) {
    const ch = text[pos]!;
    if (WHITESPACE.test(ch)) {
      pos++;
      spaced = true;
    } else if (PUNCTUATION.has(ch)) {
      push(ch as TokenKind, pos + 1);
    } else if (ch === '`') {
      const close = text.indexOf('`', pos + 1);
      if (close < 0 || close >= to) fail('unterminated back-tick: add the closing ` after the name', pos);
      if (close === pos + 1) fail('empty back-ticks: write a name between them', pos);
      push('topicname', close + 1);
    } else if (ch === "'") {
      lexQuoted();
    } else if (FIELD_CHAR.test(ch) || TOPIC_CHAR.test(ch)) {
      lexWord();
    } else if (ch === ';') {
      if (text.slice(pos + 1, to).trim() !== '') {
        fail(
          "';' ends the statement, but more text follows: parse a config value holding several statements with parseKcqlList",
          pos,
        );
      }
      break; // one trailing ';' is accepted: connectors split their kcql setting on ';'
    } else {
      fail(unexpectedCharacter(String.fromCodePoint(text.codePointAt(pos)!)), pos);
    }
  }
  tokens.push({ kind: 'eof', text: '', start: pos, end: pos, spaced: true });
  return tokens;

  function lexQuoted(): void {
    if (text[pos + 2] === "'" && pos + 2 < to && KEYDELIM_CHAR.test(text[pos + 1] ?? '')) {
      push('keydelim', pos + 3);
      return;
    }
    let end = pos + 1;
    while (end < to && text[end] !== "'" && text[end] !== '\n' && text[end] !== '\r') end++;
    if (end >= to || text[end] !== "'") {
      fail(
        "unterminated quoted string: add the closing ' on the same line (KCQL strings have no escapes)",
        pos,
      );
    }
    push('string', end + 1);
  }

  function lexWord(): void {
    if (SYS_TIME.some((spelling) => text.startsWith(spelling, pos) && pos + spelling.length <= to)) {
      push('systime', pos + 'sys_time()'.length);
      return;
    }
    const fieldLength = runLength(pos, FIELD_CHAR);
    const topicLength = runLength(pos, TOPIC_CHAR);
    if (topicLength > fieldLength) {
      push('topicname', pos + topicLength);
      return;
    }
    const word = text.slice(pos, pos + fieldLength);
    const keyword = keywordOf(word);
    const format = formatWordOf(word);
    if (keyword) push('keyword', pos + fieldLength, keyword);
    else if (format) push('format', pos + fieldLength, format);
    else if (runLength(pos, DIGIT) === fieldLength) push('int', pos + fieldLength);
    else push('field', pos + fieldLength);
  }
}

function unexpectedCharacter(ch: string): string {
  const shown = /[\x21-\x7e]/.test(ch)
    ? `'${ch}'`
    : `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  if (ch === '"') {
    return `unexpected character ${shown}: double quotes are not quotes in KCQL; write names in back-ticks (\`my.topic\`) and values in single quotes`;
  }
  return `unexpected character ${shown}: KCQL names may only contain letters, digits and _ @ - + / { } :; write other names in back-ticks`;
}
