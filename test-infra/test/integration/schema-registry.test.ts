import { randomUUID } from 'node:crypto';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '../../src/index.js';

// The registry is used exactly as a Confluent client uses one: raw REST calls and a Confluent client library.
const CONTENT_TYPE = { 'content-type': 'application/vnd.schemaregistry.v1+json' };

const userV1 = {
  type: 'record',
  name: 'User',
  namespace: 'smoke',
  fields: [{ name: 'name', type: 'string' }],
};
const userV2 = { ...userV1, fields: [...userV1.fields, { name: 'age', type: 'int', default: 0 }] };
const userBreaking = { ...userV1, fields: [...userV1.fields, { name: 'age', type: 'int' }] };

describe('schema-registry (test-infra)', () => {
  let url: string;

  async function call(method: string, pathname: string, body?: unknown) {
    const res = await fetch(`${url}${pathname}`, {
      method,
      headers: CONTENT_TYPE,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as any };
  }

  beforeAll(async () => {
    ({ url } = (await ensureServices(['schema-registry']))['schema-registry'] as unknown as { url: string });
  });

  it('serves the Confluent API under the advertised URL', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7$/);
  });

  it('registers a schema, returns the same id for the same schema, and fetches it by id and by subject', async () => {
    const subject = `smoke-${randomUUID()}-value`;
    const registered = await call('POST', `/subjects/${subject}/versions`, {
      schema: JSON.stringify(userV1),
    });
    expect(registered.status).toBe(200);
    expect(typeof registered.json.id).toBe('number');

    // Same schema, other whitespace: a Confluent registry answers with the same id.
    const again = await call('POST', `/subjects/${subject}/versions`, {
      schema: JSON.stringify(userV1, null, 2),
    });
    expect(again.json.id).toBe(registered.json.id);

    const byId = await call('GET', `/schemas/ids/${registered.json.id}`);
    expect(byId.status).toBe(200);
    expect(JSON.parse(byId.json.schema)).toEqual(userV1);

    const latest = await call('GET', `/subjects/${subject}/versions/latest`);
    expect(latest.json).toMatchObject({ subject, version: 1, id: registered.json.id });
    expect(JSON.parse(latest.json.schema)).toEqual(userV1);
  });

  it('enforces BACKWARD compatibility by default and reports it', async () => {
    const subject = `smoke-${randomUUID()}-value`;
    expect((await call('GET', '/config')).json.compatibilityLevel).toBe('BACKWARD');
    await call('POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(userV1) });

    const check = await call('POST', `/compatibility/subjects/${subject}/versions/latest`, {
      schema: JSON.stringify(userBreaking),
    });
    expect(check.json.is_compatible).toBe(false);
    const rejected = await call('POST', `/subjects/${subject}/versions`, {
      schema: JSON.stringify(userBreaking),
    });
    expect(rejected.status).toBe(409);

    const evolved = await call('POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(userV2) });
    expect(evolved.status).toBe(200);
    expect((await call('GET', `/subjects/${subject}/versions/latest`)).json.version).toBe(2);
  });

  it('answers unknown subjects and ids with Confluent error codes', async () => {
    const subject = await call('GET', `/subjects/missing-${randomUUID()}/versions/latest`);
    expect(subject.status).toBe(404);
    expect(subject.json.error_code).toBe(40401);
    const id = await call('GET', '/schemas/ids/987654321');
    expect(id.status).toBe(404);
    expect(id.json.error_code).toBe(40403);
  });

  it('deletes a subject', async () => {
    const subject = `smoke-${randomUUID()}-value`;
    await call('POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(userV1) });
    const deleted = await call('DELETE', `/subjects/${subject}`);
    expect(deleted.json).toEqual([1]);
    expect((await call('GET', `/subjects/${subject}/versions/latest`)).status).toBe(404);
  });

  it('works with a Confluent client library (Avro encode/decode with the wire-format id)', async () => {
    const registry = new SchemaRegistry({ host: url });
    const subject = `smoke-${randomUUID()}-value`;
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(userV1) },
      { subject },
    );
    const encoded = await registry.encode(id, { name: 'ada' });
    expect(encoded[0]).toBe(0); // Confluent magic byte, then the 4-byte schema id
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(await registry.decode(encoded)).toEqual({ name: 'ada' });
    expect(await registry.getLatestSchemaId(subject)).toBe(id);
  });
});
