import { afterEach, describe, expect, it } from 'vitest';
import { configRecords } from '../../../src/worker/distributed/config-records.js';
import { FencedWriterError, type LogWriter } from '../../../src/worker/distributed/internal-kafka.js';
import {
  RequestForwarder,
  type ForwardedResponse,
} from '../../../src/worker/distributed/request-forwarding.js';
import { ConflictException } from '../../../src/worker/herder-errors.js';
import { HerderCluster, testConnector, waitFor, type TestWorker } from './herder-cluster.js';

// DistributedHerder cases of issue 16 ("Tests"): config mismatch, a follower behind on the config
// topic, fenced config writes, reconcile after config changes, and where task restarts go.

let cluster: HerderCluster;
afterEach(async () => {
  await cluster.stopAll();
});

const taskIds = (w: TestWorker) => w.worker.taskIds().map((t) => `${t.connector}-${t.task}`);

async function joinedCluster(
  names: string[],
  configReaders: Record<string, { paused: boolean }> = {},
  props: Record<string, string> = {},
) {
  const workers: TestWorker[] = [];
  for (const name of names) {
    const reader = configReaders[name];
    workers.push(await cluster.start(name, { props, ...(reader ? { configReader: reader } : {}) }));
    await waitFor(
      () =>
        workers.every((w) => w.herder.ready()) &&
        cluster.coordinator.memberIds().length === workers.length &&
        cluster.coordinator.state === 'Stable',
      `${names.slice(0, workers.length).join(', ')} to join`,
    );
  }
  return workers;
}

