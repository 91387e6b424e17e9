import type { ServiceDefinition } from '../service.js';

// Every service test-infra knows, in the order `up all` starts them (the JVM servers one after
// another: two cores). Modules are loaded by name so that each can be developed on its own.
export const SERVICE_NAMES = [
  'kafka',
  'schema-registry',
  'schema-registry-https',
  'mongodb',
  'mosquitto',
  'influxdb',
  'activemq',
  'jms-consumer',
  'coap',
  'coap-dtls',
  'rethinkdb',
  'elasticsearch',
  'elasticsearch7',
  'cassandra',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

export async function loadService(name: ServiceName): Promise<ServiceDefinition> {
  // Built from a variable on purpose (modules are loaded by name); tell Vite not to analyse it.
  const mod = (await import(/* @vite-ignore */ `./${name}.js`)) as { default: ServiceDefinition };
  return mod.default;
}
