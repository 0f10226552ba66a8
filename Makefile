# tcplab — build, test, bench, demo.  `make` builds ./tcplab; see README.md.
#
# Sources are found by directory: lib/ (shared leaf code: wire, rng), sim/ (the simulator),
# pktio/ (the packet I/O seam and its backends), scanner/ (the scanner), bridge/ (the TUN
# bridge), lab/ (labs, variants, graders; the built-in labs come from labs/, scenarios/ and
# docs/labs/), cmd/ (the command line). tests/layers.sh checks which directory may include which (`make layers`). Tests: tests/unit/test_*.c, one cmocka
# binary each; tests/golden (whole runs, byte for byte); tests/live (network namespaces).
# `make test` runs everything once with gcc and once with clang under ASan+UBSan (build-san/).

CC      ?= cc
SAN     ?= 0
ifeq ($(SAN),1)
BUILD   ?= build-san
OPT     ?= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDSAN   := -fsanitize=address,undefined
LTO     :=
else
BUILD   ?= build
OPT     ?= -O2 -g
LDSAN   :=
# Link-time optimisation of the library and the programs: the simulator's per-packet path
# crosses lib/ and sim/ files (parse, host, TCP, emit, queue) in dozens of small calls; LTO
# inlines across them (about 10% of a probe round trip, tests/bench). Test programs are
# compiled without it (their asserts would be inlined with the library and read as
# maybe-uninitialised paths) and linked against the same objects, which gcc's linker plugin
# does without -flto on the link; clang's bitcode objects would need -flto on every link, so
# clang builds go without. `make LTO=`: no LTO.
LTO     ?= $(shell $(CC) --version 2>/dev/null | grep -qi clang || echo -flto=auto)
endif
CFLAGS  ?=
CFLAGS  += -std=c11 $(OPT) -Wall -Wextra -Werror -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -I.
# ncurses goes into the tcplab binary only (the TUI's view, tui/view_*.c and cmd/tui*.c):
# test programs link the headless model without it.
# libpcre2 (Debian libpcre2-dev): -sV runs nmap's match rules, which are PCRE patterns.
PCRE2_CFLAGS := $(shell pkg-config --cflags libpcre2-8 2>/dev/null)
PCRE2_LIBS := $(shell pkg-config --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)
CFLAGS  += $(PCRE2_CFLAGS)
LDLIBS  := -lpcap $(PCRE2_LIBS) -lm
CURSES_LIBS := -lncursesw
PREFIX  ?= /usr/local

