import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isServiceName, SERVICE_NAMES, type ServiceName } from '../services/index.js';

// Which servers a package's integration tests need, as the package declares it in its package.json:
//   "sluice": { "services": ["kafka", "schema-registry", "mongodb"] }      ("all": every service)
// `up --for <package>` and `npm test` start what the packages they run declare, nothing more.

export interface WorkspacePackage {
  name: string;
  dir: string;
  /** What its package.json says under "sluice.services" (checked only when the package is asked for). */
  declared: unknown;
  /** Whether it has integration tests (an `integration` script). */
  hasIntegration: boolean;
}

interface PackageJson {
  name?: string;
  workspaces?: string[];
  scripts?: Record<string, string>;
  sluice?: { services?: unknown };
}

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as PackageJson;

/** The package directories the root's `workspaces` name: literal paths and `dir/*` patterns. */
async function workspaceDirs(root: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const pattern of (await readJson(path.join(root, 'package.json'))).workspaces ?? []) {
    if (!pattern.endsWith('/*')) {
      dirs.push(path.join(root, pattern));
      continue;
    }
    const parent = path.join(root, pattern.slice(0, -2));
    const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) dirs.push(path.join(parent, e.name));
  }
  return dirs;
}

function declaredServices(declared: unknown, file: string): ServiceName[] | undefined {
  if (declared === undefined) return undefined;
  if (!Array.isArray(declared) || !declared.every((s): s is string => typeof s === 'string'))
    throw new Error(`${file}: "sluice.services" must be a list of service names`);
  if (declared.includes('all')) return [...SERVICE_NAMES];
  const unknown = declared.filter((s) => !isServiceName(s));
  if (unknown.length > 0)
    throw new Error(
      `${file}: "sluice.services" names unknown service ${unknown.join(', ')}; known: ${SERVICE_NAMES.join(', ')}`,
    );
  return declared as ServiceName[];
}

/** Every package of the workspace rooted at `root`, with what it declares. */
export async function workspacePackages(root: string): Promise<WorkspacePackage[]> {
  const packages: WorkspacePackage[] = [];
  for (const dir of await workspaceDirs(root)) {
    const file = path.join(dir, 'package.json');
    let pkg: PackageJson;
    try {
      pkg = await readJson(file);
    } catch {
      continue; // not a package
    }
    if (!pkg.name) continue;
    packages.push({
      name: pkg.name,
      dir,
      declared: pkg.sluice?.services,
      hasIntegration: pkg.scripts?.integration !== undefined,
    });
  }
  return packages;
}

/**
 * The union of the services `names` declare. A name that is no package of the workspace, or a package
 * with integration tests that declares nothing, is an error: starting nothing would fail later, obscurely.
 */
export async function servicesFor(root: string, names: readonly string[]): Promise<ServiceName[]> {
  const packages = await workspacePackages(root);
  const wanted = new Set<ServiceName>();
  for (const name of names) {
    const pkg = packages.find((p) => p.name === name);
    if (!pkg)
      throw new Error(
        `test-infra: no package ${name} in the workspace; packages: ${packages.map((p) => p.name).join(', ')}`,
      );
    const services = declaredServices(pkg.declared, path.join(pkg.dir, 'package.json'));
    if (services === undefined && pkg.hasIntegration)
      throw new Error(
        `test-infra: ${name} has integration tests but declares no services; add "sluice": {"services": [...]} to ${path.join(pkg.dir, 'package.json')}`,
      );
    for (const s of services ?? []) wanted.add(s);
  }
  return SERVICE_NAMES.filter((s) => wanted.has(s));
}
