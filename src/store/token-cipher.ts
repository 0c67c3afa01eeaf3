// Access tokens are encrypted at rest with AES-256-GCM. Each ciphertext names its key by an id
// derived from the key, so a rotation can decrypt older rows with TOKEN_ENCRYPTION_KEY_PREVIOUS
// and re-encrypt them. The installation id is bound in as associated data: a ciphertext copied
// to another row does not decrypt. Only full 16-byte GCM tags are accepted. With a key
// configured, a plaintext token is refused on read: prepareTokenCipher encrypted every stored one
// at worker start, so one found later was written around the app and is not used.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

export interface TokenKeys {
  current: Buffer
  previous?: Buffer
}

export interface TokenCipher {
  /** True when tokens are written encrypted (a key is configured). */
  readonly encrypting: boolean
  encrypt(token: string, installationId: string): string
  decrypt(stored: string, installationId: string): string
  /** True when `stored` is not under the current key (plaintext, or the previous key). */
  isStale(stored: string): boolean
}

/** A token cannot be read: its key is not configured, or it was tampered with. Names no secret. */
export class TokenDecryptionError extends Error {
  override name = 'TokenDecryptionError'
}

/** The failure type of a run whose token cannot be read (non-retryable, shown in the Web UI). */
export const TOKEN_UNREADABLE = 'TokenUnreadable'

const PREFIX = 'enc:v1'
const TAG_BYTES = 16

/** True when `stored` is a ciphertext written by a token cipher (under whatever key). */
export function isEncrypted(stored: string): boolean {
  return stored.startsWith(`${PREFIX}:`)
}

function keyId(key: Buffer): string {
  return createHash('sha256').update('scompler-token-key:').update(key).digest('hex').slice(0, 12)
}

/** Without keys, tokens are written as they are and only plaintext rows can be read. */
export function createTokenCipher(keys: TokenKeys | undefined): TokenCipher {
  const byId = new Map<string, Buffer>()
  for (const key of [keys?.current, keys?.previous]) if (key) byId.set(keyId(key), key)
  const currentId = keys ? keyId(keys.current) : undefined
  return {
    encrypting: keys !== undefined,
    encrypt(token, installationId) {
      if (!keys) return token
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', keys.current, iv)
      cipher.setAAD(Buffer.from(installationId.toLowerCase()))
      const data = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()])
      const parts = [iv, cipher.getAuthTag(), data].map((part) => part.toString('base64url'))
      return [PREFIX, currentId, ...parts].join(':')
    },
    decrypt(stored, installationId) {
      if (!isEncrypted(stored)) {
        if (!keys) return stored
        throw new TokenDecryptionError(
          `access token of installation ${installationId} is stored unencrypted although TOKEN_ENCRYPTION_KEY is set`,
        )
      }
      const [, , id = '', iv = '', tag = '', data = ''] = stored.split(':')
      const key = byId.get(id)
      if (!key) {
        throw new TokenDecryptionError(
          `access token is encrypted with key ${id}, which is neither TOKEN_ENCRYPTION_KEY nor TOKEN_ENCRYPTION_KEY_PREVIOUS`,
        )
      }
      try {
        const authTag = Buffer.from(tag, 'base64url')
        // A shorter tag would be accepted by GCM and weaken the authentication: refuse it.
        if (authTag.length !== TAG_BYTES) throw new Error('truncated tag')
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
          authTagLength: TAG_BYTES,
        })
        decipher.setAAD(Buffer.from(installationId.toLowerCase()))
        decipher.setAuthTag(authTag)
        const token = Buffer.concat([
          decipher.update(Buffer.from(data, 'base64url')),
          decipher.final(),
        ])
        return token.toString('utf8')
      } catch {
        throw new TokenDecryptionError(
          `access token of installation ${installationId} does not decrypt`,
        )
      }
    },
    isStale(stored) {
      return currentId !== undefined && !stored.startsWith(`${PREFIX}:${currentId}:`)
    },
  }
}
