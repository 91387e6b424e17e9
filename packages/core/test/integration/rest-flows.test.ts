import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandalone, type StandaloneRuntime } from '../../src/worker/standalone.js';
import {
  clients,
  committedOffsets,
  createTopic,
  kafkaBootstrap,
  produce,
  quietLogger,
  uniqueName,
} from './engine-kafka.js';
import { lines, rest, tempDir, waitFor } from './standalone-support.js';

// The REST flows of Kafka Connect against a standalone worker on real Kafka: create, list, status,
// pause (consumption stops), resume, restart, config update (task reconfigured), validate, delete
// (consumption stops, group left), and a poison record that FAILs the task until the config is fixed.

let bootstrap: string;
let runtime: StandaloneRuntime;
let base: string;
const dir = tempDir('sluice-rest');

beforeAll(async () => {
  bootstrap = await kafkaBootstrap();
  runtime = await startStandalone({
    workerProps: {
      'bootstrap.servers': bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.flush.interval.ms': '500',
      listeners: 'http://127.0.0.1:0',
    },
    logger: quietLogger,
  });
  base = `http://127.0.0.1:${runtime.restPort}`;
});

afterAll(async () => runtime?.stop());

const values = (topic: string, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ topic, key: null, value: Buffer.from(`v${from + i}`) }));

async function groupMembers(group: string): Promise<number> {
  const admin = clients(bootstrap).admin({ clientId: 'rest-it-admin' });
  await admin.connect();
  try {
    return (await admin.describeGroup(group)).members.length;
  } finally {
    await admin.disconnect();
  }
}

const settle = () => new Promise((r) => setTimeout(r, 3000));

