import { describe, expect, it } from 'vitest';
import {
  ByteArrayConverter,
  createConverter,
  createHeaderConverter,
  JsonConverter,
  SimpleHeaderConverter,
  StringConverter,
} from '../../src/convert/index.js';
import { Schema, SchemaBuilder, Struct } from '../../src/data/index.js';
import { ConfigException, DataException } from '../../src/errors.js';

describe('StringConverter', () => {
  it('writes string forms and reads optional strings', () => {
    const c = new StringConverter();
    c.configure({}, false);
    expect(c.fromConnectData('t', Schema.STRING_SCHEMA, 'héllo')?.toString('utf8')).toBe('héllo');
    expect(c.fromConnectData('t', null, null)).toBeNull();
    expect(c.fromConnectData('t', Schema.FLOAT64_SCHEMA, 2)?.toString()).toBe('2.0');
    const s = SchemaBuilder.struct().field('a', Schema.INT32_SCHEMA).build();
    expect(c.fromConnectData('t', s, new Struct(s).put('a', 1))?.toString()).toBe('Struct{a=1}');
    expect(c.toConnectData('t', Buffer.from('x'))).toEqual({
      schema: Schema.OPTIONAL_STRING_SCHEMA,
      value: 'x',
    });
    expect(c.toConnectData('t', null)).toEqual({ schema: Schema.OPTIONAL_STRING_SCHEMA, value: null });
  });

  it('honours converter.encoding', () => {
    const c = new StringConverter();
    c.configure({ 'converter.encoding': 'UTF-16BE' });
    const bytes = c.fromConnectData('t', null, 'hé') as Buffer;
    expect(bytes.toString('hex')).toBe('006800e9');
    expect(c.toConnectData('t', bytes).value).toBe('hé');
    const latin = new StringConverter();
    latin.configure({ 'converter.encoding': 'ISO-8859-1' });
    expect(latin.fromConnectData('t', null, 'é')?.toString('hex')).toBe('e9');
    expect(() => new StringConverter().configure({ 'converter.encoding': 'EBCDIC' })).toThrow(
      ConfigException,
    );
  });
});

describe('ByteArrayConverter', () => {
  const c = new ByteArrayConverter();

  it('passes bytes through', () => {
    const b = Buffer.from([1, 2]);
    expect(c.fromConnectData('t', Schema.BYTES_SCHEMA, b)).toBe(b);
    expect(c.fromConnectData('t', null, new Uint8Array([3]))).toEqual(Buffer.from([3]));
    expect(c.toConnectData('t', b)).toEqual({ schema: Schema.OPTIONAL_BYTES_SCHEMA, value: b });
    expect(c.fromConnectData('t', null, null)).toBeNull();
  });

  it('rejects other schemas and values, naming the topic', () => {
    expect(() => c.fromConnectData('orders', Schema.STRING_SCHEMA, 'x')).toThrow(
      new DataException('Invalid schema type for ByteArrayConverter: STRING (topic orders)'),
    );
    expect(() => c.fromConnectData('orders', null, 'x')).toThrow(
      'ByteArrayConverter is not compatible with objects of type string (topic orders)',
    );
  });
});

describe('SimpleHeaderConverter', () => {
  it('renders values and infers them back', () => {
    const c = new SimpleHeaderConverter();
    const bytes = c.fromConnectHeader('t', 'h', null, new Map([['a', 1]]));
    expect(bytes?.toString()).toBe('{"a":1}');
    const back = c.toConnectHeader('t', 'h', bytes);
    expect(back.schema?.type).toBe('MAP');
    expect(back.value).toEqual(new Map([['a', 1]]));
    expect(c.fromConnectHeader('t', 'h', Schema.INT64_SCHEMA, null)).toBeNull();
    expect(c.toConnectHeader('t', 'h', null)).toEqual({ schema: null, value: null });
  });
});

describe('createConverter', () => {
  it('maps Kafka, Confluent and short names to converters', async () => {
    expect(await createConverter('org.apache.kafka.connect.json.JsonConverter')).toBeInstanceOf(
      JsonConverter,
    );
    expect(await createConverter('org.apache.kafka.connect.storage.StringConverter')).toBeInstanceOf(
      StringConverter,
    );
    expect(await createConverter('org.apache.kafka.connect.converters.ByteArrayConverter')).toBeInstanceOf(
      ByteArrayConverter,
    );
    expect(await createConverter('json')).toBeInstanceOf(JsonConverter);
    expect(
      await createHeaderConverter('org.apache.kafka.connect.storage.SimpleHeaderConverter'),
    ).toBeInstanceOf(SimpleHeaderConverter);
    expect(await createHeaderConverter('StringConverter')).toBeInstanceOf(StringConverter);
    const avro = await createConverter('io.confluent.connect.avro.AvroConverter');
    expect(avro.constructor.name).toBe('AvroConverter');
  });

  it('rejects unknown classes and header-only converters as value converters', async () => {
    await expect(createConverter('com.acme.Nope', 'value.converter')).rejects.toThrow(
      /Invalid value for configuration value.converter: Class com.acme.Nope could not be found/,
    );
    await expect(createConverter('org.apache.kafka.connect.storage.SimpleHeaderConverter')).rejects.toThrow(
      'is a header converter',
    );
  });
});
