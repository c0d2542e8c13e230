-- The HTTP API's Idempotency-Key store: the first answer to a (caller, key) is kept and replayed to repeats
-- with the same request; a repeat with another request is refused. Only answers below 500 are kept, so a
-- request that met an outage can be retried under its key.
CREATE TABLE idempotency_keys (
    principal    text        NOT NULL,   -- which API key asked (a digest, never the key)
    key          text        NOT NULL,
    request_hash bytea       NOT NULL,   -- method, path and body
    status       int         NOT NULL,
    body         bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);
