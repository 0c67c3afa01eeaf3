import type { Database } from './database'
import type { TokenCipher } from './token-cipher'

export interface Store {
  readonly db: Database
  readonly tokens: TokenCipher
  close(): Promise<void>
}
