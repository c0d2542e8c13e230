// Package alisim is a wire-faithful simulator of Alipay's open-platform gateway for 直付通: POST /gateway.do takes
// RSA2-signed form requests (public-key or certificate mode), answers signed <method>_response JSON that
// smartwalle/alipay accepts unmodified, keeps each 二级商户's and receiver's money (unsettled, frozen, available),
// enforces the documented rules with their sub_codes, plays the buyer, and sends signed form notifications on
// Alipay's retry schedule. Faults come from channels/internal/simkit, as in wxsim.
package alisim

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/alipay/wire"
	"github.com/splitpay/splitpay/channels/internal/simkit"
	"github.com/splitpay/splitpay/money"
)

// RetrySchedule is Alipay's documented notification retry schedule after the first attempt (≈25 h in all).
var RetrySchedule = []time.Duration{4 * time.Minute, 10 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour,
	6 * time.Hour, 15 * time.Hour}

// Common are the failures every simulator injects (system errors, rate limits, delays, and lost, duplicated
// or reordered notifications); the name lets callers outside channels/ set them.
type Common = simkit.Faults

// Faults are the injected failures: the common ones, plus Alipay's own.
type Faults struct {
	Common
	HTTP5xxRate map[string]float64 // method → rate of a bare 502 with no Alipay answer
	StuckSettle bool               // order.settle legs stay PROCESSING
}

// Sim is the simulator; create it with New. It is safe for concurrent use.
type Sim struct {
	AppID string
	Keys  Keys
	*simkit.Kit

	limits channels.Limits
	mu     sync.Mutex
	offset time.Duration
	faults Faults
	cert   bool // certificate mode: answers carry alipay_cert_sn, requests must name app and root certs
	auto   bool // open unknown sub-merchants on first use

	merchants map[string]*account // smid → its settlement account
	accounts  map[string]*account // receiver account (userId or loginName) → balance
	relations map[string]bool     // receiver accounts bound to the platform
	trades    map[string]*trade   // out_trade_no
	byTradeNo map[string]*trade
	merges    map[string][]*trade // pre_order_no
	binds     simkit.Requests[wire.RelationResponse]
	settleNos map[string]*settleRec // settle_no → the request, for the settle query
	methods   map[string]method
	seq       int64
	platform  string              // the platform's own account (SetPlatformAccount)
	flows     []flow              // every account movement, for the account bills
	bills     map[string]billFile // download token → the zip, until its URL expires
	host      string              // where requests came to: bill download URLs name it

	applications map[string][]*application // external_id → its orders, oldest first
	orders       map[string]*application   // order_id
	audit        Audit
	appGateway   string // where msgapi messages go (SetAppGateway)
	billFaults   BillFaults
}

type account struct {
	available, frozen money.Amount
}

type trade struct {
	detail     wire.OrderDetail
	content    []byte
	tradeNo    string
	status     string
	notifyURL  string
	created    time.Time
	paidAt     time.Time
	unsettled  money.Amount // paid, not yet confirmed
	frozen     money.Amount // confirmed with royalty_freeze, still to share or release
	confirmed  bool
	frozenAt   time.Time
	refunded   money.Amount
	shared     money.Amount // transfers to receivers, net of reversals: the cap counts these
	finished   bool         // royalty_finish came
	released   bool         // the frozen rest went to the sub-merchant (royalty_finish, or Alipay after FreezeDays)
	confirms   simkit.Requests[wire.SettleConfirmResponse]
	settles    simkit.Requests[*settleRec]
	refunds    simkit.Requests[*refundRec]
	operations []wire.TradeSettleDetail
}

type settleRec struct {
	response wire.OrderSettleResponse
	query    wire.OrderSettleQueryResponse
}

type refundRec struct {
	amount   money.Amount
	at       time.Time
	royalty  []wire.RoyaltyDetail
	response map[string]any
}

// New returns a simulator for app appID with fresh keys, the given limits (channels.AlipayLimits for the
// documented ones) and a seeded fault generator.
func New(appID string, limits channels.Limits, seed uint64) (*Sim, error) {
	keys, err := newKeys()
	if err != nil {
		return nil, err
	}
	s := &Sim{AppID: appID, Keys: keys, Kit: simkit.New(seed, RetrySchedule), limits: limits,
		merchants: map[string]*account{}, accounts: map[string]*account{}, relations: map[string]bool{},
		trades: map[string]*trade{}, byTradeNo: map[string]*trade{}, merges: map[string][]*trade{},
		binds: simkit.Requests[wire.RelationResponse]{}, settleNos: map[string]*settleRec{},
		bills: map[string]billFile{}, applications: map[string][]*application{}, orders: map[string]*application{},
		audit: Audit{Time: time.Minute}}
	s.methods = s.methodTable()
	return s, nil
}

// SetPlatformAccount names the platform's own Alipay user id (the app owner's PID): a default royalty
// receiver, with no relation to bind.
func (s *Sim) SetPlatformAccount(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.relations[userID], s.platform = true, userID
}

// UseCertificateMode makes the simulator expect app_cert_sn and alipay_root_cert_sn on requests and sign its
// answers naming alipay_cert_sn, as an app in 公钥证书 mode sees Alipay.
func (s *Sim) UseCertificateMode(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cert = on
}

// SetFaults replaces the injected faults.
func (s *Sim) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
	s.Kit.SetFaults(f.Common)
}

