// The published package ships the workflow bundle the build made (dist/workflow-bundle.js), not
// workflows/: a worker running from a build must take that bundle, a clone bundles from source.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { prebuiltWorkflowBundle } from '../../src/worker/create-worker'

let build: string
beforeEach(() => {
  build = mkdtempSync(path.join(os.tmpdir(), 'prebuilt-bundle-'))
  mkdirSync(path.join(build, 'src'))
})
afterEach(() => rmSync(build, { recursive: true, force: true }))

it("finds the bundle beside a build's compiled src/", () => {
  writeFileSync(path.join(build, 'workflow-bundle.js'), '')
  expect(prebuiltWorkflowBundle(path.join(build, 'src'))).toBe(
    path.join(build, 'workflow-bundle.js'),
  )
})

it('finds none in a build without one, nor in this clone (bundled from workflows/ at start)', () => {
  expect(prebuiltWorkflowBundle(path.join(build, 'src'))).toBeUndefined()
  expect(prebuiltWorkflowBundle()).toBeUndefined()
})
