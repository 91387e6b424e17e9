import net from 'node:net';
import dgram from 'node:dgram';

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    // Linux lets a connection to a free port in the ephemeral range pick that same port as its own
    // source port and connect to itself; that is no listener.
    socket.once('connect', () => done(!(socket.localPort === port && socket.remotePort === port)));
    socket.once('error', () => done(false));
  });
}

/**
 * True when host:port keeps accepting connections for `graceMs`. A server that has just died can hold
 * its listening socket for a few milliseconds more: Linux closes an exiting process's files lazily, so
 * the port may still answer after the process is gone and reaped.
 */
export async function isPortHeld(port: number, graceMs = 1000, host = '127.0.0.1'): Promise<boolean> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    if (!(await isPortOpen(port, host))) return false;
    if (Date.now() >= deadline) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The variable that overrides one port of a shared server: `SLUICE_INFRA_PORT_SCHEMA_REGISTRY`, `…_KAFKA_CONTROLLER`. */
export function portVariable(service: string, portName: string, isMain: boolean): string {
  const upper = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return `SLUICE_INFRA_PORT_${upper(service)}${isMain ? '' : `_${upper(portName)}`}`;
}

/**
 * The ports the shared server of `service` uses: its defaults, each overridable by its variable
 * (the first, main port by `SLUICE_INFRA_PORT_<SERVICE>`). A malformed value is an error, never ignored.
 */
export function sharedPorts(
  service: string,
  defaults: Readonly<Record<string, number>>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, number> {
  const ports: Record<string, number> = {};
  Object.entries(defaults).forEach(([name, port], i) => {
    const variable = portVariable(service, name, i === 0);
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === '') {
      ports[name] = port;
      return;
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 65535)
      throw new Error(`test-infra: ${variable}=${raw} is not a port number (1-65535)`);
    ports[name] = value;
  });
  const taken = new Map<number, string>();
  for (const [name, port] of Object.entries(ports)) {
    const other = taken.get(port);
    if (other) throw new Error(`test-infra: ${service}'s ports ${other} and ${name} are both ${port}`);
    taken.set(port, name);
  }
  return ports;
}

function bindable(port: number, host: string): Promise<boolean> {
  const tcp = new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
  const udp = new Promise<boolean>((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
  return Promise.all([tcp, udp]).then(([t, u]) => t && u);
}

/**
 * `count` distinct ports that are free for TCP and UDP on `host`, for a private instance. They are
 * drawn below Linux's ephemeral range (32768 and up by default): a port from that range could be taken
 * as the source port of some outgoing connection while the instance is stopped, and its restart on the
 * same port would then fail. `avoid` holds ports that must not be chosen (the shared servers' defaults).
 */
export async function freePorts(
  count: number,
  avoid: ReadonlySet<number>,
  host = '127.0.0.1',
  range: readonly [number, number] = [20_000, 32_000],
): Promise<number[]> {
  const chosen: number[] = [];
  for (let attempt = 0; chosen.length < count; attempt++) {
    if (attempt > 500) throw new Error(`test-infra: found no free port in ${range[0]}-${range[1]}`);
    const port = range[0] + Math.floor(Math.random() * (range[1] - range[0]));
    if (avoid.has(port) || chosen.includes(port)) continue;
    if (await bindable(port, host)) chosen.push(port);
  }
  return chosen;
}
