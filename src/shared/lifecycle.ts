// The shape every entry point shares: run, close in `finally`, stop cleanly on SIGTERM/SIGINT,
// and exit non-zero with one clear line on a fatal error.
export async function runMain(
  name: string,
  main: (shutdown: AbortSignal) => Promise<void>,
): Promise<void> {
  const controller = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => controller.abort(signal)
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    await main(controller.signal)
  } catch (error) {
    process.stderr.write(`${name}: ${oneLine(error)}\n`)
    process.exitCode = 1
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0] ?? message
}

export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
