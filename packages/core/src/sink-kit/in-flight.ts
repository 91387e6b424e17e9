import { ConnectException } from '../errors.js';

// Flow control for stores that acknowledge each send (MQTT QoS 1/2, JMS, CoAP confirmable messages):
// at most `limit` sends await their acknowledgement, and a batch is done only when all of them were
// acknowledged. And a gate that holds sends while the connection is down, for a bounded time.

/** A bounded window of acknowledged sends. */
export class InFlightWindow {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;
  private readonly freed: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`an in-flight window needs a limit of at least 1, got ${limit}`);
  }

  /** Sends awaiting their acknowledgement. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Waits for a free slot, then starts `send` (which resolves on the store's acknowledgement). Throws
   * the first failure of an earlier send instead of starting a new one.
   */
  async submit(send: () => Promise<void>): Promise<void> {
    while (this.pending.size >= this.limit && !this.failure) {
      await new Promise<void>((resolve) => this.freed.push(resolve));
    }
    if (this.failure) throw this.failure.error;
    const done: Promise<void> = send().then(
      () => this.release(done),
      (e: unknown) => {
        this.failure ??= { error: e };
        this.release(done);
      },
    );
    this.pending.add(done);
  }

  /** Resolves when every send so far was acknowledged; rejects with the first failure (and resets). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    const failure = this.failure;
    this.failure = null;
    if (failure) throw failure.error;
  }

  private release(done: Promise<void>): void {
    this.pending.delete(done);
    this.freed.shift()?.();
    // A failure wakes every waiter so that none of them starts a send.
    if (this.failure) for (const wake of this.freed.splice(0)) wake();
  }
}

/**
 * Open while connected. `whenOpen` resolves at once when open, otherwise when the connection comes
 * back, and rejects after `timeoutMs` with an error that says what was waited for and the last
 * connection error (a transient store error for the error policy).
 */
export class ConnectionGate {
  private opened = false;
  private lastError: Error | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly describe: string) {}

  get isOpen(): boolean {
    return this.opened;
  }

  open(): void {
    this.opened = true;
    this.lastError = null;
    for (const wake of [...this.waiters]) wake();
  }

  /** The connection is down; `error` (when known) is named if a waiter times out. */
  close(error?: Error): void {
    this.opened = false;
    if (error) this.lastError = error;
  }

  whenOpen(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.opened) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const finish = (error: Error | null) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const wake = () => finish(null);
      const onAbort = () =>
        finish(new ConnectException(`${this.describe}: stopped while waiting for the connection.`));
      const timer = setTimeout(() => {
        const last = this.lastError ? ` (last error: ${this.lastError.message})` : '';
        finish(new ConnectException(`${this.describe}: no connection for ${timeoutMs} ms${last}.`));
      }, timeoutMs);
      this.waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
