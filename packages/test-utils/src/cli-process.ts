import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { WaitAbort, waitFor } from './wait.js';

// A `sluice <command> …` process (the built CLI of @sluice/core) run the way an operator would: its
// output kept for assertions and failure messages, started once its REST API answers, and ended either
// gracefully (SIGTERM) or as a crash (SIGKILL). StandaloneWorker and the distributed tests' workers
// build on it.

export interface CliStart {
  /** CLI arguments after `main.js`, e.g. `['standalone', 'worker.properties']`. */
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
  /** The URL that answers 2xx once the worker is up. */
  readonly readyUrl: string;
  readonly timeoutMs?: number;
}

export class CliProcess {
  private out = '';
  private readonly exit: Promise<number | null>;

  protected constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (b: Buffer) => (this.out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (this.out += b.toString()));
    this.exit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Spawns the CLI and waits until `readyUrl` answers; a process that exits first fails with its output. */
  protected static async spawnCli<P extends CliProcess>(
    start: CliStart,
    wrap: (child: ChildProcess) => P,
  ): Promise<P> {
    const child = spawn(process.execPath, [cliPath(), ...start.args], {
      cwd: start.cwd,
      env: start.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const running = wrap(child);
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new WaitAbort(`sluice ${start.args[0]} exited with ${child.exitCode}:\n${running.output()}`);
        return (await fetch(start.readyUrl).catch(() => null))?.ok;
      },
      {
        what: `sluice ${start.args[0]} answering on ${start.readyUrl}`,
        timeoutMs: start.timeoutMs ?? 60_000,
      },
    ).catch((e: Error) => {
      child.kill('SIGKILL');
      throw e;
    });
    return running;
  }

  /** Everything the process printed so far. */
  output(): string {
    return this.out;
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    await waitFor(() => pattern.test(this.out), { what: `worker output matching ${pattern}`, timeoutMs });
  }

  /** Graceful stop (SIGTERM, SIGKILL after `timeoutMs`); resolves with the exit code. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (this.exited()) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A crash: SIGKILL, no chance to commit offsets, leave the group or close anything. */
  async kill(): Promise<void> {
    if (this.exited()) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }
}

/** The built CLI of @sluice/core (`dist/cli/main.js`). */
export function cliPath(): string {
  const coreEntry = createRequire(import.meta.url).resolve('@sluice/core');
  return path.join(path.dirname(coreEntry), 'cli', 'main.js');
}
