import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
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

export class StandaloneWorker {
  private out = '';
  private exit: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly restUrl: string,
    readonly dir: string,
  ) {
    child.stdout?.on('data', (b: Buffer) => (this.out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (this.out += b.toString()));
    this.exit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
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
    const child = spawn(process.execPath, [cliPath(), 'standalone', workerFile, ...connectorFiles], {
      cwd: dir,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const running = new StandaloneWorker(child, new URL(worker.listeners).origin, dir);
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new WaitAbort(`sluice standalone exited with ${child.exitCode}:\n${running.output()}`);
        return (await fetch(`${running.restUrl}/`).catch(() => null))?.ok;
      },
      { what: `the standalone worker's REST API on ${running.restUrl}`, timeoutMs: 60_000 },
    ).catch((e: Error) => {
      child.kill('SIGKILL');
      throw e;
    });
    return running;
  }

  /** Everything the worker printed so far. */
  output(): string {
    return this.out;
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    await waitFor(() => pattern.test(this.out), { what: `worker output matching ${pattern}`, timeoutMs });
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

  /** Graceful stop (SIGTERM); resolves with the exit code. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A crash: SIGKILL, no chance to commit offsets or close anything. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
}

/** The built CLI of @sluice/core (`dist/cli/main.js`). */
export function cliPath(): string {
  const coreEntry = createRequire(import.meta.url).resolve('@sluice/core');
  return path.join(path.dirname(coreEntry), 'cli', 'main.js');
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
