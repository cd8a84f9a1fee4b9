# mpcap — one Makefile for the tool, its tests, samples and docs.
#
#   make demo    install missing Debian packages (as root), build, analyse the shipped samples
#   make check   same bootstrap, then every test (unit, end-to-end, tshark oracle, live namespaces)
#   make         build build/mpcap only (dependencies must already be installed)
#   make install PREFIX=/usr/local DESTDIR=
#
# Variables: SANITIZE=1 (ASan+UBSan build in build-san/), SANITIZE=thread (ThreadSanitizer
# build in build-tsan/, see check-tsan), WERROR=0 to relax warnings.

PREFIX  ?= /usr/local
DESTDIR ?=
WERROR  ?= 1
SANITIZE ?= 0

ifeq ($(SANITIZE),1)
BUILD   ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else ifeq ($(SANITIZE),thread)
BUILD   ?= build-tsan
SANFLAGS = -fsanitize=thread -fno-omit-frame-pointer
else
BUILD   ?= build
SANFLAGS =
endif

CC      ?= cc
PKG_CONFIG ?= pkg-config
# Libraries that ship a pkg-config file; libcsv, libbz2 and CRoaring ship none in Debian 12.
PKGS     = libpcap cairo gsl zlib libzstd liblzma libmaxminddb jansson libcrypto
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
EXTRA_LIBS = -lcsv -lbz2 -lroaring -lm

WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
ifeq ($(WERROR),1)
WARN    += -Werror
endif
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -I. -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS     = $(PKG_LIBS) $(EXTRA_LIBS) -lpthread

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# Source folders are the layers (docs/architecture.md); tests/check-layers.py keeps arrows pointing down.
SRC_DIRS = analyzer/base analyzer/capture analyzer/dissect analyzer/ingest analyzer/scan analyzer/results \
           report/stats report/attribution report/series report/page plots cli
