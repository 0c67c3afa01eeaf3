// One trace from the HTTP request through the workflow start to each activity, against the real
// Temporal server and PostgreSQL, with spans kept in memory.
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { WEBHOOK_PATH } from '../../src/domain'
import { createClient } from '../../src/temporal/client'
import { connectTemporal } from '../../src/temporal/connect'
import { startTracing } from '../../src/shared/tracing'
import { TEST_NAMESPACE, testEnvironment } from '../helpers/environment'
import { delivery, uninstallEvent } from '../helpers/events'
import { useStack } from '../helpers/stack'
import { waitForClose } from '../helpers/temporal'

const exporter = new InMemorySpanExporter()
const tracing = startTracing({ serviceName: 'scompler-webhooks-test', exporter })
const stack = useStack({
  name: 'tracing',
  // A client whose workflow starts carry the trace, as the API's does.
  connect: async () =>
    createClient(
      await connectTemporal({ address: testEnvironment().temporalAddress }),
      TEST_NAMESPACE,
      { tracing: true },
    ),
  worker: true,
  tracing,
  api: { tracer: tracing.tracer },
})
afterAll(() => tracing.shutdown())

/** Workflow spans reach the exporter through a sink, shortly after the activation that ends them. */
async function spansOf(traceId: string, expectedNames: string[]): Promise<ReadableSpan[]> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId)
    const names = new Set(spans.map((span) => span.name))
    if (expectedNames.every((name) => names.has(name)) || Date.now() > deadline) return spans
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

function ancestors(span: ReadableSpan, spans: ReadableSpan[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]))
  const chain: string[] = []
  for (let parent = byId.get(span.parentSpanId ?? ''); parent;) {
    chain.push(parent.name)
    parent = byId.get(parent.parentSpanId ?? '')
  }
  return chain
}

it('makes the HTTP request span the parent of the workflow start, the run and each activity', async () => {
  const event = uninstallEvent()
  const { body, headers } = delivery(event)
  const res = await stack.api.http.post(WEBHOOK_PATH).set(headers).send(body)
  expect(res.body.status).toBe('accepted')
  expect((await waitForClose(stack.client, event.id)).status.name).toBe('COMPLETED')

  const request = exporter.getFinishedSpans().find((span) => span.name === `POST ${WEBHOOK_PATH}`)
  expect(request).toBeDefined()
  expect(request!.parentSpanId).toBeUndefined()
  expect(request!.attributes).toMatchObject({
    'http.response.status_code': 200,
    'scompler.event_id': event.id,
  })
  const expected = [
    'StartWorkflow:appUninstalled',
    'RunWorkflow:appUninstalled',
    'RunActivity:claimEvent',
    'RunActivity:uninstallInstallation',
  ]
  const spans = await spansOf(request!.spanContext().traceId, expected)
  for (const name of expected) {
    const span = spans.find((s) => s.name === name)
    expect({ name, found: Boolean(span) }).toEqual({ name, found: true })
    expect(ancestors(span!, spans).at(-1)).toBe(`POST ${WEBHOOK_PATH}`)
  }
  const start = spans.find((s) => s.name === 'StartWorkflow:appUninstalled')!
  expect(start.parentSpanId).toBe(request!.spanContext().spanId)
})
