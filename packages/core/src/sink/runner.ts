import { asPlainError, isKafkaSecurityError } from '../kafka/connect-errors.js';
import type { Logger } from 'pino';
import { ConnectException, RetriableException } from '../errors.js';
import { withPrefixStripped } from '../kafka/client-config.js';
import { KafkaJsClientFactory } from '../kafka/kafkajs/client.js';
import type {
  BatchControl,
  FetchedBatch,
  FetchedMessage,
  KafkaClientFactory,
  KafkaConsumer,
  TopicPartitionOffset,
} from '../kafka/port.js';
import type { ErrantRecordReporter, OffsetMap, SinkRecord, TopicPartition } from './api.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { LogReporter, type ErrorReporter, type FailedRecord } from './error-context.js';
import { parseErrorHandlingConfig } from './errors-config.js';
import { OffsetTracker, tpKey, type OffsetUnit } from './offset-tracker.js';
import { RecordConverter } from './record-converter.js';
import { asError, isThenable, RetryWithTolerance, sleep, StageFailure } from './retry-with-tolerance.js';
import type { SinkTaskRunnerOptions, TaskStatus } from './runner-types.js';
import {
  checkDlqTopic,
  parseSubscription,
  sinkConsumerSettings,
  type SinkConsumerSettings,
} from './sink-task-config.js';
import { RunnerTaskContext, taskLogger } from './task-context.js';

// Kafka Connect's WorkerSinkTask on the Kafka client port. kafkajs pushes batches instead of being
// polled, so the loop is inverted: each fetched partition batch is converted, handed to put() in
// chunks of max.poll.records, and acknowledged in the OffsetTracker; the next fetch from that broker
// waits until the handler returns (back-pressure: nothing is buffered beyond one fetch response).
// Commits run from a ticker and on demand, never concurrently with put/flush/open/close.

const HEARTBEAT_EVERY_MS = 3000;
const MIN_REDELIVERY_WAIT_MS = 10;
/** How often a redelivery wait looks whether a rebalance began (the port announces it by polling). */
const REBALANCE_CHECK_MS = 50;

export class SinkTaskRunner {
  private current: TaskStatus = { state: 'UNASSIGNED' };
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private readonly tracker = new OffsetTracker();
  private readonly lastCommitted = new Map<string, number>();
  /**
   * Offsets the task had acknowledged when the commit at a revocation was refused (kafkajs rejoins while
   * the revocation commits, so the coordinator may already be in the next generation). Kept only until
   * the next assignment: a partition assigned back then resumes from here instead of from an older
   * committed offset, since everything before it is in the store already.
   */
  private readonly refusedAtRevocation = new Map<string, TopicPartitionOffset>();
  private readonly assigned = new Map<string, TopicPartition>();
  private readonly pausedByTask = new Map<string, TopicPartition>();
  private readonly rewinds = new Map<string, TopicPartitionOffset>();
  /** Per partition: bumped by every rewind, so a batch handler that began before it stops. */
  private readonly rewindEpochs = new Map<string, number>();
  /** Original consumed form of each record handed to put, for the errant record reporter. */
  private readonly origins = new WeakMap<SinkRecord, FailedRecord>();
  private consumer: KafkaConsumer | null = null;
  private dlq: DeadLetterQueue | null = null;
  private operator: RetryWithTolerance | null = null;
  private converter: RecordConverter | null = null;
  private settings: SinkConsumerSettings | null = null;
  private taskStarted = false;
  private targetPaused = false;
  private contextTimeoutMs = -1;
  private commitRequested = false;
  private nextCommit = 0;
  private committing: Promise<void> | null = null;
  private exclusiveTail: Promise<unknown> = Promise.resolve();
  private ticker: NodeJS.Timeout | null = null;
  private inBatch: Promise<void> | null = null;
  /** The consumer's run(): settles once its group is joined (or it could not be). */
  private running: Promise<void> = Promise.resolve();
  private stopping = false;
  private failure: Error | null = null;
  private shutdownPromise: Promise<void> | null = null;

  constructor(private readonly opts: SinkTaskRunnerOptions) {
    this.log = opts.logger.child({ connector: opts.connectorName, task: opts.taskId });
  }

