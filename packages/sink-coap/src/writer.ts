import { DataException, type ErrorClass, type ItemFailure } from '@sluice/core/sink';
import { CoapResetError, CoapTimeoutError, type CoapAnswer, type CoapEndpoint } from './client.js';
import type { CoapRequest } from './requests.js';
import { DtlsRefusedError } from './transport.js';

// Sends one batch: the requests of one resource, one after the other in record order (the kit groups
// operations by resource and runs up to connect.coap.max.in.flight groups at once), so that the
// resource ends up with the last record and an observer sees them in order. A 2.xx answer acknowledges
// a record; 4.xx refuses that record alone (DLQ / errors.tolerance); 5.xx, a Reset or no answer in time
// fail the batch (a store error, for the error policy).

/** The server answered 5.xx: it could not handle a valid request now (transient). */
export class CoapServerError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Resolves with the requests the server refused (4.xx); throws on a server or network failure. */
export async function sendInOrder(
  endpoint: CoapEndpoint,
  requests: readonly CoapRequest[],
): Promise<ItemFailure[]> {
  const refused: ItemFailure[] = [];
  for (const [index, request] of requests.entries()) {
    const answer = await endpoint.send(request);
    const problem = answer === null ? null : judge(endpoint, request, answer);
    if (problem) refused.push({ index, error: problem });
  }
  return refused;
}

/** Null for 2.xx; a DataException for 4.xx; throws CoapServerError for anything else. */
function judge(endpoint: CoapEndpoint, request: CoapRequest, answer: CoapAnswer): DataException | null {
  const cls = answer.code.charAt(0);
  if (cls === '2') return null;
  const where = endpoint.describe(request.resource);
  const detail = answer.payload.length > 0 ? ` (${answer.payload.toString('utf8').slice(0, 200)})` : '';
  const what = `${where} ${cls === '4' ? 'refused' : 'answered'} the ${request.method} with ${answer.code} ${codeName(answer.code)}${detail}`;
  if (cls === '4') return new DataException(`${what}.`);
  throw new CoapServerError(`${what}.`, answer.code);
}

/** 4.xx → data (the kit wraps them with the record); 5.xx, Reset, timeouts → transient; a refused DTLS key → fatal. */
export function classifyCoapError(error: unknown): ErrorClass | undefined {
  if (error instanceof DtlsRefusedError) return 'fatal';
  if (
    error instanceof CoapServerError ||
    error instanceof CoapTimeoutError ||
    error instanceof CoapResetError
  )
    return 'transient';
  return undefined;
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
