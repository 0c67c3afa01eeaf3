// The one backoff loop: doubling delays up to a cap, until `fn` succeeds, an error is not worth
// another try, or the signal aborts (then the last error is thrown).
export interface RetryOptions {
  signal: AbortSignal
  initialDelayMs: number
  maxDelayMs: number
  /** False stops at once with this error. Every error is retried by default. */
  retryable?: (error: unknown) => boolean
  /** Called before each wait, e.g. to log. */
  onRetry?: (error: unknown, delayMs: number) => void
}

export async function retry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let delay = options.initialDelayMs; ; delay = Math.min(delay * 2, options.maxDelayMs)) {
    try {
      return await fn()
    } catch (error) {
      if (options.signal.aborted || options.retryable?.(error) === false) throw error
      options.onRetry?.(error, delay)
      await sleep(delay, options.signal)
      if (options.signal.aborted) throw error
    }
  }
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
  })
}

/** Aborts `fn` after `ms`, and answers then even if the abort is not honoured at once. */
export async function withTimeout<T>(
  ms: number,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`timed out after ${ms} ms`)
      controller.abort(error)
      reject(error)
    }, ms)
  })
  try {
    return await Promise.race([fn(controller.signal), expired])
  } finally {
    clearTimeout(timer)
  }
}