  private get name(): string {
    return `${this.opts.connectorName}-${this.opts.taskId}`;
  }

  /**
   * Starts the task and its consumer. Resolves once the task started and the consumer subscribed:
   * the task is RUNNING (or PAUSED) from then on, as in Kafka Connect, whatever its consumer group is
   * doing (joining can take a session timeout after a crash, while the dead member leaves). Rejects,
   * with the task FAILED and its resources released, when it cannot start.
   */
  async start(): Promise<void> {
    const { connectorName, taskId, taskConfig, worker, task } = this.opts;
    try {
      const errors = parseErrorHandlingConfig(taskConfig);
      const subscription = parseSubscription(taskConfig);
      checkDlqTopic(subscription, errors.dlqTopic);
      const settings = sinkConsumerSettings(connectorName, taskId, taskConfig, worker.clientConfig);
      this.settings = settings;
      const kafka: KafkaClientFactory =
        this.opts.kafka ??
        new KafkaJsClientFactory(
          { ...worker.clientConfig, 'bootstrap.servers': worker.bootstrapServers.join(',') },
          this.log,
          { consumerThread: worker.consumerThread ?? true },
        );

      const reporters: ErrorReporter[] = [];
      if (errors.logEnable)
        reporters.push(new LogReporter(connectorName, taskId, errors.logIncludeMessages, this.log));
      if (errors.dlqTopic !== '') {
        const producerOverrides = withPrefixStripped(taskConfig, 'producer.override.');
        const deliveryTimeout =
          producerOverrides['delivery.timeout.ms'] ?? worker.clientConfig['producer.delivery.timeout.ms'];
        this.dlq = new DeadLetterQueue({
          connectorName,
          taskId,
          topic: errors.dlqTopic,
          replicationFactor: errors.dlqReplicationFactor,
          contextHeaders: errors.dlqContextHeaders,
          producer: kafka.producer({
            clientId: `connector-dlq-producer-${this.name}`,
            overrides: producerOverrides,
          }),
          ...(deliveryTimeout !== undefined && Number(deliveryTimeout) > 0
            ? { deliveryTimeoutMs: Number(deliveryTimeout) }
            : {}),
          admin: kafka.admin({
            clientId: `connector-dlq-adminclient-${this.name}`,
            overrides: withPrefixStripped(taskConfig, 'admin.override.'),
          }),
          logger: this.log,
          onWritten: () => this.opts.metrics.deadLetterRecords(1),
        });
        reporters.push(this.dlq);
        await this.dlq.start();
      }
      this.operator = new RetryWithTolerance(errors, reporters, this.opts.metrics, this.abort.signal);
      this.converter = new RecordConverter(
        this.opts.keyConverter,
        this.opts.valueConverter,
        this.opts.headerConverter,
        this.operator,
      );
      this.consumer = kafka.consumer({
        groupId: settings.groupId,
        clientId: settings.clientId,
        overrides: settings.overrides,
      });

      const context = new RunnerTaskContext(
        connectorName,
        taskId,
        taskConfig,
        this.contextHost(),
        taskLogger(this.log),
      );
      await task.start(taskConfig, context);
      this.taskStarted = true;
      if (this.stopping) return;

      await this.consumer.connect();
      await this.consumer.subscribe(subscription);
      this.nextCommit = Date.now() + worker.offsetFlushIntervalMs;
      this.ticker = setInterval(() => this.tick(), Math.min(1000, worker.offsetFlushIntervalMs));
      this.ticker.unref();
      // Not awaited: kafkajs' run() resolves only once the group is joined.
      this.running = this.consumer.run({
        onPartitionsAssigned: (tps) => this.onAssigned(tps),
        onPartitionsRevoked: (tps) => this.onRevoked(tps),
        onBatch: (batch, control) => this.onBatch(batch, control),
        onCrash: (e) =>
          this.fail(
            new ConnectException(`The Kafka consumer of task ${this.name} stopped: ${e.message}`, {
              cause: e,
            }),
          ),
      });
      this.running.catch((e: unknown) =>
        this.fail(
          new ConnectException(
            `The Kafka consumer of task ${this.name} could not start: ${asError(e).message}`,
            {
              cause: e,
            },
          ),
        ),
      );
      if (!this.failure && !this.stopping)
        this.setStatus({ state: this.targetPaused ? 'PAUSED' : 'RUNNING' });
      this.log.info({ groupId: settings.groupId }, `Sink task ${this.name} started`);
    } catch (e) {
      const error = new ConnectException(`Task ${this.name} could not start: ${asError(e).message}`, {
        cause: e,
      });
      // Refused credentials or certificates: the message names what to fix; a stack would bury it.
      const failure = isKafkaSecurityError(e) ? asPlainError(error) : error;
      this.fail(failure);
      await this.shutdown();
      throw failure;
    }
  }

