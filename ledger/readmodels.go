package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/splitpay/splitpay/mask"
	"github.com/splitpay/splitpay/money"
)

// Merchant statuses: a merchant sells only when active.
const (
	MerchantOnboarding = "onboarding"
	MerchantActive     = "active"
	MerchantSuspended  = "suspended"
)

// Merchant is a shop as SplitPay knows it at one channel: a shop selling on two channels has two.
type Merchant struct {
	ID            string
	Channel       string
	SubMchID      string // the shop's id at the channel: WeChat Pay's sub_mchid, Alipay's smid
	SettleAccount string // Alipay: the Alipay user id its money settles to (frozen there for sharing)
	Status        string
	DisplayName   string
}

// ErrNotFound: no such merchant, receiver or order.
var ErrNotFound = errors.New("ledger: not found")

// ErrTaken: a value that must be unique (a sub-merchant id) already belongs to another record.
var ErrTaken = errors.New("ledger: already taken")

// UpsertMerchant creates the merchant or updates its channel id, status and name.
func (l *Ledger) UpsertMerchant(ctx context.Context, m Merchant) error {
	if err := first(required("ID", m.ID), required("Channel", m.Channel), required("DisplayName", m.DisplayName)); err != nil {
		return err
	}
	switch m.Status {
	case MerchantOnboarding, MerchantActive, MerchantSuspended:
	default:
		return &ValidationError{"Status", "one of onboarding, active, suspended"}
	}
	if m.Status == MerchantActive && m.SubMchID == "" {
		return &ValidationError{"SubMchID", "an active merchant needs its channel sub-merchant id"}
	}
	_, err := l.db.Exec(ctx, `
		INSERT INTO merchants (id, channel, sub_mchid, settle_account, status, display_name)
		VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), $5, $6)
		ON CONFLICT (id, channel) DO UPDATE SET sub_mchid = EXCLUDED.sub_mchid,
			settle_account = EXCLUDED.settle_account, status = EXCLUDED.status,
			display_name = EXCLUDED.display_name, updated_at = now()`,
		m.ID, m.Channel, m.SubMchID, m.SettleAccount, m.Status, m.DisplayName)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation
		return fmt.Errorf("%w: %s sub-merchant %s belongs to another merchant", ErrTaken, m.Channel, m.SubMchID)
	}
	return err
}

// GetMerchant returns the merchant at a channel, or ErrNotFound.
func (l *Ledger) GetMerchant(ctx context.Context, channel, id string) (Merchant, error) {
	var m Merchant
	err := l.db.QueryRow(ctx, `
		SELECT id, channel, coalesce(sub_mchid, ''), coalesce(settle_account, ''), status, display_name
		FROM merchants WHERE id = $1 AND channel = $2`, id, channel).
		Scan(&m.ID, &m.Channel, &m.SubMchID, &m.SettleAccount, &m.Status, &m.DisplayName)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// Receiver types and statuses.
const (
	ReceiverMerchant = "MERCHANT_ID"
	ReceiverPersonal = "PERSONAL_OPENID"
	ReceiverActive   = "active"
	ReceiverRemoved  = "removed"
)

// Receiver is a profit-sharing receiver: a supplier (merchant) or a distributor (person).
type Receiver struct {
	ID       string
	Channel  string
	Type     string // ReceiverMerchant | ReceiverPersonal
	Account  string
	Relation string
	Name     string // on write: the full name, which is masked before storage; on read: the masked name
	Status   string
	// Generation counts the receiver's registrations at its channel: 1, then one more for each registration
	// after a removal.
	Generation int
}

// UpsertReceiver registers the receiver (or updates it), storing the name masked.
func (l *Ledger) UpsertReceiver(ctx context.Context, r Receiver) error {
	if err := first(required("ID", r.ID), required("Channel", r.Channel), required("Account", r.Account),
		required("Relation", r.Relation), required("Name", r.Name)); err != nil {
		return err
	}
	if r.Type != ReceiverMerchant && r.Type != ReceiverPersonal {
		return &ValidationError{"Type", "MERCHANT_ID or PERSONAL_OPENID"}
	}
	if r.Status == "" {
		r.Status = ReceiverActive
	}
	if r.Status != ReceiverActive && r.Status != ReceiverRemoved {
		return &ValidationError{"Status", "active or removed"}
	}
	_, err := l.db.Exec(ctx, `
		INSERT INTO receivers (id, channel, type, account, relation, name_masked, status, generation)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id, channel) DO UPDATE SET relation = EXCLUDED.relation, name_masked = EXCLUDED.name_masked,
			status = EXCLUDED.status, generation = EXCLUDED.generation, updated_at = now()`,
		r.ID, r.Channel, r.Type, r.Account, r.Relation, mask.Name(r.Name), r.Status, max(r.Generation, 1))
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation: (channel, type, account)
		return fmt.Errorf("%w: %s %s %s is another receiver's account", ErrTaken, r.Channel, r.Type, r.Account)
	}
	return err
}

