// One lint setup for the whole workspace; each package's `lint` target runs it on its own folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { existsSync, readdirSync } from 'node:fs';

const typecheckedFolders = [
  ...readdirSync(`${import.meta.dirname}/packages`).map((p) => `packages/${p}`),
  'test-infra',
  'tools',
  'examples',
].filter((folder) => existsSync(`${import.meta.dirname}/${folder}/tsconfig.typecheck.json`));

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.nx/**', '**/coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  // Type-aware rules read each folder's typecheck tsconfig, which covers src, tests and configs (the
  // build's tsconfig.json covers src only, and the project service only looks for tsconfig.json). One
  // block per folder, so that linting a package builds that package's program only.
  ...typecheckedFolders.map((folder) => ({
    files: [`${folder}/**/*.ts`],
    languageOptions: {
      parserOptions: { project: `./${folder}/tsconfig.typecheck.json`, tsconfigRootDir: import.meta.dirname },
    },
  })),
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      // An unawaited promise in a sink is a write nobody waits for: lost data when it fails.
      '@typescript-eslint/no-floating-promises': 'error',
      // Relaxed from recommendedTypeChecked, each for a reason:
      // - `x!` after an indexed access documents that the element exists; it is "unnecessary" only because
      //   noUncheckedIndexedAccess is off, and removing hundreds of them says less, not more.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // - `async` marks functions that implement a promise-returning interface (put, flush, REST
      //   handlers), so that a throw becomes a rejection; they need no await to be right.
      '@typescript-eslint/require-await': 'off',
      // - `any` is allowed above (no-explicit-any is off: driver and JSON boundaries); these rules would
      //   re-forbid every use of a value typed so.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // - String(value) of unknown config/JSON values is deliberate (error messages, property values).
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    // Tests: test servers take async handlers (a throw fails the test as an unhandled rejection), and
    // `expect(obj.method)`/stubs pass methods around without calling them.
    files: ['**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  // Sinks build on the narrow plugin API only, not on the worker, REST server or engine internals.
  {
    files: ['packages/sink-*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@sluice/core', message: 'Sinks import from @sluice/core/sink.' }],
          patterns: [
            {
              group: ['@sluice/core/*', '!@sluice/core/sink'],
              message: 'Sinks import from @sluice/core/sink only.',
            },
          ],
        },
      ],
    },
  },
  {
    // JavaScript files (tools, configs) have no types to check against (last, so that it wins).
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
