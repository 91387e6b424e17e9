import { describe, expect, it } from 'vitest';
import { AlreadyExistsException, NotFoundException } from '../../src/errors.js';
import { BadRequestException } from '../../src/worker/herder-errors.js';
import { buildTestHerder, fileSinkConfig } from './fakes.js';

describe('StandaloneHerder', () => {
  it('creates a connector, generates tasks.max task configs and runs one task each', async () => {
    const { herder, runners } = buildTestHerder();
    const { created, info } = await herder.putConnectorConfig(
      's',
      fileSinkConfig('s', { 'tasks.max': '2' }),
      { allowReplace: false },
    );
    expect(created).toBe(true);
    expect(info.tasks).toEqual([
      { connector: 's', task: 0 },
      { connector: 's', task: 1 },
    ]);
    expect(info.type).toBe('sink');
    expect(runners.map((r) => r.options.taskId)).toEqual([0, 1]);
    expect(runners[0]!.options.taskConfig.topics).toBe('in');
    const status = await herder.connectorStatus('s');
    expect(status).toEqual({
      name: 's',
      connector: { state: 'RUNNING', worker_id: '127.0.0.1:8083' },
      tasks: [
        { id: 0, state: 'RUNNING', worker_id: '127.0.0.1:8083' },
        { id: 1, state: 'RUNNING', worker_id: '127.0.0.1:8083' },
      ],
      type: 'sink',
    });
  });

  it('refuses a duplicate create and a name mismatch', async () => {
    const { herder } = buildTestHerder();
    await herder.putConnectorConfig('s', fileSinkConfig('s'), { allowReplace: false });
    await expect(
      herder.putConnectorConfig('s', fileSinkConfig('s'), { allowReplace: false }),
    ).rejects.toBeInstanceOf(AlreadyExistsException);
    await expect(herder.putConnectorConfig('x', fileSinkConfig('y'), { allowReplace: true })).rejects.toThrow(
      "Connector name configuration (y) doesn't match connector name in the URL (x)",
    );
  });

  it('rejects an invalid config with BadRequest and stores nothing', async () => {
    const { herder } = buildTestHerder();
    await expect(
      herder.putConnectorConfig(
        's',
        { name: 's', 'connector.class': 'FileStreamSink' },
        { allowReplace: false },
      ),
    ).rejects.toBeInstanceOf(BadRequestException);
    expect(await herder.connectors()).toEqual([]);
  });

  it('pauses and resumes the tasks, and reports PAUSED', async () => {
    const { herder, runners } = buildTestHerder();
    await herder.putConnectorConfig('s', fileSinkConfig('s'), { allowReplace: false });
    await herder.pauseConnector('s');
    expect(runners[0]!.calls).toEqual(['start', 'pause']);
    const paused = await herder.connectorStatus('s');
    expect(paused.connector.state).toBe('PAUSED');
    expect(paused.tasks[0]!.state).toBe('PAUSED');
    await herder.resumeConnector('s');
    expect(runners[0]!.calls).toEqual(['start', 'pause', 'resume']);
    expect((await herder.connectorStatus('s')).connector.state).toBe('RUNNING');
  });

  it('starts paused or stopped with initial_state', async () => {
    const { herder, runners } = buildTestHerder();
    await herder.putConnectorConfig('p', fileSinkConfig('p'), {
      allowReplace: false,
      initialState: 'PAUSED',
    });
    // Paused before it starts: put() never runs for a connector created PAUSED.
    expect(runners[0]!.calls).toEqual(['pause', 'start']);
    expect((await herder.connectorStatus('p')).tasks[0]!.state).toBe('PAUSED');
    await herder.putConnectorConfig('q', fileSinkConfig('q'), {
      allowReplace: false,
      initialState: 'STOPPED',
    });
    expect(runners).toHaveLength(1);
    expect(await herder.connectorStatus('q')).toMatchObject({ connector: { state: 'STOPPED' }, tasks: [] });
    expect((await herder.connectorInfo('q')).tasks).toEqual([]);
  });

  it('stop removes the tasks; resume from STOPPED starts them again', async () => {
    const { herder, runners } = buildTestHerder();
    await herder.putConnectorConfig('s', fileSinkConfig('s'), { allowReplace: false });
    await herder.stopConnector('s');
    expect(runners[0]!.calls).toEqual(['start', 'stop']);
    expect(await herder.connectorStatus('s')).toMatchObject({ connector: { state: 'STOPPED' }, tasks: [] });
    await herder.resumeConnector('s');
    expect(runners).toHaveLength(2);
    expect((await herder.connectorStatus('s')).tasks).toHaveLength(1);
  });

  it('reconfigures the tasks when the config changes (PUT and PATCH)', async () => {
    const { herder, runners } = buildTestHerder();
    await herder.putConnectorConfig('s', fileSinkConfig('s'), { allowReplace: false });
    const { created } = await herder.putConnectorConfig(
      's',
      fileSinkConfig('s', { file: '/tmp/other.txt' }),
      { allowReplace: true },
    );
    expect(created).toBe(false);
    expect(runners[0]!.calls).toEqual(['start', 'stop']);
    expect(runners[1]!.options.taskConfig.file).toBe('/tmp/other.txt');
    const patched = await herder.patchConnectorConfig('s', { 'tasks.max': '3', file: null });
    expect(patched.tasks).toHaveLength(3);
    expect(patched.config.file).toBeUndefined();
  });

  it('keeps a stored secret when a client PUTs back the masked value', async () => {
    const { herder, runners } = buildTestHerder();
    await herder.putConnectorConfig(
      't',
      { name: 't', 'connector.class': 'TestSink', topics: 'a', 'test.password': 'pw1' },
      { allowReplace: false },
    );
    const shown = (await herder.connectorInfo('t')).config;
    expect(shown['test.password']).toBe('[hidden]');
    await herder.putConnectorConfig('t', { ...shown, 'test.mode': 'b' }, { allowReplace: true });
    expect(await herder.connectorConfig('t')).toMatchObject({ 'test.password': 'pw1', 'test.mode': 'b' });
    expect(runners.at(-1)!.options.taskConfig['test.password']).toBe('pw1');
  });

  it('reports a failed task with its trace; restart of failed tasks restarts only those', async () => {
    const { herder, runners } = buildTestHerder();
    await herder.putConnectorConfig('s', fileSinkConfig('s', { 'fake.fail.start': 'true' }), {
      allowReplace: false,
    });
    const failed = await herder.taskStatus('s', 0);
    expect(failed).toMatchObject({
      id: 0,
      state: 'FAILED',
      trace: expect.stringContaining('DataException: poison record at offset 3'),
    });

    const noOp = await herder.restartConnector('s', { includeTasks: false, onlyFailed: true });
    expect(noOp!.connector.state).toBe('RUNNING');
    expect(runners).toHaveLength(1);

    const restarting = await herder.restartConnector('s', { includeTasks: true, onlyFailed: true });
    expect(restarting).toMatchObject({
      connector: { state: 'RUNNING' },
      tasks: [{ id: 0, state: 'RESTARTING' }],
    });
    await herder.connectors(); // let the queued restart run
    await new Promise((r) => setTimeout(r, 10));
    expect(runners).toHaveLength(2);
    expect(runners[0]!.calls).toEqual(['start', 'stop']);
  });

  it('restart without parameters restarts the connector only (null = 204)', async () => {
    const { herder, runners } = buildTestHerder();
    await herder.putConnectorConfig('s', fileSinkConfig('s'), { allowReplace: false });
    expect(await herder.restartConnector('s', { includeTasks: false, onlyFailed: false })).toBeNull();
    expect(runners).toHaveLength(1); // task configs unchanged: tasks keep running
    await herder.restartTask('s', 0);
    expect(runners).toHaveLength(2);
    await expect(herder.restartTask('s', 5)).rejects.toThrow('Unknown task: s-5');
    await expect(herder.restartConnector('nope', { includeTasks: true, onlyFailed: false })).rejects.toThrow(
      'Unknown connector: nope',
    );
  });

  it('delete stops the tasks and forgets config and status', async () => {
    const { herder, runners } = buildTestHerder();
    await herder.putConnectorConfig('s', fileSinkConfig('s'), { allowReplace: false });
    await herder.deleteConnector('s');
    expect(runners[0]!.calls).toEqual(['start', 'stop']);
    expect(await herder.connectors()).toEqual([]);
    await expect(herder.connectorStatus('s')).rejects.toThrow('No status found for connector s');
    await expect(herder.deleteConnector('s')).rejects.toBeInstanceOf(NotFoundException);
  });

  it('connector.class that no plugin provides fails validation up front', async () => {
    const { herder } = buildTestHerder();
    await expect(
      herder.putConnectorConfig(
        'm',
        { name: 'm', 'connector.class': 'MongoSinkConnector', topics: 'a' },
        { allowReplace: false },
      ),
    ).rejects.toThrow(
      /Failed to find any class that implements Connector and which name matches MongoSinkConnector/,
    );
  });

  it('alters and resets offsets only when STOPPED and the group is empty', async () => {
    const { herder, admin } = buildTestHerder();
    await herder.putConnectorConfig('s', fileSinkConfig('s'), { allowReplace: false });
    admin.groups.set('connect-s', [
      { topic: 'in', partition: 0, offset: 10 },
      { topic: 'in', partition: 1, offset: 20 },
    ]);
    expect(await herder.connectorOffsets('s')).toEqual([
      { partition: { kafka_topic: 'in', kafka_partition: 0 }, offset: { kafka_offset: 10 } },
      { partition: { kafka_topic: 'in', kafka_partition: 1 }, offset: { kafka_offset: 20 } },
    ]);
    const alter = [{ partition: { kafka_topic: 'in', kafka_partition: 0 }, offset: { kafka_offset: 5 } }];
    await expect(herder.alterConnectorOffsets('s', alter)).rejects.toThrow(/must be in the STOPPED state/);
    await herder.stopConnector('s');
    admin.members = 1;
    await expect(herder.alterConnectorOffsets('s', alter)).rejects.toThrow(/still has 1 member/);
    admin.members = 0;
    await herder.alterConnectorOffsets('s', [
      ...alter,
      { partition: { kafka_topic: 'in', kafka_partition: 1 }, offset: null },
    ]);
    expect(admin.groups.get('connect-s')).toEqual([{ topic: 'in', partition: 0, offset: 5 }]);
    await herder.resetConnectorOffsets('s');
    expect(admin.groups.has('connect-s')).toBe(false);
  });

  it('tracks active topics from the records the task receives', async () => {
    const { herder, runners } = buildTestHerder();
    await herder.putConnectorConfig('s', fileSinkConfig('s'), { allowReplace: false });
    const task = runners[0]!.options.task;
    await task.put([{ topic: 'in', kafkaPartition: 0, kafkaOffset: 0 } as never]);
    expect(await herder.connectorActiveTopics('s')).toEqual(['in']);
    await herder.resetConnectorActiveTopics('s');
    expect(await herder.connectorActiveTopics('s')).toEqual([]);
  });
});
