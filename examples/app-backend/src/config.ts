// The example's settings, read once from the environment by its two entry points.
export interface Config {
  databaseUrl: string
  secret: string
  /** AES-256 key for the stored access tokens (32 bytes, base64 or hex); unset = unencrypted. */
  tokenEncryptionKey?: string
  temporalAddress: string
  namespace: string
  taskQueue: string
  port: number
  /** The service the posting handler publishes to (in a real app: the one the posting names). */
  publisherUrl: string
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]
  if (!value) throw new Error(`${name} is required`)
  return value
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    databaseUrl: required(env, 'DATABASE_URL'),
    secret: required(env, 'SCOMPLER_APP_SECRET'),
    tokenEncryptionKey: env.TOKEN_ENCRYPTION_KEY || undefined,
    temporalAddress: env.TEMPORAL_ADDRESS ?? 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'scompler-webhooks',
    port: Number(env.PORT ?? 4000),
    publisherUrl: required(env, 'PUBLISHER_URL'),
  }
}
