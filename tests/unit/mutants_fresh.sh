#!/bin/sh
# mutants_fresh.sh — every line of tests/mutants/mutants.txt still names code that exists,
# once (tests/mutants/run.py --check). Why: `make mutants` is slow and not part of `make test`;
# a split or a rewrite that moves a mutated line would otherwise leave that mutant skipped as
# "stale" until someone next runs it, and the rule it guards unguarded.
cd "$(dirname "$0")/../.." || exit 2
exec /usr/bin/python3 tests/mutants/run.py --check
