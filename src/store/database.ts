// One SQL schema, two drivers: PostgreSQL (DATABASE_URL) and embedded PGlite (DATA_DIR).
// Queries are written once against `Queryable`; only connection handling differs.
import path from 'node:path'
import { DEFAULT_STORE_LIMITS, type StoreLimits } from '../config'
import { migrate } from './migrate'
import { openPglite } from './pglite'
import { openPostgres } from './postgres'

export { DEFAULT_STORE_LIMITS, type StoreLimits }

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>
}

export interface TransactionOptions {
  /**
   * Work under the same key (an account) runs one transaction at a time in this process, and waits
   * for its turn without holding a connection: one account's locked rows take at most one.
   */
  key?: string
  /** Aborting rolls the transaction back and frees its connection at once (activity cancellation). */
  signal?: AbortSignal
  /** Called about every second while the work waits or runs (an activity's heartbeat). */
  onWait?: () => void
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite'
  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws, times out
   * or is aborted. Never waits for a connection longer than the store's acquire timeout.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>
  close(): Promise<void>
}

export interface StoreOptions {
  databaseUrl: string | undefined
  dataDir: string
  /** DEFAULT_STORE_LIMITS where unset. */
  storeLimits?: Partial<StoreLimits>
}

/** Opens the store and applies pending migrations. */
export async function openDatabase(options: StoreOptions): Promise<Database> {
  const db = options.databaseUrl
    ? openPostgres(options.databaseUrl, { ...DEFAULT_STORE_LIMITS, ...options.storeLimits })
    : await openPglite(path.join(options.dataDir, 'store'))
  try {
    await migrate(db)
  } catch (error) {
    await db.close()
    throw error
  }
  return db
}
