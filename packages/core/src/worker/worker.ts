import type { Logger } from 'pino';
import type { SinkPlugin, SinkRecord, SinkTask } from '../sink/api.js';
import type { SinkTaskRunnerOptions, TaskStatus } from '../sink/runner-types.js';
import { maskSecrets } from '../config/def.js';
import { ConfigException } from '../errors.js';
import { overridePolicyViolations } from '../kafka/client-config.js';
import type { ConnectMetrics, TaskMetricsHandle } from '../metrics/connect-metrics.js';
import { createConnectorConverters, type ConverterFactory } from './converters.js';
import { parseTasksMax } from './connector-config.js';
import type { LoggerRegistry } from './loggers.js';
import type { PluginRegistry } from './plugins.js';
import type { StatusStore } from './status-store.js';
import type { ConnectorTaskId, TargetState } from './types.js';
import type { WorkerConfig } from './worker-config.js';
import {
  parseRestartPolicy,
  ranHealthy,
  RESTART_MAX_ATTEMPTS,
  restartBackoffMs,
  type RestartPolicy,
} from './restart-policy.js';

// Runs connectors and tasks in this process. The herder decides *what* runs here (standalone:
// everything; distributed: what the group leader assigned); the worker makes it run: it resolves the
// plugin, builds converters, a logger and metrics for each task, and hands a SinkTaskRunner to the
// engine. Statuses go to the status store as they change.

/** What the worker needs from the engine's SinkTaskRunner. */
export interface TaskRunner {
  /** Resolves once the task runs (RUNNING or PAUSED); rejects, the task FAILED, when it cannot start. */
  start(): Promise<void>;
  /** Target state PAUSED; may be called before start(), which then starts paused. */
  pause(): void;
  resume(): void;
  /** Stops fetching, flushes, commits and closes; resolves when done. */
  stop(): Promise<void>;
}

export type RunnerFactory = (options: SinkTaskRunnerOptions) => TaskRunner;

export interface WorkerOptions {
  config: WorkerConfig;
  /** `host:port` of this worker; a function because the REST port is known only once it is bound. */
  workerId: () => string;
  plugins: PluginRegistry;
  converters: ConverterFactory;
  statusStore: StatusStore;
  metrics: ConnectMetrics;
  loggers: LoggerRegistry;
  runnerFactory: RunnerFactory;
  /** Distributed mode: tasks may start where their connector does not run (standalone: false). */
  tasksWithoutConnector?: boolean;
}

interface RunningConnector {
  plugin: SinkPlugin;
  config: Record<string, string>;
  targetState: TargetState;
}

interface RunningTask {
  runner: TaskRunner;
  metrics: TaskMetricsHandle;
  logger: Logger;
  loggerName: string;
  /** Set once stop() began, so late status reports of the old runner are ignored. */
  stopping: boolean;
  taskConfig: Record<string, string>;
  /** sluice.task.restart.* of the task; null until parsed. */
  restartPolicy: RestartPolicy | null;
  startedAt: number;
  /** Its failure was handled (status written, restart scheduled or given up). */
  failureHandled: boolean;
}

/** Automatic restarts of one task: failed restarts in a row, and the pending one. */
interface RestartState {
  attempts: number;
  timer: NodeJS.Timeout | null;
}

const taskKey = (connector: string, task: number) => `${connector}\u0000${task}`;

export class Worker {
  private readonly connectors = new Map<string, RunningConnector>();
  private readonly tasks = new Map<string, RunningTask>();
  private readonly restarts = new Map<string, RestartState>();
  private readonly log: Logger;

  constructor(private readonly opts: WorkerOptions) {
    this.log = opts.loggers.logger('sluice.worker');
  }

  get config(): WorkerConfig {
    return this.opts.config;
  }

  workerId(): string {
    return this.opts.workerId();
  }

  /** Starts (or restarts) the connector instance; returns false and records FAILED when it cannot. */
  startConnector(name: string, config: Record<string, string>, targetState: TargetState): boolean {
    const { statusStore, metrics, plugins } = this.opts;
    const workerId = this.opts.workerId();
    try {
      const plugin = plugins.resolve(config['connector.class'] ?? '');
      this.connectors.set(name, { plugin, config, targetState });
      metrics.startupAttempt('connector', true);
      statusStore.putConnector(name, { state: connectorStateFor(targetState), workerId });
      this.log.info(
        { connector: name, config: maskSecrets(config, plugin.configDef) },
        `Started connector ${name}`,
      );
      this.updateCounts();
      return true;
    } catch (e) {
      metrics.startupAttempt('connector', false);
      this.connectors.delete(name);
      statusStore.putConnector(name, { state: 'FAILED', workerId, trace: traceOf(e) });
      this.log.error({ connector: name, err: e }, `Failed to start connector ${name}`);
      this.updateCounts();
      return false;
    }
  }

