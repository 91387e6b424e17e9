import { describe, expect, it } from 'vitest';
import { schemasEqual, valuesEqual, type Schema } from '../../src/data/index.js';
import { AvroData } from '../../src/convert/avro/avro-data.js';
import type { AvroSchemaJson } from '../../src/convert/avro/connect-to-avro-schema.js';
import { parseAvroDataConfig } from '../../src/convert/avro/avro-data-config.js';
import { avscType, type AvroSchema } from '../../src/convert/avro/avsc-types.js';
import { scrubName } from '../../src/convert/avro/name-scrubbing.js';
import {
  loadAvroVectors,
  normalizeAvroSchema,
  vectorAvroType,
  vectorConfig,
  vectorDatum,
  type AvroVector,
} from './avro-vectors.js';
import { schemaAsJson, typeShape, vectorSchema, vectorValue } from './vector-values.js';

// Every AvroData vector of converter-vectors.json, run in the directions it declares. New vectors of
// the same format are picked up without code changes.

const vectors = loadAvroVectors().filter((v) => v.converter === 'AvroData');

function avroDataFor(vector: AvroVector): AvroData {
  return new AvroData(parseAvroDataConfig(vectorConfig(vector)));
}

/** The vector's Connect value; FLOAT32 values are the IEEE single nearest the written decimal. */
function connectValue(vector: AvroVector, schema: Schema | null): unknown {
  const value = vectorValue(vector.connect!.value, schema);
  return schema?.type === 'FLOAT32' && typeof value === 'number' ? Math.fround(value) : value;
}

const writes = (v: AvroVector) => ['both', 'fromConnect', 'fromConnectSchema'].includes(v.direction);
const reads = (v: AvroVector) => ['both', 'toConnect'].includes(v.direction);

describe('AvroData conformance vectors', () => {
  it('has AvroData vectors to run', () => {
    expect(vectors.length).toBeGreaterThan(10);
  });

  for (const vector of vectors.filter((v) => v.direction === 'function')) {
    it(`${vector.id}: ${vector.function}`, () => {
      expect(vector.function).toBe('doScrubName');
      for (const [input, expected] of vector.cases!) expect(scrubName(input)).toBe(expected);
    });
  }

  for (const vector of vectors.filter(writes)) {
    it(`${vector.id}: Connect → Avro`, () => {
      const data = avroDataFor(vector);
      const schema = vectorSchema(vector.connect!.schema);
      const avroSchema = data.fromConnectSchema(schema);
      expect(normalizeAvroSchema(avroSchema)).toEqual(normalizeAvroSchema(vector.avro!.schema));
      if (vector.direction === 'fromConnectSchema' && vector.connect!.value === null) return;

      const value = connectValue(vector, schema);
      const datum = data.fromConnectData(schema, value);
      const written = avscType(avroSchema as AvroSchema).toBuffer(datum);
      const expectedType = vectorAvroType(vector);
      const expectedDatum = vectorDatum(vector, expectedType);
      if (expectedDatum !== undefined)
        expect(written.toString('hex')).toBe(expectedType.toBuffer(expectedDatum).toString('hex'));
      if (vector.avroBinaryHex) expect(written.toString('hex')).toBe(vector.avroBinaryHex);
      // Whatever the datum's form in the vector, the bytes must read back as data that writes the
      // same bytes again (names may differ from the original when they were scrubbed).
      const back = data.toConnectData(avroSchema, avscType(avroSchema as AvroSchema).fromBuffer(written));
      const again = avscType(data.fromConnectSchema(back.schema) as AvroSchema).toBuffer(
        data.fromConnectData(back.schema, back.value),
      );
      expect(again.toString('hex')).toBe(written.toString('hex'));
      if (!data.config.scrubInvalidNames) expect(valuesEqual(back.value, value)).toBe(true);
    });
  }

  for (const vector of vectors.filter(reads)) {
    it(`${vector.id}: Avro → Connect`, () => {
      const data = avroDataFor(vector);
      const expectedSchema = vectorSchema(vector.connect!.schema);
      const schema = data.toConnectSchema(vector.avro!.schema as AvroSchemaJson);
      if (expectedSchema === null) expect(schema).toBeNull();
      else {
        expect(schema).not.toBeNull();
        expect(schemaAsJson(schema)).toEqual(schemaAsJson(expectedSchema));
        expect(schemasEqual(schema!, expectedSchema)).toBe(true);
      }
      const type = vectorAvroType(vector);
      const datum = vectorDatum(vector, type);
      if (datum === undefined) return;
      const decoded = type.fromBuffer(type.toBuffer(datum));
      const { value } = data.toConnectData(vector.avro!.schema as AvroSchemaJson, decoded);
      const expected = connectValue(vector, expectedSchema);
      expect(valuesEqual(value, expected)).toBe(true);
      expect(typeShape(value)).toEqual(typeShape(expected));
    });
  }
});
