import { describe, expect, it } from 'vitest';
import {
  ConnectDecimal,
  Decimal,
  Schema,
  SchemaBuilder,
  Struct,
  validateValue,
} from '../../src/data/index.js';
import { DataException } from '../../src/errors.js';

const schema = SchemaBuilder.struct()
  .name('com.acme.Order')
  .field('id', Schema.INT64_SCHEMA)
  .field('note', Schema.OPTIONAL_STRING_SCHEMA)
  .field('qty', SchemaBuilder.int32().defaultValue(1))
  .field('tags', SchemaBuilder.array(Schema.STRING_SCHEMA).optional())
  .build();

describe('Struct', () => {
  it('requires a struct schema', () => {
    expect(() => new Struct(Schema.INT8_SCHEMA)).toThrow('Not a struct schema: Schema{INT8}');
  });

  it('puts and gets values, applying defaults only in get()', () => {
    const s = new Struct(schema).put('id', 7n).put('note', 'x');
    expect(s.get('id')).toBe(7n);
    expect(s.get('qty')).toBe(1);
    expect(s.getWithoutDefault('qty')).toBeNull();
    expect(s.getInt32('qty')).toBeNull();
    expect(s.getInt64('id')).toBe(7n);
    expect(s.getString('note')).toBe('x');
  });

  it('validates on put, naming the field', () => {
    const s = new Struct(schema);
    expect(() => s.put('id', 'seven')).toThrow(
      new DataException('Invalid Java object for schema with type INT64: string for field: "id"'),
    );
    expect(() => s.put('id', null)).toThrow(
      'Invalid value: null used for required field: "id", schema type: INT64',
    );
    expect(() => s.put('nope', 1)).toThrow('nope is not a valid field name');
    expect(() => s.put('tags', ['a', 3])).toThrow(
      'Invalid Java object for schema with type STRING: number 3 for element of array field: "tags"',
    );
  });

  it('checks the type in typed getters', () => {
    expect(() => new Struct(schema).getString('id')).toThrow("Field 'id' is not of type STRING");
  });

  it('validate() fails on an unset required field without default', () => {
    const s = new Struct(schema);
    expect(() => s.validate()).toThrow(
      'Invalid value: null used for required field: "id", schema type: INT64',
    );
    s.put('id', 1n);
    expect(() => s.validate()).not.toThrow();
  });

  it('compares by schema and values', () => {
    const a = new Struct(schema).put('id', 1n).put('tags', ['x']);
    const b = new Struct(schema).put('id', 1n).put('tags', ['x']);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(new Struct(schema).put('id', 2n))).toBe(false);
    expect(a.toString()).toBe('Struct{id=1,tags=[x]}');
  });

  it('fromValidatedValues takes the slots as given, and later structs start empty again', () => {
    const trusted = Struct.fromValidatedValues(schema, [5n, null, 3, ['t']]);
    expect(trusted.equals(new Struct(schema).put('id', 5n).put('qty', 3).put('tags', ['t']))).toBe(true);
    expect(trusted.get('note')).toBeNull();
    expect(new Struct(schema).getWithoutDefault('id')).toBeNull();
    expect(() => Struct.fromValidatedValues(Schema.INT8_SCHEMA, [1])).toThrow('Not a struct schema');
    expect(new Struct(schema).getWithoutDefault('id')).toBeNull();
  });
});

describe('validateValue', () => {
  it('names the schema and the location', () => {
    const named = SchemaBuilder.int8().name('small').build();
    expect(() => validateValue(named, 1000)).toThrow(
      'Invalid Java object for schema "small" with type INT8: number 1000 for value',
    );
    expect(() => validateValue(Schema.STRING_SCHEMA, null)).toThrow(
      'Invalid value: null used for required value, schema type: STRING',
    );
    validateValue(Schema.OPTIONAL_STRING_SCHEMA, null);
  });

  it('checks map keys and values', () => {
    const m = SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build();
    validateValue(m, new Map([['a', 1]]));
    expect(() => validateValue(m, new Map([[1, 1]]))).toThrow('for key of map value');
    expect(() => validateValue(m, new Map([['a', 'b']]))).toThrow('for value of map value');
    expect(() => validateValue(m, { a: 1 })).toThrow('with type MAP: Object for value');
  });

  it('names nested locations from the outside in', () => {
    const nested = SchemaBuilder.array(
      SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build(),
    ).build();
    expect(() => validateValue(nested, [new Map([['a', 'b']])], 'f')).toThrow(
      'Invalid Java object for schema with type INT32: string for value of map element of array field: "f"',
    );
    expect(() => validateValue(nested, [new Map([['a', null]])])).toThrow(
      'Invalid value: null used for required value of map element of array value, schema type: INT32',
    );
  });

  it('uses logical classes before the base type', () => {
    const d = Decimal.schema(2);
    validateValue(d, new ConnectDecimal(156n, 2));
    expect(() => validateValue(d, Buffer.from([1]))).toThrow(
      'Invalid Java object for schema "org.apache.kafka.connect.data.Decimal" with type BYTES: Buffer for value',
    );
  });

  it('requires struct schemas to be equal', () => {
    const other = SchemaBuilder.struct().field('id', Schema.INT64_SCHEMA).build();
    expect(() =>
      validateValue(SchemaBuilder.struct().field('x', Schema.INT8_SCHEMA).build(), new Struct(other)),
    ).toThrow('Struct schemas do not match.');
  });

  it('range-checks integers and accepts int64 as bigint or safe number', () => {
    expect(() => validateValue(Schema.INT16_SCHEMA, 40000)).toThrow(DataException);
    expect(() => validateValue(Schema.INT32_SCHEMA, 1.5)).toThrow(DataException);
    validateValue(Schema.INT64_SCHEMA, 2n ** 63n - 1n);
    validateValue(Schema.INT64_SCHEMA, 42);
    expect(() => validateValue(Schema.INT64_SCHEMA, 2n ** 63n)).toThrow(DataException);
  });
});
