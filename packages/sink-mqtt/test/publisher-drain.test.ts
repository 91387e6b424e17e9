import { ConnectException } from '@sluice/core';
import { sinkRecord } from '@sluice/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Publisher,
  QOS0_BUFFERED_BYTES,
  type PendingPublish,
  type PublishingClient,
} from '../src/publisher.js';
import { FakeMqttClient } from './fake-client.js';

// QoS 0 has no acknowledgement: a batch is done once handed to the socket, but no message is handed over
// while the socket holds QOS0_BUFFERED_BYTES or more unsent; publishing goes on at its 'drain'.

/** Payload bytes that, with the 8-byte topic, make four messages 32 bytes short of QOS0_BUFFERED_BYTES. */
const QUARTER = QOS0_BUFFERED_BYTES / 4 - 16;

function items(n: number, payloadBytes = QUARTER): PendingPublish[] {
  return Array.from({ length: n }, (_, i) => ({
    record: sinkRecord(String(i), null, { topic: 'telemetry', offset: i }),
    message: {
      topic: `q0/${i}`.padEnd(8, '-'),
      payload: Buffer.alloc(payloadBytes, i),
      qos: 0,
      retain: false,
    },
  }));
}

function publisher(client: FakeMqttClient, timeoutMs = 1_000): Publisher {
  return new Publisher(client as unknown as PublishingClient, {
    connectorName: 'mqtt-sink',
    maxInFlight: 10,
    timeoutMs,
    brokers: 'mqtts://127.0.0.1:8883',
    lastConnectionError: () => new Error('read ECONNRESET'),
  });
}

/** The batch's promise, and whether it has settled yet. */
function track(done: Promise<unknown>): { settled: () => boolean } {
  let settled = false;
  done.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { settled: () => settled };
}

const settle = () => new Promise((r) => setImmediate(r));

afterEach(() => {
  vi.useRealTimers();
});

describe('Publisher, QoS 0 back-pressure', () => {
  it('stops handing messages over at QOS0_BUFFERED_BYTES buffered, and resolves only after the drain', async () => {
    const client = new FakeMqttClient();
    const done = publisher(client).publish(items(6));
    const batch = track(done);
    await settle();
    // Four quarters leave the socket 32 bytes short of the limit; the fifth goes over it.
    expect(client.published).toHaveLength(5);
    expect(client.stream.writableLength).toBeGreaterThanOrEqual(QOS0_BUFFERED_BYTES);
    expect(client.stream.writableNeedDrain).toBe(true);
    expect(batch.settled()).toBe(false);

    client.stream.flush();
    expect(await done).toEqual([]);
    expect(client.published.map((p) => p.topic)).toEqual(items(6).map((i) => i.message.topic));
    expect(client.stream.listenerCount('drain')).toBe(0);
  });

  it('waits as many times as the socket fills up', async () => {
    const client = new FakeMqttClient();
    const done = publisher(client).publish(items(12));
    const batch = track(done);
    const handedOver: number[] = [];
    for (let i = 0; i < 2; i++) {
      await settle();
      handedOver.push(client.published.length);
      expect(batch.settled()).toBe(false);
      client.stream.flush();
    }
    await done;
    expect(handedOver).toEqual([5, 10]);
    expect(client.published).toHaveLength(12);
  });

  it('a batch that ends past the limit resolves at once; the next batch waits for the drain', async () => {
    const client = new FakeMqttClient();
    const p = publisher(client);
    await p.publish(items(5));
    expect(client.stream.writableLength).toBeGreaterThanOrEqual(QOS0_BUFFERED_BYTES);

    const next = p.publish(items(1, 10));
    const batch = track(next);
    await settle();
    expect(client.published).toHaveLength(5);
    expect(batch.settled()).toBe(false);
    client.stream.flush();
    await next;
    expect(client.published).toHaveLength(6);
  });

  it('when the connection drops during the wait, goes on over the new socket after the reconnect and ignores the old one', async () => {
    const client = new FakeMqttClient();
    client.on('error', () => undefined); // the task logs client errors
    const done = publisher(client, 5_000).publish(items(6));
    const batch = track(done);
    await settle();
    const oldStream = client.stream;
    // mqtt.js reports the socket's error, then its close.
    client.emit('error', new Error('write EPIPE'));
    client.drop();
    expect(oldStream.listenerCount('drain')).toBe(0);
    await settle();
    expect(batch.settled()).toBe(false);

    client.reconnect();
    expect(await done).toEqual([]);
    // The 5 handed to the old socket are given up (at most once); the last one went over the new socket.
    expect(client.published).toHaveLength(6);
    expect(client.stream).not.toBe(oldStream);
    expect(client.stream.writableLength).toBe(QUARTER + 8);
    oldStream.flush();
    await settle();
    expect(client.published).toHaveLength(6);
  });

  it('when the connection drops during the wait and stays away, the batch fails after connect.mqtt.timeout', async () => {
    vi.useFakeTimers();
    const client = new FakeMqttClient();
    const done = publisher(client, 1_000).publish(items(6));
    const failure = expect(done).rejects.toThrow(
      /no connection to the MQTT broker \(mqtts:\/\/127\.0\.0\.1:8883\) for 1000 ms with 1 of 6 messages of the batch not acknowledged \(last error: read ECONNRESET\)/,
    );
    await vi.advanceTimersByTimeAsync(5_000); // back-pressure alone, while connected, has no deadline
    expect(client.published).toHaveLength(5);
    client.drop();
    await vi.advanceTimersByTimeAsync(1_001);
    await failure;
    await expect(done).rejects.toBeInstanceOf(ConnectException);
  });

  it('abort() during the wait fails the batch and stops listening for the drain', async () => {
    const client = new FakeMqttClient();
    const p = publisher(client);
    const done = p.publish(items(6));
    await settle();
    p.abort('the task is stopping');
    await expect(done).rejects.toThrow('Connector mqtt-sink: the task is stopping');
    expect(client.stream.listenerCount('drain')).toBe(0);
    client.stream.flush();
    expect(client.published).toHaveLength(5);
  });
});
