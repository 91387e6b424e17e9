import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configRecords } from '../../../src/worker/distributed/config-records.js';
import { KafkaConfigStore, type ConfigChanges } from '../../../src/worker/distributed/kafka-config-store.js';
import { KafkaStatusStore } from '../../../src/worker/distributed/kafka-status-store.js';
import { ConflictException } from '../../../src/worker/herder-errors.js';
import type { ConnectorStatus, TaskStatusRecord } from '../../../src/worker/status-store.js';
import { MemoryTopic } from './memory-topic.js';

const logger = pino({ level: 'silent' });

function configStore(topic: MemoryTopic) {
  const changes: ConfigChanges[] = [];
  const store = new KafkaConfigStore(topic.open, (c) => changes.push(c), logger);
  return { store, changes };
}

describe('KafkaConfigStore', () => {
  it('applies task configs only once their commit record is read, in the records of Kafka Connect', async () => {
    const topic = new MemoryTopic();
    const { store, changes } = configStore(topic);
    topic.append([
      configRecords.targetState('x', 'PAUSED'),
      configRecords.connector('x', { 'tasks.max': '2' }),
    ]);
    topic.append(configRecords.tasks('x', [{ t: '0' }, { t: '1' }]).slice(0, 2));
    await store.start(1000);
    expect(store.get('x')).toEqual({ config: { 'tasks.max': '2' }, targetState: 'PAUSED', taskConfigs: [] });
    expect(store.configOffset()).toBe(4);

    topic.append([{ key: 'commit-x', value: Buffer.from('{"tasks":2}') }]);
    await store.readToEnd(1000);
    expect(store.get('x')?.taskConfigs).toEqual([{ t: '0' }, { t: '1' }]);
    expect(changes.at(-1)).toEqual({
      connectors: new Set(),
      tasks: new Set(['x']),
      targetStates: new Set(),
      restarts: [],
    });
  });

  it('reads target-state v2 (STOPPED) and the v1 fallback, and forgets a deleted connector', async () => {
    const topic = new MemoryTopic();
    const { store } = configStore(topic);
    topic.append([configRecords.connector('a', {}), configRecords.targetState('a', 'STOPPED')]);
    topic.append([
      configRecords.connector('b', {}),
      { key: 'target-state-b', value: Buffer.from('{"state":"PAUSED"}') },
    ]);
    await store.start(1000);
    expect(JSON.parse(topic.records[1]!.value!.toString())).toEqual({
      state: 'PAUSED',
      'state.v2': 'STOPPED',
    });
    expect(store.get('a')?.targetState).toBe('STOPPED');
    expect(store.get('b')?.targetState).toBe('PAUSED');

    topic.append(configRecords.deleteConnector('a'));
    await store.readToEnd(1000);
    expect(store.connectors()).toEqual(['b']);
    expect(store.get('a')).toBeUndefined();
  });

  it('keeps the previous task configs when a commit does not match the task records before it', async () => {
    const topic = new MemoryTopic();
    const { store } = configStore(topic);
    topic.append([configRecords.connector('x', {}), ...configRecords.tasks('x', [{ v: '1' }])]);
    topic.append([
      { key: 'task-x-0', value: Buffer.from('{"properties":{"v":"2"}}') },
      { key: 'commit-x', value: Buffer.from('{"tasks":3}') },
    ]);
    await store.start(1000);
    expect(store.get('x')?.taskConfigs).toEqual([{ v: '1' }]);
  });

  it('reports restart requests written after start-up only, and skips records it cannot read', async () => {
    const topic = new MemoryTopic();
    const { store, changes } = configStore(topic);
    topic.append([
      configRecords.connector('x', {}),
      configRecords.restart('x', { includeTasks: true, onlyFailed: false }),
    ]);
    topic.append([
      { key: 'connector-y', value: Buffer.from('not json') },
      { key: 'session-key', value: Buffer.from('{}') },
    ]);
    await store.start(1000);
    expect(changes.flatMap((c) => c.restarts)).toEqual([]);
    expect(store.connectors()).toEqual(['x']);
    topic.append([configRecords.restart('x', { includeTasks: false, onlyFailed: true })]);
    await store.readToEnd(1000);
    expect(changes.at(-1)?.restarts).toEqual([
      { connector: 'x', request: { includeTasks: false, onlyFailed: true } },
    ]);
  });

  it('writes only through the leader writer and returns once the write was read back', async () => {
    const topic = new MemoryTopic();
    const { store } = configStore(topic);
    await store.start(1000);
    await expect(store.putConnectorConfig('x', { a: '1' })).rejects.toBeInstanceOf(ConflictException);
    const writer = topic.writer();
    store.setWriter(writer);
    await store.putConnectorConfig('x', { a: '1' }, 'PAUSED');
    expect(writer.sent).toHaveLength(1);
    expect(writer.sent[0]!.map((r) => r.key)).toEqual(['target-state-x', 'connector-x']);
    expect(store.get('x')).toEqual({ config: { a: '1' }, targetState: 'PAUSED', taskConfigs: [] });
  });
});

