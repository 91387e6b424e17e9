import { describe, expect, it } from 'vitest';
import {
  clusterProps,
  DistributedWorker,
  runningByWorker,
  uniqueName,
  useCluster,
  waitUntilRunning,
} from './distributed-cluster.js';
import { waitFor } from '@sluice/test-utils';

// Several `sluice distributed` processes on this machine forming one cluster through the real Kafka
// of test-infra: balance, status from any worker, request forwarding, joining, graceful leaving and
// a whole-cluster restart. Session timeout 6000 ms, heartbeat 1000 ms.

const env = useCluster('afterEach');

async function startWorkers(props: Record<string, string>, n: number): Promise<DistributedWorker[]> {
  const started = await Promise.all(Array.from({ length: n }, () => DistributedWorker.start(props)));
  env.workers.push(...started);
  return started;
}

function fileSink(name: string, topic: string, tasks: number, file = `/tmp/${name}.txt`) {
  return {
    name,
    config: { 'connector.class': 'FileStreamSinkConnector', 'tasks.max': String(tasks), topics: topic, file },
  };
}

async function leaderAndFollowers(cluster: DistributedWorker[]) {
  const leader = await waitFor(
    () => {
      const leaders = cluster.filter((w) => w.isLeader());
      return leaders.length === 1 ? leaders[0] : null;
    },
    { what: 'exactly one leader' },
  );
  return { leader, followers: cluster.filter((w) => w !== leader) };
}

