// Bounded waiting for store work: a semaphore sized to the connection pool, and a gate per key (an
// account) so that one account's waiting work holds at most one connection. Waits end at a
// deadline (a retryable StoreBusyError) or when the caller's signal aborts (its reason is thrown).

/** The store had no room for this work within its wait bound: retryable, names no data. */
export class StoreBusyError extends Error {
  override name = 'StoreBusyError'
}

export interface WaitOptions {
  /** Give up waiting after this long (StoreBusyError). */
  timeoutMs: number
  /** Stop waiting at once when it aborts (its reason is thrown). */
  signal?: AbortSignal
  /** Called about every second while waiting, e.g. to heartbeat an activity. */
  onWait?: () => void
  /** What is waited for, for the error message. */
  what: string
}

export type Release = () => void

interface Waiter {
  grant: () => void
}

export class Semaphore {
  private held = 0
  private readonly queue: Waiter[] = []

  constructor(private readonly slots: number) {}

  /** Holders plus waiters: zero when nobody needs it. */
  get busy(): number {
    return this.held + this.queue.length
  }

  acquire(options: WaitOptions): Promise<Release> {
    options.signal?.throwIfAborted()
    if (this.held < this.slots && this.queue.length === 0) {
      this.held++
      return Promise.resolve(this.releaser())
    }
    return new Promise<Release>((resolve, reject) => {
      let ticker: NodeJS.Timeout | undefined
      const settle = () => {
        clearTimeout(timer)
        clearInterval(ticker)
        options.signal?.removeEventListener('abort', onAbort)
        const at = this.queue.indexOf(waiter)
        if (at >= 0) this.queue.splice(at, 1)
      }
      const waiter: Waiter = {
        grant: () => {
          settle()
          this.held++
          resolve(this.releaser())
        },
      }
      const onAbort = () => {
        settle()
        reject(abortReason(options.signal))
      }
      const timer = setTimeout(() => {
        settle()
        reject(new StoreBusyError(`${options.what}: still busy after ${options.timeoutMs} ms`))
      }, options.timeoutMs)
      if (options.onWait) ticker = setInterval(options.onWait, 1000)
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.queue.push(waiter)
    })
  }

  private releaser(): Release {
    let done = false
    return () => {
      if (done) return
      done = true
      this.held--
      this.queue[0]?.grant()
    }
  }
}

/** One holder at a time per key; idle keys are forgotten. */
export class KeyedGate {
  private readonly gates = new Map<string, Semaphore>()

  async acquire(key: string, options: WaitOptions): Promise<Release> {
    let gate = this.gates.get(key)
    if (!gate) this.gates.set(key, (gate = new Semaphore(1)))
    try {
      const release = await gate.acquire(options)
      return () => {
        release()
        this.forgetIfIdle(key, gate)
      }
    } catch (error) {
      this.forgetIfIdle(key, gate)
      throw error
    }
  }

  private forgetIfIdle(key: string, gate: Semaphore): void {
    if (gate.busy === 0 && this.gates.get(key) === gate) this.gates.delete(key)
  }
}

/** Why the signal aborted, as an Error (the activity's CancelledFailure when it is one). */
export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason
  return reason instanceof Error ? reason : new Error('the store work was cancelled')
}
