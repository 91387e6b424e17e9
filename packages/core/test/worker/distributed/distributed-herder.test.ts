import { afterEach, describe, expect, it } from 'vitest';
import { TransactionsUnavailableError } from '../../../src/worker/distributed/internal-kafka.js';
import { FakeRunner } from '../fakes.js';
import { HerderCluster, testConnector, waitFor } from './herder-cluster.js';

const refuseTransactions = async (_topic: string, id: string) => {
  throw new TransactionsUnavailableError(
    `The brokers refused a transactional producer with transactional.id ${id}: TRANSACTIONAL_ID_AUTHORIZATION_FAILED`,
  );
};

/** The state in the latest status-topic record of a task. */
function lastTaskState(cluster: HerderCluster, connector: string, task: number): string | undefined {
  const records = cluster.statusTopic.records.filter(
    (r) => r.key === `status-task-${connector}-${task}` && r.value,
  );
  const last = records[records.length - 1];
  return last ? (JSON.parse(last.value!.toString()) as { state: string }).state : undefined;
}

function lastConnectorState(cluster: HerderCluster, connector: string): string | undefined {
  const records = cluster.statusTopic.records.filter(
    (r) => r.key === `status-connector-${connector}` && r.value,
  );
  const last = records[records.length - 1];
  return last ? (JSON.parse(last.value!.toString()) as { state: string }).state : undefined;
}

