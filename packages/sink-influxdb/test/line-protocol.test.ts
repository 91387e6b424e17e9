import { escape } from '@influxdata/influxdb-client';
import { describe, expect, it } from 'vitest';
import { encodePoint, fieldString } from '../src/line-protocol.js';

describe('line protocol', () => {
  const texts = ['plain', 'a b', 'a,b', 'a=b', 'a\nb\r\tc', 'back\\slash', 'quo"te', ''];

  it('escapes exactly as the client does, with or without special characters', () => {
    for (const text of texts) {
      const { line } = encodePoint({
        measurement: text || 'm',
        tags: new Map([[text || 't', text || 'v']]),
        fields: new Map([[text || 'f', '1i']]),
        time: 1n,
      });
      const m = text || 'm';
      const t = text || 't';
      const v = text || 'v';
      const f = text || 'f';
      expect(line).toBe(`${escape.measurement(m)},${escape.tag(t)}=${escape.tag(v)} ${escape.tag(f)}=1i 1`);
      expect(fieldString(text)).toBe(escape.quoted(text));
    }
  });

  it('sorts tags, leaves out empty tag values, and gives the identity without fields', () => {
    const encoded = encodePoint({
      measurement: 'm',
      tags: new Map([
        ['b', '2'],
        ['a', '1'],
        ['c', ''],
      ]),
      fields: new Map([['v', '1.5']]),
      time: 7n,
    });
    expect(encoded).toEqual({ line: 'm,a=1,b=2 v=1.5 7', identity: 'm,a=1,b=2 7' });
  });
});
