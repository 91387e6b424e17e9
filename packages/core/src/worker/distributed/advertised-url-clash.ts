import { isLoopbackHost, isWildcardHost } from '../worker-config.js';
import type { GroupMember } from './assignor.js';

// Workers find each other by the REST URL they advertise: followers forward writes to the leader's,
// and the status store tells its own records from the others' by worker id. Two members advertising
// the same loopback or wildcard URL (e.g. `localhost:8083` on two machines) would forward to
// themselves and hide each other's statuses, so such a cluster is refused.

/** The URLs that are advertised by more than one member and that no other machine could reach. */
export function clashingAdvertisedUrls(members: readonly GroupMember[]): Set<string> {
  const count = new Map<string, number>();
  for (const m of members) count.set(m.metadata.url, (count.get(m.metadata.url) ?? 0) + 1);
  const out = new Set<string>();
  for (const [url, n] of count) if (n > 1 && isLocalOnlyUrl(url)) out.add(url);
  return out;
}

function isLocalOnlyUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return isLoopbackHost(host) || isWildcardHost(host);
}

/** The startup error of a worker whose advertised URL is shared: names the keys to set. */
export function advertisedUrlClashMessage(url: string, groupId: string): string {
  return (
    `Another worker of group ${groupId} advertises the same REST URL ${url}, a loopback or wildcard address ` +
    'that other workers cannot reach: each worker needs its own address. Set rest.advertised.host.name ' +
    '(and rest.advertised.port, rest.advertised.listener) or listeners to an address the other workers can reach'
  );
}
