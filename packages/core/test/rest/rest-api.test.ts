import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createRestServer } from '../../src/rest/server.js';
import { buildTestHerder, fileSinkConfig } from '../worker/fakes.js';

let app: FastifyInstance;
afterEach(async () => app?.close());

function server(
  options: {
    basicAuth?: { user: string; password: string };
    requestTimeoutMs?: number;
    clusterLogLevels?: boolean;
  } = {},
) {
  const t = buildTestHerder();
  app = createRestServer({
    herder: t.herder,
    loggers: t.loggers,
    metrics: t.metrics,
    logger: pino({ level: 'silent' }),
    version: '0.1.0',
    ...options,
  });
  return t;
}

const json = (body: unknown) => ({
  payload: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});

describe('REST API (Kafka Connect paths, shapes and codes)', () => {
  it('GET /health answers 503 naming the problem while the herder reports one', async () => {
    const t = server();
    let problem: string | null =
      'the reader of internal topic connect-configs stopped (crashed) and is being restarted';
    Object.assign(t.herder, { healthProblem: () => problem });
    const down = await app.inject({ url: '/health' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'unhealthy', message: `Worker is unhealthy: ${problem}` });
    problem = null;
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('refuses scope=cluster log levels where they cannot reach every worker, changing nothing', async () => {
    server({ clusterLogLevels: false });
    const before = (await app.inject({ url: '/admin/loggers/sluice.worker' })).json();
    const r = await app.inject({
      method: 'PUT',
      url: '/admin/loggers/sluice?scope=cluster',
      ...json({ level: 'ERROR' }),
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/scope=cluster is not supported.*scope=worker/);
    expect((await app.inject({ url: '/admin/loggers/sluice.worker' })).json()).toEqual(before);
  });

  it('GET / and /health', async () => {
    server();
    expect((await app.inject({ url: '/' })).json()).toEqual({
      version: '0.1.0',
      commit: 'unknown',
      kafka_cluster_id: 'test-cluster',
    });
    const health = await app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({
      status: 'healthy',
      message: 'Worker has completed startup and is ready to handle requests.',
    });
  });

  it('POST /connectors → 201 with Location; 409 on duplicate; 400 on invalid config', async () => {
    server();
    const res = await app.inject({
      method: 'POST',
      url: '/connectors',
      ...json({ name: 'a', config: fileSinkConfig('a') }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe('/connectors/a');
    expect(res.json()).toEqual({
      name: 'a',
      config: fileSinkConfig('a'),
      tasks: [{ connector: 'a', task: 0 }],
      type: 'sink',
    });
    const dup = await app.inject({
      method: 'POST',
      url: '/connectors',
      ...json({ name: 'a', config: fileSinkConfig('a') }),
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toEqual({ error_code: 409, message: 'Connector a already exists' });
    const bad = await app.inject({
      method: 'POST',
      url: '/connectors',
      ...json({ name: 'b', config: { 'connector.class': 'FileStreamSink' } }),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(
      /^Connector configuration is invalid and contains the following 2 error\(s\):\nMust configure one of topics or topics.regex/,
    );
  });

  it('GET /connectors with ?expand=status&expand=info', async () => {
    server();
    await app.inject({
      method: 'POST',
      url: '/connectors',
      ...json({ name: 'a', config: fileSinkConfig('a') }),
    });
    expect((await app.inject({ url: '/connectors' })).json()).toEqual(['a']);
    const expanded = (await app.inject({ url: '/connectors?expand=status&expand=info&expand=bogus' })).json();
    expect(expanded.a.status.connector.state).toBe('RUNNING');
    expect(expanded.a.info.name).toBe('a');
    expect(Object.keys((await app.inject({ url: '/connectors?expand=status' })).json().a)).toEqual([
      'status',
    ]);
  });

  it('config GET/PUT/PATCH: 201 on create, 200 on update, secrets masked', async () => {
    server();
    const created = await app.inject({
      method: 'PUT',
      url: '/connectors/t/config',
      ...json({
        'connector.class': 'TestSink',
        topics: 'a',
        'test.password': 'pw',
        'connection.token': 'tok',
      }),
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe('/connectors/t');
    const config = (await app.inject({ url: '/connectors/t/config' })).json();
    expect(config).toMatchObject({
      name: 't',
      'test.password': '[hidden]',
      'connection.token': '[hidden]',
      topics: 'a',
    });
    const updated = await app.inject({
      method: 'PUT',
      url: '/connectors/t/config',
      ...json({ ...config, topics: 'b' }),
    });
    expect(updated.statusCode).toBe(200);
    const patched = await app.inject({
      method: 'PATCH',
      url: '/connectors/t/config',
      ...json({ topics: 'c', 'connection.token': null }),
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().config).toEqual({
      name: 't',
      'connector.class': 'TestSink',
      topics: 'c',
      'test.password': '[hidden]',
    });
    const tasks = (await app.inject({ url: '/connectors/t/tasks' })).json();
    expect(tasks[0]).toMatchObject({
      id: { connector: 't', task: 0 },
      config: { 'test.password': '[hidden]' },
    });
    const everything = JSON.stringify((await app.inject({ url: '/connectors?expand=info' })).json());
    expect(everything).not.toContain('"pw"');
    expect(
      (await app.inject({ method: 'PATCH', url: '/connectors/none/config', ...json({ a: 'b' }) })).statusCode,
    ).toBe(404);
    const mismatch = await app.inject({
      method: 'PUT',
      url: '/connectors/t/config',
      ...json({ name: 'other', 'connector.class': 'TestSink', topics: 'a' }),
    });
    expect(mismatch.statusCode).toBe(400);
  });

  it('pause 202, resume 202, stop 204, status and task status', async () => {
    server();
    await app.inject({
      method: 'POST',
      url: '/connectors',
      ...json({ name: 'a', config: fileSinkConfig('a') }),
    });
    expect((await app.inject({ method: 'PUT', url: '/connectors/a/pause' })).statusCode).toBe(202);
    expect((await app.inject({ url: '/connectors/a/status' })).json().connector.state).toBe('PAUSED');
    expect((await app.inject({ url: '/connectors/a/tasks/0/status' })).json()).toEqual({
      id: 0,
      state: 'PAUSED',
      worker_id: '127.0.0.1:8083',
    });
    expect(
      (
        await app.inject({
          method: 'PUT',
          url: '/connectors/a/resume',
          headers: { 'content-type': 'application/json' },
        })
      ).statusCode,
    ).toBe(202);
    expect((await app.inject({ method: 'PUT', url: '/connectors/a/stop' })).statusCode).toBe(204);
    expect((await app.inject({ url: '/connectors/a/status' })).json()).toMatchObject({
      connector: { state: 'STOPPED' },
      tasks: [],
    });
    const missing = await app.inject({ url: '/connectors/a/tasks/7/status' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error_code: 404, message: 'No status found for task a-7' });
  });

  it('restart: 204 without parameters, 202 with RESTARTING states, 404 for unknown', async () => {
    server();
    await app.inject({
      method: 'POST',
      url: '/connectors',
      ...json({ name: 'a', config: fileSinkConfig('a') }),
    });
    expect((await app.inject({ method: 'POST', url: '/connectors/a/restart' })).statusCode).toBe(204);
    const accepted = await app.inject({ method: 'POST', url: '/connectors/a/restart?includeTasks=true' });
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json()).toMatchObject({
      connector: { state: 'RESTARTING' },
      tasks: [{ id: 0, state: 'RESTARTING' }],
    });
    expect((await app.inject({ method: 'POST', url: '/connectors/a/tasks/0/restart' })).statusCode).toBe(204);
    const unknown = await app.inject({ method: 'POST', url: '/connectors/zzz/restart' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error_code: 404, message: 'Unknown connector: zzz' });
  });

  it('DELETE → 204 then 404', async () => {
    server();
    await app.inject({
      method: 'POST',
      url: '/connectors',
      ...json({ name: 'a', config: fileSinkConfig('a') }),
    });
    expect((await app.inject({ method: 'DELETE', url: '/connectors/a' })).statusCode).toBe(204);
    const gone = await app.inject({ url: '/connectors/a' });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({ error_code: 404, message: 'Connector a not found' });
  });

  it('offsets: GET, PATCH/DELETE need STOPPED, body validation messages', async () => {
    const { admin } = server();
    await app.inject({
      method: 'POST',
      url: '/connectors',
      ...json({ name: 'a', config: fileSinkConfig('a') }),
    });
    admin.groups.set('connect-a', [{ topic: 'in', partition: 0, offset: 42 }]);
    expect((await app.inject({ url: '/connectors/a/offsets' })).json()).toEqual({
      offsets: [{ partition: { kafka_topic: 'in', kafka_partition: 0 }, offset: { kafka_offset: 42 } }],
    });
    const body = {
      offsets: [{ partition: { kafka_topic: 'in', kafka_partition: 0 }, offset: { kafka_offset: 7 } }],
    };
    const running = await app.inject({ method: 'PATCH', url: '/connectors/a/offsets', ...json(body) });
    expect(running.statusCode).toBe(400);
    expect(running.json().message).toMatch(/^Connectors must be in the STOPPED state/);
    await app.inject({ method: 'PUT', url: '/connectors/a/stop' });
    expect(
      (await app.inject({ method: 'PATCH', url: '/connectors/a/offsets', ...json({ offsets: [] }) })).json(),
    ).toEqual({
      error_code: 400,
      message: 'Partitions / offsets need to be provided for an alter offsets request',
    });
    const negative = await app.inject({
      method: 'PATCH',
      url: '/connectors/a/offsets',
      ...json({ offsets: [{ partition: { kafka_topic: 'in', kafka_partition: -1 }, offset: null }] }),
    });
    expect(negative.json().message).toBe('Kafka partitions must be valid numbers and may not be negative');
    const ok = await app.inject({ method: 'PATCH', url: '/connectors/a/offsets', ...json(body) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().message).toMatch(
      /^The Connect framework-managed offsets for this connector have been altered successfully/,
    );
    expect(admin.groups.get('connect-a')).toEqual([{ topic: 'in', partition: 0, offset: 7 }]);
    const reset = await app.inject({ method: 'DELETE', url: '/connectors/a/offsets' });
    expect(reset.json().message).toMatch(/have been reset successfully/);
    expect((await app.inject({ url: '/connectors/zzz/offsets' })).statusCode).toBe(404);
    const malformed = await app.inject({
      method: 'PATCH',
      url: '/connectors/a/offsets',
      payload: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.statusCode).toBe(500);
  });

  it('topics and topics/reset', async () => {
    const { runners } = server();
    await app.inject({
      method: 'POST',
      url: '/connectors',
      ...json({ name: 'a', config: fileSinkConfig('a') }),
    });
    await runners[0]!.options.task.put([{ topic: 'in' } as never]);
    expect((await app.inject({ url: '/connectors/a/topics' })).json()).toEqual({ a: { topics: ['in'] } });
    expect((await app.inject({ method: 'PUT', url: '/connectors/a/topics/reset' })).statusCode).toBe(202);
    expect((await app.inject({ url: '/connectors/a/topics' })).json()).toEqual({ a: { topics: [] } });
  });

  it('connector-plugins, plugin config and validate', async () => {
    server();
    const plugins = (await app.inject({ url: '/connector-plugins' })).json();
    expect(plugins).toContainEqual({
      class: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
      type: 'sink',
      version: expect.any(String),
    });
    expect(plugins.every((p: { type: string }) => p.type === 'sink')).toBe(true);
    const all = (await app.inject({ url: '/connector-plugins?connectorsOnly=false' })).json();
    expect(all).toContainEqual({ class: 'org.apache.kafka.connect.json.JsonConverter', type: 'converter' });
    const keys = (await app.inject({ url: '/connector-plugins/FileStreamSink/config' })).json();
    expect(keys.map((k: { name: string }) => k.name)).toContain('file');
    expect((await app.inject({ url: '/connector-plugins/Nope/config' })).json()).toEqual({
      error_code: 404,
      message: 'Unknown plugin Nope.',
    });
    const validate = await app.inject({
      method: 'PUT',
      url: '/connector-plugins/FileStreamSinkConnector/config/validate',
      ...json({ name: 'v', 'tasks.max': 'x' }),
    });
    expect(validate.statusCode).toBe(200);
    const infos = validate.json();
    expect(infos.error_count).toBe(3);
    expect(
      infos.configs.find((c: { value: { name: string } }) => c.value.name === 'tasks.max').value.errors,
    ).toEqual(["Not a number of type INT: 'x'"]);
    const mismatch = await app.inject({
      method: 'PUT',
      url: '/connector-plugins/FileStreamSink/config/validate',
      ...json({ 'connector.class': 'TestSink' }),
    });
    expect(mismatch.json()).toEqual({
      error_code: 400,
      message: 'Included connector type TestSink does not match request type FileStreamSink',
    });
  });

  it('admin/loggers: list, get, set with last_modified semantics', async () => {
    server();
    const before = (await app.inject({ url: '/admin/loggers' })).json();
    expect(before.root).toEqual({ level: 'OFF', last_modified: null }); // the test root logger is silent
    expect(Object.values(before).every((l) => (l as { last_modified: unknown }).last_modified === null)).toBe(
      true,
    );
    const set = await app.inject({
      method: 'PUT',
      url: '/admin/loggers/sluice',
      ...json({ level: 'DEBUG' }),
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual(expect.arrayContaining(['sluice', 'sluice.herder', 'sluice.worker']));
    const first = (await app.inject({ url: '/admin/loggers/sluice.worker' })).json();
    expect(first.level).toBe('DEBUG');
    expect(typeof first.last_modified).toBe('number');
    await app.inject({ method: 'PUT', url: '/admin/loggers/sluice', ...json({ level: 'debug' }) });
    expect((await app.inject({ url: '/admin/loggers/sluice.worker' })).json().last_modified).toBe(
      first.last_modified,
    );
    expect(
      (
        await app.inject({
          method: 'PUT',
          url: '/admin/loggers/sluice?scope=cluster',
          ...json({ level: 'WARN' }),
        })
      ).statusCode,
    ).toBe(204);
    expect((await app.inject({ method: 'PUT', url: '/admin/loggers/sluice', ...json({}) })).json()).toEqual({
      error_code: 400,
      message: "Desired 'level' parameter was not specified in request.",
    });
    expect(
      (await app.inject({ method: 'PUT', url: '/admin/loggers/sluice', ...json({ level: 'LOUD' }) })).json(),
    ).toEqual({
      error_code: 404,
      message: "invalid log level 'LOUD'.",
    });
    expect((await app.inject({ url: '/admin/loggers/nope' })).statusCode).toBe(404);
  });

  it('/metrics serves Prometheus text with connector/task labels', async () => {
    server();
    await app.inject({
      method: 'POST',
      url: '/connectors',
      ...json({ name: 'a', config: fileSinkConfig('a') }),
    });
    const res = await app.inject({ url: '/metrics' });
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('kafka_connect_connect_worker_metrics_task_count 1');
    expect(res.body).toContain(
      'kafka_connect_connector_task_metrics_status{connector="a",task="0",status="running"} 1',
    );
  });

  it('unknown paths answer 404 with the error body', async () => {
    server();
    const res = await app.inject({ url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error_code: 404 });
  });

  it('basic auth: 401 without or with wrong credentials, 200 with the right ones', async () => {
    server({ basicAuth: { user: 'admin', password: 'p@ss' } });
    expect((await app.inject({ url: '/connectors' })).statusCode).toBe(401);
    const wrong = Buffer.from('admin:nope').toString('base64');
    expect(
      (await app.inject({ url: '/connectors', headers: { authorization: `Basic ${wrong}` } })).statusCode,
    ).toBe(401);
    const right = Buffer.from('admin:p@ss').toString('base64');
    expect(
      (await app.inject({ url: '/connectors', headers: { authorization: `Basic ${right}` } })).statusCode,
    ).toBe(200);
  });

  it('a request that takes longer than the timeout answers 500 "Request timed out"', async () => {
    const { herder } = server({ requestTimeoutMs: 20 });
    herder.connectors = () => new Promise((resolve) => setTimeout(() => resolve([]), 200));
    const res = await app.inject({ url: '/connectors' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error_code: 500, message: 'Request timed out' });
  });
});