  isConnectorRunning(name: string): boolean {
    return this.connectors.has(name);
  }

  /** Task configs from the plugin: each is the connector config plus what the plugin set for that task. */
  connectorTaskConfigs(name: string): Record<string, string>[] {
    const connector = this.connectors.get(name);
    if (!connector) throw new Error(`Connector ${name} is not running on this worker`);
    return generateTaskConfigs(name, connector.plugin, connector.config);
  }

  /** Marks the connector FAILED (e.g. generating task configs threw). */
  failConnector(name: string, error: unknown): void {
    this.opts.statusStore.putConnector(name, {
      state: 'FAILED',
      workerId: this.opts.workerId(),
      trace: traceOf(error),
    });
  }

  /** Pauses or resumes the connector's tasks here; updates the connector's status if it runs here too. */
  setConnectorTargetState(name: string, state: TargetState): void {
    const connector = this.connectors.get(name);
    if (connector) {
      connector.targetState = state;
      this.opts.statusStore.putConnector(name, {
        state: connectorStateFor(state),
        workerId: this.opts.workerId(),
      });
    }
    for (const [key, task] of this.tasks) {
      if (!key.startsWith(name + '\u0000') || task.stopping) continue;
      if (state === 'PAUSED') task.runner.pause();
      else if (state === 'STARTED') task.runner.resume();
    }
  }

  stopConnector(name: string, finalState: 'STOPPED' | null = null): void {
    if (!this.connectors.delete(name) && finalState === null) return;
    if (finalState)
      this.opts.statusStore.putConnector(name, { state: finalState, workerId: this.opts.workerId() });
    this.log.info({ connector: name }, `Stopped connector ${name}`);
    this.updateCounts();
  }

  /** Starts one task; resolves false (task FAILED, with the reason in its status) when it cannot start. */
  async startTask(
    id: ConnectorTaskId,
    taskConfig: Record<string, string>,
    targetState: TargetState,
  ): Promise<boolean> {
    const { config, statusStore, metrics, loggers } = this.opts;
    const key = taskKey(id.connector, id.task);
    if (this.tasks.has(key))
      throw new Error(`Task ${id.connector}-${id.task} is already running on this worker`);
    // In distributed mode a task may run on a worker that does not run its connector: its config then
    // says which plugin and converters it uses (task configs carry the connector's config).
    const connector =
      this.connectors.get(id.connector) ??
      (this.opts.tasksWithoutConnector ? this.detachedConnector(taskConfig) : undefined);
    const loggerName = `sluice.connector.${id.connector}`;
    // The engine binds connector and task to its lines; the name lets /admin/loggers set one connector's level.
    const logger = loggers.logger(loggerName);
    const taskMetrics = metrics.sinkTask(id.connector, id.task);
    const entry: RunningTask = {
      runner: null as unknown as TaskRunner,
      metrics: taskMetrics,
      logger,
      loggerName,
      stopping: false,
      taskConfig,
      restartPolicy: null,
      startedAt: Date.now(),
      failureHandled: false,
    };
    const report = (status: TaskStatus) => {
      if (entry.stopping || this.tasks.get(key) !== entry) return;
      statusStore.putTask(id.connector, id.task, { ...status, workerId: this.opts.workerId() });
      if (status.state === 'FAILED') {
        logger.error({ trace: status.trace }, `Task ${id.connector}-${id.task} failed`);
        this.taskFailed(id, entry, status.trace);
      }
    };
    try {
      if (!connector) throw new Error(`Connector ${id.connector} is not running on this worker`);
      entry.restartPolicy = parseRestartPolicy(taskConfig);
      // Config provider placeholders (`${file:…}`) are resolved here, at use: what is stored and shown
      // keeps them.
      const refused = overridePolicyViolations(config.overridePolicy, taskConfig)[0];
      if (refused) throw new ConfigException(refused.key, refused.message);
      const providers = config.configProviders;
      const converters = await createConnectorConverters(
        this.opts.converters,
        config,
        providers.resolve(connector.config),
      );
      entry.runner = this.opts.runnerFactory({
        connectorName: id.connector,
        taskId: id.task,
        taskConfig: providers.resolve(taskConfig),
        worker: {
          bootstrapServers: config.bootstrapServers,
          clientConfig: config.clientConfig(),
          offsetFlushIntervalMs: config.offsetFlushIntervalMs,
          offsetFlushTimeoutMs: config.offsetFlushTimeoutMs,
          gracefulShutdownTimeoutMs: config.gracefulShutdownTimeoutMs,
          consumerThread: config.consumerThread,
        },
        task: this.trackTopics(id, connector.plugin.createTask()),
        keyConverter: converters.key,
        valueConverter: converters.value,
        headerConverter: converters.header,
        logger,
        metrics: taskMetrics,
        onStatus: report,
      });
      this.tasks.set(key, entry);
      this.updateCounts();
      statusStore.putTask(id.connector, id.task, { state: 'UNASSIGNED', workerId: this.opts.workerId() });
      // Paused before it starts, so that a connector created PAUSED never has put() called.
      if (targetState === 'PAUSED') entry.runner.pause();
      await entry.runner.start();
      metrics.startupAttempt('task', true);
      logger.info(`Started task ${id.connector}-${id.task}`);
      return true;
    } catch (e) {
      metrics.startupAttempt('task', false);
      // The runner's own FAILED report may have been handled (logged, a restart scheduled) already.
      if (!entry.failureHandled) {
        logger.error({ err: e }, `Failed to start task ${id.connector}-${id.task}`);
        statusStore.putTask(id.connector, id.task, {
          state: 'FAILED',
          workerId: this.opts.workerId(),
          trace: traceOf(e),
        });
        this.taskFailed(id, entry, traceOf(e));
      }
      if (this.tasks.get(key) === entry) {
        this.tasks.delete(key);
        // The runner may hold a half-open consumer: give it the chance to close.
        await entry.runner?.stop().catch(() => undefined);
      }
      this.closeTaskResources(entry);
      this.updateCounts();
      return false;
    }
  }

