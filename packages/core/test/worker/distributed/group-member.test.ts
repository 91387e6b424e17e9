import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { GroupMember } from '../../../src/worker/distributed/assignor.js';
import { WorkerGroupMember, type MemberListener } from '../../../src/worker/distributed/group-member.js';
import { GroupError } from '../../../src/worker/distributed/group-transport.js';
import { EMPTY_WORK, NO_ERROR, type Assignment } from '../../../src/worker/distributed/protocol.js';
import { FakeCoordinator } from './fake-coordinator.js';

const logger = pino({ level: 'silent' });

/** A listener that records what the member asks of the herder; the leader gives every member its own id as a connector. */
class RecordingListener implements MemberListener {
  readonly events: string[] = [];
  readonly assignments: (Assignment | null)[] = [];
  readonly seenMembers: string[][] = [];
  fatal: GroupError | null = null;
  configOffset = 0;

  constructor(private readonly name: string) {}

  metadata() {
    return {
      url: `http://${this.name}:8083`,
      configOffset: this.configOffset,
      owned: EMPTY_WORK,
      leaving: false,
    };
  }

  async assign(leaderId: string, members: readonly GroupMember[]) {
    this.seenMembers.push(members.map((m) => m.metadata.url).sort());
    return new Map(
      members.map((m): [string, Assignment] => [
        m.memberId,
        {
          error: NO_ERROR,
          leaderId,
          leaderUrl: `http://${this.name}:8083`,
          configOffset: 0,
          assigned: { connectors: [m.memberId], tasks: [] },
          revoked: EMPTY_WORK,
          delayMs: 0,
        },
      ]),
    );
  }

  async onAssignment(assignment: Assignment | null) {
    this.events.push('assigned');
    this.assignments.push(assignment);
  }

  async onMembershipLost(reason: string) {
    this.events.push(`lost:${reason.split(':')[0]}`);
  }

  onFatal(error: GroupError) {
    this.fatal = error;
  }

  last(): Assignment | null {
    return this.assignments.at(-1) ?? null;
  }
}

const options = {
  sessionTimeoutMs: 2000,
  rebalanceTimeoutMs: 5000,
  heartbeatIntervalMs: 20,
  retryBackoffMs: 10,
  logger,
};
const members: WorkerGroupMember[] = [];

function startMember(coordinator: FakeCoordinator, name: string) {
  const listener = new RecordingListener(name);
  const member = new WorkerGroupMember(coordinator.transport(name), listener, options);
  members.push(member);
  member.start();
  return { member, listener };
}

async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

afterEach(async () => {
  for (const m of members.splice(0)) await m.leave();
});

