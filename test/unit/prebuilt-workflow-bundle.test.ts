// The published package ships the workflow bundle the build made (dist/workflow-bundle.js), not
// workflows/: a worker running from a build must take that bundle, a clone bundles from source.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DefaultLogger } from '@temporalio/worker'
import { completeBuild } from '../../scripts/build-dist'
import { prebuiltWorkflowBundle, WORKFLOW_BUNDLE_FILE } from '../../src/worker/create-worker'

let build: string
beforeEach(() => {
  build = mkdtempSync(path.join(os.tmpdir(), 'prebuilt-bundle-'))
  mkdirSync(path.join(build, 'src'))
})
afterEach(() => rmSync(build, { recursive: true, force: true }))

it("finds the bundle beside a build's compiled src/", () => {
  writeFileSync(path.join(build, WORKFLOW_BUNDLE_FILE), '')
  expect(prebuiltWorkflowBundle(path.join(build, 'src'))).toBe(
    path.join(build, WORKFLOW_BUNDLE_FILE),
  )
})

it('finds the bundle the build writes (scripts/build-dist.ts)', async () => {
  const written = await completeBuild(build, new DefaultLogger('ERROR'))
  expect(readFileSync(written, 'utf8')).toContain('postingSentToPublish')
  expect(prebuiltWorkflowBundle(path.join(build, 'src'))).toBe(written)
}, 60_000)

it('finds none in a build without one, nor in this clone (bundled from workflows/ at start)', () => {
  expect(prebuiltWorkflowBundle(path.join(build, 'src'))).toBeUndefined()
  expect(prebuiltWorkflowBundle()).toBeUndefined()
})
