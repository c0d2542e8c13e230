package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/splitpay/splitpay/internal/codec"
	"github.com/splitpay/splitpay/workflows"
)

// The dev stack's Temporal UI, in headless Chromium, reads SplitPay's workflows: a completed order shows its
// summary and its input decoded through the dev codec server (the order number and amounts, not ciphertext); an
// order stopped for ops shows its current details; and with a codec that holds the wrong key the page still
// renders, the input shown sealed as it is stored. The saved views' links save them in the UI, and the "needs
// attention" view lists the stopped order. Screenshots go to SPLITPAY_ARTIFACTS (default: a directory
// under the system's temporary one, logged).
func TestTheTemporalUIInABrowser(t *testing.T) {
	b := newBrowser(t)
	h := start(t, uiSettings())
	done, stuck := h.completedAndStuck()

	page := b.open(t, workflows.OrderWorkflowID(done), `"OrderNo": "`+done+`"`, "completed-order")
	for _, want := range []string{`"Amount": 19000`, `"Amount": 8800`, "Completed"} {
		if !strings.Contains(page, want) {
			t.Errorf("the completed order's page lacks %q", want)
		}
	}
	if meta := b.userMetadata(t, "completed-order-metadata"); !strings.Contains(meta, "order "+done+" · 278.00 yuan") {
		t.Errorf("the completed order's summary is not shown: %q", meta)
	}

	b.open(t, workflows.OrderWorkflowID(stuck), "Running", "stuck-order")
	meta := b.userMetadata(t, "stuck-order-metadata")
	for _, want := range []string{"order " + stuck, workflows.StatusNeedsAttention, "ORDER_NOT_EXIST", "Resume"} {
		if !strings.Contains(meta, want) {
			t.Errorf("the stuck order's summary and details lack %q: %q", want, meta)
		}
	}

	b.savesViews(t, done, stuck)

	failures := b.wrongKeyCodec(t)
	page = b.open(t, workflows.OrderWorkflowID(done), "encryption-key-id", "wrong-key")
	if strings.Contains(page, `"OrderNo"`) || !strings.Contains(page, "order/"+done) || failures.Load() == 0 {
		t.Errorf("with the wrong key: decoded %v, page shown %v, codec refusals %d",
			strings.Contains(page, `"OrderNo"`), strings.Contains(page, "order/"+done), failures.Load())
	}
}

// browser is headless Chromium (Debian's, which scripts/test installs) on the dev stack's Temporal UI.
type browser struct {
	ctx       context.Context
	ui, shots string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	ui, codecAddr := os.Getenv("SPLITPAY_TEMPORAL_UI"), os.Getenv("SPLITPAY_CODEC_ADDR")
	chromium, err := exec.LookPath("chromium")
	switch {
	case err != nil && os.Getenv("SPLITPAY_REQUIRE_STACK") == "1":
		t.Fatal("chromium is not installed (scripts/test installs Debian's)")
	case err != nil || ui == "":
		t.Skip("no chromium, or no dev stack (SPLITPAY_TEMPORAL_UI)")
	}
	if resp, err := http.Post("http://"+codecAddr+"/decode", "application/json", strings.NewReader(`{"payloads":[]}`)); err != nil {
		t.Fatalf("the dev stack's codec server is not running at %q (scripts/devstack codec ./bin/splitpay): %v",
			codecAddr, err)
	} else {
		resp.Body.Close()
	}
	shots := os.Getenv("SPLITPAY_ARTIFACTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "splitpay-artifacts")
	}
	shots = filepath.Join(shots, "ui")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.WindowSize(1400, 1000))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Run(ctx); err != nil { // starts the browser on this context: it lives until the test ends
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{ctx: ctx, ui: strings.TrimRight(ui, "/"), shots: shots}
}

// open shows a workflow's page until its text holds want (the UI decodes payloads asynchronously; a page that
// has not got there in 15 seconds is loaded again, three times at most), saves a screenshot, and answers the text.
func (b *browser) open(t *testing.T, workflowID, want, shot string) string {
	t.Helper()
	u := b.ui + "/namespaces/default/workflows/" + url.PathEscape(workflowID)
	var text string
	for try := 0; try < 3 && !strings.Contains(text, want); try++ {
		if err := b.run(t, 30*time.Second, chromedp.Navigate(u)); err != nil {
			t.Fatalf("open %s: %v", u, err)
		}
		for end := time.Now().Add(15 * time.Second); time.Now().Before(end) && !strings.Contains(text, want); {
			time.Sleep(500 * time.Millisecond)
			_ = b.run(t, 5*time.Second, chromedp.Evaluate(`document.body.innerText`, &text))
		}
	}
	b.screenshot(t, shot)
	if !strings.Contains(text, want) {
		t.Errorf("%s never showed %q; it showed:\n%.3000s", workflowID, want, text)
	}
	return text
}

