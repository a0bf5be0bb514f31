# netcap: plain GNU make. See docs/ARCHITECTURE.md.
#   make                 release build (-O2 -g) into $(BUILD)/netcap
#   make DEBUG=1         -O0 -g3 -DNC_DEBUG
#   make SANITIZER=address   ASan + UBSan (BUILD defaults to build-asan)
#   make check           unit tests + golden/oracle tests + bad-input tests + fuzz corpus replay
#   make fuzz            libFuzzer targets (fuzz/README.md; also fuzz-smoke, fuzz-replay)
#   make demo            capture the shipped example and dump a few records
#   make bench           benchmark (needs ../shared/bench)
#   make install         binary, man pages, Python module, bash completion
#                        (PREFIX=/usr/local DESTDIR=; also make uninstall)
CC        ?= gcc
BUILD     ?= build
SANITIZER ?=
ifneq ($(SANITIZER),)
BUILD     := build-$(SANITIZER)
endif
PKGS      := libpcap libprotobuf-c libzstd zlib libcrypto libmicrohttpd libnats libsodium
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wold-style-definition -Wpointer-arith -Wcast-qual -Wwrite-strings -Wundef -Wvla \
        -Wformat=2 -Wimplicit-fallthrough -Wconversion -Wsign-conversion -Wnull-dereference
ifneq ($(findstring clang,$(CC)),)
WARN += -Wmissing-variable-declarations
else
WARN += -Wmissing-declarations -Wno-format-truncation
endif
ifeq ($(DEBUG),1)
OPT := -O0 -g3 -DNC_DEBUG
else
OPT := -O2 -g
endif
SANFLAGS :=
ifeq ($(SANITIZER),address)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(SANITIZER),undefined)
SANFLAGS := -fsanitize=undefined -fno-sanitize-recover=all
else ifeq ($(SANITIZER),thread)
SANFLAGS := -fsanitize=thread
endif
WERROR ?= -Werror
BASE_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -pthread $(OPT) $(SANFLAGS) -MMD -MP \
               -Isrc -isystem $(BUILD)/gen $(PKG_CFLAGS)
CFLAGS_OWN  := $(BASE_CFLAGS) $(WARN) $(WERROR)
LDFLAGS     += -pthread $(SANFLAGS)
LDLIBS      += $(PKG_LIBS) -lm

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
# version.h changes only when the version does, so only version.c rebuilds
VERSION_H := $(BUILD)/gen/version_gen.h
$(shell mkdir -p $(BUILD)/gen; echo '#define NC_VERSION_STRING "$(VERSION)"' > $(VERSION_H).tmp; \
	cmp -s $(VERSION_H).tmp $(VERSION_H) || mv $(VERSION_H).tmp $(VERSION_H); rm -f $(VERSION_H).tmp)

ifeq ($(V),1)
Q :=
else
Q := @
endif

