import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs'

/** Another live process holds the lock. */
export class LockedError extends Error {
  override name = 'LockedError'
}

/**
 * An exclusive lock file holding the owner's pid. A lock left by a process that no longer runs
 * (a crash, a SIGKILL) is taken over.
 */
export function acquireFileLock(lockPath: string, what: string): { release(): void } {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return { release: () => rmSync(lockPath, { force: true }) }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = Number(readFileSync(lockPath, 'utf8').trim())
      if (isAlive(owner)) {
        throw new LockedError(
          `${what} is already open in process ${owner} (lock file ${lockPath}); ` +
            'stop that process, or set DATABASE_URL to share a PostgreSQL database',
        )
      }
      rmSync(lockPath, { force: true })
    }
  }
  throw new LockedError(`could not take the lock file ${lockPath}`)
}

/** The pid holding the lock, if that process still runs. */
export function lockOwner(lockPath: string): number | undefined {
  let owner: number
  try {
    owner = Number(readFileSync(lockPath, 'utf8').trim())
  } catch {
    return undefined
  }
  return isAlive(owner) ? owner : undefined
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
