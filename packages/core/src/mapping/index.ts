// The Stream Reactor sink toolkit's mapping half: KCQL routing, projection and key extraction.
// A sink's task typically does (see @sluice/sink-mongodb's task.ts):
//   start:  const parsed = configDef.parse(props);                        // configDef from defineStreamReactorKeys
//           const router = KcqlRouter.fromConfig(props, 'connect.x.kcql');  // topics == KCQL sources
//           checkKcqlClauses(router.statements, SUPPORTED, 'connect.x.kcql', 'the X sink');
//           const policy = ErrorPolicy.of(...); policy.applyTo(context);
//   put:    await policy.run(async () => { for each record, for each router.routes(record.topic):
//             try { doc = projectRecord(record, statement, { connectorName }) ; keys = extractPrimaryKeys(...) }
//             catch (DataException e) { await reportBadRecord(context, record, e) } ... write ... });
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
export { toJsonText } from './json-text.js';
export {
  mapValue,
  plainValueHooks,
  valueHooks,
  valueMapper,
  type FloatType,
  type IntType,
  type ValueHooks,
  type ValueMapper,
} from './value-mapping.js';
