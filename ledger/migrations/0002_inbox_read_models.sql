-- Channel notification inbox, merchants and receivers, and the orders read model.

-- One row per verified channel notification, keyed by the channel's event identity, so a duplicate delivery
-- is recognised. Only a digest of the decrypted resource is kept: the plaintext may hold personal data.
CREATE TABLE inbox (
    channel     text        NOT NULL,
    event_id    text        NOT NULL,
    event_type  text        NOT NULL,
    digest      bytea       NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, event_id)
);

CREATE TABLE merchants (
    id           text        PRIMARY KEY,            -- SplitPay's merchant id
    channel      text        NOT NULL,
    sub_mchid    text,                                -- the channel's sub-merchant id, once onboarded
    status       text        NOT NULL CHECK (status IN ('onboarding', 'active', 'suspended')),
    display_name text        NOT NULL,                -- the shop's public name; no personal data
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, sub_mchid)
);

CREATE TABLE receivers (
    id             text        PRIMARY KEY,
    channel        text        NOT NULL,
    type           text        NOT NULL CHECK (type IN ('MERCHANT_ID', 'PERSONAL_OPENID')),
    account        text        NOT NULL,              -- sub_mchid/mchid, or the person's openid (an opaque id)
    relation       text        NOT NULL,              -- SUPPLIER | DISTRIBUTOR | PLATFORM | ...
    name_masked    text        NOT NULL,              -- e.g. '张*' — never the full name of a person
    status         text        NOT NULL CHECK (status IN ('active', 'removed')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, type, account)
);

-- What backend services list orders from without asking Temporal. Workflows write it through activities; a
-- write carries the workflow's revision, and an older revision never overwrites a newer one.
CREATE TABLE orders (
    order_no        text        PRIMARY KEY,
    channel         text        NOT NULL,
    status          text        NOT NULL,
    total_amount    bigint      NOT NULL CHECK (total_amount >= 0),
    paid_amount     bigint      NOT NULL DEFAULT 0,
    refunded_amount bigint      NOT NULL DEFAULT 0,
    merchant_ids    text[]      NOT NULL DEFAULT '{}',
    revision        bigint      NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    paid_at         timestamptz,
    completed_at    timestamptz
);
CREATE INDEX orders_status ON orders (status, created_at);
