import { randomUUID } from 'node:crypto';
import stompit from 'stompit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '../../src/index.js';

interface Received {
  headers: Record<string, string>;
  body: string;
}

describe('activemq service', () => {
  let client: stompit.Client;

  beforeAll(async () => {
    const { activemq } = await ensureServices(['activemq']);
    client = await new Promise((resolve, reject) =>
      stompit.connect(
        { host: activemq.host, port: activemq.port, connectHeaders: { host: 'localhost' } },
        (err, c) => (err ? reject(err) : resolve(c)),
      ),
    );
  });

  afterAll(() => client?.disconnect());

  const queue = () => `/queue/smoke-${randomUUID()}`;

  function send(destination: string, headers: Record<string, string>, body: string): void {
    const frame = client.send({ destination, ...headers });
    frame.write(body);
    frame.end();
  }

  function receiveOne(destination: string, headers: Record<string, string> = {}): Promise<Received> {
    return new Promise((resolve, reject) => {
      const subscription = client.subscribe({ destination, ack: 'auto', ...headers }, (err, message) => {
        if (err) return reject(err);
        message.readString('utf8', (readErr, body) => {
          subscription.unsubscribe();
          if (readErr) reject(readErr);
          // stompit's typings omit the headers it parses onto every incoming message.
          else resolve({ headers: (message as unknown as Received).headers, body: body ?? '' });
        });
      });
    });
  }

  it('delivers a STOMP message to a STOMP subscriber', async () => {
    const destination = queue();
    send(destination, { 'content-type': 'application/json', 'x-sluice': 'smoke' }, '{"n":1}');
    const received = await receiveOne(destination);
    expect(received.body).toBe('{"n":1}');
    expect(received.headers['x-sluice']).toBe('smoke');
  });

  // The broker can only re-render a message as XML when it holds a JMS MapMessage; a text message
  // comes back byte for byte (the second case), so this shows that jms-map-json built a MapMessage.
  it('turns a `transformation: jms-map-json` send into a MapMessage', async () => {
    const body = JSON.stringify({
      map: { entry: [{ string: ['name', 'Dejan'] }, { string: 'n', int: 42 }] },
    });
    const asMap = queue();
    send(asMap, { transformation: 'jms-map-json' }, body);
    const map = await receiveOne(asMap, { transformation: 'jms-map-xml' });
    expect(map.body.replace(/\s+/g, '')).toBe(
      '<map><entry><string>name</string><string>Dejan</string></entry><entry><string>n</string><int>42</int></entry></map>',
    );

    const asText = queue();
    send(asText, {}, body);
    expect((await receiveOne(asText, { transformation: 'jms-map-xml' })).body).toBe(body);
  });
});
