-- Risk controls (package risk). The rule document is versioned: each PUT adds a version, the newest applies.
CREATE TABLE risk_rules (
    version    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    doc        jsonb       NOT NULL,
    updated_by text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- What each merchant has taken today (Asia/Shanghai), under 'total' and under each channel: the rows are locked
-- while an order is judged, so two orders racing for the last of a cap cannot both pass.
CREATE TABLE risk_counters (
    merchant_id text   NOT NULL,
    scope       text   NOT NULL,  -- total | wechatpay | alipay
    day         date   NOT NULL,
    amount      bigint NOT NULL DEFAULT 0 CHECK (amount >= 0),
    orders      bigint NOT NULL DEFAULT 0 CHECK (orders >= 0),
    PRIMARY KEY (merchant_id, scope, day)
);

-- Orders by payer, client IP and device, for velocity windows; the value is kept only as its SHA-256.
CREATE TABLE risk_velocity (
    kind     text        NOT NULL,  -- payer | ip | device
    digest   bytea       NOT NULL,
    order_no text        NOT NULL,
    at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, digest, order_no)
);
CREATE INDEX risk_velocity_window ON risk_velocity (kind, digest, at);

-- Each order's decision to let it through (a refusal counts nothing and is only audited), once: a retried
-- evaluation answers it again and counts nothing twice. reserved is what the order counts against the caps,
-- given back once (released_at) when it closes unpaid or is rejected.
CREATE TABLE risk_decisions (
    order_no      text        PRIMARY KEY,
    outcome       text        NOT NULL CHECK (outcome IN ('PASS', 'REVIEW')),
    rule          text        NOT NULL DEFAULT '',
    reason        text        NOT NULL DEFAULT '',
    rules_version bigint      NOT NULL,
    day           date        NOT NULL,
    reserved      jsonb       NOT NULL DEFAULT '[]',
    alerts        text[]      NOT NULL DEFAULT '{}',
    decided_at    timestamptz NOT NULL DEFAULT now(),
    released_at   timestamptz
);
