import type { SecureContextOptions } from 'node:tls';
import { DataException, FatalStoreException, RetriableException } from '@sluice/core/sink';
import stompit from 'stompit';
import type { StompBroker } from './url.js';

// One STOMP connection to the broker (the first of the failover list that answers), and batches sent
// as transactions: BEGIN, the SENDs, COMMIT with a receipt. The broker makes the messages of a
// transaction visible only at COMMIT and drops them when the connection ends before it, so a batch
// counts as written exactly when the COMMIT's receipt arrives, and a failure leaves no partial batch.
//
// Errors, by what the caller does with them:
// - the broker refused a destination (an ERROR frame answering the first SEND to it, which carries a
//   receipt for that purpose): DestinationRefused, a data error for that destination's records; the
//   others are sent again in a new transaction;
// - the broker refused the login: BrokerLoginRefused, fatal;
// - anything else (connection lost or refused, no receipt in time, an ERROR about the transaction):
//   BrokerUnavailable, transient; the next batch reconnects, with back-off.

export interface StompMessage {
  /** `/queue/<name>` or `/topic/<name>`. */
  readonly destination: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
}

export interface StompSessionOptions {
  readonly brokers: readonly StompBroker[];
  readonly username: string;
  readonly password: string;
  readonly timeoutMs: number;
  /** TLS options for `stomp+ssl://` brokers (CA, client certificate). */
  readonly tls?: SecureContextOptions;
  /** For log lines and errors: `Connector x task n`. */
  readonly describe: string;
  readonly log: { info(msg: string): void; warn(msg: string): void };
  /** Aborted when the task stops: waits for the broker end. */
  readonly signal?: AbortSignal;
}

export class DestinationRefused extends DataException {
  constructor(
    readonly destination: string,
    readonly brokerMessage: string,
  ) {
    super(`the broker refused the destination ${destination}: ${brokerMessage}`);
    this.name = 'DestinationRefused';
  }
}

export class BrokerLoginRefused extends FatalStoreException {
  constructor(message: string) {
    super(message, { key: 'connect.jms.username' });
    this.name = 'BrokerLoginRefused';
  }
}

/** The broker's TLS certificate is not one the trust store vouches for (or has expired): retrying cannot help. */
export class BrokerCertificateRefused extends FatalStoreException {
  constructor(message: string, cause: unknown) {
    super(message, { key: 'connect.jms.ssl.truststore.location', cause });
    this.name = 'BrokerCertificateRefused';
  }
}

const CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export class BrokerUnavailable extends RetriableException {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrokerUnavailable';
  }
}

/** What a transaction came to: committed, or one destination refused (nothing committed). */
export type TransactionResult =
  { readonly committed: true } | { readonly committed: false; readonly refused: DestinationRefused };

interface ErrorFrame {
  readonly receiptId: string | undefined;
  readonly message: string;
}

type Client = stompit.Client;

const LOGIN_ERROR = /password|credential|authenticat|login|not authori[sz]ed|security|user name/i;
const MAX_BACKOFF_MS = 2_000;

export class StompSession {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private lastErrorFrame: ErrorFrame | null = null;
  private nextTransaction = 1;
  private closed = false;

  constructor(private readonly options: StompSessionOptions) {}

  /** Connects now (used at start, so that a refused login fails the task at once). */
  async open(): Promise<void> {
    await this.connected();
  }

