package wxsim

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/splitpay/splitpay/channels/wechatpay/wire"
)

type handler func(p *Platform, r *http.Request, body []byte) (int, any, *apiError)

// route dispatches an authenticated request. Each handler runs under the state lock.
func (s *Sim) route(p *Platform, r *http.Request, body []byte) (int, any, *apiError) {
	path := r.URL.Path
	var h handler
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/v3/combine-transactions/") &&
		!strings.HasPrefix(path, wire.PathCombineQuery):
		h = s.createCombined
	case r.Method == http.MethodGet && strings.HasPrefix(path, wire.PathCombineQuery):
		h = s.queryCombined
	case r.Method == http.MethodPost && strings.HasPrefix(path, wire.PathCombineQuery) &&
		strings.HasSuffix(path, wire.PathCombineClose):
		h = s.closeCombined
	case r.Method == http.MethodPost && path == wire.PathSharingOrders:
		h = s.share
	case r.Method == http.MethodGet && path == wire.PathSharingOrders:
		h = s.querySharing
	case r.Method == http.MethodPost && path == wire.PathSharingFinish:
		h = s.finish
	case r.Method == http.MethodGet && strings.HasPrefix(path, wire.PathSharingAmounts) && strings.HasSuffix(path, "/amounts"):
		h = s.unsplit
	case r.Method == http.MethodPost && (path == wire.PathReceiverAdd || path == wire.PathReceiverDelete):
		h = s.receiver
	case r.Method == http.MethodPost && path == wire.PathReturnOrders:
		h = s.returnOrder
	case r.Method == http.MethodGet && path == wire.PathReturnOrders:
		h = s.queryReturn
	case r.Method == http.MethodPost && path == wire.PathSubsidyCreate:
		h = s.subsidyCreate
	case r.Method == http.MethodPost && path == wire.PathSubsidyReturn:
		h = s.subsidyReturn
	case r.Method == http.MethodPost && path == wire.PathSubsidyCancel:
		h = s.subsidyCancel
	case r.Method == http.MethodPost && path == wire.PathRefundApply:
		h = s.refundApply
	case r.Method == http.MethodGet &&
		(strings.HasPrefix(path, wire.PathRefundByOutNo) || strings.HasPrefix(path, wire.PathRefundByID)):
		h = s.refundQuery
	default:
		more, ok := s.routeMore(r)
		if !ok {
			return 0, nil, fail(http.StatusNotFound, "NOT_FOUND", "no such API: %s %s", r.Method, path)
		}
		h = more
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return h(p, r, body)
}

func decode(body []byte, v any) *apiError {
	if err := json.Unmarshal(body, v); err != nil {
		return fail(http.StatusBadRequest, wire.CodeParamError, "body is not valid JSON: %v", err)
	}
	return nil
}

func canonical(v any) []byte { b, _ := json.Marshal(v); return b }

// ---------------------------------------------------------------- combined payments

// ---------------------------------------------------------------- profit sharing

func itoa(i int) string { return decimal.NewFromInt(int64(i)).String() }
