import { pino } from 'pino';
import { ConfigDef } from '../../src/config/def.js';
import type { Converter, HeaderConverter } from '../../src/convert/api.js';
import type { GroupDescription, KafkaAdmin, TopicPartitionOffset } from '../../src/kafka/port.js';
import { ConnectMetrics } from '../../src/metrics/connect-metrics.js';
import type { SinkPlugin, SinkTask } from '../../src/sink/api.js';
import type { SinkTaskRunnerOptions } from '../../src/sink/runner-types.js';
import { fileStreamSinkPlugin } from '../../src/connectors/file/index.js';
import { MemoryConfigStore } from '../../src/worker/config-store.js';
import { ConnectorValidator } from '../../src/worker/connector-validator.js';
import type { ConverterFactory } from '../../src/worker/converters.js';
import { LoggerRegistry } from '../../src/worker/loggers.js';
import { PluginRegistry } from '../../src/worker/plugins.js';
import { SinkOffsets } from '../../src/worker/sink-offsets.js';
import { StandaloneHerder } from '../../src/worker/standalone-herder.js';
import { MemoryStatusStore } from '../../src/worker/status-store.js';
import { Worker, type TaskRunner } from '../../src/worker/worker.js';
import { WorkerConfig } from '../../src/worker/worker-config.js';

// Test doubles for unit tests of the worker, herder and REST API: no Kafka, no engine.

const KNOWN_CONVERTERS = [
  'org.apache.kafka.connect.json.JsonConverter',
  'org.apache.kafka.connect.storage.StringConverter',
  'org.apache.kafka.connect.storage.SimpleHeaderConverter',
];

/** Knows three converter classes; `fail=true` in a converter's settings makes configure throw. */
export const fakeConverters: ConverterFactory = (className) => {
  if (!KNOWN_CONVERTERS.includes(className)) throw new Error(`Class ${className} could not be found.`);
  const converter: Converter & HeaderConverter = {
    configure(config: Record<string, string>) {
      if (config.fail === 'true') throw new Error('misconfigured on purpose');
    },
    fromConnectData: () => null,
    toConnectData: () => ({ schema: null, value: null }),
    toConnectHeader: () => ({ schema: null, value: null }),
    fromConnectHeader: () => null,
  };
  return converter;
};

export class FakeRunner implements TaskRunner {
  readonly calls: string[] = [];
  constructor(readonly options: SinkTaskRunnerOptions) {}
  async start() {
    this.calls.push('start');
    if (this.options.taskConfig['fake.fail.start'] === 'true') {
      this.options.onStatus({ state: 'FAILED', trace: 'DataException: poison record at offset 3' });
      throw new Error('DataException: poison record at offset 3');
    }
    this.options.onStatus({ state: this.paused ? 'PAUSED' : 'RUNNING' });
  }
  private paused = false;
  pause() {
    this.calls.push('pause');
    this.paused = true;
    this.options.onStatus({ state: 'PAUSED' });
  }
  resume() {
    this.calls.push('resume');
    this.paused = false;
    this.options.onStatus({ state: 'RUNNING' });
  }
  async stop() {
    this.calls.push('stop');
  }
}

export const testPlugin: SinkPlugin = {
  name: '@sluice/sink-test',
  version: '9.9.9',
  className: 'TestSinkConnector',
  aliases: ['com.example.stream.TestSinkConnector'],
  type: 'sink',
  configDef: new ConfigDef()
    .define({
      name: 'test.password',
      type: 'PASSWORD',
      default: null,
      importance: 'HIGH',
      doc: 'A secret',
      group: 'Test',
    })
    .define({
      name: 'test.mode',
      type: 'STRING',
      default: 'a',
      importance: 'LOW',
      doc: 'Mode',
      group: 'Test',
      recommendedValues: ['a', 'b'],
    }),
  validate: (config): Record<string, string[]> =>
    config['test.mode'] === 'bad' ? { 'test.mode': ['test.mode must not be bad'] } : {},
  taskConfigs: (config, maxTasks) =>
    Array.from({ length: maxTasks }, (_, i) => ({
      'test.task.index': String(i),
      'test.mode': config['test.mode'] ?? 'a',
    })),
  createTask: (): SinkTask => ({ start: async () => {}, put: async () => {}, stop: async () => {} }),
};

/** Consumer groups in memory: what the offsets API reads and writes. */
export class FakeAdmin implements Partial<KafkaAdmin> {
  readonly groups = new Map<string, TopicPartitionOffset[]>();
  members = 0;
  async fetchGroupOffsets(groupId: string) {
    return this.groups.get(groupId) ?? [];
  }
  async setGroupOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]) {
    const current = (this.groups.get(groupId) ?? []).filter(
      (o) => !offsets.some((n) => n.topic === o.topic && n.partition === o.partition),
    );
    this.groups.set(groupId, [...current, ...offsets]);
  }
  async deleteGroup(groupId: string) {
    this.groups.delete(groupId);
  }
  async describeGroup(groupId: string): Promise<GroupDescription> {
    return {
      groupId,
      state: this.members > 0 ? 'Stable' : 'Empty',
      protocolType: 'consumer',
      members: Array.from({ length: this.members }, (_, i) => ({
        memberId: `m${i}`,
        clientId: 'c',
        clientHost: 'h',
      })),
    };
  }
}

export function buildTestHerder(workerProps: Record<string, string> = {}) {
  const config = new WorkerConfig({ listeners: 'http://127.0.0.1:0', ...workerProps });
  const logger = pino({ level: 'silent' });
  const loggers = new LoggerRegistry(logger);
  const plugins = new PluginRegistry();
  plugins.register(fileStreamSinkPlugin);
  plugins.register(testPlugin, '/tmp/test-plugin');
  const metrics = new ConnectMetrics();
  const statusStore = new MemoryStatusStore({
    connector: (name, state) => metrics.connectorState(name, state),
    task: (name, task, state) => metrics.taskState(name, task, state),
  });
  const configStore = new MemoryConfigStore();
  const runners: FakeRunner[] = [];
  const admin = new FakeAdmin();
  const worker = new Worker({
    config,
    workerId: () => '127.0.0.1:8083',
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
  });
  const herder = new StandaloneHerder(
    {
      config,
      configStore,
      statusStore,
      plugins,
      validator: new ConnectorValidator(plugins, config, fakeConverters),
      offsets: new SinkOffsets(async () => admin as unknown as KafkaAdmin),
      converterClasses: ['org.apache.kafka.connect.json.JsonConverter'],
      headerConverterClasses: ['org.apache.kafka.connect.storage.SimpleHeaderConverter'],
      clusterId: async () => 'test-cluster',
      logger: loggers.logger('sluice.herder'),
    },
    worker,
  );
  herder.markStarted();
  return { herder, worker, runners, admin, metrics, loggers, statusStore, configStore };
}

export const fileSinkConfig = (name: string, extra: Record<string, string> = {}) => ({
  name,
  'connector.class': 'FileStreamSink',
  topics: 'in',
  file: '/tmp/out.txt',
  ...extra,
});
