// Records the git commit the package was built from in dist/build-info.json, so that `GET /` answers
// it as Kafka Connect answers its build's commit id. Outside a git checkout it records "unknown".
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

let commit = 'unknown';
try {
  // Kafka's commit ids are 16 hex digits.
  commit = execFileSync('git', ['rev-parse', '--short=16', 'HEAD'], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
} catch {
  // No git, or not a checkout (e.g. built from a source tarball).
}
writeFileSync(new URL('../dist/build-info.json', import.meta.url), JSON.stringify({ commit }) + '\n');
