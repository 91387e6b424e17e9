// `npm run infra -- <command>`: the command line face of test-infra (see README.md).
import { parseArgs, USAGE, UsageError } from './framework/args.js';
import { ensureServices, serviceStatus, stopService } from './framework/manager.js';
import { cacheRoot } from './framework/paths.js';
import { renderStatusTable } from './framework/render.js';
import { SERVICE_NAMES } from './services/index.js';

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
    case 'up': {
      const infos = await ensureServices(command.services, { cacheDir });
      const rows = await Promise.all(Object.keys(infos).map((n) => serviceStatus(n as never, cacheDir)));
      console.log(renderStatusTable(rows));
      return 0;
    }
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
