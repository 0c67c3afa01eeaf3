// Configuration is read and validated once, here, into a typed object that entry points pass
// down. Errors name the variable, never its value.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { loadClientConnectConfig } from '@temporalio/envconfig'
import { durationMillis } from './shared/duration'
import type { NativeConnectionOptions } from '@temporalio/worker'
import { DEFAULT_TASK_QUEUE } from './domain'
import {
  DEFAULT_MAX_AGE,
  DEFAULT_MAX_BODY_BYTES,
  defaultUnverifiedLimits,
  MAX_WEBHOOK_BODY_BYTES,
  type UnverifiedLimits,
} from './shared/webhook-limits'

export type Env = Record<string, string | undefined>

export interface StoreLimits {
  /** Connections in the pool, and so store work in flight (DATABASE_POOL_SIZE). */
  poolSize: number
  /** Longest wait for a connection, or for an account's turn (DATABASE_ACQUIRE_TIMEOUT). */
  acquireTimeoutMs: number
  /** Longest statement (DATABASE_STATEMENT_TIMEOUT). */
  statementTimeoutMs: number
  /** Longest wait for a row or table lock (DATABASE_LOCK_TIMEOUT). */
  lockTimeoutMs: number
  /** Longest idle time inside an open transaction (DATABASE_IDLE_IN_TRANSACTION_TIMEOUT). */
  idleInTransactionTimeoutMs: number
}

/**
 * Store bounds when unset. An attempt that waits its turn (5 s), then for a lock (5 s), fails
 * retryably within the activities' 15 s start-to-close; Temporal retries it later with backoff.
 */
export const DEFAULT_STORE_LIMITS: StoreLimits = {
  poolSize: 10,
  acquireTimeoutMs: 5000,
  statementTimeoutMs: 10_000,
  lockTimeoutMs: 5000,
  idleInTransactionTimeoutMs: 10_000,
}

/** The app secret, and the previous one during a rotation (what the verifier takes). */
export interface AppSecrets {
  current: string
  previous?: string
}

/** 32-byte AES keys for access tokens (what the token cipher takes). */
export interface TokenKeys {
  current: Buffer
  previous?: Buffer
}

/** A missing or invalid setting: a startup error, printed as one line. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

export interface TemporalConfig {
  /** Set when TEMPORAL_ADDRESS (or a profile) names a server; otherwise `npm start` embeds one. */
  addressConfigured: boolean
  namespace: string
  taskQueue: string
  connection: NativeConnectionOptions & { address: string }
}

