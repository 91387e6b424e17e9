import type { ConnectorTaskId } from '../types.js';
import type { MemberMetadata, WorkSet } from './protocol.js';

// The leader's assignment, in the manner of Kafka Connect's incremental cooperative assignor
// (KIP-415), simplified:
// - Members keep running what they own; only what moves is stopped. Work is moved in two steps: the
//   leader first *revokes* it from an overloaded member, which stops it (committing sink offsets) and
//   rejoins; in that follow-up rebalance the work is unowned and goes to the least-loaded members. No
//   connector or task ever runs on two workers at once by the leader's doing.
// - Connectors and tasks are balanced separately: every eligible member ends with ⌊n/m⌋ or ⌈n/m⌉ of
//   each, the larger shares going to the members that already hold the most (fewest moves).
// - Work of a member that vanished (its session expired) is held back for
//   scheduled.rebalance.max.delay.ms, so a worker that restarts quickly does not reshuffle the cluster;
//   when the delay is over it goes to the least-loaded members. A new member that owns nothing (most
//   likely the vanished worker, restarted) gets held work at once, before the delay is over. While
//   work is held nothing is revoked for balance: the returning worker fills the gap.
// - A rebalance that follows a revoking one does not revoke again at once: it waits a back-off that
//   doubles with every consecutive revoking round (capped by scheduled.rebalance.max.delay.ms), so
//   members joining one after the other do not make the cluster shuffle work on every round.
// - A member that shuts down gracefully first rejoins with `leaving` set and nothing owned, so its
//   work is reassigned at once.
// - The leader remembers the previous assignment only in memory: a new leader cannot tell lost work
//   from unassigned work and assigns it at once.

export interface GroupMember {
  readonly memberId: string;
  readonly metadata: MemberMetadata;
}

/** What the cluster runs: every connector, and every task of its committed task configs. */
export interface ClusterWork {
  readonly connectors: readonly string[];
  readonly tasks: readonly ConnectorTaskId[];
}

/** Carried from one rebalance to the next, on the leader. */
export interface AssignorState {
  /** What each member was given last time (kept and new work; revocations excluded). */
  readonly previous: ReadonlyMap<string, WorkSet>;
  /** Lost work held back until `deadline` (epoch ms). */
  readonly delayed: {
    readonly deadline: number;
    readonly connectors: ReadonlySet<string>;
    readonly tasks: ReadonlySet<string>;
  } | null;
  /** The last round that revoked work for balance, and how many such rounds came in a row. */
  readonly revoking: { readonly at: number; readonly rounds: number } | null;
}

export const INITIAL_ASSIGNOR_STATE: AssignorState = { previous: new Map(), delayed: null, revoking: null };

/** First back-off between consecutive revoking rebalances; it doubles each time. */
export const REVOKING_BACKOFF_MS = 250;

/** How long after a revoking round the next one may revoke again (0 when the delay setting is 0). */
export function revokingBackoffMs(rounds: number, maxDelayMs: number): number {
  if (rounds <= 0) return 0;
  return Math.min(maxDelayMs, REVOKING_BACKOFF_MS * 2 ** Math.min(rounds - 1, 20));
}

export interface MemberAssignment {
  readonly assigned: WorkSet;
  readonly revoked: WorkSet;
}

export interface AssignmentResult {
  readonly assignments: ReadonlyMap<string, MemberAssignment>;
  /**
   * ms until the leader should rebalance again: held-back lost work is reassigned, or a revocation
   * put off by the back-off is made; 0 when nothing waits.
   */
  readonly delayMs: number;
  readonly state: AssignorState;
}

export interface AssignInput {
  readonly members: readonly GroupMember[];
  readonly work: ClusterWork;
  readonly state: AssignorState;
  readonly now: number;
  readonly maxDelayMs: number;
}

export const taskKey = (t: ConnectorTaskId): string => `${t.connector}\u0000${t.task}`;

