package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/splitpay/splitpay/api"
	"github.com/splitpay/splitpay/internal/testenv"
)

func TestHealthzReportsEachDependency(t *testing.T) {
	db := testenv.EmptyPool(t)
	srv := &api.Server{
		DB:       db,
		Temporal: testenv.TemporalClient(t),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	get := func() (int, map[string]string) {
		resp, err := http.Get(ts.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body
	}
	if code, body := get(); code != http.StatusOK || body["status"] != "ok" {
		t.Errorf("healthy stack: %d %v", code, body)
	}
	db.Close() // the database goes away: health must say so
	if code, body := get(); code != http.StatusServiceUnavailable || body["database"] == "ok" ||
		body["temporal"] != "ok" {
		t.Errorf("closed database: %d %v", code, body)
	}
}