describe('distributed mode: a cluster of sluice processes', () => {
  it('spreads 6 tasks 2/2/2 over three workers, answers status anywhere and forwards writes from followers', async () => {
    const name = uniqueName('dist-spread');
    const topic = `${name}-in`;
    await env.kafka.createTopic(topic, 6);
    const props = clusterProps(env.bootstrap, name);
    const cluster = await startWorkers(props, 3);
    const { followers } = await leaderAndFollowers(cluster);
    const follower = followers[0]!;

    // Internal topics were created compacted.
    expect(await env.kafka.topicConfig(props['config.storage.topic']!, 'cleanup.policy')).toBe('compact');
    expect(await env.kafka.topicConfig(props['status.storage.topic']!, 'cleanup.policy')).toBe('compact');

    const created = await follower.request('POST', '/connectors', fileSink(name, topic, 6));
    expect(created.status).toBe(201);
    expect((created.body as { name: string }).name).toBe(name);

    const ids = new Set(cluster.map((w) => w.workerId));
    await waitFor(
      async () => {
        const spread = runningByWorker(await cluster[0]!.status(name));
        return (
          spread.size === 3 &&
          [...spread.values()].every((n) => n === 2) &&
          [...spread.keys()].every((id) => ids.has(id))
        );
      },
      { what: 'tasks spread 2/2/2 over the three workers' },
    );
    // Every worker reports the same cluster-wide status, with the worker id of each task.
    const views = await Promise.all(cluster.map((w) => waitUntilRunning(w, name, 6)));
    for (const view of views) {
      expect(view.tasks.map((t) => t.worker_id).sort()).toEqual(
        views[0]!.tasks.map((t) => t.worker_id).sort(),
      );
      expect(ids.has(view.connector.worker_id)).toBe(true);
    }

    // Update through a follower: fewer tasks, applied everywhere.
    const updated = await follower.request('PUT', `/connectors/${name}/config`, {
      ...fileSink(name, topic, 3).config,
    });
    expect(updated.status).toBe(200);
    await waitFor(
      async () => {
        const status = await cluster[2]!.status(name);
        const spread = runningByWorker(status);
        return status?.tasks.length === 3 && spread.size === 3 && [...spread.values()].every((n) => n === 1);
      },
      { what: 'three tasks, one per worker' },
    );

    // Pause and resume through a follower.
    expect((await follower.request('PUT', `/connectors/${name}/pause`)).status).toBe(202);
    for (const w of cluster) {
      await waitFor(
        async () => {
          const s = await w.status(name);
          return (
            s?.connector.state === 'PAUSED' &&
            s.tasks.length === 3 &&
            s.tasks.every((t) => t.state === 'PAUSED')
          );
        },
        { what: `connector and tasks PAUSED as seen from ${w.workerId}` },
      );
    }
    expect((await follower.request('PUT', `/connectors/${name}/resume`)).status).toBe(202);
    await waitUntilRunning(cluster[1]!, name, 3);

    // Creating it again is refused by the leader, through the follower.
    const again = await follower.request('POST', '/connectors', fileSink(name, topic, 3));
    expect(again.status).toBe(409);
    expect((again.body as { message: string }).message).toBe(`Connector ${name} already exists`);

    // Delete through a follower: gone from every worker.
    expect((await follower.request('DELETE', `/connectors/${name}`)).status).toBe(204);
    for (const w of cluster) {
      await waitFor(
        async () => {
          const list = await w.request('GET', '/connectors');
          return (
            Array.isArray(list.body) &&
            list.body.length === 0 &&
            (await w.request('GET', `/connectors/${name}/status`)).status === 404
          );
        },
        { what: `connector gone on ${w.workerId}` },
      );
    }
  });

  it('rebalances load onto a worker that joins, and hands a stopping worker its tasks over at once', async () => {
    const name = uniqueName('dist-join');
    const topic = `${name}-in`;
    await env.kafka.createTopic(topic, 6);
    const props = clusterProps(env.bootstrap, name);
    const cluster = await startWorkers(props, 2);
    expect((await cluster[0]!.request('POST', '/connectors', fileSink(name, topic, 6))).status).toBe(201);
    await waitFor(
      async () => {
        const spread = runningByWorker(await cluster[0]!.status(name));
        return spread.size === 2 && [...spread.values()].every((n) => n === 3);
      },
      { what: 'tasks spread 3/3' },
    );

    const joining = await DistributedWorker.start(props);
    env.workers.push(joining);
    await waitFor(
      async () => {
        const spread = runningByWorker(await joining.status(name));
        return (
          spread.size === 3 &&
          spread.get(joining.workerId) === 2 &&
          [...spread.values()].every((n) => n === 2)
        );
      },
      { what: 'tasks spread 2/2/2 including the new worker' },
    );

    // Graceful stop of a worker (the one that joined last, whatever its role): its tasks move without
    // waiting for its session to expire.
    const stoppedAt = Date.now();
    expect(await joining.stop()).toBe(0);
    const stopMs = Date.now() - stoppedAt;
    await waitFor(
      async () => {
        const spread = runningByWorker(await cluster[0]!.status(name));
        return (
          spread.size === 2 && [...spread.values()].every((n) => n === 3) && !spread.has(joining.workerId)
        );
      },
      { what: 'tasks back on the two remaining workers', timeoutMs: 20_000 },
    );
    const movedMs = Date.now() - stoppedAt;
    console.log(
      `graceful stop: process exited after ${stopMs} ms; its tasks RUNNING elsewhere ${movedMs} ms after SIGTERM`,
    );
    expect(movedMs).toBeLessThan(Number(props['session.timeout.ms']));
  });

  it('brings connectors back from the config topic with their target states after a whole-cluster restart', async () => {
    const name = uniqueName('dist-restart');
    const topic = `${name}-in`;
    await env.kafka.createTopic(topic, 2);
    const props = clusterProps(env.bootstrap, name);
    const first = await startWorkers(props, 2);
    const [running, paused, stopped] = ['running', 'paused', 'stopped'].map((s) => `${name}-${s}`) as [
      string,
      string,
      string,
    ];
    for (const c of [running, paused, stopped])
      expect((await first[0]!.request('POST', '/connectors', fileSink(c, topic, 2))).status).toBe(201);
    expect((await first[1]!.request('PUT', `/connectors/${paused}/pause`)).status).toBe(202);
    expect((await first[1]!.request('PUT', `/connectors/${stopped}/stop`)).status).toBe(204);
    await waitFor(async () => (await first[0]!.status(stopped))?.connector.state === 'STOPPED', {
      what: 'stopped connector STOPPED',
    });

    await Promise.all(first.map((w) => w.stop()));
    const second = await startWorkers(props, 2);
    await waitUntilRunning(second[0]!, running, 2);
    await waitFor(
      async () => {
        const s = await second[1]!.status(paused);
        return (
          s?.connector.state === 'PAUSED' &&
          s.tasks.length === 2 &&
          s.tasks.every((t) => t.state === 'PAUSED')
        );
      },
      { what: 'paused connector back PAUSED' },
    );
    await waitFor(
      async () => {
        const s = await second[0]!.status(stopped);
        return s?.connector.state === 'STOPPED' && s.tasks.length === 0;
      },
      { what: 'stopped connector back STOPPED without tasks' },
    );
    const ids = new Set(second.map((w) => w.workerId));
    expect(ids.has((await second[0]!.status(running))!.connector.worker_id)).toBe(true);
  });

  it('refuses to start on an internal topic that is not compacted', async () => {
    const name = uniqueName('dist-delete-policy');
    const props = clusterProps(env.bootstrap, name);
    await env.kafka.createTopicWithConfig(props['config.storage.topic']!, { 'cleanup.policy': 'delete' });
    await expect(DistributedWorker.start(props)).rejects.toThrow(
      /required to have 'cleanup.policy=compact'.*'cleanup.policy=delete'/s,
    );
  });
});
