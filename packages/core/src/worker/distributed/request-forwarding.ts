import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import { AlreadyExistsException, ConnectException, NotFoundException } from '../../errors.js';
import { BadRequestException, ConflictException, ForbiddenException } from '../herder-errors.js';

// Kafka Connect's request forwarding: a write reaching a worker that is not the leader is sent on to
// the leader's advertised URL with `?forward=false`, and the client gets the leader's answer. A request
// that arrives with `forward=false` is never sent on again (it fails with 409 instead), so two workers
// that disagree about who leads cannot bounce a request between them. The REST layer does not know
// about forwarding: a request hook records the flag for the herder in async-local storage.

const forwardedRequest = new AsyncLocalStorage<{ forwarded: boolean }>();

/** Makes `wasForwarded()` true while a request that carries `forward=false` is handled. */
export function trackForwardedRequests(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const forward = (request.query as Record<string, unknown> | undefined)?.forward;
    forwardedRequest.run({ forwarded: forward === 'false' }, done);
  });
}

export function wasForwarded(): boolean {
  return forwardedRequest.getStore()?.forwarded === true;
}

export interface ForwardedResponse {
  readonly status: number;
  readonly body: unknown;
}

export class RequestForwarder {
  constructor(
    private readonly options: { timeoutMs: number; basicAuth: { user: string; password: string } | null },
  ) {}

  /** Sends the request to `baseUrl` with `forward=false`; a 4xx/5xx answer is thrown as the matching exception. */
  async send(
    baseUrl: string,
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    query: Record<string, string> = {},
    body?: unknown,
  ): Promise<ForwardedResponse> {
    const url = new URL(path, baseUrl);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    url.searchParams.set('forward', 'false');
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.basicAuth) {
      const { user, password } = this.options.basicAuth;
      headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (e) {
      throw new ConflictException(
        `Cannot complete request because of a conflicting operation (e.g. worker rebalance): forwarding to ${url.origin} failed: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (response.status >= 400) throw errorFor(response.status, parsed);
    return { status: response.status, body: parsed };
  }
}

function errorFor(status: number, body: unknown): Error {
  const message =
    typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message
      : `Forwarded request failed with HTTP ${status}`;
  switch (status) {
    case 400:
      return new BadRequestException(message);
    case 403:
      return new ForbiddenException(message);
    case 404:
      return new NotFoundException(message);
    case 409:
      return /already exists/.test(message) ? new AlreadyExistsException(message) : new ConflictException(message);
    default:
      return new ConnectException(message);
  }
}
