// Package wxsim is a wire-faithful simulator of WeChat Pay APIv3 电商收付通: an http.Handler that checks each
// request's merchant signature, signs every answer with its own key (public-key mode, PUB_KEY_ID_…), keeps the
// channel's state in memory — sub-merchants' frozen and available money, combined orders, sharing, returns,
// subsidies, refunds — enforces the channel's rules with its own error codes, plays the buyer, and sends
// AEAD-encrypted, signed notifications with the channel's retry schedule. Faults can be injected per endpoint.
//
// It is SplitPay's test bed and a product feature: users build against it before they have live credentials.
package wxsim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/splitpay/splitpay/channels"
	"github.com/splitpay/splitpay/channels/internal/simkit"
	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

// Platform is a platform merchant (服务商/电商平台) registered with the simulator.
type Platform struct {
	MchID      string
	CertSerial string         // its API certificate serial, named in each Authorization header
	PublicKey  *rsa.PublicKey // verifies its requests
	APIv3Key   string         // encrypts its notifications
}

// Faults are injected failures. Rates are probabilities in [0, 1], drawn from a seeded generator. The ones every
// simulator shares are handed to simkit, which draws them; this shape stays flat for the /sim/ API and tests.
type Faults struct {
	SystemErrorRate      map[string]float64 // path prefix → rate of 500 SYSTEM_ERROR (before any state change)
	FrequencyLimitedRate map[string]float64 // path prefix → rate of 429 FREQUENCY_LIMITED
	Delay                map[string]time.Duration
	DropNotifications    bool          // notifications are never sent (掉单)
	DuplicateNotify      bool          // every notification is sent twice
	ReorderNotify        time.Duration // each notification waits a random time below this: later ones may overtake
	ProbeSignatures      bool          // before each notification, send a copy with a WECHATPAY/SIGNTEST/ signature
	StuckSharing         bool          // sharing requests stay PROCESSING
	EnforceSharingDelay  bool          // refuse sharing earlier than 30 s (simulated clock) after payment
	// ClosedReceivers: receiver account → the fail reason the channel closes its shares with (e.g.
	// RECEIVER_HIGH_RISK); the money goes back to the sub-order's frozen funds.
	ClosedReceivers map[string]string
	// UnknownOrders: combined out_trade_nos the query and close answer ORDER_NOT_EXIST for, as if the channel's
	// index had lost them (its bills still list their payments): a payment the ledger can only learn from the bill.
	UnknownOrders map[string]bool
}

// Sim is the simulator. Create it with New; it is safe for concurrent use.
type Sim struct {
	KeyID      string          // the "微信支付公钥" id clients verify with
	PrivateKey *rsa.PrivateKey // signs answers and notifications; its public half is PublicKey()
	// Certificate is a platform certificate over the same key, for clients in certificate mode.
	Certificate *x509.Certificate
	certSerial  string
	useCert     bool // sign with the certificate's serial instead of KeyID

	limits channels.Limits

	mu        sync.Mutex
	offset    time.Duration // the simulated clock runs at real time plus offset
	faults    Faults
	kit       *simkit.Kit // notification delivery on WeChat's retry schedule (shared with alisim)
	autoOpen  bool        // open unknown sub-merchants on first use
	platforms map[string]*Platform
	subs      map[string]*subMerchant
	receivers map[string]*receiver // type + "/" + account
	combined  map[string]*combinedOrder
	byTx      map[string]*subOrder
	sharings  map[string]*sharing // sub_mchid + "/" + out_order_no
	returns   map[string]*returnOrder
	// subsidy returns by sub_mchid + "/" + out_order_no
	subsidyReturns map[string]*subsidyReturnRec
	refunds        map[string]*refund // sub_mchid + "/" + out_refund_no
	refundsByID    map[string]*refund
	withdrawals    map[string]*withdrawal // sub_mchid + "/" + out_request_no
	applyments     map[string]*applyment  // out_request_no
	settlementApps []*settlementApplication
	bills          map[string][]byte // download token → file
	billFaults     BillFaults
	billPartSize   int        // the sub-merchant fund-flow bills' part size (0: one part)
	corruptSealed  bool       // flip a byte of each sealed part served (CorruptSealedBills)
	flows          []fundFlow // movements on the platform's and the sub-merchants' accounts, for the fund-flow bills
	seq            int64
}

type subMerchant struct {
	id                string
	frozen, available int64
	settlement        *settlementAccount // nil: a default one (settlementOf)
}

type receiver struct {
	typ, account string
	balance      int64 // what it received minus what it returned
	spent        int64 // of that, what it has spent elsewhere: not there for a return
}

type combinedOrder struct {
	platform  *Platform
	req       wire.CombineRequest
	body      []byte // canonical request, to detect reuse with other parameters
	prepayID  string
	tradeType string // JSAPI, APP, NATIVE or MWEB, by the endpoint that created it
	closed    bool
	subOrders []*subOrder
}

type subOrder struct {
	order                       *combinedOrder
	wire                        wire.SubOrder
	state                       string
	transactionID, successTime  string
	paidAt                      time.Time
	unsplit                     int64 // frozen money of this sub-order still to share or unfreeze
	sharedToOthers              int64
	refunded, refundCount       int64
	subsidy, subsidyReturned    int64
	subsidised, subsidyCanceled bool
	sharingCount                int
	finished                    bool
}

