import { AlreadyExistsException, ConfigException, NotFoundException } from '../../errors.js';
import { AbstractHerder, type HerderDeps } from '../abstract-herder.js';
import { sinkGroupId } from '../connector-config.js';
import type { PutConnectorResult } from '../herder.js';
import { BadRequestException, ConflictException } from '../herder-errors.js';
import { SerialQueue } from '../serial-queue.js';
import type {
  ConnectorInfo,
  ConnectorStateInfo,
  ConnectorTaskId,
  RestartRequest,
  SinkOffsetEntry,
  TargetState,
} from '../types.js';
import { generateTaskConfigs, type Worker } from '../worker.js';
import { advertisedUrlClashMessage, clashingAdvertisedUrls } from './advertised-url-clash.js';
import {
  assign,
  INITIAL_ASSIGNOR_STATE,
  taskKey,
  type AssignorState,
  type ClusterWork,
  type GroupMember,
} from './assignor.js';
import { configRecords } from './config-records.js';
import type { DistributedConfig } from './distributed-config.js';
import { WorkerGroupMember, type MemberListener } from './group-member.js';
import type { GroupError } from './group-transport.js';
import {
  FencedWriterError,
  TransactionsUnavailableError,
  type InternalKafka,
  type LogWriter,
  type OutgoingRecord,
} from './internal-kafka.js';
import type { ConfigChanges, KafkaConfigStore } from './kafka-config-store.js';
import type { KafkaStatusStore } from './kafka-status-store.js';
import {
  ADVERTISED_URL_CLASH,
  CONFIG_MISMATCH,
  EMPTY_WORK,
  NO_ERROR,
  type Assignment,
  type MemberMetadata,
  type WorkSet,
} from './protocol.js';
import { wasForwarded, type RequestForwarder } from './request-forwarding.js';

// Distributed mode's herder. Workers with the same group.id form a cluster through Kafka's group
// coordinator (WorkerGroupMember); the leader assigns connectors and tasks (assignor.ts) and is the
// only one that writes the config topic; every worker runs what it was assigned, replays the config
// topic to know what that means, and writes the status of what it runs. REST writes reaching a
// follower are forwarded to the leader. Everything that changes what runs on this worker (a new
// assignment, config records read, restart requests, REST writes on the leader) runs one step at a
// time on one queue.

export interface DistributedHerderOptions {
  readonly config: DistributedConfig;
  readonly worker: Worker;
  readonly configStore: KafkaConfigStore;
  readonly statusStore: KafkaStatusStore;
  readonly kafka: InternalKafka;
  readonly forwarder: RequestForwarder;
  /** This worker's advertised REST URL (known once the REST API is bound). */
  readonly url: () => string;
  /** The group refused this worker for good (e.g. the group.id is used by something else). */
  readonly onFatal: (error: Error) => void;
  readonly now?: () => number;
  /** Why this worker cannot follow the cluster right now (e.g. an internal-topic reader is down), or null. */
  readonly problem?: () => string | null;
}

interface Applied {
  config: string;
  targetState: TargetState;
}

const OFFSETS_ALTERED = 'The offsets for this connector have been altered successfully';
const OFFSETS_RESET = 'The offsets for this connector have been reset successfully';
const NOT_LEADER_FORWARDED =
  'Cannot complete request because of a conflicting operation (e.g. worker rebalance): this worker is not the leader ' +
  'of the cluster although the request was forwarded to it; retry the request';
const NO_LEADER =
  'Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.';

export class DistributedHerder extends AbstractHerder implements MemberListener {
  private readonly queue = new SerialQueue();
  private readonly member: WorkerGroupMember;
  private readonly now: () => number;
  private joined = false;
  private leaving = false;
  private leader = false;
  private leaderUrl: string | null = null;
  private writer: LogWriter | null = null;
  private assignorState: AssignorState = INITIAL_ASSIGNOR_STATE;
  private scheduledRebalance: NodeJS.Timeout | null = null;
  /** The connectors and task counts the leader last assigned: when they change, it rebalances. */
  private assignedWork: string | null = null;
  /** What this worker should run: its latest assignment minus what was revoked. */
  private readonly ownedConnectors = new Set<string>();
  private readonly ownedTasks = new Map<string, ConnectorTaskId>();
  /**
   * Reported as owned in the next JoinGroup although not applied yet: the latest assignment while it
   * waits on the queue, and revoked work until it has stopped (so the leader never hands it to another
   * worker while it still runs here).
   */
  private pendingAssigned: WorkSet | null = null;
  private readonly pendingRevoked = new Map<string, ConnectorTaskId>();
  private readonly pendingRevokedConnectors = new Set<string>();
  /** What was last applied to the Worker, to tell which changes need a restart. */
  private readonly appliedConnectors = new Map<string, Applied>();
  private readonly appliedTasks = new Map<string, Applied>();

