import type cassandra from 'cassandra-driver';
import type { SinkRuntime } from '@sluice/core/sink';
import type { CassandraSettings } from './config.js';
import { connectClient } from './session.js';
import { CassandraWriter } from './writer.js';

// A task's connection, opened by its first write rather than at start: a cluster that is down when
// the task starts is then handled by the error policy (RETRY waits for it) like one that goes down
// later, instead of failing the task. A failed attempt is forgotten, so the next write tries again.

export class CassandraConnection {
  private writer: Promise<CassandraWriter> | null = null;
  private client: cassandra.Client | null = null;

  constructor(
    readonly settings: CassandraSettings,
    readonly runtime: SinkRuntime,
  ) {}

  open(): Promise<CassandraWriter> {
    this.writer ??= (async () => {
      this.client = await connectClient(this.settings);
      return new CassandraWriter(this.client, {
        connectorName: this.runtime.connectorName,
        maxConcurrent: this.settings.maxConcurrent,
        maxBatchSize: this.settings.maxBatchSize,
        logger: this.runtime.logger,
      });
    })();
    this.writer.catch(() => {
      this.writer = null;
    });
    return this.writer;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.writer = null;
    await client?.shutdown();
  }
}
