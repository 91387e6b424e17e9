import { ConfigDef } from '../../config/def.js';

// FileStreamSinkConnector's one key. `topics` / `topics.regex` are common connector keys.
export const FILE_CONFIG = 'file';

export const fileSinkConfigDef = new ConfigDef().define({
  name: FILE_CONFIG,
  type: 'STRING',
  default: null,
  importance: 'HIGH',
  doc: 'Destination filename. If not specified, the standard output will be used',
  group: 'File',
});