  constructor(
    deps: HerderDeps,
    private readonly opts: DistributedHerderOptions,
  ) {
    super(deps);
    this.now = opts.now ?? Date.now;
    const c = opts.config;
    this.member = new WorkerGroupMember(opts.kafka.groupTransport(c.groupId), this, {
      sessionTimeoutMs: c.sessionTimeoutMs,
      rebalanceTimeoutMs: c.rebalanceTimeoutMs,
      heartbeatIntervalMs: c.heartbeatIntervalMs,
      retryBackoffMs: Math.min(1000, c.heartbeatIntervalMs),
      logger: deps.logger.child({ group: c.groupId }),
    });
  }

  ready(): boolean {
    return this.joined && !this.leaving;
  }

  healthProblem(): string | null {
    return this.opts.problem?.() ?? null;
  }

  /** The group generation this worker last joined (written with its statuses). */
  generation(): number {
    return this.member.currentGeneration;
  }

  /** Joins the group; work starts once the first assignment arrives. */
  start(): void {
    this.member.start();
  }

  /** Called by the config store for each batch of config records read. */
  onConfigChanges(changes: ConfigChanges): void {
    this.queue
      .run(async () => {
        if (this.leader) await this.leaderReactToConfig(changes);
        for (const restart of changes.restarts) await this.applyRestart(restart.connector, restart.request);
        await this.reconcile();
      })
      .catch((e: unknown) => this.deps.logger.error({ err: e }, 'Applying config topic changes failed'));
  }

  /**
   * Graceful stop: stops this worker's connectors and tasks (sink offsets are flushed and committed),
   * rejoins once as a leaving member that owns nothing so the leader hands its work to the others at
   * once, then leaves the group.
   */
  async stop(): Promise<void> {
    this.leaving = true;
    this.clearScheduledRebalance();
    await this.queue.run(() => this.stopAllWork());
    if (this.member.currentMemberId !== '') {
      const c = this.opts.config;
      const handedOver = await this.member.rejoinAndWait(
        'worker shutting down: handing its work over',
        handOverTimeoutMs(c),
      );
      if (!handedOver)
        this.deps.logger.warn(
          'The group did not rebalance in time; leaving it anyway (the others take over after their rebalance)',
        );
    }
    await this.member.leave();
    await this.queue.run(() => this.dropLeadership());
  }

  // ---- group membership (MemberListener) ----

  metadata(): MemberMetadata {
    return {
      url: this.opts.url(),
      configOffset: this.opts.configStore.configOffset(),
      owned: this.leaving ? EMPTY_WORK : this.reportedWork(),
      leaving: this.leaving,
    };
  }

