import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { isPortHeld, isPortOpen } from '../src/framework/ports.js';

async function listen(): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as net.AddressInfo).port };
}

describe('ports', () => {
  it('tells a listening port from a free one', async () => {
    const { server, port } = await listen();
    expect(await isPortOpen(port)).toBe(true);
    await new Promise((r) => server.close(r));
    expect(await isPortOpen(port)).toBe(false);
  });

  it('counts a port as held only when it stays open for the grace period', async () => {
    const held = await listen();
    const start = Date.now();
    expect(await isPortHeld(held.port, 300)).toBe(true);
    expect(Date.now() - start).toBeGreaterThanOrEqual(300);
    await new Promise((r) => held.server.close(r));

    // A server that goes away during the grace period (as a just-killed one does) does not hold it.
    const closing = await listen();
    setTimeout(() => closing.server.close(), 100);
    expect(await isPortHeld(closing.port, 2000)).toBe(false);
  });
});
