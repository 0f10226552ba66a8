# Issue 13: the run goes on to the last scripted event; --until says what it leaves out.
run tests/golden/data/late_event.scn
run tests/golden/data/late_event.scn --until 10s
