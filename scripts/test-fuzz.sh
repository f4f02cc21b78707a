#!/usr/bin/env bash
# The fuzz suite of `make test`: every cargo-fuzz target for a few seconds (FUZZ_SECONDS,
# default 10), seeds and past failures first. The long run is scripts/fuzz.sh [SECONDS].
exec "$(dirname "$0")/fuzz.sh" "${FUZZ_SECONDS:-10}"
