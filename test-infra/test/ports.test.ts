import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePorts, isPortHeld, isPortOpen, portVariable, sharedPorts } from '../src/framework/ports.js';

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

describe('port settings', () => {
  const defaults = { client: 9092, controller: 9093 };

  it('uses the defaults unless SLUICE_INFRA_PORT_<SERVICE>[_<NAME>] overrides them', () => {
    expect(sharedPorts('kafka', defaults, {})).toEqual(defaults);
    expect(
      sharedPorts('kafka', defaults, {
        SLUICE_INFRA_PORT_KAFKA: '19092',
        SLUICE_INFRA_PORT_KAFKA_CONTROLLER: '',
      }),
    ).toEqual({ client: 19092, controller: 9093 });
    expect(portVariable('schema-registry', 'http', true)).toBe('SLUICE_INFRA_PORT_SCHEMA_REGISTRY');
    expect(portVariable('kafka', 'controller', false)).toBe('SLUICE_INFRA_PORT_KAFKA_CONTROLLER');
  });

  it('rejects a value that is not a port, or two ports that collide', () => {
    expect(() => sharedPorts('kafka', defaults, { SLUICE_INFRA_PORT_KAFKA: '90x' })).toThrow(
      'SLUICE_INFRA_PORT_KAFKA=90x is not a port number',
    );
    expect(() => sharedPorts('kafka', defaults, { SLUICE_INFRA_PORT_KAFKA: '9093' })).toThrow(
      "kafka's ports client and controller are both 9093",
    );
  });

  it('finds distinct free ports below the ephemeral range, avoiding the ones it is told to', async () => {
    const taken = await listen();
    try {
      const ports = await freePorts(3, new Set([20_000, 20_001]), '127.0.0.1', [20_000, 20_010]);
      expect(new Set(ports).size).toBe(3);
      for (const port of ports) {
        expect(port).toBeGreaterThanOrEqual(20_002);
        expect(port).toBeLessThan(20_010);
        expect(await isPortOpen(port)).toBe(false);
      }
    } finally {
      await new Promise((r) => taken.server.close(r));
    }
  });
});
