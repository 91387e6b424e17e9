import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureServices, installKafkaConnect, startKafkaConnect } from '../../src/index.js';

// The Java peer the benchmarks run: ConnectStandalone from the cache, with Kafka's own FileStreamSink
// draining a small topic into a file, checked line by line.
describe('kafka-connect (test-infra tool)', () => {
  let bootstrap: string;

  beforeAll(async () => {
    const { kafka } = await ensureServices(['kafka']);
    bootstrap = kafka!.bootstrapServers as string;
  });

  it('installs the runtime at the broker version and says, per plugin, whether it installed or why not', async () => {
    const install = await installKafkaConnect();
    expect(install.kafkaVersion).toBe('3.9.1');
    expect(existsSync(path.join(install.libDir, 'connect-runtime-3.9.1.jar'))).toBe(true);
    expect(existsSync(path.join(install.libDir, 'connect-file-3.9.1.jar'))).toBe(true);
    for (const [name, state] of Object.entries(install.plugins)) {
      if (state.installed) expect(existsSync(path.join(install.pluginPath, name))).toBe(true);
      else expect(state.reason).toMatch(/\S/);
    }
  });

  it('runs FileStreamSink until its task is RUNNING, writes every record of the topic, and stops', async () => {
    const topic = `connect-file-${randomUUID()}`;
    const kafka = new Kafka({ clientId: 'connect-it', brokers: [bootstrap], logLevel: logLevel.ERROR });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const values = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: i, name: `n${i}` }));
    await producer.send({ topic, messages: values.map((value) => ({ value })) });
    await producer.disconnect();

    const connect = await startKafkaConnect({
      bootstrapServers: bootstrap,
      // StringConverter both ways: the file gets each value verbatim.
      worker: { 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' },
      connector: {
        name: `file-${randomUUID()}`,
        'connector.class': 'FileStreamSink',
        topics: topic,
        file: 'out.txt',
      },
    });
    try {
      const file = path.join(connect.dir, 'out.txt');
      const deadline = Date.now() + 60_000;
      let lines: string[] = [];
      while (Date.now() < deadline) {
        lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
        if (lines.length >= values.length) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(lines).toEqual(values);
      const status = (await (await fetch(`${connect.restUrl}/connectors`)).json()) as string[];
      expect(status).toHaveLength(1);
    } finally {
      await connect.stop();
    }
    expect(() => process.kill(connect.pid, 0)).toThrow();
  });
});
