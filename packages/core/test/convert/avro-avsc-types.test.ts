import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { avscType } from '../../src/convert/avro/avsc-types.js';

describe('avsc types for Connect data', () => {
  const long = avscType('long');
  const plain = avro.Type.forSchema('long');

  it('reads every long as an exact bigint, across the double-precision edge and the int64 limits', () => {
    const edges = [
      0n,
      1n,
      -1n,
      63n,
      -64n,
      64n,
      2n ** 49n - 1n,
      2n ** 49n,
      -(2n ** 49n) - 1n,
      2n ** 53n,
      2n ** 53n + 1n,
    ];
    const limits = [
      -(2n ** 53n) - 1n,
      2n ** 56n + 3n,
      2n ** 62n,
      2n ** 63n - 1n,
      -(2n ** 63n),
      123456789012345678n,
    ];
    for (const v of [...edges, ...limits]) expect(long.fromBuffer(long.toBuffer(v))).toBe(v);
  });

  it('writes the same bytes as avsc below 2^52, given as numbers or bigints', () => {
    for (const n of [0, 1, -1, 300, -300, 2 ** 31, -(2 ** 31) - 1, 2 ** 52 - 1, -(2 ** 52) + 1]) {
      expect(long.toBuffer(n).toString('hex')).toBe(plain.toBuffer(n).toString('hex'));
      expect(long.toBuffer(BigInt(n)).toString('hex')).toBe(plain.toBuffer(n).toString('hex'));
    }
  });

  it('writes safe integers beyond 2^52 exactly (avsc rounds their zig-zag value in a double)', () => {
    for (const n of [2 ** 52 + 7, -(2 ** 53) + 3, Number.MAX_SAFE_INTEGER]) {
      expect(long.toBuffer(n).toString('hex')).toBe(long.toBuffer(BigInt(n)).toString('hex'));
      expect(long.fromBuffer(long.toBuffer(n))).toBe(BigInt(n));
    }
  });

  it('rejects values that are not int64', () => {
    expect(() => long.toBuffer(2n ** 63n)).toThrow();
    expect(() => long.toBuffer(1.5)).toThrow();
    expect(() => long.toBuffer('1')).toThrow();
  });

  it('unwraps [null, T] and single-branch unions, and wraps every other union', () => {
    const type = avscType({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'opt', type: ['null', 'long'] },
        { name: 'one', type: ['string'] },
        { name: 'multi', type: ['int', 'string'] },
      ],
    });
    const datum = type.fromBuffer(type.toBuffer({ opt: 5n, one: 'x', multi: { string: 'y' } })) as Record<
      string,
      unknown
    >;
    expect(datum.opt).toBe(5n);
    expect(datum.one).toBe('x');
    expect({ ...(datum.multi as object) }).toEqual({ string: 'y' });
  });

  it('promotes an int written value to a bigint when read as long (schema resolution)', () => {
    const writer = avscType({ type: 'record', name: 'R', fields: [{ name: 'n', type: 'int' }] });
    const reader = avscType({ type: 'record', name: 'R', fields: [{ name: 'n', type: 'long' }] });
    const resolver = reader.createResolver(writer);
    expect((reader.fromBuffer(writer.toBuffer({ n: -7 }), resolver) as { n: unknown }).n).toBe(-7n);
  });
});
