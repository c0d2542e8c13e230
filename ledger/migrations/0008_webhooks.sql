-- Signed outbound events (package webhooks). Subscribers name a URL and the event types they want; every event
-- is kept once (its id comes from the business key), and each (subscription, event) is one delivery, run by a
-- WebhookDelivery workflow.
CREATE TABLE webhook_subscriptions (
    id          text        PRIMARY KEY,
    url         text        NOT NULL,
    event_types text[]      NOT NULL,   -- e.g. {order.paid, refund.succeeded}, or {*}
    secret      text        NOT NULL,   -- the HMAC-SHA256 key the subscriber verifies with
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz
);

CREATE TABLE webhook_events (
    id         text        PRIMARY KEY,  -- e.g. order.paid:T1001: the same fact is the same event
    type       text        NOT NULL,
    subject    text        NOT NULL,     -- the order, merchant, withdrawal or day it is about
    data       jsonb       NOT NULL,     -- ids, statuses and amounts; never personal data
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    subscription_id text        NOT NULL REFERENCES webhook_subscriptions (id),
    event_id        text        NOT NULL REFERENCES webhook_events (id),
    state           text        NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'DELIVERED', 'DEAD', 'CANCELLED')),
    attempts        int         NOT NULL DEFAULT 0,
    last_status     int,
    last_error      text        NOT NULL DEFAULT '',
    delivered_at    timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_state ON webhook_deliveries (state, updated_at);
