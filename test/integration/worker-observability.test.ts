// `npm run start:worker` as a real process: its /metrics serves Temporal's SDK metrics and our
// activity outcomes, and workflow and activity logs carry the workflow id and attempt.
import { freePort } from '../../src/shared/listen'
import { createEventStarter } from '../../src/temporal/start-event'
import { testEnvironment } from '../helpers/environment'
import { runEntryPoint, type RunningProcess } from '../helpers/process'
import { useStack } from '../helpers/stack'
import { waitForClose } from '../helpers/temporal'
import { uninstallEvent } from '../helpers/events'
import { parseEnvelope } from '../../src/events'

const stack = useStack({ name: 'worker-observability', database: true })
let worker: RunningProcess
let metricsUrl: string

beforeAll(async () => {
  const port = await freePort('127.0.0.1')
  metricsUrl = `http://127.0.0.1:${port}/metrics`
  worker = runEntryPoint('src/worker.ts', {
    DATABASE_URL: stack.store.url,
    TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    WORKFLOW_BUNDLE_PATH: testEnvironment().bundlePath,
    WORKER_HEALTH_PORT: String(port),
    HOST: '127.0.0.1',
  })
  stack.onClose(() => worker.stop())
  await worker.waitFor(/worker running/)
}, 90_000)

function logLines(): Array<Record<string, unknown>> {
  return worker
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

it('runs an event, then serves Temporal metrics and activity outcomes, and logs with workflow id and attempt', async () => {
  const event = parseEnvelope(uninstallEvent())
  await createEventStarter(stack.client, stack.taskQueue)(event)
  expect((await waitForClose(stack.client, event.id)).status.name).toBe('COMPLETED')

  const res = await fetch(metricsUrl)
  expect(res.status).toBe(200)
  const text = await res.text()
  expect(text).toMatch(
    /^temporal_workflow_completed_total\{.*workflow_type="appUninstalled".*\} [1-9]/m,
  )
  expect(text).toMatch(/^temporal_activity_execution_latency_seconds_bucket\{/m)
  expect(text).toMatch(
    /^scompler_activity_executions_total\{activity="claimEvent",outcome="completed"\} 1$/m,
  )
  expect(text).toMatch(
    /^scompler_activity_executions_total\{activity="uninstallInstallation",outcome="completed"\} 1$/m,
  )
  expect(text).toMatch(/^process_cpu_seconds_total /m)

  expect(worker.output()).not.toContain('taskToken')
  const lines = logLines()
  expect(lines).toContainEqual(
    expect.objectContaining({
      msg: 'activity completed',
      sdkComponent: 'activity',
      activityType: 'uninstallInstallation',
      workflowId: event.id,
      attempt: 1,
    }),
  )
  expect(lines).toContainEqual(
    expect.objectContaining({
      msg: 'event processed',
      sdkComponent: 'workflow',
      workflowId: event.id,
      outcome: 'skipped',
    }),
  )
})
