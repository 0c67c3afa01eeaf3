import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ConfigError, loadConfig, loadSecrets } from '../../src/config'

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({})
    expect(config.http).toEqual({ port: 3000, host: '0.0.0.0' })
    expect(config.temporal).toMatchObject({
      addressConfigured: false,
      namespace: 'default',
      taskQueue: 'scompler-webhooks',
      connection: { address: 'localhost:7233' },
    })
    expect(config.databaseUrl).toBeUndefined()
    expect(config.dataDir).toBe(path.resolve('.data'))
    expect(config.webhook).toEqual({ maxBodyBytes: 1_048_576, maxAgeMs: 72 * 3600_000 })
    expect(config.logLevel).toBe('info')
  })

  it('reads Temporal settings through envconfig', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'prod' })
    expect(config.temporal.addressConfigured).toBe(true)
    expect(config.temporal.connection.address).toBe('temporal:7233')
    expect(config.temporal.namespace).toBe('prod')
  })

  it('requires the app secret, naming the variable', () => {
    expect(() => loadSecrets({})).toThrow(
      new ConfigError('SCOMPLER_APP_SECRET (or SCOMPLER_APP_SECRET_FILE) is required'),
    )
  })

  it('reads secrets from _FILE variants, trimmed', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'config-'))
    writeFileSync(path.join(dir, 'secret'), '  from-file\n')
    writeFileSync(path.join(dir, 'previous'), 'old\n')
    expect(
      loadSecrets({
        SCOMPLER_APP_SECRET_FILE: path.join(dir, 'secret'),
        SCOMPLER_APP_SECRET_PREVIOUS_FILE: path.join(dir, 'previous'),
      }),
    ).toEqual({ current: 'from-file', previous: 'old' })
  })

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['WEBHOOK_MAX_BODY_BYTES', '-5'],
    ['WEBHOOK_MAX_AGE', 'forever'],
    ['LOG_LEVEL', 'loud'],
  ])('stops on an invalid %s, naming it but not its value', (name, value) => {
    const attempt = () => loadConfig({ [name]: value })
    expect(attempt).toThrow(ConfigError)
    expect(attempt).toThrow(new RegExp(`^${name}`))
    expect(attempt).not.toThrow(new RegExp(value))
  })

  it('never echoes an unreadable secret file path contents', () => {
    expect(() => loadSecrets({ SCOMPLER_APP_SECRET_FILE: '/nonexistent/secret' })).toThrow(
      'SCOMPLER_APP_SECRET_FILE names a file that cannot be read',
    )
  })

  it('reads WEBHOOK_MAX_AGE as a duration or as seconds', () => {
    expect(loadConfig({ WEBHOOK_MAX_AGE: '30m' }).webhook.maxAgeMs).toBe(1_800_000)
    expect(loadConfig({ WEBHOOK_MAX_AGE: '3600' }).webhook.maxAgeMs).toBe(3_600_000)
  })

  it('defaults the Web UI to localhost:8233 and refuses a URL that is not http(s)', () => {
    expect(loadConfig({}).temporalUiUrl).toBe('http://localhost:8233')
    expect(loadConfig({ TEMPORAL_UI_URL: 'https://ui.example/' }).temporalUiUrl).toBe(
      'https://ui.example',
    )
    expect(() => loadConfig({ TEMPORAL_UI_URL: 'ftp://x' })).toThrow(ConfigError)
  })

  it('refuses a HOOKS_MODULE that does not exist, naming the variable only', () => {
    expect(() => loadConfig({ HOOKS_MODULE: '/nonexistent/secret-path.js' })).toThrow(
      'HOOKS_MODULE names a file that does not exist',
    )
  })
})
