import { randomUUID } from 'node:crypto';
import { request, type IncomingMessage } from 'coap';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '../../src/index.js';

describe('coap service', () => {
  let host: string;
  let port: number;

  beforeAll(async () => {
    const { coap } = await ensureServices(['coap']);
    host = coap.host;
    port = coap.port;
  });

  function send(
    method: 'GET' | 'PUT' | 'DELETE',
    pathname: string,
    payload?: string,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({ hostname: host, port, pathname, method, confirmable: true });
      req.on('response', resolve);
      req.on('error', reject);
      req.end(payload === undefined ? undefined : Buffer.from(payload));
    });
  }

  it('creates a resource with PUT and serves it with GET', async () => {
    const path = `/smoke/${randomUUID()}`;
    const created = await send('PUT', path, '{"t":21.5}');
    expect(created.code).toBe('2.01');

    const read = await send('GET', path);
    expect(read.code).toBe('2.05');
    expect(read.payload.toString('utf8')).toBe('{"t":21.5}');
  });

  it('answers 4.04 for a path nobody created', async () => {
    expect((await send('GET', `/smoke/${randomUUID()}`)).code).toBe('4.04');
  });
});
