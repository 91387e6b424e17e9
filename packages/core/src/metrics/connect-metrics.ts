import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SinkTaskMetrics } from '../sink/runner-types.js';

// Kafka Connect's metrics (JMX domain `kafka.connect`) exposed for Prometheus. Names follow what the
// Prometheus JMX exporter makes of Kafka Connect's MBeans, `kafka_connect_<group>_<metric>` with
// dashes as underscores, so dashboards built for Kafka Connect need few changes. Rates and
// averages are left to PromQL (`rate()`, `_sum / _count`): counters and histograms carry them.

const TASK_LABELS = ['connector', 'task'] as const;
const STATES = ['unassigned', 'running', 'paused', 'stopped', 'failed', 'restarting'] as const;
const MS_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

/** The metrics of one running sink task; `close` drops its series when the task goes away. */
export interface TaskMetricsHandle extends SinkTaskMetrics {
  close(): void;
}

export class ConnectMetrics {
  readonly registry: Registry;
  private readonly readTotal: Counter<'connector' | 'task'>;
  private readonly sendTotal: Counter<'connector' | 'task'>;
  private readonly putBatchTime: Histogram<'connector' | 'task'>;
  private readonly commitCompletion: Counter<'connector' | 'task'>;
  private readonly commitFailure: Counter<'connector' | 'task'>;
  private readonly commitTime: Histogram<'connector' | 'task'>;
  private readonly recordFailures: Counter<'connector' | 'task'>;
  private readonly dlqRequests: Counter<'connector' | 'task'>;
  private readonly lag: Gauge<'connector' | 'task' | 'topic' | 'partition'>;
  private readonly lagMax: Gauge<'connector' | 'task'>;
  private readonly startup: Counter<'kind' | 'result'>;
  private readonly connectorStatus: Gauge<'connector' | 'status'>;
  private readonly taskStatus: Gauge<'connector' | 'task' | 'status'>;
  private readonly counts = { connectors: 0, tasks: 0 };