// savesViews opens every saved view's link (splitpay views prints them), checks the UI kept each one for the
// namespace, and that the "needs attention" view, chosen again from the UI's plain list, lists the stuck order
// and not the completed one.
func (b *browser) savesViews(t *testing.T, done, stuck string) {
	t.Helper()
	views := workflows.SavedViews(time.Now(), 10)
	var saved string
	for _, v := range views {
		if err := b.run(t, 30*time.Second, chromedp.Navigate(v.SaveURL(b.ui, "default"))); err != nil {
			t.Fatalf("open the saved view %q: %v", v.Name, err)
		}
		// The UI saves the view once its list has loaded: wait for it before the next link leaves the page.
		name := fmt.Sprintf(`"name":%q`, v.Name)
		for end := time.Now().Add(30 * time.Second); time.Now().Before(end) && !strings.Contains(saved, name); {
			time.Sleep(200 * time.Millisecond)
			_ = b.run(t, 5*time.Second, chromedp.Evaluate(`localStorage.getItem("saved-workflow-queries") || ""`,
				&saved))
		}
		if !strings.Contains(saved, name) {
			t.Errorf("the UI did not save the view %q: %s", v.Name, saved)
		}
	}
	list := b.ui + "/namespaces/default/workflows"
	var text string
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end) && !strings.Contains(text, workflows.OrderWorkflowID(stuck)); {
		_ = b.run(t, 20*time.Second, chromedp.Navigate(list), chromedp.Sleep(time.Second),
			chromedp.Click(fmt.Sprintf(`//*[normalize-space(text())=%q]`, views[0].Name), chromedp.BySearch),
			chromedp.Sleep(2*time.Second), chromedp.Evaluate(`document.body.innerText`, &text))
	}
	b.screenshot(t, "saved-view-needs-attention")
	if !strings.Contains(text, workflows.OrderWorkflowID(stuck)) || strings.Contains(text, workflows.OrderWorkflowID(done)) {
		t.Errorf("the view %q does not list %s alone:\n%.3000s", views[0].Name, workflows.OrderWorkflowID(stuck), text)
	}
}

// userMetadata opens the page's User Metadata tab and answers what its summary and current details say (the UI
// renders them as markdown in frames of their own).
func (b *browser) userMetadata(t *testing.T, shot string) string {
	t.Helper()
	var text string
	err := b.run(t, 20*time.Second, chromedp.Click(`[data-testid="user-metadata-tab"]`, chromedp.ByQuery),
		chromedp.Sleep(2*time.Second),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('iframe')).map(f => (f.contentDocument && f.contentDocument.body ? f.contentDocument.body.innerText : '') + ' ' + (f.getAttribute('srcdoc') || '') + ' ' + (f.getAttribute('src') || '')).join('\n')`,
			&text))
	if err != nil {
		t.Errorf("the User Metadata tab: %v", err)
	}
	b.screenshot(t, shot)
	return text
}

// wrongKeyCodec serves a codec holding another key, and points the UI at it as a user would in its settings; it
// answers how many requests the codec refused.
func (b *browser) wrongKeyCodec(t *testing.T) *atomic.Int64 {
	t.Helper()
	keys, err := codec.ParseKeys(codec.NewKey("wrong"))
	if err != nil {
		t.Fatal(err)
	}
	var refused atomic.Int64
	srv := httptest.NewServer(codec.CORS([]string{b.ui, strings.Replace(b.ui, "127.0.0.1", "localhost", 1)},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			keys.HTTPHandler().ServeHTTP(rec, r)
			if rec.Code >= 400 {
				refused.Add(1)
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		})))
	t.Cleanup(srv.Close)
	set := fmt.Sprintf(`localStorage.setItem("endpoint", JSON.stringify(%q)); `+
		`localStorage.setItem("overrideRemoteCodecConfiguration", "true")`, srv.URL)
	var ignored any
	if err := b.run(t, 10*time.Second, chromedp.Evaluate(set, &ignored)); err != nil {
		t.Fatal(err)
	}
	return &refused
}

func (b *browser) screenshot(t *testing.T, name string) {
	var png []byte
	if err := b.run(t, 20*time.Second, chromedp.FullScreenshot(&png, 100)); err == nil {
		_ = os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644)
	}
}

func (b *browser) run(t *testing.T, within time.Duration, actions ...chromedp.Action) error {
	ctx, cancel := context.WithTimeout(b.ctx, within)
	defer cancel()
	return chromedp.Run(ctx, actions...)
}
