# The two commands of the README. Both install what a fresh machine lacks (scripts/setup.sh).
.PHONY: demo test bench pkg

demo:            ## proxy + embedded sandbox + register page at http://127.0.0.1:8080
	scripts/demo.sh

test:            ## every suite; ends with "N passed, N failed"
	scripts/test.sh

pkg:             ## the npm package in pkg/
	scripts/build-pkg.sh

bench:           ## sizes, render speed, flows and load; prints tables, writes BENCHMARKS.md
	scripts/bench.sh
