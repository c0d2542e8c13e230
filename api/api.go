// Package api is SplitPay's HTTP server: the JSON API for non-Go backends, the channels' notification
// endpoints, and health checks. It sets server timeouts and body limits; handlers call the starter.
package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
)

// Server holds the API's dependencies.
type Server struct {
	DB       *pgxpool.Pool
	Temporal client.Client
	Logger   *slog.Logger
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	return mux
}

// HTTPServer wraps Handler with the timeouts a public endpoint needs (slow clients cannot hold connections).
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// healthStatus is the body of /healthz: one field per dependency, "ok" or the error.
type healthStatus struct {
	Status   string `json:"status"`
	Database string `json:"database"`
	Temporal string `json:"temporal"`
}

// healthz reports whether PostgreSQL and Temporal answer; 503 when either does not.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	st := healthStatus{Status: "ok", Database: "ok", Temporal: "ok"}
	if err := s.DB.Ping(ctx); err != nil {
		st.Status, st.Database = "unavailable", err.Error()
	}
	if _, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		st.Status, st.Temporal = "unavailable", err.Error()
	}
	code := http.StatusOK
	if st.Status != "ok" {
		code = http.StatusServiceUnavailable
		s.Logger.Warn("health check failed", "database", st.Database, "temporal", st.Temporal)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(st)
}