describe('WorkerGroupMember', () => {
  it('forms a group with one leader that assigns every member, followers included', async () => {
    const coordinator = new FakeCoordinator();
    const a = startMember(coordinator, 'a');
    await until(() => a.listener.assignments.length === 1, 'a alone in the group');
    const b = startMember(coordinator, 'b');
    // a learns of the rebalance from its heartbeat and rejoins; b is assigned by a, the leader.
    await until(
      () => b.listener.assignments.length === 1 && a.listener.assignments.length === 2,
      'a second round with both',
    );
    expect(a.member.isLeader()).toBe(true);
    expect(b.member.isLeader()).toBe(false);
    expect(a.listener.seenMembers.at(-1)).toEqual(['http://a:8083', 'http://b:8083']);
    expect(b.listener.seenMembers).toEqual([]);
    expect(b.listener.last()?.assigned.connectors).toEqual([b.member.currentMemberId]);
    expect(b.listener.last()?.leaderId).toBe(a.member.currentMemberId);
    expect(a.listener.events).not.toContain(expect.stringMatching(/^lost/));
  });

  it('rejoins on request and keeps its work through a plain rebalance', async () => {
    const coordinator = new FakeCoordinator();
    const a = startMember(coordinator, 'a');
    await until(() => a.listener.assignments.length === 1, 'first assignment');
    const done = await a.member.rejoinAndWait('test asked', 2000);
    expect(done).toBe(true);
    expect(a.listener.assignments).toHaveLength(2);
    expect(coordinator.generation).toBe(2);
    expect(a.listener.events).toEqual(['assigned', 'assigned']);
  });

  it('stops its work before rejoining once the coordinator forgot it (UNKNOWN_MEMBER_ID)', async () => {
    const coordinator = new FakeCoordinator();
    const a = startMember(coordinator, 'a');
    await until(() => a.listener.assignments.length === 1, 'first assignment');
    const firstId = a.member.currentMemberId;
    coordinator.expire(firstId);
    await until(() => a.listener.assignments.length === 2, 'assignment after rejoining');
    expect(a.listener.events).toEqual(['assigned', 'lost:UNKNOWN_MEMBER_ID', 'assigned']);
    expect(a.member.currentMemberId).not.toBe(firstId);
  });

  it('treats a missing heartbeat for a whole session as lost membership', async () => {
    const coordinator = new FakeCoordinator();
    let now = 0;
    const listener = new RecordingListener('a');
    const member = new WorkerGroupMember(coordinator.transport('a'), listener, {
      ...options,
      now: () => now,
    });
    members.push(member);
    member.start();
    await until(() => listener.assignments.length === 1, 'first assignment');
    // The coordinator cannot be reached, and the clock passes the session timeout.
    coordinator.failNext.set('heartbeat', new GroupError('coordinator', 'NETWORK_EXCEPTION', 'down'));
    now += 2500;
    await until(() => listener.events.includes('lost:SESSION_TIMED_OUT'), 'lost after the session timeout');
  });

  it('stops its work once no coordinator answered its rejoin for a whole session (issue 16, point 1)', async () => {
    const coordinator = new FakeCoordinator();
    let now = 0;
    let down = false;
    const unreachable = () => new GroupError('coordinator', 'COORDINATOR_NOT_AVAILABLE', 'down');
    const transport = coordinator.transport('a');
    const cutOff = {
      ...transport,
      findCoordinator: async () => {
        if (down) throw unreachable();
        return transport.findCoordinator();
      },
      join: async (r: Parameters<typeof transport.join>[0]) => {
        if (down) throw unreachable();
        return transport.join(r);
      },
    };
    const listener = new RecordingListener('a');
    const member = new WorkerGroupMember(cutOff, listener, { ...options, now: () => now });
    members.push(member);
    member.start();
    await until(() => listener.assignments.length === 1, 'first assignment');
    // Cut off while rejoining: no heartbeats run, every join attempt fails, the session runs out.
    down = true;
    member.requestRejoin('test');
    await new Promise((r) => setTimeout(r, 50));
    expect(listener.events).not.toContain('lost:SESSION_TIMED_OUT');
    now += 2500;
    await until(
      () => listener.events.includes('lost:SESSION_TIMED_OUT'),
      'work stopped after the session timeout',
    );
  });

  it('puts a time limit on each heartbeat, so a hung coordinator cannot stall the session check (issue 16, point 1)', async () => {
    const coordinator = new FakeCoordinator();
    let now = 0;
    let hang = false;
    const transport = coordinator.transport('a');
    const hung = {
      ...transport,
      heartbeat: (generation: number, memberId: string) =>
        hang ? new Promise<void>(() => undefined) : transport.heartbeat(generation, memberId),
    };
    const listener = new RecordingListener('a');
    const member = new WorkerGroupMember(hung, listener, { ...options, now: () => now });
    members.push(member);
    member.start();
    await until(() => listener.assignments.length === 1, 'first assignment');
    // The coordinator takes the heartbeat and never answers; the session runs out meanwhile.
    hang = true;
    await new Promise((r) => setTimeout(r, 50));
    now += 2500;
    await until(
      () => listener.events.includes('lost:SESSION_TIMED_OUT'),
      'work stopped after the session timeout',
    );
  });

  it('counts heartbeats answered REBALANCE_IN_PROGRESS as live while it applies an assignment (issue 16, point 3)', async () => {
    const coordinator = new FakeCoordinator();
    let now = 0;
    let heartbeats = 0;
    const transport = coordinator.transport('a');
    const rebalancing = {
      ...transport,
      heartbeat: async () => {
        heartbeats++;
        throw new GroupError('rebalance', 'REBALANCE_IN_PROGRESS', 'rebalancing');
      },
    };
    let release: () => void = () => undefined;
    const listener = new RecordingListener('a');
    const slow = Object.assign(Object.create(listener) as RecordingListener, {
      onAssignment: async (a: Assignment | null) => {
        await listener.onAssignment(a);
        if (listener.assignments.length === 1) await new Promise<void>((r) => (release = r));
      },
    });
    const member = new WorkerGroupMember(rebalancing, slow, { ...options, now: () => now });
    members.push(member);
    member.start();
    await until(() => listener.assignments.length === 1, 'first assignment');
    // The loop is busy with the assignment; the coordinator answers every heartbeat "rebalancing".
    await until(() => heartbeats >= 2, 'heartbeats');
    now += 1500;
    await until(() => heartbeats >= 4, 'heartbeats after 1.5 s');
    now += 1500;
    const seen = heartbeats;
    await until(() => heartbeats >= seen + 3, 'more heartbeats after 3 s');
    expect(listener.events).not.toContain('lost:SESSION_TIMED_OUT');
    release();
    await until(() => listener.assignments.length === 2, 'the rejoin once the assignment was applied');
    expect(listener.events).toEqual(['assigned', 'assigned']);
  });

  it('stops its work at once when it wakes up past its session (SIGSTOP), before asking the coordinator', async () => {
    const coordinator = new FakeCoordinator();
    let now = 0;
    let heartbeats = 0;
    const transport = coordinator.transport('a');
    const counting = {
      ...transport,
      heartbeat: async (generation: number, memberId: string) => {
        heartbeats++;
        return transport.heartbeat(generation, memberId);
      },
    };
    const listener = new RecordingListener('a');
    const member = new WorkerGroupMember(counting, listener, { ...options, now: () => now });
    members.push(member);
    member.start();
    await until(() => listener.assignments.length === 1 && heartbeats > 0, 'first assignment and heartbeat');
    const sent = heartbeats;
    // Frozen for longer than the session: the next heartbeat tick finds the session over.
    now += 2500;
    await until(() => listener.events.includes('lost:SESSION_TIMED_OUT'), 'work stopped on waking');
    expect(heartbeats).toBe(sent);
  });

  it('stops for good on a configuration error such as INCONSISTENT_GROUP_PROTOCOL', async () => {
    const coordinator = new FakeCoordinator();
    coordinator.failNext.set(
      'join',
      new GroupError('fatal', 'INCONSISTENT_GROUP_PROTOCOL', 'another protocol uses this group.id'),
    );
    const a = startMember(coordinator, 'a');
    await until(() => a.listener.fatal !== null, 'fatal error');
    expect(a.listener.fatal?.code).toBe('INCONSISTENT_GROUP_PROTOCOL');
    await new Promise((r) => setTimeout(r, 50));
    expect(coordinator.calls).toEqual([]);
    expect(a.listener.assignments).toEqual([]);
  });

  it('retries after the coordinator could not be found', async () => {
    const coordinator = new FakeCoordinator();
    coordinator.failNext.set(
      'findCoordinator',
      new GroupError('coordinator', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'loading'),
    );
    const a = startMember(coordinator, 'a');
    await until(() => a.listener.assignments.length === 1, 'assignment after the retry');
  });

  it('sends LeaveGroup when leaving, so the others rebalance at once', async () => {
    const coordinator = new FakeCoordinator();
    const a = startMember(coordinator, 'a');
    const b = startMember(coordinator, 'b');
    await until(
      () =>
        a.listener.assignments.length >= 1 &&
        b.listener.assignments.length >= 1 &&
        coordinator.state === 'Stable' &&
        coordinator.memberIds().length === 2,
      'both in the group',
    );
    const rounds = a.listener.assignments.length;
    await b.member.leave();
    expect(coordinator.calls).toContain('leave:b');
    await until(() => a.listener.assignments.length === rounds + 1, 'a rebalanced alone');
    expect(coordinator.memberIds()).toEqual([a.member.currentMemberId]);
  });
});
