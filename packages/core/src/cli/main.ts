#!/usr/bin/env node
import { createRootLogger } from './logging.js';
import { CliError } from './cli-error.js';
import { runDistributed } from './distributed.js';
import { runKcql } from './kcql.js';
import { runPlugins } from './plugins.js';
import { runStandalone } from './standalone.js';
import { SLUICE_VERSION } from '../worker/version.js';

// The `sluice` command.

const HELP = `sluice ${SLUICE_VERSION} - Kafka Connect for Node.js

Usage:
  sluice standalone <worker.properties> <connector.properties|connector.json>...
      Run connectors in this process (Kafka Connect's connect-standalone). Connector files are Java
      properties, a JSON map of config, or {"name": ..., "config": {...}}. REST API on \`listeners\`
      (default http://:8083). SIGTERM/SIGINT stop gracefully (flush, commit, close).
  sluice distributed <worker.properties>
      Join the cluster named by group.id (Kafka Connect's connect-distributed).
  sluice kcql "<statement>"
      Parse a KCQL statement and print it as JSON (exit 1 with the error when it does not parse).
  sluice plugins [worker.properties]
      List installed sink plugins (node_modules/@sluice/sink-* and plugin.path) with versions and
      the names connector.class accepts for them.
  sluice --help | --version

Environment: SLUICE_LOG_LEVEL (trace|debug|info|warn|error, default info).
Exit codes: 0 ok, 1 error, 2 usage, 3 a connector given on the command line could not be created.`;

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...args] = argv;
  const out = (text: string) => process.stdout.write(text + '\n');
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      out(HELP);
      return;
    case '-v':
    case '--version':
      out(SLUICE_VERSION);
      return;
    case 'standalone':
      return runStandalone(args, createRootLogger());
    case 'distributed':
      return runDistributed(args, createRootLogger());
    case 'kcql':
      return runKcql(args, out);
    case 'plugins':
      return runPlugins(args, out);
    default:
      throw new CliError(`Unknown command '${command}'. Run 'sluice --help' for usage.`, 2);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const code = e instanceof CliError ? e.exitCode : 1;
  process.stderr.write(`sluice: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = code;
  // Clients (Kafka, the REST server) may hold the event loop open after a failed start.
  setTimeout(() => process.exit(code), 100).unref();
});
