#!/usr/bin/env node
// From a clone: the TypeScript source through tsx. Installed from npm or in the container image
// (no src/, only the build): the compiled CLI.
const { existsSync } = require('node:fs')
const path = require('node:path')

const source = path.join(__dirname, '../src/cli.ts')
if (existsSync(source)) {
  require('tsx/cjs')
  require(source)
} else {
  require('../dist/src/cli.js')
}
