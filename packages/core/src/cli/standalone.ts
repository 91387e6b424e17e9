import type { Logger } from 'pino';
import { readConnectorFile } from '../worker/connector-file.js';
import { ConnectorStartupError, startStandalone } from '../worker/standalone.js';
import { WorkerConfig } from '../worker/worker-config.js';
import { exitOnSignals } from './shutdown.js';
import { readWorkerProperties } from './worker-file.js';
import { CliError } from './cli-error.js';

/** `sluice standalone <worker.properties> <connector file>...` — runs until SIGTERM/SIGINT. */
export async function runStandalone(args: readonly string[], log: Logger): Promise<void> {
  const [workerFile, ...connectorFiles] = args;
  if (!workerFile)
    throw new CliError('Usage: sluice standalone <worker.properties> [<connector.properties|.json>...]', 2);
  const workerProps = await readWorkerProperties(workerFile);
  const gracefulMs = new WorkerConfig(workerProps).gracefulShutdownTimeoutMs;
  const connectors = [];
  for (const file of connectorFiles) connectors.push(await readConnectorFile(file));
  try {
    const runtime = await startStandalone({ workerProps, connectors, logger: log });
    exitOnSignals(() => runtime.stop(), gracefulMs, log);
  } catch (e) {
    if (e instanceof ConnectorStartupError) throw new CliError(e.message, 3);
    throw e;
  }
}
