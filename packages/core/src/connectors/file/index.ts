import type { SinkPlugin } from '../../sink/api.js';
import { fileSinkConfigDef } from './config.js';
import { FileStreamSinkTask } from './task.js';
import { SLUICE_VERSION } from '../../worker/version.js';

// Kafka's FileStreamSinkConnector: the built-in sink for trying Sluice out and for tests.
export const fileStreamSinkPlugin: SinkPlugin = {
  name: '@sluice/core/file-sink',
  version: SLUICE_VERSION,
  className: 'FileStreamSinkConnector',
  aliases: ['org.apache.kafka.connect.file.FileStreamSinkConnector'],
  type: 'sink',
  configDef: fileSinkConfigDef,
  createTask: () => new FileStreamSinkTask(),
};
