// The embedded store's lock file, between real processes: exactly one of several racing openers
// wins and the others get the clear error; a lock file left behind naming a pid that now belongs
// to another live process (pid reuse after a container restart) does not block.
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openDatabase } from '../../src/store/database'
import { acquireFileLock, LockedError, lockOwner } from '../../src/store/file-lock'
import { storeLockPath } from '../../src/store/pglite'

const ROOT = path.resolve(__dirname, '../..')
const FILE_LOCK = path.join(ROOT, 'src/store/file-lock.ts')
const DATABASE = path.join(ROOT, 'src/store/database.ts')

interface Outcome {
  won: boolean
  pid: number
  error?: string
}

/**
 * Runs `body` (JavaScript, with `lock`, `database` and `target` in scope) in a fresh Node process
 * at `startAt` (epoch ms), so that racers start together; prints its outcome as JSON.
 */
function racer(startAt: number, target: string, body: string, holdMs: number): Promise<Outcome> {
  const script = `
    const lock = require(${JSON.stringify(FILE_LOCK)})
    const database = require(${JSON.stringify(DATABASE)})
    const target = ${JSON.stringify(target)}
    ;(async () => {
      while (Date.now() < ${startAt}) await new Promise((r) => setTimeout(r, Math.min(5, ${startAt} - Date.now())))
      let release
      try {
        release = await (async () => { ${body} })()
      } catch (error) {
        process.stdout.write(JSON.stringify({ won: false, pid: process.pid, error: error.name + ': ' + error.message }))
        return
      }
      process.stdout.write(JSON.stringify({ won: true, pid: process.pid }))
      await new Promise((r) => setTimeout(r, ${holdMs}))
      await release()
    })()`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.on('error', reject)
    child.on('exit', () => {
      try {
        resolve(JSON.parse(out) as Outcome)
      } catch {
        reject(new Error(`racer printed ${JSON.stringify(out)}; stderr: ${err.slice(-2000)}`))
      }
    })
  })
}

describe('the embedded store lock', () => {
  it('lets exactly one of several racing processes take the lock file', async () => {
    const lockPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'lock-race-')), 'store.lock')
    for (let round = 0; round < 3; round++) {
      // A lock file left by a process that is gone, as after a crash: the old code's takeover path.
      writeFileSync(lockPath, round === 0 ? '' : '999999999')
      const startAt = Date.now() + 12_000
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () =>
          racer(
            startAt,
            lockPath,
            "const l = lock.acquireFileLock(target, 'the embedded store'); return () => l.release()",
            2500,
          ),
        ),
      )
      const winners = outcomes.filter((o) => o.won)
      expect(winners).toHaveLength(1)
      for (const loser of outcomes.filter((o) => !o.won)) {
        expect(loser.error).toBe(
          `LockedError: the embedded store is already open in process ${winners[0]!.pid} ` +
            `(lock file ${lockPath}); stop that process, or set DATABASE_URL to share a PostgreSQL database`,
        )
      }
    }
  }, 240_000)

  it('lets exactly one of two processes racing to open the same DATA_DIR open it', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'store-race-'))
    const startAt = Date.now() + 15_000
    const outcomes = await Promise.all(
      [1, 2].map(() =>
        racer(
          startAt,
          dataDir,
          'const db = await database.openDatabase({ databaseUrl: undefined, dataDir: target }); return () => db.close()',
          1000,
        ),
      ),
    )
    const winners = outcomes.filter((o) => o.won)
    expect(winners).toHaveLength(1)
    expect(outcomes.find((o) => !o.won)?.error).toMatch(
      new RegExp(`^LockedError: the embedded store is already open in process ${winners[0]!.pid} `),
    )
    // Released when the winner closed: the store opens again.
    const db = await openDatabase({ databaseUrl: undefined, dataDir })
    await db.close()
  }, 240_000)

  it('is not blocked by a lock file naming a live process that does not hold it (pid reuse)', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'store-pid-reuse-'))
    const unrelated = spawn('sleep', ['60'], { stdio: 'ignore' })
    try {
      // The pid written by an earlier container now belongs to another, live process.
      writeFileSync(storeLockPath(path.join(dataDir, 'store')), String(unrelated.pid))
      expect(lockOwner(storeLockPath(path.join(dataDir, 'store')))).toBeUndefined()
      const db = await openDatabase({ databaseUrl: undefined, dataDir })
      try {
        expect(lockOwner(storeLockPath(path.join(dataDir, 'store')))).toBe(process.pid)
      } finally {
        await db.close()
      }
    } finally {
      unrelated.kill()
    }
  }, 120_000)

  it('tells the CLI which process holds the lock, and nothing once it is gone', async () => {
    const lockPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'lock-owner-')), 'store.lock')
    expect(lockOwner(lockPath)).toBeUndefined()
    const holder = racer(
      Date.now(),
      lockPath,
      "const l = lock.acquireFileLock(target, 'the embedded store'); return () => l.release()",
      6000,
    )
    let owner: number | undefined
    for (let i = 0; i < 200 && owner === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      owner = lockOwner(lockPath)
    }
    const outcome = await holder
    expect(outcome.won).toBe(true)
    expect(owner).toBe(outcome.pid)
    expect(lockOwner(lockPath)).toBeUndefined()
    // In this process, a second opener of the same file is refused too.
    const first = acquireFileLock(lockPath, 'the embedded store')
    try {
      expect(() => acquireFileLock(lockPath, 'the embedded store')).toThrow(LockedError)
    } finally {
      first.release()
    }
    acquireFileLock(lockPath, 'the embedded store').release()
  }, 120_000)
})
