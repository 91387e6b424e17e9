import { pino } from 'pino';
import type { KafkaAdmin } from '../../../src/kafka/port.js';
import { ConnectMetrics } from '../../../src/metrics/connect-metrics.js';
import { ConnectorValidator } from '../../../src/worker/connector-validator.js';
import { DistributedConfig } from '../../../src/worker/distributed/distributed-config.js';
import { DistributedHerder } from '../../../src/worker/distributed/distributed-herder.js';
import type { InternalKafka, LogWriter } from '../../../src/worker/distributed/internal-kafka.js';
import { KafkaConfigStore } from '../../../src/worker/distributed/kafka-config-store.js';
import { KafkaStatusStore } from '../../../src/worker/distributed/kafka-status-store.js';
import { RequestForwarder } from '../../../src/worker/distributed/request-forwarding.js';
import { LoggerRegistry } from '../../../src/worker/loggers.js';
import { PluginRegistry } from '../../../src/worker/plugins.js';
import { SinkOffsets } from '../../../src/worker/sink-offsets.js';
import { Worker } from '../../../src/worker/worker.js';
import { FakeAdmin, fakeConverters, FakeRunner, testPlugin } from '../fakes.js';
import { FakeCoordinator } from './fake-coordinator.js';
import { MemoryTopic, type ReaderControl } from './memory-topic.js';

// Distributed workers in one process, for unit tests of the DistributedHerder: each has the real
// herder, config and status stores and Worker, over in-memory internal topics, the fake group
// coordinator and fake task runners.

export interface TestWorkerOptions {
  /** Advertised REST URL; default http://<name>:8083. */
  readonly url?: string;
  readonly props?: Record<string, string>;
  /** Replaces the leader's transactional config writer (e.g. to refuse transactions). */
  readonly fencedWriter?: (topic: string, transactionalId: string) => Promise<LogWriter>;
  /** Holds this worker's config-topic reader back while `paused`. */
  readonly configReader?: ReaderControl;
  /** Replaces the REST forwarder (to see where requests go). */
  readonly forwarder?: RequestForwarder;
}

export interface TestWorker {
  readonly name: string;
  readonly herder: DistributedHerder;
  readonly worker: Worker;
  readonly statusStore: KafkaStatusStore;
  readonly runners: FakeRunner[];
  /** Errors passed to onFatal. */
  readonly fatal: Error[];
  stop(): Promise<void>;
}

const logger = pino({ level: 'silent' });

export class HerderCluster {
  readonly coordinator = new FakeCoordinator();
  readonly configTopic = new MemoryTopic(true);
  readonly statusTopic = new MemoryTopic(true);
  readonly workers: TestWorker[] = [];

  async start(name: string, opts: TestWorkerOptions = {}): Promise<TestWorker> {
    const url = opts.url ?? `http://${name}:8083`;
    const config = new DistributedConfig({
      'group.id': 'test-cluster',
      'config.storage.topic': 'configs',
      'offset.storage.topic': 'offsets',
      'status.storage.topic': 'statuses',
      'session.timeout.ms': '2000',
      'heartbeat.interval.ms': '50',
      'rebalance.timeout.ms': '2000',
      'scheduled.rebalance.max.delay.ms': '0',
      listeners: 'http://127.0.0.1:0',
      ...opts.props,
    });
    const workerId = new URL(url).host;
    const topics = new Map([
      ['configs', this.configTopic],
      ['statuses', this.statusTopic],
    ]);
    const topic = (t: string) => {
      const found = topics.get(t);
      if (!found) throw new Error(`no topic ${t}`);
      return found;
    };
    const kafka: InternalKafka = {
      ensureTopics: async () => undefined,
      openLog: (t, onRecords) => topic(t).open(onRecords, t === 'configs' ? opts.configReader : undefined),
      writer: async (t) => topic(t).writer(),
      fencedWriter: opts.fencedWriter ?? (async (t) => topic(t).writer()),
      groupTransport: () => this.coordinator.transport(name),
      clusterId: async () => 'test-kafka',
      close: async () => undefined,
    };
    const loggers = new LoggerRegistry(logger);
    const plugins = new PluginRegistry();
    plugins.register(testPlugin, '/tmp/test-plugin');
    const metrics = new ConnectMetrics();
    let herder: DistributedHerder | null = null;
    const configStore = new KafkaConfigStore(
      (cb) => kafka.openLog('configs', cb),
      (c) => herder?.onConfigChanges(c),
      logger,
    );
    const statusStore = new KafkaStatusStore(
      (cb) => kafka.openLog('statuses', cb),
      () => workerId,
      () => herder?.generation() ?? -1,
      logger,
    );
    const runners: FakeRunner[] = [];
    const worker = new Worker({
      config: config.worker,
      workerId: () => workerId,
      plugins,
      converters: fakeConverters,
      statusStore,
      metrics,
      loggers,
      runnerFactory: (o) => {
        const r = new FakeRunner(o);
        runners.push(r);
        return r;
      },
      tasksWithoutConnector: true,
    });
    const fatal: Error[] = [];
    herder = new DistributedHerder(
      {
        config: config.worker,
        configStore,
        statusStore,
        plugins,
        validator: new ConnectorValidator(plugins, config.worker, fakeConverters),
        offsets: new SinkOffsets(async () => new FakeAdmin() as unknown as KafkaAdmin),
        converterClasses: ['org.apache.kafka.connect.json.JsonConverter'],
        headerConverterClasses: ['org.apache.kafka.connect.storage.SimpleHeaderConverter'],
        clusterId: async () => 'test-kafka',
        logger: loggers.logger('sluice.herder'),
      },
      {
        config,
        worker,
        configStore,
        statusStore,
        kafka,
        forwarder: opts.forwarder ?? new RequestForwarder({ timeoutMs: 1000, basicAuth: null }),
        url: () => url,
        onFatal: (e) => fatal.push(e),
      },
    );
    await statusStore.start(await kafka.writer('statuses'), 1000);
    await configStore.start(1000);
    herder.start();
    const started = herder;
    const member: TestWorker = {
      name,
      herder: started,
      worker,
      statusStore,
      runners,
      fatal,
      stop: () => started.stop(),
    };
    this.workers.push(member);
    return member;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.stop().catch(() => undefined)));
  }
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const testConnector = (name: string, tasks = 2) => ({
  name,
  'connector.class': 'TestSinkConnector',
  topics: `${name}-in`,
  'tasks.max': String(tasks),
});
