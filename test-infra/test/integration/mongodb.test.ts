import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '../../src/index.js';

describe('mongodb (FerretDB, test-infra)', () => {
  let client: MongoClient;

  beforeAll(async () => {
    const { mongodb } = await ensureServices(['mongodb']);
    expect(mongodb.url).toBe(`mongodb://127.0.0.1:${mongodb.port}`);
    client = new MongoClient(mongodb.url as string);
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
  });

  it('inserts, upserts with bulkWrite and finds documents', async () => {
    const coll = client.db(`smoke_${randomUUID().slice(0, 8)}`).collection('people');
    await coll.insertMany([
      { _id: 'a' as any, name: 'ada', age: 36 },
      { _id: 'b' as any, name: 'bob', age: 41 },
    ]);
    const bulk = await coll.bulkWrite([
      { replaceOne: { filter: { _id: 'a' as any }, replacement: { name: 'ada', age: 37 }, upsert: true } },
      { updateOne: { filter: { _id: 'c' as any }, update: { $set: { name: 'cy', age: 5 } }, upsert: true } },
      { deleteOne: { filter: { _id: 'b' as any } } },
    ]);
    expect(bulk.upsertedCount).toBe(1);
    expect(bulk.deletedCount).toBe(1);
    const docs = await coll.find({}, { sort: { _id: 1 } }).toArray();
    expect(docs).toEqual([
      { _id: 'a', name: 'ada', age: 37 },
      { _id: 'c', name: 'cy', age: 5 },
    ]);
    expect(await coll.countDocuments({ age: { $gt: 10 } })).toBe(1);
  });
});
