import { describe, expect, it } from 'vitest';
import { checkPrerequisites, goVersion, javaMajor } from '../src/framework/prerequisites.js';
import type { ServiceDefinition } from '../src/service.js';

describe('prerequisites', () => {
  it("reads Java's major version from a release file, old and new style", () => {
    expect(javaMajor('IMPLEMENTOR="Debian"\nJAVA_VERSION="17.0.16"\n')).toBe(17);
    expect(javaMajor('JAVA_VERSION="25.0.3"')).toBe(25);
    expect(javaMajor('JAVA_VERSION="1.8.0_402"')).toBe(8);
    expect(javaMajor('nothing here')).toBeUndefined();
  });

  it('reads the Go version from `go version`', () => {
    expect(goVersion('go version go1.22.5 linux/amd64')).toEqual([1, 22]);
    expect(goVersion('go version go1.19 linux/amd64')).toEqual([1, 19]);
    expect(goVersion('')).toBeUndefined();
  });

  it("checks an install's needs only while the service is not installed, and names the service", async () => {
    const def = (installed: boolean): ServiceDefinition =>
      ({
        name: 'needs-go',
        ports: { p: 1 },
        prerequisites: { install: ['go'] },
        isInstalled: async () => installed,
      }) as unknown as ServiceDefinition;
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(checkPrerequisites([def(false)], '/tmp/unused')).rejects.toThrow(
        /missing prerequisites:\n {2}- needs-go is built with Go 1\.21 or newer .*: no `go` on PATH/,
      );
      await expect(checkPrerequisites([def(true)], '/tmp/unused')).resolves.toBeUndefined();
    } finally {
      process.env.PATH = path;
    }
  });
});