  private detachedConnector(taskConfig: Record<string, string>): RunningConnector | undefined {
    try {
      const plugin = this.opts.plugins.resolve(taskConfig['connector.class'] ?? '');
      return { plugin, config: taskConfig, targetState: 'STARTED' };
    } catch {
      return undefined;
    }
  }

  /**
   * A task failed: with `sluice.task.restart.policy=on-failure` it is RESTARTING until its next start
   * after a back-off, or stays FAILED once the restarts in a row reach the maximum.
   */
  private taskFailed(id: ConnectorTaskId, entry: RunningTask, trace: string | undefined): void {
    entry.failureHandled = true;
    const policy = entry.restartPolicy;
    if (!policy?.enabled) return;
    const key = taskKey(id.connector, id.task);
    const name = `${id.connector}-${id.task}`;
    const state = this.restarts.get(key) ?? { attempts: 0, timer: null };
    if (ranHealthy(policy, Date.now() - entry.startedAt)) state.attempts = 0;
    const workerId = this.opts.workerId();
    if (state.attempts >= policy.maxAttempts) {
      this.restarts.delete(key);
      const gaveUp =
        `Task ${name} failed ${state.attempts + 1} times in a row; no more automatic restarts ` +
        `(${RESTART_MAX_ATTEMPTS}=${policy.maxAttempts}). Restart it with POST /connectors/${id.connector}/tasks/${id.task}/restart.`;
      this.opts.statusStore.putTask(id.connector, id.task, {
        state: 'FAILED',
        workerId,
        trace: trace === undefined ? gaveUp : `${gaveUp}\n${trace}`,
      });
      entry.logger.error(gaveUp);
      return;
    }
    state.attempts++;
    const wait = restartBackoffMs(policy, state.attempts);
    this.opts.statusStore.putTask(id.connector, id.task, {
      state: 'RESTARTING',
      workerId,
      ...(trace !== undefined ? { trace } : {}),
    });
    entry.logger.info(
      `Restarting task ${name} in ${wait} ms (automatic restart ${state.attempts} of ${policy.maxAttempts})`,
    );
    if (state.timer) clearTimeout(state.timer);
    state.timer = setTimeout(() => void this.restartFailed(id, entry), wait);
    this.restarts.set(key, state);
  }

  private async restartFailed(id: ConnectorTaskId, failed: RunningTask): Promise<void> {
    const key = taskKey(id.connector, id.task);
    const state = this.restarts.get(key);
    if (!state) return;
    state.timer = null;
    const current = this.tasks.get(key);
    // Stopped, or restarted by hand, meanwhile: that wins.
    if (current && current !== failed) return;
    if (current) await this.stopTasks([id], true);
    const targetState = this.connectors.get(id.connector)?.targetState ?? 'STARTED';
    if (targetState === 'STOPPED' || (!this.connectors.has(id.connector) && !this.opts.tasksWithoutConnector))
      return;
    await this.startTask(id, failed.taskConfig, targetState).catch((e: unknown) =>
      failed.logger.error({ err: e }, `Automatic restart of task ${id.connector}-${id.task} failed`),
    );
  }

