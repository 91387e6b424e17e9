// Runs every SimpleHeaderConverter vector of test/fixtures/converter-vectors.json.
import { describe, expect, it } from 'vitest';
import { SimpleHeaderConverter } from '../../src/convert/simple-header-converter.js';
import { valuesEqual } from '../../src/data/index.js';
import { containsJson, loadVectors, schemaAsJson, typeShape, vectorValue } from './vector-values.js';

const vectors = loadVectors('simpleHeader');

describe('SimpleHeaderConverter conformance vectors', () => {
  it('has vectors to run', () => {
    expect(vectors.length).toBeGreaterThan(0);
  });

  for (const v of vectors) {
    it(v.id, () => {
      const converter = new SimpleHeaderConverter();
      converter.configure({});
      const bytes = v.input.bytes_utf8 == null ? null : Buffer.from(v.input.bytes_utf8, 'utf8');
      const result = converter.toConnectHeader('vectors', 'h', bytes);
      const actualSchema = schemaAsJson(result.schema);
      // A vector's schema may leave members out ("not asserted"); the ones it gives must match.
      expect(containsJson(actualSchema, v.expected.schema ?? null), JSON.stringify(actualSchema)).toBe(true);
      const expected = vectorValue(v.expected.value, result.schema);
      expect(valuesEqual(result.value, expected), `got ${String(result.value)}`).toBe(true);
      expect(typeShape(result.value)).toEqual(typeShape(expected));
    });
  }
});
