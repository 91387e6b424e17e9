import { describe, expect, it } from 'vitest';
import { parseRestartPolicy, restartBackoffMs } from '../../src/worker/restart-policy.js';
import { waitFor } from '../sink/harness.js';
import { buildTestHerder, fileSinkConfig } from './fakes.js';

// Opt-in automatic restart of failed tasks (issue 13, defect 7). Kafka Connect's behaviour stays the
// default: a failed task stays FAILED until a REST restart.

const onFailure = (extra: Record<string, string> = {}) =>
  fileSinkConfig('auto', {
    'sluice.task.restart.policy': 'on-failure',
    'sluice.task.restart.backoff.initial.ms': '20',
    'sluice.task.restart.backoff.max.ms': '40',
    ...extra,
  });

describe('automatic task restarts', () => {
  it('by default a failed task stays FAILED, as in Kafka Connect', async () => {
    const { herder, runners } = buildTestHerder();
    await herder.putConnectorConfig('plain', fileSinkConfig('plain'), { allowReplace: false });
    runners[0]!.options.onStatus({ state: 'FAILED', trace: 'boom' });
    await new Promise((r) => setTimeout(r, 100));
    expect(runners).toHaveLength(1);
    expect(await herder.taskStatus('plain', 0)).toMatchObject({ state: 'FAILED', trace: 'boom' });
  });

  it('with on-failure shows RESTARTING with the failure, then RUNNING in a new task', async () => {
    const { herder, runners } = buildTestHerder();
    await herder.putConnectorConfig('auto', onFailure(), { allowReplace: false });
    runners[0]!.options.onStatus({ state: 'FAILED', trace: 'store went away' });
    expect(await herder.taskStatus('auto', 0)).toMatchObject({
      state: 'RESTARTING',
      trace: 'store went away',
    });
    await waitFor(() => runners.length === 2, 'the restart');
    expect(runners[0]!.calls).toEqual(['start', 'stop']);
    await waitFor(() => runners[1]!.calls.includes('start'), 'the new start');
    expect((await herder.taskStatus('auto', 0)).state).toBe('RUNNING');
  });

  it('gives up after the maximum restarts in a row: FAILED with the last trace', async () => {
    const { herder, runners } = buildTestHerder();
    await herder.putConnectorConfig('auto', onFailure({ 'sluice.task.restart.max.attempts': '2' }), {
      allowReplace: false,
    });
    for (let i = 0; i < 3; i++) {
      await waitFor(() => runners.length === i + 1 && runners[i]!.calls.includes('start'), `start ${i + 1}`);
      runners[i]!.options.onStatus({ state: 'FAILED', trace: `failure ${i + 1}` });
    }
    await new Promise((r) => setTimeout(r, 150));
    expect(runners).toHaveLength(3);
    const status = await herder.taskStatus('auto', 0);
    expect(status.state).toBe('FAILED');
    expect(status.trace).toContain('failed 3 times in a row');
    expect(status.trace).toContain('failure 3');
  });

  it('restarts a task whose start failed, and a stop cancels a pending restart', async () => {
    const { herder, runners } = buildTestHerder();
    await herder.putConnectorConfig(
      'auto',
      onFailure({ 'fake.fail.start': 'true', 'sluice.task.restart.backoff.initial.ms': '50' }),
      { allowReplace: false },
    );
    expect((await herder.taskStatus('auto', 0)).state).toBe('RESTARTING');
    await waitFor(() => runners.length === 2, 'a restart after the failed start');
    await herder.stopConnector('auto');
    await new Promise((r) => setTimeout(r, 200));
    expect(runners).toHaveLength(2);
  });

  it('rejects a bad policy value at task start, naming the key', async () => {
    const { herder } = buildTestHerder();
    await herder.putConnectorConfig(
      'bad',
      fileSinkConfig('bad', { 'sluice.task.restart.policy': 'always' }),
      {
        allowReplace: false,
      },
    );
    const status = await herder.taskStatus('bad', 0);
    expect(status.state).toBe('FAILED');
    expect(status.trace).toContain('sluice.task.restart.policy');
  });

  it('backs off exponentially up to the maximum', () => {
    const policy = parseRestartPolicy({
      'sluice.task.restart.policy': 'on-failure',
      'sluice.task.restart.backoff.initial.ms': '1000',
      'sluice.task.restart.backoff.max.ms': '5000',
    });
    expect([1, 2, 3, 4, 5].map((n) => restartBackoffMs(policy, n))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(parseRestartPolicy({}).enabled).toBe(false);
  });
});
