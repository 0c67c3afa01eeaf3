import { KeyedGate, Semaphore, StoreBusyError } from '../../src/store/limiter'

const wait = { timeoutMs: 200, what: 'test' }

describe('the store limiter', () => {
  it('grants up to its slots, then in order as they free up', async () => {
    const semaphore = new Semaphore(2)
    const first = await semaphore.acquire(wait)
    await semaphore.acquire(wait)
    const order: number[] = []
    const third = semaphore.acquire({ ...wait, timeoutMs: 5000 }).then((release) => {
      order.push(3)
      return release
    })
    const fourth = semaphore.acquire({ ...wait, timeoutMs: 5000 }).then(() => order.push(4))
    first()
    first() // a second release of the same grant changes nothing
    ;(await third)()
    await fourth
    expect(order).toEqual([3, 4])
  })

  it('gives up after its bound with a retryable StoreBusyError, and on abort at once', async () => {
    const semaphore = new Semaphore(1)
    const held = await semaphore.acquire(wait)
    const started = Date.now()
    await expect(semaphore.acquire(wait)).rejects.toBeInstanceOf(StoreBusyError)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    const controller = new AbortController()
    const aborted = semaphore.acquire({ ...wait, timeoutMs: 5000, signal: controller.signal })
    controller.abort(new Error('cancelled'))
    await expect(aborted).rejects.toThrow('cancelled')
    expect(semaphore.busy).toBe(1)
    held()
    expect(semaphore.busy).toBe(0)
  })

  it('lets one holder per key through, other keys at once, and forgets idle keys', async () => {
    const gate = new KeyedGate()
    const a = await gate.acquire('a', wait)
    await expect(gate.acquire('a', wait)).rejects.toBeInstanceOf(StoreBusyError)
    const b = await gate.acquire('b', wait)
    const nextA = gate.acquire('a', { ...wait, timeoutMs: 5000 })
    a()
    ;(await nextA)()
    b()
    expect((gate as unknown as { gates: Map<string, unknown> }).gates.size).toBe(0)
  })
})
