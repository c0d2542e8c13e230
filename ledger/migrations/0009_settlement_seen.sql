-- The settlement account a merchant's withdrawals last went to, as the channel showed it (masked), and when a
-- withdrawal first saw it changed: a withdrawal soon after a change raises a risk alert.
ALTER TABLE merchants ADD COLUMN settlement_seen text;
ALTER TABLE merchants ADD COLUMN settlement_changed_at timestamptz;
