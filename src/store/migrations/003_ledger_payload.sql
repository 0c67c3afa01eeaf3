-- "200 means durably accepted ... kept losslessly until its run completes, and can be replayed":
-- the ledger keeps the normalised event from its claim until its completion, so an event whose
-- run never completed can be replayed even after Temporal's retention has deleted the history.
-- A json column (not jsonb), for the reason given in 002: it keeps any text the sender's JSON
-- holds (NUL characters, unpaired surrogates). Dropped when the event completes. Rows claimed
-- before this migration have none.
ALTER TABLE processed_events ADD COLUMN payload json;
