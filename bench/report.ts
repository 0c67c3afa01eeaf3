// Medians of the runs, ratios against the baselines, and the Markdown table.
import { KEEP_UP_GROWTH, type EndToEndResult } from './end-to-end'
import type { Measurement, Scenario, Target } from './measure'
import { median, round } from './stats'

export interface Figure {
  throughput: number
  p50: number
  p99: number
  serverCpuMsPerRequest?: number
}

export interface SummaryRow {
  scenario: Scenario
  concurrency: number
  ours: Figure
  baselineName: Target
  baseline: Figure
  /** Ours over the baseline, from the medians of the runs. */
  throughputRatio: number
  /** Null when the baseline's p99 rounds to 0 ms (autocannon counts whole milliseconds). */
  p99Ratio: number | null
  /** Cores busy during our runs (median), by process. */
  cores: Record<string, number>
  /** The highest resident set of the API and of the worker during our runs (MB). */
  peakRssMb: { api: number; worker: number }
}

export interface BenchResults {
  machine: Record<string, string | number | number[]>
  settings: Record<string, unknown>
  summary: SummaryRow[]
  endToEnd: EndToEndResult[]
  /** Once everything is up, before any load. */
  idleRssMb: Record<string, number>
  peakRssMb: Record<string, number>
  measurements: Measurement[]
}

const BASELINE: Record<Scenario, Target> = {
  accepted: 'direct',
  rejected: 'bare-koa',
  duplicate: 'direct',
}

export function summarize(measurements: Measurement[]): SummaryRow[] {
  const keys = [...new Set(measurements.map((m) => `${m.scenario}:${m.concurrency}`))]
  return keys.map((key) => {
    const [scenario, c] = key.split(':') as [Scenario, string]
    const of = (target: Target) =>
      measurements.filter(
        (m) => m.scenario === scenario && m.concurrency === Number(c) && m.target === target,
      )
    const ours = of('ours')
    const baseline = of(BASELINE[scenario])
    const oursFigure = figure(ours)
    const baselineFigure = figure(baseline)
    return {
      scenario,
      concurrency: Number(c),
      ours: oursFigure,
      baselineName: BASELINE[scenario],
      baseline: baselineFigure,
      throughputRatio: round(oursFigure.throughput / baselineFigure.throughput, 2),
      p99Ratio: baselineFigure.p99 > 0 ? round(oursFigure.p99 / baselineFigure.p99, 2) : null,
      cores: medianCores(ours),
      peakRssMb: {
        api: Math.max(...ours.map((m) => m.peakRssMb.api ?? 0)),
        worker: Math.max(...ours.map((m) => m.peakRssMb.worker ?? 0)),
      },
    }
  })
}

function figure(runs: Measurement[]): Figure {
  const cpu = runs.flatMap((m) => m.serverCpuMsPerRequest ?? [])
  return {
    throughput: round(median(runs.map((m) => m.throughput))),
    p50: round(median(runs.map((m) => m.p50)), 2),
    p99: round(median(runs.map((m) => m.p99)), 2),
    ...(cpu.length ? { serverCpuMsPerRequest: round(median(cpu), 3) } : {}),
  }
}

function medianCores(runs: Measurement[]): Record<string, number> {
  const names = Object.keys(runs[0]?.cores ?? {})
  return Object.fromEntries(names.map((n) => [n, round(median(runs.map((m) => m.cores[n]!)), 2)]))
}

const cpuCell = (f: Figure) =>
  f.serverCpuMsPerRequest === undefined ? '' : `${f.serverCpuMsPerRequest}`

export function renderMarkdown(results: BenchResults): string {
  const { machine, settings } = results
  const lines = [
    `Machine: ${String(machine.cpus)} cores (${String(machine.cpuModel)}), ${String(machine.memoryGb)} GB, ` +
      `Node ${String(machine.node)}, ${String(machine.temporalCli)}. ` +
      `Load average before/after: ${String(machine.loadAverageBefore)} / ${String(machine.loadAverageAfter)}.` +
      (machine.note ? ` ${String(machine.note)}` : ''),
    '',
    `Medians of ${String(settings.runs)} runs of ${String(settings.seconds)} s each, ours and the baseline alternating.` +
      nodeOptionsSentence(settings.nodeOptions as Record<string, string> | undefined),
    '',
    '| path | c | ours req/s | baseline | baseline req/s | ratio | ours p50 / p99 ms | baseline p50 / p99 ms | p99 ratio | server CPU ms/req (ours / baseline) | peak RSS MB, api / worker | cores busy in our runs |',
    '| --- | --: | --: | --- | --: | --: | --: | --: | --: | --: | --: | --- |',
    ...results.summary
      .map((r) =>
        [
          r.scenario,
          r.concurrency,
          r.ours.throughput,
          r.baselineName,
          r.baseline.throughput,
          r.throughputRatio,
          `${r.ours.p50} / ${r.ours.p99}`,
          `${r.baseline.p50} / ${r.baseline.p99}`,
          r.p99Ratio ?? 'n/a',
          [cpuCell(r.ours), cpuCell(r.baseline)].filter(Boolean).join(' / '),
          `${r.peakRssMb.api} / ${r.peakRssMb.worker}`,
          Object.entries(r.cores)
            .map(([name, cores]) => `${name} ${cores}`)
            .join(', '),
        ].join(' | '),
      )
      .map((row) => `| ${row} |`),
    '',
    'End to end (POST -> workflow completed), open loop at a fixed offered rate:',
    '',
    '| offered /s | accepted | completions /s | p50 ms | p99 ms | wait growth ms | keeps up |',
    '| --: | --: | --: | --: | --: | --: | --- |',
    ...results.endToEnd.map(
      (e) =>
        `| ${e.rate} | ${e.accepted}/${e.sent} | ${round(e.completedPerSecond)} | ${round(e.p50, 0)} | ${round(e.p99, 0)} | ${round(e.waitGrowthMs, 0)} | ${e.keepsUp ? 'yes' : 'no'} |`,
    ),
    '',
    `Highest sustained rate (every delivery accepted, and the wait grew by under ${KEEP_UP_GROWTH * 100}% of the step from its first to its last quarter): ${sustainedRate(results.endToEnd)}.`,
    '',
    `Peak RSS under the load above (MB): ${megabytes(results.peakRssMb)}; idle before it: ${megabytes(results.idleRssMb)}.`,
    '',
  ]
  return lines.join('\n')
}

function nodeOptionsSentence(options: Record<string, string> | undefined): string {
  const set = Object.entries(options ?? {}).filter(([, value]) => value)
  if (set.length === 0) return ''
  return ` Node options: ${set.map(([name, value]) => `${name} \`${value}\``).join(', ')}.`
}

function sustainedRate(steps: EndToEndResult[]): string {
  const kept = steps.filter((s) => s.keepsUp).map((s) => s.rate)
  if (kept.length === 0) return 'none of the rates tried'
  const best = Math.max(...kept)
  return steps.every((s) => s.keepsUp) ? `at least ${best}/s (the highest rate tried)` : `${best}/s`
}

function megabytes(byProcess: Record<string, number>): string {
  return Object.entries(byProcess)
    .map(([name, mb]) => `${name} ${mb}`)
    .join(', ')
}
