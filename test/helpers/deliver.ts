import { delivery, type WireEvent } from './events'

export interface Answer {
  event: WireEvent
  /** 0 when the connection failed without an answer. */
  status: number
  body?: { status?: string; error?: string }
  /** Why there was no answer. */
  failure?: string
}

/** POSTs a genuine delivery of `event`; a lost connection is an answer of status 0. */
export async function deliver(webhookUrl: string, event: WireEvent): Promise<Answer> {
  const { body, headers } = delivery(event)
  try {
    const res = await fetch(webhookUrl, { method: 'POST', body, headers })
    return { event, status: res.status, body: (await res.json()) as Answer['body'] }
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    return { event, status: 0, failure: cause?.code ?? cause?.message ?? String(error) }
  }
}

/** Runs `fn` over `items`, at most `concurrency` at a time, keeping the order of results. */
export async function mapConcurrently<T, R>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane))
  return results
}
