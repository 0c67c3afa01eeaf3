import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { ConfigError, loadConfig } from '../../src/config'
import { startTracing } from '../../src/shared/tracing'

describe('tracing configuration', () => {
  it('is off unless an OTLP endpoint is set', () => {
    expect(loadConfig({}).tracing).toBe(false)
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toBe(true)
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }).tracing,
    ).toBe(true)
  })

  it('stays off when the SDK is disabled or the traces exporter is none', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }
    expect(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).tracing).toBe(false)
    expect(loadConfig({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).tracing).toBe(false)
  })

  it('stops at startup on an endpoint that is not an http(s) URL, naming the variable only', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318 secret-ish' })).toThrow(
      new ConfigError('OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL'),
    )
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'nope' })).toThrow(
      new ConfigError('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http(s) URL'),
    )
  })
})

describe('tracing honours the standard OTEL_* variables', () => {
  const saved = { ...process.env }
  afterEach(() => {
    process.env = { ...saved }
  })

  it('names the service from OTEL_SERVICE_NAME and adds OTEL_RESOURCE_ATTRIBUTES', async () => {
    process.env.OTEL_SERVICE_NAME = 'webhooks-eu'
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment=staging'
    const tracing = startTracing({
      serviceName: 'scompler-webhooks-api',
      exporter: new InMemorySpanExporter(),
    })
    try {
      expect(tracing.resource.attributes['service.name']).toBe('webhooks-eu')
      expect(tracing.resource.attributes['deployment.environment']).toBe('staging')
    } finally {
      await tracing.shutdown()
    }
  })

  it('keeps its own service name when OTEL_SERVICE_NAME is unset', async () => {
    delete process.env.OTEL_SERVICE_NAME
    delete process.env.OTEL_RESOURCE_ATTRIBUTES
    const tracing = startTracing({
      serviceName: 'scompler-webhooks-api',
      exporter: new InMemorySpanExporter(),
    })
    try {
      expect(tracing.resource.attributes['service.name']).toBe('scompler-webhooks-api')
    } finally {
      await tracing.shutdown()
    }
  })

  it('exports to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT with OTEL_EXPORTER_OTLP_HEADERS', async () => {
    const received: Array<{ url?: string; headers: IncomingHttpHeaders }> = []
    const collector = createServer((req, res) => {
      received.push({ url: req.url, headers: req.headers })
      req.resume()
      req.on('end', () => res.writeHead(200).end())
    })
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve))
    const { port } = collector.address() as AddressInfo
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `http://127.0.0.1:${port}/custom/traces`
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-collector-team=webhooks'
    const tracing = startTracing({ serviceName: 'scompler-webhooks-api' })
    try {
      tracing.tracer.startSpan('one').end()
    } finally {
      await tracing.shutdown()
      await new Promise((resolve) => collector.close(resolve))
    }
    expect(received.map((r) => r.url)).toEqual(['/custom/traces'])
    expect(received[0]?.headers['x-collector-team']).toBe('webhooks')
  })
})
