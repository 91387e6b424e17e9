// The Kafka client port and its kafkajs adapter. Only ./kafkajs imports kafkajs.
export type * from './port.js';
export {
  clientPropsFor,
  withPrefixStripped,
  parseJaasConfig,
  type ClientRole,
  type JaasConfig,
} from './client-config.js';
export { KafkaJsClientFactory } from './kafkajs/client.js';