type sharing struct {
	body     []byte
	state    wire.SharingState
	sub      *subOrder
	created  time.Time
	finished bool
}

type subsidyReturnRec struct {
	body  []byte
	state wire.SubsidyState
}

type returnOrder struct {
	body  []byte
	state wire.ReturnState
}

type refund struct {
	body              []byte
	state             wire.RefundState
	sub               *subOrder
	notifyURL         string
	platform          *Platform
	subsidyReturnUsed bool // one subsidy return per refund
}

// New returns a simulator with a fresh RSA-2048 key (never committed anywhere) and SPEC.md's limits.
func New(limits channels.Limits, seed uint64) (*Sim, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	cert, err := selfSigned(key)
	if err != nil {
		return nil, err
	}
	kit := simkit.New(seed, RetrySchedule)
	return &Sim{
		KeyID: "PUB_KEY_ID_SIM" + strconv.FormatUint(seed, 10), PrivateKey: key, limits: limits,
		Certificate: cert, certSerial: utils.GetCertificateSerialNumber(*cert),
		kit:       kit,
		platforms: map[string]*Platform{}, subs: map[string]*subMerchant{}, receivers: map[string]*receiver{},
		combined: map[string]*combinedOrder{}, byTx: map[string]*subOrder{}, sharings: map[string]*sharing{},
		returns: map[string]*returnOrder{}, subsidyReturns: map[string]*subsidyReturnRec{},
		refunds: map[string]*refund{}, refundsByID: map[string]*refund{},
		withdrawals: map[string]*withdrawal{}, applyments: map[string]*applyment{}, bills: map[string][]byte{},
	}, nil
}

// UseCertificateMode makes the simulator sign as a platform certificate (Wechatpay-Serial = the certificate's
// serial) instead of in public-key mode, as merchants onboarded before the public-key switch see it.
func (s *Sim) UseCertificateMode(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.useCert = on
}

// PublicKey is the key clients verify the simulator's answers and notifications with.
func (s *Sim) PublicKey() *rsa.PublicKey { return &s.PrivateKey.PublicKey }

// RegisterPlatform lets a platform merchant call the simulator.
func (s *Sim) RegisterPlatform(p Platform) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := p
	s.platforms[p.MchID] = &cp
}

// AddSubMerchant opens a sub-merchant account (as onboarding's FINISH would).
func (s *Sim) AddSubMerchant(subMchID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subs[subMchID] == nil {
		s.subs[subMchID] = &subMerchant{id: subMchID}
	}
}

// AutoOpenSubMerchants opens any sub-merchant a combined order names, as if onboarded already: for a
// development stack where shops are registered by hand.
func (s *Sim) AutoOpenSubMerchants(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.autoOpen = on
}

// Balance is a sub-merchant's money at the channel.
type Balance struct{ Frozen, Available int64 }

// Balance returns a sub-merchant's frozen and available money.
func (s *Sim) Balance(subMchID string) Balance {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.subs[subMchID]; m != nil {
		return Balance{Frozen: m.frozen, Available: m.available}
	}
	return Balance{}
}

// ReceiverBalance returns what a receiver holds from sharing, net of returns.
func (s *Sim) ReceiverBalance(typ, account string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.receivers[typ+"/"+account]; r != nil {
		return r.balance
	}
	return 0
}

// SpendReceiverBalance plays a merchant receiver spending (withdrawing) amount of what it received, so a
// return order finds it short; TopUpReceiver puts it back.
func (s *Sim) SpendReceiverBalance(typ, account string, amount int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.receiverAccount(typ, account).spent += amount
}

// TopUpReceiver gives a receiver back amount of spendable balance (it was paid elsewhere).
func (s *Sim) TopUpReceiver(typ, account string, amount int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.receiverAccount(typ, account)
	r.spent = max(0, r.spent-amount)
}

// SetFaults replaces the injected faults.
func (s *Sim) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.kit.SetFaults(simkit.Faults{SystemErrorRate: f.SystemErrorRate, RateLimitRate: f.FrequencyLimitedRate,
		Delay: f.Delay, DropNotifications: f.DropNotifications, DuplicateNotify: f.DuplicateNotify,
		ReorderNotify: f.ReorderNotify})
}

// SetNotifyScale compresses (<1) the notification retry schedule; 0.001 turns WeChat's 15 s into 15 ms.
func (s *Sim) SetNotifyScale(scale float64) { s.kit.SetNotifyScale(scale) }

// Advance moves the simulated clock forward (sharing delay, onboarding steps, the freeze period). Frozen
// money of orders paid more than Limits.FreezeDays ago is unfrozen to the sub-merchant, as the channel does.
func (s *Sim) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
	freeze := time.Duration(s.limits.FreezeDays) * 24 * time.Hour
	for _, so := range s.byTx {
		if !so.finished && so.unsplit > 0 && !s.now().Before(so.paidAt.Add(freeze)) {
			s.unfreezeRest(so)
		}
	}
}

// Wait blocks until every notification the simulator is delivering has finished its attempts.
func (s *Sim) Wait() { s.kit.Wait() }

func (s *Sim) now() time.Time { return time.Now().Add(s.offset) }

func (s *Sim) nextID(prefix string) string {
	s.seq++
	return s.kit.ID(prefix, s.now(), s.seq)
}

// ---------------------------------------------------------------- HTTP plumbing

var authRe = regexp.MustCompile(`(\w+)="([^"]*)"`)
