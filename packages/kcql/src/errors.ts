/** Where in the text handed to the parser a problem was found. */
export interface KcqlErrorPosition {
  /** The whole text given to `parseKcql` / `parseKcqlList`. */
  text: string;
  /** 0-based index into `text`. */
  offset: number;
  /** 1-based number of the statement inside a `parseKcqlList` value. */
  statement?: number;
}

/**
 * A KCQL statement that Sluice does not accept. `message` reads
 * `KCQL error at column 28: expected FROM after the select list, found 'FORM'`; the parts are also
 * available separately. Lines and columns are 1-based and count from the start of the text given to
 * the parser (the whole config value for `parseKcqlList`).
 */
export class KcqlError extends Error {
  override readonly name = 'KcqlError';
  /** What is wrong and what to do, without the position prefix. */
  readonly reason: string;
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  /** 1-based statement number, set by `parseKcqlList`. */
  readonly statement: number | undefined;

  constructor(reason: string, position: KcqlErrorPosition) {
    const before = position.text.slice(0, position.offset);
    const line = before.split('\n').length;
    const column = position.offset - (before.lastIndexOf('\n') + 1) + 1;
    const where = [
      position.statement === undefined ? null : `statement ${position.statement}`,
      position.text.includes('\n') ? `line ${line}` : null,
      `column ${column}`,
    ]
      .filter((part) => part !== null)
      .join(', ');
    super(`KCQL error at ${where}: ${reason}`);
    this.reason = reason;
    this.offset = position.offset;
    this.line = line;
    this.column = column;
    this.statement = position.statement;
  }
}
