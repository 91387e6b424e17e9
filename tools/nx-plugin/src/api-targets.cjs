// Nx plugin (listed in nx.json): every publishable package (not private, with `exports`) gets an `api`
// target that compares its public API with the reports checked in under api/ (tools/api-report.mjs), and
// with `--local` rewrites them.
'use strict';
/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- Nx loads plugins with require() */
const { readFileSync } = require('node:fs');
const path = require('node:path');

/** @type {[string, (files: readonly string[], options: unknown, context: { workspaceRoot: string }) => Promise<Array<readonly [string, unknown]>>]} */
const createNodesV2 = [
  'packages/*/package.json',
  async (files, _options, context) =>
    files.flatMap((file) => {
      const manifest = JSON.parse(readFileSync(path.join(context.workspaceRoot, file), 'utf8'));
      if (manifest.private || !manifest.exports) return [];
      const root = path.dirname(file);
      return [
        [
          file,
          {
            projects: {
              [root]: {
                targets: {
                  api: {
                    command: 'node ../../tools/api-report.mjs',
                    options: { cwd: root },
                    cache: true,
                    // The report is made from the built declarations, which may re-export dependencies' types.
                    dependsOn: ['build', '^build'],
                    inputs: ['production', '^production', '{workspaceRoot}/tools/api-report.mjs'],
                    outputs: ['{projectRoot}/api'],
                    metadata: {
                      description: 'Check the public API against api/*.api.md (--local: update them)',
                    },
                  },
                },
              },
            },
          },
        ],
      ];
    }),
];

module.exports = { createNodesV2 };