  /** Target state PAUSED: stop fetching, keep the group membership, commit what is acknowledged. */
  pause(): void {
    if (this.failure || this.stopping) return;
    this.targetPaused = true;
    this.consumer?.pause([...this.assigned.values()]);
    this.commitRequested = true;
    this.setStatus({ state: 'PAUSED' });
  }

  resume(): void {
    if (this.failure || this.stopping) return;
    this.targetPaused = false;
    // Partitions the task paused itself stay paused (Kafka Connect's rule).
    this.consumer?.resume(
      [...this.assigned.entries()].filter(([k]) => !this.pausedByTask.has(k)).map(([, tp]) => tp),
    );
    this.setStatus({ state: 'RUNNING' });
  }

  /** Graceful stop within task.shutdown.graceful.timeout.ms: finish the batch, commit, close, stop. */
  async stop(): Promise<void> {
    const timeoutMs = this.opts.worker.gracefulShutdownTimeoutMs;
    const shutdown = this.shutdown();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      shutdown.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      // kafkajs' disconnect waits for the batch handler, which may be stuck in put(): not awaited.
      this.log.error(
        `Graceful stop of task ${this.name} did not finish within ${timeoutMs} ms; closing the consumer without waiting`,
      );
      this.consumer?.disconnect().catch(() => undefined);
    }
    if (!this.failure) this.setStatus({ state: 'UNASSIGNED' });
  }

  status(): TaskStatus {
    return this.current;
  }

  private setStatus(status: TaskStatus): void {
    this.current = status;
    this.opts.onStatus(status);
  }

  // ---- failure and shutdown ----

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.log.error({ err: error }, `Task ${this.name} failed: ${error.message}`);
    this.setStatus({ state: 'FAILED', trace: traceOf(error) });
    // Not awaited: a failure inside the batch handler must return to kafkajs before it can disconnect.
    void this.shutdown();
  }

  private shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    if (this.ticker) clearInterval(this.ticker);
    await this.inBatch;
    const partitions = [...this.assigned.values()];
    if (this.consumer && partitions.length > 0) {
      await this.commit(true);
      await this.exclusive(async () => this.opts.task.close?.(partitions)).catch((e: unknown) =>
        this.log.warn({ err: e }, `close() of task ${this.name} failed`),
      );
    }
    await this.consumer
      ?.disconnect()
      .catch((e: unknown) => this.log.warn({ err: e }, 'Consumer disconnect failed'));
    if (this.taskStarted) {
      await this.exclusive(() => this.opts.task.stop()).catch((e: unknown) =>
        this.log.warn({ err: e }, `stop() of task ${this.name} failed`),
      );
    }
    await this.dlq?.stop().catch(() => undefined);
    this.log.info(`Sink task ${this.name} stopped`);
  }

  /** Runs task-facing calls one at a time (put, preCommit/flush, open, close, stop), as Java's task thread does. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exclusiveTail.then(fn, fn);
    this.exclusiveTail = run.catch(() => undefined);
    return run;
  }

  // ---- rebalance ----

  private async onAssigned(partitions: readonly TopicPartition[]): Promise<void> {
    if (this.stopping || this.failure) return;
    this.assigned.clear();
    for (const tp of partitions) this.assigned.set(tpKey(tp), { topic: tp.topic, partition: tp.partition });
    // Only the assignment right after the refused commit may use it.
    for (const key of this.refusedAtRevocation.keys())
      if (!this.assigned.has(key)) this.refusedAtRevocation.delete(key);
    for (const key of this.pausedByTask.keys()) if (!this.assigned.has(key)) this.pausedByTask.delete(key);
    if (this.targetPaused) this.consumer?.pause(partitions);
    else this.consumer?.pause([...this.pausedByTask.values()]);
    this.log.info({ partitions: partitions.map(tpKey) }, 'Partitions assigned');
    // Kafka Connect opens nothing when the new assignment is empty.
    if (partitions.length === 0) return;
    try {
      await this.exclusive(async () => this.opts.task.open?.(partitions));
    } catch (e) {
      this.fail(
        new ConnectException(`open() of task ${this.name} failed: ${asError(e).message}`, { cause: e }),
      );
      return;
    }
    this.applyRewinds();
  }

  private async onRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return;
    if (this.stopping || this.failure) {
      // The shutdown commits and closes what the task still holds. Partitions revoked meanwhile are no
      // longer the task's: forgotten, so that its commit cannot write their old offsets over those of
      // their new owner (after a lost membership the group went on without this consumer). Not committed
      // here: the stop may be waiting on a put that does not return. At worst records are delivered again.
      this.forget(partitions);
      return;
    }
    this.log.info({ partitions: partitions.map(tpKey) }, 'Partitions revoked');
    await this.commit(true);
    try {
      await this.exclusive(async () => this.opts.task.close?.(partitions));
    } catch (e) {
      this.fail(
        new ConnectException(`close() of task ${this.name} failed: ${asError(e).message}`, { cause: e }),
      );
    }
    this.forget(partitions);
  }

  /** Drops what the task tracked of partitions it no longer holds. */
  private forget(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const key = tpKey(tp);
      this.tracker.remove(tp);
      this.lastCommitted.delete(key);
      this.rewinds.delete(key);
      this.assigned.delete(key);
    }
  }

  /** Applies context.offset() rewinds; returns the partitions rewound. */
  private applyRewinds(): Set<string> {
    const rewound = new Set<string>();
    if (this.rewinds.size === 0 || !this.consumer) return rewound;
    for (const [key, tpo] of this.rewinds) {
      if (!this.assigned.has(key)) continue;
      this.rewindTo(tpo);
      rewound.add(key);
      this.rewinds.delete(key);
      this.log.info(
        { topic: tpo.topic, partition: tpo.partition, offset: tpo.offset },
        "Rewound partition at the task's request",
      );
    }
    return rewound;
  }

  /**
   * The next records of the partition come from `offset`: the consumer seeks at once, what was
   * tracked after it is forgotten, and a batch being handled for the partition stops.
   */
  private rewindTo(tpo: TopicPartitionOffset): void {
    const key = tpKey(tpo);
    this.consumer?.seek(tpo);
    this.tracker.partition(tpo).reset(tpo.offset);
    this.lastCommitted.set(key, tpo.offset);
    this.rewindEpochs.set(key, (this.rewindEpochs.get(key) ?? 0) + 1);
  }

  // ---- the batch path ----

  private onBatch(batch: FetchedBatch, control: BatchControl): Promise<void> {
    const run = this.handleBatch(batch, control).catch((e: unknown) => this.fail(asError(e)));
    this.inBatch = run;
    return run;
  }

  private async handleBatch(batch: FetchedBatch, control: BatchControl): Promise<void> {
    const tp: TopicPartition = { topic: batch.topic, partition: batch.partition };
    const key = tpKey(tp);
    if (this.stopping || this.failure || !this.assigned.has(key)) return;
    if (this.applyRewinds().has(key) || this.isPaused(key)) return;
    const offsets = this.tracker.partition(tp);
    const position = offsets.position();
    // Kafka seeds the last committed offset with the consumer's position at assignment; the first
    // batch after it starts there. A failed flush rewinds to it.
    if (!this.lastCommitted.has(key)) {
      const committed = position ?? batch.fetchedOffset ?? batch.messages[0]?.offset ?? batch.nextOffset;
      this.lastCommitted.set(key, committed);
      if (await this.resumeAfterRefusedCommit(key, committed)) return;
    }
    const epoch = this.rewindEpochs.get(key) ?? 0;
    const rewound = () => (this.rewindEpochs.get(key) ?? 0) !== epoch;
    // A fetch normally starts at the position; only after a seek or a retried fetch does it repeat
    // records already handed over, and only then is it worth copying the batch without them.
    const all = batch.messages;
    const messages =
      position === null || all.length === 0 || all[0]!.offset >= position
        ? all
        : all.filter((m) => m.offset >= position);
    this.opts.metrics.recordsRead(messages.length);
    const max = this.settings!.maxPollRecords;

    for (let start = 0; start < messages.length; start += max) {
      if (this.stopping || this.failure || control.rebalancing() || this.isPaused(key)) return;
      const chunk = messages.slice(start, start + max);
      const { records, units } = await this.convertChunk(tp, chunk);
      if (this.failure || rewound()) return;
      if (records.length > 0 && !(await this.deliver(tp, records, control, rewound))) return;
      // Rewound meanwhile (a failed flush): these records come again from the new position.
      if (rewound()) return;
      for (const u of units) u.done = true;
      if (this.applyRewinds().has(key)) return;
      control.resolve(chunk[chunk.length - 1]!.offset + 1);
    }
    if (rewound()) return;
    offsets.skipTo(batch.nextOffset);
    control.resolve(batch.nextOffset);
    const last = messages.length > 0 ? messages[messages.length - 1]!.offset : batch.nextOffset - 1;
    this.opts.metrics.consumerLag(tp.topic, tp.partition, Math.max(0, batch.highWatermark - last - 1));
    if (this.commitDue()) void this.commit(false);
  }

  /**
   * A partition assigned back after its revocation commit was refused: commits, in the new generation,
   * what the task had acknowledged, and consumes on from there (true: the batch in hand is dropped and
   * fetched again from the new position). Only forwards: when the group's committed offset is already
   * further (another member had the partition meanwhile), it stands.
   */
  private async resumeAfterRefusedCommit(key: string, committed: number): Promise<boolean> {
    const acknowledged = this.refusedAtRevocation.get(key);
    this.refusedAtRevocation.delete(key);
    if (!acknowledged || acknowledged.offset <= committed || !this.consumer) return false;
    try {
      await withTimeout(
        this.consumer.commit([acknowledged]),
        this.opts.worker.offsetFlushTimeoutMs,
        'committing offsets',
      );
    } catch (e) {
      this.log.warn({ err: e }, 'Could not commit the offsets refused at the last revocation');
      return false;
    }
    this.log.info(
      {
        topic: acknowledged.topic,
        partition: acknowledged.partition,
        offset: acknowledged.offset,
        committed,
      },
      'Partition assigned back after its revocation commit was refused: committed and resumed at the offset the task had acknowledged',
    );
    this.rewindTo(acknowledged);
    return true;
  }

  private isPaused(key: string): boolean {
    return this.targetPaused || this.pausedByTask.has(key);
  }

  /**
   * Converts a chunk. Records that fail conversion for good are reported; each becomes its own
   * offset unit, acknowledged once the report (DLQ write) is done. Returns the records to put and
   * the units to acknowledge when put succeeds.
   */
  private async convertChunk(
    tp: TopicPartition,
    chunk: readonly FetchedMessage[],
  ): Promise<{ records: SinkRecord[]; units: OffsetUnit[] }> {
    const converter = this.converter!;
    const results: (SinkRecord | Promise<SinkRecord> | StageFailure)[] = new Array(chunk.length);
    let async = false;
    for (let i = 0; i < chunk.length; i++) {
      try {
        const r = converter.convert(tp.topic, tp.partition, chunk[i]!);
        if (isThenable(r)) async = true;
        results[i] = r;
      } catch (e) {
        if (!(e instanceof StageFailure)) throw e;
        results[i] = e;
      }
    }
    if (async) {
      // results mixes converted records and pending conversions; allSettled passes plain values through.
      // eslint-disable-next-line @typescript-eslint/await-thenable
      const settled = await Promise.allSettled(results);
      for (let i = 0; i < settled.length; i++) {
        const s = settled[i]!;
        if (s.status === 'fulfilled') results[i] = s.value;
        else if (s.reason instanceof StageFailure) results[i] = s.reason;
        else throw s.reason;
      }
    }

    const offsets = this.tracker.partition(tp);
    const records: SinkRecord[] = [];
    const units: OffsetUnit[] = [];
    const trackOrigins = this.operator!.hasReporting;
    let runStart = -1;
    for (let i = 0; i < chunk.length; i++) {
      const m = chunk[i]!;
      const r = results[i] as SinkRecord | StageFailure;
      if (!(r instanceof StageFailure)) {
        if (runStart < 0) runStart = m.offset;
        records.push(r);
        if (trackOrigins) this.origins.set(r, { topic: tp.topic, partition: tp.partition, message: m });
        continue;
      }
      if (runStart >= 0) units.push(offsets.open(runStart, m.offset));
      runStart = -1;
      await this.conversionFailed(tp, m, r, offsets.open(m.offset, m.offset + 1));
      if (this.failure) return { records: [], units: [] };
    }
    if (runStart >= 0) units.push(offsets.open(runStart, chunk[chunk.length - 1]!.offset + 1));
    return { records, units };
  }

  private async conversionFailed(
    tp: TopicPartition,
    m: FetchedMessage,
    f: StageFailure,
    unit: OffsetUnit,
  ): Promise<void> {
    const reported = this.operator!.report({
      record: { topic: tp.topic, partition: tp.partition, message: m },
      stage: f.stage,
      executingClass: f.executingClass,
      error: f.error,
    });
    if (this.operator!.toleratesAll) {
      reported.then(
        () => (unit.done = true),
        (e: unknown) => this.fail(asError(e)),
      );
      await this.dlqRoom();
      return;
    }
    await reported.catch((e: unknown) => this.log.error({ err: e }, 'Reporting the failed record failed'));
    this.fail(
      new ConnectException(
        `Tolerance exceeded in error handler: task ${this.name} could not convert the record at topic '${tp.topic}' ` +
          `partition ${tp.partition} offset ${m.offset} (stage ${f.stage}, ${f.executingClass}): ${f.error.message}. ` +
          'Fix the record or the converter settings, or set errors.tolerance=all (with errors.deadletterqueue.topic.name) to skip such records.',
        { cause: f.error },
      ),
    );
  }

  /**
   * Waits while the dead letter queue is full: the batch handler does not return, so nothing more is
   * fetched (back-pressure), until the DLQ topic acknowledged enough or the task stops.
   */
  private async dlqRoom(): Promise<void> {
    const dlq = this.dlq;
    if (!dlq?.full()) return;
    this.log.info('The dead letter queue is full; fetching waits until its writes are acknowledged');
    await dlq.room(this.abort.signal);
  }

  /**
   * put() with Kafka Connect's redelivery on RetriableException. False when the task stops or fails,
   * a rebalance begins, or the partition was rewound (`stale`) while the put waited for its turn.
   */
  private async deliver(
    tp: TopicPartition,
    records: SinkRecord[],
    control: BatchControl,
    stale: () => boolean,
  ): Promise<boolean> {
    const heartbeat = setInterval(() => void control.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      for (;;) {
        // Once a rebalance started, the partition may already belong to another worker: its records
        // are dropped here and fetched again by whoever owns it next (from the committed offset).
        const dropped = () => this.stopping || this.failure !== null || control.rebalancing() || stale();
        if (dropped()) return false;
        const started = performance.now();
        try {
          // A commit may run first (put and flush take turns): it may rewind the partition or see a rebalance.
          const put = await this.exclusive(async () => {
            if (dropped()) return false;
            await this.opts.task.put(records);
            return true;
          });
          if (!put) return false;
          this.opts.metrics.putBatchTime(performance.now() - started);
          this.opts.metrics.recordsSent(records.length);
          return true;
        } catch (e) {
          if (!(e instanceof RetriableException)) {
            const first = records[0]!.kafkaOffset;
            const last = records[records.length - 1]!.kafkaOffset;
            this.fail(
              new ConnectException(
                `Exiting WorkerSinkTask due to unrecoverable exception: put() of task ${this.name} failed for ` +
                  `topic '${tp.topic}' partition ${tp.partition} offsets ${first}..${last}: ${asError(e).message}`,
                { cause: e },
              ),
            );
            return false;
          }
          const wait = this.redeliveryWait();
          this.log.warn(
            { topic: tp.topic, partition: tp.partition, records: records.length, retryInMs: wait, err: e },
            `put() asked for a retry; the same ${records.length} records are delivered again in ${wait} ms`,
          );
          await this.redeliveryPause(wait, control);
        }
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Sleeps before a redelivery; cut short by a stop, a failure or a rebalance (checked every 50 ms). */
  private async redeliveryPause(ms: number, control: BatchControl): Promise<void> {
    const until = Date.now() + ms;
    for (let left = ms; left > 0; left = until - Date.now()) {
      if (!(await sleep(Math.min(left, REBALANCE_CHECK_MS), this.abort.signal))) return;
      if (this.stopping || this.failure || control.rebalancing()) return;
    }
  }

  /** Java polls (paused) until the next commit, or for context.timeout() when the task set one. */
  private redeliveryWait(): number {
    let wait = this.nextCommit - Date.now();
    if (this.contextTimeoutMs > 0) {
      wait = Math.min(wait, this.contextTimeoutMs);
      this.contextTimeoutMs = -1;
    }
    return Math.max(wait, MIN_REDELIVERY_WAIT_MS);
  }

  // ---- commits ----

  private commitDue(): boolean {
    return this.commitRequested || Date.now() >= this.nextCommit;
  }

  private tick(): void {
    if (!this.stopping && !this.failure && this.commitDue()) void this.commit(false);
  }

  private async commit(closing: boolean): Promise<void> {
    while (this.committing) {
      await this.committing;
      if (!closing) return;
    }
    this.committing = this.doCommit(closing);
    try {
      await this.committing;
    } finally {
      this.committing = null;
    }
  }

  private async doCommit(closing: boolean): Promise<void> {
    const { offsetFlushIntervalMs, offsetFlushTimeoutMs } = this.opts.worker;
    this.commitRequested = false;
    this.nextCommit = Date.now() + offsetFlushIntervalMs;
    const consumer = this.consumer;
    if (!consumer) return;
    const started = performance.now();
    try {
      // Reported records are written before their partitions' offsets move (Kafka Connect's rule).
      await withTimeout(this.operator!.drain(), offsetFlushTimeoutMs, 'waiting for dead letter queue writes');
    } catch (e) {
      if (e instanceof CommitTimeout) this.log.warn(e.message + '; the commit is skipped this time');
      else this.fail(asError(e));
      return;
    }
    const current: OffsetMap = new Map();
    for (const [key, entry] of this.tracker.committable())
      if (this.assigned.has(key)) current.set(key, entry);
    if (current.size === 0) return;

    let approved: OffsetMap;
    try {
      approved = await this.exclusive(() => this.preCommit(new Map(current)));
    } catch (e) {
      this.opts.metrics.offsetCommit(false, performance.now() - started);
      this.log.error({ err: e }, `preCommit() of task ${this.name} failed; offsets are not committed`);
      if (!closing) this.rewindToCommitted(current);
      return;
    }
    if (approved.size === 0) {
      this.log.debug('The task opted out of this commit (preCommit returned no offsets)');
      return;
    }
    const toCommit: TopicPartitionOffset[] = [];
    for (const [key, { tp, offset }] of approved) {
      if (!this.assigned.has(key)) {
        this.log.warn(
          { topic: tp.topic, partition: tp.partition, offset },
          'preCommit() returned an offset for a partition not assigned to the task; ignored',
        );
        continue;
      }
      // Checked against what put() accepted (Kafka's rule), not against what was fetched.
      const accepted = current.get(key)?.offset;
      if (accepted === undefined) continue;
      if (offset > accepted) {
        this.log.warn(
          { topic: tp.topic, partition: tp.partition, offset, accepted },
          'preCommit() returned an offset beyond the records put() accepted; ignored',
        );
        continue;
      }
      if (this.lastCommitted.get(key) === offset) continue;
      toCommit.push({ topic: tp.topic, partition: tp.partition, offset });
    }
    if (toCommit.length === 0) return;
    try {
      await withTimeout(consumer.commit(toCommit), offsetFlushTimeoutMs, 'committing offsets');
      for (const o of toCommit) this.lastCommitted.set(tpKey(o), o.offset);
      this.opts.metrics.offsetCommit(true, performance.now() - started);
      this.log.debug({ offsets: toCommit }, 'Committed offsets');
    } catch (e) {
      this.opts.metrics.offsetCommit(false, performance.now() - started);
      this.log.warn(
        { err: e, closing },
        `Offset commit of task ${this.name} failed; the records after the last commit may be delivered again`,
      );
      if (closing && !this.stopping) for (const o of toCommit) this.refusedAtRevocation.set(tpKey(o), o);
    }
  }

  private async preCommit(offsets: OffsetMap): Promise<OffsetMap> {
    const task = this.opts.task;
    if (task.preCommit) return task.preCommit(offsets);
    await task.flush?.(offsets);
    return offsets;
  }

  /**
   * After a failed preCommit: every partition of that commit consumes again from its last committed
   * offset, at once (idle ones included), and what was acknowledged since is forgotten, so that the
   * next commit cannot pass records the task lost (Kafka Connect's rewind).
   */
  private rewindToCommitted(offsets: OffsetMap): void {
    for (const [key, { tp }] of offsets) {
      const offset = this.lastCommitted.get(key);
      if (offset === undefined || !this.assigned.has(key)) continue;
      this.rewinds.delete(key);
      this.rewindTo({ topic: tp.topic, partition: tp.partition, offset });
      this.log.info(
        { topic: tp.topic, partition: tp.partition, offset },
        'Rewound partition to its last committed offset after the failed preCommit()',
      );
    }
  }

  // ---- the task's context ----

  private contextHost() {
    return {
      assignment: () => [...this.assigned.values()],
      rewind: (tp: TopicPartition, offset: number) => {
        this.rewinds.set(tpKey(tp), { topic: tp.topic, partition: tp.partition, offset });
      },
      setTimeout: (ms: number) => {
        this.contextTimeoutMs = ms;
      },
      pausePartitions: (tps: readonly TopicPartition[]) => {
        for (const tp of tps) if (this.assigned.has(tpKey(tp))) this.pausedByTask.set(tpKey(tp), tp);
        this.consumer?.pause(tps.filter((tp) => this.assigned.has(tpKey(tp))));
      },
      resumePartitions: (tps: readonly TopicPartition[]) => {
        for (const tp of tps) this.pausedByTask.delete(tpKey(tp));
        if (!this.targetPaused) this.consumer?.resume(tps.filter((tp) => this.assigned.has(tpKey(tp))));
      },
      requestCommit: () => {
        this.commitRequested = true;
      },
      errantRecordReporter: () => (this.operator?.hasReporting ? this.errantReporter : null),
    };
  }

  private readonly errantReporter: ErrantRecordReporter = {
    report: async (record, error) => {
      await this.dlqRoom();
      const operator = this.operator!;
      const origin = this.origins.get(record) ?? (await this.reencode(record));
      const reported = operator.report({
        record: origin,
        stage: 'TASK_PUT',
        executingClass: this.opts.task.constructor.name,
        error,
      });
      if (!operator.toleratesAll) {
        await reported.catch(() => undefined);
        throw new ConnectException(
          `Tolerance exceeded in error handler: task ${this.name} reported the record at topic '${record.topic}' ` +
            `partition ${record.kafkaPartition} offset ${record.kafkaOffset} as failed: ${error.message}`,
          { cause: error },
        );
      }
      return reported;
    },
  };

  /** A record the task built itself goes to the DLQ serialised with the task's converters. */
  private async reencode(record: SinkRecord): Promise<FailedRecord> {
    const { keyConverter, valueConverter, headerConverter } = this.opts;
    const key = await keyConverter.fromConnectData(record.topic, record.keySchema, record.key);
    const value = await valueConverter.fromConnectData(record.topic, record.valueSchema, record.value);
    return {
      topic: record.topic,
      partition: record.kafkaPartition,
      message: {
        offset: record.kafkaOffset,
        key,
        value,
        timestamp: record.timestamp ?? -1,
        timestampType: record.timestampType,
        headers: record.headers.map((h) => ({
          key: h.key,
          value: headerConverter.fromConnectHeader(record.topic, h.key, h.schema, h.value),
        })),
      },
    };
  }
}

function traceOf(error: Error): string {
  let trace = error.stack ?? `${error.name}: ${error.message}`;
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) {
    trace += `\nCaused by: ${cause.stack ?? cause.message}`;
  }
  return trace;
}

class CommitTimeout extends ConnectException {}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new CommitTimeout(`Timed out after ${ms} ms ${what} (offset.flush.timeout.ms)`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
