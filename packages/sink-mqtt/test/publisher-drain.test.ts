import { ConnectException } from '@sluice/core';
import { sinkRecord } from '@sluice/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Publisher,
  QOS0_BUFFERED_BYTES,
  QOS0_WRITE_BYTES,
  type PendingPublish,
  type PublishingClient,
} from '../src/publisher.js';
import { FakeMqttClient } from './fake-client.js';

// QoS 0 has no acknowledgement: a batch is done once handed to the socket, but no message is handed over
// while the socket holds QOS0_BUFFERED_BYTES or more unsent; publishing goes on at its 'drain'.

/** Payload bytes that, with the 8-byte topic, make four messages 32 bytes short of QOS0_BUFFERED_BYTES. */
const QUARTER = QOS0_BUFFERED_BYTES / 4 - 16;
/** A PUBLISH packet's bytes besides topic and payload: fixed header, 3-byte remaining length, topic length. */
const FRAMING = 1 + 3 + 2;

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
    // Four quarters leave the socket 8 bytes short of the limit (framing included); the fifth goes over it.
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
    expect(client.stream.writableLength).toBe(FRAMING + 8 + QUARTER);
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

describe('Publisher, QoS 0 encoding', () => {
  const small = (n: number, retainEvery = 0): PendingPublish[] =>
    Array.from({ length: n }, (_, i) => ({
      record: sinkRecord(String(i), null, { topic: 'telemetry', offset: i }),
      message: {
        topic: `sensors/${i % 3}`,
        // Text (sent as UTF-8, multi-byte characters included) and bytes, alternately.
        payload: i % 2 === 0 ? JSON.stringify({ i, text: 'é'.repeat(40) }) : Buffer.from(`bytes ${i}`),
        qos: 0,
        retain: retainEvery > 0 && i % retainEvery === 0,
      },
    }));

  it('writes whole MQTT PUBLISH packets, in order, many per socket write', async () => {
    const client = new FakeMqttClient();
    const batch = small(2000, 7);
    expect(await publisher(client).publish(batch)).toEqual([]);
    // The fake socket parses what it is given: every message arrived as its own packet, unchanged.
    expect(client.published.map((p) => [p.topic, p.payload.toString(), p.qos, p.retain])).toEqual(
      batch.map(({ message: m }) => [m.topic, m.payload.toString(), 0, m.retain]),
    );
    const bytes = client.stream.writableLength;
    expect(client.stream.writes).toBe(Math.ceil(bytes / QOS0_WRITE_BYTES));
    expect(client.stream.writes).toBeLessThan(10);
  });

  it('encodes for the protocol version the client speaks (MQTT 5: property length)', async () => {
    const client = new FakeMqttClient();
    client.options.protocolVersion = 5;
    client.reconnect(); // a socket whose parser expects MQTT 5
    const batch = small(3);
    await publisher(client).publish(batch);
    expect(client.published.map((p) => p.payload.toString())).toEqual(
      batch.map((b) => b.message.payload.toString()),
    );
    // One byte more per packet than MQTT 3.1.1: the empty property list.
    const v4 = new FakeMqttClient();
    await publisher(v4).publish(batch);
    expect(client.stream.writableLength - v4.stream.writableLength).toBe(3);
  });

  it('refuses a message MQTT cannot carry on its own (a data error), and sends the others', async () => {
    const client = new FakeMqttClient();
    const batch = small(3);
    const long = 'a/'.repeat(40_000);
    const bad = { ...batch[1]!, message: { ...batch[1]!.message, topic: long } };
    const refused = await publisher(client).publish([batch[0]!, bad, batch[2]!]);
    expect(refused.map((r) => r.index)).toEqual([1]);
    expect(refused[0]!.error.message).toContain(
      `the MQTT message to topic '${long}' can never be sent: the topic is 80000 bytes long, MQTT allows 65535.`,
    );
    expect(client.published.map((p) => p.topic)).toEqual([batch[0]!.message.topic, batch[2]!.message.topic]);
  });

  it.each([0, 1] as const)(
    "QoS %i: a message larger than the MQTT 5 broker's Maximum Packet Size is refused, not sent",
    async (qos) => {
      const client = new FakeMqttClient();
      client.autoAck = true;
      client.options.protocolVersion = 5;
      client.reconnect();
      client.serverProperties = { maximumPacketSize: 100 };
      const message = (payload: number) => ({
        topic: 'big/t', // 5 bytes
        payload: Buffer.alloc(payload, 1),
        qos,
        retain: false,
      });
      // Fixed header 1 + length 1 + topic 2+5 + packet id (QoS 1) 2 + properties 1 + payload.
      const fits = 100 - (1 + 1 + 7 + (qos ? 2 : 0) + 1);
      const batch = [fits, fits + 1, 10].map((size, i) => ({
        record: sinkRecord(String(i), null, { topic: 'telemetry', offset: i }),
        message: message(size),
      }));
      const refused = await publisher(client).publish(batch);
      expect(refused.map((r) => [r.index, r.record.kafkaOffset])).toEqual([[1, 1]]);
      expect(refused[0]!.error.message).toMatch(
        /offset 1: the MQTT message to topic 'big\/t' can never be sent: the message is 101 bytes, larger than the broker's Maximum Packet Size of 100 bytes/,
      );
      expect(client.published.map((p) => p.payload.length)).toEqual([fits, 10]);
    },
  );

  it('encodes every length class of the Remaining Length and multi-byte topics', async () => {
    const client = new FakeMqttClient();
    // The topic is 10 bytes, so Remaining Length = 12 + payload: 127 | 128 and 16 383 | 16 384 are the
    // edges between 1, 2 and 3 bytes of it.
    const sizes = [0, 1, 115, 116, 16_371, 16_372, 200_000];
    const batch: PendingPublish[] = sizes.map((n, i) => ({
      record: sinkRecord(String(i), null, { topic: 'telemetry', offset: i }),
      message: { topic: 'zähler/ß', payload: Buffer.alloc(n, 0x41 + i), qos: 0, retain: i % 2 === 1 },
    }));
    await publisher(client).publish(batch);
    expect(client.published.map((p) => [p.topic, p.payload.length, p.payload[0], p.retain])).toEqual(
      batch.map(({ message: m }) => [m.topic, m.payload.length, m.payload[0], m.retain]),
    );
  });
});
