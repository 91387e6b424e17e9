import type { Logger } from 'pino';
import type { GroupMember } from './assignor.js';
import { GroupError, type GroupTransport } from './group-transport.js';
import {
  PROTOCOL_NAME,
  PROTOCOL_TYPE,
  decodeAssignment,
  decodeMetadata,
  encodeAssignment,
  encodeMetadata,
  type Assignment,
  type MemberMetadata,
} from './protocol.js';

// A worker's membership in its group, as a small state machine over the GroupTransport:
//   (find coordinator) → JoinGroup → [leader: compute assignments] → SyncGroup → apply → stable,
//   heartbeating on a timer, until a rejoin is asked for (by the herder, or a heartbeat that reports a
//   rebalance) → JoinGroup again ...
// The herder's reactions run on this one loop, one step at a time, while heartbeats keep the session
// alive: onAssignment only queues the work changes (task starts may be slow) and returns;
// onMembershipLost waits until the work is stopped, since it must be before the rejoin.
//
// Work is not revoked before rejoining: with the incremental protocol members keep what they run
// through a rebalance and the leader revokes explicitly. Only a member that may have been dropped
// from the group (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, or no successful heartbeat for a whole
// session timeout) stops all its work before it rejoins, because the leader may already have handed
// that work to someone else.

export interface MemberListener {
  /** Metadata for the next JoinGroup, taken fresh each time (config offset, owned work). */
  metadata(): MemberMetadata;
  /** Leader only: every member's assignment. Keep it short: the followers' SyncGroup waits for it. */
  assign(
    leaderId: string,
    members: readonly GroupMember[],
    generation: number,
  ): Promise<ReadonlyMap<string, Assignment>>;
  /** Applies this member's assignment (null: the leader gave it nothing). Heartbeats continue meanwhile. */
  onAssignment(assignment: Assignment | null, generation: number): Promise<void>;
  /** This member may no longer own its work (see above): stop all of it before rejoining. */
  onMembershipLost(reason: string): Promise<void>;
  /** The coordinator refused this worker for a reason no retry fixes; the member has stopped. */
  onFatal(error: GroupError): void;
}

export interface MemberOptions {
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Wait before retrying after the coordinator could not be reached. */
  readonly retryBackoffMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

export class WorkerGroupMember {
  private memberId = '';
  private generation = -1;
  private leaderId = '';
  private coordinatorKnown = false;
  private rejoinRequested = true;
  private lostReason: string | null = null;
  private stopped = false;
  /** Between a successful SyncGroup and the next JoinGroup: heartbeats are due. */
  private stable = false;
  private lastHeartbeat = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private joinSeq = 0;
  private completedSeq = 0;
  private readonly waiters: { afterSeq: number; resolve: () => void }[] = [];
  private readonly now: () => number;

