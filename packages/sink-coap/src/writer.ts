import { recordError, type DataException, type SinkRecord } from '@sluice/core';
import type { CoapAnswer, CoapEndpoint } from './client.js';
import { resourceText, type CoapRequest } from './requests.js';

// Sends a batch. Requests to one resource go one after the other, in record order, so that the resource
// ends up with the last record and an observer sees them in order; requests to different resources run
// side by side, at most `maxInFlight` at once (CoAP's NSTART). A 2.xx answer acknowledges a record;
// 4.xx refuses that record alone (DLQ / errors.tolerance); 5.xx, a Reset or no answer in time fail the
// batch (a store error, for the error policy) once the requests under way have settled, and no new
// request starts after such a failure.

export interface PendingRequest {
  readonly record: SinkRecord;
  readonly request: CoapRequest;
}

export interface RefusedRequest {
  readonly record: SinkRecord;
  readonly error: DataException;
}

/** The server answered 5.xx: it could not handle a valid request now (transient). */
export class CoapServerError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface CoapWriterOptions {
  readonly connectorName: string;
  readonly maxInFlight: number;
}

export class CoapWriter {
  constructor(
    private readonly endpoint: CoapEndpoint,
    private readonly options: CoapWriterOptions,
  ) {}

  /** Resolves with the records the server refused (4.xx); rejects on a server or network failure. */
  async write(items: readonly PendingRequest[]): Promise<RefusedRequest[]> {
    const byResource = new Map<string, PendingRequest[]>();
    for (const item of items) {
      const key = resourceText(item.request.resource);
      const list = byResource.get(key);
      if (list) list.push(item);
      else byResource.set(key, [item]);
    }
    const queues = [...byResource.values()];
    const refused: RefusedRequest[] = [];
    let failure: unknown;
    let next = 0;
    const worker = async () => {
      while (failure === undefined && next < queues.length) {
        const queue = queues[next++]!;
        for (const item of queue) {
          if (failure !== undefined) return;
          try {
            const answer = await this.endpoint.send(item.request);
            const problem = answer === null ? null : this.judge(item, answer);
            if (problem) refused.push({ record: item.record, error: problem });
          } catch (e) {
            failure ??= e;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.maxInFlight, queues.length) }, worker));
    if (failure !== undefined) throw failure;
    return refused;
  }

  /** Null for 2.xx; a record error for 4.xx; throws for anything else. */
  private judge(item: PendingRequest, answer: CoapAnswer): DataException | null {
    const cls = answer.code.charAt(0);
    if (cls === '2') return null;
    const where = this.endpoint.describe(item.request.resource);
    const detail = answer.payload.length > 0 ? ` (${answer.payload.toString('utf8').slice(0, 200)})` : '';
    if (cls === '4') {
      return recordError(
        item.record,
        { connectorName: this.options.connectorName },
        `${where} refused the ${item.request.method} with ${answer.code} ${codeName(answer.code)}${detail}.`,
      );
    }
    throw new CoapServerError(
      `Connector ${this.options.connectorName}: ${where} answered the ${item.request.method} with ${answer.code} ${codeName(answer.code)}${detail}.`,
      answer.code,
    );
  }
}

const CODE_NAMES: Record<string, string> = {
  '4.00': 'Bad Request',
  '4.01': 'Unauthorized',
  '4.02': 'Bad Option',
  '4.03': 'Forbidden',
  '4.04': 'Not Found',
  '4.05': 'Method Not Allowed',
  '4.06': 'Not Acceptable',
  '4.08': 'Request Entity Incomplete',
  '4.12': 'Precondition Failed',
  '4.13': 'Request Entity Too Large',
  '4.15': 'Unsupported Content-Format',
  '5.00': 'Internal Server Error',
  '5.01': 'Not Implemented',
  '5.02': 'Bad Gateway',
  '5.03': 'Service Unavailable',
  '5.04': 'Gateway Timeout',
  '5.05': 'Proxying Not Supported',
};

/** The RFC 7252 §12.1.2 name of a response code, or ''. */
export function codeName(code: string): string {
  return CODE_NAMES[code] ?? '';
}
