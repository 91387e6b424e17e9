import type { FastifyInstance } from 'fastify';
import type { Herder } from '../worker/herder.js';
import { configMap } from './body.js';
import type { Timed } from './timeout.js';

// Kafka Connect's ConnectorPluginsResource.
export function pluginsRoutes(app: FastifyInstance, herder: Herder, timed: Timed): void {
  app.get<{ Querystring: { connectorsOnly?: string } }>('/connector-plugins', async (req) =>
    herder.connectorPlugins(req.query.connectorsOnly?.toLowerCase() !== 'false'),
  );

  app.get<{ Params: { plugin: string } }>('/connector-plugins/:plugin/config', async (req) =>
    herder.connectorPluginConfig(req.params.plugin),
  );

  app.put<{ Params: { plugin: string } }>('/connector-plugins/:plugin/config/validate', (req) =>
    timed(herder.validateConnectorConfig(configMap(req.body), req.params.plugin)),
  );
}
