# The two commands of the README. Both install what a fresh machine lacks (scripts/setup.sh).
.PHONY: demo test bench pkg soak fuzz load

demo:            ## proxy + embedded sandbox + register page at http://127.0.0.1:8080
	scripts/demo.sh

test:            ## every suite; ends with "N passed, N failed"
	scripts/test.sh

pkg:             ## the npm package in pkg/
	scripts/build-pkg.sh

bench:           ## sizes, render speed, flows and load; prints tables, writes BENCHMARKS.md
	scripts/bench.sh

soak: fuzz load  ## the long runs of docs/reliability.md: fuzzing, then the 1,000-payment load test

fuzz:            ## each cargo-fuzz target for FUZZ_SECONDS (default 300); prints executions
	scripts/fuzz.sh $${FUZZ_SECONDS:-300}

load:            ## 1,000 concurrent payments against one proxy process; time and peak memory
	cargo test --locked --profile server -p pingpong-qr-proxy --test load -- --ignored --nocapture
