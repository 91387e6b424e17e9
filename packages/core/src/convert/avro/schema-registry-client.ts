import type { ConnectionOptions } from 'node:tls';
import { Agent, fetch, type Response } from 'undici';
import {
  SchemaRegistryError,
  SchemaRegistryUnavailableError,
  type RegisteredSchema,
  type SchemaRegistry,
} from './schema-registry.js';

export interface SchemaRegistryClientOptions {
  /** Base URLs, each including any path prefix (Apicurio: `http://host:8081/apis/ccompat/v7`). */
  urls: readonly string[];
  /**
   * `user:password` for HTTP basic auth (`basic.auth.credentials.source=USER_INFO`). When absent,
   * credentials written in a URL's user-info part (`source=URL`) are used for that URL.
   */
  userInfo?: string | undefined;
  /** Whole-request timeout. */
  timeoutMs: number;
  /** TLS of `https://` URLs (the CA to trust, a client certificate); absent: the system's CAs. */
  tls?: ConnectionOptions | null;
}

interface Endpoint {
  /** The URL without credentials: the only form that appears in messages. */
  base: string;
  authorization: string | undefined;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * A small client of the Confluent Schema Registry REST API over `fetch` (also served by Apicurio's
 * ccompat API and Karapace). Several URLs are tried in turn when one cannot be reached; requests are
 * bounded by a timeout; credentials never appear in errors.
 */
export class SchemaRegistryClient implements SchemaRegistry {
  private readonly endpoints: Endpoint[];
  /** Index of the endpoint that answered last, tried first next time. */
  private current = 0;
  private readonly dispatcher: Agent;

  constructor(private readonly options: SchemaRegistryClientOptions) {
    if (options.urls.length === 0) throw new Error('At least one schema registry URL is required');
    this.endpoints = options.urls.map((u) => toEndpoint(u, options.userInfo));
    this.dispatcher = new Agent(options.tls ? { connect: options.tls } : {});
  }

  async getSchemaById(id: number): Promise<string> {
    const body = await this.request<{ schema: string }>('GET', `/schemas/ids/${id}`);
    return body.schema;
  }

  async register(subject: string, schema: string, normalize: boolean): Promise<number> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions${normalize ? '?normalize=true' : ''}`;
    const body = await this.request<{ id: number }>('POST', path, { schema });
    return body.id;
  }

  async lookup(subject: string, schema: string, normalize: boolean): Promise<RegisteredSchema> {
    const path = `/subjects/${encodeURIComponent(subject)}${normalize ? '?normalize=true' : ''}`;
    const body = await this.request<RegisteredSchema>('POST', path, { schema });
    return {
      id: body.id,
      version: body.version,
      subject: body.subject ?? subject,
      schema: body.schema ?? schema,
    };
  }

  async getLatest(subject: string): Promise<RegisteredSchema> {
    const body = await this.request<RegisteredSchema>(
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions/latest`,
    );
    return { id: body.id, version: body.version, subject: body.subject ?? subject, schema: body.schema };
  }

  private async request<T>(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<T> {
    const failures: string[] = [];
    for (let attempt = 0; attempt < this.endpoints.length; attempt++) {
      const index = (this.current + attempt) % this.endpoints.length;
      const endpoint = this.endpoints[index]!;
      const url = endpoint.base + path;
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            accept: `${CONTENT_TYPE}, application/json`,
            ...(payload === undefined ? {} : { 'content-type': CONTENT_TYPE }),
            ...(endpoint.authorization ? { authorization: endpoint.authorization } : {}),
          },
          body: payload === undefined ? undefined : JSON.stringify(payload),
          signal: AbortSignal.timeout(this.options.timeoutMs),
          dispatcher: this.dispatcher,
        });
      } catch (e) {
        failures.push(`${method} ${url}: ${describeFetchFailure(e, this.options.timeoutMs)}`);
        continue;
      }
      const text = await response.text().catch(() => '');
      if (response.status >= 500 || response.status === 429) {
        failures.push(`${method} ${url}: HTTP ${response.status} ${errorMessage(text)}`);
        continue;
      }
      this.current = index;
      if (!response.ok) {
        throw new SchemaRegistryError(
          `Schema registry ${method} ${url} failed with HTTP ${response.status}` +
            // A refused login often comes with no body at all.
            (errorMessage(text) === '' ? '' : `: ${errorMessage(text)}`) +
            (response.status === 401 || response.status === 403
              ? ' (check basic.auth.credentials.source and basic.auth.user.info)'
              : ''),
          response.status,
          errorCode(text, response.status),
        );
      }
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new SchemaRegistryError(
          `Schema registry ${method} ${url} answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
          response.status,
          -1,
        );
      }
    }
    throw new SchemaRegistryUnavailableError(`Schema registry unavailable: ${failures.join('; ')}`);
  }
}

function toEndpoint(raw: string, userInfo: string | undefined): Endpoint {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`'${stripUserInfo(raw)}' is not a valid schema registry URL`);
  }
  let credentials = userInfo;
  if (credentials === undefined && (url.username || url.password)) {
    credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  }
  url.username = '';
  url.password = '';
  return {
    base: url.toString().replace(/\/+$/, ''),
    authorization:
      credentials === undefined ? undefined : `Basic ${Buffer.from(credentials).toString('base64')}`,
  };
}

/** For messages about a URL that did not parse: drop anything that looks like `user:pass@`. */
function stripUserInfo(raw: string): string {
  return raw.replace(/\/\/[^/@]*@/, '//');
}

function describeFetchFailure(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  // The cause's message says what a TLS failure was (e.g. "unable to verify the first certificate").
  const cause = err.cause;
  if (cause?.code && cause.message && !cause.message.includes(cause.code))
    return `${cause.message} (${cause.code})`;
  return cause?.message ?? cause?.code ?? err.message ?? String(e);
}

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: string };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200);
}

function errorCode(text: string, status: number): number {
  try {
    const body = JSON.parse(text) as { error_code?: number };
    if (typeof body.error_code === 'number') return body.error_code;
  } catch {
    // not JSON: the HTTP status stands in for the code
  }
  return status;
}
