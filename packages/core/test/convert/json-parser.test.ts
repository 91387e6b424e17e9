import { describe, expect, it } from 'vitest';
import { JsonConverter } from '../../src/convert/json/json-converter.js';
import { JsonNumberText } from '../../src/convert/json/json-node.js';
import {
  convertJsonText,
  hasRiskyLiteral,
  JsonSyntaxError,
  parseJsonExact,
} from '../../src/convert/json/json-parser.js';
import { schemalessToConnect } from '../../src/convert/json/json-to-connect.js';
import { valuesEqual } from '../../src/data/index.js';
import { typeShape } from './vector-values.js';

describe('parseJsonExact', () => {
  it('keeps integers beyond 2^53 as bigint and float literals as text', () => {
    const doc = parseJsonExact('{"a": 12345678901234567890, "b": 1.50, "c": -3, "d": 1E+3}') as Record<
      string,
      unknown
    >;
    expect(doc.a).toBe(12345678901234567890n);
    expect(doc.b).toEqual(new JsonNumberText('1.50'));
    expect(doc.c).toBe(-3);
    expect(doc.d).toEqual(new JsonNumberText('1E+3'));
  });

  it('accepts leading zeros, escapes and a "__proto__" member as data', () => {
    const doc = parseJsonExact('{"n": 007, "s": "a\\"b\\u00e9", "__proto__": {"x": 1}}') as Record<
      string,
      unknown
    >;
    expect(doc.n).toBe(7);
    expect(doc.s).toBe('a"bé');
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.keys(doc)).toEqual(['n', 's', '__proto__']);
  });

  it('rejects invalid JSON with a position and no content', () => {
    for (const bad of ['{"a":}', '[1,]', '{"a" 1}', '"open', 'tru', '1.', '-', '{"a":1} x', '[1 2]']) {
      expect(() => parseJsonExact(bad), bad).toThrow(JsonSyntaxError);
    }
    expect(() => parseJsonExact('{"secret": nope}')).toThrow(/^Unexpected character at position 11$/);
    expect(parseJsonExact('   ')).toBeUndefined();
  });
});

describe('convertJsonText fast path', () => {
  const exactly = (text: string) => schemalessToConnect(parseJsonExact(text));
  const fast = (text: string) => convertJsonText(text, schemalessToConnect);

  function expectSameAsExact(text: string): void {
    const a = fast(text);
    const b = exactly(text);
    expect(valuesEqual(a, b), text).toBe(true);
    expect(typeShape(a), text).toEqual(typeShape(b));
  }

  it("gives the exact parser's result on tricky literals", () => {
    for (const text of [
      '[12, 12.0, 12.000, 1.0E7, 1.5E-4, 2E3, -0.0, 0.30000000000000004]',
      '{"big": 9007199254740993, "neg": -9223372036854775808}',
      '{"f": 1.00000000000000001, "g": 0.99999999999999999, "h": 123456789.0000000001}',
      '{"id": "3E4F", "v": "v1.0", "ip": "10.0.0.1", "n": 16.99}',
      '007',
      '{"a": [1, {"b": 2.5}]}',
    ]) {
      expectSameAsExact(text);
    }
  });

  it('agrees with the exact parser on random documents', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const digits = (n: number) => Array.from({ length: n }, () => String(rand(10))).join('');
    const number = () => {
      const int = String(BigInt(digits(1 + rand(18))));
      switch (rand(6)) {
        case 0:
          return int;
        case 1:
          return `${int.slice(0, 12)}.0`;
        case 2:
          return `${int.slice(0, 12)}.${digits(1 + rand(18))}`;
        case 3:
          return `${int.slice(0, 3)}.${digits(1 + rand(4))}E${rand(2) ? '-' : ''}${rand(12)}`;
        case 4:
          return `${int.slice(0, 9)}.${rand(2) ? '000' : '999'}${digits(rand(15))}`;
        default:
          return `-${int}`;
      }
    };
    for (let i = 0; i < 300; i++) {
      const text = `{"a": ${number()}, "b": [${number()}, ${number()}], "s": "x${digits(3)}E${digits(2)}"}`;
      expectSameAsExact(text);
    }
  });
});

