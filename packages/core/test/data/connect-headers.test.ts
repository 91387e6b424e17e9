import { describe, expect, it } from 'vitest';
import { ConnectHeaders, Schema } from '../../src/data/index.js';
import { DataException } from '../../src/errors.js';

describe('ConnectHeaders', () => {
  it('keeps order and repeated keys', () => {
    const h = new ConnectHeaders().addString('a', 'x').addInt('b', 1).addString('a', 'y');
    expect(h.size).toBe(3);
    expect(h.lastWithName('a')?.value).toBe('y');
    expect(h.allWithName('a').map((x) => x.value)).toEqual(['x', 'y']);
    expect(h.lastWithName('zz')).toBeNull();
    expect([...h].map((x) => x.key)).toEqual(['a', 'b', 'a']);
  });

  it('validates values against their schema', () => {
    expect(() => new ConnectHeaders().addByte('k', 1000)).toThrow(DataException);
    expect(() => new ConnectHeaders().add('k', 'x', Schema.INT32_SCHEMA)).toThrow(
      "Header 'k': Invalid Java object",
    );
    expect(new ConnectHeaders().addLong('k', 5).lastWithName('k')?.value).toBe(5n);
  });

  it('removes, retains the latest, transforms and duplicates', () => {
    const h = new ConnectHeaders().addString('a', '1').addString('b', '2').addString('a', '3');
    const copy = h.duplicate();
    h.retainLatest();
    expect(h.toArray().map((x) => `${x.key}=${String(x.value)}`)).toEqual(['b=2', 'a=3']);
    expect(copy.size).toBe(3);
    copy.apply((x) => (x.value === '1' ? null : { ...x, value: `${String(x.value)}!` }), 'a');
    expect(copy.toArray().map((x) => x.value)).toEqual(['2', '3!']);
    copy.remove('a');
    expect(copy.toArray().map((x) => x.key)).toEqual(['b']);
    expect(copy.clear().isEmpty()).toBe(true);
  });
});
