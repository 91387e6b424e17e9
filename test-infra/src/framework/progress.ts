// Progress output for long installs and starts: a line whenever the activity changes, and a periodic
// "still …" line so that a CI log shows the run is alive during a download or a build.

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export class Progress {
  private activity = 'starting';
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly service: string,
    private readonly write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
    private readonly intervalMs = 15_000,
  ) {}

  begin(): void {
    this.timer = setInterval(() => this.print(`still ${this.activity}`), this.intervalMs);
    this.timer.unref();
  }

  update(activity: string): void {
    this.activity = activity;
    this.print(activity);
  }

  end(): number {
    if (this.timer) clearInterval(this.timer);
    return Date.now() - this.started;
  }

  private print(text: string): void {
    this.write(`[infra] ${this.service}: ${text} (${formatElapsed(Date.now() - this.started)})`);
  }
}
