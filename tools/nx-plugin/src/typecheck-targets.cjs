// Nx plugin (listed in nx.json): every project folder with a tsconfig.typecheck.json gets a cached
// `typecheck` target. The build's tsconfig covers only `src`; the typecheck one also covers tests and
// configs, so a test that reads a property that does not exist fails here instead of passing silently.
// A tsconfig.typecheck-js.json beside it (tools/) also checks the JavaScript files against the types of
// what they call.
'use strict';
/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- Nx loads plugins with require() */
const { existsSync } = require('node:fs');
const path = require('node:path');

/** @type {[string, (files: readonly string[], options: unknown, context: { workspaceRoot: string }) => Promise<Array<readonly [string, unknown]>>]} */
const createNodesV2 = [
  '**/tsconfig.typecheck.json',
  async (files, _options, context) =>
    files.map((file) => {
      const root = path.dirname(file);
      const configs = ['tsconfig.typecheck.json', 'tsconfig.typecheck-js.json'].filter((name) =>
        existsSync(path.join(context.workspaceRoot, root, name)),
      );
      return [
        file,
        {
          projects: {
            [root]: {
              targets: {
                typecheck: {
                  command: configs.map((name) => `tsc -p ${name}`).join(' && '),
                  options: { cwd: root },
                  cache: true,
                  // Other packages are seen through their built declarations.
                  dependsOn: ['^build'],
                  inputs: ['default', '^production', '{workspaceRoot}/tsconfig.base.json'],
                  outputs: [],
                  metadata: { description: 'Type-check src, tests and configs without emitting' },
                },
              },
            },
          },
        },
      ];
    }),
];

module.exports = { createNodesV2 };
