import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '../../src/index.js';

describe('mosquitto (test-infra)', () => {
  let url: string;
  let publisher: MqttClient;
  let subscriber: MqttClient;

  beforeAll(async () => {
    const { mosquitto } = await ensureServices(['mosquitto']);
    url = mosquitto.url as string;
    expect(url).toBe(`mqtt://127.0.0.1:${mosquitto.port}`);
    publisher = await mqtt.connectAsync(url);
    subscriber = await mqtt.connectAsync(url);
  });

  afterAll(async () => {
    await publisher?.endAsync();
    await subscriber?.endAsync();
  });

  it('delivers QoS 1 messages to a wildcard subscriber, in order', async () => {
    const root = `smoke/${randomUUID()}`;
    await subscriber.subscribeAsync(`${root}/#`, { qos: 1 });
    const received: { topic: string; payload: string }[] = [];
    const all = new Promise<void>((resolve) =>
      subscriber.on('message', (topic, payload) => {
        received.push({ topic, payload: payload.toString() });
        if (received.length === 3) resolve();
      }),
    );
    for (let i = 0; i < 3; i++) await publisher.publishAsync(`${root}/sensor${i}`, `{"t":${i}}`, { qos: 1 });
    await all;
    expect(received).toEqual([0, 1, 2].map((i) => ({ topic: `${root}/sensor${i}`, payload: `{"t":${i}}` })));
  });

  it('keeps a retained message for a later subscriber', async () => {
    const topic = `smoke/${randomUUID()}/retained`;
    await publisher.publishAsync(topic, 'last-known', { qos: 1, retain: true });
    const late = await mqtt.connectAsync(url);
    try {
      const got = new Promise<string>((resolve) => late.on('message', (_t, p) => resolve(p.toString())));
      await late.subscribeAsync(topic, { qos: 1 });
      expect(await got).toBe('last-known');
    } finally {
      await late.endAsync();
    }
  });
});
