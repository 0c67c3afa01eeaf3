// `scompler-webhooks setup`: what `npm run setup` does (search attributes, retention), from the
// package's command line, against a namespace of this file's own on the dev server. Idempotent.
import { randomUUID } from 'node:crypto'
import type { Client } from '@temporalio/client'
import Long from 'long'
import { missingSearchAttributes } from '../../src/temporal/namespace'
import { runCli } from '../helpers/cli'
import { testEnvironment } from '../helpers/environment'
import { connectClient } from '../helpers/temporal'

const DAY_SECONDS = 86_400

let client: Client
const namespace = `cli-setup-${randomUUID()}`

beforeAll(async () => {
  client = await connectClient()
  // A fresh namespace: one day of retention, none of our search attributes.
  await client.connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(DAY_SECONDS) },
  })
})
afterAll(() => client?.connection.close())

const env = () => ({
  TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
  TEMPORAL_NAMESPACE: namespace,
  WEBHOOK_MAX_AGE: '3d',
})

async function retentionDays(): Promise<number> {
  const { config } = await client.connection.workflowService.describeNamespace({ namespace })
  return Number(config?.workflowExecutionRetentionTtl?.seconds ?? 0) / DAY_SECONDS
}

it('registers the search attributes and the retention, then finds them present', async () => {
  expect(await missingSearchAttributes(client.connection, namespace)).toEqual([
    'ScomplerEvent',
    'ScomplerAccountId',
  ])

  const first = await runCli(['setup', '--json'], env())
  expect(first.stderr).toBe('')
  expect(first.code).toBe(0)
  expect(first.json()).toEqual({
    namespace,
    address: testEnvironment().temporalAddress,
    registered: ['ScomplerEvent', 'ScomplerAccountId'],
    retentionDays: 4,
  })
  expect(await missingSearchAttributes(client.connection, namespace)).toEqual([])
  expect(await retentionDays()).toBe(4)

  const again = await runCli(['setup'], env())
  expect([again.code, again.stderr]).toEqual([0, ''])
  expect(again.stdout).toBe(
    `setup: namespace ${namespace} at ${testEnvironment().temporalAddress}: search attributes already present; retention 4 days\n`,
  )
  expect(await retentionDays()).toBe(4)
}, 60_000)

it('answers a namespace that does not exist with exit code 3', async () => {
  const missing = await runCli(['setup'], { ...env(), TEMPORAL_NAMESPACE: `nope-${randomUUID()}` })
  expect(missing.code).toBe(3)
  expect(missing.stderr).toMatch(/^scompler-webhooks: namespace nope-\S+ does not exist at /)
}, 60_000)

it('answers an unreachable Temporal with exit code 4', async () => {
  const unreachable = await runCli(['setup'], { ...env(), TEMPORAL_ADDRESS: '127.0.0.1:1' })
  expect(unreachable.code).toBe(4)
  expect(unreachable.stderr).toMatch(/Temporal is unreachable at 127\.0\.0\.1:1/)
}, 60_000)
