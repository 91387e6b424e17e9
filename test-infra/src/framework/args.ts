import { isServiceName, SERVICE_NAMES, type ServiceName } from '../services/index.js';

export type Command =
  | { kind: 'up'; services: ServiceName[] }
  | { kind: 'up-for'; packages: string[] }
  | { kind: 'down'; services: ServiceName[] }
  | { kind: 'status'; services: ServiceName[]; json: boolean }
  | { kind: 'help' };

export const USAGE = `Usage: npm run infra -- <command>
  up <service...> | up all     install what is missing, start, wait until healthy (reuses running ones)
  up --for <package...>        up what the packages' integration tests declare ("sluice": {"services": […]})
  status [service...] [--json] health, pid, host, port and connection string of each service
  down [service...]            stop what test-infra started (all when none named) and remove its data
Services: ${SERVICE_NAMES.join(', ')}
Cache: $SLUICE_INFRA_CACHE (default ~/.cache/sluice-infra)`;

export class UsageError extends Error {}

function services(names: string[], emptyMeansAll: boolean): ServiceName[] {
  if (names.includes('all') || (emptyMeansAll && names.length === 0)) return [...SERVICE_NAMES];
  const unknown = names.filter((n) => !isServiceName(n));
  if (unknown.length > 0)
    throw new UsageError(`unknown service ${unknown.join(', ')}; known: ${SERVICE_NAMES.join(', ')}`);
  return [...new Set(names as ServiceName[])];
}

export function parseArgs(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  const flags = rest.filter((a) => a.startsWith('-'));
  const names = rest.filter((a) => !a.startsWith('-'));
  const allowOnly = (allowed: string[]) => {
    const bad = flags.filter((f) => !allowed.includes(f));
    if (bad.length > 0) throw new UsageError(`unknown option ${bad.join(', ')} for ${command}`);
  };
  switch (command) {
    case 'up':
      allowOnly(['--for']);
      if (flags.includes('--for')) {
        if (names.length === 0)
          throw new UsageError('up --for needs package names, e.g. @sluice/sink-mongodb');
        return { kind: 'up-for', packages: [...new Set(names)] };
      }
      if (names.length === 0) throw new UsageError('up needs service names or `all`');
      return { kind: 'up', services: services(names, false) };
    case 'down':
      allowOnly([]);
      return { kind: 'down', services: services(names, true) };
    case 'status':
      allowOnly(['--json']);
      return { kind: 'status', services: services(names, true), json: flags.includes('--json') };
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { kind: 'help' };
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}