describe('DistributedHerder with the fakes', () => {
  it('CONFIG_MISMATCH: a leader behind the followers assigns nothing until it has read the config topic', async () => {
    cluster = new HerderCluster();
    const leaderReader = { paused: false };
    const [w1, w2] = await joinedCluster(['w1', 'w2'], { w1: leaderReader });
    // The leader stops reading; a connector reaches the config topic (written by a former leader).
    leaderReader.paused = true;
    cluster.configTopic.append([
      configRecords.targetState('c1', 'STARTED'),
      configRecords.connector('c1', testConnector('c1', 2)),
      ...configRecords.tasks('c1', [testConnector('c1', 2), testConnector('c1', 2)]),
    ]);
    const generation = cluster.coordinator.generation;
    // A third worker (it reads the whole topic when it starts) makes the group rebalance.
    const w3 = await cluster.start('w3');
    await waitFor(() => cluster.coordinator.generation >= generation + 3, 'rounds ending in CONFIG_MISMATCH');
    expect([w1!, w2!, w3].flatMap(taskIds)).toEqual([]);
    expect(w3.herder.ready()).toBe(false);
    leaderReader.paused = false;
    await waitFor(
      () => [w1!, w2!, w3].flatMap(taskIds).sort().join() === 'c1-0,c1-1',
      'both tasks to run once the leader caught up',
    );
    expect([w1!, w2!, w3].flatMap((w) => w.fatal)).toEqual([]);
  });

  it('a follower behind on the config topic runs nothing of its assignment until it has caught up', async () => {
    cluster = new HerderCluster();
    const followerReader = { paused: false };
    const [w1, w2] = await joinedCluster(
      ['w1', 'w2'],
      { w2: followerReader },
      {
        'worker.sync.timeout.ms': '50',
        'worker.unsync.backoff.ms': '100',
      },
    );
    followerReader.paused = true;
    await w1!.herder.putConnectorConfig('c1', testConnector('c1', 2), { allowReplace: false });
    await waitFor(() => taskIds(w1!).length === 1, 'the leader to run its share');
    const generation = cluster.coordinator.generation;
    await waitFor(
      () => cluster.coordinator.generation >= generation + 2,
      'the follower to retry after its back-off',
    );
    // The follower was given a task it cannot know the config of: it started nothing.
    expect(w2!.runners).toEqual([]);
    expect(taskIds(w2!)).toEqual([]);
    followerReader.paused = false;
    await waitFor(() => taskIds(w2!).length === 1, 'the follower to run its task once caught up');
    expect([...taskIds(w1!), ...taskIds(w2!)].sort()).toEqual(['c1-0', 'c1-1']);
  });

  it('a fenced config write answers 409, and the worker reopens its writer after rejoining', async () => {
    cluster = new HerderCluster();
    let opened = 0;
    const fencedOnce = async (): Promise<LogWriter> => {
      opened++;
      if (opened > 1) return cluster.configTopic.writer();
      return {
        send: async () => {
          throw new FencedWriterError('producer fenced: a newer leader opened transactional id sluice-test');
        },
        close: async () => undefined,
      };
    };
    const w1 = await cluster.start('w1', { fencedWriter: fencedOnce });
    await waitFor(() => w1.herder.ready(), 'w1 to join');
    await expect(
      w1.herder.putConnectorConfig('c1', testConnector('c1', 1), { allowReplace: false }),
    ).rejects.toBeInstanceOf(ConflictException);
    expect(cluster.configTopic.records).toEqual([]);
    await waitFor(() => opened === 2, 'a new writer after the rejoin');
    await waitFor(() => w1.herder.ready(), 'w1 to lead again');
    await w1.herder.putConnectorConfig('c1', testConnector('c1', 1), { allowReplace: false });
    await waitFor(() => taskIds(w1).length === 1, 'the task to run');
  });

  it('reconciles config changes: a changed config restarts the tasks, pause and resume do not', async () => {
    cluster = new HerderCluster();
    const [w1] = await joinedCluster(['w1']);
    await w1!.herder.putConnectorConfig('c1', testConnector('c1', 1), { allowReplace: false });
    await waitFor(
      () => w1!.runners.length === 1 && w1!.runners[0]!.calls.includes('start'),
      'the task to start',
    );
    await w1!.herder.putConnectorConfig(
      'c1',
      { ...testConnector('c1', 1), topics: 'other-in' },
      { allowReplace: true },
    );
    await waitFor(
      () => w1!.runners.length === 2 && w1!.runners[1]!.calls.includes('start'),
      'the task to restart with the new config',
    );
    expect(w1!.runners[0]!.calls).toContain('stop');
    expect(w1!.runners[1]!.options.taskConfig['topics']).toBe('other-in');
    await w1!.herder.pauseConnector('c1');
    await waitFor(() => w1!.runners[1]!.calls.includes('pause'), 'the task to pause');
    await w1!.herder.resumeConnector('c1');
    await waitFor(() => w1!.runners[1]!.calls.includes('resume'), 'the task to resume');
    expect(w1!.runners).toHaveLength(2);
    expect(w1!.runners[1]!.calls).not.toContain('stop');
    await w1!.herder.deleteConnector('c1');
    await waitFor(
      () => w1!.runners[1]!.calls.includes('stop') && taskIds(w1!).length === 0,
      'the task to stop after delete',
    );
  });

  it('restarts a task where it runs: locally, or forwarded to the worker its status names', async () => {
    cluster = new HerderCluster();
    const sent: { url: string; method: string; path: string }[] = [];
    class RecordingForwarder extends RequestForwarder {
      override async send(
        url: string,
        method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
        path: string,
      ): Promise<ForwardedResponse> {
        sent.push({ url, method, path });
        return { status: 204, body: null };
      }
    }
    const forwarder = new RecordingForwarder({ timeoutMs: 1000, basicAuth: null });
    const w1 = await cluster.start('w1', { forwarder });
    await waitFor(() => w1.herder.ready(), 'w1 to join');
    const w2 = await cluster.start('w2');
    await waitFor(() => w2.herder.ready() && cluster.coordinator.memberIds().length === 2, 'w2 to join');
    await w1.herder.putConnectorConfig('c1', testConnector('c1', 2), { allowReplace: false });
    await waitFor(() => taskIds(w1).length === 1 && taskIds(w2).length === 1, 'one task on each');
    const remote = w2.worker.taskIds()[0]!.task;
    await waitFor(
      () => w1.statusStore.getTasks('c1').get(remote)?.workerId === 'w2:8083',
      'the status of the remote task',
    );
    await w1.herder.restartTask('c1', remote);
    expect(sent).toEqual([
      { url: 'http://w2:8083', method: 'POST', path: `/connectors/c1/tasks/${remote}/restart` },
    ]);

    const local = w1.worker.taskIds()[0]!.task;
    const runners = w1.runners.length;
    await w1.herder.restartTask('c1', local);
    expect(sent).toHaveLength(1);
    expect(w1.runners).toHaveLength(runners + 1);
    expect(w1.runners[runners - 1]!.calls).toContain('stop');
    await expect(w1.herder.restartTask('c1', 7)).rejects.toThrow(/Unknown task: c1-7/);
  });
});
