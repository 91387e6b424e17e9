import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

// kill -9 of a worker while a file sink streams 200k records: its tasks run on the survivors after
// the session timeout (6000 ms) plus scheduled.rebalance.max.delay.ms (3000 ms), every record
// arrives, and records are written twice only where a killed task had not committed yet (one
// contiguous run of offsets per partition). Timings and duplicates are printed for the README.

const PARTITIONS = 6;
const PER_PARTITION = 33_334; // 200,004 records
const DELAY_MS = 3000;

const env = useCluster('afterAll');

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
  } catch {
    return [];
  }
}

describe('distributed mode: failover after kill -9', () => {
  it("moves a killed worker's tasks after the configured delay and delivers every record at least once", async () => {
    const name = uniqueName('dist-kill');
    const topic = `${name}-in`;
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sluice-failover-')), 'out.txt');
    await env.kafka.createTopic(topic, PARTITIONS);
    const props = clusterProps(env.bootstrap, name, { 'scheduled.rebalance.max.delay.ms': String(DELAY_MS) });
    const cluster = await Promise.all([0, 1, 2].map(() => DistributedWorker.start(props)));
    env.workers.push(...cluster);

    const created = await cluster[0]!.request('POST', '/connectors', {
      name,
      config: {
        'connector.class': 'FileStreamSinkConnector',
        'tasks.max': String(PARTITIONS),
        topics: topic,
        file,
      },
    });
    expect(created.status).toBe(201);
    await waitFor(
      async () => {
        const spread = runningByWorker(await cluster[0]!.status(name));
        return spread.size === 3 && [...spread.values()].every((n) => n === 2);
      },
      { what: 'tasks spread 2/2/2' },
    );

    const producing = env.kafka.produce(topic, PARTITIONS, PER_PARTITION);
    const total = PARTITIONS * PER_PARTITION;
    await waitFor(() => lines(file).length > total / 5, {
      what: 'a fifth of the stream written',
      timeoutMs: 120_000,
    });

    // Kill a follower: the leader keeps the memory of who owned what, so the delay applies.
    const victim = cluster.find((w) => !w.isLeader())!;
    const survivors = cluster.filter((w) => w !== victim);
    const victimTasks = (await survivors[0]!.status(name))!.tasks
      .filter((t) => t.worker_id === victim.workerId)
      .map((t) => t.id);
    expect(victimTasks).toHaveLength(2);
    const killedAt = Date.now();
    await victim.kill();

    const recovered = await waitFor(
      async () => {
        const s = await survivors[0]!.status(name);
        const onSurvivors =
          s?.tasks.filter((t) => t.state === 'RUNNING' && t.worker_id !== victim.workerId) ?? [];
        return onSurvivors.length === PARTITIONS ? s : null;
      },
      { what: 'every task RUNNING on the surviving workers', timeoutMs: 60_000 },
    );
    const failoverMs = Date.now() - killedAt;
    const session = Number(props['session.timeout.ms']);
    const heartbeat = Number(props['heartbeat.interval.ms']);
    // The coordinator drops the victim once its session ran out (its last heartbeat was at most one
    // interval before the kill); only then does the leader hold its work for the delay.
    expect(failoverMs).toBeGreaterThanOrEqual(session - heartbeat + DELAY_MS);
    expect(failoverMs).toBeLessThan(session + DELAY_MS + 10_000);
    expect(new Set(recovered.tasks.map((t) => t.worker_id))).toEqual(
      new Set(survivors.map((w) => w.workerId)),
    );

    await producing;
    await waitFor(() => new Set(lines(file)).size === total, {
      what: `all ${total} records in the file`,
      timeoutMs: 180_000,
    });
    await waitUntilRunning(survivors[1]!, name, PARTITIONS);

    const all = lines(file);
    const seen = new Map<string, number>();
    for (const l of all) seen.set(l, (seen.get(l) ?? 0) + 1);
    const duplicated = [...seen].filter(([, n]) => n > 1).map(([v]) => v);
    const byPartition = new Map<number, number[]>();
    for (const v of duplicated) {
      const [, p, n] = /^p(\d+)-(\d+)$/.exec(v)!;
      byPartition.set(Number(p), [...(byPartition.get(Number(p)) ?? []), Number(n)]);
    }
    // Replays come from uncommitted windows: per partition one contiguous run of offsets.
    for (const [partition, offsets] of byPartition) {
      offsets.sort((a, b) => a - b);
      expect(offsets.at(-1)! - offsets[0]! + 1, `duplicates of partition ${partition} form one run`).toBe(
        offsets.length,
      );
    }
    console.log(
      `kill -9 failover: tasks ${victimTasks.join(',')} of ${victim.workerId} RUNNING on the survivors ${failoverMs} ms after the kill ` +
        `(session.timeout.ms=${session}, scheduled.rebalance.max.delay.ms=${DELAY_MS}); ${total} records delivered, ` +
        `${all.length - total} duplicate lines in ${byPartition.size} partitions (${[...byPartition].map(([p, o]) => `p${p}:${o.length}`).join(' ')})`,
    );
  });
});