export function assign(input: AssignInput): AssignmentResult {
  const members = [...input.members].sort((a, b) =>
    a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0,
  );
  const present = new Set(members.map((m) => m.memberId));
  const eligible = members.filter((m) => !m.metadata.leaving).map((m) => m.memberId);
  // Members the last round did not know that own nothing: they may take held lost work at once.
  const newcomers = members
    .filter(
      (m) =>
        !m.metadata.leaving &&
        !input.state.previous.has(m.memberId) &&
        m.metadata.owned.connectors.length === 0 &&
        m.metadata.owned.tasks.length === 0,
    )
    .map((m) => m.memberId);
  const revoking = input.state.revoking;
  const mayRevoke =
    revoking === null || input.now >= revoking.at + revokingBackoffMs(revoking.rounds, input.maxDelayMs);

  const taskById = new Map(input.work.tasks.map((t) => [taskKey(t), t]));
  const connectors = balance({
    kind: 'connectors',
    items: [...input.work.connectors].sort(),
    owned: (m) => m.metadata.owned.connectors,
    previous: (w) => w.connectors,
    held: input.state.delayed?.connectors,
    members,
    present,
    eligible,
    newcomers,
    mayRevoke,
    input,
  });
  const tasks = balance({
    kind: 'tasks',
    items: [...taskById.keys()].sort(compareTaskKeys),
    owned: (m) => m.metadata.owned.tasks.map(taskKey),
    previous: (w) => w.tasks.map(taskKey),
    held: input.state.delayed?.tasks,
    members,
    present,
    eligible,
    newcomers,
    mayRevoke,
    input,
  });

  const toTasks = (keys: readonly string[]) => keys.map((k) => taskById.get(k) ?? parseTaskKey(k));
  const assignments = new Map<string, MemberAssignment>();
  const previous = new Map<string, WorkSet>();
  for (const { memberId } of members) {
    const assigned = {
      connectors: connectors.assigned.get(memberId) ?? [],
      tasks: toTasks(tasks.assigned.get(memberId) ?? []),
    };
    const revoked = {
      connectors: connectors.revoked.get(memberId) ?? [],
      tasks: toTasks(tasks.revoked.get(memberId) ?? []),
    };
    assignments.set(memberId, { assigned, revoked });
    previous.set(memberId, assigned);
  }

  const heldCount = connectors.held.size + tasks.held.size;
  const deadline = heldCount > 0 ? (connectors.deadline ?? tasks.deadline)! : null;
  let delayMs = deadline === null ? 0 : Math.max(0, deadline - input.now);
  let nextRevoking: AssignorState['revoking'] = null;
  if (connectors.balanceRevocations + tasks.balanceRevocations > 0)
    nextRevoking = { at: input.now, rounds: (revoking?.rounds ?? 0) + 1 };
  else if (connectors.deferred || tasks.deferred) {
    nextRevoking = revoking;
    const wait = revoking!.at + revokingBackoffMs(revoking!.rounds, input.maxDelayMs) - input.now;
    delayMs = delayMs === 0 ? Math.max(1, wait) : Math.min(delayMs, Math.max(1, wait));
  }
  return {
    assignments,
    delayMs,
    state: {
      previous,
      delayed: deadline === null ? null : { deadline, connectors: connectors.held, tasks: tasks.held },
      revoking: nextRevoking,
    },
  };
}

interface BalanceInput {
  kind: 'connectors' | 'tasks';
  /** Every item that exists, sorted. */
  items: readonly string[];
  owned: (m: GroupMember) => readonly string[];
  previous: (w: WorkSet) => readonly string[];
  held: ReadonlySet<string> | undefined;
  members: readonly GroupMember[];
  present: ReadonlySet<string>;
  eligible: readonly string[];
  newcomers: readonly string[];
  /** False while the back-off after a revoking round runs: surplus stays where it is for now. */
  mayRevoke: boolean;
  input: AssignInput;
}

interface BalanceResult {
  assigned: Map<string, string[]>;
  revoked: Map<string, string[]>;
  held: Set<string>;
  deadline: number | null;
  /** Items revoked from overloaded members this round. */
  balanceRevocations: number;
  /** Some surplus was left in place because of the back-off. */
  deferred: boolean;
}

