// `npm run infra -- <command>`: the command line face of test-infra (see README.md).
import { fileURLToPath } from 'node:url';
import { parseArgs, USAGE, UsageError } from './framework/args.js';
import { ensureService, serviceStatus, stopService, withDependencies } from './framework/manager.js';
import { cacheRoot } from './framework/paths.js';
import { checkPrerequisites } from './framework/prerequisites.js';
import { renderStatusTable } from './framework/render.js';
import { ServiceError } from './framework/service-error.js';
import { servicesFor } from './framework/workspace.js';
import { loadService, SERVICE_NAMES, type ServiceName } from './services/index.js';

// The repository whose packages `up --for` reads: test-infra/src/ (or dist/) is two levels below it.
const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Unlike ensureServices (tests need all of theirs), `up` carries on past a failed service so that one run
 * reports every problem; a service whose dependency failed is not attempted.
 */
async function up(services: readonly ServiceName[], cacheDir: string): Promise<number> {
  const all = await withDependencies(services);
  try {
    await checkPrerequisites(await Promise.all(all.map(loadService)), cacheDir);
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
  const failed = new Set<string>();
  const started: ServiceName[] = [];
  for (const name of all) {
    const deps = (await loadService(name)).dependsOn ?? [];
    const blocked = deps.filter((d) => failed.has(d));
    if (blocked.length > 0) {
      console.error(`[infra] ${name}: not started because ${blocked.join(', ')} failed`);
      failed.add(name);
      continue;
    }
    try {
      await ensureService(name, { cacheDir });
      started.push(name);
    } catch (err) {
      failed.add(name);
      console.error(err instanceof ServiceError ? err.message : `[infra] ${name}: ${(err as Error).stack}`);
    }
  }
  const rows = [];
  for (const name of started) rows.push(await serviceStatus(name, cacheDir));
  if (rows.length > 0) console.log(renderStatusTable(rows));
  if (failed.size > 0) console.error(`[infra] failed: ${[...failed].join(', ')}`);
  return failed.size > 0 ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  const cacheDir = cacheRoot();
  switch (command.kind) {
    case 'help':
      console.log(USAGE);
      return 0;
    case 'up-for': {
      let services: ServiceName[];
      try {
        services = await servicesFor(repositoryRoot, command.packages);
      } catch (err) {
        console.error((err as Error).message);
        return 2;
      }
      console.log(
        `[infra] ${command.packages.join(', ')} declare${command.packages.length === 1 ? 's' : ''}: ` +
          (services.length > 0 ? services.join(', ') : 'no services'),
      );
      return up(services, cacheDir);
    }
    case 'up':
      return up(command.services, cacheDir);
    case 'status': {
      const rows = [];
      for (const name of command.services) rows.push(await serviceStatus(name, cacheDir));
      console.log(command.json ? JSON.stringify(rows, null, 2) : renderStatusTable(rows));
      return 0;
    }
    case 'down': {
      // Reverse start order: what depends on a service stops before it.
      const order = SERVICE_NAMES.filter((n) => command.services.includes(n)).reverse();
      let failed = 0;
      for (const name of order) {
        try {
          console.log(`[infra] ${name}: ${await stopService(name, cacheDir)}`);
        } catch (err) {
          failed++;
          console.error(`[infra] ${name}: stop failed: ${(err as Error).message}`);
        }
      }
      return failed ? 1 : 0;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.name === 'ServiceError' ? err.message : (err.stack ?? String(err)));
    process.exit(1);
  },
);
