import {
  ConnectException,
  RetriableException,
  Schema,
  type SinkRecord,
  type SinkTaskContext,
} from '@sluice/core';
import { jsonTextRecord, sinkRecord, tombstone } from '@sluice/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeMqttClient } from './fake-client.js';

// The task with its mqtt.js client replaced by a fake broker connection: what put() publishes, what it
// sends to the DLQ, and what the error policy makes of a broker that is away.
let client: FakeMqttClient;

vi.mock('../src/client.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../src/client.js')>()),
  createMqttClient: () => ({ client, events: { lastError: () => null } }),
  closeMqttClient: async () => undefined,
}));

const { default: plugin } = await import('../src/index.js');

function context(reporter: ((r: SinkRecord, e: Error) => Promise<void>) | null) {
  const timeout = vi.fn();
  const debug = vi.fn();
  const ctx = {
    connectorName: 'mqtt-it',
    taskId: 0,
    configs: () => ({}),
    timeout,
    errantRecordReporter: () => (reporter ? { report: reporter } : null),
    logger: { debug, info() {}, warn() {}, error() {} },
  } as unknown as SinkTaskContext;
  return { ctx, timeout, debug };
}

const config = (extra: Record<string, string> = {}) => ({
  topics: 'orders',
  'connect.mqtt.hosts': 'tcp://127.0.0.1:1',
  'connect.mqtt.service.quality': '1',
  'connect.mqtt.timeout': '200',
  'connect.mqtt.kcql':
    "INSERT INTO _key SELECT * FROM orders; INSERT INTO device SELECT id FROM orders PROPERTIES('mqtt.target.from.field'='true')",
  ...extra,
});

beforeEach(() => {
  client = new FakeMqttClient();
  client.autoAck = true;
});

describe('MqttSinkTask', () => {
  it('publishes every record once per statement of its topic and reports unroutable records to the DLQ', async () => {
    const reported: SinkRecord[] = [];
    const { ctx } = context(async (r) => void reported.push(r));
    const task = plugin.createTask();
    await task.start(config(), ctx);
    await task.put([
      jsonTextRecord({ id: 1, device: 'd/1' }, { topic: 'orders', key: 'k/1', offset: 0 }),
      jsonTextRecord({ id: 2 }, { topic: 'orders', key: 'k/2', offset: 1 }),
      jsonTextRecord({ id: 3, device: 'd/3' }, { topic: 'orders', key: 'k/3', offset: 2 }),
    ]);
    expect(client.published.map((p) => [p.topic, p.payload.toString(), p.qos])).toEqual([
      ['k/1', '{"id":1,"device":"d/1"}', 1],
      ['d/1', '{"id":1}', 1],
      ['k/2', '{"id":2}', 1],
      ['k/3', '{"id":3,"device":"d/3"}', 1],
      ['d/3', '{"id":3}', 1],
    ]);
    expect(reported.map((r) => r.kafkaOffset)).toEqual([1]);
    await task.stop();
  });

  it('skips tombstones with a debug line', async () => {
    const { ctx, debug } = context(null);
    const task = plugin.createTask();
    await task.start(config({ 'connect.mqtt.kcql': 'INSERT INTO _key SELECT * FROM orders' }), ctx);
    await task.put([
      tombstone('k/1', { topic: 'orders', offset: 4 }),
      sinkRecord('v', Schema.STRING_SCHEMA, { topic: 'orders', key: 'k/2' }),
    ]);
    expect(client.published.map((p) => p.topic)).toEqual(['k/2']);
    expect(debug).toHaveBeenCalledWith(
      expect.stringMatching(/skipped the tombstone at topic orders partition 0 offset 4/),
    );
  });

  it('without a DLQ an unroutable record fails the batch under THROW', async () => {
    const task = plugin.createTask();
    await task.start(config(), context(null).ctx);
    await expect(task.put([jsonTextRecord({ id: 1 }, { topic: 'orders', key: 'k' })])).rejects.toThrow(
      ConnectException,
    );
  });

  it('under RETRY a broker that stays away asks for redelivery after retry.interval, and the redelivery publishes', async () => {
    const { ctx, timeout } = context(null);
    const task = plugin.createTask();
    await task.start(
      config({
        'connect.mqtt.kcql': 'INSERT INTO _key SELECT * FROM orders',
        'connect.mqtt.error.policy': 'RETRY',
        'connect.mqtt.retry.interval': '1500',
      }),
      ctx,
    );
    expect(timeout).toHaveBeenCalledWith(1500);
    client.connected = false;
    const batch = [sinkRecord('v', Schema.STRING_SCHEMA, { topic: 'orders', key: 'k/1' })];
    await expect(task.put(batch)).rejects.toBeInstanceOf(RetriableException);
    expect(client.published).toHaveLength(0);
    client.reconnect();
    await task.put(batch);
    expect(client.published.map((p) => p.topic)).toEqual(['k/1']);
  });

  it('under NOOP a broker that stays away drops the batch and the task goes on', async () => {
    const task = plugin.createTask();
    await task.start(
      config({
        'connect.mqtt.kcql': 'INSERT INTO _key SELECT * FROM orders',
        'connect.mqtt.error.policy': 'NOOP',
      }),
      context(null).ctx,
    );
    client.connected = false;
    await expect(
      task.put([sinkRecord('v', Schema.STRING_SCHEMA, { topic: 'orders', key: 'k/1' })]),
    ).resolves.toBeUndefined();
  });

  it("under RETRY a message larger than the broker's Maximum Packet Size goes to the DLQ instead of looping", async () => {
    const reported: SinkRecord[] = [];
    const { ctx } = context(async (r) => void reported.push(r));
    const task = plugin.createTask();
    await task.start(
      config({
        'connect.mqtt.kcql': 'INSERT INTO _key SELECT * FROM orders',
        'connect.mqtt.error.policy': 'RETRY',
        'connect.mqtt.max.retries': '-1',
      }),
      ctx,
    );
    client.serverProperties = { maximumPacketSize: 64 };
    await task.put([
      sinkRecord('x'.repeat(100), Schema.STRING_SCHEMA, { topic: 'orders', key: 'k/1', offset: 7 }),
      sinkRecord('small', Schema.STRING_SCHEMA, { topic: 'orders', key: 'k/2', offset: 8 }),
    ]);
    expect(reported.map((r) => r.kafkaOffset)).toEqual([7]);
    expect(client.published.map((p) => p.topic)).toEqual(['k/2']);
  });

  it('refuses to start on KCQL it cannot honour, naming the key', async () => {
    const task = plugin.createTask();
    await expect(
      task.start(
        config({ 'connect.mqtt.kcql': 'INSERT INTO x SELECT * FROM orders WITHTAG (a)' }),
        context(null).ctx,
      ),
    ).rejects.toThrow(
      /connect\.mqtt\.kcql: statement 1 \(FROM orders\) uses WITHTAG, which the MQTT sink does not support/,
    );
  });

  it('stop() ends a put that waits for a broker', async () => {
    const task = plugin.createTask();
    await task.start(config({ 'connect.mqtt.timeout': '60000' }), context(null).ctx);
    client.connected = false;
    const put = task.put([jsonTextRecord({ id: 1, device: 'd' }, { topic: 'orders', key: 'k' })]);
    await task.stop();
    await expect(put).rejects.toThrow(/the task is stopping/);
  });
});
