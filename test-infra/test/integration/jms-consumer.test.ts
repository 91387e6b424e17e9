import { randomUUID } from 'node:crypto';
import stompit from 'stompit';
import { describe, expect, it } from 'vitest';
import { ensureServices } from '../../src/index.js';

// The jms-consumer service reads with ActiveMQ's own JMS client what a STOMP client sent.
describe('jms-consumer service', () => {
  it('receives STOMP messages as a Java JMS consumer sees them: type, body, properties', async () => {
    const { activemq, 'jms-consumer': consumer } = await ensureServices(['activemq', 'jms-consumer']);
    const queue = `smoke-${randomUUID()}`;
    const client = await new Promise<stompit.Client>((resolve, reject) =>
      stompit.connect(
        { host: activemq!.host, port: activemq!.port, connectHeaders: { host: 'localhost' } },
        (e, c) => (e ? reject(e) : resolve(c)),
      ),
    );
    client.send({ destination: `/queue/${queue}`, origin: 'smoke' }).end('hello');
    client.send({ destination: `/queue/${queue}`, 'content-length': '2' }).end(Buffer.from([0, 255]));
    await new Promise<void>((resolve) => client.disconnect(() => resolve()));

    const query = new URLSearchParams({
      broker: activemq!['openwireUrl'] as string,
      queue,
      count: '2',
      timeoutMs: '10000',
    });
    const response = await fetch(`${consumer!['url'] as string}/receive?${query.toString()}`);
    expect(response.status).toBe(200);
    const messages = (await response.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; body: unknown; properties: Record<string, unknown> });
    expect(messages.map((m) => [m.type, m.body])).toEqual([
      ['TextMessage', 'hello'],
      ['BytesMessage', { base64: Buffer.from([0, 255]).toString('base64') }],
    ]);
    expect(messages[0]!.properties['origin']).toEqual({ type: 'String', value: 'smoke' });
  });
});
