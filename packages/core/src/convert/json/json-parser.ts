import { JsonNumberText, type JsonNode, type JsonObject } from './json-node.js';

// Reads JSON text into a JsonNode tree without losing number information.
//
// Fast path: JSON.parse, when the text holds no number it would damage. A double is exact for any
// literal of at most 15 significant digits, and such a literal with a non-zero fraction cannot round to
// an integer, so after JSON.parse "integral value" still means "integer literal". The check below is a
// single native regex scan that may also fire inside strings; a false alarm only costs the slow path.
// Slow path: a small exact parser (also Jackson-lenient about leading zeros, as Kafka's converter is).

/** 16+ significant digits, an integral float literal (`12.0`), or an exponent literal (`1e3`). */
const NEEDS_EXACT_PARSE = /\d(?:\.?\d){15}|\d\.0+(?!\d)|[\d.][eE][+-]?\d+(?=[\s,\]}]|$)/;

export class JsonSyntaxError extends Error {}

/** Parses JSON text; throws JsonSyntaxError on invalid input. Empty (all-whitespace) text gives `undefined`. */
export function parseJson(text: string): JsonNode | undefined {
  if (!NEEDS_EXACT_PARSE.test(text)) {
    try {
      return JSON.parse(text) as JsonNode;
    } catch {
      // Not strict JSON (e.g. leading zeros) or empty: the exact parser decides and explains.
    }
  }
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
