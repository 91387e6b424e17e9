import type { Logger } from 'pino';
import { Kafka } from 'kafkajs';
import { clientPropsFor, type ClientRole } from '../client-config.js';
import { checkTlsHandshake, explainConnectError } from '../connect-errors.js';
import type {
  AdminOptions,
  ConsumerOptions,
  KafkaAdmin,
  KafkaClientFactory,
  KafkaConsumer,
  KafkaProducer,
  ProducerOptions,
} from '../port.js';
import { KafkaJsAdmin } from './admin.js';
import { toKafkaJsConfig, toKafkaJsConsumerConfig, toKafkaJsProducerConfig } from './config.js';
import { KafkaJsConsumer } from './consumer.js';
import { kafkaJsLogLevel, pinoLogCreator } from './logging.js';
import { KafkaJsProducer } from './producer.js';
import { ThreadedKafkaJsConsumer } from './threaded-consumer.js';

/**
 * Kafka clients built with kafkajs from the worker's client settings (Kafka property names, with
 * `consumer.` / `producer.` / `admin.` prefixed keys for one role). Each client gets its own kafkajs
 * instance, because security settings may differ per role.
 */
export interface KafkaJsClientOptions {
  /** Consumers fetch and decode on a thread of their own (see threaded-consumer.ts). */
  readonly consumerThread?: boolean;
}

export class KafkaJsClientFactory implements KafkaClientFactory {
  constructor(
    private readonly clientConfig: Record<string, string>,
    private readonly logger: Logger,
    private readonly options: KafkaJsClientOptions = {},
  ) {}

  private kafka(role: ClientRole, clientId: string, overrides: Record<string, string> | undefined) {
    const props = clientPropsFor(role, this.clientConfig, overrides);
    const logger = this.logger.child({ client: clientId });
    const kafka = new Kafka({
      ...toKafkaJsConfig(props, clientId),
      logLevel: kafkaJsLogLevel(logger),
      logCreator: pinoLogCreator(logger),
    });
    return { kafka, props, logger };
  }

  consumer(options: ConsumerOptions): KafkaConsumer {
    if (this.options.consumerThread) {
      // Settings are checked here, on the caller's thread, so a bad value fails the caller at once.
      toKafkaJsConsumerConfig(
        clientPropsFor('consumer', this.clientConfig, options.overrides),
        options.groupId,
      );
      return explainingConnect(
        new ThreadedKafkaJsConsumer(
          this.clientConfig,
          options,
          this.logger.child({ client: options.clientId }),
        ),
        clientPropsFor('consumer', this.clientConfig, options.overrides),
      );
    }
    const { kafka, props, logger } = this.kafka('consumer', options.clientId, options.overrides);
    const { config, fromBeginning } = toKafkaJsConsumerConfig(props, options.groupId);
    return explainingConnect(new KafkaJsConsumer(kafka, config, fromBeginning, logger), props);
  }

  producer(options: ProducerOptions): KafkaProducer {
    const { kafka, props } = this.kafka('producer', options.clientId, options.overrides);
    const { config, acks } = toKafkaJsProducerConfig(props);
    return explainingConnect(new KafkaJsProducer(kafka, config, acks), props);
  }

  admin(options: AdminOptions): KafkaAdmin {
    const { kafka, props } = this.kafka('admin', options.clientId, options.overrides);
    return explainingConnect(new KafkaJsAdmin(kafka), props);
  }
}

/** A failed connect() caused by the security settings throws one error saying what to fix. */
function explainingConnect<T extends { connect(): Promise<void> }>(
  client: T,
  props: Record<string, string>,
): T {
  const connect = client.connect.bind(client);
  const tls = toKafkaJsConfig(props, 'tls-check').ssl;
  client.connect = async () => {
    try {
      if (tls) await checkTlsHandshake(props, tls === true ? {} : tls);
      await connect();
    } catch (e) {
      throw explainConnectError(e, props);
    }
  };
  return client;
}
