package workflows

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// SavedView is a visibility query ops keep for a stuck case: in the Temporal UI's workflow list (where a user
// saves it as a view), `temporal workflow list --query`, or any cluster's visibility API. They filter on the search
// attributes in searchattrs.go.
type SavedView struct {
	Name  string
	Query string
}

// SavedViews are the stuck cases of docs/operations.md, as of now; receiptDays is how long a sub-order may wait
// for the shop's receipt before ops look at it.
func SavedViews(now time.Time, receiptDays int) []SavedView {
	before := func(d time.Duration) string { return now.Add(-d).UTC().Format(time.RFC3339) }
	return []SavedView{
		{"needs attention", fmt.Sprintf(`%s = %q`, AttrStatus.GetName(), StatusNeedsAttention)},
		{fmt.Sprintf("waiting for the shop's receipt for more than %d days", receiptDays),
			fmt.Sprintf(`%s = %q AND %s < %q`, AttrStatus.GetName(), StatusAwaitingReceipt, AttrStatusSince.GetName(),
				before(time.Duration(receiptDays)*24*time.Hour))},
		{"sharing in processing for more than an hour",
			fmt.Sprintf(`%s = %q AND %s < %q`, AttrWaitingFor.GetName(), "channel:sharing", AttrStatusSince.GetName(),
				before(time.Hour))},
		{"refunds ABNORMAL or CLOSED, waiting for ops",
			fmt.Sprintf(`%s = %q AND %s STARTS_WITH %q`, AttrStatus.GetName(), StatusNeedsAttention,
				AttrWaitingFor.GetName(), "ops:refund ")},
		{"held for risk review", fmt.Sprintf(`%s = %q`, AttrStatus.GetName(), StatusRiskReview)},
		{"onboarding waiting on the shop",
			fmt.Sprintf(`WorkflowType = "Onboarding" AND %s STARTS_WITH %q`, AttrWaitingFor.GetName(), "shop:")},
		{"webhook dead letters", fmt.Sprintf(`WorkflowType = "WebhookDelivery" AND %s = %q`, AttrStatus.GetName(),
			WebhookDeadLetter)},
		{"reconciliation discrepancies",
			fmt.Sprintf(`WorkflowType = "Reconcile" AND %s = %q`, AttrStatus.GetName(), ReconcileNeedsAttention)},
	}
}

// ListURL is the Temporal UI's workflow list in namespace, filtered by a visibility query.
func ListURL(ui, namespace, query string) string {
	return fmt.Sprintf("%s/namespaces/%s/workflows?query=%s", strings.TrimRight(ui, "/"), url.PathEscape(namespace),
		url.QueryEscape(query))
}

// SaveURL is the link that saves the view in the Temporal UI it opens: the UI (2.42) keeps saved views in the
// browser, per namespace, and adds one named by the link's savedQuery parameter (what its "share" button copies).
// A view's time cut-off is fixed when the link is made; opening a fresh link (splitpay views) moves it.
func (v SavedView) SaveURL(ui, namespace string) string {
	return ListURL(ui, namespace, v.Query) + "&savedQuery=" + url.QueryEscape(v.Name)
}
