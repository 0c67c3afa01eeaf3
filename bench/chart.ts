// The SVG chart of bench/results: throughput and p99 against concurrency, log scales, one line per
// series. Plain SVG text, so it renders on GitHub and diffs in review.
import type { Figure, SummaryRow } from './report'

interface Series {
  name: string
  color: string
  dashed?: boolean
  points: Array<{ concurrency: number; figure: Figure }>
}

const WIDTH = 420
const HEIGHT = 300
const MARGIN = { left: 60, right: 15, top: 30, bottom: 45 }

export function renderChart(summary: SummaryRow[]): string {
  const pick = (scenario: SummaryRow['scenario'], side: 'ours' | 'baseline') =>
    summary
      .filter((r) => r.scenario === scenario)
      .map((r) => ({ concurrency: r.concurrency, figure: r[side] }))
  const series: Series[] = [
    { name: 'ours, accepted', color: '#1f77b4', points: pick('accepted', 'ours') },
    { name: 'direct starts', color: '#1f77b4', dashed: true, points: pick('accepted', 'baseline') },
    { name: 'ours, rejected', color: '#d62728', points: pick('rejected', 'ours') },
    { name: 'bare Koa', color: '#d62728', dashed: true, points: pick('rejected', 'baseline') },
  ]
  const concurrencies = [...new Set(summary.map((r) => r.concurrency))].sort((a, b) => a - b)
  const panel = (title: string, value: (f: Figure) => number, dx: number) =>
    renderPanel({ title, value, series, concurrencies, dx })
  const legend = series
    .map(
      (s, i) =>
        `<g transform="translate(${70 + i * 190},${HEIGHT + 20})">${line(s, 0, 0, 30, 0)}` +
        `<text x="36" y="4">${s.name}</text></g>`,
    )
    .join('')
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * WIDTH}" height="${HEIGHT + 40}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel('Throughput (req/s, log)', (f) => f.throughput, 0),
    panel('p99 latency (ms, log)', (f) => f.p99, WIDTH),
    legend,
    '</svg>',
    '',
  ].join('\n')
}

function line(s: Series, x1: number, y1: number, x2: number, y2: number): string {
  const dash = s.dashed ? ' stroke-dasharray="6 4"' : ''
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${s.color}" stroke-width="2"${dash}/>`
}

function renderPanel(p: {
  title: string
  value: (f: Figure) => number
  series: Series[]
  concurrencies: number[]
  dx: number
}): string {
  const values = p.series
    .flatMap((s) => s.points.map((pt) => p.value(pt.figure)))
    .filter((v) => v > 0)
  const low = Math.floor(Math.log10(Math.min(...values)))
  const high = Math.ceil(Math.log10(Math.max(...values)))
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom
  const x = (c: number) =>
    MARGIN.left + (plotW * p.concurrencies.indexOf(c)) / Math.max(1, p.concurrencies.length - 1)
  const y = (v: number) =>
    MARGIN.top + plotH * (1 - (Math.log10(Math.max(v, 10 ** low)) - low) / Math.max(1, high - low))
  const grid: string[] = []
  for (let e = low; e <= high; e++) {
    grid.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(10 ** e) + 4}" text-anchor="end">${10 ** e}</text>`,
    )
  }
  for (const c of p.concurrencies) {
    grid.push(
      `<text x="${x(c)}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">c${c}</text>`,
    )
  }
  const paths = p.series.map((s) => {
    const pts = s.points.map(
      (pt) => `${x(pt.concurrency).toFixed(1)},${y(p.value(pt.figure)).toFixed(1)}`,
    )
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : ''
    const dots = pts.map(
      (pt) => `<circle cx="${pt.split(',')[0]}" cy="${pt.split(',')[1]}" r="3" fill="${s.color}"/>`,
    )
    return `<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>${dots.join('')}`
  })
  return [
    `<g transform="translate(${p.dx},0)">`,
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-weight="bold">${p.title}</text>`,
    ...grid,
    `<text x="${WIDTH / 2}" y="${HEIGHT - 8}" text-anchor="middle">concurrency (connections or callers)</text>`,
    ...paths,
    '</g>',
  ].join('\n')
}
