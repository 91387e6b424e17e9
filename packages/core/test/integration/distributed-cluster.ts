import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { CliProcess, freePort, toProperties, WaitAbort, waitFor } from '@sluice/test-utils';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaBootstrap } from './engine-kafka.js';

// Runs `sluice distributed worker.properties` processes (the built CLI, dist/cli/main.js) against the
// Kafka of test-infra, the way an operator would, and gives tests each worker's REST API, output,
// and both ways to end it: SIGTERM (graceful) and SIGKILL (crash), through @sluice/test-utils'
// CliProcess. Build core and test-utils first (`npx tsc -p packages/core && npx tsc -p packages/test-utils`).

export { kafkaBootstrap, uniqueName } from './engine-kafka.js';

/** What a cluster test file shares: Kafka, and the workers its tests started (all killed by the hooks). */
export class ClusterFixture {
  bootstrap = '';
  kafka!: TestKafka;
  readonly workers: DistributedWorker[] = [];
}

/** Registers the hooks of a cluster test file; workers are killed after each test or once after all of them. */
export function useCluster(killWorkers: 'afterEach' | 'afterAll'): ClusterFixture {
  const fixture = new ClusterFixture();
  beforeAll(async () => {
    fixture.bootstrap = await kafkaBootstrap();
    fixture.kafka = new TestKafka(fixture.bootstrap);
  });
  (killWorkers === 'afterEach' ? afterEach : afterAll)(async () => {
    await Promise.all(fixture.workers.splice(0).map((w) => w.kill()));
  });
  return fixture;
}

/** Worker settings shared by a test's cluster: short timeouts so that failover tests stay quick. */
export function clusterProps(
  bootstrap: string,
  name: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    'bootstrap.servers': bootstrap,
    'group.id': `${name}-cluster`,
    'config.storage.topic': `${name}-configs`,
    'offset.storage.topic': `${name}-offsets`,
    'status.storage.topic': `${name}-status`,
    'config.storage.replication.factor': '1',
    'offset.storage.replication.factor': '1',
    'status.storage.replication.factor': '1',
    'offset.storage.partitions': '2',
    'status.storage.partitions': '2',
    'session.timeout.ms': '6000',
    'heartbeat.interval.ms': '1000',
    'scheduled.rebalance.max.delay.ms': '0',
    // The sink tasks' own consumer group must notice a dead consumer as fast as the worker group.
    'consumer.session.timeout.ms': '6000',
    'consumer.heartbeat.interval.ms': '1000',
    // kafkajs heartbeats between fetches: an idle long poll would delay noticing a sink-group rebalance.
    'consumer.fetch.max.wait.ms': '500',
    'offset.flush.interval.ms': '1000',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    ...extra,
  };
}

export interface TaskState {
  id: number;
  state: string;
  worker_id: string;
  trace?: string;
}

export interface ConnectorStatusBody {
  name: string;
  connector: { state: string; worker_id: string };
  tasks: TaskState[];
}

export class DistributedWorker extends CliProcess {
  private constructor(
    child: ChildProcess,
    readonly url: string,
    readonly workerId: string,
  ) {
    super(child);
  }

  /** `listeners` gives the worker's listeners for its port (default http://127.0.0.1:<port>). */
  static async start(
    props: Record<string, string>,
    opts: { listeners?: (port: number) => string; workerHost?: string } = {},
  ): Promise<DistributedWorker> {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-distributed-'));
    const port = await freePort();
    const file = path.join(dir, 'worker.properties');
    const listeners = opts.listeners?.(port) ?? `http://127.0.0.1:${port}`;
    writeFileSync(file, toProperties({ listeners, ...props }));
    const host = opts.workerHost ?? '127.0.0.1';
    return CliProcess.spawnCli(
      {
        args: ['distributed', file],
        cwd: dir,
        env: { ...process.env, SLUICE_LOG_LEVEL: process.env['SLUICE_TEST_LOG'] ?? 'info' },
        readyUrl: `http://127.0.0.1:${port}/health`,
      },
      (child) => new DistributedWorker(child, `http://127.0.0.1:${port}`, `${host}:${port}`),
    );
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the process: a worker that stops answering without dying. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    if (this.pid !== undefined) process.kill(this.pid, signal);
  }

  isLeader(): boolean {
    const out = this.output();
    const became = out.lastIndexOf('is now the leader');
    return became >= 0 && became > out.lastIndexOf('stops acting as leader');
  }

  async request(
    method: string,
    pathname: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.url}${pathname}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : JSON.parse(text) };
  }

  async status(name: string): Promise<ConnectorStatusBody | null> {
    const r = await this.request('GET', `/connectors/${encodeURIComponent(name)}/status`);
    return r.status === 200 ? (r.body as ConnectorStatusBody) : null;
  }
}

/** Tasks per worker id, counting only RUNNING tasks. */
export function runningByWorker(status: ConnectorStatusBody | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of status?.tasks ?? [])
    if (t.state === 'RUNNING') out.set(t.worker_id, (out.get(t.worker_id) ?? 0) + 1);
  return out;
}

/** Waits until the connector and `tasks` tasks are RUNNING, as seen from `worker`; fails fast on FAILED. */
export async function waitUntilRunning(
  worker: DistributedWorker,
  name: string,
  tasks: number,
  timeoutMs = 60_000,
): Promise<ConnectorStatusBody> {
  return waitFor(
    async () => {
      const s = await worker.status(name);
      const failed = s?.tasks.find((t) => t.state === 'FAILED');
      if (failed)
        throw new WaitAbort(`task ${name}-${failed.id} FAILED on ${failed.worker_id}: ${failed.trace}`);
      return s &&
        s.connector.state === 'RUNNING' &&
        s.tasks.length === tasks &&
        s.tasks.every((t) => t.state === 'RUNNING')
        ? s
        : null;
    },
    { what: `connector ${name} with ${tasks} RUNNING tasks`, timeoutMs },
  );
}

/** Topics and records for the tests. Values are `p<partition>-<n>`, so duplicates can be traced to a partition. */
export class TestKafka {
  private readonly kafka: Kafka;

  constructor(bootstrap: string) {
    this.kafka = new Kafka({
      clientId: 'distributed-it',
      brokers: bootstrap.split(','),
      logLevel: logLevel.NOTHING,
    });
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
  }

  async topicConfig(topic: string, name: string): Promise<string | undefined> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: topic, configNames: [name] }],
      });
      return resources[0]?.configEntries.find((c) => c.configName === name)?.configValue;
    } finally {
      await admin.disconnect();
    }
  }

  async createTopicWithConfig(topic: string, configs: Record<string, string>, partitions = 1): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [
          {
            topic,
            numPartitions: partitions,
            replicationFactor: 1,
            configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
          },
        ],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
  }

  /** Produces `perPartition` records to each partition (values `<label><partition>-<i>`), in chunks, with acks=all. */
  async produce(
    topic: string,
    partitions: number,
    perPartition: number,
    chunk = 2000,
    label = 'p',
  ): Promise<void> {
    const producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      for (let start = 0; start < perPartition; start += chunk) {
        const end = Math.min(perPartition, start + chunk);
        await producer.sendBatch({
          acks: -1,
          topicMessages: [
            {
              topic,
              messages: Array.from({ length: partitions * (end - start) }, (_, i) => {
                const partition = i % partitions;
                return { partition, value: `${label}${partition}-${start + Math.floor(i / partitions)}` };
              }),
            },
          ],
        });
      }
    } finally {
      await producer.disconnect();
    }
  }
}
