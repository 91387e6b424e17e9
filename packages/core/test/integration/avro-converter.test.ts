import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '@sluice/test-infra';
import { Schema, SchemaBuilder, Struct, type Schema as ConnectSchema } from '../../src/data/index.js';
import { DataException, RetriableException } from '../../src/errors.js';
import { AvroConverter, SchemaRegistryClient } from '../../src/convert/avro/index.js';

// AvroConverter against the real Confluent-compatible registry of test-infra (Apicurio's ccompat API,
// default compatibility BACKWARD). Every run uses its own topics, hence its own subjects.

let registryUrl: string;

beforeAll(async () => {
  const services = await ensureServices(['schema-registry']);
  registryUrl = services['schema-registry']!.url as string;
});

function converter(config: Record<string, string> = {}): AvroConverter {
  const c = new AvroConverter();
  c.configure({ 'schema.registry.url': registryUrl, 'http.read.timeout.ms': '10000', ...config }, false);
  return c;
}

const userV1 = SchemaBuilder.struct()
  .name('com.acme.User')
  .field('id', Schema.INT64_SCHEMA)
  .field('name', Schema.STRING_SCHEMA)
  .field('tags', SchemaBuilder.array(Schema.STRING_SCHEMA).build())
  .build();
const userV2 = SchemaBuilder.struct()
  .name('com.acme.User')
  .field('id', Schema.INT64_SCHEMA)
  .field('name', Schema.STRING_SCHEMA)
  .field('tags', SchemaBuilder.array(Schema.STRING_SCHEMA).build())
  .field('email', SchemaBuilder.string().optional().defaultValue('unknown').build())
  .build();

function user(schema: ConnectSchema, id: bigint, name: string): Struct {
  return new Struct(schema).put('id', id).put('name', name).put('tags', ['a', 'b']);
}

describe('AvroConverter with a real schema registry', () => {
  it('registers the schema, encodes, and decodes with a fresh converter', async () => {
    const topic = `avro-it-${randomUUID()}`;
    const bytes = await converter().fromConnectData(topic, userV1, user(userV1, 2n ** 60n, 'ada'));
    expect(bytes![0]).toBe(0);

    const id = bytes!.readInt32BE(1);
    const stored = await new SchemaRegistryClient({ urls: [registryUrl], timeoutMs: 10_000 }).getSchemaById(
      id,
    );
    expect(JSON.parse(stored)).toMatchObject({ type: 'record', name: 'User', namespace: 'com.acme' });

    const back = await converter().toConnectData(topic, bytes);
    const struct = back.value as Struct;
    expect(struct.get('id')).toBe(2n ** 60n);
    expect(struct.get('name')).toBe('ada');
    expect(struct.get('tags')).toEqual(['a', 'b']);
    // No connect.version in the schema: the Connect version is the registry version of the subject.
    expect(back.schema?.version).toBe(1);
  });

  it('evolves a schema by an optional field with a default; old and new readers both read old and new data', async () => {
    const topic = `avro-it-${randomUUID()}`;
    const oldBytes = await converter().fromConnectData(topic, userV1, user(userV1, 1n, 'ada'));
    const newBytes = await converter().fromConnectData(
      topic,
      userV2,
      user(userV2, 2n, 'bob').put('email', 'bob@x'),
    );
    expect(newBytes!.readInt32BE(1)).not.toBe(oldBytes!.readInt32BE(1));

    // A reader without use.latest.version reads each record with its writer schema.
    const oldReader = converter();
    const oldAsWritten = (await oldReader.toConnectData(topic, oldBytes)).value as Struct;
    expect(oldAsWritten.schema.field('email')).toBeNull();
    const newAsWritten = await oldReader.toConnectData(topic, newBytes);
    expect((newAsWritten.value as Struct).get('email')).toBe('bob@x');
    expect(newAsWritten.schema?.version).toBe(2);

    // A reader on the latest schema sees old records with the new field's default.
    const newReader = converter({ 'use.latest.version': 'true' });
    const oldAsLatest = await newReader.toConnectData(topic, oldBytes);
    expect((oldAsLatest.value as Struct).get('email')).toBe('unknown');
    expect((oldAsLatest.value as Struct).get('name')).toBe('ada');
    expect(oldAsLatest.schema?.version).toBe(2);
    expect(((await newReader.toConnectData(topic, newBytes)).value as Struct).get('email')).toBe('bob@x');
  });

  it('rejects an incompatible change of a subject with a DataException', async () => {
    const topic = `avro-it-${randomUUID()}`;
    await converter().fromConnectData(topic, userV1, user(userV1, 1n, 'ada'));
    const incompatible = SchemaBuilder.struct()
      .name('com.acme.User')
      .field('id', Schema.STRING_SCHEMA)
      .build();
    await expect(
      converter().fromConnectData(topic, incompatible, new Struct(incompatible).put('id', 'x')),
    ).rejects.toThrow(DataException);
  });

  it('fails an unknown schema id with a DataException naming the topic', async () => {
    const topic = `avro-it-${randomUUID()}`;
    const bytes = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 0x02]);
    const attempt = converter().toConnectData(topic, bytes);
    await expect(attempt).rejects.toBeInstanceOf(DataException);
    await expect(attempt).rejects.not.toBeInstanceOf(RetriableException);
    await expect(attempt).rejects.toThrow(new RegExp(`Schema id 2147483632 of the value of topic ${topic}`));
  });

  it('finds the id of an already registered schema when auto.register.schemas=false', async () => {
    const topic = `avro-it-${randomUUID()}`;
    const registered = await converter().fromConnectData(topic, userV1, user(userV1, 1n, 'ada'));
    const looked = await converter({ 'auto.register.schemas': 'false' }).fromConnectData(
      topic,
      userV1,
      user(userV1, 2n, 'bob'),
    );
    expect(looked!.readInt32BE(1)).toBe(registered!.readInt32BE(1));
    await expect(
      converter({ 'auto.register.schemas': 'false' }).fromConnectData(
        `${topic}-other`,
        userV1,
        user(userV1, 3n, 'cy'),
      ),
    ).rejects.toThrow(/not registered under subject/);
  });

  it('makes an unreachable registry retriable', async () => {
    const c = new AvroConverter();
    c.configure({ 'schema.registry.url': 'http://127.0.0.1:1', 'http.read.timeout.ms': '2000' }, false);
    await expect(c.toConnectData('t', Buffer.from([0, 0, 0, 0, 1, 2]))).rejects.toBeInstanceOf(
      RetriableException,
    );
    await expect(c.fromConnectData('t', Schema.STRING_SCHEMA, 'x')).rejects.toBeInstanceOf(
      RetriableException,
    );
  });
});
