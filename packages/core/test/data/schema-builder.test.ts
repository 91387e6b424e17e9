import { describe, expect, it } from 'vitest';
import { Schema, SchemaBuilder, schemasEqual } from '../../src/data/index.js';
import { DataException, SchemaBuilderException } from '../../src/errors.js';

describe('SchemaBuilder', () => {
  it('builds a primitive schema with all metadata', () => {
    const s = SchemaBuilder.int32().optional().name('n').version(2).doc('d').defaultValue(12).build();
    expect(s).toMatchObject({
      type: 'INT32',
      optional: true,
      name: 'n',
      version: 2,
      doc: 'd',
      defaultValue: 12,
    });
    expect(s.parameters).toBeNull();
  });

  it('rejects setting a metadata field twice with a different value', () => {
    expect(() => SchemaBuilder.string().name('a').name('b')).toThrow(
      new SchemaBuilderException('Invalid SchemaBuilder call: name has already been set.'),
    );
    expect(() => SchemaBuilder.string().optional().required()).toThrow(
      'Invalid SchemaBuilder call: optional has already been set.',
    );
    expect(() => SchemaBuilder.string().version(1).version(2)).toThrow('version has already been set.');
    expect(() => SchemaBuilder.string().doc('x').doc('y')).toThrow('doc has already been set.');
    expect(() => SchemaBuilder.string().defaultValue('x').defaultValue('y')).toThrow(
      'default has already been set.',
    );
    expect(SchemaBuilder.string().optional().optional().build().optional).toBe(true);
  });

  it('validates the default value against the type', () => {
    expect(() => SchemaBuilder.int8().defaultValue(300)).toThrow(SchemaBuilderException);
    expect(() => SchemaBuilder.int64().defaultValue('x')).toThrow(/Invalid default value/);
    expect(SchemaBuilder.int64().defaultValue(5n).build().defaultValue).toBe(5n);
  });

  it('adds parameters in insertion order and ignores an empty map', () => {
    const s = SchemaBuilder.string().parameter('b', '1').parameters({ a: '2' }).parameters({}).build();
    expect([...(s.parameters ?? [])]).toEqual([
      ['b', '1'],
      ['a', '2'],
    ]);
    expect(SchemaBuilder.string().parameters(new Map()).build().parameters).toBeNull();
  });

  it('builds struct fields with indexes and rejects bad fields', () => {
    const s = SchemaBuilder.struct()
      .field('a', Schema.INT32_SCHEMA)
      .field('b', SchemaBuilder.string())
      .build();
    expect(s.fields().map((f) => [f.name, f.index, f.schema.type])).toEqual([
      ['a', 0, 'INT32'],
      ['b', 1, 'STRING'],
    ]);
    expect(s.field('b')?.index).toBe(1);
    expect(s.field('zz')).toBeNull();
    expect(() =>
      SchemaBuilder.struct().field('a', Schema.INT8_SCHEMA).field('a', Schema.INT8_SCHEMA),
    ).toThrow('Cannot create field because of field name duplication a');
    expect(() => SchemaBuilder.struct().field('', Schema.INT8_SCHEMA)).toThrow('fieldName cannot be null.');
    expect(() => SchemaBuilder.int8().field('a', Schema.INT8_SCHEMA)).toThrow(
      'Cannot create fields on type INT8',
    );
    expect(() => SchemaBuilder.struct().field('a', null as unknown as Schema)).toThrow(
      'fieldSchema for field a cannot be null.',
    );
  });

  it('builds arrays and maps and requires element schemas', () => {
    const m = SchemaBuilder.map(Schema.STRING_SCHEMA, SchemaBuilder.array(Schema.INT64_SCHEMA)).build();
    expect(m.keySchema()).toBe(Schema.STRING_SCHEMA);
    expect(m.valueSchema().valueSchema()).toBe(Schema.INT64_SCHEMA);
    expect(() => SchemaBuilder.array(null as unknown as Schema)).toThrow('valueSchema cannot be null.');
    expect(() => SchemaBuilder.map(null as unknown as Schema, Schema.INT8_SCHEMA)).toThrow(
      'keySchema cannot be null.',
    );
  });

  it('throws DataException for accessors that do not fit the type', () => {
    expect(() => Schema.INT32_SCHEMA.keySchema()).toThrow(
      new DataException('Cannot look up key schema on non-map type'),
    );
    expect(() => Schema.INT32_SCHEMA.valueSchema()).toThrow(DataException);
    expect(() => Schema.INT32_SCHEMA.fields()).toThrow(DataException);
    expect(() => Schema.INT32_SCHEMA.field('a')).toThrow(DataException);
  });

  it('produces immutable schemas', () => {
    const s = SchemaBuilder.string().parameter('k', 'v').build();
    expect(Object.isFrozen(s)).toBe(true);
    expect(() => ((s as { name: string | null }).name = 'x')).toThrow(TypeError);
  });

  it('compares schemas deeply; parameter order does not matter, field order does', () => {
    const a = SchemaBuilder.struct()
      .name('r')
      .field('x', Schema.INT8_SCHEMA)
      .field('y', Schema.STRING_SCHEMA);
    const b = SchemaBuilder.struct()
      .name('r')
      .field('x', Schema.INT8_SCHEMA)
      .field('y', Schema.STRING_SCHEMA);
    const c = SchemaBuilder.struct()
      .name('r')
      .field('y', Schema.STRING_SCHEMA)
      .field('x', Schema.INT8_SCHEMA);
    expect(a.build().equals(b.build())).toBe(true);
    expect(schemasEqual(a.build(), c.build())).toBe(false);
    const p1 = SchemaBuilder.string().parameter('a', '1').parameter('b', '2').build();
    const p2 = SchemaBuilder.string().parameter('b', '2').parameter('a', '1').build();
    expect(schemasEqual(p1, p2)).toBe(true);
    expect(schemasEqual(p1, SchemaBuilder.string().parameter('a', '1').build())).toBe(false);
    expect(schemasEqual(Schema.INT8_SCHEMA, Schema.OPTIONAL_INT8_SCHEMA)).toBe(false);
    expect(
      schemasEqual(
        SchemaBuilder.int64().defaultValue(1n).build(),
        SchemaBuilder.int64().defaultValue(2n).build(),
      ),
    ).toBe(false);
  });

  it('derives a builder from an existing schema', () => {
    const s = SchemaBuilder.struct().name('r').version(3).field('x', Schema.INT8_SCHEMA).build();
    expect(SchemaBuilder.from(s).build().equals(s)).toBe(true);
    expect(SchemaBuilder.from(s).field('y', Schema.INT8_SCHEMA).build().fields()).toHaveLength(2);
  });
});
