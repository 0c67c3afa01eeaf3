// The limits read at startup: the body limit stays below Temporal's payload limit, the bound on
// unverified bodies, and the optional second listener.
import { ConfigError, loadConfig } from '../../src/config'
import { MAX_WEBHOOK_BODY_BYTES } from '../../src/shared/webhook-limits'

const MiB = 1024 * 1024

describe('WEBHOOK_MAX_BODY_BYTES', () => {
  it('is refused above 1.5 MiB, with one line naming the variable and not its value', () => {
    const attempt = () => loadConfig({ WEBHOOK_MAX_BODY_BYTES: String(2 * MiB) })
    expect(attempt).toThrow(ConfigError)
    expect(attempt).toThrow(/^WEBHOOK_MAX_BODY_BYTES must be at most 1572864 \(1\.5 MiB\)/)
    expect(attempt).not.toThrow(String(2 * MiB))
    expect(attempt).not.toThrow(/\n/)
    expect(() => loadConfig({ WEBHOOK_MAX_BODY_BYTES: String(1.5 * MiB + 1) })).toThrow(ConfigError)
  })

  it('is accepted up to 1.5 MiB', () => {
    expect(MAX_WEBHOOK_BODY_BYTES).toBe(1.5 * MiB)
    const config = loadConfig({ WEBHOOK_MAX_BODY_BYTES: String(1.5 * MiB) })
    expect(config.webhook.maxBodyBytes).toBe(1.5 * MiB)
  })
})

describe('the bound on unverified bodies', () => {
  it('defaults to 32 bodies of the largest size and 64 requests', () => {
    expect(loadConfig({}).unverified).toEqual({ maxBytes: 32 * MiB, maxRequests: 64 })
    expect(loadConfig({ WEBHOOK_MAX_BODY_BYTES: '65536' }).unverified).toEqual({
      maxBytes: 32 * 65536,
      maxRequests: 64,
    })
  })

  it('reads WEBHOOK_UNVERIFIED_MAX_BYTES and WEBHOOK_UNVERIFIED_MAX_CONNS', () => {
    const config = loadConfig({
      WEBHOOK_UNVERIFIED_MAX_BYTES: String(8 * MiB),
      WEBHOOK_UNVERIFIED_MAX_CONNS: '16',
    })
    expect(config.unverified).toEqual({ maxBytes: 8 * MiB, maxRequests: 16 })
  })

  it.each([
    ['WEBHOOK_UNVERIFIED_MAX_BYTES', '0'],
    ['WEBHOOK_UNVERIFIED_MAX_BYTES', 'lots'],
    ['WEBHOOK_UNVERIFIED_MAX_BYTES', '1000'],
    ['WEBHOOK_UNVERIFIED_MAX_CONNS', '-1'],
  ])('stops on an invalid %s=%s, naming it but not its value', (name, value) => {
    const attempt = () => loadConfig({ [name]: value })
    expect(attempt).toThrow(ConfigError)
    expect(attempt).toThrow(new RegExp(`^${name}`))
    expect(attempt).not.toThrow(new RegExp(`\\b${value}\\b`))
  })
})

describe('OPS_PORT', () => {
  it('is unset by default: /readyz and /metrics stay on the webhook listener', () => {
    expect(loadConfig({}).ops).toBeUndefined()
  })

  it('opens a second listener, on HOST unless OPS_HOST is set', () => {
    expect(loadConfig({ OPS_PORT: '9100', HOST: '10.0.0.5' }).ops).toEqual({
      port: 9100,
      host: '10.0.0.5',
    })
    expect(loadConfig({ OPS_PORT: '9100', OPS_HOST: '127.0.0.1' }).ops).toEqual({
      port: 9100,
      host: '127.0.0.1',
    })
  })

  it.each([
    ['OPS_PORT', 'abc', /^OPS_PORT must be/],
    ['OPS_PORT', '70000', /^OPS_PORT must be a port number/],
    ['OPS_PORT', '3000', /^OPS_PORT must differ from PORT$/],
  ])('stops on %s=%s', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message)
  })
})
