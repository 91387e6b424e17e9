import type { Logger } from 'pino';
import { DistributedConfig } from '../worker/distributed/distributed-config.js';
import { handOverTimeoutMs } from '../worker/distributed/distributed-herder.js';
import { startDistributed } from '../worker/distributed/start-distributed.js';
import { CliError } from './cli-error.js';
import { exitOnSignals } from './shutdown.js';
import { readWorkerProperties } from './worker-file.js';

/**
 * `sluice distributed <worker.properties>` (Kafka Connect's connect-distributed): joins the cluster
 * named by group.id and runs until SIGTERM/SIGINT, which hand this worker's work to the others.
 */
export async function runDistributed(args: readonly string[], log: Logger): Promise<void> {
  if (!args[0]) throw new CliError('Usage: sluice distributed <worker.properties>', 2);
  const workerProps = await readWorkerProperties(args[0]);
  const config = new DistributedConfig(workerProps);
  const runtime = await startDistributed({
    workerProps,
    logger: log,
    onFatal: (e) => {
      log.error({ err: e }, e.message);
      void runtime.stop().finally(() => process.exit(1));
    },
  });
  // Tasks stop within task.shutdown.graceful.timeout.ms; handing the work over takes a rebalance more.
  exitOnSignals(
    () => runtime.stop(),
    config.worker.gracefulShutdownTimeoutMs + handOverTimeoutMs(config),
    log,
  );
}
