// The safety net for workflow changes: every recorded history (test/fixtures/histories, one per
// branch of each workflow) must replay against today's workflow code. A change that would break
// runs in flight fails here; make it behind `patched()` and record new histories
// (record-histories.ts). No server: replay runs in the worker's own sandbox.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { DeterminismViolationError } from '@temporalio/workflow'
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker'
import { WORKFLOW_BUNDLE_OPTIONS } from '../../src/worker/create-worker'
import { tracingSinks } from '../../src/worker/tracing'
// The SDK's ERRORs on stderr, its other lines to a file or nowhere: replay logs every run.
import '../helpers/sdk-logs'

const HISTORIES_DIR = path.join(__dirname, '../fixtures/histories')

function histories() {
  return readdirSync(HISTORIES_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({
      workflowId: path.basename(file, '.json'),
      history: JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as unknown,
    }))
}

async function replay(workflowsPath: string) {
  const options: ReplayWorkerOptions = {
    workflowsPath,
    interceptors: { workflowModules: WORKFLOW_BUNDLE_OPTIONS.workflowInterceptorModules },
    // The sink the tracing interceptor calls, as the worker registers it with tracing off.
    sinks: tracingSinks(),
    bundlerOptions: { ignoreModules: [] },
  }
  const results: Record<string, Error | undefined> = {}
  for await (const result of Worker.runReplayHistories(options, histories())) {
    results[result.workflowId] = result.error
  }
  return results
}

test('a history of every branch is recorded', () => {
  expect(
    histories()
      .map((h) => h.workflowId)
      .sort(),
  ).toEqual([
    'app-uninstalled-completed',
    'app-uninstalled-duplicate',
    'app-uninstalled-failed-invalid-data',
    'app-uninstalled-handled',
    'app-uninstalled-skipped',
    'hand-over-event-handled',
    'posting-sent-to-publish-cancelled',
    'posting-sent-to-publish-completed',
    'posting-sent-to-publish-handled-after-retry',
    'posting-sent-to-publish-handler-failure',
    'posting-sent-to-publish-skipped',
    'unhandled-event-completed',
    'unhandled-event-handled',
  ])
})

test("every recorded history replays against today's workflows", async () => {
  const results = await replay(WORKFLOW_BUNDLE_OPTIONS.workflowsPath)
  expect(Object.keys(results)).toHaveLength(histories().length)
  for (const [name, error] of Object.entries(results)) {
    expect([name, error?.message]).toEqual([name, undefined])
  }
})

test('a workflow changed without a patch fails the replay of its histories', async () => {
  const results = await replay(path.join(__dirname, '../fixtures/changed-workflows'))
  expect(results['app-uninstalled-completed']).toBeInstanceOf(DeterminismViolationError)
  expect(results['app-uninstalled-skipped']).toBeInstanceOf(DeterminismViolationError)
  expect(results['posting-sent-to-publish-completed']).toBeUndefined()
})
