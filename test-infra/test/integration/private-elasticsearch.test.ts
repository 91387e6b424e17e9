import { Client } from '@elastic/elasticsearch';
import { expect, it } from 'vitest';
import { outage, withPrivateInstance } from './private-outage.js';

it('elasticsearch private instance: a document indexed before the outage is there after it', async () => {
  await withPrivateInstance('elasticsearch', async (es) => {
    const client = new Client({ node: es.info.url as string });
    try {
      await client.index({ index: 'private-it', id: 'k', document: { v: 1 }, refresh: true });
      await outage('elasticsearch', es);
      expect((await client.get<{ v: number }>({ index: 'private-it', id: 'k' }))._source).toEqual({ v: 1 });
    } finally {
      await client.close();
    }
  });
}, 300_000);
