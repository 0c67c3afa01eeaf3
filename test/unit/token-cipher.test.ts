import { ConfigError, loadConfig } from '../../src/config'
import { createTokenCipher } from '../../src/store/token-cipher'

const key = 'a1'.repeat(32)

describe('token keys from the environment', () => {
  it('reads a hex or base64 key, and the previous one', () => {
    const config = loadConfig({
      TOKEN_ENCRYPTION_KEY: key,
      TOKEN_ENCRYPTION_KEY_PREVIOUS: Buffer.alloc(32, 7).toString('base64'),
    })
    expect(config.tokenKeys?.current).toEqual(Buffer.from(key, 'hex'))
    expect(config.tokenKeys?.previous).toEqual(Buffer.alloc(32, 7))
  })

  it.each([
    [{ TOKEN_ENCRYPTION_KEY: 'too-short' }, /^TOKEN_ENCRYPTION_KEY must be 32 bytes/],
    [{ TOKEN_ENCRYPTION_KEY_PREVIOUS: key }, /needs TOKEN_ENCRYPTION_KEY$/],
  ])('refuses %j naming the variable, never its value', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(message)
  })
})

describe('the token cipher', () => {
  const tokens = createTokenCipher({ current: Buffer.from(key, 'hex') })

  it('round-trips, with a fresh IV each time', () => {
    const a = tokens.encrypt('secret-token', 'inst-1')
    expect(tokens.encrypt('secret-token', 'inst-1')).not.toBe(a)
    expect(tokens.decrypt(a, 'inst-1')).toBe('secret-token')
  })

  it('detects tampering', () => {
    const stored = tokens.encrypt('secret-token', 'inst-1')
    const tampered = stored.slice(0, -2) + (stored.endsWith('AA') ? 'AB' : 'AA')
    expect(() => tokens.decrypt(tampered, 'inst-1')).toThrow(/does not decrypt/)
  })
})