LIB_SRC  = $(filter-out cli/main.c,$(wildcard $(SRC_DIRS:%=%/*.c)))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ = $(BUILD)/cli/main.o
UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_OBJ = $(UNIT_SRC:%.c=$(BUILD)/%.o)
SAMPLE_TOOLS_SRC = $(wildcard samples/tools/*.c)
SAMPLE_TOOLS = $(SAMPLE_TOOLS_SRC:samples/tools/%.c=$(BUILD)/samples/%)

.PHONY: all deps demo check unit format format-check install clean docs samples figures
all: $(BUILD)/mpcap $(SAMPLE_TOOLS)

# V=1 shows the full compiler command lines.
ifeq ($(V),1)
Q =
else
Q = @
endif

# `git describe` of the checkout, baked into main.o for manifest.json (empty
# when the source is not a git checkout of its own, e.g. an unpacked tarball);
# main.o is rebuilt when it changes.
GIT_DESCRIBE := $(shell [ "$$(git -C '$(CURDIR)' rev-parse --show-toplevel 2>/dev/null)" = '$(CURDIR)' ] && \
                  git -C '$(CURDIR)' describe --always --dirty 2>/dev/null)
$(shell mkdir -p $(BUILD) && (echo '$(GIT_DESCRIBE)' | cmp -s - $(BUILD)/git-describe || \
          echo '$(GIT_DESCRIBE)' > $(BUILD)/git-describe))
$(BUILD)/cli/main.o: $(BUILD)/git-describe
$(BUILD)/cli/main.o: ALL_CFLAGS += -DMPCAP_GIT_DESCRIBE='"$(GIT_DESCRIBE)"'

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -DMPCAP_VERSION='"$(VERSION)"' -c $< -o $@

$(BUILD)/libmpcap.a: $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/mpcap: $(MAIN_OBJ) $(BUILD)/libmpcap.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/samples/%: samples/tools/%.c $(BUILD)/libmpcap.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libmpcap.a $(ALL_LDFLAGS) $(LIBS)

# mpcap-gen: its main in samples/tools/, its parts in samples/gen/ (docs/samples.md)
GEN_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard samples/gen/*.c))
$(BUILD)/samples/mpcap-gen: samples/tools/mpcap-gen.c $(GEN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(GEN_OBJ) $(ALL_LDFLAGS) $(LIBS)
-include $(GEN_OBJ:.o=.d)

$(BUILD)/unit-tests: $(UNIT_OBJ) $(BUILD)/libmpcap.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) -lcriterion

# ---- bootstrap: install what a fresh Debian 12 lacks (as root), then recurse so
# that pkg-config sees the freshly installed libraries.
deps:
	@scripts/install-deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(BUILD)/mpcap

check: deps
	@$(MAKE) --no-print-directory all $(BUILD)/unit-tests
	@MPCAP=$(BUILD)/mpcap BUILD=$(BUILD) SANITIZE=$(SANITIZE) tests/run-all.sh

unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

format:
	clang-format -i $$(git ls-files --cached --others --exclude-standard '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files --cached --others --exclude-standard '*.c' '*.h')

MANS = $(wildcard docs/*.1)
install: $(BUILD)/mpcap
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/mpcap $(DESTDIR)$(PREFIX)/bin/mpcap
	$(if $(MANS),install -m 644 $(MANS) $(DESTDIR)$(PREFIX)/share/man/man1/)

clean:
	rm -rf build build-san build-tsan

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(SAMPLE_TOOLS:=.d)

# ---- the synthetic six-month world (docs/samples.md): deterministic, seeded
SAMPLES_DIR ?= $(BUILD)/samples-data
samples: $(BUILD)/samples/mpcap-gen
	$(BUILD)/samples/mpcap-gen -q --v6 --out $(SAMPLES_DIR)

# the study's table and figures from the synthetic world (docs/reproduce.md)
figures: deps
	@$(MAKE) --no-print-directory all
	@scripts/figures.sh $(BUILD)/mpcap $(BUILD)/samples/mpcap-gen $(BUILD)/figures

# docs/columns.md is generated from the column tables (checked by tests/check-docs.sh)
docs: $(BUILD)/mpcap
	{ sed -n '1,/^<!-- generated below/p' docs/columns.md; $(BUILD)/mpcap columns; } > docs/columns.md.tmp
	mv docs/columns.md.tmp docs/columns.md

# ---- robustness (docs/robustness.md) ------------------------------------------
#   make fuzz [FUZZ_SECONDS=N]  build the libFuzzer harnesses (clang, build/fuzz/) and run
#                               each for N seconds on a copy of its seed corpus
#   make fuzz-replay            the same harnesses as plain programs ($(BUILD)/fuzz-replay/),
#                               plus the sweep driver $(BUILD)/sweep; tests/e2e/ runs them
#   make check-san              `make check SANITIZE=1`: everything under ASan + UBSan
#   make check-tsan             the threaded paths under ThreadSanitizer (build-tsan/):
#                               tests/e2e/jobs.sh (Criterion's arena cannot start under TSan)
FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_NAMES    = capture analyze dissect tcp icmp csv attribution prefix state
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Wno-missing-field-initializers $(FUZZ_SAN) \
                $(PKG_CFLAGS) -I. -Itests/fuzz -MMD -MP
FUZZ_LIB_OBJ  = $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_BINS     = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
REPLAY_BINS   = $(FUZZ_NAMES:%=$(BUILD)/fuzz-replay/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-replay check-san check-tsan

# Sanitizer reports end a program with status 66 (never 1, which tests expect for
# ordinary errors); third-party caches are not leaks (tests/fuzz/lsan.supp).
ifeq ($(SANITIZE),1)
export ASAN_OPTIONS ?= exitcode=66:detect_leaks=1
export UBSAN_OPTIONS ?= exitcode=66:print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS ?= suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0
endif

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -DMPCAP_VERSION='"$(VERSION)"' -c $< -o $@

$(FUZZ_BUILD)/libmpcap.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_BUILD)/libmpcap.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

$(BUILD)/fuzz-replay/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay_main.o $(BUILD)/libmpcap.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/sweep: $(BUILD)/tests/sweep/sweep.o $(BUILD)/libmpcap.a
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/fuzz/%.o $(BUILD)/tests/sweep/%.o: ALL_CFLAGS += -Itests/fuzz

fuzz-replay: $(REPLAY_BINS) $(BUILD)/sweep

# keep the harness objects (make would delete them as intermediate files)
.SECONDARY: $(FUZZ_NAMES:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o) $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/fuzz_%.o) \
            $(BUILD)/tests/fuzz/replay_main.o $(BUILD)/tests/sweep/sweep.o

check-san:
	@$(MAKE) --no-print-directory check SANITIZE=1

# A race report ends the program with status 66; the e2e script sees it as a difference.
check-tsan:
	@$(MAKE) --no-print-directory SANITIZE=thread build-tsan/mpcap build-tsan/bench/scangen
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 $(TSAN_OPTIONS)" MPCAP=build-tsan/mpcap BUILD=build-tsan JOBS_PACKETS=40000 \
	  tests/e2e/jobs.sh

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_NAMES:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.d)
-include $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/fuzz_%.d) $(BUILD)/tests/fuzz/replay_main.d $(BUILD)/tests/sweep/sweep.d

# ---- speed and scale (docs/performance.md, docs/scale.md) ---------------------
#   make bench   generates (or reuses) the bench captures under $(BUILD)/bench/ and prints
#                the table of docs/performance.md; BENCH_RUNS=N runs per figure (median)
BENCH_TOOLS = $(BUILD)/bench/scangen $(BUILD)/bench/pcapcount $(BUILD)/bench/readcount $(BUILD)/bench/runstat $(BUILD)/bench/setfill
.PHONY: bench bench-tools
all: $(BENCH_TOOLS)
bench-tools: $(BENCH_TOOLS)

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libmpcap.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libmpcap.a $(ALL_LDFLAGS) $(LIBS)

bench: deps
	@$(MAKE) --no-print-directory all
	@MPCAP=$(BUILD)/mpcap BUILD=$(BUILD) tests/bench/run-bench.sh

-include $(BENCH_TOOLS:=.d)
