-- The double-entry ledger: accounts with maintained balances, immutable postings of balanced entries.

CREATE TABLE accounts (
    id           bigserial   PRIMARY KEY,
    key          text        NOT NULL UNIQUE,          -- stable name, e.g. 'merchant:m1:frozen'
    owner_kind   text        NOT NULL,                 -- platform | merchant | receiver | buyers | channel
    owner_id     text        NOT NULL,
    bucket       text        NOT NULL,                 -- frozen, available, commission, ...
    non_negative boolean     NOT NULL,                 -- money that really sits somewhere cannot go below zero
    balance      bigint      NOT NULL DEFAULT 0,       -- fen; kept equal to the sum of this account's entries
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT balance_not_below_zero CHECK (NOT non_negative OR balance >= 0)
);
CREATE INDEX accounts_owner ON accounts (owner_kind, owner_id);

CREATE TABLE postings (
    id              bigserial   PRIMARY KEY,
    idempotency_key text        NOT NULL UNIQUE,       -- from the external event: 'wechatpay:payment:<transaction_id>'
    kind            text        NOT NULL,
    order_no        text,                              -- combined order number, when the posting belongs to one
    sub_order_no    text,
    fingerprint     bytea       NOT NULL,              -- hash of kind and entries: a repeat must match it
    memo            text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX postings_order ON postings (order_no, sub_order_no) WHERE order_no IS NOT NULL;
CREATE INDEX postings_created ON postings (created_at);

CREATE TABLE entries (
    id         bigserial PRIMARY KEY,
    posting_id bigint    NOT NULL REFERENCES postings (id),
    account_id bigint    NOT NULL REFERENCES accounts (id),
    amount     bigint    NOT NULL CHECK (amount <> 0), -- fen; positive = debit to the account's holder
    UNIQUE (posting_id, account_id)
);
CREATE INDEX entries_account ON entries (account_id, posting_id);

-- Nothing is updated in place or deleted: corrections are new postings.
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger table % is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