describe('DistributedHerder', () => {
  let cluster: HerderCluster;
  afterEach(async () => {
    await cluster.stopAll();
  });

  it('runs a connector created on the leader, its tasks spread over the workers', async () => {
    cluster = new HerderCluster();
    const w1 = await cluster.start('w1');
    await waitFor(() => w1.herder.ready(), 'w1 to join');
    const w2 = await cluster.start('w2');
    await waitFor(() => w2.herder.ready() && cluster.coordinator.memberIds().length === 2, 'w2 to join');
    await w1.herder.putConnectorConfig('c1', testConnector('c1', 2), { allowReplace: false });
    await waitFor(
      () => w1.worker.taskIds().length === 1 && w2.worker.taskIds().length === 1,
      'one task on each worker',
    );
    expect(w1.fatal).toEqual([]);
  });

  it('reports UNASSIGNED for the connector and tasks a stopping worker no longer runs (issue 16, point 8)', async () => {
    cluster = new HerderCluster();
    const w1 = await cluster.start('w1');
    await waitFor(() => w1.herder.ready(), 'w1 to join');
    await w1.herder.putConnectorConfig('c1', testConnector('c1', 2), { allowReplace: false });
    await waitFor(() => w1.worker.taskIds().length === 2, 'both tasks to run');
    await waitFor(
      () =>
        [0, 1].every((t) => lastTaskState(cluster, 'c1', t) === 'RUNNING') &&
        lastConnectorState(cluster, 'c1') === 'RUNNING',
      'RUNNING statuses',
    );
    await w1.stop();
    await waitFor(
      () =>
        [0, 1].every((t) => lastTaskState(cluster, 'c1', t) === 'UNASSIGNED') &&
        lastConnectorState(cluster, 'c1') === 'UNASSIGNED',
      'UNASSIGNED statuses',
      2000,
    );
  });

  it('a connector moved to a new worker shows UNASSIGNED from the old one, then RUNNING from the new one', async () => {
    cluster = new HerderCluster();
    const w1 = await cluster.start('w1');
    await waitFor(() => w1.herder.ready(), 'w1 to join');
    await w1.herder.putConnectorConfig('c1', testConnector('c1', 1), { allowReplace: false });
    await w1.herder.putConnectorConfig('c2', testConnector('c2', 1), { allowReplace: false });
    await waitFor(() => lastConnectorState(cluster, 'c2') === 'RUNNING', 'c2 RUNNING on w1');
    const w2 = await cluster.start('w2');
    // One of the two connectors moves to w2: w1 reports it UNASSIGNED once stopped, then w2 RUNNING.
    await waitFor(
      () => ['c1', 'c2'].some((c) => w2.worker.isConnectorRunning(c)),
      'a connector running on w2',
    );
    const moved = ['c1', 'c2'].find((c) => w2.worker.isConnectorRunning(c))!;
    const states = () =>
      cluster.statusTopic.records
        .filter((r) => r.key === `status-connector-${moved}` && r.value)
        .map((r) => JSON.parse(r.value!.toString()) as { state: string; worker_id: string })
        .map((v) => `${v.state} ${v.worker_id}`);
    await waitFor(() => states().at(-1) === `RUNNING ${'w2:8083'}`, 'RUNNING from w2');
    expect(states()).toContain(`UNASSIGNED ${'w1:8083'}`);
    expect(states().indexOf(`UNASSIGNED ${'w1:8083'}`)).toBeLessThan(
      states().lastIndexOf(`RUNNING ${'w2:8083'}`),
    );
  });

  it('keeps rebalancing while a task start hangs: starts run off the membership loop (issue 16, point 3)', async () => {
    cluster = new HerderCluster();
    const w1 = await cluster.start('w1');
    await waitFor(() => w1.herder.ready(), 'w1 to join');
    await w1.herder.putConnectorConfig(
      'c1',
      { ...testConnector('c1', 2), 'fake.start.hold': 'true' },
      { allowReplace: false },
    );
    await waitFor(() => FakeRunner.heldStarts.length === 2, 'both task starts to hang on w1');
    // A new worker joins while w1 is still starting its tasks: the group still completes a rebalance.
    const w2 = await cluster.start('w2');
    await waitFor(
      () => w2.herder.ready() && cluster.coordinator.memberIds().length === 2,
      'w2 to get an assignment while the starts on w1 hang',
    );
    expect(w2.worker.taskIds()).toEqual([]);
    for (const release of FakeRunner.heldStarts.splice(0)) release();
    // Then w1 gives one task up (it stops once started) and w2 starts it.
    await waitFor(() => FakeRunner.heldStarts.length === 1, 'the moved task to start on w2');
    FakeRunner.heldStarts.splice(0)[0]!();
    await waitFor(
      () => w1.worker.taskIds().length === 1 && w2.worker.taskIds().length === 1,
      'one task on each worker',
    );
  });

  describe('advertised URL (issue 16, point 2)', () => {
    it('refuses workers that advertise the same loopback URL, naming the keys to set', async () => {
      cluster = new HerderCluster();
      const w1 = await cluster.start('w1', { url: 'http://localhost:8083' });
      await waitFor(() => w1.herder.ready(), 'w1 to join');
      const w2 = await cluster.start('w2', { url: 'http://localhost:8083' });
      await waitFor(() => w1.fatal.length > 0 && w2.fatal.length > 0, 'both workers to be refused');
      for (const w of [w1, w2]) {
        expect(w.fatal[0]!.message).toMatch(/same REST URL http:\/\/localhost:8083/);
        expect(w.fatal[0]!.message).toMatch(/rest\.advertised\.host\.name/);
        expect(w.fatal[0]!.message).toMatch(/listeners/);
      }
    });

    it('lets a third worker with its own URL go on when two others clash', async () => {
      cluster = new HerderCluster();
      const w1 = await cluster.start('w1', { url: 'http://w1.example:8083' });
      await waitFor(() => w1.herder.ready(), 'w1 to join');
      const w2 = await cluster.start('w2', { url: 'http://127.0.0.1:8083' });
      const w3 = await cluster.start('w3', { url: 'http://127.0.0.1:8083' });
      await waitFor(() => w2.fatal.length > 0 && w3.fatal.length > 0, 'the clashing workers to be refused');
      expect(w1.fatal).toEqual([]);
      await w1.herder.putConnectorConfig('c1', testConnector('c1', 1), { allowReplace: false });
      await waitFor(() => w1.worker.taskIds().length === 1, 'the task to run on w1');
      expect(w2.worker.taskIds()).toEqual([]);
      expect(w3.worker.taskIds()).toEqual([]);
    });

    it('accepts distinct host names on the same port', async () => {
      cluster = new HerderCluster();
      const w1 = await cluster.start('w1', { url: 'http://host-a:8083' });
      const w2 = await cluster.start('w2', { url: 'http://host-b:8083' });
      await waitFor(() => w1.herder.ready() && w2.herder.ready(), 'both to join');
      expect([...w1.fatal, ...w2.fatal]).toEqual([]);
    });
  });

  describe('config writer transactions (issue 16, point 6)', () => {
    it('writes configs without transactions when the brokers refuse them and they are not required', async () => {
      cluster = new HerderCluster();
      const w1 = await cluster.start('w1', { fencedWriter: refuseTransactions });
      await waitFor(() => w1.herder.ready(), 'w1 to join');
      const result = await w1.herder.putConnectorConfig('c1', testConnector('c1', 1), {
        allowReplace: false,
      });
      expect(result.created).toBe(true);
      await waitFor(() => w1.worker.taskIds().length === 1, 'the task to run');
      expect(cluster.configTopic.records.some((r) => r.key === 'connector-c1')).toBe(true);
      expect(w1.fatal).toEqual([]);
    });

    it('stops with an error naming exactly.once.source.support when transactions are required but refused', async () => {
      cluster = new HerderCluster();
      const w1 = await cluster.start('w1', {
        fencedWriter: refuseTransactions,
        props: { 'exactly.once.source.support': 'enabled' },
      });
      await waitFor(() => w1.fatal.length > 0, 'the worker to give up');
      expect(w1.fatal[0]!.message).toMatch(/exactly\.once\.source\.support/);
      expect(w1.fatal[0]!.message).toMatch(/TRANSACTIONAL_ID_AUTHORIZATION_FAILED/);
      expect(cluster.configTopic.records).toEqual([]);
    });
  });
});
