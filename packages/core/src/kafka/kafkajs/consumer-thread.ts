import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import type { Subscription } from '../port.js';
import { installRecordBatchDecoder, KAFKAJS_VERSION, recordBatchesDecoded } from './record-batch-decoder.js';
import {
  packBatch,
  packedSize,
  serializeError,
  type ConsumerThreadInit,
  type FromConsumerThread,
  type ToConsumerThread,
} from './thread-protocol.js';

// The consumer thread of one sink task: a kafkajs consumer (with its fetch-ahead queue) whose batches,
// rebalance callbacks and errors go to the task's thread as messages. See threaded-consumer.ts.

// kafkajs in this thread decodes record batches with our decoder (record-batch-decoder.ts). It must be
// in place before kafkajs loads, hence the import of the client after it. Only this thread's kafkajs
// is affected: each thread has its own modules, and nothing but this consumer uses them here.
const decoderInstalled = installRecordBatchDecoder();
const { KafkaJsClientFactory } = await import('./client.js');

const port = parentPort!;
const init = workerData as ConsumerThreadInit;
const post = (m: FromConsumerThread, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer ?? []);

// Log lines go to the task thread, which writes them with its own logger and destination.
const logger = pino({ level: init.logLevel }, { write: (line: string) => post({ type: 'log', line }) });
if (!decoderInstalled) {
  logger.debug(
    `kafkajs decodes record batches with its own decoder (sluice's is for kafkajs ${KAFKAJS_VERSION})`,
  );
}
/** Checked once, at the first batch: the decoder was installed, but did kafkajs pick it up? */
let decoderChecked = !decoderInstalled;
const consumer = new KafkaJsClientFactory(init.clientConfig, logger).consumer({
  groupId: init.groupId,
  clientId: init.clientId,
  overrides: init.overrides,
});

/** Bytes of batches handed to the task thread and not yet taken: a few fetches' worth at most. */
const IN_FLIGHT_LIMIT = 8 * 1024 * 1024;
let inFlightBytes = 0;
let wakeRoom: (() => void) | null = null;

let nextAsk = 1;
const asks = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

/** Posts a message the task thread answers, and waits for the answer. */
function ask(m: Extract<FromConsumerThread, { id: number }>): Promise<void> {
  return new Promise((resolve, reject) => {
    asks.set(m.id, { resolve, reject });
    post(m);
  });
}

port.on('message', (m: ToConsumerThread) => {
  switch (m.type) {
    case 'call':
      void call(m)
        .then(
          () => post({ type: 'reply', id: m.id }),
          (e: unknown) => post({ type: 'reply', id: m.id, error: serializeError(e) }),
        )
        // Nothing is left to do after a disconnect: let the thread end.
        .then(() => m.op === 'disconnect' && port.close());
      return;
    case 'pause':
      consumer.pause(m.partitions);
      return;
    case 'resume':
      consumer.resume(m.partitions);
      return;
    case 'seek':
      consumer.seek(m.offset);
      return;
    case 'taken':
      inFlightBytes -= m.bytes;
      wakeRoom?.();
      return;
    case 'answer': {
      const pending = asks.get(m.id);
      asks.delete(m.id);
      if (m.error !== undefined) pending?.reject(new Error(m.error));
      else pending?.resolve();
      return;
    }
  }
});

async function call(m: Extract<ToConsumerThread, { type: 'call' }>): Promise<void> {
  switch (m.op) {
    case 'connect':
      return consumer.connect();
    case 'subscribe': {
      const s = m.subscription;
      const subscription: Subscription =
        'pattern' in s ? { pattern: new RegExp(s.pattern.source, s.pattern.flags) } : { topics: s.topics };
      return consumer.subscribe(subscription);
    }
    case 'commit':
      return consumer.commit(m.offsets);
    case 'disconnect':
      return consumer.disconnect();
    case 'run':
      return consumer.run({
        onPartitionsAssigned: async (partitions) => {
          await ask({ type: 'assigned', id: nextAsk++, partitions: [...partitions] });
        },
        onPartitionsRevoked: async (partitions) => {
          await ask({ type: 'revoked', id: nextAsk++, partitions: [...partitions] });
        },
        onBatch: async (batch, control) => {
          if (!decoderChecked) {
            decoderChecked = true;
            if (recordBatchesDecoded() === 0)
              logger.warn("kafkajs did not pick up sluice's record batch decoder");
            else logger.debug("kafkajs decodes record batches with sluice's decoder");
          }
          // Handed over without waiting for the task thread, which keeps a few batches to work on;
          // when it takes less than a whole batch it sends a seek, and drops what it got after it.
          const { packed, transfer } = packBatch(batch);
          inFlightBytes += packedSize(packed);
          post({ type: 'batch', batch: packed }, transfer);
          control.resolve(batch.nextOffset);
          while (inFlightBytes > IN_FLIGHT_LIMIT && !control.rebalancing()) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 100);
              wakeRoom = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wakeRoom = null;
          }
        },
        onCrash: (error) => post({ type: 'crash', error: serializeError(error) }),
        onSessionConfirmed: (expiresAt) => post({ type: 'session', expiresAt }),
      });
  }
}
