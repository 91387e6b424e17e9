import net from 'node:net';

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
