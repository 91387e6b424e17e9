// Runs every JsonConverter vector of test/fixtures/converter-vectors.json; new vectors of the same format
// are picked up without code changes.
import { describe, expect, it } from 'vitest';
import { JsonConverter } from '../../src/convert/json/json-converter.js';
import { parseJsonExact } from '../../src/convert/json/json-parser.js';
import { valuesEqual } from '../../src/data/index.js';
import { DataException } from '../../src/errors.js';
import {
  loadVectors,
  normalizeJson,
  schemaAsJson,
  typeShape,
  vectorSchema,
  vectorValue,
  type ConverterVector,
} from './vector-values.js';

const vectors = loadVectors('json');

function converterFor(v: ConverterVector): JsonConverter {
  const converter = new JsonConverter();
  const config = { ...(v.config ?? {}) };
  const type = config['converter.type'];
  delete config['converter.type'];
  converter.configure(config as Record<string, string>, type === 'key');
  return converter;
}

function expectError(run: () => unknown, expected: string): void {
  expect(run).toThrow(DataException);
  const m = /^DataException: (.*)$/s.exec(expected);
  if (m) expect(run).toThrow(m[1]);
}

/** Payload numbers may differ by rounding where the vector says "within 0.001". */
function expectJsonClose(actual: unknown, expected: unknown, tolerance: number): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual) && actual.length).toBe(expected.length);
    expected.forEach((e, i) => expectJsonClose((actual as unknown[])[i], e, tolerance));
  } else if (expected && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort()).toEqual(Object.keys(expected).sort());
    for (const [k, e] of Object.entries(expected))
      expectJsonClose((actual as Record<string, unknown>)[k], e, tolerance);
  } else {
    expect(actual).toEqual(expected);
  }
}

describe('JsonConverter conformance vectors', () => {
  it('has vectors to run', () => {
    expect(vectors.length).toBeGreaterThan(0);
  });

  for (const v of vectors.filter((x) => x.direction === 'toConnect')) {
    it(v.id, () => {
      const converter = converterFor(v);
      const bytes = v.input.bytes_utf8 == null ? null : Buffer.from(v.input.bytes_utf8, 'utf8');
      if (v.expected.error)
        return expectError(() => converter.toConnectData('vectors', bytes), v.expected.error);
      const result = converter.toConnectData('vectors', bytes);
      expect(schemaAsJson(result.schema)).toEqual(v.expected.schema ?? null);
      const expectedValue = vectorValue(v.expected.value, result.schema);
      expect(valuesEqual(result.value, expectedValue), `got ${String(result.value)}`).toBe(true);
      expect(typeShape(result.value)).toEqual(typeShape(expectedValue));
    });
  }

  for (const v of vectors.filter((x) => x.direction === 'fromConnect')) {
    it(v.id, () => {
      const converter = converterFor(v);
      const schema = vectorSchema(v.input.schema ?? null);
      const value = vectorValue(v.input.value, schema);
      if (v.expected.error)
        return expectError(() => converter.fromConnectData('vectors', schema, value), v.expected.error);
      const bytes = converter.fromConnectData('vectors', schema, value);
      if (v.expected.json === null) return expect(bytes).toBeNull();
      expect(bytes).not.toBeNull();
      const actual = normalizeJson(parseJsonExact(bytes!.toString('utf8')));
      const tolerance = /within ([\d.]+)/.exec(v.expected.compare ?? '')?.[1];
      expectJsonClose(actual, v.expected.json, tolerance ? Number(tolerance) : 0);
    });
  }
});
