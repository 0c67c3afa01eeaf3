// Only the four entry points are public: a deep import does not resolve (see consumer.ts).
// @ts-expect-error the package's internals are not exported
import type { Database } from 'scompler-webhooks/dist/src/store/database'

export type Internal = Database
