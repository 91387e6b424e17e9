import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsException, NotFoundException } from '../../../src/errors.js';
import { BadRequestException, ConflictException } from '../../../src/worker/herder-errors.js';
import { RequestForwarder, trackForwardedRequests, wasForwarded } from '../../../src/worker/distributed/request-forwarding.js';

// A stand-in leader: echoes what it received and whether the request counted as forwarded.
const app = Fastify();
let baseUrl = '';

beforeAll(async () => {
  app.post('/connectors', async (req, reply) => {
    await new Promise((r) => setTimeout(r, 5)); // the flag must survive awaits
    return reply.code(201).send({ forwarded: wasForwarded(), query: req.query, auth: req.headers.authorization ?? null, body: req.body });
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
    expect(r.body).toEqual({ forwarded: true, query: { expand: 'x', forward: 'false' }, auth: `Basic ${Buffer.from('u:p').toString('base64')}`, body: { name: 'c' } });
    const direct = await fetch(`${baseUrl}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(((await direct.json()) as { forwarded: boolean }).forwarded).toBe(false);
  });

  it("turns the leader's error answers back into the herder's exceptions, message kept", async () => {
    const forwarder = new RequestForwarder({ timeoutMs: 5000, basicAuth: null });
    await expect(forwarder.send(baseUrl, 'DELETE', '/connectors/missing')).rejects.toEqual(new NotFoundException('Connector missing not found'));
    await expect(forwarder.send(baseUrl, 'DELETE', '/connectors/taken')).rejects.toBeInstanceOf(AlreadyExistsException);
    await expect(forwarder.send(baseUrl, 'DELETE', '/connectors/busy')).rejects.toBeInstanceOf(ConflictException);
    await expect(forwarder.send(baseUrl, 'DELETE', '/connectors/bad')).rejects.toBeInstanceOf(BadRequestException);
    expect((await forwarder.send(baseUrl, 'DELETE', '/connectors/fine')).status).toBe(204);
  });

  it('reports an unreachable leader as a 409 conflict', async () => {
    const forwarder = new RequestForwarder({ timeoutMs: 2000, basicAuth: null });
    await expect(forwarder.send('http://127.0.0.1:1', 'DELETE', '/connectors/x')).rejects.toThrow(/conflicting operation.*forwarding to http:\/\/127.0.0.1:1 failed/);
  });
});
