import { afterEach, describe, expect, it } from 'vitest';
import { SinkTaskRunner } from '../../src/sink/runner.js';
import type { TaskStatus } from '../../src/sink/runner-types.js';
import { FakeKafka } from './fake-kafka.js';
import { RecordingTask, runnerOptions, waitFor } from './harness.js';

// Task states as Kafka Connect reports them (issue 13, defects 5 and 6).

const runners: SinkTaskRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

describe('SinkTaskRunner task states', () => {
  it('is RUNNING once started, while its consumer is still joining the group (defect 5)', async () => {
    const kafka = new FakeKafka();
    kafka.addTopic('late', 1);
    for (let i = 0; i < 10; i++) kafka.append('late', 0, `r-${i}`);
    // After a kill -9 the group waits for the dead member's session to run out before it rebalances.
    kafka.joinDelayMs = 1500;
    const task = new RecordingTask();
    const statuses: TaskStatus[] = [];
    const runner = new SinkTaskRunner(runnerOptions(kafka, task, { topics: 'late' }, statuses));
    runners.push(runner);
    const started = Date.now();
    await runner.start();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(runner.status().state).toBe('RUNNING');
    expect(statuses.map((s) => s.state)).toEqual(['RUNNING']);
    await waitFor(() => task.delivered.length === 10, 'delivery once the group is joined');
    expect(runner.status().state).toBe('RUNNING');
  });

  it('rejects start() when the task cannot start, FAILED, and releases what it opened (defect 6)', async () => {
    const kafka = new FakeKafka();
    kafka.addTopic('bad', 1);
    const task = new RecordingTask();
    task.start = async () => {
      task.calls.push('start');
      throw new Error('connection refused by the store');
    };
    const statuses: TaskStatus[] = [];
    const runner = new SinkTaskRunner(runnerOptions(kafka, task, { topics: 'bad' }, statuses));
    runners.push(runner);
    await expect(runner.start()).rejects.toThrow(
      'Task test-sink-0 could not start: connection refused by the store',
    );
    expect(runner.status().state).toBe('FAILED');
    expect(runner.status().trace).toContain('connection refused by the store');
    expect(statuses.map((s) => s.state)).toEqual(['FAILED']);
    expect(task.calls).toEqual(['start']);
  });

  it('started paused, it never calls put() (defect 6)', async () => {
    const kafka = new FakeKafka();
    kafka.addTopic('held', 1);
    for (let i = 0; i < 10; i++) kafka.append('held', 0, `r-${i}`);
    const task = new RecordingTask();
    const runner = new SinkTaskRunner(runnerOptions(kafka, task, { topics: 'held' }));
    runners.push(runner);
    runner.pause();
    await runner.start();
    expect(runner.status().state).toBe('PAUSED');
    await waitFor(() => task.calls.includes('open'), 'the assignment');
    await new Promise((r) => setTimeout(r, 100));
    expect(task.puts).toEqual([]);
    runner.resume();
    await waitFor(() => task.delivered.length === 10, 'delivery after resume');
  });
});
