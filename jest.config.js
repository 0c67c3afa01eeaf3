// Two lanes (projects). `npm run test:unit` runs the unit lane alone: no Temporal server, no
// PostgreSQL. `npm test` runs both. A project's globalSetup runs only when that project has tests
// in the run, so the Temporal dev server and the workflow bundle are made for the system lane only.
const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // test/compose is in neither lane.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/compose/'],
}

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      // Our own logic in this process, and recorded histories replayed without a server.
      testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/replay/**/*.test.ts'],
    },
    {
      ...shared,
      displayName: 'system',
      // The real thing: the shared Temporal dev server of the global setup, the machine's
      // PostgreSQL, processes, Deno, a browser.
      testMatch: ['<rootDir>/test/{http,integration,faults,load,deno}/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
      // The Temporal SDK's ERRORs on stderr, the rest to a file (see the file).
      setupFiles: ['<rootDir>/test/helpers/sdk-logs.ts'],
    },
  ],
  testTimeout: 60_000,
  maxWorkers: 2,
}
