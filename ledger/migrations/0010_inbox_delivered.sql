-- When a notification's signal reached its workflow: a channel's retry of a notification already delivered is
-- acknowledged without a second signal (a Temporal action, and a history event, saved per duplicate).
ALTER TABLE inbox ADD COLUMN delivered_at timestamptz;