// GetReceiver returns the receiver's account at a channel (name masked), or ErrNotFound.
func (l *Ledger) GetReceiver(ctx context.Context, channel, id string) (Receiver, error) {
	var r Receiver
	err := l.db.QueryRow(ctx, `
		SELECT id, channel, type, account, relation, name_masked, status, generation FROM receivers
		WHERE id = $1 AND channel = $2`, id, channel).
		Scan(&r.ID, &r.Channel, &r.Type, &r.Account, &r.Relation, &r.Name, &r.Status, &r.Generation)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// OrderView is the orders read model's row.
type OrderView struct {
	OrderNo        string
	Channel        string
	Status         string
	TotalAmount    money.Amount
	PaidAmount     money.Amount
	RefundedAmount money.Amount
	MerchantIDs    []string
	Revision       int64 // the writer's monotonic revision; older ones never overwrite newer
	CreatedAt      time.Time
	UpdatedAt      time.Time
	PaidAt         *time.Time
	CompletedAt    *time.Time
}

// SaveOrder writes the order's view unless a newer revision is already stored (an activity retried late
// must not roll the view back). It reports whether this write took effect.
func (l *Ledger) SaveOrder(ctx context.Context, o OrderView) (bool, error) {
	if err := first(required("OrderNo", o.OrderNo), required("Channel", o.Channel), required("Status", o.Status)); err != nil {
		return false, err
	}
	if o.TotalAmount < 0 || o.PaidAmount < 0 || o.RefundedAmount < 0 {
		return false, &ValidationError{"Amount", "amounts must not be negative"}
	}
	if o.MerchantIDs == nil {
		o.MerchantIDs = []string{}
	}
	tag, err := l.db.Exec(ctx, `
		INSERT INTO orders (order_no, channel, status, total_amount, paid_amount, refunded_amount, merchant_ids, revision, paid_at, completed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (order_no) DO UPDATE SET status = EXCLUDED.status, total_amount = EXCLUDED.total_amount,
			paid_amount = EXCLUDED.paid_amount, refunded_amount = EXCLUDED.refunded_amount,
			merchant_ids = EXCLUDED.merchant_ids, revision = EXCLUDED.revision, updated_at = now(),
			paid_at = coalesce(EXCLUDED.paid_at, orders.paid_at), completed_at = coalesce(EXCLUDED.completed_at, orders.completed_at)
		WHERE orders.revision < EXCLUDED.revision`,
		o.OrderNo, o.Channel, o.Status, int64(o.TotalAmount), int64(o.PaidAmount), int64(o.RefundedAmount),
		o.MerchantIDs, o.Revision, o.PaidAt, o.CompletedAt)
	return err == nil && tag.RowsAffected() == 1, err
}

const orderColumns = `order_no, channel, status, total_amount, paid_amount, refunded_amount, merchant_ids, revision,
	created_at, updated_at, paid_at, completed_at`

func scanOrder(row pgx.Row) (OrderView, error) {
	var o OrderView
	var total, paid, refunded int64
	err := row.Scan(&o.OrderNo, &o.Channel, &o.Status, &total, &paid, &refunded, &o.MerchantIDs, &o.Revision,
		&o.CreatedAt, &o.UpdatedAt, &o.PaidAt, &o.CompletedAt)
	o.TotalAmount, o.PaidAmount, o.RefundedAmount = money.Amount(total), money.Amount(paid), money.Amount(refunded)
	return o, err
}

// GetOrder returns the order's view or ErrNotFound.
func (l *Ledger) GetOrder(ctx context.Context, orderNo string) (OrderView, error) {
	o, err := scanOrder(l.db.QueryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE order_no = $1`, orderNo))
	if errors.Is(err, pgx.ErrNoRows) {
		return o, ErrNotFound
	}
	return o, err
}

// ListOrders lists orders, newest first, optionally of one status; after is the last order_no of the
// previous page ("" for the first). limit is capped at 500.
func (l *Ledger) ListOrders(ctx context.Context, status, after string, limit int) ([]OrderView, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	rows, err := l.db.Query(ctx, `SELECT `+orderColumns+` FROM orders
		WHERE ($1 = '' OR status = $1)
		  AND ($2 = '' OR (created_at, order_no) < (SELECT created_at, order_no FROM orders WHERE order_no = $2))
		ORDER BY created_at DESC, order_no DESC LIMIT $3`, status, after, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OrderView, error) { return scanOrder(r) })
}

// OpenMerchantAccounts creates a merchant's ledger accounts at a channel (frozen, available, withdrawn, receivable) at zero,
// so statements and balances show the merchant before its first posting. Repeating it changes nothing.
func (l *Ledger) OpenMerchantAccounts(ctx context.Context, channel, merchantID string) error {
	if err := first(required("Channel", channel), required("MerchantID", merchantID)); err != nil {
		return err
	}
	batch := &pgx.Batch{}
	for _, a := range []Account{
		MerchantFrozen(channel, merchantID), MerchantAvailable(channel, merchantID),
		MerchantWithdrawn(channel, merchantID), MerchantReceivable(merchantID),
	} {
		queueOpen(batch, a)
	}
	return l.db.SendBatch(ctx, batch).Close()
}

// SettlementSeen records the (masked) settlement account a merchant's withdrawal is about to go to, and answers
// when it was last seen to change: nil when it never has (the first one seen is the baseline).
func (l *Ledger) SettlementSeen(ctx context.Context, channel, merchantID, masked string) (*time.Time, error) {
	var changed *time.Time
	err := l.db.QueryRow(ctx, `UPDATE merchants SET
		settlement_changed_at = CASE WHEN settlement_seen IS DISTINCT FROM $3 AND settlement_seen IS NOT NULL
			THEN now() ELSE settlement_changed_at END,
		settlement_seen = $3
		WHERE channel = $1 AND id = $2 RETURNING settlement_changed_at`, channel, merchantID, masked).Scan(&changed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("ledger: merchant %s on %s: %w", merchantID, channel, ErrNotFound)
	}
	return changed, err
}
