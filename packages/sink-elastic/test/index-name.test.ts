import { ConfigException } from '@sluice/core/sink';
import { describe, expect, it } from 'vitest';
import { IndexSuffix, parseIndexTarget } from '../src/index-name.js';

describe('index targets', () => {
  it('static names are lower-cased; _key, _value and _header targets are read per record', () => {
    expect(parseIndexTarget('indexB')).toEqual({ kind: 'static', name: 'indexb' });
    expect(parseIndexTarget('_key')).toMatchObject({ kind: 'key', path: [] });
    expect(parseIndexTarget("_header.'prefix.abc.suffix'")).toMatchObject({
      kind: 'header',
      path: ['prefix.abc.suffix'],
    });
    expect(parseIndexTarget("_value.'customer.name'.'first.name'")).toMatchObject({
      kind: 'value',
      path: ['customer.name', 'first.name'],
    });
  });

  it('a header target needs a name, a value target a path', () => {
    expect(() => parseIndexTarget('_header')).toThrow(ConfigException);
    expect(() => parseIndexTarget('_value')).toThrow(ConfigException);
    expect(() => parseIndexTarget("_value.'open")).toThrow(/unclosed quote/);
  });
});

describe('WITHINDEXSUFFIX', () => {
  const at = new Date('2024-03-04T05:06:07.089Z');

  it('formats Java DateTimeFormatter letters in UTC, with text around and quoted literals', () => {
    expect(new IndexSuffix('_suffix_{YYYY-MM-dd}').format(at)).toBe('_suffix_2024-03-04');
    expect(new IndexSuffix("-{yyyy.MM.dd'T'HH}h").format(at)).toBe('-2024.03.04T05h');
    expect(new IndexSuffix('{yy}{M}{d}{D}{mm}{ss}{SSS}{MMM}{E}').format(at)).toBe('2434640607089MarMon');
  });

  it('YYYY is the calendar year (Java would give the week-based year, 2025, on 2024-12-30)', () => {
    expect(new IndexSuffix('{YYYY}').format(new Date('2024-12-30T12:00:00Z'))).toBe('2024');
  });

  it('unbalanced braces and letters it cannot format are refused at validate', () => {
    expect(() => new IndexSuffix('_{yyyy')).toThrow(/\{ without a \}/);
    expect(() => new IndexSuffix('_yyyy}')).toThrow(/\} without a \{/);
    expect(() => new IndexSuffix('_{yyyy-ww}')).toThrow(/pattern letter 'w'/);
  });
});
