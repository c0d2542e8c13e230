-- API keys with scopes and rate limits, made and revoked through the API (scope admin). The keys of
-- SPLITPAY_API_KEYS are not here: they are the operator's bootstrap keys, with every scope.
CREATE TABLE api_keys (
    id              text        PRIMARY KEY,
    digest          bytea       NOT NULL UNIQUE,  -- SHA-256 of the secret; the secret itself is never stored
    scopes          text[]      NOT NULL,
    rate_per_second numeric     NOT NULL CHECK (rate_per_second > 0),
    burst           int         NOT NULL CHECK (burst > 0),
    note            text        NOT NULL DEFAULT '',
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);

-- The audit trail: every command the API takes (before it runs) and its answer, every ops action, and (issue
-- 18's risk controls) every risk decision. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE. It holds
-- ids, amounts and ops' words, never personal data.
CREATE TABLE audit_log (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    request_id text        NOT NULL,             -- joins a command's row to its answer's
    actor      text        NOT NULL,             -- key:<id>, or the system
    action     text        NOT NULL,             -- e.g. "POST /v1/orders/{order_no}/resume"
    subject    text        NOT NULL DEFAULT '',  -- what it acts on: order_no[/sub n], merchant id, …
    detail     jsonb       NOT NULL DEFAULT '{}',
    status     int                               -- the answer's HTTP status; NULL on the command's own row
);
CREATE INDEX audit_log_subject ON audit_log (subject, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);

-- The ledger's own append-only guard (0001), here for statements too.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
