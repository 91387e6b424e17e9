// Entry point of the RethinkDB test double (see README.md): `node main.js --bind 127.0.0.1 --driver-port 28015`.
// The admin password comes from SLUICE_RETHINKDB_ADMIN_PASSWORD (not argv, which `ps` shows); default ''.
import { parseArgs } from 'node:util';
import { startServer } from './server.js';

const { values } = parseArgs({
  options: {
    bind: { type: 'string', default: '127.0.0.1' },
    'driver-port': { type: 'string', default: '28015' },
  },
});
const host = values.bind as string;
const port = Number(values['driver-port']);
await startServer({ host, port, adminPassword: process.env.SLUICE_RETHINKDB_ADMIN_PASSWORD ?? '' });
console.log(`RethinkDB test double (not a real RethinkDB server) listening for drivers on ${host}:${port}`);
// Everything is in memory, so there is nothing to flush: stop at once, even with drivers still connected.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
