import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadArtifact } from '../src/installers/maven.js';
import type { ServiceContext } from '../src/service.js';

// downloadArtifact against a local server laid out like a Maven repository.

const archive = Buffer.alloc(300_000, 'apicurio');
const digest = createHash('sha512').update(archive).digest('hex');
const dir = 'io/example/app/1.0.0';
const files = new Map<string, Buffer | string>([
  [`/${dir}/app-1.0.0-all.tar.gz`, archive],
  [`/${dir}/app-1.0.0-all.tar.gz.sha512`, `${digest}  app-1.0.0-all.tar.gz\n`],
  // A published checksum that does not match what is served.
  [`/${dir}/app-1.0.0-bad.tar.gz`, archive],
  [`/${dir}/app-1.0.0-bad.tar.gz.sha512`, '0'.repeat(128)],
]);

let server: Server;
const ctx = { progress: () => undefined } as unknown as ServiceContext;

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = files.get(req.url ?? '');
    res.writeHead(body === undefined ? 404 : 200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env['SLUICE_MAVEN_REPO'] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  delete process.env['SLUICE_MAVEN_REPO'];
  await new Promise((resolve) => server.close(resolve));
});

describe('downloadArtifact', () => {
  it('fetches group:artifact:version:type:classifier from the repository layout and checks its SHA-512', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'sluice-maven-'));
    const file = await downloadArtifact(ctx, 'io.example:app:1.0.0:tar.gz:all', out);
    expect(file).toBe(path.join(out, 'app-1.0.0-all.tar.gz'));
    expect(readFileSync(file).equals(archive)).toBe(true);
  });

  it('refuses a file whose SHA-512 differs from the published one, and leaves nothing behind', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'sluice-maven-'));
    await expect(downloadArtifact(ctx, 'io.example:app:1.0.0:tar.gz:bad', out)).rejects.toThrow(
      /SHA-512 .* does not match the published 0000/,
    );
    expect(readdirSync(out)).toEqual([]);
  });

  it('names the URL when the repository does not have the file', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'sluice-maven-'));
    await expect(downloadArtifact(ctx, 'io.example:app:2.0.0:tar.gz:all', out)).rejects.toThrow(
      /GET http:\/\/127\.0\.0\.1:\d+\/io\/example\/app\/2\.0\.0\/app-2\.0\.0-all\.tar\.gz\.sha512 answered 404/,
    );
  });
});