// AddSubMerchant opens a 二级商户 (as onboarding's smid would); AutoOpenSubMerchants opens any named one.
func (s *Sim) AddSubMerchant(smid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.merchants[smid] == nil {
		s.merchants[smid] = &account{}
	}
}

// AutoOpenSubMerchants opens unknown sub-merchants on first use: a development stack's shops.
func (s *Sim) AutoOpenSubMerchants(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auto = on
}

// Balance is an account's money at Alipay.
type Balance struct{ Unsettled, Frozen, Available money.Amount }

// MerchantBalance is a sub-merchant's money: what its paid trades hold unsettled, and its account.
func (s *Sim) MerchantBalance(smid string) Balance {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b Balance
	for _, t := range s.trades {
		if t.detail.SubMerchant != nil && t.detail.SubMerchant.MerchantID == smid {
			b.Unsettled += t.unsettled
		}
	}
	if a := s.merchants[smid]; a != nil {
		b.Frozen, b.Available = a.frozen, a.available
	}
	return b
}

// ReceiverBalance is what a receiver account holds from royalties, net of reversals.
func (s *Sim) ReceiverBalance(account string) money.Amount {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.accounts[account]; a != nil {
		return a.available
	}
	return 0
}

// Advance moves the simulated clock. Frozen royalty funds confirmed more than Limits.FreezeDays ago are released
// to the sub-merchant's available balance, as Alipay does automatically.
func (s *Sim) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
	period := time.Duration(s.limits.FreezeDays) * 24 * time.Hour
	for _, t := range s.trades {
		if t.holdsFrozen() && !s.now().Before(t.frozenAt.Add(period)) {
			s.release(t)
		}
	}
	s.settleAudits()
}

func (s *Sim) now() time.Time { return time.Now().Add(s.offset) }

func (s *Sim) nextNo(prefix string) string {
	s.seq++
	return s.ID(prefix, s.now(), s.seq)
}

// holdsFrozen says whether the trade's confirmed money is still frozen for royalty: confirmed with
// royalty_freeze and not yet released (by royalty_finish, or by Alipay after FreezeDays).
func (t *trade) holdsFrozen() bool { return t.confirmed && !t.frozenAt.IsZero() && !t.released }

// release moves a trade's frozen rest to its sub-merchant's available balance.
func (s *Sim) release(t *trade) {
	m := s.merchants[t.detail.SubMerchant.MerchantID]
	m.frozen -= t.frozen
	m.available += t.frozen
	t.frozen, t.released = 0, true
}

// Handler serves /gateway.do and the unsigned /sim/ control API.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /gateway.do", s.serveGateway)
	mux.HandleFunc("GET /sim/bills/{token}", s.serveBill)
	s.controlRoutes(mux)
	return mux
}

// controlRoutes are the unsigned /sim/ API for driving the simulator from outside the process: the buyer
// paying, the clock, faults, and what each account holds.
func (s *Sim) controlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /sim/pay/{ref}", func(w http.ResponseWriter, r *http.Request) {
		simkit.Reply(w, nil, s.Pay(r.PathValue("ref")))
	})
	simkit.ControlRoutes(mux, s.Advance, s.SetFaults)
	mux.HandleFunc("GET /sim/balances/{smid}", func(w http.ResponseWriter, r *http.Request) {
		simkit.Reply(w, s.MerchantBalance(r.PathValue("smid")), nil)
	})
	mux.HandleFunc("GET /sim/receivers/{account}", func(w http.ResponseWriter, r *http.Request) {
		simkit.Reply(w, map[string]money.Amount{"balance": s.ReceiverBalance(r.PathValue("account"))}, nil)
	})
	s.onboardingRoutes(mux)
}

// onboardingRoutes drive the review of applications: how it is played, a rejection, the shop's confirmation,
// and where the audit messages go.
func (s *Sim) onboardingRoutes(mux *http.ServeMux) {
	mux.HandleFunc("PUT /sim/audit", func(w http.ResponseWriter, r *http.Request) {
		var a struct {
			Time        string `json:"time"`
			AutoConfirm bool   `json:"auto_confirm"`
		}
		err := json.NewDecoder(r.Body).Decode(&a)
		d, perr := time.ParseDuration(a.Time)
		if err = errors.Join(err, perr); err == nil {
			s.SetAudit(Audit{Time: d, AutoConfirm: a.AutoConfirm})
		}
		simkit.Reply(w, nil, err)
	})
	mux.HandleFunc("PUT /sim/app-gateway", func(w http.ResponseWriter, r *http.Request) {
		s.SetAppGateway(r.URL.Query().Get("url"))
		simkit.Reply(w, nil, nil)
	})
	mux.HandleFunc("POST /sim/applications/{external_id}/reject", func(w http.ResponseWriter, r *http.Request) {
		simkit.Reply(w, nil, s.RejectApplication(r.PathValue("external_id"), r.URL.Query().Get("reason")))
	})
	mux.HandleFunc("POST /sim/applications/{external_id}/confirm", func(w http.ResponseWriter, r *http.Request) {
		simkit.Reply(w, nil, s.ConfirmApplication(r.PathValue("external_id")))
	})
	mux.HandleFunc("GET /sim/applications/{external_id}", func(w http.ResponseWriter, r *http.Request) {
		o, err := s.Application(r.PathValue("external_id"))
		simkit.Reply(w, o, err)
	})
}
