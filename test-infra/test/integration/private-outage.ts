import { expect } from 'vitest';
import { isPortOpen } from '../../src/framework/ports.js';
import {
  serviceInfo,
  servicesStatus,
  startPrivateInstance,
  type PrivateInstance,
  type ServiceName,
} from '../../src/index.js';

// What every private-instance test does: start one beside the shared server, write through a real
// client, stop it (its port closes, the shared server stays healthy), start it again, read back.

export async function withPrivateInstance(
  name: ServiceName,
  fn: (instance: PrivateInstance) => Promise<void>,
): Promise<void> {
  const instance = await startPrivateInstance(name);
  try {
    expect(instance.info.port).not.toBe((await serviceInfo(name)).port);
    await fn(instance);
  } finally {
    await instance.dispose();
  }
  expect(await isPortOpen(instance.info.port)).toBe(false);
}

/** Stop the instance for `outageMs`, check that it is down and the shared server is not, start it again. */
export async function outage(name: ServiceName, instance: PrivateInstance, outageMs = 1_000): Promise<void> {
  await instance.stop();
  expect(await isPortOpen(instance.info.port)).toBe(false);
  await new Promise((r) => setTimeout(r, outageMs));
  const [shared] = await servicesStatus([name]);
  expect(shared?.state).toBe('healthy');
  await instance.start();
  expect(await isPortOpen(instance.info.port)).toBe(true);
}
