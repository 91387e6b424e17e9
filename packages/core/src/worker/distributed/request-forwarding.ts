import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import type { ConnectionOptions } from 'node:tls';
import { Agent, fetch, type Response } from 'undici';
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

export interface RequestForwarderOptions {
  timeoutMs: number;
  basicAuth: { user: string; password: string } | null;
  /**
   * TLS for `https://` leaders (WorkerConfig.restClientTls): the CA that signed the workers' REST
   * certificates and this worker's client certificate. Null: the system's CAs, no client certificate.
   */
  tls?: ConnectionOptions | null;
}

export class RequestForwarder {
  // One connection pool for every leader this worker forwards to; its TLS settings apply to https URLs.
  private readonly dispatcher: Agent;

  constructor(private readonly options: RequestForwarderOptions) {
    this.dispatcher = new Agent(options.tls ? { connect: options.tls } : {});
  }

  /** Closes the pooled connections (the worker is stopping). */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }

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
        dispatcher: this.dispatcher,
      });
    } catch (e) {
      throw new ConflictException(
        `Cannot complete request because of a conflicting operation (e.g. worker rebalance): forwarding to ${url.origin} failed: ${failureReason(e)}`,
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

// fetch only says "fetch failed"; the cause says why (refused connection, untrusted certificate, ...).
function failureReason(e: unknown): string {
  const error = e as Error & { cause?: unknown };
  const cause = error.cause as (Error & { code?: string }) | undefined;
  if (cause instanceof Error) return cause.code ? `${cause.message} (${cause.code})` : cause.message;
  return error.message;
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
      return /already exists/.test(message)
        ? new AlreadyExistsException(message)
        : new ConflictException(message);
    default:
      return new ConnectException(message);
  }
}
