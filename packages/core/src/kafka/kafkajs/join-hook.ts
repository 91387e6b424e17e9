import { createRequire } from 'node:module';
import path from 'node:path';
import type { PartitionAssigner } from 'kafkajs';

// An awaited "before rejoining" callback for kafkajs consumers: the revocation the Java consumer runs
// inside poll(), before it sends JoinGroup.
//
// Why: with eager rebalancing, a member's commits are accepted in its old generation until it rejoins
// (the coordinator takes them while it prepares the rebalance). kafkajs has no revocation callback: when
// its own fetch loop learns of a rebalance (a heartbeat between fetches on an idle topic, a fetch error),
// it emits REBALANCING and sends JoinGroup at once. A revocation started from that event then commits
// while the member rejoins; the commit is refused, or lands only after the partitions' new owner read the
// old offset, and records the sink already wrote are delivered again, by this worker or another.
//
// How: kafkajs (2.2.4, its last release) rejoins only through ConsumerGroup#joinAndSync
// (src/consumer/consumerGroup.js): from its runner's fetch loop and from its own error handling. Its
// prototype is wrapped once per module instance (each thread has its own), and a group whose partition
// assigners include one made by withBeforeJoin() awaits that assigner's callback before it joins. Groups without one (the distributed herder's, any
// other kafkajs user in the process) are unaffected. If kafkajs ever lacks the method, installing fails
// and the consumer says so at start (see consumer.ts): rebalances are then at-least-once as before.

/** What the callback gets from kafkajs' group. */
export interface RejoinInfo {
  /** The member id it rejoins with (null: it rejoins as a new member). */
  readonly memberId: string | null;
  /**
   * One heartbeat of this member, sent now. kafkajs sends nothing else while it waits for the callback; the
   * coordinator keeps a member that has not rejoined yet only while it heartbeats (an answer of
   * REBALANCE_IN_PROGRESS, thrown here, still renews its session).
   */
  readonly heartbeat: () => Promise<void>;
}

export type BeforeJoin = (info: RejoinInfo) => Promise<void>;

/** The part of kafkajs' ConsumerGroup this reads. */
export interface KafkaJsGroupState {
  readonly assigners?: readonly object[];
  readonly memberId?: string | null;
  heartbeat(options: { interval: number }): Promise<void>;
}

interface KafkaJsConsumerGroup extends KafkaJsGroupState {
  joinAndSync(this: KafkaJsConsumerGroup): Promise<void>;
}

const callbacks = new WeakMap<object, BeforeJoin>();
const INSTALLED = Symbol.for('sluice.kafkajs.beforeJoin');

let installed: boolean | null = null;

/**
 * Wraps kafkajs' ConsumerGroup#joinAndSync (once) so that groups with a withBeforeJoin() assigner await
 * its callback first. False when this kafkajs has no such method.
 */
export function installJoinHook(): boolean {
  if (installed !== null) return installed;
  const require = createRequire(import.meta.url);
  let proto: KafkaJsConsumerGroup | undefined;
  try {
    const root = path.dirname(require.resolve('kafkajs/package.json'));
    proto = (
      require(path.join(root, 'src', 'consumer', 'consumerGroup.js')) as { prototype?: KafkaJsConsumerGroup }
    ).prototype;
  } catch {
    proto = undefined;
  }
  if (!proto || typeof proto.joinAndSync !== 'function') return (installed = false);
  const marked = proto as KafkaJsConsumerGroup & { [INSTALLED]?: true };
  if (!marked[INSTALLED]) {
    // Kept to be called with each group as `this`, below.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const joinAndSync = proto.joinAndSync;
    proto.joinAndSync = async function (this: KafkaJsConsumerGroup) {
      await beforeJoining(this);
      return joinAndSync.call(this);
    };
    marked[INSTALLED] = true;
  }
  return (installed = true);
}

/**
 * The same assigner, marked so that its consumer group awaits `beforeJoin` each time before it joins.
 * The callback must not throw: kafkajs would treat that as a failed join.
 */
export function withBeforeJoin(assigner: PartitionAssigner, beforeJoin: BeforeJoin): PartitionAssigner {
  return (config) => {
    const made = assigner(config);
    callbacks.set(made, beforeJoin);
    return made;
  };
}

/** Runs the callback of the group's withBeforeJoin() assigner, if it has one: what kafkajs awaits. */
export async function beforeJoining(group: KafkaJsGroupState): Promise<void> {
  const before = group.assigners?.map((a) => callbacks.get(a)).find((c) => c !== undefined);
  if (before) {
    await before({ memberId: group.memberId ?? null, heartbeat: () => group.heartbeat({ interval: 0 }) });
  }
}