  async assign(
    leaderId: string,
    members: readonly GroupMember[],
    generation: number,
  ): Promise<ReadonlyMap<string, Assignment>> {
    const store = this.opts.configStore;
    const maxOffset = Math.max(0, ...members.map((m) => m.metadata.configOffset));
    if (store.configOffset() < maxOffset) {
      await store
        .readToEnd(this.opts.config.workerSyncTimeoutMs)
        .catch((e: unknown) =>
          this.deps.logger.warn({ err: e }, 'Leader could not catch up with the config topic'),
        );
    }
    const base = { leaderId, leaderUrl: this.opts.url(), configOffset: store.configOffset(), delayMs: 0 };
    const out = new Map<string, Assignment>();
    if (store.configOffset() < maxOffset) {
      // Never block here: every follower's SyncGroup waits. Everyone re-reads and rejoins instead.
      this.deps.logger.warn(
        { generation, leaderOffset: store.configOffset(), maxOffset },
        `Leader is behind the config topic (${store.configOffset()} < ${maxOffset}); asking every worker to resync`,
      );
      for (const m of members)
        out.set(m.memberId, { ...base, error: CONFIG_MISMATCH, assigned: EMPTY_WORK, revoked: EMPTY_WORK });
      return out;
    }
    let admitted = members;
    const clashing = clashingAdvertisedUrls(members);
    if (clashing.size > 0) {
      // Members sharing a local-only URL are refused (they stop); the others go on without them.
      const refused = new Set(members.filter((m) => clashing.has(m.metadata.url)).map((m) => m.memberId));
      this.deps.logger.error(
        { generation, urls: [...clashing] },
        `Workers advertise the same loopback or wildcard REST URL: ${[...clashing].join(', ')}`,
      );
      for (const id of refused)
        out.set(id, { ...base, error: ADVERTISED_URL_CLASH, assigned: EMPTY_WORK, revoked: EMPTY_WORK });
      admitted = members.filter((m) => !refused.has(m.memberId));
      if (admitted.length === 0) return out;
    }
    const work = this.clusterWork();
    const result = assign({
      members: admitted,
      work,
      state: this.assignorState,
      now: this.now(),
      maxDelayMs: this.opts.config.scheduledRebalanceMaxDelayMs,
    });
    this.assignorState = result.state;
    this.assignedWork = workSignature(work);
    this.clearScheduledRebalance();
    if (result.delayMs > 0) {
      const why = result.state.delayed
        ? 'reassigning the work of departed workers (scheduled.rebalance.max.delay.ms)'
        : 'balancing after the back-off between revoking rebalances';
      this.deps.logger.info(`Next rebalance in ${result.delayMs} ms: ${why}`);
      this.scheduledRebalance = setTimeout(
        () => this.member.requestRejoin(`scheduled rebalance: ${why}`),
        result.delayMs,
      );
      this.scheduledRebalance.unref();
    }
    for (const [memberId, a] of result.assignments)
      out.set(memberId, { ...base, error: NO_ERROR, delayMs: result.delayMs, ...a });
    this.deps.logger.info(
      {
        generation,
        assignments: Object.fromEntries(
          [...result.assignments].map(([id, a]) => [
            id,
            {
              connectors: a.assigned.connectors.length,
              tasks: a.assigned.tasks.length,
              revoked: a.revoked.connectors.length + a.revoked.tasks.length,
            },
          ]),
        ),
      },
      `Assigned ${work.connectors.length} connectors and ${work.tasks.length} tasks to ${admitted.length} workers`,
    );
    return out;
  }

  /**
   * Queues the assignment and returns at once: stopping and starting work (a task start may wait 30 s
   * for a missing topic) never holds up the membership loop, which keeps heartbeating and rejoining.
   * What is not applied yet is reported as owned at the next rebalance (metadata()).
   */
  onAssignment(assignment: Assignment | null, generation: number): Promise<void> {
    if (assignment && assignment.error === NO_ERROR) {
      this.pendingAssigned = assignment.assigned;
      for (const name of assignment.revoked.connectors) this.pendingRevokedConnectors.add(name);
      for (const id of assignment.revoked.tasks) this.pendingRevoked.set(taskKey(id), id);
    }
    this.queue
      .run(() => this.applyAssignment(assignment, generation))
      .catch((e: unknown) =>
        this.deps.logger.error(
          { err: e, generation },
          `Applying the assignment of generation ${generation} failed`,
        ),
      );
    return Promise.resolve();
  }

  onMembershipLost(reason: string): Promise<void> {
    return this.queue.run(async () => {
      this.deps.logger.warn(`Stopping all connectors and tasks of this worker: ${reason}`);
      await this.stopAllWork();
      await this.dropLeadership();
      this.leaderUrl = null;
    });
  }

  onFatal(error: GroupError): void {
    this.opts.onFatal(error);
  }

  // ---- REST writes: on the leader, or forwarded to it ----

