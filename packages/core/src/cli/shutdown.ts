import type { Logger } from 'pino';

// SIGTERM / SIGINT: stop fetching, flush, commit, close, then exit 0. The stop is bounded by
// task.shutdown.graceful.timeout.ms inside the worker; if it still hangs past that plus a margin the
// process exits 1 so a supervisor is not kept waiting. A second signal exits at once.
export function exitOnSignals(stop: () => Promise<void>, gracefulTimeoutMs: number, log: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`Received ${signal} again; exiting without waiting for tasks to stop`);
      process.exit(130);
    }
    stopping = true;
    log.info(`Received ${signal}; stopping connectors and tasks (flush, commit, close)`);
    const deadline = setTimeout(() => {
      log.error(`Shutdown did not finish within ${gracefulTimeoutMs + SHUTDOWN_MARGIN_MS} ms; exiting`);
      process.exit(1);
    }, gracefulTimeoutMs + SHUTDOWN_MARGIN_MS);
    deadline.unref();
    stop().then(
      () => {
        log.info('Sluice stopped');
        process.exit(0);
      },
      (e: unknown) => {
        log.error({ err: e }, 'Error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Time for the REST server and admin clients to close after the tasks stopped. */
const SHUTDOWN_MARGIN_MS = 3000;
