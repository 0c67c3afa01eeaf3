-- Handlers (issue #13): an event with a handler completes only after its handler succeeds. The
-- store's own step (the uninstall, the posting record) is applied once, in a transaction that
-- also writes its result here; a retry, a takeover by a later run or a replay finds it and goes
-- straight to the handler instead of applying the step again. Cleared when the event completes.
ALTER TABLE processed_events ADD COLUMN step_result jsonb;