function balance(b: BalanceInput): BalanceResult {
  const exists = new Set(b.items);
  const owner = new Map<string, string>();
  const kept = new Map<string, string[]>(b.members.map((m) => [m.memberId, []]));
  const revoked = new Map<string, string[]>(b.members.map((m) => [m.memberId, []]));
  const eligible = new Set(b.eligible);

  // Current ownership. Work a member runs but may not keep: gone from the config (the member stops
  // that by itself), claimed twice (a returning zombie), or held by a leaving member.
  for (const m of b.members) {
    for (const item of b.owned(m)) {
      if (!exists.has(item)) continue;
      if (owner.has(item) || !eligible.has(m.memberId)) revoked.get(m.memberId)!.push(item);
      else {
        owner.set(item, m.memberId);
        kept.get(m.memberId)!.push(item);
      }
    }
  }

  // Lost work: its previous owner vanished and nobody runs it now.
  const lost = new Set<string>();
  for (const [memberId, work] of b.input.state.previous) {
    if (b.present.has(memberId)) continue;
    for (const item of b.previous(work)) if (exists.has(item) && !owner.has(item)) lost.add(item);
  }
  for (const item of b.held ?? []) if (exists.has(item) && !owner.has(item)) lost.add(item);
  let deadline: number | null = null;
  const held = new Set<string>();
  if (lost.size > 0 && b.input.maxDelayMs > 0 && eligible.size > 0) {
    deadline = b.input.state.delayed?.deadline ?? b.input.now + b.input.maxDelayMs;
    if (b.input.now < deadline) for (const item of lost) held.add(item);
    else deadline = null;
  }
  // Held work goes to new empty members right away (a worker back after a quick restart).
  if (held.size > 0 && b.newcomers.length > 0) {
    let i = 0;
    for (const item of [...held].sort()) {
      const m = b.newcomers[i++ % b.newcomers.length]!;
      kept.get(m)!.push(item);
      owner.set(item, m);
      held.delete(item);
    }
    if (held.size === 0) deadline = null;
  }

  // Quotas over the work that may be placed now; the larger shares go to the most loaded members.
  const placeable = b.items.filter((i) => !held.has(i));
  const order = [...eligible].sort(
    (x, y) => kept.get(y)!.length - kept.get(x)!.length || (x < y ? -1 : x > y ? 1 : 0),
  );
  const quota = new Map<string, number>();
  if (order.length > 0) {
    const base = Math.floor(placeable.length / order.length);
    const extra = placeable.length % order.length;
    order.forEach((m, i) => quota.set(m, base + (i < extra ? 1 : 0)));
  }

  // Overloaded members give up their surplus now; it is placed in the follow-up rebalance. Not while
  // work is held (its owner may return and fill the gap), nor during the back-off.
  let balanceRevocations = 0;
  let deferred = false;
  for (const m of order) {
    const mine = kept.get(m)!;
    const surplus = mine.length - quota.get(m)!;
    if (surplus > 0 && held.size > 0) continue;
    if (surplus > 0 && !b.mayRevoke) {
      deferred = true;
      continue;
    }
    if (surplus > 0) {
      balanceRevocations += surplus;
      const moved = mine.splice(mine.length - surplus, surplus);
      revoked.get(m)!.push(...moved);
      for (const item of moved) owner.delete(item);
    }
  }

  // Unowned work that nobody is giving up right now goes to the least-loaded members.
  const givingUp = new Set([...revoked.values()].flat());
  const assigned = new Map<string, string[]>([...kept].map(([m, items]) => [m, [...items]]));
  for (const item of placeable) {
    if (owner.has(item) || givingUp.has(item)) continue;
    const target = leastLoaded(order, assigned, quota);
    if (target === null) break;
    assigned.get(target)!.push(item);
    owner.set(item, target);
  }
  return { assigned, revoked, held, deadline, balanceRevocations, deferred };
}

/** The member furthest below its quota (ties: the first in order); null when every quota is met. */
function leastLoaded(
  order: readonly string[],
  assigned: Map<string, string[]>,
  quota: Map<string, number>,
): string | null {
  let best: string | null = null;
  let bestRoom = 0;
  for (const m of order) {
    const room = quota.get(m)! - assigned.get(m)!.length;
    if (room > bestRoom) {
      best = m;
      bestRoom = room;
    }
  }
  return best;
}

function parseTaskKey(key: string): ConnectorTaskId {
  const i = key.lastIndexOf('\u0000');
  return { connector: key.slice(0, i), task: Number(key.slice(i + 1)) };
}

function compareTaskKeys(a: string, b: string): number {
  const x = parseTaskKey(a);
  const y = parseTaskKey(b);
  return x.connector < y.connector ? -1 : x.connector > y.connector ? 1 : x.task - y.task;
}