  constructor(options: { registry?: Registry; processMetrics?: boolean } = {}) {
    const registry = (this.registry = options.registry ?? new Registry());
    if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'sluice_' });
    const sink = 'kafka_connect_sink_task_metrics_';
    const task = 'kafka_connect_connector_task_metrics_';
    const errors = 'kafka_connect_task_error_metrics_';
    const worker = 'kafka_connect_connect_worker_metrics_';
    const reg = [registry];
    this.readTotal = new Counter({
      name: `${sink}sink_record_read_total`,
      help: 'Records read from Kafka, before transforms',
      labelNames: TASK_LABELS,
      registers: reg,
    });
    this.sendTotal = new Counter({
      name: `${sink}sink_record_send_total`,
      help: 'Records put to the task, after transforms',
      labelNames: TASK_LABELS,
      registers: reg,
    });
    this.putBatchTime = new Histogram({
      name: `${sink}put_batch_time_ms`,
      help: 'Time a put() of one batch took, in ms',
      labelNames: TASK_LABELS,
      buckets: MS_BUCKETS,
      registers: reg,
    });
    this.commitCompletion = new Counter({
      name: `${sink}offset_commit_completion_total`,
      help: 'Offset commits that completed',
      labelNames: TASK_LABELS,
      registers: reg,
    });
    this.commitFailure = new Counter({
      name: `${task}offset_commit_failure_total`,
      help: 'Offset commits that failed or timed out',
      labelNames: TASK_LABELS,
      registers: reg,
    });
    this.commitTime = new Histogram({
      name: `${task}offset_commit_time_ms`,
      help: 'Time an offset commit (flush + commit) took, in ms',
      labelNames: TASK_LABELS,
      buckets: MS_BUCKETS,
      registers: reg,
    });
    this.recordFailures = new Counter({
      name: `${errors}total_record_failures`,
      help: 'Records that failed in conversion, transforms or put',
      labelNames: TASK_LABELS,
      registers: reg,
    });
    this.dlqRequests = new Counter({
      name: `${errors}deadletterqueue_produce_requests`,
      help: 'Records written to the dead letter queue',
      labelNames: TASK_LABELS,
      registers: reg,
    });
    this.lag = new Gauge({
      name: `${sink}sink_record_lag`,
      help: 'Records behind the end of the partition',
      labelNames: ['connector', 'task', 'topic', 'partition'],
      registers: reg,
    });
    this.lagMax = new Gauge({
      name: `${sink}sink_record_lag_max`,
      help: 'Largest lag over the partitions of the task',
      labelNames: TASK_LABELS,
      registers: reg,
    });
    this.startup = new Counter({
      name: `${worker}startup_total`,
      help: 'Connector and task start attempts, by result (success|failure)',
      labelNames: ['kind', 'result'],
      registers: reg,
    });
    this.connectorStatus = new Gauge({
      name: 'kafka_connect_connector_metrics_status',
      help: '1 for the current status of the connector',
      labelNames: ['connector', 'status'],
      registers: reg,
    });
    this.taskStatus = new Gauge({
      name: `${task}status`,
      help: '1 for the current status of the task',
      labelNames: ['connector', 'task', 'status'],
      registers: reg,
    });
    const counts = this.counts;
    new Gauge({
      name: `${worker}connector_count`,
      help: 'Connectors run by this worker',
      registers: reg,
      collect() {
        this.set(counts.connectors);
      },
    });
    new Gauge({
      name: `${worker}task_count`,
      help: 'Tasks run by this worker',
      registers: reg,
      collect() {
        this.set(counts.tasks);
      },
    });
  }

  /** Metrics for one sink task, labelled connector/task; the engine reports through them. */
  sinkTask(connector: string, taskId: number): TaskMetricsHandle {
    const labels = { connector, task: String(taskId) };
    const partitions = new Map<string, number>();
    return {
      recordsRead: (n) => this.readTotal.inc(labels, n),
      recordsSent: (n) => this.sendTotal.inc(labels, n),
      putBatchTime: (ms) => this.putBatchTime.observe(labels, ms),
      offsetCommit: (ok, ms) => {
        (ok ? this.commitCompletion : this.commitFailure).inc(labels);
        this.commitTime.observe(labels, ms);
      },
      recordsFailed: (n) => this.recordFailures.inc(labels, n),
      deadLetterRecords: (n) => this.dlqRequests.inc(labels, n),
      consumerLag: (topic, partition, lag) => {
        partitions.set(`${topic}\u0000${partition}`, lag);
        this.lag.set({ ...labels, topic, partition: String(partition) }, lag);
        this.lagMax.set(labels, Math.max(...partitions.values()));
      },
      close: () => {
        for (const metric of [
          this.readTotal,
          this.sendTotal,
          this.putBatchTime,
          this.commitCompletion,
          this.commitFailure,
          this.commitTime,
          this.recordFailures,
          this.dlqRequests,
          this.lagMax,
        ]) {
          metric.remove(labels);
        }
        for (const key of partitions.keys()) {
          const [topic, partition] = key.split('\u0000') as [string, string];
          this.lag.remove({ ...labels, topic, partition });
        }
        for (const status of STATES) this.taskStatus.remove({ ...labels, status });
      },
    };
  }

  startupAttempt(kind: 'connector' | 'task', ok: boolean): void {
    this.startup.inc({ kind, result: ok ? 'success' : 'failure' });
  }

  setRunning(connectors: number, tasks: number): void {
    this.counts.connectors = connectors;
    this.counts.tasks = tasks;
  }

  connectorState(connector: string, state: string | null): void {
    for (const s of STATES) {
      if (state === null) this.connectorStatus.remove({ connector, status: s });
      else this.connectorStatus.set({ connector, status: s }, s === state.toLowerCase() ? 1 : 0);
    }
  }

  taskState(connector: string, task: number, state: string | null): void {
    for (const s of STATES) {
      const labels = { connector, task: String(task), status: s };
      if (state === null) this.taskStatus.remove(labels);
      else this.taskStatus.set(labels, s === state.toLowerCase() ? 1 : 0);
    }
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