describe('the schemaless JsonConverter path', () => {
  it('reads records as the exact parser does: unicode, escapes, duplicate keys, -0, 2^53 and beyond', () => {
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65536) % n;
    };
    const pick = <T>(list: readonly T[]) => list[rand(list.length)]!;
    // Not `2e3`: a lowercase exponent with an integral value is the documented imprecision (INT64).
    const numbers = [
      '0',
      '-0',
      '-0.0',
      '12',
      '12.0',
      '1.0E7',
      '1.5E-4',
      '2E3',
      '9007199254740991',
      '9007199254740992',
      '9007199254740993',
      '-9223372036854775808',
      '123456789012.000001',
      '0.99999999999999999',
      '1E400',
      '3.14',
      '1.05e3',
    ];
    const strings = ['"é"', '"日本"', '"\\u00e9\\n"', '"v1.0E5"', '"12.0"', '"😀"', '"a\\"b"', '""'];
    const value = (depth: number): string => {
      switch (rand(depth > 2 ? 3 : 5)) {
        case 0:
          return pick(numbers);
        case 1:
          return pick(strings);
        case 2:
          return pick(['true', 'false', 'null']);
        case 3:
          return `[${Array.from({ length: rand(4) }, () => value(depth + 1)).join(', ')}]`;
        default: {
          // Repeated names on purpose: the last value wins, at the first name's place.
          const names = Array.from({ length: rand(5) }, () => pick(['"a"', '"b"', '"é"', '"c.d"']));
          return `{${names.map((n) => `${n}: ${value(depth + 1)}`).join(', ')}}`;
        }
      }
    };
    const json = new JsonConverter();
    json.configure({ 'schemas.enable': 'false' }, false);
    for (let i = 0; i < 500; i++) {
      const text = value(0);
      const read = json.toConnectData('t', Buffer.from(text, 'utf8')).value;
      const exact = schemalessToConnect(parseJsonExact(text));
      expect(valuesEqual(read, exact), text).toBe(true);
      expect(typeShape(read), text).toEqual(typeShape(exact));
    }
  });
});

describe('hasRiskyLiteral', () => {
  // The probe as it was first written (three substring searches, a regex match at every hit): the
  // cheaper probe must take the same decision on every text.
  const RISKY_NUMBER = /^-?\d+(?:\.(?:0+|000\d*|999\d*)|(?:\.\d+)?[eE][+-]?\d+)$/;
  const numberChar = /[0-9.+\-eE]/;
  const valueStart = new Set(['', ':', ',', '[', ' ', '\n', '\r', '\t']);
  const valueEnd = new Set(['', ',', ']', '}', ' ', '\n', '\r', '\t']);
  function riskyAt(text: string, at: number): boolean {
    let start = at;
    while (start > 0 && numberChar.test(text[start - 1]!)) start--;
    let end = at + 1;
    while (end < text.length && numberChar.test(text[end]!)) end++;
    return (
      valueStart.has(text[start - 1] ?? '') &&
      valueEnd.has(text[end] ?? '') &&
      RISKY_NUMBER.test(text.slice(start, end))
    );
  }
  function reference(text: string): boolean {
    for (const needle of ['.0', '.999', 'E']) {
      for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) {
        if (riskyAt(text, i)) return true;
      }
    }
    return false;
  }

  it('flags integral floats, Java exponents and 000/999 fractions, not look-alikes in text', () => {
    const risky = [
      '12.0',
      '[1.0E7]',
      '{"a":-3.000}',
      '0.0001',
      '{"a": 0.9999999999999999999}',
      '1E3',
      '2.5E+3',
    ];
    const safe = ['12.5', '"v1.0"', '"3E4F"', '"10.0.0.1"', '1.5e3', '"at 20:13:20.000Z"', '{"a":16.99}'];
    for (const text of risky) expect(hasRiskyLiteral(text), text).toBe(true);
    for (const text of safe) expect(hasRiskyLiteral(text), text).toBe(false);
    // Kept from the substring probe: a lowercase exponent counts when the fraction starts with 0 or 999.
    expect(hasRiskyLiteral('1.05e3')).toBe(true);
    expect(hasRiskyLiteral('1.9995e3')).toBe(true);
    expect(hasRiskyLiteral('1.99e3')).toBe(false);
  });

  it('decides as the substring probe did on random texts', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      // The high bits: an LCG's low bits repeat with a short period.
      return Math.floor(seed / 65536) % n;
    };
    // Number-like runs (literals, some broken by a stray character) between delimiters and text.
    const pick = (list: string[]) => list[rand(list.length)]!;
    const numberLike = () => {
      let literal = pick(['', '', '-']) + pick(['1', '0', '12', '999', '5']);
      if (rand(4) > 0) literal += '.' + pick(['0', '000', '999', '5', '05', '0001', '9995', '99', '00', '']);
      if (rand(2) === 0) literal += pick(['E', 'e']) + pick(['', '+', '-']) + pick(['3', '10', '']);
      if (rand(4) === 0) {
        const at = rand(literal.length + 1);
        literal = literal.slice(0, at) + pick(['.', 'E', '-', '+', '9', 'x']) + literal.slice(at);
      }
      return literal;
    };
    const around = [' ', ',', ':', '[', ']', '}', '"', 'x', 'EUR', '.', ''];
    let risky = 0;
    for (let i = 0; i < 20000; i++) {
      let text = pick(around);
      for (let runs = 1 + rand(3); runs > 0; runs--) text += numberLike() + pick(around);
      const expected = reference(text);
      if (expected) risky++;
      expect(hasRiskyLiteral(text), JSON.stringify(text)).toBe(expected);
    }
    // Both outcomes are well represented, so the comparison tests something.
    expect(risky).toBeGreaterThan(1000);
    expect(risky).toBeLessThan(19000);
  });
});
