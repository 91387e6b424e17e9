import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { SinkRecord, SinkTask, SinkTaskContext } from '../../sink/api.js';
import { ConnectException } from '../../errors.js';
import { FILE_CONFIG } from './config.js';
import { renderValue } from './render.js';

// Appends one line per record. `put` resolves once the lines are written to the file (in the OS),
// and `flush` fsyncs before the engine commits offsets, so a crash at any point only replays records.
export class FileStreamSinkTask implements SinkTask {
  private file: FileHandle | null = null;
  private fileName: string | null = null;

  async start(config: Record<string, string>, context: SinkTaskContext): Promise<void> {
    this.fileName = config[FILE_CONFIG]?.trim() || null;
    if (this.fileName === null) {
      context.logger.info('File sink writes to standard output');
      return;
    }
    try {
      // Kafka's FileStreamSink needs the folder to exist; creating it lets example files such as
      // `file=/tmp/sluice-demo/json.txt` run as written on a fresh machine.
      await mkdir(path.dirname(path.resolve(this.fileName)), { recursive: true });
      this.file = await open(this.fileName, 'a');
    } catch (e) {
      throw new ConnectException(
        `Couldn't find or create file '${this.fileName}' for FileStreamSinkTask of connector ${context.connectorName}: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const text = records.map((r) => renderValue(r.value) + '\n').join('');
    if (this.file) {
      await this.file.writeFile(text, 'utf8');
    } else {
      await writeStdout(text);
    }
  }

  async flush(): Promise<void> {
    await this.file?.sync();
  }

  async stop(): Promise<void> {
    const file = this.file;
    this.file = null;
    if (file) {
      await file.sync();
      await file.close();
    }
  }
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
}
