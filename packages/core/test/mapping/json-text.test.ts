import { describe, expect, it } from 'vitest';
import { ConnectDecimal } from '../../src/data/index.js';
import { toJsonText } from '../../src/mapping/json-text.js';

describe('toJsonText', () => {
  it('writes Connect values as exact JSON', () => {
    const doc = {
      big: 9007199254740993n,
      price: new ConnectDecimal(-123456789012345678901234567890n, 4),
      at: new Date('2024-01-02T03:04:05.006Z'),
      raw: Buffer.from('hi'),
      nested: { list: [1, 'a', null, true] },
      pairs: new Map([[1, 'x']]),
      nan: Number.NaN,
    };
    expect(toJsonText(doc)).toBe(
      '{"big":9007199254740993,"price":-12345678901234567890123456.7890,"at":"2024-01-02T03:04:05.006Z",' +
        '"raw":"aGk=","nested":{"list":[1,"a",null,true]},"pairs":[[1,"x"]],"nan":null}',
    );
  });

  it('round-trips plain JSON like JSON.stringify', () => {
    const plain = { a: 'q"uote', b: [1.5, { c: false }], d: null };
    expect(toJsonText(plain)).toBe(JSON.stringify(plain));
  });
});
