import os from 'node:os';
import path from 'node:path';

// Where everything test-infra writes lives: one cache directory outside the repo, reused across runs.
//   <cache>/install/<service>/   what install() downloaded or built (kept by `down`)
//   <cache>/data/<service>/      the running server's data (removed by `down`)
//   <cache>/logs/<service>.log   the server's stdout/stderr (kept after `down`, for diagnosis)
//   <cache>/run/<service>.json   the pid record of the server we started
//   <cache>/locks/<service>      held while one process installs or starts that service

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.SLUICE_INFRA_CACHE;
  if (configured && configured.trim() !== '') return path.resolve(configured);
  return path.join(os.homedir(), '.cache', 'sluice-infra');
}

export interface ServicePaths {
  installDir: string;
  dataDir: string;
  logFile: string;
  pidFile: string;
  lockTarget: string;
}

export function servicePaths(cacheDir: string, name: string): ServicePaths {
  return {
    installDir: path.join(cacheDir, 'install', name),
    dataDir: path.join(cacheDir, 'data', name),
    logFile: path.join(cacheDir, 'logs', `${name}.log`),
    pidFile: path.join(cacheDir, 'run', `${name}.json`),
    lockTarget: path.join(cacheDir, 'locks', name),
  };
}
