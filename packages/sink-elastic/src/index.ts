import { createRequire } from 'node:module';
import { ConfigException, validateKcql, type SinkPlugin } from '@sluice/core';
import { KCQL_KEY, PK_SEPARATOR, configDef, elasticSettings } from './config.js';
import { compileRoute } from './operations.js';
import { ElasticSinkTask, SUPPORTED_KCQL } from './task.js';

// The plugin object the runtime loads for `connector.class` = `@sluice/sink-elastic`,
// `ElasticSinkConnector` or any of Stream Reactor's Elasticsearch sink class names.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export const elasticSinkPlugin: SinkPlugin = {
  name: '@sluice/sink-elastic',
  version,
  className: 'ElasticSinkConnector',
  aliases: [
    'io.lenses.streamreactor.connect.elastic7.ElasticSinkConnector',
    'io.lenses.streamreactor.connect.elastic6.ElasticSinkConnector',
    'com.datamountaineer.streamreactor.connect.elastic7.ElasticSinkConnector',
    'com.datamountaineer.streamreactor.connect.elastic6.ElasticSinkConnector',
    'com.datamountaineer.streamreactor.connect.elastic5.ElasticSinkConnector',
    'com.datamountaineer.streamreactor.connect.elastic.ElasticSinkConnector',
  ],
  type: 'sink',
  configDef,
  validate: (config) => {
    try {
      elasticSettings(configDef.parse(config));
    } catch (e) {
      if (!(e instanceof ConfigException)) throw e;
      return { [e.key ?? KCQL_KEY]: [e.message] };
    }
    const pkSeparator = config[PK_SEPARATOR] ?? '-';
    return validateKcql(config, KCQL_KEY, SUPPORTED_KCQL, 'the Elasticsearch sink', (s) => {
      compileRoute(s, { pkSeparator });
    });
  },
  createTask: () => new ElasticSinkTask(),
};

export default elasticSinkPlugin;
export { configDef } from './config.js';
export { ElasticSinkTask } from './task.js';
export { toOperation, compileRoute, type ElasticOperation, type Route } from './operations.js';
