// The TypeScript face of test-infra, for integration tests' global setup:
//   const { kafka } = await ensureServices(['kafka']);   // kafka.bootstrapServers === '127.0.0.1:9092'
import { ensureServices as ensureAll, serviceStatus, sharedContext } from './framework/manager.js';
import { cacheRoot } from './framework/paths.js';
import { startPrivateDefinition, type PrivateInstance } from './framework/private-instance.js';
import { isServiceName, loadService, SERVICE_NAMES, type ServiceName } from './services/index.js';
import type { ServiceInfo } from './service.js';

export type { ServiceInfo, ServiceDefinition, ServiceContext, StartSpec } from './service.js';
export type { ServiceStatus } from './framework/manager.js';
export { ServiceError } from './framework/service-error.js';
export { SERVICE_NAMES, type ServiceName };

function checkNames(names: readonly string[]): ServiceName[] {
  const unknown = names.filter((n) => !isServiceName(n));
  if (unknown.length)
    throw new Error(`test-infra: unknown service ${unknown.join(', ')}; known: ${SERVICE_NAMES.join(', ')}`);
  return names as ServiceName[];
}

/**
 * Start the named services (and what they depend on) unless they already run healthy; resolves to each
 * one's connection info, keyed by service name. Servers keep running after the caller exits: stop them
 * with `npm run infra -- down`.
 */
export async function ensureServices(names: readonly ServiceName[]): Promise<Record<string, ServiceInfo>> {
  return ensureAll(checkNames(names), { cacheDir: cacheRoot() });
}

/** Connection info of a service (where it listens), whether or not it is running now. */
export async function serviceInfo(name: ServiceName): Promise<ServiceInfo> {
  const [checked] = checkNames([name]);
  const def = await loadService(checked);
  return def.info(await sharedContext(def, cacheRoot()));
}

/** Whether each named service is healthy right now, its pid and where it listens. */
export async function servicesStatus(names: readonly ServiceName[] = SERVICE_NAMES) {
  return Promise.all(checkNames(names).map((n) => serviceStatus(n, cacheRoot())));
}

export type { PrivateInstance } from './framework/private-instance.js';

/**
 * A test's own server of `name`, beside the shared one: same installed build, its own free ports and
 * its own data dir under the cache. An outage test may `stop()` it and `start()` it again (same ports,
 * same data); `dispose()` (in a `finally`) stops it and removes its data. The shared server is never
 * touched. Instances whose test process died are removed by the next call.
 */
export async function startPrivateInstance(name: ServiceName): Promise<PrivateInstance> {
  const [checked] = checkNames([name]);
  const cacheDir = cacheRoot();
  // Never take a port a shared server uses or would use (defaults and overrides).
  const avoidPorts = new Set<number>();
  for (const service of SERVICE_NAMES) {
    const def = await loadService(service);
    for (const port of Object.values(def.ports)) avoidPorts.add(port);
    for (const port of Object.values((await sharedContext(def, cacheDir)).ports)) avoidPorts.add(port);
  }
  return startPrivateDefinition(await loadService(checked), { cacheDir, avoidPorts });
}

export {
  installKafkaConnect,
  startKafkaConnect,
  kafkaConnectProperties,
  kafkaConnectJavaVersion,
  toJavaProperties,
  CONNECT_PLUGINS,
  MONGO_KAFKA_CONNECT_VERSION,
  CAMEL_KAFKA_CONNECTOR_VERSION,
  CONNECT_HEAP_OPTS,
  CONNECT_JVM_PERFORMANCE_OPTS,
  type ConnectPluginName,
  type KafkaConnectInstall,
  type KafkaConnectOptions,
  type KafkaConnectWorker,
  type PluginState,
} from './kafka-connect.js';