  private cancelRestart(key: string): void {
    const state = this.restarts.get(key);
    if (state?.timer) clearTimeout(state.timer);
    this.restarts.delete(key);
  }

  taskIds(connector?: string): ConnectorTaskId[] {
    return [...this.tasks.keys()]
      .map((k) => {
        const [c, t] = k.split('\u0000') as [string, string];
        return { connector: c, task: Number(t) };
      })
      .filter((id) => connector === undefined || id.connector === connector);
  }

  /**
   * Stops tasks and waits for them, at most task.shutdown.graceful.timeout.ms in total (Kafka
   * Connect's budget): a task that does not finish in time is abandoned and logged.
   */
  async stopTasks(ids: readonly ConnectorTaskId[], keepRestartCount = false): Promise<void> {
    const stopping: Promise<void>[] = [];
    for (const id of ids) {
      const key = taskKey(id.connector, id.task);
      // A stop (or a restart by hand) ends the automatic restarts; the worker's own restart keeps its count.
      if (!keepRestartCount) this.cancelRestart(key);
      const task = this.tasks.get(key);
      if (!task) continue;
      task.stopping = true;
      this.tasks.delete(key);
      stopping.push(
        withTimeout(task.runner.stop(), this.opts.config.gracefulShutdownTimeoutMs)
          .then((finished) => {
            if (!finished) {
              task.logger.error(
                `Graceful stop of task ${id.connector}-${id.task} failed: it did not stop within ` +
                  `task.shutdown.graceful.timeout.ms=${this.opts.config.gracefulShutdownTimeoutMs}`,
              );
            }
          })
          .catch((e: unknown) =>
            task.logger.error({ err: e }, `Error while stopping task ${id.connector}-${id.task}`),
          )
          .finally(() => this.closeTaskResources(task)),
      );
    }
    await Promise.all(stopping);
    this.updateCounts();
  }

  /** Stops every task and connector of this worker (shutdown, or eager-rebalance revocation). */
  async stopAll(): Promise<void> {
    for (const key of [...this.restarts.keys()]) this.cancelRestart(key);
    await this.stopTasks(this.taskIds());
    for (const name of [...this.connectors.keys()]) this.stopConnector(name);
  }

  private closeTaskResources(task: RunningTask): void {
    task.metrics.close();
    this.opts.loggers.release(task.loggerName, task.logger);
  }

  private updateCounts(): void {
    this.opts.metrics.setRunning(this.connectors.size, this.tasks.size);
  }

  /** Records each topic a task receives records from, for `/connectors/{name}/topics`. */
  private trackTopics(id: ConnectorTaskId, task: SinkTask): SinkTask {
    if (!this.opts.config.topicTrackingEnable) return task;
    const seen = new Set<string>();
    const statusStore = this.opts.statusStore;
    const put = task.put.bind(task);
    task.put = (records: readonly SinkRecord[]) => {
      for (const r of records) {
        if (!seen.has(r.topic)) {
          seen.add(r.topic);
          statusStore.putTopic(id.connector, r.topic, id.task);
        }
      }
      return put(records);
    };
    return task;
  }
}

/**
 * The plugin's task configs for a connector: each is the connector config plus what the plugin set for
 * that task. Throws when the plugin made more than tasks.max while tasks.max.enforce is on.
 */
export function generateTaskConfigs(
  name: string,
  plugin: SinkPlugin,
  config: Record<string, string>,
): Record<string, string>[] {
  const maxTasks = parseTasksMax(config);
  const generated = plugin.taskConfigs?.(config, maxTasks) ?? Array.from({ length: maxTasks }, () => ({}));
  if (generated.length > maxTasks && config['tasks.max.enforce'] !== 'false') {
    throw new Error(
      `The connector ${name} has generated ${generated.length} tasks, which is greater than ${maxTasks}, ` +
        'the maximum number of tasks it is configured to create (tasks.max).',
    );
  }
  return generated.map((taskConfig) => ({ ...config, ...taskConfig }));
}

function connectorStateFor(target: TargetState): 'RUNNING' | 'PAUSED' | 'STOPPED' {
  return target === 'STARTED' ? 'RUNNING' : target;
}

export function traceOf(e: unknown): string {
  if (e instanceof Error) {
    let trace = e.stack ?? `${e.name}: ${e.message}`;
    for (let cause = e.cause; cause instanceof Error; cause = cause.cause)
      trace += `\nCaused by: ${cause.stack ?? cause.message}`;
    return trace;
  }
  return String(e);
}

async function withTimeout(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
