import type { Measurement } from '../../bench/measure'
import { renderChart } from '../../bench/chart'
import { renderMarkdown, summarize, type BenchResults } from '../../bench/report'

function run(
  scenario: Measurement['scenario'],
  target: Measurement['target'],
  throughput: number,
  p99: number,
  runNumber: number,
): Measurement {
  return {
    scenario,
    target,
    concurrency: 16,
    run: runNumber,
    requests: throughput * 4,
    seconds: 4,
    throughput,
    p50: p99 / 2,
    p99,
    unexpected: 0,
    serverCpuMsPerRequest: target === 'direct' ? undefined : 0.5,
    cores: { api: 0.5 },
    peakRssMb: { api: 100 + runNumber, worker: target === 'ours' ? 200 + throughput : 150 },
  }
}

const measurements = [
  run('accepted', 'ours', 90, 30, 1),
  run('accepted', 'ours', 10, 300, 2),
  run('accepted', 'ours', 80, 20, 3),
  run('accepted', 'direct', 100, 20, 1),
  run('accepted', 'direct', 100, 20, 2),
  run('accepted', 'direct', 95, 25, 3),
  run('rejected', 'ours', 800, 5, 1),
  run('rejected', 'bare-koa', 1000, 4, 1),
]

describe('bench report', () => {
  it('compares the medians of the runs, so one disturbed run does not move the ratio', () => {
    const [accepted, rejected] = summarize(measurements)
    expect(accepted).toMatchObject({
      scenario: 'accepted',
      ours: { throughput: 80, p99: 30 },
      baselineName: 'direct',
      baseline: { throughput: 100, p99: 20 },
      throughputRatio: 0.8,
      p99Ratio: 1.5,
    })
    expect(rejected).toMatchObject({ baselineName: 'bare-koa', throughputRatio: 0.8 })
    // The highest of our runs, not a median: a target on peak memory is about the worst moment.
    expect(accepted!.peakRssMb).toEqual({ api: 103, worker: 290 })
  })

  it('gives no p99 ratio when the baseline p99 rounds to 0 ms', () => {
    const fast = [run('rejected', 'ours', 800, 1, 1), run('rejected', 'bare-koa', 1000, 0, 1)]
    const [row] = summarize(fast)
    expect(row!.p99Ratio).toBeNull()
    const results: BenchResults = {
      machine: {},
      settings: {},
      summary: [row!],
      endToEnd: [],
      idleRssMb: {},
      peakRssMb: {},
      measurements: fast,
    }
    expect(renderMarkdown(results)).toContain('| 0.5 / 1 | 0 / 0 | n/a |')
  })

  it('renders the table and a chart with a line per series', () => {
    const summary = summarize(measurements)
    const results: BenchResults = {
      machine: { cpus: 2, node: 'v20', note: '' },
      settings: { runs: 3, seconds: 4 },
      summary,
      endToEnd: [],
      idleRssMb: { api: 100 },
      peakRssMb: { api: 120 },
      measurements,
    }
    expect(renderMarkdown(results)).toContain('| accepted | 16 | 80 | direct | 100 | 0.8 |')
    const svg = renderChart(summary)
    expect(svg.match(/<polyline /g)).toHaveLength(8)
    expect(svg).toContain('bare Koa')
  })
})
