-- A notification is acknowledged once the inbox holds it with the signal it becomes; the API's relay sends that
-- signal, and sends again whatever is still undelivered after a while (a process that died between the two, or
-- Temporal unavailable). The payload is the workflow's notice: numbers and states, no personal data.
ALTER TABLE inbox ADD COLUMN workflow_id text;
ALTER TABLE inbox ADD COLUMN signal text;
ALTER TABLE inbox ADD COLUMN payload jsonb;
CREATE INDEX inbox_undelivered ON inbox (received_at) WHERE delivered_at IS NULL AND workflow_id IS NOT NULL;
