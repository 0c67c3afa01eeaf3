// The production compose file hands each process only the secrets it uses, rotation's previous
// ones included, and an unset previous secret means none (not a startup error).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { loadConfig, loadSecrets } from '../../src/config'

const ROOT = path.resolve(__dirname, '../..')

interface Service {
  secrets?: string[]
  environment?: Record<string, string>
}
interface Compose {
  services: Record<string, Service>
  secrets: Record<string, { file: string }>
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as Compose
const { api, worker } = compose.services as { api: Service; worker: Service }

/** The file a secret comes from when .env sets nothing: `${VAR:-default}` resolved. */
function defaultFile(secret: string): string {
  const file = compose.secrets[secret]?.file ?? ''
  return path.join(ROOT, /^\$\{\w+:-(.+)\}$/.exec(file)?.[1] ?? file)
}

it('gives the API both app secrets and no token key', () => {
  expect(api.secrets).toEqual(['scompler_app_secret', 'scompler_app_secret_previous'])
  expect(api.environment).toMatchObject({
    SCOMPLER_APP_SECRET_FILE: '/run/secrets/scompler_app_secret',
    SCOMPLER_APP_SECRET_PREVIOUS_FILE: '/run/secrets/scompler_app_secret_previous',
  })
  expect(Object.keys(api.environment ?? {}).filter((name) => name.startsWith('TOKEN_'))).toEqual([])
})

it('gives the worker both token keys and not the previous app secret', () => {
  expect(worker.secrets).toEqual(
    expect.arrayContaining(['token_encryption_key', 'token_encryption_key_previous']),
  )
  expect(worker.secrets).not.toContain('scompler_app_secret_previous')
  expect(worker.environment).toMatchObject({
    TOKEN_ENCRYPTION_KEY_FILE: '/run/secrets/token_encryption_key',
    TOKEN_ENCRYPTION_KEY_PREVIOUS_FILE: '/run/secrets/token_encryption_key_previous',
  })
  expect(worker.environment).not.toHaveProperty('SCOMPLER_APP_SECRET_PREVIOUS_FILE')
})

it('reads an unset previous secret or key as none, and a set one as given', () => {
  expect(compose.secrets.scompler_app_secret_previous?.file).toBe(
    '${SCOMPLER_APP_SECRET_PREVIOUS_PATH:-./deploy/unset-secret}',
  )
  expect(compose.secrets.token_encryption_key_previous?.file).toBe(
    '${TOKEN_ENCRYPTION_KEY_PREVIOUS_PATH:-./deploy/unset-secret}',
  )
  const unsetSecret = defaultFile('scompler_app_secret_previous')
  const unsetKey = defaultFile('token_encryption_key_previous')
  expect(readFileSync(unsetSecret, 'utf8')).toBe('')
  const secrets = loadSecrets({
    SCOMPLER_APP_SECRET: 'current',
    SCOMPLER_APP_SECRET_PREVIOUS_FILE: unsetSecret,
  })
  expect(secrets.previous).toBeUndefined()
  const config = loadConfig({
    TOKEN_ENCRYPTION_KEY: '5c'.repeat(32),
    TOKEN_ENCRYPTION_KEY_PREVIOUS_FILE: unsetKey,
  })
  expect(config.tokenKeys?.previous).toBeUndefined()
  expect(config.tokenKeys?.current).toHaveLength(32)
})
