import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const NODE_BUILTINS = ['fs', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process']
const WORKER_LIBRARIES = ['pg', '@electric-sql/*', '@temporalio/worker']
const IO_LIBRARIES = [...WORKER_LIBRARIES, 'koa', '@koa/*', 'pino']
/** What an API process loads: the standalone API, and the package's root entry in a user's app. */
const INGRESS = ['src/api.ts', 'src/http/**/*.ts', 'src/lib/index.ts']

/** Files of one role may not import the given roles (folders of src/, or activities/). */
function layer(files, forbidden, { packages = [], message }) {
  const roles = forbidden.join('|')
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: `^(\\./|(\\.\\./)+)(src/)?(${roles})(/|$)`, message },
            ...(packages.length > 0 ? [{ group: packages, message }] : []),
          ],
        },
      ],
    },
  }
}

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'bench/.build',
      '.data',
      'coverage',
      '**/*.mjs',
      '**/*.js',
      '**/*.cjs',
      // They import the package by its name, which resolves only where it is installed: the
      // consumer test (test/package) typechecks them there, against the packed package.
      'examples',
      'test/package/types',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Async functions without await are how interfaces that return promises are met.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O, no zod,
    // and activities only as types. https://docs.temporal.io/develop/typescript/core-application
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', ...NODE_BUILTINS],
              message: 'Workflows run in a sandbox without Node built-ins.',
            },
            {
              group: [...IO_LIBRARIES, 'zod', '@temporalio/client', '@temporalio/activity'],
              message: 'Workflows must stay deterministic: no I/O libraries.',
            },
            {
              regex: '^\\.\\./(activities|src/(?!domain$))',
              message:
                'Workflows import activity types only (import type) and pure constants from src/domain.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  // One-way dependencies between the roles of src/ (docs/architecture.md).
  layer(INGRESS, ['worker', 'store', 'activities', 'admin', 'cli'], {
    // Nor anything that spawns processes (the dev server and the CLI download are npm start's).
    packages: [
      ...WORKER_LIBRARIES,
      'node:child_process',
      'child_process',
      '**/temporal/dev-server',
      '**/temporal/cli-download*',
    ],
    message: 'The API (ingress) never loads worker, store or activities code.',
  }),
  layer(['src/temporal/**/*.ts'], ['http', 'worker', 'store', 'activities', 'admin', 'cli'], {
    packages: WORKER_LIBRARIES,
    message: 'src/temporal is shared by the API: no worker, store or HTTP code.',
  }),
  layer(
    ['src/shared/**/*.ts'],
    ['http', 'temporal', 'worker', 'store', 'activities', 'admin', 'cli', 'config', 'events'],
    {
      packages: [...WORKER_LIBRARIES, 'koa', '@koa/*'],
      message: 'src/shared is the bottom layer: it imports no other role.',
    },
  ),
  layer(['src/config.ts'], ['http', 'temporal', 'worker', 'store', 'activities', 'admin', 'cli'], {
    message: 'config.ts reads the environment; the roles import it, never the other way.',
  }),
  layer(['src/store/**/*.ts'], ['http', 'temporal', 'worker', 'activities', 'admin', 'cli'], {
    message: 'The store knows nothing of HTTP, Temporal or the worker.',
  }),
  layer(['activities/**/*.ts'], ['http', 'worker', 'admin', 'cli'], {
    message: 'Activities depend on the store and the domain, not on the processes around them.',
  }),
  layer(['src/cli/**/*.ts', 'src/admin/**/*.ts'], ['worker', 'activities'], {
    message: 'The CLI and the admin socket never load the worker.',
  }),
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
)
