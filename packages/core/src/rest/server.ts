import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import type { ConnectionOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { ConnectMetrics } from '../metrics/connect-metrics.js';
import type { Herder } from '../worker/herder.js';
import type { LoggerRegistry } from '../worker/loggers.js';
import type { ListenerAddress } from '../worker/worker-config.js';
import { adminRoutes } from './admin-routes.js';
import { basicAuthHook } from './basic-auth.js';
import { parseJsonBody } from './body.js';
import { connectorsRoutes } from './connectors-routes.js';
import { HttpError, sendError } from './errors.js';
import { pluginsRoutes } from './plugins-routes.js';
import { requestTimeout } from './timeout.js';

// The Kafka Connect REST API on fastify. It drives a Herder and nothing else, so standalone and
// distributed mode serve the same API.

export interface RestServerOptions {
  herder: Herder;
  loggers: LoggerRegistry;
  metrics?: ConnectMetrics;
  logger: Logger;
  version: string;
  /** The build's git commit (`GET /`); "unknown" when not known, as Kafka Connect answers. */
  commit?: string;
  requestTimeoutMs?: number;
  basicAuth?: { user: string; password: string } | null;
  /** TLS of an `https://` listener (WorkerConfig.restTls). */
  https?: ConnectionOptions | null;
  /**
   * Whether `scope=cluster` log level changes can be honoured: true for a standalone worker (it is the
   * whole cluster); false in distributed mode, where they are refused rather than applied to one worker.
   */
  clusterLogLevels?: boolean;
}

export function createRestServer(opts: RestServerOptions): FastifyInstance {
  const common = {
    loggerInstance: opts.logger as FastifyBaseLogger,
    // Requests are logged once, at DEBUG, by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true },
  };
  const app = (opts.https
    ? Fastify({ ...common, https: opts.https as HttpsServerOptions })
    : Fastify(common)) as unknown as FastifyInstance;
  const timed = requestTimeout(opts.requestTimeoutMs ?? 90_000);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  if (opts.basicAuth) app.addHook('onRequest', basicAuthHook(opts.basicAuth.user, opts.basicAuth.password));
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug(
      { method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'REST request',
    );
  });
  app.setErrorHandler((error, request, reply) => sendError(reply, error, request));
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new HttpError(404, `HTTP 404 Not Found: ${request.method} ${request.url}`)),
  );

  app.get('/', async () => ({
    version: opts.version,
    commit: opts.commit ?? 'unknown',
    kafka_cluster_id: await opts.herder.kafkaClusterId().catch(() => null),
  }));

  app.get('/health', async (_req, reply) => {
    const problem = opts.herder.healthProblem?.() ?? null;
    if (problem)
      return reply.code(503).send({ status: 'unhealthy', message: `Worker is unhealthy: ${problem}` });
    if (!opts.herder.ready()) {
      return reply
        .code(503)
        .send({ status: 'starting', message: 'Worker is still starting up. Try again later.' });
    }
    return { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' };
  });

  if (opts.metrics) {
    const metrics = opts.metrics;
    app.get('/metrics', async (_req, reply) => {
      const { contentType, body } = await metrics.text();
      return reply.type(contentType).send(body);
    });
  }

  connectorsRoutes(app, opts.herder, timed);
  pluginsRoutes(app, opts.herder, timed);
  adminRoutes(app, opts.loggers, { clusterScope: opts.clusterLogLevels ?? true });
  return app;
}

/** Listens on every configured listener; returns the bound port of the first (for `worker_id` with port 0). */
export async function listen(
  app: FastifyInstance,
  listeners: readonly ListenerAddress[],
): Promise<number | null> {
  if (listeners.length === 0) return null;
  const https = listeners.some((l) => l.protocol === 'https');
  if (https !== Boolean(app.initialConfig.https)) {
    throw new Error(
      `the REST server was made for ${app.initialConfig.https ? 'https' : 'http'} listeners only`,
    );
  }
  if (listeners.length > 1)
    throw new Error('Only one REST listener is supported; list a single http://host:port in listeners');
  const l = listeners[0]!;
  // An empty host means every interface, as in Kafka Connect's `http://:8083`.
  await app.listen({ host: l.host === '' ? '0.0.0.0' : l.host, port: l.port });
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : l.port;
}
