import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '../../src/index.js';

describe('elasticsearch service', () => {
  let client: Client;
  const index = `smoke-${randomUUID()}`;

  beforeAll(async () => {
    const { elasticsearch } = await ensureServices(['elasticsearch']);
    client = new Client({ node: elasticsearch.url as string });
  });

  afterAll(async () => {
    await client?.indices.delete({ index, ignore_unavailable: true });
    await client?.close();
  });

  // The integ-test zip lacks the rest-root module, so `GET /` (client.info()) answers 405: ask the node.
  it('passes the client product check and reports an 8.x node', async () => {
    const nodes = await client.nodes.info({ node_id: '_local' });
    expect(Object.values(nodes.nodes).map((n) => n.version)).toEqual([expect.stringMatching(/^8\./)]);
  });

  it('indexes a document and finds it by a full-text search', async () => {
    await client.index({ index, id: 'k1', document: { name: 'sluice smoke', n: 42 }, refresh: true });
    const result = await client.search<{ name: string; n: number }>({
      index,
      query: { match: { name: 'smoke' } },
    });
    expect(result.hits.hits.map((h) => [h._id, h._source])).toEqual([
      ['k1', { name: 'sluice smoke', n: 42 }],
    ]);
  });
});