export interface Config {
  http: { port: number; host: string }
  /** OPS_PORT: a second listener for /readyz and /metrics (the webhook one then answers 404). */
  ops: { port: number; host: string } | undefined
  temporal: TemporalConfig
  /** Unset: the embedded PGlite store under DATA_DIR. */
  databaseUrl: string | undefined
  dataDir: string
  /**
   * Bounds on PostgreSQL store work (the worker, npm start with DATABASE_URL):
   * DATABASE_POOL_SIZE (10) connections, and so transactions in flight per process;
   * DATABASE_ACQUIRE_TIMEOUT (5s) the longest wait for one, or for an account's earlier work;
   * DATABASE_STATEMENT_TIMEOUT (10s), DATABASE_LOCK_TIMEOUT (5s) and
   * DATABASE_IDLE_IN_TRANSACTION_TIMEOUT (10s), set on every connection. An attempt past a bound
   * fails retryably and Temporal retries it with backoff. Durations as WEBHOOK_MAX_AGE.
   */
  storeLimits: StoreLimits
  webhook: { maxBodyBytes: number; maxAgeMs: number }
  /**
   * STORE_RETRY_WINDOW: how long a run retries its store work (the store activities'
   * scheduleToClose, given in the run's start input). Default: the namespace retention that
   * `npm run setup` registers (WEBHOOK_MAX_AGE rounded up to days, plus a day) minus a one-day
   * margin, so store work is retried for as long as the run's history lives (3 days for 72h).
   */
  storeRetryWindowMs: number
  /** The bound on bodies being read before their signature is checked (src/http/unverified.ts). */
  unverified: UnverifiedLimits
  logLevel: string
  workerHealthPort: number
  temporalCliPath: string | undefined
  /** A workflow bundle built ahead of time (the container image); else bundled at start. */
  workflowBundlePath: string | undefined
  /** HOOKS_MODULE: handlers (default export) and deleteRelatedData (worker, `npm start`). */
  hooksModule: string | undefined
  /** The Temporal Web UI, for links to runs (the CLI). */
  temporalUiUrl: string
  /** Unset: access tokens are stored as they are (a warning at startup). */
  tokenKeys: TokenKeys | undefined
  /**
   * On when an OTLP endpoint is set (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or _ENDPOINT), unless
   * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none; the OpenTelemetry SDK reads the rest.
   */
  tracing: boolean
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export function loadConfig(env: Env): Config {
  const http = { port: port(env, 'PORT', 3000), host: env.HOST || '0.0.0.0' }
  const maxBodyBytes = webhookMaxBodyBytes(env)
  return {
    http,
    ops: opsListener(env, http),
    temporal: loadTemporalConfig(env),
    databaseUrl: fromEnvOrFile(env, 'DATABASE_URL'),
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    storeLimits: loadStoreLimits(env),
    webhook: {
      maxBodyBytes,
      maxAgeMs: duration(env, 'WEBHOOK_MAX_AGE', DEFAULT_MAX_AGE),
    },
    storeRetryWindowMs: storeRetryWindow(env),
    unverified: unverifiedLimits(env, maxBodyBytes),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    workerHealthPort: port(env, 'WORKER_HEALTH_PORT', 3001),
    temporalCliPath: env.TEMPORAL_CLI_PATH || undefined,
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH || undefined,
    hooksModule: existingFile(env, 'HOOKS_MODULE'),
    temporalUiUrl: httpUrl(env, 'TEMPORAL_UI_URL', 'http://localhost:8233'),
    tokenKeys: loadTokenKeys(env),
    tracing: tracingEnabled(env),
  }
}

/** Unset: /readyz and /metrics stay on the webhook listener. */
function opsListener(env: Env, http: Config['http']): Config['ops'] {
  if (!env.OPS_PORT) return undefined
  const ops = { port: port(env, 'OPS_PORT', 0), host: env.OPS_HOST || http.host }
  if (ops.port === http.port) throw new ConfigError('OPS_PORT must differ from PORT')
  return ops
}

function webhookMaxBodyBytes(env: Env): number {
  const bytes = positiveInt(env, 'WEBHOOK_MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES)
  if (bytes > MAX_WEBHOOK_BODY_BYTES) {
    throw new ConfigError(
      `WEBHOOK_MAX_BODY_BYTES must be at most ${MAX_WEBHOOK_BODY_BYTES} (1.5 MiB): Temporal refuses workflow inputs over 2 MiB`,
    )
  }
  return bytes
}

function unverifiedLimits(env: Env, maxBodyBytes: number): UnverifiedLimits {
  const defaults = defaultUnverifiedLimits(maxBodyBytes)
  const maxBytes = positiveInt(env, 'WEBHOOK_UNVERIFIED_MAX_BYTES', defaults.maxBytes)
  if (maxBytes < maxBodyBytes) {
    throw new ConfigError('WEBHOOK_UNVERIFIED_MAX_BYTES must be at least WEBHOOK_MAX_BODY_BYTES')
  }
  return {
    maxBytes,
    maxRequests: positiveInt(env, 'WEBHOOK_UNVERIFIED_MAX_CONNS', defaults.maxRequests),
  }
}

function loadStoreLimits(env: Env): StoreLimits {
  const defaults = DEFAULT_STORE_LIMITS
  const ms = (name: string, fallback: number) => duration(env, name, `${fallback}ms`)
  return {
    poolSize: positiveInt(env, 'DATABASE_POOL_SIZE', defaults.poolSize),
    acquireTimeoutMs: ms('DATABASE_ACQUIRE_TIMEOUT', defaults.acquireTimeoutMs),
    statementTimeoutMs: ms('DATABASE_STATEMENT_TIMEOUT', defaults.statementTimeoutMs),
    lockTimeoutMs: ms('DATABASE_LOCK_TIMEOUT', defaults.lockTimeoutMs),
    idleInTransactionTimeoutMs: ms(
      'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT',
      defaults.idleInTransactionTimeoutMs,
    ),
  }
}

function tracingEnabled(env: Env): boolean {
  const traces = url(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
  const base = url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT')
  return (
    (traces ?? base) !== undefined &&
    env.OTEL_SDK_DISABLED?.toLowerCase() !== 'true' &&
    env.OTEL_TRACES_EXPORTER?.toLowerCase() !== 'none'
  )
}

/** 32-byte AES keys, as 64 hex characters or base64. */
function loadTokenKeys(env: Env): TokenKeys | undefined {
  const current = fromEnvOrFile(env, 'TOKEN_ENCRYPTION_KEY')
  const previous = fromEnvOrFile(env, 'TOKEN_ENCRYPTION_KEY_PREVIOUS')
  if (!current) {
    if (previous) throw new ConfigError('TOKEN_ENCRYPTION_KEY_PREVIOUS needs TOKEN_ENCRYPTION_KEY')
    return undefined
  }
  const keys: TokenKeys = { current: aesKey(current, 'TOKEN_ENCRYPTION_KEY') }
  if (previous) keys.previous = aesKey(previous, 'TOKEN_ENCRYPTION_KEY_PREVIOUS')
  return keys
}

export function aesKey(raw: string, name: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64')
  if (key.length !== 32) {
    throw new ConfigError(`${name} must be 32 bytes, as 64 hex characters or base64`)
  }
  return key
}

/** The app secret (and the previous one during a rotation); only the API needs them. */
export function loadSecrets(env: Env): AppSecrets {
  const current = fromEnvOrFile(env, 'SCOMPLER_APP_SECRET')
  if (!current) {
    throw new ConfigError('SCOMPLER_APP_SECRET (or SCOMPLER_APP_SECRET_FILE) is required')
  }
  const previous = fromEnvOrFile(env, 'SCOMPLER_APP_SECRET_PREVIOUS')
  return previous ? { current, previous } : { current }
}

function loadTemporalConfig(env: Env): TemporalConfig {
  let profile
  try {
    profile = loadClientConnectConfig({ overrideEnvVars: definedOnly(env) })
  } catch (error) {
    throw new ConfigError(`Temporal client configuration is invalid: ${(error as Error).message}`)
  }
  const { address, ...rest } = profile.connectionOptions
  return {
    addressConfigured: Boolean(address),
    namespace: profile.namespace || 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    connection: { ...rest, address: address || 'localhost:7233' },
  }
}

/** `NAME`, else the trimmed contents of the file named by `NAME_FILE`. */
function fromEnvOrFile(env: Env, name: string): string | undefined {
  if (env[name]) return env[name]
  const file = env[`${name}_FILE`]
  if (!file) return undefined
  try {
    return readFileSync(file, 'utf8').trim() || undefined
  } catch {
    throw new ConfigError(`${name}_FILE names a file that cannot be read`)
  }
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name]
  if (!raw) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigError(`${name} must be a positive integer`)
  }
  return Number(raw)
}

function url(env: Env, name: string): string | undefined {
  const raw = env[name]
  if (!raw) return undefined
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw new ConfigError(`${name} must be an http(s) URL`)
  }
  return raw
}