  /** Sends `messages` in one transaction and resolves when the broker confirmed the COMMIT. */
  async commit(messages: readonly StompMessage[]): Promise<TransactionResult> {
    const client = await this.connected();
    const transaction = `sluice-${process.pid}-${this.nextTransaction++}`;
    this.lastErrorFrame = null;
    return new Promise<TransactionResult>((resolve, reject) => {
      let done = false;
      const firstSend = new Map<string, string>(); // receipt id → destination
      const seen = new Set<string>();
      const finish = (outcome: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        client.removeListener('error', onError);
        outcome();
      };
      const onError = (error: Error) => {
        const frame = this.lastErrorFrame;
        const destination = frame?.receiptId !== undefined ? firstSend.get(frame.receiptId) : undefined;
        if (destination !== undefined) {
          finish(() =>
            resolve({ committed: false, refused: new DestinationRefused(destination, frame!.message) }),
          );
        } else {
          finish(() => reject(this.unavailable(`the transaction failed: ${describeError(error)}`, error)));
        }
      };
      const timer = setTimeout(() => {
        finish(() =>
          reject(
            this.unavailable(
              `no receipt for the COMMIT of ${messages.length} message(s) within ${this.options.timeoutMs} ms`,
            ),
          ),
        );
        this.drop(client);
      }, this.options.timeoutMs);
      client.on('error', onError);

      const tx = client.begin({ transaction });
      for (const m of messages) {
        const headers: Record<string, string> = { ...m.headers, destination: m.destination };
        const first = !seen.has(m.destination);
        const frame = first ? tx.send(headers, receiptOnly(noop)) : tx.send(headers);
        if (first) {
          seen.add(m.destination);
          firstSend.set(String(headers['receipt']), m.destination);
        }
        frame.end(m.body);
      }
      tx.commit(receiptOnly(() => finish(() => resolve({ committed: true }))));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    if (!client) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(
        () => {
          destroy(client);
          resolve();
        },
        Math.min(this.options.timeoutMs, 2_000),
      );
      client.disconnect(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private unavailable(message: string, cause?: unknown): BrokerUnavailable {
    return new BrokerUnavailable(
      `${this.options.describe}: ${message}`,
      cause === undefined ? undefined : { cause },
    );
  }

  private drop(client: Client): void {
    if (this.client === client) this.client = null;
    destroy(client);
  }

  private connected(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connectWithBackoff().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /** Tries the brokers in order, again and again with back-off, until one answers or the timeout passes. */
  private async connectWithBackoff(): Promise<Client> {
    const { brokers, timeoutMs } = this.options;
    const deadline = Date.now() + timeoutMs;
    let delay = 100;
    let last: Error | null = null;
    for (;;) {
      for (const broker of brokers) {
        if (this.closed || this.options.signal?.aborted) throw this.unavailable('the task is stopping');
        try {
          const client = await this.connectOnce(broker, Math.max(500, deadline - Date.now()));
          this.client = client;
          if (last) this.options.log.info(`${this.options.describe}: connected to ${broker.url} again`);
          return client;
        } catch (e) {
          if (e instanceof FatalStoreException) throw e;
          last = e as Error;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw this.unavailable(
          `cannot connect to ${brokers.map((b) => b.url).join(', ')} within ${timeoutMs} ms: ${describeError(last)}`,
          last,
        );
      }
      await sleep(Math.min(delay, left), this.options.signal);
      delay = Math.min(delay * 2, MAX_BACKOFF_MS);
    }
  }

  private connectOnce(broker: StompBroker, timeoutMs: number): Promise<Client> {
    const { username, password, tls } = this.options;
    const connectHeaders: Record<string, string> = { host: broker.host, 'heart-beat': '0,0' };
    if (username !== '') {
      connectHeaders['login'] = username;
      connectHeaders['passcode'] = password;
    }
    const options = broker.tls
      ? {
          host: broker.host,
          port: broker.port,
          timeout: timeoutMs,
          connectHeaders,
          ssl: true as const,
          servername: broker.host,
          ...tls,
        }
      : { host: broker.host, port: broker.port, timeout: timeoutMs, connectHeaders };
    return new Promise<Client>((resolve, reject) => {
      const client = stompit.connect(options, (error) => {
        if (error) {
          destroy(client);
          const text = describeError(error);
          // The broker answered CONNECT with an ERROR frame about the credentials.
          const isApplication =
            (error as { isApplicationError?: () => boolean }).isApplicationError?.() === true;
          if (isApplication && LOGIN_ERROR.test(text)) {
            reject(
              new BrokerLoginRefused(
                `${this.options.describe}: the broker ${broker.url} refused the login: ${text}`,
              ),
            );
          } else if (CERTIFICATE_ERRORS.has((error as { code?: string }).code ?? '')) {
            reject(
              new BrokerCertificateRefused(
                `${this.options.describe}: the TLS certificate of ${broker.url} is not trusted: ${text} (check connect.jms.ssl.truststore.*)`,
                error,
              ),
            );
          } else {
            reject(error);
          }
          return;
        }
        this.watch(client, broker);
        resolve(client);
      });
    });
  }

  /** Keeps the ERROR frame's receipt id (stompit's error lacks it) and forgets a connection that failed. */
  private watch(client: Client, broker: StompBroker): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the patched handler runs with the client as `this`
    const session = this;
    const handlers = (
      client as unknown as {
        _commandHandlers: Record<string, (this: Client, frame: IncomingFrame, done: unknown) => void>;
      }
    )._commandHandlers;
    const original = handlers['ERROR'];
    if (original) {
      handlers['ERROR'] = function (this: Client, frame: IncomingFrame, done: unknown) {
        session.lastErrorFrame = {
          receiptId: frame.headers['receipt-id'],
          message: frame.headers['message'] ?? 'ERROR frame',
        };
        original.call(this, frame, done);
      };
    }
    client.on('error', (error: Error) => {
      if (this.client === client) {
        this.client = null;
        if (!this.closed)
          this.options.log.warn(
            `${this.options.describe}: lost the connection to ${broker.url}: ${describeError(error)}`,
          );
      }
    });
  }
}

interface IncomingFrame {
  readonly headers: Record<string, string | undefined>;
}

function describeError(error: unknown): string {
  if (!error) return 'unknown error';
  const e = error as Error & { longMessage?: string };
  const long = e.longMessage?.trim().split('\n')[0];
  return long && !e.message.includes(long) ? `${e.message} (${long})` : e.message;
}

function noop(): void {}

/** stompit's options for a frame with a receipt (its typings also demand an onError, which it does not need). */
function receiptOnly(onReceipt: () => void): stompit.Client.SendOptions {
  return { onReceipt } as unknown as stompit.Client.SendOptions;
}

/** Closes the socket at once (stompit's typings want an error argument, which is optional). */
function destroy(client: Client): void {
  (client as unknown as { destroy(error?: Error): void }).destroy();
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