LIB_SRC  := $(wildcard lib/*.c)
SIM_SRC  := $(wildcard sim/*.c)
PKTIO_SRC := $(wildcard pktio/*.c)
SCAN_SRC := $(wildcard scanner/*.c scanner/scans/*.c scanner/output/*.c)
BRIDGE_SRC := $(wildcard bridge/*.c)
ATTACH_SRC := $(wildcard attach/*.c)
LAB_SRC  := $(wildcard lab/*.c)
# The built-in labs (lab/lab.h): descriptions, scenario templates, worksheets.
LAB_FILES := $(sort $(wildcard labs/*.lab) $(wildcard scenarios/*.scn) \
               $(filter-out docs/labs/README.md,$(wildcard docs/labs/*.md)))
CMD_SRC  := $(filter-out cmd/main.c $(wildcard cmd/tui*.c),$(wildcard cmd/*.c))
# The TUI: its model (tui/rec, rewind, model, text) is headless and in the library with the
# rest; its terminal view and the command that starts it are a library of their own.
TUI_SRC  := $(filter-out tui/view_%.c,$(wildcard tui/*.c))
TUIV_SRC := $(wildcard tui/view_*.c) $(wildcard cmd/tui*.c)
TUIV_OBJ := $(TUIV_SRC:%.c=$(BUILD)/%.o)
GEN_SRC  := $(BUILD)/gen/default_scn.c
CORE_SRC := $(LIB_SRC) $(SIM_SRC) $(PKTIO_SRC) $(SCAN_SRC) $(BRIDGE_SRC) $(ATTACH_SRC) $(LAB_SRC) $(CMD_SRC) $(TUI_SRC)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/default_scn.o $(BUILD)/gen/labs.o
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

all: tcplab

layers:
	@sh tests/layers.sh

.PHONY: tui-test layers all deps test unit golden-check golden live bench demo fuzz install clean check-clang mutants

ifeq ($(SAN),1)
tcplab: $(BUILD)/tcplab
else
tcplab: $(BUILD)/tcplab
	cp $(BUILD)/tcplab tcplab
endif

$(BUILD)/tcplab: $(BUILD)/cmd/main.o $(BUILD)/libtcplab_tui.a $(BUILD)/libtcplab.a
	$(CC) $(LTO) $(LDSAN) -o $@ $^ $(LDLIBS) $(CURSES_LIBS)

$(BUILD)/libtcplab_tui.a: $(TUIV_OBJ)
	rm -f $@
	ar rcs $@ $^

# The C client of tcplab attach on its own, for programs outside this tree (make install:
# lib/libtcplab_attach.a and include/tcplab/attach_client.h).
$(BUILD)/libtcplab_attach.a: $(BUILD)/attach/client.o $(BUILD)/attach/proto.o
	rm -f $@
	ar rcs $@ $^

$(BUILD)/libtcplab.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

# Where `make install` puts the Python client (attach/tcplab.py): tcplab attach puts it on
# the script's PYTHONPATH when no source tree is beside the binary.
PYDIR   ?= $(PREFIX)/share/tcplab/python
$(BUILD)/cmd/attach_run.o: CFLAGS += -DTCPLAB_PYDIR='"$(PYDIR)"'

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LTO) -MMD -MP -c -o $@ $<

# The embedded default network: scenarios/default.scn as a C byte array.
$(BUILD)/gen/default_scn.c: scenarios/default.scn
	@mkdir -p $(dir $@)
	{ echo '#include <stddef.h>'; echo 'const char scenario_default_text[] = {'; \
	  od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '0x00 };'; \
	  echo 'const size_t scenario_default_len = sizeof scenario_default_text - 1;'; } > $@

$(BUILD)/gen/default_scn.o: $(BUILD)/gen/default_scn.c
	$(CC) $(CFLAGS) $(LTO) -c -o $@ $<

# The built-in labs as C arrays (lab/embed.sh), so an installed tcplab needs no source tree.
$(BUILD)/gen/labs.c: lab/embed.sh $(LAB_FILES)
	@mkdir -p $(dir $@)
	sh lab/embed.sh $(LAB_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/labs.o: $(BUILD)/gen/labs.c lab/lab.h
	$(CC) $(CFLAGS) $(LTO) -c -o $@ $<

# Test and bench programs track the headers they include (-MMD), as the library's objects
# do: a changed fixture header rebuilds every test that uses it.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libtcplab.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -o $@ $< $(BUILD)/libtcplab.a $(LDSAN) -lcmocka $(LDLIBS)

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libtcplab.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LTO) -MMD -MP -o $@ $< $(BUILD)/libtcplab.a $(LDSAN) $(LDLIBS)

-include $(CORE_OBJ:.o=.d) $(TUIV_OBJ:.o=.d) $(BUILD)/cmd/main.d $(TEST_BIN:=.d) $(BENCH_BIN:=.d)

# Installs missing Debian packages when root (CI and fresh machines); otherwise says what is missing.
deps:
	@sh tests/deps.sh

unit: $(TEST_BIN) $(BUILD)/tcplab
	@sh tests/layers.sh
	@sh tests/run_unit.sh $(BUILD)
	@sh tests/fuzz/replay.sh $(BUILD) "$(CC)" "$(CFLAGS)" "$(LDSAN)"

golden-check: tcplab $(BUILD)/tcplab
	@sh tests/golden/run.sh $(BUILD)/tcplab check

# Regenerates golden files on purpose; review the diff before committing.
golden: tcplab
	@sh tests/golden/run.sh $(BUILD)/tcplab update

# The TUI end to end: the real binary in tmux at 80x24 and 200x50 (tests/tui/*.sh).
tui-test: tcplab
	@for t in tests/tui/*.sh; do sh $$t ./tcplab || exit 1; done

live: tcplab
	@sh tests/live/run.sh ./tcplab

# gcc builds and runs everything once; clang builds it again with ASan+UBSan and reruns
# the unit and golden suites, so both compilers' -Werror and the sanitizers gate a change.
SANCC ?= clang
test: deps
	$(MAKE) all unit golden-check
	$(MAKE) tui-test
	$(MAKE) live
	$(MAKE) SAN=1 CC=$(SANCC) unit golden-check
	@echo "make test: all suites passed"

bench: deps tcplab $(BENCH_BIN)
	@sh tests/bench/run.sh $(BUILD)

demo: deps tcplab
	./tcplab scan -sS --reason 198.51.100.0/24

# Mutation testing of the TCP, filter and generator rules against the fast unit tests
# (tests/mutants/mutants.txt; a scratch copy, about 10 minutes on 2 cores).
mutants:
	@python3 tests/mutants/run.py 2

# Coverage-guided fuzzers (clang libFuzzer), short runs seeded with real packets.
fuzz:
	@sh tests/fuzz/run.sh

check-clang:
	$(MAKE) CC=clang BUILD=build-clang build-clang/tcplab

# The binary, its man pages (tcplab(1), tcplab-scenario(5)), its bash completion, and the
# documents worksheets cite (rules.md, facts/*.md) under share/doc/tcplab.
install: tcplab $(BUILD)/libtcplab_attach.a
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 tcplab $(DESTDIR)$(PREFIX)/bin/tcplab
	install -m 644 docs/tcplab.1 $(DESTDIR)$(PREFIX)/share/man/man1/tcplab.1
	install -m 644 docs/tcplab-scenario.5 $(DESTDIR)$(PREFIX)/share/man/man5/tcplab-scenario.5
	install -m 644 docs/tcplab.bash-completion \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/tcplab
	install -d $(DESTDIR)$(PREFIX)/share/doc/tcplab
	install -m 644 docs/rules.md $(DESTDIR)$(PREFIX)/share/doc/tcplab/rules.md
	install -d $(DESTDIR)$(PREFIX)/share/doc/tcplab/facts
	install -m 644 docs/facts/*.md $(DESTDIR)$(PREFIX)/share/doc/tcplab/facts/
	install -m 644 docs/attach.md $(DESTDIR)$(PREFIX)/share/doc/tcplab/attach.md
	install -m 644 docs/json-schema.md $(DESTDIR)$(PREFIX)/share/doc/tcplab/json-schema.md
	install -d $(DESTDIR)$(PYDIR) $(DESTDIR)$(PREFIX)/include/tcplab $(DESTDIR)$(PREFIX)/lib
	install -m 644 attach/tcplab.py $(DESTDIR)$(PYDIR)/tcplab.py
	install -m 644 attach/client.h $(DESTDIR)$(PREFIX)/include/tcplab/attach_client.h
	install -m 644 $(BUILD)/libtcplab_attach.a $(DESTDIR)$(PREFIX)/lib/libtcplab_attach.a

clean:
	rm -rf build build-san build-clang build-fuzz tcplab
