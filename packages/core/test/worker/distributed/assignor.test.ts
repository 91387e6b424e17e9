import { describe, expect, it } from 'vitest';
import {
  assign,
  INITIAL_ASSIGNOR_STATE,
  REVOKING_BACKOFF_MS,
  revokingBackoffMs,
  type AssignorState,
  type ClusterWork,
  type GroupMember,
} from '../../../src/worker/distributed/assignor.js';
import type { WorkSet } from '../../../src/worker/distributed/protocol.js';
import type { ConnectorTaskId } from '../../../src/worker/types.js';

const tasks = (connector: string, n: number): ConnectorTaskId[] =>
  Array.from({ length: n }, (_, task) => ({ connector, task }));
const work = (connectors: Record<string, number>): ClusterWork => ({
  connectors: Object.keys(connectors),
  tasks: Object.entries(connectors).flatMap(([c, n]) => tasks(c, n)),
});
const member = (memberId: string, owned: Partial<WorkSet> = {}, leaving = false): GroupMember => ({
  memberId,
  metadata: {
    url: `http://${memberId}:8083`,
    configOffset: 10,
    owned: { connectors: owned.connectors ?? [], tasks: owned.tasks ?? [] },
    leaving,
  },
});
const names = (ids: readonly ConnectorTaskId[]) => ids.map((t) => `${t.connector}-${t.task}`).sort();

