import { describe, expect, it } from 'vitest';
import { JsonNumberText } from '../../src/convert/json/json-node.js';
import { convertJsonText, JsonSyntaxError, parseJsonExact } from '../../src/convert/json/json-parser.js';
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
