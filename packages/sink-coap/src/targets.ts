import {
  ConfigException,
  RecordView,
  describeType,
  isDecimal,
  projectRecord,
  type KcqlStatement,
  type ProjectionStatement,
} from '@sluice/core/sink';
import { KCQL_KEY } from './config.js';

// Where a record goes: the KCQL target is a resource path under connect.coap.uri (`INSERT INTO
// sensors/t1`, segments separated by `/`), or comes from the record itself: `_key` (the whole key),
// `_value.<path>` (a value field) or `_header.<name>` (a header). A dynamic path is checked per record,
// so that one record with no usable path goes to the DLQ on its own instead of failing its batch.

/** A CoAP Uri-Path option holds at most 255 bytes (RFC 7252 §5.10). */
export const MAX_SEGMENT_BYTES = 255;

export type TargetRule =
  | { readonly kind: 'static'; readonly segments: readonly string[] }
  | { readonly kind: 'key' }
  | { readonly kind: 'value'; readonly path: readonly string[] }
  | { readonly kind: 'header'; readonly name: string };

/** Compiles a statement's target; throws ConfigException naming the statement when it cannot be used. */
export function targetRule(statement: KcqlStatement, label: string): TargetRule {
  const target = (statement.target ?? '').trim();
  const fail = (message: string): never => {
    throw new ConfigException(KCQL_KEY, `${label} targets '${target}': ${message}`);
  };
  const [head, ...rest] = target.split('.');
  if (head === '_key') {
    if (rest.length > 0)
      fail('a resource from the key takes the whole key (_key); use _value.<field> for a field.');
    return { kind: 'key' };
  }
  if (head === '_value') {
    if (rest.length === 0 || rest.some((s) => s === ''))
      fail('a resource from the value needs a field path, _value.<field>[.<field>…].');
    return { kind: 'value', path: rest };
  }
  if (head === '_header') {
    if (rest.length === 0 || rest.join('.') === '')
      fail('a resource from a header needs its name, _header.<name>.');
    return { kind: 'header', name: rest.join('.') };
  }
  const problem = pathProblem(target);
  if (problem) fail(`it is not a CoAP resource path: ${problem}.`);
  return { kind: 'static', segments: splitPath(target) };
}

/** The resource path segments of one record; a DataException naming the record when it has none. */
export function resolveResource(view: RecordView, rule: TargetRule): readonly string[] {
  let text: string;
  let field: string;
  switch (rule.kind) {
    case 'static':
      return rule.segments;
    case 'key':
      field = '_key';
      text = pathText(view, view.record.key, 'the record key', field);
      break;
    case 'value': {
      field = rule.path.join('.');
      const value = view.record.value;
      if (value === null || value === undefined)
        throw view.error(
          `the value is null (a tombstone), so the resource cannot be read from its field '${field}'`,
        );
      text = pathText(view, valueAt(view, rule.path), `field '${field}'`, field);
      break;
    }
    case 'header': {
      field = `_header.${rule.name}`;
      const header = [...view.record.headers].reverse().find((h) => h.key === rule.name);
      if (!header)
        throw view.error(`the record has no header '${rule.name}' to take the CoAP resource from`, field);
      text = pathText(view, header.value, `header '${rule.name}'`, field);
      break;
    }
  }
  const problem = pathProblem(text);
  if (problem) throw view.error(`'${text}' is not a CoAP resource path: ${problem}`, field);
  return splitPath(text);
}

/** Leading and trailing `/` are dropped; segments are separated by `/`. */
export function splitPath(path: string): string[] {
  return path.replace(/^\/+|\/+$/g, '').split('/');
}

/** Why `path` cannot name a resource, or null. */
export function pathProblem(path: string): string | null {
  const segments = splitPath(path);
  if (segments.length === 1 && segments[0] === '') return 'it is empty';
  for (const s of segments) {
    if (s === '') return "it has an empty segment ('//')";
    if (s === '.' || s === '..') return `it has a '${s}' segment`;
    if (Buffer.byteLength(s, 'utf8') > MAX_SEGMENT_BYTES)
      return `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`;
    if (s.includes('?') || s.includes('#')) return "it contains '?' or '#'";
  }
  return null;
}

const TARGET = 'target';

/** A value field read as a one-field KCQL projection, so that the path resolves as in every select list. */
function valueAt(view: RecordView, path: readonly string[]): unknown {
  const selection: ProjectionStatement = {
    fields: [
      {
        name: path.at(-1)!,
        alias: TARGET,
        type: 'VALUE',
        parents: path.length > 1 ? path.slice(0, -1) : null,
      },
    ],
    keyFields: [],
    headerFields: [],
    ignoredFields: [],
    retainStructure: false,
  };
  return projectRecord(view, selection, { ...view.context, missingFields: 'omit' })[TARGET];
}

function pathText(view: RecordView, value: unknown, what: string, field: string): string {
  if (value === null || value === undefined)
    throw view.error(`${what} is null or missing, so there is no CoAP resource to send to`, field);
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (isDecimal(value)) return value.toString();
  throw view.error(
    `${what} is ${describeType(value)}; a CoAP resource path needs a string (or number)` +
      (field === '_key' ? '. Use a string key (key.converter=StringConverter).' : '.'),
    field,
  );
}