SRCS    := $(sort $(wildcard src/*/*.c))
OBJS    := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRCS))
GEN_C   := $(BUILD)/gen/netcap.pb-c.c
GEN_H   := $(BUILD)/gen/netcap.pb-c.h $(BUILD)/gen/records.def $(BUILD)/gen/encoders.inc
GEN_O   := $(BUILD)/obj/gen/netcap.pb-c.o
MAIN_O  := $(BUILD)/obj/main.o
LIB     := $(BUILD)/libnetcap.a
BIN     := $(BUILD)/netcap
# the Python module's schema: a FileDescriptorSet (docs/PYTHON.md)
PY_DESC := $(BUILD)/python/netcap.desc
PY_SRCS := $(sort $(wildcard python/netcap/*.py))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: all deps check check-release check-sanitized unit golden demo bench clean lint fuzz \
        python install uninstall
all: $(BIN) $(PY_DESC)

$(BUILD)/gen/netcap.pb-c.c $(BUILD)/gen/netcap.pb-c.h: schema/netcap.proto
	@mkdir -p $(BUILD)/gen
	@echo "  PROTOC $<"
	$(Q)protoc-c --c_out=$(BUILD)/gen --proto_path=schema $<

$(PY_DESC): schema/netcap.proto
	@mkdir -p $(dir $@)
	@echo "  PROTOC $@"
	$(Q)protoc-c --proto_path=schema --descriptor_set_out=$@.tmp $< && mv $@.tmp $@

python: $(PY_DESC)

$(BUILD)/gen/records.def: schema/netcap.proto $(BUILD)/gen/netcap.pb-c.h scripts/gen-records.sh
	@echo "  GEN    $@"
	$(Q)sh scripts/gen-records.sh schema/netcap.proto $(BUILD)/gen/netcap.pb-c.h > $@.tmp && mv $@.tmp $@

# encoders.inc: straight-line encoders generated from the descriptors by a
# small host program (scripts/gen-encoders.c), built without sanitizers
$(BUILD)/gen/gen-encoders: scripts/gen-encoders.c $(BUILD)/gen/netcap.pb-c.c $(BUILD)/gen/records.def
	@echo "  HOSTCC $@"
	$(Q)cc -std=c11 -O1 -w -I$(BUILD)/gen -o $@ scripts/gen-encoders.c $(BUILD)/gen/netcap.pb-c.c \
		$(shell pkg-config --cflags --libs libprotobuf-c)

$(BUILD)/gen/encoders.inc: $(BUILD)/gen/gen-encoders
	@echo "  GEN    $@"
	$(Q)$< > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c $(BUILD)/gen/netcap.pb-c.h
	@mkdir -p $(dir $@)
	@echo "  CC     $<"
	$(Q)$(CC) $(BASE_CFLAGS) -w -c $< -o $@

$(BUILD)/obj/%.o: src/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	@echo "  CC     $<"
	$(Q)$(CC) $(CFLAGS_OWN) -c $< -o $@

$(MAIN_O): src/main.c $(GEN_H)
	@mkdir -p $(dir $@)
	@echo "  CC     $<"
	$(Q)$(CC) $(CFLAGS_OWN) -c $< -o $@

$(LIB): $(OBJS) $(GEN_O)
	@echo "  AR     $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(MAIN_O) $(LIB)
	@echo "  LD     $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  CC     $<"
	$(Q)$(CC) $(CFLAGS_OWN) -Wno-missing-prototypes -Wno-missing-declarations \
		-Wno-missing-variable-declarations -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS) -lcmocka

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "  UNIT   $$t"; $$t; done

golden: $(BIN)
	@NETCAP=$(BIN) tests/run-all.sh

# deps: install missing Debian packages (as root) or say which are missing
deps:
	@sh scripts/bootstrap.sh

# check: unit tests and every suite on the release build, then the same
# under ASan+UBSan (leak checking on). The heavy matrices (hostile: every
# hostile and corpus capture cut and mutated; torture: every allocation
# failed in turn) run once, in the sanitizer pass, where they find the most.
# Warnings are errors throughout.
check: deps
	@$(MAKE) --no-print-directory check-release
ifeq ($(SANITIZER),)
	@$(MAKE) --no-print-directory SANITIZER=address CC=clang check-sanitized
endif

check-release: $(BIN) $(UNIT_BINS)
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory unit
	@NETCAP=$(BIN) SKIP_SUITES="$(if $(SANITIZER),,hostile torture)" tests/run-all.sh
	@$(MAKE) --no-print-directory fuzz-replay

check-sanitized: $(BIN) $(UNIT_BINS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(MAKE) --no-print-directory unit
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		NC_SANITIZED=1 NETCAP=$(BIN) tests/run-all.sh
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(MAKE) --no-print-directory fuzz-replay

demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	@rm -rf demo-out
	$(BIN) capture -read examples/loopback.pcap -out demo-out
	@ls demo-out
	$(BIN) dump -read demo-out/DNS.ncap.zst -select timestamp,src_ip,dst_port,id,qr,response_code,questions,answers -n 8
	$(BIN) dump -read demo-out/Connection.ncap.zst -select src_ip,src_port,dst_ip,dst_port,transport_proto,application_proto,num_packets,total_size,end_reason -n 8
	$(BIN) dump -read demo-out/HTTP.ncap.zst -select timestamp,src_ip,method,host,url,status_code,res_content_type,uid -n 8

bench: deps $(BIN)
	@sh scripts/bootstrap.sh --bench
	@NETCAP=$(BIN) bench/run

# lint: source checks and clang-format (formatting is checked, never applied)
lint:
	@sh scripts/checksrc.sh
	@clang-format --dry-run -Werror src/*/*.c src/*/*.h src/main.c && echo "clang-format: ok"

clean:
	rm -rf build build-*

# ------------------------------------------------------------------ install
# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the man pages,
# the Python module (with the schema's descriptor set) and the bash
# completion. PYTHONDIR is where Debian's python3 looks: /usr/lib/python3/
# dist-packages for PREFIX=/usr, else $(PREFIX)/lib/python3.X/dist-packages.
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
PYTHON3     ?= $(firstword $(wildcard /usr/bin/python3) python3)
PY_VER       = $(shell $(PYTHON3) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3)
ifeq ($(PREFIX),/usr)
PYTHONDIR   ?= $(PREFIX)/lib/python3/dist-packages
else
PYTHONDIR   ?= $(PREFIX)/lib/python$(PY_VER)/dist-packages
endif
MAN_PAGES   := $(sort $(wildcard man/*.1))

install: $(BIN) $(PY_DESC)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(PYTHONDIR)/netcap \
		$(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/netcap
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(PY_SRCS) $(PY_DESC) $(DESTDIR)$(PYTHONDIR)/netcap/
	install -m 644 completions/netcap.bash $(DESTDIR)$(BASHCOMPDIR)/netcap

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/netcap $(DESTDIR)$(BASHCOMPDIR)/netcap
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(MAN_PAGES))
	rm -f $(patsubst python/netcap/%,$(DESTDIR)$(PYTHONDIR)/netcap/%,$(PY_SRCS)) \
		$(DESTDIR)$(PYTHONDIR)/netcap/netcap.desc
	rm -rf $(DESTDIR)$(PYTHONDIR)/netcap/__pycache__
	-rmdir $(DESTDIR)$(PYTHONDIR)/netcap 2>/dev/null

# ------------------------------------------------------------------ fuzzing
# libFuzzer targets fuzz/fuzz_*.c (see fuzz/README.md). Each links
# fuzz/common.c and $(LIB), the same archive the binary links.
#   make fuzz          clang, ASan+UBSan; the library is also instrumented for
#                      coverage (-fsanitize=fuzzer-no-link) into $(FUZZ_BUILD)/lib;
#                      targets are $(FUZZ_BUILD)/fuzz_*
#   make fuzz-smoke    each target for FUZZ_SECONDS on a copy of fuzz/corpus/;
#                      fails if any crash/leak/timeout/oom input appeared
#   make fuzz-replay   the targets linked with fuzz/onefile.c and this build's
#                      $(LIB) (any CC, any SANITIZER) replay fuzz/corpus/<t>/ and
#                      fuzz/crashes/<t>/; part of check-release/check-sanitized
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_NAMES   := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_BINS    := $(patsubst %,$(FUZZ_BUILD)/%,$(FUZZ_NAMES))
FUZZ_DEPS    := fuzz/common.c fuzz/common.h $(LIB) $(GEN_H)
FUZZ_CFLAGS   = $(filter-out -MMD -MP,$(CFLAGS_OWN)) -Ifuzz
REPLAY_BINS  := $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_NAMES))
.PHONY: fuzz fuzz-bins fuzz-smoke fuzz-replay

fuzz:
	@$(MAKE) --no-print-directory CC=clang SANITIZER=address BUILD=$(FUZZ_BUILD)/lib \
		SANFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-bins

fuzz-bins: $(FUZZ_BINS)

$(FUZZ_BINS): $(FUZZ_BUILD)/%: fuzz/%.c $(FUZZ_DEPS)
	@echo "  FUZZ   $@"
	$(Q)$(CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< fuzz/common.c $(LIB) $(LDFLAGS) $(LDLIBS)

fuzz-smoke: fuzz
	@rm -rf $(FUZZ_BUILD)/smoke; failed=; for t in $(FUZZ_NAMES); do \
		d=$(FUZZ_BUILD)/smoke/$$t; mkdir -p $$d/corpus $$d/crashes; \
		if [ -d fuzz/corpus/$$t ]; then cp fuzz/corpus/$$t/* $$d/corpus/ 2>/dev/null || true; fi; \
		dict=fuzz/dict/$${t#fuzz_}.dict; [ -f $$dict ] && dict=-dict=$$dict || dict=; \
		echo "  SMOKE  $$t ($(FUZZ_SECONDS) s)"; \
		$(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=5 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix=$$d/crashes/ $$dict $$d/corpus \
			> $$d/log 2>&1 || failed="$$failed $$t"; \
		grep -E 'DONE|^stat::(number_of_executed_units|peak_rss_mb)' $$d/log || true; \
	done; \
	bad=$$(find $(FUZZ_BUILD)/smoke -path '*/crashes/*' -type f); \
	if [ -n "$$failed$$bad" ]; then echo "fuzz-smoke: FAILED:$$failed (logs: $(FUZZ_BUILD)/smoke/<target>/log)"; \
		[ -z "$$bad" ] || echo "$$bad"; exit 1; fi; echo "fuzz-smoke: no crashes"

$(REPLAY_BINS): $(BUILD)/fuzz/%: fuzz/%.c fuzz/onefile.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC     $@"
	$(Q)$(CC) $(FUZZ_CFLAGS) -o $@ $< fuzz/common.c fuzz/onefile.c $(LIB) $(LDFLAGS) $(LDLIBS)

fuzz-replay: $(REPLAY_BINS)
	@set -e; for t in $(FUZZ_NAMES); do \
		dirs=; for d in fuzz/corpus/$$t fuzz/crashes/$$t; do [ -d $$d ] && dirs="$$dirs $$d"; done; \
		echo "  REPLAY $$t"; $(BUILD)/fuzz/$$t $$dirs; done
# ------------------------------------------------------------ end of fuzzing

-include $(OBJS:.o=.d) $(MAIN_O:.o=.d) $(UNIT_BINS:=.d)
