import { describe, expect, it } from 'vitest';
import { buildTestHerder, fileSinkConfig } from './fakes.js';

// A task that cannot start is counted and reported as a failed start (issue 13, defect 6).

describe('Worker task startup', () => {
  it('counts a task whose start fails as a failed startup attempt, not a success', async () => {
    const { herder, metrics } = buildTestHerder();
    await herder.putConnectorConfig('broken', fileSinkConfig('broken', { 'fake.fail.start': 'true' }), {
      allowReplace: false,
    });
    expect((await herder.taskStatus('broken', 0)).state).toBe('FAILED');
    const { body } = await metrics.text();
    expect(body).toMatch(/startup_total\{kind="task",result="failure"\} 1/);
    expect(body).not.toMatch(/startup_total\{kind="task",result="success"\}/);
  });
});
