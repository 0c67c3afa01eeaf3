// `scompler-webhooks events replay-failed`: after an outage or a fix, every event whose latest
// run failed runs again, filtered by account; completed events are left alone.
import { parseEnvelope } from '../../src/events'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { workflowTypeFor } from '../../src/domain'
import { runCli } from '../helpers/cli'
import { testEnvironment } from '../helpers/environment'
import { newAccountId, postingEvent, uninstallEvent, type WireEvent } from '../helpers/events'
import { useStack } from '../helpers/stack'
import { countRuns, waitForClose } from '../helpers/temporal'

const stack = useStack({ name: 'replay-failed', worker: true })

async function run(wire: WireEvent) {
  const event = parseEnvelope(wire)
  const handle = await stack.client.workflow.start(
    workflowTypeFor(event.event),
    workflowStartOptions(event, stack.taskQueue),
  )
  return waitForClose(stack.client, handle.workflowId, handle.firstExecutionRunId)
}

it("replays each of an account's failed events once, and nothing else", async () => {
  const accountId = newAccountId()
  // Invalid data: these runs fail at once, non-retryably.
  const failed = [
    uninstallEvent({ account_id: accountId, data: {} }),
    uninstallEvent({ account_id: accountId, data: { installation_id: 'nope' } }),
  ]
  const completed = postingEvent({ account_id: accountId })
  const otherAccount = uninstallEvent({ data: {} })
  for (const wire of [...failed, completed, otherAccount]) await run(wire)
  for (const wire of failed) await countRuns(stack.client, wire.id, 1)

  const env = { TEMPORAL_ADDRESS: testEnvironment().temporalAddress, DATABASE_URL: stack.store.url }
  const replay = await runCli(
    ['events', 'replay-failed', '--account-id', accountId, '--since', '1h', '--json'],
    env,
  )
  expect(replay.stderr).toBe('')
  expect(replay.code).toBe(0)
  const { replayed } = replay.json<{ replayed: Array<{ eventId: string }> }>()
  expect(replayed.map((r) => r.eventId).sort()).toEqual(failed.map((e) => e.id).sort())

  for (const wire of failed) expect(await countRuns(stack.client, wire.id, 2)).toBe(2)
  expect(await countRuns(stack.client, completed.id, 1)).toBe(1)
  expect(await countRuns(stack.client, otherAccount.id, 1)).toBe(1)
}, 120_000)

it('answers a --since it cannot read with exit code 2', async () => {
  const env = { TEMPORAL_ADDRESS: testEnvironment().temporalAddress }
  for (const since of ['yesterday', '-1d', '0']) {
    const bad = await runCli(['events', 'replay-failed', '--since', since], env)
    expect([since, bad.code]).toEqual([since, 2])
    expect(bad.stderr).toMatch(/--since must be an ISO date or a duration/)
  }
}, 60_000)
