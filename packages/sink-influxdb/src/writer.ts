import { HttpError, InfluxDB, RequestTimedOutError } from '@influxdata/influxdb-client';
import type { InfluxSinkConfig } from './config.js';
import type { Precision } from './timestamps.js';

// Line-protocol write requests to InfluxDB, through the official client's HTTP transport (its gzip and
// error types) but without its buffering write API: a put is acknowledged only when InfluxDB answered
// 204 for every line of it. 1.x writes go to `/write` (db, rp, consistency, basic auth); 2.x writes to
// `/api/v2/write` (org, bucket, token).
//
// A 400 ("partial write", "field type conflict", "unable to parse") or 413 answer is about some lines
// of the request: the request is split in halves and each half resent until the refused lines stand
// alone, so exactly those become record errors. Resending the lines InfluxDB already stored is
// harmless: the same point (series, time, values) overwrites itself.

/** How a failed write request is handled (the kit's classification). */
export type ErrorClass = 'data' | 'transient' | 'fatal';

export class InfluxWriteError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorClass,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InfluxWriteError';
  }
}

/** A request's lines; `items` says which caller item each line belongs to. */
export interface LineBatch<T> {
  readonly precision: Precision;
  readonly lines: readonly string[];
  readonly items: readonly T[];
  /** The lines joined by newlines, when the caller has them already. */
  readonly body?: string;
}

export interface RefusedLine<T> {
  readonly item: T;
  readonly line: string;
  readonly reason: string;
}

export class InfluxLineWriter {
  private readonly influx: InfluxDB;
  private readonly headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  private readonly target: string;

  constructor(private readonly config: InfluxSinkConfig) {
    const t = config.target;
    this.influx = new InfluxDB({
      url: config.url,
      timeout: config.requestTimeoutMs,
      ...(t.api === 'v2' && t.token !== '' ? { token: t.token } : {}),
    });
    if (t.api === 'v1' && t.username !== '') {
      this.headers['authorization'] =
        `Basic ${Buffer.from(`${t.username}:${t.password}`).toString('base64')}`;
    }
    this.target =
      t.api === 'v1'
        ? `database ${t.database} (retention policy ${t.retentionPolicy})`
        : `bucket ${t.bucket} (org ${t.org})`;
  }

  /** Where the points go, for messages (without credentials a URL may carry). */
  describeTarget(): string {
    const url = new URL(this.config.url);
    url.username = '';
    url.password = '';
    return `${url.origin}${url.pathname === '/' ? '' : url.pathname} ${this.target}`;
  }

  /**
   * Writes one batch. Resolves with the lines InfluxDB refused (each on its own); rejects with an
   * InfluxWriteError (transient or fatal) when the request as a whole failed.
   */
  async write<T>(batch: LineBatch<T>): Promise<RefusedLine<T>[]> {
    try {
      await this.send(batch.precision, batch.body ?? batch.lines.join('\n'));
      return [];
    } catch (e) {
      const failure = this.classify(e);
      if (failure.kind !== 'data') throw failure;
      if (batch.lines.length === 1)
        return [{ item: batch.items[0]!, line: batch.lines[0]!, reason: failure.message }];
      const half = Math.ceil(batch.lines.length / 2);
      const first = await this.write({
        precision: batch.precision,
        lines: batch.lines.slice(0, half),
        items: batch.items.slice(0, half),
      });
      const second = await this.write({
        precision: batch.precision,
        lines: batch.lines.slice(half),
        items: batch.items.slice(half),
      });
      return [...first, ...second];
    }
  }

  private path(precision: Precision): string {
    const t = this.config.target;
    const q = new URLSearchParams();
    if (t.api === 'v1') {
      q.set('db', t.database);
      q.set('rp', t.retentionPolicy);
      q.set('precision', precision === 'us' ? 'u' : precision);
      q.set('consistency', t.consistency.toLowerCase());
      return `/write?${q}`;
    }
    q.set('org', t.org);
    q.set('bucket', t.bucket);
    q.set('precision', precision);
    return `/api/v2/write?${q}`;
  }

  private async send(precision: Precision, body: string): Promise<void> {
    await this.influx.transport.request(this.path(precision), body, {
      method: 'POST',
      headers: this.headers,
      ...(this.config.gzipThreshold === undefined ? {} : { gzipThreshold: this.config.gzipThreshold }),
    });
  }

  /** data: some lines can never be written; transient: try again later; fatal: the setup is wrong. */
  classify(error: unknown): InfluxWriteError {
    if (error instanceof InfluxWriteError) return error;
    const where = `InfluxDB ${this.describeTarget()}`;
    if (error instanceof HttpError) {
      const reason = serverMessage(error);
      const status = error.statusCode;
      if (status === 400 || status === 413)
        return new InfluxWriteError(`${where} refused the points: ${reason} (HTTP ${status})`, 'data', {
          cause: error,
        });
      if (status === 429 || status >= 500) {
        return new InfluxWriteError(`${where} is unavailable: ${reason} (HTTP ${status})`, 'transient', {
          cause: error,
        });
      }
      const hint =
        status === 401 || status === 403
          ? 'check the credentials (username/password or token) and their write permission'
          : status === 404
            ? 'the database/bucket (or retention policy) does not exist; create it first'
            : 'the request was refused';
      return new InfluxWriteError(`${where}: ${reason} (HTTP ${status}): ${hint}.`, 'fatal', {
        cause: error,
      });
    }
    if (error instanceof RequestTimedOutError) {
      return new InfluxWriteError(
        `${where} did not answer within ${this.config.requestTimeoutMs} ms`,
        'transient',
        { cause: error },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    return new InfluxWriteError(`${where} cannot be reached: ${message}`, 'transient', { cause: error });
  }
}

function serverMessage(error: HttpError): string {
  const json = error.json as { error?: string; message?: string } | undefined;
  return json?.error ?? json?.message ?? error.body ?? error.message;
}