describe('assignor', () => {
  it('spreads a fresh cluster evenly: one connector and 6 tasks over 3 workers → 2/2/2', () => {
    const result = assign({
      members: [member('w3'), member('w1'), member('w2')],
      work: work({ x: 6 }),
      state: INITIAL_ASSIGNOR_STATE,
      now: 0,
      maxDelayMs: 0,
    });
    const counts = [...result.assignments.values()].map((a) => a.assigned.tasks.length);
    expect(counts).toEqual([2, 2, 2]);
    expect([...result.assignments.values()].flatMap((a) => a.assigned.connectors)).toEqual(['x']);
    expect(names([...result.assignments.values()].flatMap((a) => a.assigned.tasks))).toEqual(
      names(tasks('x', 6)),
    );
    expect([...result.assignments.values()].every((a) => a.revoked.tasks.length === 0)).toBe(true);
    expect(result.delayMs).toBe(0);
  });

  it('keeps balanced work where it runs: nothing is revoked or moved', () => {
    const members = [
      member('w1', {
        connectors: ['x'],
        tasks: [
          { connector: 'x', task: 0 },
          { connector: 'x', task: 3 },
        ],
      }),
      member('w2', {
        tasks: [
          { connector: 'x', task: 1 },
          { connector: 'x', task: 4 },
        ],
      }),
      member('w3', {
        tasks: [
          { connector: 'x', task: 2 },
          { connector: 'x', task: 5 },
        ],
      }),
    ];
    const result = assign({
      members,
      work: work({ x: 6 }),
      state: INITIAL_ASSIGNOR_STATE,
      now: 0,
      maxDelayMs: 0,
    });
    for (const m of members) {
      expect(names(result.assignments.get(m.memberId)!.assigned.tasks)).toEqual(
        names(m.metadata.owned.tasks),
      );
      expect(result.assignments.get(m.memberId)!.revoked.tasks).toEqual([]);
    }
  });

  it('moves work onto a new worker in two steps: revoke the surplus, then assign it in the follow-up round', () => {
    const owned1 = tasks('x', 6).slice(0, 3);
    const owned2 = tasks('x', 6).slice(3);
    const first = assign({
      members: [
        member('w1', { connectors: ['x'], tasks: owned1 }),
        member('w2', { tasks: owned2 }),
        member('w3'),
      ],
      work: work({ x: 6 }),
      state: INITIAL_ASSIGNOR_STATE,
      now: 0,
      maxDelayMs: 0,
    });
    const revoked1 = first.assignments.get('w1')!.revoked.tasks;
    const revoked2 = first.assignments.get('w2')!.revoked.tasks;
    expect(revoked1.length + revoked2.length).toBe(2);
    // What is being given up is not handed out in the same round: it may still be running.
    expect(first.assignments.get('w3')!.assigned.tasks).toEqual([]);

    const second = assign({
      members: [
        member('w1', { connectors: ['x'], tasks: first.assignments.get('w1')!.assigned.tasks }),
        member('w2', { tasks: first.assignments.get('w2')!.assigned.tasks }),
        member('w3'),
      ],
      work: work({ x: 6 }),
      state: first.state,
      now: 1,
      maxDelayMs: 0,
    });
    expect(names(second.assignments.get('w3')!.assigned.tasks)).toEqual(names([...revoked1, ...revoked2]));
    expect(['w1', 'w2', 'w3'].map((m) => second.assignments.get(m)!.assigned.tasks.length)).toEqual([
      2, 2, 2,
    ]);
  });

  it('holds the work of a vanished worker for scheduled.rebalance.max.delay.ms, then reassigns it', () => {
    const round1 = assign({
      members: [member('w1'), member('w2'), member('w3')],
      work: work({ x: 6 }),
      state: INITIAL_ASSIGNOR_STATE,
      now: 0,
      maxDelayMs: 0,
    });
    const ownedBy = (id: string, r = round1) => r.assignments.get(id)!.assigned;
    const lost = ownedBy('w3');

    const held = assign({
      members: [member('w1', ownedBy('w1')), member('w2', ownedBy('w2'))],
      work: work({ x: 6 }),
      state: round1.state,
      now: 1000,
      maxDelayMs: 5000,
    });
    expect(held.delayMs).toBe(5000);
    expect(names([...held.assignments.values()].flatMap((a) => a.assigned.tasks))).not.toEqual(
      expect.arrayContaining(names(lost.tasks)),
    );
    expect(held.state.delayed?.deadline).toBe(6000);

    const before = assign({
      members: [member('w1', ownedBy('w1')), member('w2', ownedBy('w2'))],
      work: work({ x: 6 }),
      state: held.state,
      now: 4000,
      maxDelayMs: 5000,
    });
    expect(before.delayMs).toBe(2000);

    const after = assign({
      members: [member('w1', ownedBy('w1')), member('w2', ownedBy('w2'))],
      work: work({ x: 6 }),
      state: before.state,
      now: 6000,
      maxDelayMs: 5000,
    });
    expect(after.delayMs).toBe(0);
    expect(after.state.delayed).toBeNull();
    expect(names([...after.assignments.values()].flatMap((a) => a.assigned.tasks))).toEqual(
      names(tasks('x', 6)),
    );
    expect(['w1', 'w2'].map((m) => after.assignments.get(m)!.assigned.tasks.length)).toEqual([3, 3]);
  });

  it('reassigns the work of a vanished worker at once when the delay is 0', () => {
    const round1 = assign({
      members: [member('w1'), member('w2')],
      work: work({ x: 4 }),
      state: INITIAL_ASSIGNOR_STATE,
      now: 0,
      maxDelayMs: 0,
    });
    const result = assign({
      members: [member('w1', round1.assignments.get('w1')!.assigned)],
      work: work({ x: 4 }),
      state: round1.state,
      now: 1,
      maxDelayMs: 0,
    });
    expect(result.assignments.get('w1')!.assigned.tasks).toHaveLength(4);
    expect(result.assignments.get('w1')!.assigned.connectors).toEqual(['x']);
  });

  it('gives a leaving worker nothing and its former work to the others at once', () => {
    const state: AssignorState = {
      previous: new Map([
        ['w1', { connectors: ['x'], tasks: tasks('x', 2) }],
        ['w2', { connectors: [], tasks: tasks('x', 4).slice(2) }],
      ]),
      delayed: null,
      revoking: null,
    };
    const result = assign({
      members: [member('w1', {}, true), member('w2', { tasks: tasks('x', 4).slice(2) })],
      work: work({ x: 4 }),
      state,
      now: 0,
      maxDelayMs: 60_000,
    });
    expect(result.assignments.get('w1')!.assigned).toEqual({ connectors: [], tasks: [] });
    expect(result.assignments.get('w2')!.assigned.tasks).toHaveLength(4);
    expect(result.assignments.get('w2')!.assigned.connectors).toEqual(['x']);
    expect(result.delayMs).toBe(0);
  });

  it('revokes work claimed by two workers from the second and forgets work that no longer exists', () => {
    const result = assign({
      members: [
        member('w1', {
          tasks: [
            { connector: 'x', task: 0 },
            { connector: 'gone', task: 0 },
          ],
        }),
        member('w2', { tasks: [{ connector: 'x', task: 0 }] }),
      ],
      work: work({ x: 2 }),
      state: INITIAL_ASSIGNOR_STATE,
      now: 0,
      maxDelayMs: 0,
    });
    expect(names(result.assignments.get('w2')!.revoked.tasks)).toEqual(['x-0']);
    expect(names(result.assignments.get('w1')!.assigned.tasks)).toEqual(['x-0']);
    expect(names([...result.assignments.values()].flatMap((a) => a.assigned.tasks))).not.toContain('gone-0');
  });

  it('balances connectors and tasks separately across several connectors', () => {
    const result = assign({
      members: [member('a'), member('b')],
      work: work({ c1: 3, c2: 1, c3: 2 }),
      state: INITIAL_ASSIGNOR_STATE,
      now: 0,
      maxDelayMs: 0,
    });
    const a = result.assignments.get('a')!.assigned;
    const b = result.assignments.get('b')!.assigned;
    expect([a.connectors.length, b.connectors.length].sort()).toEqual([1, 2]);
    expect([a.tasks.length, b.tasks.length]).toEqual([3, 3]);
  });
});

