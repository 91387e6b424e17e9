import path from 'node:path';
import type { ServiceContext } from '../service.js';

/**
 * `go build` a main package (its go.sum committed next to it) into `output`, fetching modules from the Go
 * module proxy. The module and build caches live in the infra cache, so a fresh cache is a true cold
 * build and nothing lands in ~/go; the source directory is only read.
 */
export async function goBuild(ctx: ServiceContext, moduleDir: string, output: string): Promise<void> {
  const env = {
    GOMODCACHE: path.join(ctx.cacheDir, 'go', 'mod'),
    GOCACHE: path.join(ctx.cacheDir, 'go', 'build'),
    GOPATH: path.join(ctx.cacheDir, 'go', 'path'),
    GOFLAGS: '-mod=readonly -buildvcs=false',
    // Use the Go that is installed; do not download a toolchain.
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  };
  await ctx.run('go', ['build', '-trimpath', '-o', output, '.'], { cwd: moduleDir, env });
}
