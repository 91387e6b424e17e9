import {
  RecordView,
  projectRecord,
  toJsonText,
  valueHooks,
  type KcqlStatement,
  type KcqlSupport,
  type SinkRecord,
} from '@sluice/core/sink';
import type { CoapMethod, CoapSinkConfig } from './config.js';
import { resolveResource, targetRule, type TargetRule } from './targets.js';

// One record + its KCQL route → one CoAP request (pure: unit tested without a server). The payload is
// the JSON of the KCQL projection (content format application/json, 50), sent with the configured
// method to the route's resource. A tombstone reaches here only with behavior.on.null.values=DELETE
// and becomes a DELETE of the record's resource.

/** The KCQL this sink honours: the reference's INSERT, select list and IGNORE, plus WITHSTRUCTURE and the shared projection's key/header/metadata fields. */
export const KCQL_SUPPORT: KcqlSupport = {
  supported: [
    'INSERT',
    'IGNORE',
    'WITHSTRUCTURE',
    'SELECT _key',
    'SELECT _header',
    'SELECT _.topic/partition/offset/timestamp',
  ],
};

/** CoAP content format of the payloads (RFC 7252 §12.3). */
export const APPLICATION_JSON = 50;

export interface CoapRoute {
  readonly statement: KcqlStatement;
  readonly target: TargetRule;
}

export interface CoapRequest {
  readonly method: CoapMethod | 'DELETE';
  /** Uri-Path segments under the server URI's own path. */
  readonly resource: readonly string[];
  /** Absent for DELETE. */
  readonly payload?: Buffer;
}

export function compileRoute(statement: KcqlStatement, index = 0): CoapRoute {
  return {
    statement,
    target: targetRule(statement, `statement ${index + 1} (FROM ${statement.source ?? '?'})`),
  };
}

// JSON as the reference's SimpleJsonConverter writes Connect values: Timestamp as epoch milliseconds,
// INT64 and Decimal as exact numbers, bytes as base64 (toJsonText). Date is an ISO-8601 instant at
// midnight UTC and Time an ISO-8601 time of day in UTC (the reference wrote its JVM's zone).
const jsonHooks = valueHooks<unknown>({
  timestamp: (d: Date) => d.getTime(),
  time: (ms: number) => new Date(ms).toISOString().slice(11),
});

/** The request for one record; a record that cannot be sent throws DataException. */
export function toRequest(
  record: SinkRecord,
  route: CoapRoute,
  settings: Pick<CoapSinkConfig, 'method'>,
  connectorName: string,
): CoapRequest {
  const view = new RecordView(record, { connectorName });
  if (record.value === null || record.value === undefined) {
    if (route.target.kind === 'value') {
      throw view.error(
        `a tombstone cannot delete a resource named by a value field (${route.statement.target}); ` +
          'name the resource by _key or _header.<name>, or set connect.coap.behavior.on.null.values to IGNORE or FAIL.',
      );
    }
    return { method: 'DELETE', resource: resolveResource(view, route.target) };
  }
  const resource = resolveResource(view, route.target);
  const document = projectRecord(view, route.statement, { connectorName, valueHooks: jsonHooks });
  return { method: settings.method, resource, payload: Buffer.from(toJsonText(document), 'utf8') };
}

/** `a/b` for messages and for keeping one resource's requests in order. */
export function resourceText(resource: readonly string[]): string {
  return resource.join('/');
}
