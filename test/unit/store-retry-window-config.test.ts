import { ConfigError, loadConfig } from '../../src/config'

const DAY = 24 * 3600_000

describe('STORE_RETRY_WINDOW', () => {
  it('defaults to the retention setup registers minus a day: WEBHOOK_MAX_AGE in whole days', () => {
    expect(loadConfig({}).storeRetryWindowMs).toBe(3 * DAY) // 72h: retention 4 days
    expect(loadConfig({ WEBHOOK_MAX_AGE: '25h' }).storeRetryWindowMs).toBe(2 * DAY) // retention 3d
    expect(loadConfig({ WEBHOOK_MAX_AGE: '10m' }).storeRetryWindowMs).toBe(DAY) // retention 2d
  })

  it('takes a duration, as WEBHOOK_MAX_AGE does', () => {
    expect(loadConfig({ STORE_RETRY_WINDOW: '10s' }).storeRetryWindowMs).toBe(10_000)
    expect(loadConfig({ STORE_RETRY_WINDOW: '90' }).storeRetryWindowMs).toBe(90_000)
    expect(() => loadConfig({ STORE_RETRY_WINDOW: 'soon' })).toThrow(ConfigError)
    expect(() => loadConfig({ STORE_RETRY_WINDOW: 'soon' })).toThrow(/^STORE_RETRY_WINDOW /)
  })
})
