import type { Logger } from 'pino';
import { CliError } from './cli-error.js';

// `sluice distributed <worker.properties>`: the entry point distributed mode plugs into. Distributed
// mode (group membership through Kafka, config/status topics, a DistributedHerder driving the same
// Worker and REST API as standalone) is not part of this build yet, so this says so and exits 1.
export async function runDistributed(args: readonly string[], log: Logger): Promise<void> {
  if (!args[0]) throw new CliError('Usage: sluice distributed <worker.properties>', 2);
  log.debug({ workerFile: args[0] }, 'distributed mode requested');
  throw new CliError(
    'Distributed mode is not available in this build of Sluice. Run `sluice standalone <worker.properties> <connector files>` instead.',
    1,
  );
}
