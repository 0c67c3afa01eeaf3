-- Installations of the app: one row per installation id, kept after uninstall as a tombstone so
-- that a late or replayed install cannot bring an uninstalled installation back.
CREATE TABLE installations (
  installation_id uuid PRIMARY KEY,
  account_id      text NOT NULL CHECK (account_id ~ '^[0-9]+$'),
  access_token    text,
  status          text NOT NULL CHECK (status IN ('active', 'uninstalled')),
  installed_at    timestamptz,
  uninstalled_at  timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (status = 'uninstalled' OR access_token IS NOT NULL)
);
CREATE INDEX installations_account_idx ON installations (account_id, status);

-- The processed-events ledger: dedup that outlives Temporal's retention. A run claims its event
-- id; completion is written in the same transaction as the run's last side effect.
CREATE TABLE processed_events (
  event_id     text PRIMARY KEY,
  event        text NOT NULL,
  account_id   text NOT NULL,
  status       text NOT NULL CHECK (status IN ('claimed', 'completed')),
  run_id       text NOT NULL,
  claimed_at   timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  result       jsonb
);
CREATE INDEX processed_events_completed_idx ON processed_events (completed_at);

-- posting.sent_to_publish events recorded for an active installation.
CREATE TABLE posting_publications (
  event_id        text PRIMARY KEY,
  account_id      text NOT NULL,
  installation_id uuid NOT NULL REFERENCES installations (installation_id),
  posting_id      text NOT NULL,
  service_id      text NOT NULL,
  occurred_at     timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX posting_publications_account_idx ON posting_publications (account_id);

-- Events of types this receiver has no workflow for yet: kept, so that nothing is lost.
CREATE TABLE unhandled_events (
  event_id    text PRIMARY KEY,
  event       text NOT NULL,
  account_id  text NOT NULL,
  data        jsonb NOT NULL,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
