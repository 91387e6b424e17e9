import type { FastifyInstance } from 'fastify';
import { LoggerRegistry } from '../worker/loggers.js';
import { BadRequestException } from '../worker/herder-errors.js';
import { HttpError } from './errors.js';

// Kafka Connect's LoggingResource: read and change log levels at run time. Only the worker scope
// exists in standalone mode; `scope=cluster` is applied to this worker too, as a one-worker cluster.
export function adminRoutes(app: FastifyInstance, loggers: LoggerRegistry): void {
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
      const affected = loggers.setLevel(req.params.logger, level);
      if (req.query.scope?.toLowerCase() === 'cluster') return reply.code(204).send();
      return affected;
    },
  );
}
