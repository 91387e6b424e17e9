import path from 'node:path';
import type { ServiceContext } from '../service.js';
import { onPath } from './commands.js';

/**
 * `go build` a main package (its go.sum committed next to it) into `output`, fetching modules from the Go
 * module proxy. The module and build caches live in the infra cache, so a fresh cache is a true cold
 * build and nothing lands in ~/go; the source directory is only read.
 */
export async function goBuild(ctx: ServiceContext, moduleDir: string, output: string): Promise<void> {
  if (!onPath('go')) {
    throw new Error(
      'the `go` command is not on PATH; install Go 1.21 or newer from https://go.dev/dl (Debian 12 ships 1.19, ' +
        'too old; a newer Go fetches the toolchain go.mod asks for from the Go module proxy)',
    );
  }
  const env = {
    GOMODCACHE: path.join(ctx.cacheDir, 'go', 'mod'),
    GOCACHE: path.join(ctx.cacheDir, 'go', 'build'),
    GOPATH: path.join(ctx.cacheDir, 'go', 'path'),
    GOFLAGS: '-mod=readonly -buildvcs=false',
    // An installed Go older than go.mod's `go` line fetches the right toolchain from the module proxy.
    GOTOOLCHAIN: 'auto',
    CGO_ENABLED: '0',
  };
  await ctx.run('go', ['build', '-trimpath', '-o', output, '.'], { cwd: moduleDir, env });
}
