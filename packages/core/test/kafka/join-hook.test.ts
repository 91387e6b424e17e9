import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import kafkajs, { type PartitionAssigner } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { installJoinHook, withBeforeJoin } from '../../src/kafka/kafkajs/join-hook.js';

// The hook point in the installed kafkajs: its real ConsumerGroup, stopped at its first request to the
// cluster (FindCoordinator), which is the start of every join.

interface Group {
  memberId: string | null;
  coordinator: unknown;
  joinAndSync(): Promise<void>;
}
type GroupClass = new (options: Record<string, unknown>) => Group;
const ConsumerGroup = createRequire(import.meta.url)('kafkajs/src/consumer/consumerGroup.js') as GroupClass;

const silent = {
  namespace: () => silent,
  debug() {},
  info() {},
  warn() {},
  error() {},
};

function group(assigner: PartitionAssigner, requests: string[]): Group {
  const cluster = {
    findGroupCoordinator: () => {
      requests.push('FindCoordinator');
      return Promise.reject(new Error('no coordinator here: the test stops the join at its first request'));
    },
  };
  return new ConsumerGroup({
    retry: { retries: 0 },
    cluster,
    groupId: 'g',
    topics: ['t'],
    topicConfigurations: {},
    logger: silent,
    instrumentationEmitter: new EventEmitter(),
    assigners: [assigner({ cluster: cluster as never, groupId: 'g', logger: silent as never })],
    sessionTimeout: 10_000,
    rebalanceTimeout: 60_000,
  });
}

const tick = () => new Promise((r) => setImmediate(r));

describe('join hook (kafkajs ConsumerGroup#joinAndSync)', () => {
  it('installs into the kafkajs this package depends on', () => {
    expect(installJoinHook()).toBe(true);
  });

  it('kafkajs sends nothing for a join until the callback of a marked assigner resolved', async () => {
    installJoinHook();
    const steps: string[] = [];
    let release!: () => void;
    const revoked = new Promise<void>((r) => (release = r));
    const assigner = withBeforeJoin(
      kafkajs.PartitionAssigners.roundRobin,
      async ({ memberId, heartbeat }) => {
        steps.push(`revoking, member ${memberId}`);
        await heartbeat();
        await revoked;
        steps.push('revoked');
      },
    );
    const g = group(assigner, steps);
    g.memberId = 'member-1';
    (g as unknown as { generationId: number }).generationId = 3;
    g.coordinator = {
      heartbeat: async (p: { memberId: string; groupGenerationId: number }) => {
        steps.push(`Heartbeat ${p.memberId} generation ${p.groupGenerationId}`);
      },
    };
    const joined = g.joinAndSync();
    await tick();
    await tick();
    // The callback's heartbeat went to the coordinator kafkajs knows, for this member and generation.
    expect(steps).toEqual(['revoking, member member-1', 'Heartbeat member-1 generation 3']);
    release();
    await expect(joined).rejects.toThrow();
    expect(steps).toEqual([
      'revoking, member member-1',
      'Heartbeat member-1 generation 3',
      'revoked',
      'FindCoordinator',
    ]);
  });

  it('groups without a marked assigner (the worker group, any other kafkajs user) join as before', async () => {
    installJoinHook();
    const steps: string[] = [];
    const g = group(kafkajs.PartitionAssigners.roundRobin, steps);
    await expect(g.joinAndSync()).rejects.toThrow();
    expect(steps).toEqual(['FindCoordinator']);
  });
});
