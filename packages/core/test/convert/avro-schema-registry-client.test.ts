import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAvroConverterSettings } from '../../src/convert/avro/avro-converter-config.js';
import { SchemaRegistryClient } from '../../src/convert/avro/schema-registry-client.js';
import {
  SchemaRegistryError,
  SchemaRegistryUnavailableError,
} from '../../src/convert/avro/schema-registry.js';

// The HTTP client against a small local server speaking the Confluent REST API (a stand-in for unit
// tests; the integration test uses the real registry).

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    seen.push({
      method: req.method!,
      url: req.url!,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    });
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify(payload));
    };
    if (req.url === '/schemas/ids/1') return reply(200, { schema: '"string"' });
    if (req.url === '/schemas/ids/2') return reply(404, { error_code: 40403, message: 'Schema 2 not found' });
    if (req.url === '/subjects/a%2Fb-value/versions') return reply(200, { id: 7 });
    if (req.url === '/subjects/t-value/versions?normalize=true')
      return reply(409, { error_code: 409, message: 'incompatible' });
    if (req.url === '/subjects/t-value')
      return reply(200, { subject: 't-value', id: 3, version: 2, schema: '"int"' });
    if (req.url === '/subjects/t-value/versions/latest')
      return reply(200, { subject: 't-value', id: 4, version: 5, schema: '"long"' });
    if (req.url === '/slow/schemas/ids/1') return; // never answers
    if (req.url === '/broken/schemas/ids/1') return reply(503, { message: 'down for maintenance' });
    reply(404, { error_code: 40401, message: 'Subject not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('SchemaRegistryClient', () => {
  it('speaks the Confluent REST API: paths, content type, encoded subjects, normalize', async () => {
    const client = new SchemaRegistryClient({ urls: [base], timeoutMs: 2000 });
    expect(await client.getSchemaById(1)).toBe('"string"');
    expect(await client.register('a/b-value', '"string"', false)).toBe(7);
    expect(await client.lookup('t-value', '"int"', false)).toEqual({
      subject: 't-value',
      id: 3,
      version: 2,
      schema: '"int"',
    });
    expect(await client.getLatest('t-value')).toEqual({
      subject: 't-value',
      id: 4,
      version: 5,
      schema: '"long"',
    });
    const register = seen.find((s) => s.url === '/subjects/a%2Fb-value/versions')!;
    expect(register.method).toBe('POST');
    expect(register.contentType).toBe('application/vnd.schemaregistry.v1+json');
    expect(JSON.parse(register.body)).toEqual({ schema: '"string"' });
  });

  it('reports registry errors with status and Confluent error code', async () => {
    const client = new SchemaRegistryClient({ urls: [base], timeoutMs: 2000 });
    const notFound = await client.getSchemaById(2).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(SchemaRegistryError);
    expect(notFound).toMatchObject({ status: 404, errorCode: 40403, notFound: true });
    await expect(client.register('t-value', '"x"', true)).rejects.toMatchObject({
      status: 409,
      errorCode: 409,
    });
  });

  it('sends basic auth from basic.auth.user.info or from the URL, and never puts credentials in messages', async () => {
    const withUserInfo = new SchemaRegistryClient({
      urls: [base],
      userInfo: 'svc:s3cret-1',
      timeoutMs: 2000,
    });
    await withUserInfo.getSchemaById(1);
    expect(seen.at(-1)!.authorization).toBe(`Basic ${Buffer.from('svc:s3cret-1').toString('base64')}`);

    const inUrl = new SchemaRegistryClient({
      urls: [base.replace('//', '//bob:s3cret-2@')],
      timeoutMs: 2000,
    });
    await inUrl.getSchemaById(1);
    expect(seen.at(-1)!.authorization).toBe(`Basic ${Buffer.from('bob:s3cret-2').toString('base64')}`);
    const error = (await inUrl.getSchemaById(2).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(base);
    expect(error.message).not.toContain('s3cret');

    const down = new SchemaRegistryClient({ urls: ['http://bob:s3cret-3@127.0.0.1:1'], timeoutMs: 2000 });
    const unreachable = (await down.getSchemaById(1).catch((e: unknown) => e)) as Error;
    expect(unreachable).toBeInstanceOf(SchemaRegistryUnavailableError);
    expect(unreachable.message).not.toContain('s3cret');
  });

  it('tries the next URL when one is unreachable, answers 5xx or times out', async () => {
    const client = new SchemaRegistryClient({
      urls: ['http://127.0.0.1:1', `${base}/broken`, `${base}/slow`, base],
      timeoutMs: 300,
    });
    expect(await client.getSchemaById(1)).toBe('"string"');
    const none = new SchemaRegistryClient({ urls: ['http://127.0.0.1:1', `${base}/slow`], timeoutMs: 300 });
    await expect(none.getSchemaById(1)).rejects.toThrow(
      /unavailable: .*127\.0\.0\.1:1.*no answer within 300 ms/,
    );
  });
});

// A registry on https whose certificate only the configured trust store vouches for.
describe('SchemaRegistryClient over https (schema.registry.ssl.*)', () => {
  const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/tls/${f}`, import.meta.url));
  let tlsServer: HttpsServer;
  let url = '';
  beforeAll(async () => {
    tlsServer = createHttpsServer(
      { pfx: readFileSync(fixture('client.p12')), passphrase: 'p12pass' },
      (req, res) => {
        res.setHeader('content-type', 'application/vnd.schemaregistry.v1+json');
        res.end(JSON.stringify({ schema: '"string"', auth: req.headers.authorization ?? null }));
      },
    );
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => tlsServer.close(() => r())));

  const settings = (extra: Record<string, string>) =>
    parseAvroConverterSettings({ 'schema.registry.url': url, ...extra }, false);

  it('trusts the CA of schema.registry.ssl.truststore.* (JKS here)', async () => {
    const s = settings({
      'schema.registry.ssl.truststore.location': fixture('trust.jks'),
      'schema.registry.ssl.truststore.password': 'trustpass',
      // The fixture certificate names no host.
      'schema.registry.ssl.endpoint.identification.algorithm': '',
    });
    const client = new SchemaRegistryClient({ urls: s.urls, tls: s.tls, timeoutMs: 2000 });
    expect(await client.getSchemaById(1)).toBe('"string"');
  });

  it('without the trust store the certificate is refused, and the failure says so', async () => {
    const s = settings({});
    expect(s.tls).toBeNull();
    const client = new SchemaRegistryClient({ urls: s.urls, tls: s.tls, timeoutMs: 2000 });
    await expect(client.getSchemaById(1)).rejects.toThrow(
      /unavailable: GET https:\/\/127\.0\.0\.1:\d+\/schemas\/ids\/1: .*certificate/,
    );
  });

  it('a wrong trust store password is a config error naming the key', () => {
    expect(() =>
      settings({
        'schema.registry.ssl.truststore.location': fixture('trust.jks'),
        'schema.registry.ssl.truststore.password': 'wrong',
      }),
    ).toThrow(/schema\.registry\.ssl\.truststore\.password/);
  });
});