  override putConnectorConfig(
    name: string,
    config: Record<string, string | null>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<PutConnectorResult> {
    return this.onLeader(
      async (url) => {
        if (!options.allowReplace) {
          const body = {
            name,
            config,
            ...(options.initialState ? { initial_state: options.initialState } : {}),
          };
          const r = await this.opts.forwarder.send(url, 'POST', '/connectors', {}, body);
          return { created: true, info: r.body as ConnectorInfo };
        }
        const r = await this.opts.forwarder.send(url, 'PUT', `/connectors/${enc(name)}/config`, {}, config);
        return { created: r.status === 201, info: r.body as ConnectorInfo };
      },
      () => this.putConnectorConfigAsLeader(name, config, options),
    );
  }

  override async patchConnectorConfig(
    name: string,
    patch: Record<string, string | null>,
  ): Promise<ConnectorInfo> {
    // The leader merges and writes (putConnectorConfig); anyone else forwards the patch itself.
    if (this.leader || wasForwarded()) return super.patchConnectorConfig(name, patch);
    if (!this.leaderUrl) throw new ConflictException(NO_LEADER);
    return (
      await this.opts.forwarder.send(this.leaderUrl, 'PATCH', `/connectors/${enc(name)}/config`, {}, patch)
    ).body as ConnectorInfo;
  }

  deleteConnector(name: string): Promise<void> {
    return this.onLeader(
      async (url) => void (await this.opts.forwarder.send(url, 'DELETE', `/connectors/${enc(name)}`)),
      async () => {
        this.requireConnector(name);
        await this.writeConfig(configRecords.deleteConnector(name));
        this.deps.logger.info({ connector: name }, `Deleted connector ${name}`);
      },
    );
  }

  pauseConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'PAUSED', 'pause');
  }

  resumeConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'STARTED', 'resume');
  }

  stopConnector(name: string): Promise<void> {
    return this.setTargetState(name, 'STOPPED', 'stop');
  }

  restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null> {
    return this.onLeader(
      async (url) => {
        const query = { includeTasks: String(request.includeTasks), onlyFailed: String(request.onlyFailed) };
        const r = await this.opts.forwarder.send(url, 'POST', `/connectors/${enc(name)}/restart`, query);
        return r.status === 204 ? null : (r.body as ConnectorStateInfo);
      },
      async () => {
        if (!this.deps.configStore.get(name)) throw new NotFoundException(`Unknown connector: ${name}`);
        const status = await this.connectorStatus(name).catch(() => null);
        const restartConnector = !request.onlyFailed || status?.connector.state === 'FAILED';
        const tasks = request.includeTasks
          ? (status?.tasks ?? []).filter((t) => !request.onlyFailed || t.state === 'FAILED').map((t) => t.id)
          : [];
        // The workers running the connector and its tasks restart them when they read this record.
        await this.writeConfig([configRecords.restart(name, request)]);
        if ((!request.includeTasks && !request.onlyFailed) || !status) return null;
        return {
          ...status,
          connector: restartConnector
            ? { state: 'RESTARTING', worker_id: status.connector.worker_id }
            : status.connector,
          tasks: status.tasks.map((t) =>
            tasks.includes(t.id) ? { id: t.id, state: 'RESTARTING', worker_id: t.worker_id } : t,
          ),
        };
      },
    );
  }

  /** Restarts a task where it runs: here, or on the worker its status names. */
  async restartTask(name: string, task: number): Promise<void> {
    const entry = this.deps.configStore.get(name);
    if (!entry || task < 0 || task >= entry.taskConfigs.length)
      throw new NotFoundException(`Unknown task: ${name}-${task}`);
    const key = taskKey({ connector: name, task });
    if (this.ownedTasks.has(key)) {
      await this.queue.run(async () => {
        this.appliedTasks.delete(key);
        await this.opts.worker.stopTasks([{ connector: name, task }]);
        await this.reconcile();
      });
      return;
    }
    const owner = this.deps.statusStore.getTasks(name).get(task)?.workerId;
    if (wasForwarded() || !owner) {
      throw new ConflictException(
        `Cannot complete request because of a conflicting operation (e.g. worker rebalance): task ${name}-${task} is not running on ${owner ?? 'any worker'} right now; retry the request`,
      );
    }
    await this.opts.forwarder.send(
      `${new URL(this.opts.url()).protocol}//${owner}`,
      'POST',
      `/connectors/${enc(name)}/tasks/${task}/restart`,
    );
  }

  alterConnectorOffsets(name: string, offsets: SinkOffsetEntry[]): Promise<boolean> {
    return this.onLeader(
      async (url) => {
        const r = await this.opts.forwarder.send(
          url,
          'PATCH',
          `/connectors/${enc(name)}/offsets`,
          {},
          { offsets },
        );
        return (r.body as { message?: string } | null)?.message === OFFSETS_ALTERED;
      },
      async () => {
        const entry = this.requireStopped(name);
        await this.deps.offsets.alter(name, sinkGroupId(name, entry.config), offsets);
        return false;
      },
    );
  }

  resetConnectorOffsets(name: string): Promise<boolean> {
    return this.onLeader(
      async (url) => {
        const r = await this.opts.forwarder.send(url, 'DELETE', `/connectors/${enc(name)}/offsets`);
        return (r.body as { message?: string } | null)?.message === OFFSETS_RESET;
      },
      async () => {
        const entry = this.requireStopped(name);
        await this.deps.offsets.reset(name, sinkGroupId(name, entry.config));
        return false;
      },
    );
  }

  // ---- leader ----

  private async onLeader<T>(forward: (leaderUrl: string) => Promise<T>, local: () => Promise<T>): Promise<T> {
    if (this.leader) {
      return this.queue.run(async () => {
        if (!this.leader) throw new ConflictException(NOT_LEADER_FORWARDED);
        return local();
      });
    }
    if (wasForwarded()) throw new ConflictException(NOT_LEADER_FORWARDED);
    if (!this.leaderUrl) throw new ConflictException(NO_LEADER);
    return forward(this.leaderUrl);
  }

  private async putConnectorConfigAsLeader(
    name: string,
    config: Record<string, string | null>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<PutConnectorResult> {
    if (config.name !== undefined && config.name !== name) {
      throw new BadRequestException(
        `Connector name configuration (${String(config.name)}) doesn't match connector name in the URL (${name})`,
      );
    }
    const existing = this.deps.configStore.get(name);
    if (existing && !options.allowReplace)
      throw new AlreadyExistsException(`Connector ${name} already exists`);
    const input = this.unmaskSecrets(name, { ...config, name });
    await this.deps.validator.assertValid(input);
    const clean = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null)) as Record<
      string,
      string
    >;
    const targetState = existing?.targetState ?? options.initialState ?? 'STARTED';
    const records: OutgoingRecord[] = [];
    if (!existing) records.push(configRecords.targetState(name, targetState));
    records.push(configRecords.connector(name, clean));
    if (targetState !== 'STOPPED')
      records.push(...configRecords.tasks(name, this.generateTasks(name, clean) ?? []));
    await this.writeConfig(records);
    this.deps.logger.info(
      { connector: name, config: this.maskConfig(clean) },
      `${existing ? 'Updated' : 'Created'} connector ${name}`,
    );
    return { created: !existing, info: await this.connectorInfo(name) };
  }

  private setTargetState(name: string, state: TargetState, path: 'pause' | 'resume' | 'stop'): Promise<void> {
    return this.onLeader(
      async (url) => void (await this.opts.forwarder.send(url, 'PUT', `/connectors/${enc(name)}/${path}`)),
      async () => {
        const entry = this.requireConnector(name);
        if (entry.targetState === state) return;
        const records = [configRecords.targetState(name, state)];
        // Stopped connectors have no tasks (Kafka Connect 3.5+); they get task configs again when resumed.
        if (state === 'STOPPED') records.push(...configRecords.tasks(name, []));
        else if (entry.targetState === 'STOPPED')
          records.push(...configRecords.tasks(name, this.generateTasks(name, entry.config) ?? []));
        await this.writeConfig(records);
        this.deps.logger.info({ connector: name }, `Connector ${name} target state is now ${state}`);
      },
    );
  }

  private requireStopped(name: string) {
    const entry = this.requireConnector(name);
    if (entry.targetState !== 'STOPPED' || entry.taskConfigs.length > 0) {
      throw new BadRequestException(
        'Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the ' +
          `specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
      );
    }
    return entry;
  }

  /** The plugin's task configs, or null when it cannot make them (the connector's worker then reports it FAILED). */
  private generateTasks(name: string, config: Record<string, string>): Record<string, string>[] | null {
    try {
      return generateTaskConfigs(name, this.deps.plugins.resolve(config['connector.class'] ?? ''), config);
    } catch (e) {
      this.deps.logger.error(
        { connector: name, err: e },
        `Could not generate task configs for connector ${name}: ${(e as Error).message}`,
      );
      return null;
    }
  }

  private async writeConfig(records: readonly OutgoingRecord[]): Promise<void> {
    try {
      await this.opts.configStore.write(records);
    } catch (e) {
      if (!(e instanceof FencedWriterError)) throw e;
      this.deps.logger.error(
        { err: e },
        'Another worker took over as leader; this worker stops acting as leader and rejoins',
      );
      await this.dropLeadership();
      this.member.requestRejoin('config writes were fenced by a newer leader');
      throw new ConflictException(`${NOT_LEADER_FORWARDED} (${e.message})`, { cause: e });
    }
  }

  private async updateLeadership(assignment: Assignment | null): Promise<void> {
    const leader = assignment !== null && assignment.leaderId === this.member.currentMemberId;
    this.leaderUrl = assignment?.leaderUrl || null;
    if (!leader) {
      if (this.leader || this.writer) await this.dropLeadership();
      return;
    }
    if (!this.writer) {
      try {
        this.writer = await this.openConfigWriter();
      } catch (e) {
        if (e instanceof ConfigException) {
          this.opts.onFatal(e);
          return;
        }
        this.deps.logger.error(
          { err: e },
          `Could not claim config topic writes as ${this.opts.config.transactionalId}; rejoining`,
        );
        this.member.requestRejoin('could not open the leader config writer');
        return;
      }
      this.opts.configStore.setWriter(this.writer);
      this.deps.logger.info(
        `This worker (${this.opts.url()}) is now the leader of group ${this.opts.config.groupId}`,
      );
    }
    this.leader = true;
    await this.leaderDuties();
  }

  /**
   * The leader's config writer: transactional where the brokers offer transactions (a new leader then
   * fences a stale one), plain where they refuse them, unless exactly.once.source.support=enabled
   * requires transactions (Kafka Connect uses a transactional writer only then).
   */
  private async openConfigWriter(): Promise<LogWriter> {
    const c = this.opts.config;
    try {
      return await this.opts.kafka.fencedWriter(c.configTopic, c.transactionalId);
    } catch (e) {
      if (!(e instanceof TransactionsUnavailableError)) throw e;
      if (c.transactionalConfigWriterRequired) {
        throw new ConfigException(
          'exactly.once.source.support',
          `'enabled' needs Kafka transactions for the config topic writes, and ${e.message}. Allow this worker's ` +
            `principal to write transactional id ${c.transactionalId} (and use brokers with transactions), or set ` +
            'exactly.once.source.support=disabled',
        );
      }
      this.deps.logger.warn(
        { err: e },
        `The brokers refuse transactions; writing the config topic without them (exactly.once.source.support=disabled)`,
      );
      return this.opts.kafka.writer(c.configTopic);
    }
  }

  /** Connectors whose task configs do not match their target state get them (re)written. */
  private async leaderDuties(): Promise<void> {
    for (const name of this.deps.configStore.connectors()) {
      const entry = this.deps.configStore.get(name)!;
      let records: OutgoingRecord[] = [];
      if (entry.targetState === 'STOPPED' && entry.taskConfigs.length > 0)
        records = configRecords.tasks(name, []);
      if (entry.targetState !== 'STOPPED' && entry.taskConfigs.length === 0) {
        const tasks = this.generateTasks(name, entry.config);
        if (tasks && tasks.length > 0) records = configRecords.tasks(name, tasks);
      }
      if (records.length > 0)
        await this.writeConfig(records).catch((e: unknown) =>
          this.deps.logger.error({ err: e, connector: name }, `Could not write task configs of ${name}`),
        );
    }
  }

  private async leaderReactToConfig(changes: ConfigChanges): Promise<void> {
    for (const name of changes.connectors) {
      if (!this.deps.configStore.get(name)) this.deps.statusStore.deleteConnector(name);
    }
    for (const name of changes.tasks) {
      const count = this.deps.configStore.get(name)?.taskConfigs.length ?? 0;
      for (const task of this.deps.statusStore.getTasks(name).keys())
        if (task >= count) this.deps.statusStore.deleteTask(name, task);
    }
    if (this.assignedWork !== null && workSignature(this.clusterWork()) !== this.assignedWork) {
      this.member.requestRejoin('connectors or tasks were added or removed');
    }
  }

  private async dropLeadership(): Promise<void> {
    this.leader = false;
    this.assignorState = INITIAL_ASSIGNOR_STATE;
    this.assignedWork = null;
    this.clearScheduledRebalance();
    this.opts.configStore.setWriter(null);
    const writer = this.writer;
    this.writer = null;
    await writer?.close().catch(() => undefined);
  }

  private clearScheduledRebalance(): void {
    if (this.scheduledRebalance) clearTimeout(this.scheduledRebalance);
    this.scheduledRebalance = null;
  }

  // ---- running the assignment ----

  private async applyAssignment(assignment: Assignment | null, generation: number): Promise<void> {
    const c = this.opts.config;
    const store = this.opts.configStore;
    if (assignment?.error === ADVERTISED_URL_CLASH) {
      await this.stopAllWork();
      await this.dropLeadership();
      const url = this.opts.url();
      this.opts.onFatal(new ConfigException(undefined, advertisedUrlClashMessage(url, c.groupId)));
      return;
    }
    if (assignment?.error === CONFIG_MISMATCH) {
      this.deps.logger.warn(
        `Leader reported a config mismatch at generation ${generation}; reading the config topic and rejoining`,
      );
      await store
        .readToEnd(c.workerSyncTimeoutMs)
        .catch((e: unknown) => this.deps.logger.warn({ err: e }, 'Config topic read failed'));
      this.member.requestRejoin('config mismatch');
      return;
    }
    if (assignment && assignment.configOffset > store.configOffset()) {
      await store.readToEnd(c.workerSyncTimeoutMs).catch(() => undefined);
      if (assignment.configOffset > store.configOffset()) {
        const backoff = Math.min(c.workerUnsyncBackoffMs, c.rebalanceTimeoutMs);
        this.deps.logger.error(
          `Could not read the config topic up to offset ${assignment.configOffset} within worker.sync.timeout.ms=${c.workerSyncTimeoutMs} ` +
            `(read ${store.configOffset()}); running nothing and rejoining in ${backoff} ms`,
        );
        await this.stopAllWork();
        await this.dropLeadership();
        setTimeout(
          () => this.member.requestRejoin('retrying after falling behind the config topic'),
          backoff,
        ).unref();
        return;
      }
    }
    await this.updateLeadership(assignment);

    const revoked = assignment?.revoked ?? EMPTY_WORK;
    const assigned = assignment?.assigned ?? EMPTY_WORK;
    const revokedCount = revoked.connectors.length + revoked.tasks.length;
    this.ownedConnectors.clear();
    this.ownedTasks.clear();
    for (const name of assigned.connectors) this.ownedConnectors.add(name);
    for (const id of assigned.tasks) this.ownedTasks.set(taskKey(id), id);
    // Revoked work stops here (sink tasks flush and commit) before the rejoin that lets others take it;
    // that rejoin does not wait for the new work to start.
    await this.reconcile(() => this.afterStops(assignment, generation, revokedCount));
  }

  private afterStops(assignment: Assignment | null, generation: number, revokedCount: number): void {
    for (const name of assignment?.revoked.connectors ?? []) this.pendingRevokedConnectors.delete(name);
    for (const id of assignment?.revoked.tasks ?? []) this.pendingRevoked.delete(taskKey(id));
    if (this.pendingAssigned === assignment?.assigned) this.pendingAssigned = null;
    this.joined = true;
    this.deps.logger.info(
      {
        generation,
        connectors: [...this.ownedConnectors],
        tasks: [...this.ownedTasks.values()].map((t) => `${t.connector}-${t.task}`),
        revoked: revokedCount,
      },
      `Running ${this.ownedConnectors.size} connectors and ${this.ownedTasks.size} tasks at generation ${generation}`,
    );
    if (revokedCount > 0)
      this.member.requestRejoin(`${revokedCount} connectors/tasks were revoked for other workers`);
  }

  /**
   * Makes the Worker run exactly the owned connectors and tasks as the config topic describes them.
   * `afterStops` runs once what must stop has stopped, before the starts.
   */
  private async reconcile(afterStops?: () => void): Promise<void> {
    const store = this.deps.configStore;
    const worker = this.opts.worker;

    for (const name of [...this.appliedConnectors.keys()]) {
      if (!this.ownedConnectors.has(name) || !store.get(name)) {
        worker.stopConnector(name);
        this.appliedConnectors.delete(name);
        this.markConnectorUnassigned(name);
      }
    }
    for (const name of this.ownedConnectors) {
      const entry = store.get(name);
      if (!entry) continue;
      const config = JSON.stringify(entry.config);
      const prev = this.appliedConnectors.get(name);
      if (prev && prev.config === config && prev.targetState === entry.targetState) continue;
      if (prev && prev.config !== config) worker.stopConnector(name);
      if (entry.targetState === 'STOPPED') worker.stopConnector(name, 'STOPPED');
      else if (!worker.isConnectorRunning(name)) {
        if (worker.startConnector(name, entry.config, entry.targetState)) {
          try {
            worker.connectorTaskConfigs(name);
          } catch (e) {
            worker.failConnector(name, e);
          }
        }
      } else worker.setConnectorTargetState(name, entry.targetState);
      this.appliedConnectors.set(name, { config, targetState: entry.targetState });
    }

    const desired = new Map<
      string,
      { id: ConnectorTaskId; config: Record<string, string>; applied: Applied }
    >();
    for (const [key, id] of this.ownedTasks) {
      const entry = store.get(id.connector);
      const config = entry?.taskConfigs[id.task];
      if (!entry || !config || entry.targetState === 'STOPPED') continue;
      desired.set(key, {
        id,
        config,
        applied: { config: JSON.stringify(config), targetState: entry.targetState },
      });
    }
    const running = new Map(worker.taskIds().map((id) => [taskKey(id), id]));
    const toStop: ConnectorTaskId[] = [];
    for (const [key, id] of running) {
      const d = desired.get(key);
      if (!d || this.appliedTasks.get(key)?.config !== d.applied.config) toStop.push(id);
    }
    for (const [key, prev] of this.appliedTasks) {
      const d = desired.get(key);
      if (!d || prev.config !== d.applied.config) this.appliedTasks.delete(key);
    }
    await worker.stopTasks(toStop);
    this.markUnassigned(toStop.filter((id) => !desired.has(taskKey(id))));
    afterStops?.();

    const retargeted = new Set<string>();
    for (const [key, d] of desired) {
      const prev = this.appliedTasks.get(key);
      if (prev && prev.targetState !== d.applied.targetState && !retargeted.has(d.id.connector)) {
        retargeted.add(d.id.connector);
        worker.setConnectorTargetState(d.id.connector, d.applied.targetState);
      }
      if (prev) prev.targetState = d.applied.targetState;
    }
    const starting: Promise<boolean>[] = [];
    for (const [key, d] of desired) {
      if (this.appliedTasks.has(key)) continue;
      this.appliedTasks.set(key, d.applied);
      starting.push(worker.startTask(d.id, d.config, d.applied.targetState));
    }
    await Promise.all(starting);
  }

  private async applyRestart(connector: string, request: RestartRequest): Promise<void> {
    if (!this.deps.configStore.get(connector)) return;
    const status = this.deps.statusStore;
    if (
      this.ownedConnectors.has(connector) &&
      (!request.onlyFailed || status.getConnector(connector)?.state === 'FAILED')
    ) {
      this.opts.worker.stopConnector(connector);
      this.appliedConnectors.delete(connector);
    }
    if (!request.includeTasks) return;
    const tasks: ConnectorTaskId[] = [];
    for (const [key, id] of this.ownedTasks) {
      if (id.connector !== connector) continue;
      if (request.onlyFailed && status.getTasks(connector).get(id.task)?.state !== 'FAILED') continue;
      this.appliedTasks.delete(key);
      tasks.push(id);
    }
    await this.opts.worker.stopTasks(tasks);
  }

  private async stopAllWork(): Promise<void> {
    this.ownedConnectors.clear();
    this.ownedTasks.clear();
    this.pendingAssigned = null;
    const running = this.opts.worker.taskIds();
    const connectors = [...this.appliedConnectors.keys()];
    await this.opts.worker.stopAll();
    this.markUnassigned(running);
    for (const name of connectors) this.markConnectorUnassigned(name);
    this.appliedConnectors.clear();
    this.appliedTasks.clear();
    this.pendingRevoked.clear();
    this.pendingRevokedConnectors.clear();
  }

  /**
   * Tasks this worker stopped and no longer runs show UNASSIGNED (not a stale RUNNING) until their new
   * owner reports, unless that owner already did at a newer generation (putTaskSafe).
   */
  private markUnassigned(stopped: readonly ConnectorTaskId[]): void {
    for (const id of stopped) {
      if (id.task >= (this.deps.configStore.get(id.connector)?.taskConfigs.length ?? 0)) continue;
      this.opts.statusStore.putTaskSafe(id.connector, id.task, {
        state: 'UNASSIGNED',
        workerId: this.opts.worker.workerId(),
      });
    }
  }

  /** The same for a connector this worker stopped (Kafka Connect's onShutdown); none for a deleted one. */
  private markConnectorUnassigned(name: string): void {
    if (!this.deps.configStore.get(name)) return;
    this.opts.statusStore.putConnectorSafe(name, {
      state: 'UNASSIGNED',
      workerId: this.opts.worker.workerId(),
    });
  }

  /** What the leader should count as this worker's: owned or about to be, plus revoked work still stopping. */
  private reportedWork(): WorkSet {
    const owned = this.pendingAssigned ?? {
      connectors: [...this.ownedConnectors],
      tasks: [...this.ownedTasks.values()],
    };
    const connectors = new Set([...owned.connectors, ...this.pendingRevokedConnectors]);
    const tasks = new Map(owned.tasks.map((id) => [taskKey(id), id]));
    for (const [key, id] of this.pendingRevoked) tasks.set(key, id);
    return { connectors: [...connectors], tasks: [...tasks.values()] };
  }

  private clusterWork(): ClusterWork {
    const store = this.deps.configStore;
    const connectors = store.connectors();
    const tasks: ConnectorTaskId[] = [];
    for (const connector of connectors) {
      const count = store.get(connector)?.taskConfigs.length ?? 0;
      for (let task = 0; task < count; task++) tasks.push({ connector, task });
    }
    return { connectors, tasks };
  }
}

function workSignature(work: ClusterWork): string {
  return JSON.stringify([work.connectors, work.tasks.map(taskKey)]);
}

const enc = encodeURIComponent;

/** Time a stopping worker waits for the rebalance that hands its work over: others notice within a heartbeat. */
export function handOverTimeoutMs(c: DistributedConfig): number {
  return Math.min(c.rebalanceTimeoutMs, 3 * c.heartbeatIntervalMs + 2000);
}
