// What openStore() (scompler-webhooks/store) hands to the user, and createWorker takes back: the
// database and the token cipher, opaque to the user.
import type { Database } from './database'
import type { TokenCipher } from './token-cipher'

export interface Store {
  readonly db: Database
  readonly tokens: TokenCipher
  close(): Promise<void>
}
