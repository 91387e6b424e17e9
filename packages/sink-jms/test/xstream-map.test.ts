import { describe, expect, it } from 'vitest';
import { MapBodyError, xstreamMapBody } from '../src/xstream-map.js';

describe('the jms-map-json body', () => {
  it('names the Java type of each entry; strings travel as [key, value]; numbers as exact text', () => {
    expect(
      JSON.parse(
        xstreamMapBody([
          ['name', { t: 'string', v: 'Ada' }],
          ['age', { t: 'int', v: 36 }],
          ['id', { t: 'long', v: 9007199254740993n }],
          ['score', { t: 'double', v: 3 }],
          ['ratio', { t: 'float', v: Number.NaN }],
          ['small', { t: 'byte', v: -1 }],
          ['ok', { t: 'boolean', v: true }],
          ['none', { t: 'null' }],
        ]),
      ),
    ).toEqual({
      map: {
        entry: [
          { string: ['name', 'Ada'] },
          { string: 'age', int: '36' },
          { string: 'id', long: '9007199254740993' },
          { string: 'score', double: '3' },
          { string: 'ratio', float: 'NaN' },
          { string: 'small', byte: '-1' },
          { string: 'ok', boolean: true },
          { string: 'none', null: '' },
        ],
      },
    });
  });

  it('nests maps and lists; an empty map or list is an empty element', () => {
    expect(
      JSON.parse(
        xstreamMapBody([
          ['site', { t: 'map', v: [['line', { t: 'int', v: 7 }]] }],
          [
            'tags',
            {
              t: 'list',
              v: [
                { t: 'string', v: 'a' },
                { t: 'string', v: 'b' },
              ],
            },
          ],
          ['empty', { t: 'map', v: [] }],
          ['nothing', { t: 'list', v: [] }],
        ]),
      ),
    ).toEqual({
      map: {
        entry: [
          { string: 'site', map: { entry: [{ string: 'line', int: '7' }] } },
          { string: 'tags', list: { string: ['a', 'b'] } },
          { string: 'empty', map: '' },
          { string: 'nothing', list: '' },
        ],
      },
    });
    expect(JSON.parse(xstreamMapBody([]))).toEqual({ map: '' });
  });

  it('refuses a list that mixes element types (XStream JSON would reorder it)', () => {
    expect(() => xstreamMapBody([['xs', { t: 'list', v: [{ t: 'int', v: 1 }, { t: 'null' }] }]])).toThrow(
      MapBodyError,
    );
  });
});