function port(env: Env, name: string, fallback: number): number {
  const value = env[name] ? positiveInt(env, name, fallback) : fallback
  if (value > 65535) throw new ConfigError(`${name} must be a port number (1-65535)`)
  return value
}

const DAY_MS = 24 * 3600_000

function storeRetryWindow(env: Env): number {
  const retentionMs =
    Math.ceil(duration(env, 'WEBHOOK_MAX_AGE', DEFAULT_MAX_AGE) / DAY_MS) * DAY_MS + DAY_MS
  return duration(env, 'STORE_RETRY_WINDOW', `${(retentionMs - DAY_MS) / 1000}`)
}

function duration(env: Env, name: string, fallback: string): number {
  const millis = parseDuration(env[name] || fallback)
  if (millis === undefined) {
    throw new ConfigError(`${name} must be a duration such as 72h, 30m or 3600 (seconds)`)
  }
  return millis
}

/**
 * "72h", "30m", "1.5d" (the notation Temporal's own durations use), or a number of seconds; in
 * milliseconds. Undefined unless it is a positive duration. The one duration notation of the
 * variables and the CLI.
 */
export function parseDuration(raw: string): number | undefined {
  const millis = /^\d+$/.test(raw) ? Number(raw) * 1000 : durationMillis(raw)
  return Number.isFinite(millis) && millis > 0 ? millis : undefined
}

function oneOf(env: Env, name: string, allowed: string[], fallback: string): string {
  const raw = env[name] || fallback
  if (!allowed.includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}`)
  return raw
}

function existingFile(env: Env, name: string): string | undefined {
  if (!env[name]) return undefined
  const file = path.resolve(env[name])
  if (!existsSync(file)) throw new ConfigError(`${name} names a file that does not exist`)
  return file
}

function httpUrl(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw new ConfigError(`${name} must be an http(s) URL`)
  }
  return raw.replace(/\/+$/, '')
}

function definedOnly(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
}
