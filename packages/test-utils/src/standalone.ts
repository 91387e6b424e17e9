import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CliProcess } from './cli-process.js';
import { WaitAbort, waitFor } from './wait.js';

// Runs `sluice standalone worker.properties connector.properties…` (the CLI of @sluice/core, built) as
// a child process, the way an operator would, and gives tests its REST API, its output, and both ways
// to end it: SIGTERM (graceful stop) or SIGKILL (crash).

export interface StandaloneOptions {
  /** Worker properties; `listeners` and `offset.storage.file.filename` are filled in when absent. */
  worker: Record<string, string>;
  /** One properties map per connector (each needs `name` and `connector.class`). */
  connectors: Record<string, string>[];
  /** Extra environment (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
  /** Reuse a directory (offsets file) across runs, e.g. to restart after a kill. */
  dir?: string;
}

export class StandaloneWorker extends CliProcess {
  private constructor(
    child: ChildProcess,
    readonly restUrl: string,
    readonly dir: string,
  ) {
    super(child);
  }

  /** Starts the worker and waits until its REST API answers. */
  static async start(options: StandaloneOptions): Promise<StandaloneWorker> {
    const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'sluice-standalone-'));
    const port = await freePort();
    const worker = {
      listeners: `http://127.0.0.1:${port}`,
      'offset.storage.file.filename': path.join(dir, 'connect.offsets'),
      ...options.worker,
    };
    const workerFile = path.join(dir, 'worker.properties');
    writeFileSync(workerFile, toProperties(worker));
    const connectorFiles = options.connectors.map((c, i) => {
      const file = path.join(dir, `connector-${i}.properties`);
      writeFileSync(file, toProperties(c));
      return file;
    });
    const restUrl = new URL(worker.listeners).origin;
    return CliProcess.spawnCli(
      {
        args: ['standalone', workerFile, ...connectorFiles],
        cwd: dir,
        env: { ...process.env, ...options.env },
        readyUrl: `${restUrl}/`,
      },
      (child) => new StandaloneWorker(child, restUrl, dir),
    );
  }

  /** GET /connectors/<name>/status. */
  async status(
    name: string,
  ): Promise<{ connector: { state: string }; tasks: { id: number; state: string; trace?: string }[] }> {
    const response = await fetch(`${this.restUrl}/connectors/${encodeURIComponent(name)}/status`);
    if (!response.ok) throw new Error(`GET status of ${name}: ${response.status} ${await response.text()}`);
    return (await response.json()) as never;
  }

  /** Waits until the connector and all its tasks are RUNNING; fails fast on FAILED. */
  async waitUntilRunning(name: string, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () => {
        const s = await this.status(name);
        const failed = s.tasks.find((t) => t.state === 'FAILED');
        if (failed) throw new WaitAbort(`connector ${name} task ${failed.id} FAILED: ${failed.trace}`);
        return (
          s.connector.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING')
        );
      },
      { what: `connector ${name} RUNNING`, timeoutMs },
    );
  }
}

export function toProperties(props: Record<string, string>): string {
  const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return (
    Object.entries(props)
      .map(([k, v]) => `${escape(k).replace(/([=:\s])/g, '\\$1')}=${escape(v)}`)
      .join('\n') + '\n'
  );
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
