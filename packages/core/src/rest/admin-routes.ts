import type { FastifyInstance } from 'fastify';
import { LoggerRegistry } from '../worker/loggers.js';
import { BadRequestException } from '../worker/herder-errors.js';
import { HttpError } from './errors.js';

// Kafka Connect's LoggingResource: read and change log levels at run time. A standalone worker is a
// one-worker cluster, so `scope=cluster` is applied to it. A distributed worker cannot yet pass the
// change to the others, so it refuses `scope=cluster` instead of answering 204 for one worker only.
export function adminRoutes(
  app: FastifyInstance,
  loggers: LoggerRegistry,
  opts: { clusterScope: boolean },
): void {
  app.get('/admin/loggers', async () => loggers.all());

  app.get<{ Params: { logger: string } }>('/admin/loggers/:logger', async (req) => {
    const level = loggers.get(req.params.logger);
    if (!level) throw new HttpError(404, `Logger ${req.params.logger} not found.`);
    return level;
  });

  app.put<{ Params: { logger: string }; Querystring: { scope?: string } }>(
    '/admin/loggers/:logger',
    async (req, reply) => {
      const level = (req.body as { level?: unknown } | undefined)?.level;
      if (typeof level !== 'string' || level.trim() === '') {
        throw new BadRequestException("Desired 'level' parameter was not specified in request.");
      }
      if (!LoggerRegistry.isLevel(level)) throw new HttpError(404, `invalid log level '${level}'.`);
      const cluster = req.query.scope?.toLowerCase() === 'cluster';
      if (cluster && !opts.clusterScope) {
        throw new BadRequestException(
          'scope=cluster is not supported by Sluice distributed workers yet: nothing was changed. Set the level on ' +
            'each worker with scope=worker (the default).',
        );
      }
      const affected = loggers.setLevel(req.params.logger, level);
      if (cluster) return reply.code(204).send();
      return affected;
    },
  );
}
