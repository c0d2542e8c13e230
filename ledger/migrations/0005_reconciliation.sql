-- Reconciliation (对账): a run per channel and business day (China time), the day's bill lines staged, the totals
-- per merchant, and every discrepancy with both sides' data. The ledger itself is never edited: a repair is a
-- normal posting, made by the process that owns the event.

CREATE TABLE recon_runs (
    id          bigserial   PRIMARY KEY,
    channel     text        NOT NULL,
    day         date        NOT NULL,
    status      text        NOT NULL DEFAULT 'RUNNING', -- RUNNING | BALANCED | DISCREPANCIES
    lines       bigint      NOT NULL DEFAULT 0,         -- bill lines read
    events      bigint      NOT NULL DEFAULT 0,         -- money events they make (a share's receivers are one)
    matched     bigint      NOT NULL DEFAULT 0,         -- events the ledger holds alike
    fees        bigint      NOT NULL DEFAULT 0,         -- the channel's fees on the day's lines, fen
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    UNIQUE (channel, day)                               -- a day is reconciled once; a rerun replaces its report
);

-- The staged bills: one row per bill line, keyed as the ledger keys postings (<channel>:<kind>:<event id>).
CREATE TABLE recon_lines (
    run_id      bigint NOT NULL REFERENCES recon_runs (id),
    bill        text   NOT NULL,
    line        int    NOT NULL,
    kind        text   NOT NULL,
    posting_key text   NOT NULL,
    trade_key   text   NOT NULL, -- the payment's posting key a refund or share belongs to ('' when unknown)
    out_no      text   NOT NULL,
    sub_mchid   text   NOT NULL,
    amount      bigint NOT NULL,
    fee         bigint NOT NULL,
    status      text   NOT NULL,
    at          text   NOT NULL,
    PRIMARY KEY (run_id, bill, line)
);
CREATE INDEX recon_lines_key ON recon_lines (posting_key);

-- What each merchant's matched events moved, by kind.
CREATE TABLE recon_totals (
    run_id   bigint NOT NULL REFERENCES recon_runs (id),
    merchant text   NOT NULL,
    kind     text   NOT NULL,
    events   bigint NOT NULL,
    amount   bigint NOT NULL,
    PRIMARY KEY (run_id, merchant, kind)
);

CREATE TABLE recon_discrepancies (
    id             bigserial   PRIMARY KEY,
    run_id         bigint      NOT NULL REFERENCES recon_runs (id),
    posting_key    text        NOT NULL,
    class          text        NOT NULL, -- missing_in_ledger | missing_at_channel | amount_differs | status_differs
    kind           text        NOT NULL,
    out_no         text        NOT NULL DEFAULT '',
    sub_mchid      text        NOT NULL DEFAULT '',
    order_no       text        NOT NULL DEFAULT '',
    channel_amount bigint,
    ledger_amount  bigint,
    channel_status text        NOT NULL DEFAULT '',
    state          text        NOT NULL DEFAULT 'OPEN', -- OPEN | EXPECTED | REPAIRED | MATCHED_LATER | RESOLVED
    note           text        NOT NULL DEFAULT '',
    resolved_by    text,
    resolved_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    checked_at     timestamptz NOT NULL DEFAULT now(), -- the last match that found it: an item keeps its id
    UNIQUE (run_id, posting_key)
);
CREATE INDEX recon_discrepancies_open ON recon_discrepancies (state) WHERE state IN ('OPEN', 'EXPECTED');
