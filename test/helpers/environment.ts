// What the global setup started, for each test file: one shared Temporal dev server and one
// prebuilt workflow bundle. PostgreSQL is the machine's (TEST_DATABASE_URL), one database a file.
export const TEST_NAMESPACE = 'default'

export interface TestEnvironment {
  temporalAddress: string
  bundlePath: string
  tmpDir: string
}

export function testEnvironment(): TestEnvironment {
  const raw = process.env.SCOMPLER_TEST_ENV
  if (!raw) throw new Error('SCOMPLER_TEST_ENV is unset: run the tests through jest (npm test)')
  return JSON.parse(raw) as TestEnvironment
}

/** An administrative connection to the shared PostgreSQL server (trust auth on this machine). */
export const ADMIN_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
