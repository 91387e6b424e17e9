// Entry point of the RethinkDB test double (see README.md):
//   node main.js --bind 127.0.0.1 --driver-port 28015 [--data-file <path>]
// The admin password comes from SLUICE_RETHINKDB_ADMIN_PASSWORD (not argv, which `ps` shows); default ''.
// With --data-file the databases are written there on SIGTERM/SIGINT and read back at the next start,
// so that a stopped and restarted server keeps its data as a real one does.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Catalog, type CatalogSnapshot } from './catalog.js';
import { startServer } from './server.js';

const { values } = parseArgs({
  options: {
    bind: { type: 'string', default: '127.0.0.1' },
    'driver-port': { type: 'string', default: '28015' },
    'data-file': { type: 'string' },
  },
});
const host = values.bind as string;
const port = Number(values['driver-port']);
const dataFile = values['data-file'];
const catalog =
  dataFile && existsSync(dataFile)
    ? new Catalog(JSON.parse(readFileSync(dataFile, 'utf8')) as CatalogSnapshot)
    : new Catalog();
await startServer({ host, port, adminPassword: process.env.SLUICE_RETHINKDB_ADMIN_PASSWORD ?? '', catalog });
console.log(`RethinkDB test double (not a real RethinkDB server) listening for drivers on ${host}:${port}`);
// Stop at once, even with drivers still connected; only the data file, if any, is written first.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (dataFile) {
      writeFileSync(`${dataFile}.tmp`, JSON.stringify(catalog.snapshot()));
      renameSync(`${dataFile}.tmp`, dataFile);
    }
    process.exit(0);
  });
}
