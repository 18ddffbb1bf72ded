import { createReadStream } from 'node:fs';

import { Queue } from 'bullmq';
import { parse } from 'csv-parse';
import { Redis } from 'ioredis';

/**
 * The ingest baseline, run as its own process like `herald send` so both are measured the same way: csv-parse
 * streams the file into bare `Queue.addBulk` chunks of 1000, with no validation, no ledger and no campaign record.
 * Usage: node bare-ingest.js <file>; REDIS_URL names the Redis. Prints the number of jobs added.
 */
const file = process.argv[2];
const redisUrl = process.env['REDIS_URL'];
if (file === undefined || redisUrl === undefined) throw new Error('usage: REDIS_URL=… node bare-ingest.js <file>');

const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
const queue = new Queue('bare-ingest', { connection });
let chunk: { name: string; data: Record<string, string> }[] = [];
let added = 0;
for await (const record of createReadStream(file).pipe(parse({ columns: true }))) {
  chunk.push({ name: 'send', data: record as Record<string, string> });
  if (chunk.length === 1000) {
    await queue.addBulk(chunk);
    added += chunk.length;
    chunk = [];
  }
}
if (chunk.length > 0) {
  await queue.addBulk(chunk);
  added += chunk.length;
}
await queue.close();
await connection.quit();
console.log(`added ${added}`);
