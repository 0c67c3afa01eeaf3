// Ledger pruning, on a schedule in every worker process. Completed entries are kept at least
// WEBHOOK_MAX_AGE (DESIGN.md): past it the API refuses the event as stale, so no redelivery can
// need them. A day's margin covers clock skew and the 5 minutes an event may come from the future.
// Idempotent, so any number of workers may run it.
import type { Logger } from '../shared/logger'
import type { Database } from '../store/database'
import { pruneLedger } from '../store/ledger'

const DAY_MS = 24 * 60 * 60 * 1000
const PRUNE_EVERY_MS = 60 * 60 * 1000

export function ledgerKeepMs(maxAgeMs: number): number {
  return maxAgeMs + DAY_MS
}

/**
 * Prunes once now, then every `everyMs`; a round still running is not started again. `stop()` ends
 * the schedule and resolves once a round in flight is done (before the store closes).
 */
export function startLedgerPruning(options: {
  db: Database
  keepMs: number
  logger: Logger
  everyMs?: number
}): { stop(): Promise<void> } {
  let running: Promise<void> | undefined
  const prune = async () => {
    try {
      const pruned = await pruneLedger(options.db, new Date(Date.now() - options.keepMs))
      if (pruned > 0) options.logger.info({ pruned }, 'ledger entries pruned')
    } catch (error) {
      // The next round tries again; a store outage is reported by the activities themselves.
      options.logger.warn({ err: error }, 'ledger pruning failed')
    }
  }
  const round = () => {
    running ??= prune().finally(() => (running = undefined))
  }
  round()
  const timer = setInterval(round, options.everyMs ?? PRUNE_EVERY_MS)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
