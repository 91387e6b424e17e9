import { JsonNumberText, type JsonNode, type JsonObject } from './json-node.js';

// Reads JSON text into a JsonNode tree without losing number information.
//
// Fast path: JSON.parse. After it, an integral value must still mean "integer literal" (schemaless
// integers are INT64, other numbers FLOAT64) and integers must be exact. Two checks make sure:
// - before parsing, a probe finds candidate literals JSON.parse would blur: integral floats (`12.0`),
//   Java's exponent form (`1.0E7`, which Kafka Connect itself writes for large doubles), and fractions
//   starting with 000/999 that may round to an integer (with up to ~12 integer digits they must, to get
//   within half an ULP). It scans natively for '.' and 'E' only; the characters next to a hit turn most
//   hits down at once (a candidate has a digit before it and, after a '.', a '0' or a '9'). A candidate
//   counts only when it is a whole, delimited JSON number, so ids such as "3E4F" or "v1.0" do not force
//   the slow path.
//   Accepted imprecision: a lowercase exponent literal with an integral value below 2^53 (`1e3`; JS,
//   Python and Go print such values without exponent) and a float of 13+ integer digits whose fraction
//   rounds away both read as INT64 of the same value where Java has FLOAT64.
// - while converting, a number beyond 2^53 from the fast path throws INEXACT_NUMBER and the text is
//   parsed again exactly (see convertJsonText).
// Slow path: a small exact parser (also Jackson-lenient about leading zeros, as Kafka's converter is).

const RISKY_NUMBER = /^-?\d+(?:\.(?:0+|000\d*|999\d*)|(?:\.\d+)?[eE][+-]?\d+)$/;

/** Whether `text` holds a number literal that JSON.parse would blur (see above). */
export function hasRiskyLiteral(text: string): boolean {
  for (let i = text.indexOf('.'); i !== -1; i = text.indexOf('.', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if ((next !== 0x30 && next !== 0x39) || !isDigit(text.charCodeAt(i - 1))) continue;
    if (next === 0x39 && !text.startsWith('999', i + 1)) continue;
    if (isRiskyNumberAt(text, i)) return true;
  }
  for (let i = text.indexOf('E'); i !== -1; i = text.indexOf('E', i + 1)) {
    if (isDigit(text.charCodeAt(i - 1)) && isRiskyNumberAt(text, i)) return true;
  }
  return false;
}

/** Whether position `at` lies in a delimited JSON number literal that JSON.parse would blur. */
function isRiskyNumberAt(text: string, at: number): boolean {
  let start = at;
  while (start > 0 && isNumberChar(text.charCodeAt(start - 1))) start--;
  let end = at + 1;
  while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
  return (
    isValueStart(text.charCodeAt(start - 1)) &&
    isValueEnd(text.charCodeAt(end)) &&
    RISKY_NUMBER.test(text.slice(start, end))
  );
}

/** Characters of a JSON number literal. */
function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45;
}

/** What may precede a JSON value: start of text, `:`, `,`, `[` or whitespace. */
function isValueStart(c: number): boolean {
  return (
    Number.isNaN(c) ||
    c === 0x3a ||
    c === 0x2c ||
    c === 0x5b ||
    c === 0x20 ||
    c === 0x0a ||
    c === 0x0d ||
    c === 0x09
  );
}

/** What may follow a JSON value: end of text, `,`, `]`, `}` or whitespace. */
function isValueEnd(c: number): boolean {
  return (
    Number.isNaN(c) ||
    c === 0x2c ||
    c === 0x5d ||
    c === 0x7d ||
    c === 0x20 ||
    c === 0x0a ||
    c === 0x0d ||
    c === 0x09
  );
}

export class JsonSyntaxError extends Error {}

/**
 * Thrown by a conversion that met a fast-path number it cannot trust (an integer beyond 2^53, or any
 * number whose literal text matters); convertJsonText then converts an exact parse instead.
 */
export const INEXACT_NUMBER = new Error('JSON number needs exact parsing');

/**
 * Parses `text` and converts the tree with `convert`, on the fast path when it is safe. `exact` forces
 * the exact parser (e.g. when decimals will be read from JSON numbers). Empty text converts `undefined`.
 * Throws JsonSyntaxError on invalid JSON.
 */
export function convertJsonText<T>(
  text: string,
  convert: (node: JsonNode | undefined) => T,
  exact = false,
): T {
  if (!exact && !hasRiskyLiteral(text)) {
    let node: JsonNode | undefined;
    let parsed = true;
    try {
      node = JSON.parse(text) as JsonNode;
    } catch {
      // Not strict JSON (e.g. leading zeros) or empty: the exact parser decides and explains.
      parsed = false;
    }
    if (parsed) {
      try {
        return convert(node);
      } catch (e) {
        if (e !== INEXACT_NUMBER) throw e;
      }
    }
  }
  return convert(parseJsonExact(text));
}

