import { describe, expect, it } from 'vitest';
import { parseProperties } from '../../src/worker/properties.js';

describe('parseProperties (java.util.Properties#load)', () => {
  it('accepts =, : and whitespace as separators and trims around them', () => {
    expect(parseProperties('a=1\nb : 2\nc   3\nd=\ne')).toEqual({ a: '1', b: '2', c: '3', d: '', e: '' });
  });

  it('skips # and ! comments and blank lines', () => {
    expect(parseProperties('# comment\n  ! also\n\n   \nkey=value')).toEqual({ key: 'value' });
  });

  it('joins continuation lines and drops the leading whitespace of the next line', () => {
    expect(parseProperties('topics=a,\\\n    b,\\\n    c\nnext=1')).toEqual({ topics: 'a,b,c', next: '1' });
  });

  it('treats an even number of trailing backslashes as an escaped backslash, not a continuation', () => {
    expect(parseProperties('path=C:\\\\\nother=x')).toEqual({ path: 'C:\\', other: 'x' });
  });

  it('decodes escapes in keys and values', () => {
    const props = parseProperties('key\\ with\\:colon=tab\\there\\nnewline \\u00e9\\=');
    expect(props).toEqual({ 'key with:colon': 'tab\there\nnewline é=' });
  });

  it('keeps = and : inside values', () => {
    expect(parseProperties('connect.mongo.kcql=INSERT INTO a SELECT x:y FROM t')).toEqual({
      'connect.mongo.kcql': 'INSERT INTO a SELECT x:y FROM t',
    });
  });

  it('handles CRLF line endings and lets a later key win', () => {
    expect(parseProperties('a=1\r\nb=2\r\na=3\r\n')).toEqual({ a: '3', b: '2' });
  });

  it('does not continue a comment line ending in a backslash', () => {
    expect(parseProperties('# comment \\\nkey=value')).toEqual({ key: 'value' });
  });

  it('rejects a malformed \\u escape', () => {
    expect(() => parseProperties('a=\\u12')).toThrow(/Malformed \\uxxxx/);
  });
});
