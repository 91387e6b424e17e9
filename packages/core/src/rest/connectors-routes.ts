import type { FastifyInstance } from 'fastify';
import { parseInitialState } from '../worker/connector-file.js';
import type { Herder } from '../worker/herder.js';
import { BadRequestException } from '../worker/herder-errors.js';
import { parseSinkOffsetsRequest } from '../worker/sink-offsets.js';
import type { TargetState } from '../worker/types.js';
import { configMap } from './body.js';
import { HttpError } from './errors.js';
import type { Timed } from './timeout.js';

// Kafka Connect's ConnectorsResource: /connectors and everything below it, same paths, shapes and codes.

type NameParams = { name: string };
type TaskParams = { name: string; task: string };

const ALTERED = 'The offsets for this connector have been altered successfully';
const ALTERED_FRAMEWORK =
  'The Connect framework-managed offsets for this connector have been altered successfully. However, if this ' +
  'connector manages offsets externally, they will need to be manually altered in the system that the connector uses.';
const RESET = 'The offsets for this connector have been reset successfully';
const RESET_FRAMEWORK =
  'The Connect framework-managed offsets for this connector have been reset successfully. However, if this ' +
  'connector manages offsets externally, they will need to be manually reset in the system that the connector uses.';

export function connectorsRoutes(app: FastifyInstance, herder: Herder, timed: Timed): void {
  app.get<{ Querystring: { expand?: string | string[] } }>('/connectors', async (req) => {
    const names = await timed(herder.connectors());
    const expand = new Set([req.query.expand ?? []].flat().flatMap((e) => e.split(',')));
    const withStatus = expand.has('status');
    const withInfo = expand.has('info');
    if (!withStatus && !withInfo) return names;
    const out: Record<string, { status?: unknown; info?: unknown }> = {};
    for (const name of names) {
      const entry: { status?: unknown; info?: unknown } = {};
      if (withStatus) entry.status = await herder.connectorStatus(name).catch(() => undefined);
      if (withInfo) entry.info = await herder.connectorInfo(name).catch(() => undefined);
      out[name] = entry;
    }
    return out;
  });

  app.post('/connectors', async (req, reply) => {
    const body = (req.body ?? {}) as { name?: unknown; config?: unknown; initial_state?: unknown };
    if (typeof body !== 'object' || Array.isArray(body))
      throw new HttpError(500, 'Cannot deserialize request body: expected a JSON object');
    const config = body.config === undefined || body.config === null ? {} : configMap(body.config);
    const name = typeof body.name === 'string' ? body.name.trim() : config.name;
    if (!name) throw new BadRequestException('Connector name should not be empty; set "name" in the request');
    if (config.name !== undefined && config.name !== name) {
      throw new BadRequestException(
        `Connector name configuration (${String(config.name)}) doesn't match connector name in the URL (${name})`,
      );
    }
    let initialState: TargetState | undefined;
    if (body.initial_state !== undefined && body.initial_state !== null) {
      try {
        initialState = parseInitialState(String(body.initial_state));
      } catch (e) {
        throw new BadRequestException((e as Error).message);
      }
    }
    const result = await timed(
      herder.putConnectorConfig(
        name,
        { ...config, name },
        { allowReplace: false, ...(initialState ? { initialState } : {}) },
      ),
    );
    return reply
      .code(201)
      .header('Location', `/connectors/${encodeURIComponent(name)}`)
      .send(result.info);
  });

  app.get<{ Params: NameParams }>('/connectors/:name', (req) => timed(herder.connectorInfo(req.params.name)));

  app.get<{ Params: NameParams }>('/connectors/:name/config', async (req) =>
    herder.maskConfig(await timed(herder.connectorConfig(req.params.name))),
  );

  app.put<{ Params: NameParams }>('/connectors/:name/config', async (req, reply) => {
    const { name } = req.params;
    const config = configMap(req.body);
    const result = await timed(herder.putConnectorConfig(name, config, { allowReplace: true }));
    if (result.created) reply.code(201).header('Location', `/connectors/${encodeURIComponent(name)}`);
    return reply.send(result.info);
  });

  app.patch<{ Params: NameParams }>('/connectors/:name/config', (req) =>
    timed(herder.patchConnectorConfig(req.params.name, configMap(req.body))),
  );

  app.delete<{ Params: NameParams }>('/connectors/:name', async (req, reply) => {
    await timed(herder.deleteConnector(req.params.name));
    return reply.code(204).send();
  });

  app.get<{ Params: NameParams }>('/connectors/:name/status', (req) =>
    timed(herder.connectorStatus(req.params.name)),
  );

  app.post<{ Params: NameParams; Querystring: { includeTasks?: string; onlyFailed?: string } }>(
    '/connectors/:name/restart',
    async (req, reply) => {
      const request = {
        includeTasks: isTrue(req.query.includeTasks),
        onlyFailed: isTrue(req.query.onlyFailed),
      };
      const status = await timed(herder.restartConnector(req.params.name, request));
      return status === null ? reply.code(204).send() : reply.code(202).send(status);
    },
  );

  for (const [verb, op, code] of [
    ['pause', (n: string) => herder.pauseConnector(n), 202],
    ['resume', (n: string) => herder.resumeConnector(n), 202],
    ['stop', (n: string) => herder.stopConnector(n), 204],
  ] as const) {
    app.put<{ Params: NameParams }>(`/connectors/:name/${verb}`, async (req, reply) => {
      await timed(op(req.params.name));
      return reply.code(code).send();
    });
  }

  app.get<{ Params: NameParams }>('/connectors/:name/tasks', (req) =>
    timed(herder.taskConfigs(req.params.name)),
  );

  app.get<{ Params: NameParams }>('/connectors/:name/tasks-config', async (req) => {
    req.log.warn(
      'The GET /connectors/{connector}/tasks-config endpoint is deprecated and will be removed in the next major release. ' +
        'Please use the GET /connectors/{connector}/tasks endpoint instead.',
    );
    const tasks = await timed(herder.taskConfigs(req.params.name));
    return Object.fromEntries(tasks.map((t) => [`${t.id.connector}-${t.id.task}`, t.config]));
  });

  app.get<{ Params: TaskParams }>('/connectors/:name/tasks/:task/status', (req) =>
    timed(herder.taskStatus(req.params.name, taskNumber(req.params))),
  );

  app.post<{ Params: TaskParams }>('/connectors/:name/tasks/:task/restart', async (req, reply) => {
    await timed(herder.restartTask(req.params.name, taskNumber(req.params)));
    return reply.code(204).send();
  });

  app.get<{ Params: NameParams }>('/connectors/:name/topics', async (req) => {
    const topics = await timed(herder.connectorActiveTopics(req.params.name));
    return { [req.params.name]: { topics } };
  });

  app.put<{ Params: NameParams }>('/connectors/:name/topics/reset', async (req, reply) => {
    await timed(herder.resetConnectorActiveTopics(req.params.name));
    return reply.code(202).send();
  });

  app.get<{ Params: NameParams }>('/connectors/:name/offsets', async (req) => ({
    offsets: await timed(herder.connectorOffsets(req.params.name)),
  }));

  app.patch<{ Params: NameParams }>('/connectors/:name/offsets', async (req) => {
    const offsets = parseSinkOffsetsRequest(req.body);
    const own = await timed(herder.alterConnectorOffsets(req.params.name, offsets));
    return { message: own ? ALTERED : ALTERED_FRAMEWORK };
  });

  app.delete<{ Params: NameParams }>('/connectors/:name/offsets', async (req) => {
    const own = await timed(herder.resetConnectorOffsets(req.params.name));
    return { message: own ? RESET : RESET_FRAMEWORK };
  });
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.toLowerCase() === 'true';
}

function taskNumber(params: TaskParams): number {
  const n = Number(params.task);
  if (!/^\d+$/.test(params.task) || !Number.isSafeInteger(n)) {
    throw new HttpError(404, `No status found for task ${params.name}-${params.task}`);
  }
  return n;
}
