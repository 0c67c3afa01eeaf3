// The shape every entry point shares: load, build, run; close what was opened, in reverse order,
// whatever happens; stop cleanly on SIGTERM/SIGINT; exit non-zero with one clear line on a fatal
// error.
export interface MainContext {
  /** Aborted on SIGINT or SIGTERM. */
  shutdown: AbortSignal
  /** Registers a close step; steps run in reverse order once main ends, even when it throws. */
  defer(this: void, close: () => unknown): void
}

export async function runMain(
  name: string,
  main: (context: MainContext) => Promise<void>,
): Promise<void> {
  const controller = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => controller.abort(signal)
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const closers: Array<() => unknown> = []
  try {
    await main({ shutdown: controller.signal, defer: (close) => closers.push(close) })
  } catch (error) {
    process.stderr.write(`${name}: ${oneLine(error)}\n`)
    process.exitCode = 1
  } finally {
    for (const close of closers.reverse()) {
      try {
        await close()
      } catch (error) {
        process.stderr.write(`${name}: while stopping: ${oneLine(error)}\n`)
      }
    }
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
