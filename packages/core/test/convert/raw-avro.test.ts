import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { Schema, SchemaBuilder, Struct } from '../../src/data/index.js';
import { DataException } from '../../src/errors.js';
import { RawAvroEncoder } from '../../src/sink-kit/index.js';

const schema = SchemaBuilder.struct()
  .name('sluice.Order')
  .field('id', Schema.INT32_SCHEMA)
  .field('item', Schema.STRING_SCHEMA)
  .field('note', Schema.OPTIONAL_STRING_SCHEMA)
  .build();

describe('RawAvroEncoder', () => {
  it('writes the datum alone (no magic byte, no schema id), readable with the Avro schema of the Connect schema', () => {
    const encoder = new RawAvroEncoder();
    const bytes = encoder.encode(
      schema,
      new Struct(schema).put('id', 7).put('item', 'bolt').put('note', null),
    );
    expect(bytes[0]).not.toBe(0); // a registry frame would start with the magic byte 0; zigzag 7 is 14
    const type = avro.Type.forSchema(encoder.avroSchema(schema) as avro.Schema);
    expect(type.fromBuffer(bytes)).toMatchObject({ id: 7, item: 'bolt', note: null });
  });

  it('refuses a value that does not fit its schema with a DataException', () => {
    const encoder = new RawAvroEncoder();
    expect(() => encoder.encode(schema, new Struct(schema).put('id', 7))).toThrow(DataException);
  });
});