describe('KafkaStatusStore', () => {
  function statusStore(topic: MemoryTopic, workerId: string) {
    const events: string[] = [];
    const store = new KafkaStatusStore(
      topic.open,
      () => workerId,
      () => 7,
      logger,
      {
        connector: (c, s) => events.push(`connector ${c} ${s}`),
        task: (c, t, s) => events.push(`task ${c}-${t} ${s}`),
      },
    );
    return { store, events };
  }

  it("writes Kafka Connect status records and shows other workers' statuses", async () => {
    const topic = new MemoryTopic();
    const a = statusStore(topic, 'a:8083');
    const b = statusStore(topic, 'b:8083');
    await a.store.start(topic.writer(), 1000);
    await b.store.start(topic.writer(), 1000);
    a.store.putTask('x', 0, { state: 'RUNNING', workerId: 'a:8083' });
    b.store.putTask('x', 1, { state: 'FAILED', workerId: 'b:8083', trace: 'boom' });
    await a.store.flush();
    await b.store.flush();
    expect(topic.records.map((r) => [r.key, JSON.parse(r.value!.toString())])).toEqual([
      ['status-task-x-0', { state: 'RUNNING', trace: null, worker_id: 'a:8083', generation: 7 }],
      ['status-task-x-1', { state: 'FAILED', trace: 'boom', worker_id: 'b:8083', generation: 7 }],
    ]);
    topic.deliver();
    expect([...a.store.getTasks('x')]).toEqual([
      [0, { state: 'RUNNING', workerId: 'a:8083' }],
      [1, { state: 'FAILED', workerId: 'b:8083', trace: 'boom' }],
    ]);
    // Metrics hear only about this worker's own work.
    expect(a.events).toEqual(['task x-0 RUNNING']);
  });

  it('does not let a late echo of its own write undo a newer local status', async () => {
    const topic = new MemoryTopic();
    const a = statusStore(topic, 'a:8083');
    await a.store.start(topic.writer(), 1000);
    a.store.putConnector('x', { state: 'RUNNING', workerId: 'a:8083' });
    await a.store.flush();
    a.store.putConnector('x', { state: 'PAUSED', workerId: 'a:8083' });
    // The reader gets the older RUNNING record only now, after the newer local PAUSED (not sent yet).
    topic.deliver();
    expect(a.store.getConnector('x')?.state).toBe('PAUSED');
  });

  // The status of a task, or of a connector, as putSafe and a read see it.
  const kinds = {
    task: {
      put: (s: KafkaStatusStore, status: TaskStatusRecord) => s.putTask('x', 0, status),
      putSafe: (s: KafkaStatusStore, status: TaskStatusRecord) => s.putTaskSafe('x', 0, status),
      get: (s: KafkaStatusStore) => s.getTasks('x').get(0),
    },
    connector: {
      put: (s: KafkaStatusStore, status: ConnectorStatus) => s.putConnector('x', status),
      putSafe: (s: KafkaStatusStore, status: ConnectorStatus) => s.putConnectorSafe('x', status),
      get: (s: KafkaStatusStore) => s.getConnector('x'),
    },
  };

  it.each(['task', 'connector'] as const)(
    "does not let a stale worker's UNASSIGNED hide the %s status a newer generation wrote (putSafe)",
    async (kind) => {
      const { put, putSafe, get } = kinds[kind];
      const topic = new MemoryTopic();
      const w2 = new KafkaStatusStore(
        topic.open,
        () => 'b:8083',
        () => 7,
        logger,
      );
      await w2.start(topic.writer(), 1000);
      put(w2, { state: 'RUNNING', workerId: 'b:8083' });
      await w2.flush();
      let generation = 5;
      const w1 = new KafkaStatusStore(
        topic.open,
        () => 'a:8083',
        () => generation,
        logger,
      );
      await w1.start(topic.writer(), 1000);
      expect(putSafe(w1, { state: 'UNASSIGNED', workerId: 'a:8083' })).toBe(false);
      expect(get(w1)).toEqual({ state: 'RUNNING', workerId: 'b:8083' });
      generation = 8;
      expect(putSafe(w1, { state: 'UNASSIGNED', workerId: 'a:8083' })).toBe(true);
      expect(get(w1)?.state).toBe('UNASSIGNED');
    },
  );

  it('writes topic-tracking records with the task that read the topic', async () => {
    const topic = new MemoryTopic();
    const a = statusStore(topic, 'a:8083');
    await a.store.start(topic.writer(), 1000);
    a.store.putTopic('x', 'orders', 3);
    await a.store.flush();
    const record = topic.records.find((r) => r.key === 'status-topic-orders:connector-x');
    expect(JSON.parse(record!.value!.toString()).topic).toMatchObject({
      name: 'orders',
      connector: 'x',
      task: 3,
    });
    expect(a.store.topics('x')).toEqual(['orders']);
  });

  it("tombstones a deleted connector's statuses and topics", async () => {
    const topic = new MemoryTopic();
    const a = statusStore(topic, 'a:8083');
    await a.store.start(topic.writer(), 1000);
    a.store.putConnector('x', { state: 'RUNNING', workerId: 'a:8083' });
    a.store.putTask('x', 0, { state: 'RUNNING', workerId: 'a:8083' });
    a.store.putTopic('x', 'orders', 0);
    a.store.deleteConnector('x');
    await a.store.flush();
    const tombstones = topic.records.filter((r) => r.value === null).map((r) => r.key);
    expect(tombstones).toEqual(['status-task-x-0', 'status-topic-orders:connector-x', 'status-connector-x']);
    expect(a.store.getConnector('x')).toBeUndefined();
    expect(a.store.topics('x')).toEqual([]);
  });
});
