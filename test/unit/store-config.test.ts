import { ConfigError, loadConfig } from '../../src/config'

describe('store limits configuration', () => {
  it('defaults to a pool of 10 and timeouts that fit a 15 s activity attempt', () => {
    expect(loadConfig({}).storeLimits).toEqual({
      poolSize: 10,
      acquireTimeoutMs: 5000,
      statementTimeoutMs: 10_000,
      lockTimeoutMs: 5000,
      idleInTransactionTimeoutMs: 10_000,
    })
  })

  it('reads the pool size and the timeouts', () => {
    expect(
      loadConfig({
        DATABASE_POOL_SIZE: '25',
        DATABASE_ACQUIRE_TIMEOUT: '2s',
        DATABASE_STATEMENT_TIMEOUT: '30',
        DATABASE_LOCK_TIMEOUT: '500ms',
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT: '1m',
      }).storeLimits,
    ).toEqual({
      poolSize: 25,
      acquireTimeoutMs: 2000,
      statementTimeoutMs: 30_000,
      lockTimeoutMs: 500,
      idleInTransactionTimeoutMs: 60_000,
    })
  })

  it.each([
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_LOCK_TIMEOUT', 'soon'],
    ['DATABASE_STATEMENT_TIMEOUT', '-1'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(name)
  })
})