  constructor(
    private readonly transport: GroupTransport,
    private readonly listener: MemberListener,
    private readonly options: MemberOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get currentMemberId(): string {
    return this.memberId;
  }

  get currentGeneration(): number {
    return this.generation;
  }

  isLeader(): boolean {
    return this.stable && this.memberId !== '' && this.memberId === this.leaderId;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Asks for a rebalance at the next opportunity (after the current step). */
  requestRejoin(reason: string): void {
    if (this.stopped) return;
    if (!this.rejoinRequested) this.options.logger.info({ reason }, `Rejoining group: ${reason}`);
    this.rejoinRequested = true;
    this.wakeUp();
  }

  /** Rejoins and resolves once a round that began after this call was applied (or after timeoutMs). */
  async rejoinAndWait(reason: string, timeoutMs: number): Promise<boolean> {
    const afterSeq = this.joinSeq;
    const done = new Promise<void>((resolve) => this.waiters.push({ afterSeq, resolve }));
    this.requestRejoin(reason);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([done.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the loop and leaves the group, so the others rebalance at once instead of after the session timeout. */
  async leave(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    this.stopHeartbeats();
    await this.loop?.catch(() => undefined);
    if (this.memberId !== '') {
      await this.transport
        .leave(this.memberId)
        .catch((e: unknown) =>
          this.options.logger.warn(
            { err: e },
            'LeaveGroup failed; the coordinator drops this worker after its session timeout',
          ),
        );
    }
    this.memberId = '';
    await this.transport.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.lostReason !== null) {
        const reason = this.lostReason;
        this.lostReason = null;
        await this.listener
          .onMembershipLost(reason)
          .catch((e: unknown) =>
            this.options.logger.error({ err: e }, 'Stopping work after losing group membership failed'),
          );
      }
      if (!this.rejoinRequested) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      try {
        await this.joinAndSync();
      } catch (e) {
        await this.onError(e);
      }
    }
  }

  private async joinAndSync(): Promise<void> {
    this.stable = false;
    this.stopHeartbeats();
    if (!this.coordinatorKnown) {
      await this.transport.findCoordinator();
      this.coordinatorKnown = true;
    }
    const seq = ++this.joinSeq;
    // A request from here on needs another round: this join may already be past it.
    this.rejoinRequested = false;
    const joined = await this.transport.join({
      memberId: this.memberId,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
      protocolType: PROTOCOL_TYPE,
      protocolName: PROTOCOL_NAME,
      metadata: encodeMetadata(this.listener.metadata()),
    });
    this.memberId = joined.memberId;
    this.generation = joined.generationId;
    this.leaderId = joined.leaderId;
    let assignments: { memberId: string; assignment: Buffer }[] = [];
    if (joined.leaderId === joined.memberId) {
      const members = this.decodeMembers(joined.members);
      const computed = await this.listener.assign(joined.leaderId, members, joined.generationId);
      assignments = [...computed].map(([memberId, a]) => ({ memberId, assignment: encodeAssignment(a) }));
    }
    const bytes = await this.transport.sync({
      generationId: joined.generationId,
      memberId: joined.memberId,
      assignments,
    });
    this.stable = true;
    this.lastHeartbeat = this.now();
    this.scheduleHeartbeat();
    let assignment: Assignment | null = null;
    try {
      assignment = decodeAssignment(bytes);
    } catch (e) {
      this.options.logger.error(
        { err: e },
        'Could not decode the assignment from the group leader; running nothing until the next rebalance',
      );
    }
    this.options.logger.info(
      {
        generation: joined.generationId,
        memberId: joined.memberId,
        leader: joined.leaderId === joined.memberId,
      },
      `Joined group at generation ${joined.generationId} as ${joined.leaderId === joined.memberId ? 'leader' : 'follower'}`,
    );
    await this.listener.onAssignment(assignment, joined.generationId);
    this.completedSeq = seq;
    for (const w of this.waiters.splice(0)) {
      if (w.afterSeq < this.completedSeq) w.resolve();
      else this.waiters.push(w);
    }
  }

  private decodeMembers(members: readonly { memberId: string; metadata: Buffer }[]): GroupMember[] {
    const out: GroupMember[] = [];
    for (const m of members) {
      try {
        out.push({ memberId: m.memberId, metadata: decodeMetadata(m.metadata) });
      } catch (e) {
        this.options.logger.error(
          { err: e, memberId: m.memberId },
          `Member ${m.memberId} sent metadata this worker cannot read; it gets no work`,
        );
      }
    }
    return out;
  }

  private async onError(e: unknown): Promise<void> {
    this.rejoinRequested = true;
    const error = asGroupError(e);
    switch (error.kind) {
      case 'rebalance':
        this.options.logger.debug({ code: error.code }, 'Group is rebalancing; rejoining');
        return;
      case 'fenced':
        this.options.logger.warn(
          { code: error.code },
          `Group membership lost (${error.code}); stopping all work before rejoining`,
        );
        this.markLost(error);
        return;
      case 'coordinator':
        this.options.logger.warn(
          { err: error },
          `Group coordinator unavailable (${error.code}); retrying in ${this.options.retryBackoffMs} ms`,
        );
        this.coordinatorKnown = false;
        // KAFKA-9184: the session deadline holds through join, sync and find-coordinator too. Past
        // it the coordinator has dropped this member and may have given its work away: stop it.
        if (this.generation !== -1 && this.now() - this.lastHeartbeat >= this.options.sessionTimeoutMs) {
          this.markLost(
            new GroupError(
              'fenced',
              'SESSION_TIMED_OUT',
              `no coordinator answered for ${this.options.sessionTimeoutMs} ms`,
            ),
          );
          return;
        }
        await this.sleep(this.options.retryBackoffMs);
        return;
      case 'fatal':
        this.options.logger.error({ code: error.code }, error.message);
        this.stopped = true;
        this.stopHeartbeats();
        this.listener.onFatal(error);
        return;
    }
  }

  private markLost(error: GroupError): void {
    if (error.memberUnknown) this.memberId = '';
    this.generation = -1;
    this.stable = false;
    this.lostReason = `${error.code}: ${error.message}`;
  }

  private scheduleHeartbeat(): void {
    this.stopHeartbeats();
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), this.options.heartbeatIntervalMs);
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async heartbeat(): Promise<void> {
    this.heartbeatTimer = null;
    if (!this.stable || this.stopped) return;
    if (this.now() - this.lastHeartbeat >= this.options.sessionTimeoutMs) {
      // The process was frozen (SIGSTOP, a long GC, a suspended VM) past its session: the group may
      // have given its work away already. Stop it now, before any task goes on, without a request first.
      this.sessionTimedOut();
      return;
    }
    const generation = this.generation;
    try {
      if (!this.coordinatorKnown) {
        await this.transport.findCoordinator();
        this.coordinatorKnown = true;
      }
      await this.withinSession(this.transport.heartbeat(generation, this.memberId));
      this.lastHeartbeat = this.now();
    } catch (e) {
      const error = asGroupError(e);
      if (!this.stable || generation !== this.generation) return;
      if (error.kind === 'rebalance') {
        // The coordinator answered and still counts this member (Kafka treats it the same): live.
        this.lastHeartbeat = this.now();
        this.requestRejoin('the group is rebalancing');
      } else if (error.kind === 'fenced') {
        this.markLost(error);
        this.requestRejoin(`membership lost (${error.code})`);
        return;
      } else {
        this.coordinatorKnown = false;
        this.options.logger.warn({ err: error }, `Heartbeat failed (${error.code})`);
      }
    }
    if (this.now() - this.lastHeartbeat >= this.options.sessionTimeoutMs) {
      // The coordinator has dropped us by now and may have given our work away: stop it.
      this.sessionTimedOut();
      return;
    }
    if (this.stable && !this.stopped) this.scheduleHeartbeat();
  }

  private sessionTimedOut(): void {
    this.markLost(
      new GroupError(
        'fenced',
        'SESSION_TIMED_OUT',
        `no successful heartbeat for ${this.options.sessionTimeoutMs} ms`,
      ),
    );
    this.requestRejoin('session timed out');
  }

  /**
   * A heartbeat request may hang (a coordinator that accepts connections but never answers): it gets
   * at most what is left of the session, and at least one heartbeat interval, so that the session
   * check after it always runs.
   */
  private withinSession<T>(request: Promise<T>): Promise<T> {
    const left = this.lastHeartbeat + this.options.sessionTimeoutMs - this.now();
    const limitMs = Math.max(this.options.heartbeatIntervalMs, left);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new GroupError(
              'coordinator',
              'REQUEST_TIMED_OUT',
              `no answer to a heartbeat within ${limitMs} ms`,
            ),
          ),
        limitMs,
      );
    });
    request.catch(() => undefined);
    return Promise.race([request, timeout]).finally(() => clearTimeout(timer));
  }

  private wakeUp(): void {
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    // A stop must not wait out the backoff: wakeUp() ends it early.
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

function asGroupError(e: unknown): GroupError {
  if (e instanceof GroupError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  return new GroupError('coordinator', err.name, err.message, { cause: err });
}
