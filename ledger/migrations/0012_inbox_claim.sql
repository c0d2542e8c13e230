-- The relay's sweep claims what it sends again: a claimed notification is passed over by every sweep, in any API
-- process, until resend_at. So each undelivered notification is signalled once per period, not once per process.
ALTER TABLE inbox ADD COLUMN resend_at timestamptz;
