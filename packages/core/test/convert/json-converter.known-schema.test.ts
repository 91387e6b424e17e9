// The JsonConverter reads only the payload of an envelope whose schema text it has seen before. These
// tests read the same schema a second time (the fast path) and expect exactly what a fresh converter
// (the full parse) gives, including the errors.
import { describe, expect, it } from 'vitest';
import { JsonConverter } from '../../src/convert/json/json-converter.js';
import {
  ConnectDecimal,
  Struct,
  schemasEqual,
  valuesEqual,
  type SchemaAndValue,
} from '../../src/data/index.js';
import { loadVectors } from './vector-values.js';

function converter(config: Record<string, string> = {}): JsonConverter {
  const c = new JsonConverter();
  c.configure(config, false);
  return c;
}

type Outcome = { ok: SchemaAndValue } | { error: string };

function outcome(c: JsonConverter, text: string): Outcome {
  try {
    return { ok: c.toConnectData('orders', Buffer.from(text)) };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

function expectSame(actual: Outcome, expected: Outcome): void {
  if ('error' in expected) return expect(actual).toEqual(expected);
  expect('ok' in actual, 'error' in actual ? actual.error : '').toBe(true);
  const got = (actual as { ok: SchemaAndValue }).ok;
  expect(schemasEqual(got.schema, expected.ok.schema)).toBe(true);
  expect(valuesEqual(got.value, expected.ok.value), `got ${String(got.value)}`).toBe(true);
}

const SCHEMA =
  '{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"price"}],"optional":false,"name":"Order"}';
const envelope = (payload: string, schema = SCHEMA) => `{"schema":${schema},"payload":${payload}}`;

describe('JsonConverter: envelopes whose schema was read before', () => {
  it('gives the result of a full parse for every toConnect vector read a second time', () => {
    const vectors = loadVectors('json').filter(
      (v) => v.direction === 'toConnect' && v.input.bytes_utf8 != null,
    );
    expect(vectors.length).toBeGreaterThan(10);
    for (const v of vectors) {
      const config = { ...(v.config ?? {}) } as Record<string, string>;
      delete config['converter.type'];
      const warm = converter(config);
      const text = v.input.bytes_utf8!;
      outcome(warm, text);
      expectSame(outcome(warm, text), outcome(converter(config), text));
    }
  });

  it('reads new payloads of a known schema, exactly: big int64, decimal scale, nulls', () => {
    const c = converter();
    c.toConnectData('orders', Buffer.from(envelope('{"id":1,"price":null}')));
    for (const payload of [
      '{"id":9223372036854775807,"price":12.50}',
      '{"id":-9007199254740993,"price":"BNI="}',
      '{ "price" : 1e2 , "id" : 0 }',
      '{"id":3}',
    ]) {
      expectSame(outcome(c, envelope(payload)), outcome(converter(), envelope(payload)));
    }
    const r = c.toConnectData('orders', Buffer.from(envelope('{"id":1,"price":12.50}')));
    expect(((r.value as Struct).get('price') as ConnectDecimal).toString()).toBe('12.50');
  });

  it('reports bad payloads of a known schema as a full parse does', () => {
    const c = converter();
    c.toConnectData('orders', Buffer.from(envelope('{"id":1}')));
    for (const text of [
      envelope('{"id":"one"}'),
      envelope('{"id":1'),
      envelope(''),
      envelope('{"id":1},"extra":2'),
      envelope('{"price":null}'),
    ]) {
      const expected = outcome(converter(), text);
      expect('error' in expected, text).toBe(true);
      expectSame(outcome(c, text), expected);
    }
    const spaced = `${envelope('{"id":1}')}\n`;
    expectSame(outcome(c, spaced), outcome(converter(), spaced));
  });

  it('is not misled by ,"payload": inside the schema, nor by a repeated schema key', () => {
    const tricky = SCHEMA.replace('"name":"Order"', '"name":"Order","doc":"x,\\"payload\\":y"');
    const c = converter();
    for (let i = 0; i < 2; i++) {
      const text = envelope('{"id":5}', tricky);
      expectSame(outcome(c, text), outcome(converter(), text));
    }
    const repeated = `{"schema":{"type":"string"},"payload":7,"schema":{"type":"int64"}}`;
    for (let i = 0; i < 2; i++) expectSame(outcome(c, repeated), outcome(converter(), repeated));
    // The repeated key must not have taught it that {"type":"string"} reads as int64.
    expect(outcome(c, '{"schema":{"type":"string"},"payload":7}')).toEqual(
      outcome(converter(), '{"schema":{"type":"string"},"payload":7}'),
    );
  });

  it('switches between schemas and works with the schema cache disabled', () => {
    const c = converter();
    const other = '{"type":"string","optional":false}';
    for (const text of [
      envelope('{"id":1}'),
      envelope('"a"', other),
      envelope('{"id":2}'),
      envelope('"b"', other),
    ]) {
      expectSame(outcome(c, text), outcome(converter(), text));
    }
    const accented = '{"type":"string","optional":false,"doc":"café ☕"}';
    for (const payload of ['"Zoë 😀"', '"naïve"', '"Zoë 😀"']) {
      const text = envelope(payload, accented);
      expectSame(outcome(c, text), outcome(converter(), text));
    }
    expect(c.toConnectData('t', Buffer.from(envelope('"Zoë 😀"', accented))).value).toBe('Zoë 😀');
    const uncached = converter({ 'schemas.cache.size': '0' });
    for (let i = 0; i < 2; i++)
      expectSame(outcome(uncached, envelope('{"id":4}')), outcome(converter(), envelope('{"id":4}')));
  });
});
