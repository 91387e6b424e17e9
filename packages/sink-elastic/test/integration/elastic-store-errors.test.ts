import { Client } from '@elastic/elasticsearch';
import { startPrivateInstance } from '@sluice/test-infra';
import {
  StandaloneWorker,
  kafkaTopic,
  range,
  runConnector,
  sinkWorkerProps,
  sleep,
  uniqueName,
  waitFor,
} from '@sluice/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elasticConnector, setUpElasticIt, tearDownElasticIt, type ElasticIt } from './harness.js';

// Store errors end to end. Transient: Elasticsearch stopped for ~20 s in the middle of a stream, under
// the RETRY error policy, and every record arrives once it is back (a private instance on its own
// ports is stopped, never the shared server other tests use). Fatal: a server that is not
// Elasticsearch fails the task even under RETRY with unlimited retries.

let env: ElasticIt;

beforeAll(async () => {
  env = await setUpElasticIt();
});
afterAll(async () => {
  await tearDownElasticIt(env);
});

describe('Elasticsearch sink store errors', () => {
  it('with RETRY, an Elasticsearch outage of ~20 s mid-stream loses nothing', async () => {
    const es = await startPrivateInstance('elasticsearch');
    const client = new Client({ node: es.info.url as string });
    let worker: StandaloneWorker | undefined;
    const index = uniqueName('outage').toLowerCase();
    const countPhase = async (phase: string) => {
      await client.indices.refresh({ index });
      return (await client.count({ index, query: { term: { phase } } })).count;
    };
    try {
      const t = await kafkaTopic(env, 'es-outage');
      const connector = elasticConnector(
        { ...env, esUrl: es.info.url as string },
        uniqueName('c'),
        t,
        `INSERT INTO ${index} SELECT * FROM ${t} AUTOCREATE PK id`,
        {
          'connect.elastic.error.policy': 'RETRY',
          'connect.elastic.retry.interval': '1000',
          'connect.elastic.max.retries': '-1',
          'connect.elastic.write.timeout': '5000',
        },
      );
      worker = await runConnector(env, connector);
      const phase = (ids: number[], name: string) =>
        ids.map((id) => ({ value: JSON.stringify({ id, phase: name }) }));
      await env.kafka.produce(t, phase(range(0, 100), 'before'));
      await waitFor(async () => (await countPhase('before')) === 100, { what: 'the first 100 documents' });

      await es.stop();
      await env.kafka.produce(t, phase(range(100, 300), 'during'));
      await sleep(20_000); // the outage itself
      await es.start(); // same ports, same data

      await waitFor(async () => (await countPhase('during')) === 200, {
        what: 'the 200 records produced during the outage',
        timeoutMs: 120_000,
      });
      await env.kafka.produce(t, phase(range(300, 350), 'after'));
      await waitFor(async () => (await countPhase('after')) === 50, { what: 'records after the outage' });
      await client.indices.refresh({ index });
      const hits = await client.search<{ id: number }>({ index, size: 1000, _source: ['id'] });
      expect(hits.hits.hits.map((h) => h._source!.id).sort((a, b) => a - b)).toEqual(range(0, 350));
      expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
      // The outage was seen and retried, not slept through.
      expect(worker.output()).toMatch(/write failed: .*Error policy RETRY: redelivering/);
    } finally {
      await worker?.stop();
      await client.close();
      await es.dispose();
    }
  });

  it('a server that is not Elasticsearch fails the task under RETRY with unlimited retries, saying why', async () => {
    const t = await kafkaTopic(env, 'es-fatal');
    // The schema registry answers HTTP, but is no Elasticsearch: every bulk request gets a 404.
    const registry = new URL(env.registryUrl);
    const connector = elasticConnector(
      { ...env, esUrl: `http://${registry.hostname}:${registry.port}` },
      uniqueName('c'),
      t,
      `INSERT INTO fatal SELECT * FROM ${t}`,
      {
        'connect.elastic.error.policy': 'RETRY',
        'connect.elastic.retry.interval': '500',
        'connect.elastic.max.retries': '-1',
      },
    );
    await env.kafka.produce(t, [{ value: JSON.stringify({ a: 1 }) }]);
    const worker = await StandaloneWorker.start({ worker: sinkWorkerProps(env), connectors: [connector] });
    try {
      let trace = '';
      await waitFor(
        async () => {
          const task = (await worker.status(connector.name!)).tasks[0];
          trace = task?.trace ?? '';
          return task?.state === 'FAILED';
        },
        { what: `task of ${connector.name} FAILED`, timeoutMs: 60_000 },
      );
      expect(trace).toMatch(/the Elasticsearch sink cannot write: Elasticsearch answered 404/);
      expect(trace).toMatch(/Retrying cannot help/);
    } finally {
      await worker.stop();
    }
  });
});
