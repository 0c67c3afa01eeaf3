// `npm run test:package`, apart from `npm test`: the consumer test installs the packed package's
// dependencies from the npm registry (a step of .ci/run). The system lane's setup (one Temporal dev
// server), without its in-process Temporal Runtime: no worker runs in the test process (the
// example's run as processes of their own), and the Runtime would keep the run from exiting.
const path = require('node:path')
const { projects, testTimeout } = require('../../jest.config')

const system = projects.find((project) => project.displayName === 'system')

/** @type {import('jest').Config} */
module.exports = {
  ...system,
  rootDir: path.join(__dirname, '../..'),
  displayName: 'package',
  testMatch: ['<rootDir>/test/package/**/*.test.ts'],
  setupFiles: [],
  testTimeout,
}
