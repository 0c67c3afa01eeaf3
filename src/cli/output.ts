import type { CliContext } from './context'

/** `--json`: one JSON document on stdout; otherwise the human text. */
export function print(context: Pick<CliContext, 'json'>, value: unknown, text: string): void {
  process.stdout.write(context.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`)
}

/** Aligned columns, for lists. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)))
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths?.[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

export function formatDate(value: Date | string | null | undefined): string {
  if (!value) return '-'
  return new Date(value).toISOString()
}
