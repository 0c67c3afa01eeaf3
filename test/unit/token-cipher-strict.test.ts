// The token cipher accepts only what it wrote: full 16-byte GCM tags, and (with a key configured)
// no plaintext, which prepareTokenCipher encrypted at worker start.
import { createTokenCipher, TokenDecryptionError } from '../../src/store/token-cipher'

const key = 'b2'.repeat(32)
const tokens = createTokenCipher({ current: Buffer.from(key, 'hex') })

/** Replaces the tag (5th field) of a stored token. */
function withTag(stored: string, tag: (bytes: Buffer) => Buffer): string {
  const parts = stored.split(':')
  parts[4] = tag(Buffer.from(parts[4]!, 'base64url')).toString('base64url')
  return parts.join(':')
}

it('refuses a truncated GCM tag, however short', () => {
  const stored = tokens.encrypt('secret-token', 'inst-1')
  expect(Buffer.from(stored.split(':')[4]!, 'base64url')).toHaveLength(16)
  for (const length of [4, 8, 12, 15]) {
    const truncated = withTag(stored, (tag) => tag.subarray(0, length))
    expect(() => tokens.decrypt(truncated, 'inst-1')).toThrow(TokenDecryptionError)
  }
  expect(tokens.decrypt(stored, 'inst-1')).toBe('secret-token')
})

it('refuses an over-long tag', () => {
  const stored = tokens.encrypt('secret-token', 'inst-1')
  const longer = withTag(stored, (tag) => Buffer.concat([tag, Buffer.alloc(1)]))
  expect(() => tokens.decrypt(longer, 'inst-1')).toThrow(TokenDecryptionError)
})

it('with a key configured, refuses a plaintext token without showing it', () => {
  let error: unknown
  try {
    tokens.decrypt('plain-secret-token', 'inst-1')
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(TokenDecryptionError)
  expect(String(error)).toMatch(/unencrypted/)
  expect(String(error)).not.toContain('plain-secret-token')
})

it('without a key, reads plaintext and refuses a ciphertext', () => {
  const plain = createTokenCipher(undefined)
  expect(plain.decrypt('plain-token', 'inst-1')).toBe('plain-token')
  expect(() => plain.decrypt(tokens.encrypt('t', 'inst-1'), 'inst-1')).toThrow(TokenDecryptionError)
})
