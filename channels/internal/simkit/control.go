package simkit

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// Reply answers a simulator's /sim/ control call: out as JSON, or a 400 with the error.
func Reply(w http.ResponseWriter, out any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}

// ControlRoutes registers the control calls every simulator answers: POST /sim/advance?by=30s moves its clock,
// PUT /sim/faults replaces its faults (the simulator's own Faults, as JSON).
func ControlRoutes[F any](mux *http.ServeMux, advance func(time.Duration), setFaults func(F)) {
	mux.HandleFunc("POST /sim/advance", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.URL.Query().Get("by"))
		if err == nil {
			advance(d)
		}
		Reply(w, nil, err)
	})
	mux.HandleFunc("PUT /sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var f F
		err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&f)
		if err == nil {
			setFaults(f)
		}
		Reply(w, nil, err)
	})
}
