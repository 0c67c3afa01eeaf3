import { createTokenCipher } from '../../src/store/token-cipher'

/** The tests' access-token key (hex), also handed to worker processes as TOKEN_ENCRYPTION_KEY. */
export const TEST_TOKEN_KEY = '5c'.repeat(32)
export const TEST_TOKEN_KEYS = { current: Buffer.from(TEST_TOKEN_KEY, 'hex') }
export const TEST_TOKENS = createTokenCipher(TEST_TOKEN_KEYS)
