import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices } from '@sluice/test-infra';
import { Kafka, logLevel } from 'kafkajs';

// Runs `sluice distributed worker.properties` processes (the built CLI, dist/cli/main.js) against the
// Kafka of test-infra, the way an operator would, and gives tests each worker's REST API, output,
// and both ways to end it: SIGTERM (graceful) and SIGKILL (crash). Build core first
// (`npx tsc -p packages/core`).

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

export async function kafkaBootstrap(): Promise<string> {
  const { kafka } = await ensureServices(['kafka']);
  return String(kafka!['bootstrapServers'] ?? kafka!['connection']);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Worker settings shared by a test's cluster: short timeouts so that failover tests stay quick. */
export function clusterProps(bootstrap: string, name: string, extra: Record<string, string> = {}): Record<string, string> {
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

export class DistributedWorker {
  private out = '';
  private readonly exit: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly workerId: string,
  ) {
    child.stdout?.on('data', (b: Buffer) => (this.out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (this.out += b.toString()));
    this.exit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  static async start(props: Record<string, string>): Promise<DistributedWorker> {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-distributed-'));
    const port = await freePort();
    const file = path.join(dir, 'worker.properties');
    writeFileSync(file, toProperties({ listeners: `http://127.0.0.1:${port}`, ...props }));
    const child = spawn(process.execPath, [CLI, 'distributed', file], {
      cwd: dir,
      env: { ...process.env, SLUICE_LOG_LEVEL: process.env['SLUICE_TEST_LOG'] ?? 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new DistributedWorker(child, `http://127.0.0.1:${port}`, `127.0.0.1:${port}`);
    try {
      await waitFor(async () => {
        if (child.exitCode !== null) throw new Abort(`sluice distributed exited with ${child.exitCode}:\n${worker.output().slice(-3000)}`);
        return (await fetch(`${worker.url}/health`).catch(() => null))?.ok;
      }, `worker ${worker.workerId} healthy`);
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
    return worker;
  }

  output(): string {
    return this.out;
  }

  isLeader(): boolean {
    const became = this.out.lastIndexOf('is now the leader');
    return became >= 0 && became > this.out.lastIndexOf('stops acting as leader');
  }

  async request(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: unknown }> {
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

  /** Graceful stop (SIGTERM); resolves with the exit code. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A crash: no flush, no commit, no LeaveGroup. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }
}

/** Tasks per worker id, counting only RUNNING tasks. */
export function runningByWorker(status: ConnectorStatusBody | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of status?.tasks ?? []) if (t.state === 'RUNNING') out.set(t.worker_id, (out.get(t.worker_id) ?? 0) + 1);
  return out;
}

/** Waits until the connector and `tasks` tasks are RUNNING, as seen from `worker`; fails fast on FAILED. */
export async function waitUntilRunning(worker: DistributedWorker, name: string, tasks: number, timeoutMs = 60_000): Promise<ConnectorStatusBody> {
  return waitFor(
    async () => {
      const s = await worker.status(name);
      const failed = s?.tasks.find((t) => t.state === 'FAILED');
      if (failed) throw new Abort(`task ${name}-${failed.id} FAILED on ${failed.worker_id}: ${failed.trace}`);
      return s && s.connector.state === 'RUNNING' && s.tasks.length === tasks && s.tasks.every((t) => t.state === 'RUNNING') ? s : null;
    },
    `connector ${name} with ${tasks} RUNNING tasks`,
    timeoutMs,
  );
}

export class Abort extends Error {}

export async function waitFor<T>(check: () => Promise<T | null | undefined | false> | T | null | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result) return result;
      last = result;
    } catch (e) {
      if (e instanceof Abort) throw e;
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function toProperties(props: Record<string, string>): string {
  return Object.entries(props).map(([k, v]) => `${k}=${v.replace(/\\/g, '\\\\')}`).join('\n') + '\n';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Topics and records for the tests. Values are `p<partition>-<n>`, so duplicates can be traced to a partition. */
export class TestKafka {
  private readonly kafka: Kafka;

  constructor(bootstrap: string) {
    this.kafka = new Kafka({ clientId: 'distributed-it', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  }

  async topicConfig(topic: string, name: string): Promise<string | undefined> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: [name] }] });
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
        topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
  }

  /** Produces `perPartition` records to each partition, in chunks, with acks=all. */
  async produce(topic: string, partitions: number, perPartition: number, chunk = 2000): Promise<void> {
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
                return { partition, value: `p${partition}-${start + Math.floor(i / partitions)}` };
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
