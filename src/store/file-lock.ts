// The embedded store's single-process guard: an exclusive lock that the operating system holds on
// an open file for as long as this process keeps it open. The kernel releases it when the process
// ends, however it ends (a crash, SIGKILL, a container restart), so a lock is never stale and no
// pid can be mistaken for its owner after a pid is reused; taking it is one atomic call, so two
// openers can never both win. The file's content (the owner's pid) is only for messages, and the
// file is never deleted: unlinking a lock file lets a waiter lock the old inode while a newcomer
// locks a new one.
//
// Node: a non-blocking fcntl open-file-description lock through fs-native-extensions (a prebuilt
// addon; flock on macOS, LockFileEx on Windows). Deno: Deno.FsFile.tryLockSync (flock). On Linux
// the two kinds of lock do not see each other: do not open one DATA_DIR from Node and Deno at once.
import { closeSync, constants, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import SOURCE_DIR from '../source-dir.cjs'

/** Another live process holds the lock. */
export class LockedError extends Error {
  override name = 'LockedError'
}

export interface FileLock {
  /** Gives the lock up (closing the file); the file stays. */
  release(): void
}

interface LockHandle {
  /** Non-blocking; false when another open file holds a conflicting lock. */
  tryLock(shared: boolean): boolean
  writeOwner(pid: number): void
  close(): void
}

/** Takes the lock at `lockPath` for this process, or throws LockedError naming its holder. */
export function acquireFileLock(lockPath: string, what: string): FileLock {
  const handle = openLockFile(lockPath)
  let locked: boolean
  try {
    locked = handle.tryLock(false)
  } catch (error) {
    handle.close()
    throw error
  }
  if (!locked) {
    handle.close()
    const owner = readOwner(lockPath)
    throw new LockedError(
      `${what} is already open in process ${owner ?? '(unknown)'} (lock file ${lockPath}); ` +
        'stop that process, or set DATABASE_URL to share a PostgreSQL database',
    )
  }
  handle.writeOwner(process.pid)
  let released = false
  return {
    release() {
      if (released) return
      released = true
      handle.close()
    },
  }
}

/**
 * The pid of the process holding the lock, if one holds it (0 when it has not written its pid
 * yet). Probes with a shared lock held for an instant.
 */
export function lockOwner(lockPath: string): number | undefined {
  let handle: LockHandle
  try {
    handle = openLockFile(lockPath, false)
  } catch {
    return undefined
  }
  try {
    if (handle.tryLock(true)) return undefined
  } finally {
    handle.close()
  }
  return readOwner(lockPath) ?? 0
}

/** The pid written in the file; a holder that has just locked may not have written it yet. */
function readOwner(lockPath: string): number | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const pid = Number(readFileSync(lockPath, 'utf8').split('\n')[0]?.trim())
      if (Number.isSafeInteger(pid) && pid > 0) return pid
    } catch {
      return undefined
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10)
  }
  return undefined
}

interface DenoFile {
  tryLockSync(exclusive?: boolean): boolean
  writeSync(data: Uint8Array): number
  truncateSync(length?: number): void
  seekSync(offset: number, whence: number): number
  close(): void
}
interface DenoRuntime {
  openSync(path: string, options: { read: boolean; write: boolean; create: boolean }): DenoFile
}

function openLockFile(lockPath: string, create = true): LockHandle {
  const deno = (globalThis as { Deno?: DenoRuntime }).Deno
  return deno ? openUnderDeno(deno, lockPath, create) : openUnderNode(lockPath, create)
}

function openUnderNode(lockPath: string, create: boolean): LockHandle {
  const locks = nativeLocks()
  const fd = openSync(lockPath, constants.O_RDWR | (create ? constants.O_CREAT : 0), 0o644)
  return {
    tryLock: (shared) => locks.tryLock(fd, { shared }),
    writeOwner(pid) {
      // Overwrite in place, then cut: a reader sees the new pid on the first line at all times.
      const line = `${pid}\n`
      writeSync(fd, line, 0)
      ftruncateSync(fd, Buffer.byteLength(line))
    },
    close: () => closeSync(fd),
  }
}

function openUnderDeno(deno: DenoRuntime, lockPath: string, create: boolean): LockHandle {
  const file = deno.openSync(lockPath, { read: true, write: true, create })
  return {
    tryLock: (shared) => file.tryLockSync(!shared),
    writeOwner(pid) {
      const line = new TextEncoder().encode(`${pid}\n`)
      file.seekSync(0, 0)
      file.writeSync(line)
      file.truncateSync(line.length)
    },
    close: () => file.close(),
  }
}

interface NativeLocks {
  tryLock(fd: number, options: { shared: boolean }): boolean
}

let loaded: NativeLocks | undefined
/** Loaded on first use, and only under Node: Deno cannot load this addon (it needs libuv). */
function nativeLocks(): NativeLocks {
  loaded ??= createRequire(path.join(SOURCE_DIR, 'store', 'file-lock.js'))(
    'fs-native-extensions',
  ) as NativeLocks
  return loaded
}
