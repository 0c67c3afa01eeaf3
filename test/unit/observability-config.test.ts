// The checked-in Prometheus and Grafana files name only metrics that the API and worker serve.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createApiMetrics } from '../../src/http/metrics'
import { createWorkerMetrics } from '../../src/worker/metrics'

const DEPLOY = path.resolve(__dirname, '../../deploy/observability')

interface Dashboard {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>
}

it('queries only scompler_* metrics that exist, with their histogram suffixes', async () => {
  const names = new Set<string>()
  for (const registry of [createApiMetrics().registry, createWorkerMetrics().registry]) {
    for (const metric of await registry.getMetricsAsJSON()) {
      names.add(metric.name)
      if (String(metric.type) === 'histogram') names.add(`${metric.name}_bucket`)
    }
  }
  const dashboard = JSON.parse(
    readFileSync(path.join(DEPLOY, 'grafana/dashboards/scompler-webhooks.json'), 'utf8'),
  ) as Dashboard
  const used = dashboard.panels.flatMap((panel) =>
    panel.targets.flatMap((target) => target.expr.match(/scompler_[a-z_]+/g) ?? []),
  )
  expect(used.length).toBeGreaterThan(5)
  expect(used.filter((name) => !names.has(name))).toEqual([])
  expect(dashboard.panels.map((panel) => panel.title)).toEqual(
    expect.arrayContaining(['Deliveries by outcome', 'Rejections by reason', 'Failures']),
  )
})

it("scrapes the API on compose's OPS_PORT (its /metrics) and the worker on its health port", () => {
  const prometheus = readFileSync(path.join(DEPLOY, 'prometheus.yml'), 'utf8')
  const compose = readFileSync(path.join(DEPLOY, '../../docker-compose.yml'), 'utf8')
  const opsPort = /^\s+OPS_PORT: (\d+)$/m.exec(compose)?.[1]
  expect(opsPort).toBeDefined()
  expect(prometheus).toContain(`targets: ['api:${opsPort}']`)
  expect(prometheus).toContain("targets: ['worker:3001']")
})
