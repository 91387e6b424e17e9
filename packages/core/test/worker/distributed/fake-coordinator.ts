import {
  GroupError,
  type GroupTransport,
  type JoinRequest,
  type JoinResponse,
  type SyncRequest,
} from '../../../src/worker/distributed/group-transport.js';

// An in-memory group coordinator with the classic protocol's rules that the membership loop relies
// on: a join starts a rebalance that completes once every member rejoined, the previous leader stays
// leader, followers' SyncGroup waits for the leader's, heartbeats report REBALANCE_IN_PROGRESS while
// a rebalance is pending and UNKNOWN_MEMBER_ID for members it dropped.

interface PendingJoin {
  metadata: Buffer;
  resolve: (r: JoinResponse) => void;
}

export class FakeCoordinator {
  generation = 0;
  leaderId = '';
  state: 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' = 'Empty';
  readonly calls: string[] = [];
  private readonly members = new Map<string, Buffer>();
  private readonly pending = new Map<string, PendingJoin>();
  private assignments: Map<string, Buffer> | null = null;
  private syncWaiters: (() => void)[] = [];
  private nextId = 1;
  /** Errors to throw from the next call of an operation, e.g. failNext.set('join', error). */
  readonly failNext = new Map<string, GroupError>();

  transport(name: string): GroupTransport {
    return {
      findCoordinator: async () => this.maybeFail('findCoordinator'),
      join: (r) => this.join(name, r),
      sync: (r) => this.sync(r),
      heartbeat: async (generation, memberId) => this.heartbeat(generation, memberId),
      leave: async (memberId) => this.remove(memberId, `leave:${name}`),
      close: async () => undefined,
    };
  }

  memberIds(): string[] {
    return [...this.members.keys()];
  }

  /** The session of a member ran out (e.g. its process was killed). */
  expire(memberId: string): void {
    this.remove(memberId, `expire:${memberId}`);
  }

  private maybeFail(op: string): void {
    const error = this.failNext.get(op);
    if (error) {
      this.failNext.delete(op);
      throw error;
    }
  }

  private async join(name: string, r: JoinRequest): Promise<JoinResponse> {
    this.maybeFail('join');
    if (r.memberId !== '' && !this.members.has(r.memberId))
      throw new GroupError('fenced', 'UNKNOWN_MEMBER_ID', 'unknown member');
    const memberId = r.memberId || `${name}-${this.nextId++}`;
    this.calls.push(`join:${name}`);
    this.members.set(memberId, r.metadata);
    this.state = 'PreparingRebalance';
    this.assignments = null;
    const response = new Promise<JoinResponse>((resolve) =>
      this.pending.set(memberId, { metadata: r.metadata, resolve }),
    );
    this.tryComplete();
    return response;
  }

  private tryComplete(): void {
    if (this.state !== 'PreparingRebalance' || this.members.size === 0) return;
    if (![...this.members.keys()].every((id) => this.pending.has(id))) return;
    this.generation++;
    if (!this.members.has(this.leaderId)) this.leaderId = [...this.pending.keys()][0]!;
    this.state = 'CompletingRebalance';
    const members = [...this.pending].map(([memberId, p]) => ({ memberId, metadata: p.metadata }));
    for (const [memberId, p] of this.pending) {
      p.resolve({
        generationId: this.generation,
        memberId,
        leaderId: this.leaderId,
        members: memberId === this.leaderId ? members : [],
      });
    }
    this.pending.clear();
  }

  private async sync(r: SyncRequest): Promise<Buffer> {
    this.maybeFail('sync');
    if (!this.members.has(r.memberId)) throw new GroupError('fenced', 'UNKNOWN_MEMBER_ID', 'unknown member');
    if (r.generationId !== this.generation)
      throw new GroupError('fenced', 'ILLEGAL_GENERATION', 'stale generation');
    if (this.state === 'PreparingRebalance')
      throw new GroupError('rebalance', 'REBALANCE_IN_PROGRESS', 'rebalancing');
    if (r.memberId === this.leaderId) {
      this.assignments = new Map(r.assignments.map((a) => [a.memberId, a.assignment]));
      this.state = 'Stable';
      for (const w of this.syncWaiters.splice(0)) w();
    }
    while (this.assignments === null) {
      // A join while this sync waited may have started a new rebalance: read the state afresh (TypeScript
      // still holds the narrowing from before the await).
      if (this.stateNow() === 'PreparingRebalance')
        throw new GroupError('rebalance', 'REBALANCE_IN_PROGRESS', 'rebalancing');
      await new Promise<void>((resolve) => this.syncWaiters.push(resolve));
    }
    return this.assignments.get(r.memberId) ?? Buffer.alloc(0);
  }

  private stateNow(): FakeCoordinator['state'] {
    return this.state;
  }

  private heartbeat(generation: number, memberId: string): void {
    this.maybeFail('heartbeat');
    if (!this.members.has(memberId)) throw new GroupError('fenced', 'UNKNOWN_MEMBER_ID', 'unknown member');
    if (this.state === 'PreparingRebalance')
      throw new GroupError('rebalance', 'REBALANCE_IN_PROGRESS', 'rebalancing');
    if (generation !== this.generation)
      throw new GroupError('fenced', 'ILLEGAL_GENERATION', 'stale generation');
  }

  private remove(memberId: string, call: string): void {
    this.calls.push(call);
    if (!this.members.delete(memberId)) return;
    this.pending.delete(memberId);
    this.state = this.members.size === 0 ? 'Empty' : 'PreparingRebalance';
    this.assignments = null;
    for (const w of this.syncWaiters.splice(0)) w();
    this.tryComplete();
  }
}
