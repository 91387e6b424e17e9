import { ConnectException, DataException } from '@sluice/core';
import { sinkRecord } from '@sluice/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MqttMessage, QoS } from '../src/messages.js';
import { Publisher, type PendingPublish, type PublishingClient } from '../src/publisher.js';
import { FakeMqttClient, reasonCodeError } from './fake-client.js';

function items(n: number, qos: QoS = 1): PendingPublish[] {
  return Array.from({ length: n }, (_, i) => {
    const message: MqttMessage = { topic: `t/${i}`, payload: Buffer.from(String(i)), qos, retain: false };
    return { record: sinkRecord(String(i), null, { topic: 'orders', offset: i }), message };
  });
}

function publisher(client: FakeMqttClient, maxInFlight = 3, timeoutMs = 1_000) {
  return new Publisher(client as unknown as PublishingClient, {
    connectorName: 'mqtt-sink',
    maxInFlight,
    timeoutMs,
    brokers: 'mqtt://127.0.0.1:1883',
    lastConnectionError: () => new Error('connect ECONNREFUSED 127.0.0.1:1883'),
  });
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((r) => setImmediate(r));

afterEach(() => {
  vi.useRealTimers();
});

describe('Publisher', () => {
  it('keeps at most maxInFlight messages unacknowledged and resolves only after the last acknowledgement', async () => {
    const client = new FakeMqttClient();
    let resolved = false;
    const done = publisher(client, 3)
      .publish(items(10))
      .then((refused) => {
        resolved = true;
        return refused;
      });
    let maxSeen = 0;
    while (client.published.length < 10 || client.unacknowledged().length > 0) {
      maxSeen = Math.max(maxSeen, client.unacknowledged().length);
      expect(resolved).toBe(false);
      client.ack(client.unacknowledged()[0]!.id);
      await settle();
    }
    expect(maxSeen).toBe(3);
    expect(await done).toEqual([]);
    expect(client.published.map((p) => p.topic)).toEqual(Array.from({ length: 10 }, (_, i) => `t/${i}`));
  });

  it('copes with acknowledgements delivered synchronously inside publish', async () => {
    const client = new FakeMqttClient();
    client.autoAck = true;
    expect(await publisher(client, 2).publish(items(1000, 0))).toEqual([]);
    expect(client.published).toHaveLength(1000);
  });

  it('uses the MQTT 5 Receive Maximum of the broker when it is smaller than the window', async () => {
    const client = new FakeMqttClient();
    client.serverProperties = { receiveMaximum: 2 };
    const done = publisher(client, 10).publish(items(5));
    expect(client.unacknowledged()).toHaveLength(2);
    client.ackAll();
    await settle();
    expect(client.unacknowledged()).toHaveLength(2);
    client.ackAll();
    client.ackAll();
    await settle();
    client.ackAll();
    await done;
  });

  it('waits for the connection to come back, and QoS 1 messages in flight are completed after it', async () => {
    const client = new FakeMqttClient();
    const done = publisher(client, 3, 5_000).publish(items(5));
    expect(client.published).toHaveLength(3);
    client.drop();
    client.ack(1); // mqtt.js resends the stored ones once connected; their PUBACKs arrive then
    await settle();
    expect(client.published).toHaveLength(3); // nothing new is handed over while offline
    client.reconnect();
    expect(client.published).toHaveLength(4);
    client.ackAll();
    await settle();
    client.ackAll();
    expect(await done).toEqual([]);
  });

  it('fails the batch when the broker stays away longer than the timeout, and withdraws what is in flight', async () => {
    vi.useFakeTimers();
    const client = new FakeMqttClient();
    const done = publisher(client, 3, 1_000).publish(items(5));
    client.ack(1);
    client.drop();
    const failure = expect(done).rejects.toThrow(
      /Connector mqtt-sink: no connection to the MQTT broker \(mqtt:\/\/127\.0\.0\.1:1883\) for 1000 ms with 4 of 5 messages of the batch not acknowledged \(last error: connect ECONNREFUSED 127\.0\.0\.1:1883\)/,
    );
    await vi.advanceTimersByTimeAsync(1_001);
    await failure;
    await expect(done).rejects.toBeInstanceOf(ConnectException);
    expect(client.removed.sort()).toEqual([2, 3, 4]);
    expect(Object.keys(client.outgoing)).toEqual([]);
  });

  it('starts the timeout at once when the batch begins while disconnected', async () => {
    vi.useFakeTimers();
    const client = new FakeMqttClient();
    client.connected = false;
    const done = publisher(client, 3, 500).publish(items(2));
    const failure = expect(done).rejects.toThrow(/for 500 ms with 2 of 2 messages/);
    await vi.advanceTimersByTimeAsync(501);
    await failure;
    expect(client.published).toHaveLength(0);
  });

  it('reports messages the broker refuses for what they are (MQTT 5 reason codes) and goes on', async () => {
    const client = new FakeMqttClient();
    const done = publisher(client, 5).publish(items(3));
    client.ack(1);
    client.ack(2, reasonCodeError(0x87));
    client.ack(3);
    const refused = await done;
    expect(refused).toHaveLength(1);
    expect(refused[0]!.record.kafkaOffset).toBe(1);
    expect(refused[0]!.error).toBeInstanceOf(DataException);
    expect(refused[0]!.error.message).toMatch(
      /record at topic orders partition 0 offset 1: the MQTT broker refused the message to topic 't\/1': not authorized \(reason code 0x87\)/,
    );
  });

  it('fails the batch on other publish errors (e.g. quota exceeded), as a store error', async () => {
    const client = new FakeMqttClient();
    const done = publisher(client, 5).publish(items(2));
    client.ack(1, reasonCodeError(0x97));
    await expect(done).rejects.toThrow(/publishing to MQTT failed: Publish error: code 151/);
    await expect(done).rejects.not.toBeInstanceOf(DataException);
  });

  it('gives up QoS 0 writes cut off by a dropped connection (at most once) and goes on after the reconnect', async () => {
    const client = new FakeMqttClient();
    const done = publisher(client, 2, 5_000).publish(items(3, 0));
    client.drop();
    client.reconnect();
    client.ackAll();
    expect(await done).toEqual([]);
    expect(client.published).toHaveLength(3);
  });

  it('abort() fails the batch in progress', async () => {
    const client = new FakeMqttClient();
    const p = publisher(client);
    const done = p.publish(items(2));
    p.abort('the task is stopping');
    await expect(done).rejects.toThrow('Connector mqtt-sink: the task is stopping');
  });
});
