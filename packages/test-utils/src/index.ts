// @sluice/test-utils: what every sink package's tests reuse.
export {
  sinkRecord,
  structRecord,
  mapRecord,
  jsonTextRecord,
  tombstone,
  header,
  type RecordParts,
} from './records.js';
export { KafkaTestClient, uniqueName, connectJson, type TestMessage } from './kafka.js';
export { registerAvroSchema, encodeAvro, type AvroProducerSchema } from './avro.js';
export { StandaloneWorker, freePort, toProperties, type StandaloneOptions } from './standalone.js';
export { CliProcess, cliPath, type CliStart } from './cli-process.js';
export { waitFor, sleep, WaitAbort, type WaitOptions } from './wait.js';
export {
  sinkWorkerProps,
  runConnector,
  kafkaTopic,
  range,
  readingAvroSchema,
  pumpMessages,
  type KafkaIt,
} from './sink-it.js';
export { configTable, readmeTable, expectReadmeConfigTable, TABLE_START, TABLE_END } from './readme-table.js';
// describeSinkConformance imports vitest: it is `@sluice/test-utils/conformance`, for test files only.
