import { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { clientPropsFor, type ClientRole } from '../../../kafka/client-config.js';
import { toKafkaJsConfig } from '../../../kafka/kafkajs/config.js';
import { kafkaJsLogLevel, pinoLogCreator } from '../../../kafka/kafkajs/logging.js';
import type { WorkerConfig } from '../../worker-config.js';

// kafkajs clients for the distributed worker's own Kafka traffic (membership, internal topics), built
// from the worker's client settings the same way the Kafka port's adapter builds the engine's.

export function kafkaJsFor(config: WorkerConfig, role: ClientRole, clientId: string, logger: Logger): Kafka {
  const props = clientPropsFor(role, {
    ...config.clientConfig(),
    'bootstrap.servers': config.bootstrapServers.join(','),
  });
  const log = logger.child({ client: clientId });
  return new Kafka({
    ...toKafkaJsConfig(props, clientId),
    logLevel: kafkaJsLogLevel(log),
    logCreator: pinoLogCreator(log),
  });
}
