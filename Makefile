# mpcap — one Makefile for the tool, its tests, samples and docs.
#
#   make demo    install missing Debian packages (as root), build, analyse the shipped samples
#   make check   same bootstrap, then every test (unit, end-to-end, tshark oracle, live namespaces)
#   make         build build/mpcap only (dependencies must already be installed)
#   make install PREFIX=/usr/local DESTDIR=
#
# Variables: SANITIZE=1 (ASan+UBSan build in build-san/), WERROR=0 to relax warnings.

PREFIX  ?= /usr/local
DESTDIR ?=
WERROR  ?= 1
SANITIZE ?= 0

ifeq ($(SANITIZE),1)
BUILD   ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
BUILD   ?= build
SANFLAGS =
endif

CC      ?= cc
PKG_CONFIG ?= pkg-config
# Libraries that ship a pkg-config file; libcsv, libbz2 and CRoaring ship none in Debian 12.
PKGS     = libpcap cairo gsl zlib libzstd liblzma libmaxminddb
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
EXTRA_LIBS = -lcsv -lbz2 -lroaring -lm

WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
ifeq ($(WERROR),1)
WARN    += -Werror
endif
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -Ianalyzer -Ireport -Iplots -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS     = $(PKG_LIBS) $(EXTRA_LIBS) -lpthread

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

LIB_SRC  = $(filter-out analyzer/main.c,$(wildcard analyzer/*.c report/*.c plots/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ = $(BUILD)/analyzer/main.o
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
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

MANS = $(wildcard docs/*.1)
install: $(BUILD)/mpcap
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/mpcap $(DESTDIR)$(PREFIX)/bin/mpcap
	$(if $(MANS),install -m 644 $(MANS) $(DESTDIR)$(PREFIX)/share/man/man1/)

clean:
	rm -rf build build-san

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
