-- Money sits at a channel: a merchant's WeChat Pay funds and its Alipay funds are different money, each
-- matched against that channel's own books. Accounts holding money at a channel name it; a merchant and a
-- receiver have one identity per channel.

ALTER TABLE accounts ADD COLUMN channel text NOT NULL DEFAULT '';
UPDATE accounts SET channel = 'wechatpay', key = key || ':wechatpay'
WHERE (owner_kind = 'merchant' AND bucket IN ('frozen', 'available', 'withdrawn'))
   OR (owner_kind IN ('receiver', 'platform') AND bucket = 'commission');

-- A merchant row is the shop at one channel: its id there (WeChat sub_mchid, Alipay smid), its Alipay
-- settlement account, and whether it is active there.
ALTER TABLE merchants DROP CONSTRAINT merchants_pkey;
ALTER TABLE merchants ADD PRIMARY KEY (id, channel);
ALTER TABLE merchants ADD COLUMN settle_account text;

-- A receiver row is the party's account at one channel; generation counts its registrations there (a new one
-- after a removal is a new request at the channel).
ALTER TABLE receivers DROP CONSTRAINT receivers_pkey;
ALTER TABLE receivers ADD PRIMARY KEY (id, channel);
ALTER TABLE receivers ADD COLUMN generation int NOT NULL DEFAULT 1 CHECK (generation >= 1);
