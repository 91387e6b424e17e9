import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsException, NotFoundException } from '../../../src/errors.js';
import { BadRequestException, ConflictException } from '../../../src/worker/herder-errors.js';
import {
  RequestForwarder,
  trackForwardedRequests,
  wasForwarded,
} from '../../../src/worker/distributed/request-forwarding.js';
import { WorkerConfig } from '../../../src/worker/worker-config.js';

// A stand-in leader: echoes what it received and whether the request counted as forwarded.
const app = Fastify();
let baseUrl = '';

beforeAll(async () => {
  app.post('/connectors', async (req, reply) => {
    await new Promise((r) => setTimeout(r, 5)); // the flag must survive awaits
    return reply.code(201).send({
      forwarded: wasForwarded(),
      query: req.query,
      auth: req.headers.authorization ?? null,
      body: req.body,
    });
  });
  app.delete('/connectors/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    const errors: Record<string, [number, string]> = {
      missing: [404, 'Connector missing not found'],
      taken: [409, 'Connector taken already exists'],
      busy: [409, 'Cannot complete request momentarily due to stale configuration'],
      bad: [400, 'Connector configuration is invalid'],
    };
    const [status, message] = errors[name] ?? [204, ''];
    return status === 204 ? reply.code(204).send() : reply.code(status).send({ error_code: status, message });
  });
  trackForwardedRequests(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(() => app.close());

describe('request forwarding', () => {
  it('adds forward=false and the worker credentials, and the receiving side sees the flag', async () => {
    const forwarder = new RequestForwarder({ timeoutMs: 5000, basicAuth: { user: 'u', password: 'p' } });
    const r = await forwarder.send(baseUrl, 'POST', '/connectors', { expand: 'x' }, { name: 'c' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      forwarded: true,
      query: { expand: 'x', forward: 'false' },
      auth: `Basic ${Buffer.from('u:p').toString('base64')}`,
      body: { name: 'c' },
    });
    const direct = await fetch(`${baseUrl}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(((await direct.json()) as { forwarded: boolean }).forwarded).toBe(false);
  });

  it("turns the leader's error answers back into the herder's exceptions, message kept", async () => {
    const forwarder = new RequestForwarder({ timeoutMs: 5000, basicAuth: null });
    await expect(forwarder.send(baseUrl, 'DELETE', '/connectors/missing')).rejects.toEqual(
      new NotFoundException('Connector missing not found'),
    );
    await expect(forwarder.send(baseUrl, 'DELETE', '/connectors/taken')).rejects.toBeInstanceOf(
      AlreadyExistsException,
    );
    await expect(forwarder.send(baseUrl, 'DELETE', '/connectors/busy')).rejects.toBeInstanceOf(
      ConflictException,
    );
    await expect(forwarder.send(baseUrl, 'DELETE', '/connectors/bad')).rejects.toBeInstanceOf(
      BadRequestException,
    );
    expect((await forwarder.send(baseUrl, 'DELETE', '/connectors/fine')).status).toBe(204);
  });

  it('reports an unreachable leader as a 409 conflict', async () => {
    const forwarder = new RequestForwarder({ timeoutMs: 2000, basicAuth: null });
    await expect(forwarder.send('http://127.0.0.1:1', 'DELETE', '/connectors/x')).rejects.toThrow(
      /conflicting operation.*forwarding to http:\/\/127.0.0.1:1 failed/,
    );
  });
});

// A leader whose REST listener is https with client certificates required, as a worker serves it.
describe('request forwarding over https', () => {
  const fixture = (f: string) => fileURLToPath(new URL(`../../fixtures/tls/${f}`, import.meta.url));
  const listener = {
    listeners: 'https://127.0.0.1:0',
    'listeners.https.ssl.keystore.location': fixture('client.p12'),
    'listeners.https.ssl.keystore.type': 'PKCS12',
    'listeners.https.ssl.keystore.password': 'p12pass',
    'listeners.https.ssl.truststore.location': fixture('trust.jks'),
    'listeners.https.ssl.truststore.password': 'trustpass',
    'listeners.https.ssl.client.auth': 'required',
    // The fixture certificate names no host.
    'listeners.https.ssl.endpoint.identification.algorithm': '',
  };
  const config = new WorkerConfig(listener);
  const leader = Fastify({ https: config.restTls() as HttpsServerOptions }) as unknown as FastifyInstance;
  let leaderUrl = '';
  const forwarders: RequestForwarder[] = [];
  const forwarder = (tls: ConnectionOptions | null) => {
    const f = new RequestForwarder({ timeoutMs: 5000, basicAuth: null, tls });
    forwarders.push(f);
    return f;
  };

  beforeAll(async () => {
    leader.post('/connectors', async (req) => ({
      forwarded: wasForwarded(),
      clientCertificate: (req.raw.socket as TLSSocket).getPeerCertificate().subject?.CN ?? null,
    }));
    trackForwardedRequests(leader);
    await leader.listen({ host: '127.0.0.1', port: 0 });
    const address = leader.server.address();
    leaderUrl = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await Promise.all(forwarders.map((f) => f.close()));
    await leader.close();
  });

  it("trusts the listener's trust store and presents its key store as the client certificate", async () => {
    const r = await forwarder(config.restClientTls()).send(
      leaderUrl,
      'POST',
      '/connectors',
      {},
      { name: 'c' },
    );
    expect(r.body).toEqual({ forwarded: true, clientCertificate: 'sluice-test-client' });
  });

  it('refuses a leader certificate it does not trust, naming the cause', async () => {
    await expect(forwarder(null).send(leaderUrl, 'POST', '/connectors', {}, {})).rejects.toThrow(
      /forwarding to https:\/\/127\.0\.0\.1:\d+ failed: .*certificate/,
    );
  });

  it('is refused by a leader that requires a client certificate when it has none', async () => {
    const trustOnly = new WorkerConfig({
      listeners: 'https://127.0.0.1:0',
      'listeners.https.ssl.truststore.location': fixture('trust.jks'),
      'listeners.https.ssl.truststore.password': 'trustpass',
      'listeners.https.ssl.endpoint.identification.algorithm': '',
    });
    await expect(
      forwarder(trustOnly.restClientTls()).send(leaderUrl, 'POST', '/connectors', {}, {}),
    ).rejects.toBeInstanceOf(ConflictException);
  });
});
