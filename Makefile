# One target per job a person runs; the work is in scripts/ and the splitpay binary.
.PHONY: demo test dev dev-down bench build clean simulate chaos

GO ?= go

## demo: bring the dev stack up (installing what is missing) and walk through the demo scenario
demo: build
	scripts/devstack codec ./bin/splitpay
	scripts/devstack exec ./bin/splitpay demo
	@echo "The stack keeps running for the Temporal UI link above; 'make dev-down' stops it."

## test: bring the stack up, run every check and test, fuzz the money package, stop the stack
test:
	scripts/test

## simulate: the seeded whole-system simulation, HISTORIES of them (default 1000); SPLITPAY_SIM_SEED=S replays one
simulate:
	scripts/devstack exec env SPLITPAY_REQUIRE_STACK=1 SPLITPAY_SIM_HISTORIES=$${HISTORIES:-1000} \
		$(GO) test -run '^TestSimulation$$' -count=1 -timeout 0 -v ./internal/simulation

## chaos: separate worker, API and simulator processes under kill -9s, restarts and channel faults (CHAOS_ORDERS, CHAOS_KILLS)
chaos: build
	scripts/devstack exec ./bin/splitpay chaos --orders $${CHAOS_ORDERS:-200} --kills $${CHAOS_KILLS:-15}

## dev: bring the stack up and run the worker and API in the foreground (Ctrl-C stops them, not the stack)
dev: build
	scripts/devstack codec ./bin/splitpay
	scripts/devstack exec ./bin/splitpay dev

## dev-down: stop PostgreSQL and the Temporal dev server
dev-down:
	scripts/devstack down

## bench: the Go benchmarks (money, ledger incl. the hot row, channel, risk) and `splitpay bench`: orders vs a floor
## (both channels), signed notifications, then a soak of BENCH_OPEN sub-orders (docs/performance.md; 10000: ~25 min)
bench: build
	scripts/devstack exec $(GO) test -run '^$$' -bench . -benchmem ./money/... ./ledger/... ./channels/... ./risk/...
	scripts/devstack exec ./bin/splitpay bench --orders $${BENCH_ORDERS:-50} --concurrency $${BENCH_CONCURRENCY:-8}
	scripts/devstack exec ./bin/splitpay bench --notify $${BENCH_NOTIFY:-1000} --concurrency 32 --workers 1 --cpuprofile bin/notify.prof
	scripts/devstack exec ./bin/splitpay bench --open $${BENCH_OPEN:-2000} --concurrency 16

build:
	$(GO) build -o bin/splitpay ./cmd/splitpay

## clean: stop the stack and delete .dev/ and bin/
clean:
	scripts/devstack clean
	rm -rf bin