/** Exact parse: integers beyond 2^53 as bigint, non-integer literals as JsonNumberText. */
export function parseJsonExact(text: string): JsonNode | undefined {
  return new ExactJsonParser(text).parseDocument();
}

const WS = new Uint8Array(128);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1;

class ExactJsonParser {
  #pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): JsonNode | undefined {
    this.#skipWs();
    if (this.#pos >= this.text.length) return undefined;
    const value = this.#value(0);
    this.#skipWs();
    if (this.#pos < this.text.length) this.#fail('Unexpected character after the JSON value');
    return value;
  }

  #value(depth: number): JsonNode {
    if (depth > 1000) this.#fail('JSON nesting is too deep');
    const c = this.text.charCodeAt(this.#pos);
    switch (c) {
      case 0x7b /* { */:
        return this.#object(depth);
      case 0x5b /* [ */:
        return this.#array(depth);
      case 0x22 /* " */:
        return this.#string();
      case 0x74 /* t */:
        return this.#literal('true', true);
      case 0x66 /* f */:
        return this.#literal('false', false);
      case 0x6e /* n */:
        return this.#literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.#number();
        return this.#fail(Number.isNaN(c) ? 'Unexpected end of input' : 'Unexpected character');
    }
  }

  #object(depth: number): JsonObject {
    this.#pos++;
    const out: JsonObject = {};
    this.#skipWs();
    if (this.#peek() === 0x7d) {
      this.#pos++;
      return out;
    }
    for (;;) {
      this.#skipWs();
      if (this.#peek() !== 0x22) this.#fail('Expected a field name');
      const key = this.#string();
      this.#skipWs();
      if (this.#peek() !== 0x3a) this.#fail("Expected ':'");
      this.#pos++;
      this.#skipWs();
      const value = this.#value(depth + 1);
      // defineProperty so that a "__proto__" member is data, as with JSON.parse.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      this.#skipWs();
      const c = this.#peek();
      this.#pos++;
      if (c === 0x7d) return out;
      if (c !== 0x2c) this.#fail("Expected ',' or '}'", this.#pos - 1);
    }
  }

  #array(depth: number): JsonNode[] {
    this.#pos++;
    const out: JsonNode[] = [];
    this.#skipWs();
    if (this.#peek() === 0x5d) {
      this.#pos++;
      return out;
    }
    for (;;) {
      this.#skipWs();
      out.push(this.#value(depth + 1));
      this.#skipWs();
      const c = this.#peek();
      this.#pos++;
      if (c === 0x5d) return out;
      if (c !== 0x2c) this.#fail("Expected ',' or ']'", this.#pos - 1);
    }
  }

  #string(): string {
    const start = this.#pos;
    let i = start + 1;
    let escaped = false;
    for (;;) {
      const c = this.text.charCodeAt(i);
      if (Number.isNaN(c)) this.#fail('Unterminated string', start);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c < 0x20) this.#fail('Control character in string', i);
      i++;
    }
    this.#pos = i + 1;
    if (!escaped) return this.text.slice(start + 1, i);
    try {
      return JSON.parse(this.text.slice(start, i + 1)) as string;
    } catch {
      return this.#fail('Invalid escape sequence in string', start);
    }
  }

  #number(): number | bigint | JsonNumberText {
    const start = this.#pos;
    let i = start;
    if (this.text.charCodeAt(i) === 0x2d) i++;
    const intStart = i;
    while (isDigit(this.text.charCodeAt(i))) i++;
    if (i === intStart) this.#fail('Invalid number', start);
    let integral = true;
    if (this.text.charCodeAt(i) === 0x2e) {
      integral = false;
      const fracStart = ++i;
      while (isDigit(this.text.charCodeAt(i))) i++;
      if (i === fracStart) this.#fail('Invalid number: no digit after the decimal point', start);
    }
    const e = this.text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      integral = false;
      i++;
      const s = this.text.charCodeAt(i);
      if (s === 0x2b || s === 0x2d) i++;
      const expStart = i;
      while (isDigit(this.text.charCodeAt(i))) i++;
      if (i === expStart) this.#fail('Invalid number: no digit in the exponent', start);
    }
    this.#pos = i;
    const literal = this.text.slice(start, i);
    if (!integral) return new JsonNumberText(literal);
    const n = Number(literal);
    return Number.isSafeInteger(n) ? n : BigInt(literal);
  }

  #literal<T extends JsonNode>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.#pos)) this.#fail('Unexpected character');
    this.#pos += word.length;
    return value;
  }

  #peek(): number {
    return this.text.charCodeAt(this.#pos);
  }

  #skipWs(): void {
    while (WS[this.text.charCodeAt(this.#pos)] === 1) this.#pos++;
  }

  #fail(what: string, at = this.#pos): never {
    // Position only: record content may be confidential and must not reach logs through errors.
    throw new JsonSyntaxError(`${what} at position ${at}`);
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
