import {
  RecordView,
  checkKcqlClauses,
  KcqlRouter,
  projectRecord,
  toJsonText,
  type KcqlClause,
  type KcqlStatement,
  type SinkRecord,
} from '@sluice/core';
import { KCQL_KEY, type CoapMethod } from './config.js';
import { resolveResource, targetRule, type TargetRule } from './targets.js';

// One record + its KCQL route → one CoAP request (pure: unit tested without a server). The payload is
// the JSON of the KCQL projection (content format application/json, 50), sent with the configured
// method to the route's resource. A tombstone is refused (the reference), skipped, or becomes a DELETE
// of the record's resource, as the tombstone policy says.

/** The KCQL this sink honours: the reference's INSERT, select list and IGNORE, plus WITHSTRUCTURE and the shared projection's key/header/metadata fields. */
export const SUPPORTED_KCQL: readonly KcqlClause[] = [
  'INSERT',
  'IGNORE',
  'WITHSTRUCTURE',
  'SELECT _key',
  'SELECT _header',
  'SELECT _.topic/partition/offset/timestamp',
];

/** CoAP content format of the payloads (RFC 7252 §12.3). */
export const APPLICATION_JSON = 50;

export type TombstonePolicy = 'fail' | 'ignore' | 'delete';

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

export interface RequestOptions {
  readonly connectorName: string;
  readonly method: CoapMethod;
  readonly tombstones: TombstonePolicy;
}

/** Parses the KCQL, checks it against `topics` and the clauses this sink honours, and compiles each target. */
export function coapRoutes(config: Record<string, string>): {
  router: KcqlRouter;
  routes: Map<KcqlStatement, CoapRoute>;
} {
  const router = KcqlRouter.fromConfig(config, KCQL_KEY);
  checkKcqlClauses(router.statements, SUPPORTED_KCQL, KCQL_KEY, 'the CoAP sink');
  const routes = new Map<KcqlStatement, CoapRoute>();
  router.statements.forEach((s, i) => routes.set(s, compileRoute(s, i)));
  return { router, routes };
}

export function compileRoute(statement: KcqlStatement, index: number): CoapRoute {
  return {
    statement,
    target: targetRule(statement, `statement ${index + 1} (FROM ${statement.source ?? '?'})`),
  };
}

/** The request for one record, or null when a tombstone is skipped; a bad record throws DataException. */
export function toRequest(record: SinkRecord, route: CoapRoute, options: RequestOptions): CoapRequest | null {
  const view = new RecordView(record, { connectorName: options.connectorName });
  if (record.value === null || record.value === undefined) {
    switch (options.tombstones) {
      case 'ignore':
        return null;
      case 'fail':
        throw view.error(
          'the value is null (a tombstone), which has nothing to send. Choose what tombstones do with the tombstone setting ' +
            '(delete the resource, or skip them), or filter them out.',
        );
      case 'delete':
        if (route.target.kind === 'value') {
          throw view.error(
            `a tombstone cannot be deleted from a resource named by a value field (${route.statement.target}); ` +
              'name the resource by _key or _header.<name>, or skip tombstones.',
          );
        }
        return { method: 'DELETE', resource: resolveResource(view, route.target) };
    }
  }
  const resource = resolveResource(view, route.target);
  const payload = Buffer.from(toJsonText(projectRecord(view, route.statement)), 'utf8');
  return { method: options.method, resource, payload };
}

/** `a/b` for messages and for keeping one resource's requests in order. */
export function resourceText(resource: readonly string[]): string {
  return resource.join('/');
}