describe('REST flows on a standalone worker', () => {
  it('create, list, status, pause, resume, restart, reconfigure, delete', async () => {
    const topic = uniqueName('rest');
    const name = uniqueName('rest-sink');
    const out1 = path.join(dir, `${name}-1.txt`);
    const out2 = path.join(dir, `${name}-2.txt`);
    await createTopic(bootstrap, topic, 1);

    const created = await rest(base, 'POST', '/connectors', {
      name,
      config: { 'connector.class': 'FileStreamSink', topics: topic, file: out1 },
    });
    expect(created.status).toBe(201);
    expect((await rest(base, 'GET', '/connectors')).json).toContain(name);
    await waitFor(
      'task RUNNING',
      async () => (await rest(base, 'GET', `/connectors/${name}/status`)).json.tasks[0]?.state === 'RUNNING',
    );

    await produce(bootstrap, values(topic, 0, 10));
    await waitFor('10 records written', () => lines(out1).length === 10);

    expect((await rest(base, 'PUT', `/connectors/${name}/pause`)).status).toBe(202);
    await waitFor(
      'PAUSED',
      async () => (await rest(base, 'GET', `/connectors/${name}/status`)).json.tasks[0]?.state === 'PAUSED',
    );
    await produce(bootstrap, values(topic, 10, 10));
    await settle();
    expect(lines(out1)).toHaveLength(10); // paused: nothing consumed

    expect((await rest(base, 'PUT', `/connectors/${name}/resume`)).status).toBe(202);
    await waitFor('resumed consumption', () => lines(out1).length === 20);

    expect((await rest(base, 'POST', `/connectors/${name}/restart?includeTasks=true`)).status).toBe(202);
    await waitFor(
      'RUNNING after restart',
      async () => (await rest(base, 'GET', `/connectors/${name}/status`)).json.tasks[0]?.state === 'RUNNING',
    );
    expect((await rest(base, 'GET', `/connectors/${name}/topics`)).json).toEqual({
      [name]: { topics: [topic] },
    });

    const updated = await rest(base, 'PUT', `/connectors/${name}/config`, {
      'connector.class': 'FileStreamSink',
      topics: topic,
      file: out2,
    });
    expect(updated.status).toBe(200);
    await waitFor(
      'RUNNING after reconfiguration',
      async () => (await rest(base, 'GET', `/connectors/${name}/status`)).json.tasks[0]?.state === 'RUNNING',
    );
    await produce(bootstrap, values(topic, 20, 5));
    await waitFor('records in the reconfigured file', () => lines(out2).length === 5);
    expect(lines(out2)).toEqual(['v20', 'v21', 'v22', 'v23', 'v24']); // committed offsets carried over
    expect(new Set(lines(out1)).size).toBe(20);

    const invalid = await rest(base, 'PUT', '/connector-plugins/FileStreamSinkConnector/config/validate', {
      name,
      topics: topic,
      'topics.regex': 'x.*',
      'tasks.max': 'lots',
    });
    expect(invalid.status).toBe(200);
    const errors = Object.fromEntries(
      invalid.json.configs
        .filter((c: any) => c.value.errors.length > 0)
        .map((c: any) => [c.value.name, c.value.errors]),
    );
    expect(errors).toEqual({
      'tasks.max': ["Not a number of type INT: 'lots'"],
      topics: ['topics and topics.regex are mutually exclusive options, but both are set.'],
      'topics.regex': ['topics and topics.regex are mutually exclusive options, but both are set.'],
    });
    expect(invalid.json.error_count).toBe(3);

    expect((await rest(base, 'DELETE', `/connectors/${name}`)).status).toBe(204);
    expect((await rest(base, 'GET', `/connectors/${name}`)).status).toBe(404);
    await waitFor('consumer group left', async () => (await groupMembers(`connect-${name}`)) === 0);
    await produce(bootstrap, values(topic, 25, 5));
    await settle();
    expect(lines(out2)).toHaveLength(5); // deleted: nothing consumed
  });

  it('a poison record FAILs the task with a trace; fixing the config resumes from the right offset', async () => {
    const topic = uniqueName('poison');
    const name = uniqueName('poison-sink');
    const out = path.join(dir, `${name}.txt`);
    await createTopic(bootstrap, topic, 1);
    await produce(bootstrap, [
      { topic, key: null, value: Buffer.from('{"id":1}') },
      { topic, key: null, value: Buffer.from('{not json') },
      { topic, key: null, value: Buffer.from('{"id":3}') },
    ]);
    const config = {
      'connector.class': 'FileStreamSink',
      topics: topic,
      file: out,
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'errors.tolerance': 'none',
    };
    expect((await rest(base, 'PUT', `/connectors/${name}/config`, config)).status).toBe(201);
    const failed = await waitFor('task FAILED', async () => {
      const s = (await rest(base, 'GET', `/connectors/${name}/status`)).json;
      return s.tasks[0]?.state === 'FAILED' ? s.tasks[0] : undefined;
    });
    expect(failed.trace).toMatch(/Tolerance exceeded|DataException|JSON/i);
    expect(lines(out)).not.toContain('{id=3}');
    const committedBeforeFix = (await committedOffsets(bootstrap, `connect-${name}`, topic)).get(0) ?? 0;
    expect(committedBeforeFix).toBeLessThanOrEqual(1); // never past the poison record

    expect(
      (await rest(base, 'PUT', `/connectors/${name}/config`, { ...config, 'errors.tolerance': 'all' }))
        .status,
    ).toBe(200);
    await waitFor('the record after the poison one', () => lines(out).includes('{id=3}'));
    await waitFor(
      'offsets committed past the poison record',
      async () => (await committedOffsets(bootstrap, `connect-${name}`, topic)).get(0) === 3,
    );
    // Record 1 was acknowledged before the failure; the stop of the failed task may still commit it,
    // so it is written once or (when it was not committed) twice, never lost.
    const firstCount = lines(out).filter((l) => l === '{id=1}').length;
    expect(firstCount).toBeGreaterThanOrEqual(1);
    expect(firstCount).toBeLessThanOrEqual(committedBeforeFix === 1 ? 1 : 2);
    expect(lines(out).filter((l) => l === '{id=3}')).toHaveLength(1);
    expect((await rest(base, 'GET', `/connectors/${name}/status`)).json.tasks[0].state).toBe('RUNNING');
    expect((await rest(base, 'DELETE', `/connectors/${name}`)).status).toBe(204);
  });

  it("runs a connector whose values were written by Kafka's LongSerializer, with value.converter=LongConverter", async () => {
    const topic = uniqueName('longs');
    const name = uniqueName('long-sink');
    const out = path.join(dir, `${name}.txt`);
    await createTopic(bootstrap, topic, 1);
    const longs = [0n, 42n, -1n, 9007199254740993n, -(2n ** 63n)];
    await produce(
      bootstrap,
      longs.map((v) => {
        const value = Buffer.alloc(8);
        value.writeBigInt64BE(v);
        return { topic, key: null, value };
      }),
    );
    const config = {
      'connector.class': 'FileStreamSink',
      topics: topic,
      file: out,
      'value.converter': 'org.apache.kafka.connect.converters.LongConverter',
    };
    expect((await rest(base, 'PUT', `/connectors/${name}/config`, config)).status).toBe(201);
    await waitFor('every long in the file', () => lines(out).length === longs.length);
    expect(lines(out)).toEqual(longs.map(String));
    expect((await rest(base, 'DELETE', `/connectors/${name}`)).status).toBe(204);
  });
});
