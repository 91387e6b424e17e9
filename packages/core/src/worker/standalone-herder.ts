import { AlreadyExistsException, NotFoundException } from '../errors.js';
import { AbstractHerder, type HerderDeps } from './abstract-herder.js';
import { sinkGroupId } from './connector-config.js';
import type { PutConnectorResult } from './herder.js';
import { BadRequestException } from './herder-errors.js';
import { SerialQueue } from './serial-queue.js';
import type { ConnectorStateInfo, RestartRequest, SinkOffsetEntry, TargetState } from './types.js';
import type { Worker } from './worker.js';

// Standalone mode: one process runs every connector and task. Configs live in the (memory) config
// store, coming from the files on the command line and REST calls; every write is applied to the
// local worker right away, one at a time.

export class StandaloneHerder extends AbstractHerder {
  private readonly queue = new SerialQueue();
  private started = false;

  constructor(
    deps: HerderDeps,
    private readonly worker: Worker,
  ) {
    super(deps);
  }

  ready(): boolean {
    return this.started;
  }

  /** Marks startup complete (`/health` turns healthy) once the initial connectors were submitted. */
  markStarted(): void {
    this.started = true;
  }

  async stop(): Promise<void> {
    await this.queue.run(() => this.worker.stopAll());
  }

  putConnectorConfig(
    name: string,
    config: Record<string, string | null>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<PutConnectorResult> {
    return this.queue.run(async () => {
      if (config.name !== undefined && config.name !== name) {
        throw new BadRequestException(
          `Connector name configuration (${String(config.name)}) doesn't match connector name in the URL (${name})`,
        );
      }
      const exists = this.deps.configStore.get(name) !== undefined;
      if (exists && !options.allowReplace)
        throw new AlreadyExistsException(`Connector ${name} already exists`);
      const input = this.unmaskSecrets(name, { ...config, name });
      await this.deps.validator.assertValid(input);
      const clean = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null)) as Record<
        string,
        string
      >;
      if (exists) {
        await this.stopConnectorAndTasks(name);
        await this.deps.configStore.putConnectorConfig(name, clean);
      } else {
        await this.deps.configStore.putConnectorConfig(name, clean, options.initialState ?? 'STARTED');
      }
      this.deps.logger.info(
        { connector: name, config: this.maskConfig(clean) },
        `${exists ? 'Updated' : 'Created'} connector ${name}`,
      );
      await this.applyConnector(name);
      return { created: !exists, info: await this.connectorInfo(name) };
    });
  }

  deleteConnector(name: string): Promise<void> {
    return this.queue.run(async () => {
      this.requireConnector(name);
      await this.stopConnectorAndTasks(name);
      await this.deps.configStore.removeConnectorConfig(name);
      this.deps.statusStore.deleteConnector(name);
      this.deps.logger.info({ connector: name }, `Deleted connector ${name}`);
    });
  }

  pauseConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'PAUSED');
  }

  resumeConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'STARTED');
  }

  stopConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'STOPPED');
  }

  async restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null> {
    if (!this.deps.configStore.get(name)) throw new NotFoundException(`Unknown connector: ${name}`);
    const status = await this.connectorStatus(name).catch(() => null);
    const restartConnector = !request.onlyFailed || status?.connector.state === 'FAILED';
    const tasks = request.includeTasks
      ? (status?.tasks ?? []).filter((t) => !request.onlyFailed || t.state === 'FAILED').map((t) => t.id)
      : [];
    const run = this.queue.run(async () => {
      if (restartConnector) {
        this.worker.stopConnector(name);
        await this.applyConnector(name);
      }
      await this.restartTasks(name, tasks);
    });
    if (!request.includeTasks && !request.onlyFailed) {
      await run;
      return null;
    }
    // Kafka Connect restarts asynchronously and answers at once with the instances marked RESTARTING.
    run.catch((e: unknown) =>
      this.deps.logger.error({ connector: name, err: e }, `Restart of connector ${name} failed`),
    );
    const workerId = this.worker.workerId();
    if (restartConnector) this.deps.statusStore.putConnector(name, { state: 'RESTARTING', workerId });
    for (const task of tasks) this.deps.statusStore.putTask(name, task, { state: 'RESTARTING', workerId });
    if (!status) return null;
    return {
      ...status,
      connector: restartConnector
        ? { state: 'RESTARTING', worker_id: status.connector.worker_id }
        : status.connector,
      tasks: status.tasks.map((t) =>
        tasks.includes(t.id) ? { id: t.id, state: 'RESTARTING', worker_id: t.worker_id } : t,
      ),
    };
  }

  restartTask(name: string, task: number): Promise<void> {
    return this.queue.run(async () => {
      const entry = this.deps.configStore.get(name);
      if (!entry || task < 0 || task >= entry.taskConfigs.length)
        throw new NotFoundException(`Unknown task: ${name}-${task}`);
      await this.restartTasks(name, [task]);
    });
  }

  alterConnectorOffsets(name: string, offsets: SinkOffsetEntry[]): Promise<boolean> {
    return this.queue.run(async () => {
      const entry = this.requireStopped(name);
      await this.deps.offsets.alter(name, sinkGroupId(name, entry.config), offsets);
      // Sink plugins keep no offsets of their own: only the framework's were altered.
      return false;
    });
  }

  resetConnectorOffsets(name: string): Promise<boolean> {
    return this.queue.run(async () => {
      const entry = this.requireStopped(name);
      await this.deps.offsets.reset(name, sinkGroupId(name, entry.config));
      return false;
    });
  }

  private requireStopped(name: string) {
    const entry = this.requireConnector(name);
    if (entry.targetState !== 'STOPPED' || this.worker.taskIds(name).length > 0) {
      throw new BadRequestException(
        'Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the ' +
          `specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
      );
    }
    return entry;
  }

  private setTargetState(name: string, state: TargetState): Promise<void> {
    return this.queue.run(async () => {
      const entry = this.requireConnector(name);
      if (entry.targetState === state && (state !== 'STARTED' || this.worker.isConnectorRunning(name)))
        return;
      await this.deps.configStore.putTargetState(name, state);
      this.deps.logger.info({ connector: name }, `Connector ${name} target state is now ${state}`);
      await this.applyConnector(name);
    });
  }

  /**
   * Makes the worker match the stored config and target state: STOPPED → no tasks and no task
   * configs; otherwise the connector runs, its task configs are regenerated (tasks restart when they
   * changed) and missing tasks are started.
   */
  private async applyConnector(name: string): Promise<void> {
    const entry = this.requireConnector(name);
    if (entry.targetState === 'STOPPED') {
      await this.stopConnectorAndTasks(name);
      await this.deps.configStore.putTaskConfigs(name, []);
      for (const task of this.deps.statusStore.getTasks(name).keys())
        this.deps.statusStore.deleteTask(name, task);
      this.worker.stopConnector(name, 'STOPPED');
      return;
    }
    if (
      !this.worker.isConnectorRunning(name) &&
      !this.worker.startConnector(name, entry.config, entry.targetState)
    ) {
      await this.worker.stopTasks(this.worker.taskIds(name));
      return;
    }
    let taskConfigs: Record<string, string>[];
    try {
      taskConfigs = this.worker.connectorTaskConfigs(name);
    } catch (e) {
      this.worker.failConnector(name, e);
      await this.worker.stopTasks(this.worker.taskIds(name));
      return;
    }
    const changed = JSON.stringify(taskConfigs) !== JSON.stringify(entry.taskConfigs);
    if (changed) {
      await this.worker.stopTasks(this.worker.taskIds(name));
      await this.deps.configStore.putTaskConfigs(name, taskConfigs);
      for (const task of this.deps.statusStore.getTasks(name).keys()) {
        if (task >= taskConfigs.length) this.deps.statusStore.deleteTask(name, task);
      }
    }
    this.worker.setConnectorTargetState(name, entry.targetState);
    const running = new Set(this.worker.taskIds(name).map((id) => id.task));
    for (let task = 0; task < taskConfigs.length; task++) {
      if (!running.has(task))
        await this.worker.startTask({ connector: name, task }, taskConfigs[task]!, entry.targetState);
    }
  }

  private async restartTasks(name: string, tasks: readonly number[]): Promise<void> {
    const entry = this.requireConnector(name);
    if (entry.targetState === 'STOPPED' || tasks.length === 0) return;
    await this.worker.stopTasks(tasks.map((task) => ({ connector: name, task })));
    for (const task of tasks) {
      const config = entry.taskConfigs[task];
      if (config) await this.worker.startTask({ connector: name, task }, config, entry.targetState);
    }
  }

  private async stopConnectorAndTasks(name: string): Promise<void> {
    await this.worker.stopTasks(this.worker.taskIds(name));
    this.worker.stopConnector(name);
  }
}
