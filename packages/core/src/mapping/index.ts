// The Stream Reactor sink toolkit's mapping half: KCQL routing, projection and key extraction.
export { KcqlRouter, parseKcqlConfig } from './router.js';
export {
  projectRecord,
  type Document,
  type ProjectionOptions,
  type ProjectionStatement,
} from './projection.js';
export { extractPrimaryKeys, extractPrimaryKeysFromKey, type KeyPart } from './keys.js';
export { RecordView, recordError, type MappingContext } from './record-view.js';
export {
  fieldPath,
  fieldSegments,
  type KcqlField,
  type KcqlFieldType,
  type KcqlStatement,
} from './statement.js';
export {
  isDecimal,
  isStruct,
  toPlain,
  describeType,
  type DecimalLike,
  type StructLike,
} from './connect-values.js';
