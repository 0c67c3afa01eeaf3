import type { Logger } from '../shared/logger'
import { createTokenCipher, type TokenCipher, type TokenKeys } from './token-cipher'
import type { Queryable } from './database'
import { reencryptTokens } from './installations'

/** The cipher for access tokens; brings stored tokens under the current key first. */
export async function prepareTokenCipher(
  db: Queryable,
  keys: TokenKeys | undefined,
  logger: Logger,
): Promise<TokenCipher> {
  const tokens = createTokenCipher(keys)
  if (!tokens.encrypting) {
    logger.warn('TOKEN_ENCRYPTION_KEY is unset: access tokens are stored unencrypted')
    return tokens
  }
  const { reencrypted, unreadable } = await reencryptTokens(db, tokens)
  if (reencrypted > 0)
    logger.info({ reencrypted }, 'access tokens re-encrypted under the current key')
  if (unreadable > 0) {
    logger.warn(
      { unreadable },
      'access tokens under a key that is not configured were left as they are',
    )
  }
  return tokens
}