describe('assignor: quick restarts and revoking back-off (issue 16, point 5)', () => {
  const t = (...ids: number[]) => ids.map((task) => ({ connector: 'x', task }));
  const stable = () =>
    assign({
      members: [member('w1'), member('w2'), member('w3')],
      work: work({ x: 6 }),
      state: INITIAL_ASSIGNOR_STATE,
      now: 0,
      maxDelayMs: 0,
    });

  it('gives held work of a vanished worker to a new empty member before the delay is over, moving nothing else', () => {
    const round1 = stable();
    const owned = (id: string) => round1.assignments.get(id)!.assigned;
    // w3 vanished: its work is held.
    const held = assign({
      members: [member('w1', owned('w1')), member('w2', owned('w2'))],
      work: work({ x: 6 }),
      state: round1.state,
      now: 1000,
      maxDelayMs: 60_000,
    });
    expect(held.delayMs).toBeGreaterThan(0);
    // It comes back 10 s later as a new member that owns nothing.
    const back = assign({
      members: [member('w1', owned('w1')), member('w2', owned('w2')), member('w3-new')],
      work: work({ x: 6 }),
      state: held.state,
      now: 11_000,
      maxDelayMs: 60_000,
    });
    expect(names(back.assignments.get('w3-new')!.assigned.tasks)).toEqual(names(owned('w3').tasks));
    expect(back.assignments.get('w3-new')!.assigned.connectors).toEqual(owned('w3').connectors);
    for (const id of ['w1', 'w2']) {
      expect(names(back.assignments.get(id)!.assigned.tasks)).toEqual(names(owned(id).tasks));
      expect(back.assignments.get(id)!.revoked).toEqual({ connectors: [], tasks: [] });
    }
    expect(back.delayMs).toBe(0);
    expect(back.state.delayed).toBeNull();
  });

  it('revokes nothing for balance while lost work is held', () => {
    const state: AssignorState = {
      previous: new Map([['gone', { connectors: [], tasks: t(4, 5) }]]),
      delayed: null,
      revoking: null,
    };
    // w1 owns 4 of 6 tasks, w2 none; 2 tasks are held for the vanished member.
    const result = assign({
      members: [member('w1', { tasks: t(0, 1, 2, 3) }), member('w2', {})],
      work: work({ x: 6 }),
      state: {
        ...state,
        previous: new Map([
          ...state.previous,
          ['w1', { connectors: [], tasks: t(0, 1, 2, 3) }],
          ['w2', { connectors: [], tasks: [] }],
        ]),
      },
      now: 0,
      maxDelayMs: 10_000,
    });
    expect(result.assignments.get('w1')!.revoked.tasks).toEqual([]);
    expect(result.delayMs).toBe(10_000);
  });

  it('puts off a second revoking rebalance right after a revoking one, and rebalances when the back-off is over', () => {
    const revokedAt = 5000;
    const state: AssignorState = {
      previous: new Map([['w1', { connectors: [], tasks: t(0, 1, 2, 3, 4, 5) }]]),
      delayed: null,
      revoking: { at: revokedAt, rounds: 1 },
    };
    const members = [member('w1', { tasks: t(0, 1, 2, 3, 4, 5) }), member('w2')];
    const during = assign({ members, work: work({ x: 6 }), state, now: revokedAt + 100, maxDelayMs: 60_000 });
    expect(during.assignments.get('w1')!.revoked.tasks).toEqual([]);
    expect(during.delayMs).toBe(REVOKING_BACKOFF_MS - 100);
    const after = assign({
      members,
      work: work({ x: 6 }),
      state: during.state,
      now: revokedAt + REVOKING_BACKOFF_MS,
      maxDelayMs: 60_000,
    });
    expect(after.assignments.get('w1')!.revoked.tasks).toHaveLength(3);
    expect(after.state.revoking).toEqual({ at: revokedAt + REVOKING_BACKOFF_MS, rounds: 2 });
    // The next back-off is twice as long; a round that revokes nothing ends the series.
    expect(revokingBackoffMs(2, 60_000)).toBe(2 * REVOKING_BACKOFF_MS);
    expect(revokingBackoffMs(5, 1000)).toBe(1000);
    expect(revokingBackoffMs(1, 0)).toBe(0);
    const calm = assign({
      members: [member('w1', { tasks: t(0, 1, 2) }), member('w2', { tasks: t(3, 4, 5) })],
      work: work({ x: 6 }),
      state: after.state,
      now: revokedAt + 300,
      maxDelayMs: 60_000,
    });
    expect(calm.state.revoking).toBeNull();
  });
});
