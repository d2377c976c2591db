# kubectl-crucible: tiny kubectl plugins on one shared library.
#   make            build bin/
#   make check      build and run every test; ends with "N passed, N failed"
#   make asan       the same tests under AddressSanitizer + UBSan (in build/asan)
#   make valgrind   the unit tests, fuzz corpora and some tools' tests under valgrind
#   make fuzz       each fuzz target under libFuzzer (clang), FUZZ_TIME seconds each
#   make strict     compile everything with clang and extra warnings (-Wshadow -Wconversion ...)
#   make demo       the guide end to end against the simulated cluster
#   make bench      benchmark figures (see bench/)
#   make cluster    build the real control plane for make e2e (needs Go; cached)
#   make anchors    build helm and kapp for make bench's comparison (needs Go; cached)
#   make e2e        the cluster tests on the real control plane, through kubectl
#                   on PATH and the control plane's own kubectl
#   make install PREFIX=/usr/local DESTDIR=
#   make WERROR=0   warnings are not errors (a release build on a newer compiler; CI keeps them)

VERSION  = 0.1.0
PREFIX  ?= /usr/local
O       ?= .
CC      ?= cc
CFLAGS  ?= -O2 -g
LDFLAGS ?=
WERROR  ?= 1

BUILD  = $(O)/build
BINDIR = $(O)/bin
DATADIR = $(PREFIX)/share/kubectl-crucible

PKGS = popt yaml-0.1
# libjq 1.6 ships no pkg-config file.
LIBS = $(shell pkg-config --libs $(PKGS)) -ljq -lonig -lm
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra $(if $(filter 0,$(WERROR)),,-Werror) -Iinclude \
	$(shell pkg-config --cflags $(PKGS)) \
	-DCRUCIBLE_VERSION='"$(VERSION)"' -DCRUCIBLE_DATADIR='"$(DATADIR)"' $(CFLAGS)

LIB_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard common/*.c)) $(BUILD)/jq_sources.o
JQ_PROGRAMS = $(sort $(wildcard common/jq/*.jq cmd/*/*.jq))
TOOLS = $(patsubst cmd/%/main.c,%,$(wildcard cmd/*/main.c))
bin_name = $(if $(filter crucible,$(1)),kubectl-crucible,kubectl-crucible-$(1))
BINS = $(foreach t,$(TOOLS),$(BINDIR)/$(call bin_name,$(t)))
# kubectl asks for kubectl-crucible-migrate_db when told "crucible migrate-db":
# every tool with a dash in its name gets that underscore link too.
DASHED = $(foreach t,$(TOOLS),$(if $(findstring -,$(t)),$(t)))
LINKS = $(foreach t,$(DASHED),$(BINDIR)/kubectl-crucible-$(subst -,_,$(t)))
UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all check asan valgrind demo bench install clean dist fuzz fuzz-run strict cluster e2e anchors
.DELETE_ON_ERROR:

COMPLETERS = $(BINDIR)/kubectl_complete-crucible \
	$(foreach t,$(filter-out crucible,$(TOOLS)),$(BINDIR)/kubectl_complete-crucible-$(t)) \
	$(foreach t,$(DASHED),$(BINDIR)/kubectl_complete-crucible-$(subst -,_,$(t)))

# Man pages, generated from each binary's --help (steps that land later get one too);
# each names the others under SEE ALSO. The dispatcher's lists the steps built.
MANS = $(foreach t,$(TOOLS),$(O)/man/$(call bin_name,$(t)).1)
$(O)/man/%.1: $(BINDIR)/% tools/help2man.sh
	@mkdir -p $(@D)
	sh tools/help2man.sh $< $(VERSION) $(foreach t,$(TOOLS),$(call bin_name,$(t))) > $@.tmp && mv $@.tmp $@

all: $(MANS) $(BINS) $(COMPLETERS) $(LINKS)
$(O)/man/kubectl-crucible.1: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $<

$(BUILD)/jq_sources.c: $(BUILD)/tools/embed $(JQ_PROGRAMS)
	$(BUILD)/tools/embed $@ $(JQ_PROGRAMS)

$(BUILD)/jq_sources.o: $(BUILD)/jq_sources.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libcrucible.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

define tool_rule
$(BINDIR)/$(call bin_name,$(1)): $(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/$(1)/*.c)) $(BUILD)/libcrucible.a
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(LIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

define link_rule
$(BINDIR)/kubectl-crucible-$(subst -,_,$(1)): $(BINDIR)/kubectl-crucible-$(1)
	ln -sf kubectl-crucible-$(1) $$@
endef
$(foreach t,$(DASHED),$(eval $(call link_rule,$(t))))

# kubectl (1.26+) asks kubectl_complete-crucible, or kubectl_complete-crucible-STEP
# when the step's own binary is on PATH: one script under every name.
$(BINDIR)/kubectl_complete-crucible: completions/kubectl_complete-crucible
	@mkdir -p $(@D)
	cp $< $@ && chmod 0755 $@
$(BINDIR)/kubectl_complete-crucible-%: $(BINDIR)/kubectl_complete-crucible
	ln -sf kubectl_complete-crucible $@

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcrucible.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(BUILD)/libcrucible.a $(LIBS)

# Fuzz targets, tests/fuzz/NAME.c: a NAME that starts with a tool's name
# ("secrets-envfile") also links that tool's objects, its main renamed away.
# make check runs each over its corpus through tests/fuzz/driver.c (any
# compiler); make fuzz links them with libFuzzer instead.
FUZZ_TARGETS = $(basename $(notdir $(filter-out tests/fuzz/driver.c tests/fuzz/fuzz.c,$(wildcard tests/fuzz/*.c))))
fuzz_tool = $(filter $(firstword $(subst -, ,$(1))),$(TOOLS))
fuzz_objs = $(if $(call fuzz_tool,$(1)),$(filter-out %/main.o,$(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/$(call fuzz_tool,$(1))/*.c))) $(BUILD)/fuzz/$(call fuzz_tool,$(1))-main.o)
# overlay's edits die when refused: its target wraps cr_die to go on (see the file).
FUZZ_LINK_overlay-edit = -Wl,--wrap=cr_die,--wrap=cr_ydoc_parse,--wrap=cr_ydoc_free
FUZZ_REGRESS = $(patsubst %,$(BUILD)/tests/fuzz/%,$(FUZZ_TARGETS))

$(BUILD)/fuzz/%-main.o: $(BUILD)/cmd/%/main.o
	@mkdir -p $(@D)
	objcopy --redefine-sym main=crucible_$*_main $< $@

define fuzz_rule
$(BUILD)/tests/fuzz/$(1): tests/fuzz/$(1).c tests/fuzz/driver.c tests/fuzz/fuzz.c tests/fuzz/fuzz.h $(call fuzz_objs,$(1)) $(BUILD)/libcrucible.a
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) -Icmd -Itests/fuzz $$(LDFLAGS) $$(FUZZ_LINK_$(1)) -o $$@ $$(filter %.c %.o %.a,$$^) $$(LIBS)
$(BUILD)/fuzz/$(1): tests/fuzz/$(1).c tests/fuzz/fuzz.c tests/fuzz/fuzz.h $(call fuzz_objs,$(1)) $(BUILD)/libcrucible.a
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) -Icmd -Itests/fuzz -fsanitize=fuzzer $$(LDFLAGS) $$(FUZZ_LINK_$(1)) -o $$@ $$(filter %.c %.o %.a,$$^) $$(LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

check: all $(UNIT_TESTS) $(FUZZ_REGRESS)
	@CRUCIBLE_BIN=$(abspath $(BINDIR)) CRUCIBLE_TESTBIN=$(abspath $(BUILD)/tests) \
		bash tests/run-tests.sh

SAN = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan:
	$(MAKE) check O=build/asan CFLAGS="$(SAN)" LDFLAGS="$(SAN)" \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		LSAN_OPTIONS=suppressions=$(abspath tests/fuzz/lsan.supp)

# One fuzzer at a time, niced (FUZZ=NAME for one target; FUZZ_TIME seconds
# or FUZZ_RUNS executions each, whichever ends first). New inputs go to
# build/fuzz/corpus/NAME; a crash stops with its input in build/fuzz/.
# Fuzzing unwinds malloc stacks by frame pointer (full unwinding made the
# jq-heavy targets 10-100 times slower); libjq has none, so lsan.supp cannot
# match its frame and FUZZ_NOLEAK targets (those that reach libjq's parser
# leak) fuzz without libFuzzer's leak check. Every campaign ends with the
# whole corpus, seeds and new inputs, through the regression driver under
# LeakSanitizer with full stacks: that is where "no leak" is proven.
FUZZ_SAN = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_TIME ?= 60
FUZZ_RUNS ?= 10000000
FUZZ_NOLEAK = objects jstream jvshare
FUZZ_FULLSTACKS = fast_unwind_on_malloc=0:malloc_context_size=8
fuzz:
	$(MAKE) fuzz-run O=build/fuzz CC=clang CFLAGS="$(FUZZ_SAN)" LDFLAGS="$(FUZZ_SAN)"
fuzz-run: $(foreach t,$(or $(FUZZ),$(FUZZ_TARGETS)),$(BUILD)/fuzz/$(t) $(BUILD)/tests/fuzz/$(t))
	@for t in $(or $(FUZZ),$(FUZZ_TARGETS)); do \
		mkdir -p $(O)/corpus/$$t; \
		leaks=1; case " $(FUZZ_NOLEAK) " in *" $$t "*) leaks=0 ;; esac; \
		echo "fuzz: $$t ($(FUZZ_TIME) s or $(FUZZ_RUNS) runs, libFuzzer leak check $$leaks)"; \
		ASAN_OPTIONS=detect_leaks=$$leaks LSAN_OPTIONS=suppressions=$(abspath tests/fuzz/lsan.supp) \
		nice -n 15 $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_TIME) -runs=$(FUZZ_RUNS) \
			-detect_leaks=$$leaks -print_final_stats=1 -artifact_prefix=$(O)/$$t- \
			$(O)/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
		echo "fuzz: $$t: every corpus input under LeakSanitizer with full stacks"; \
		ASAN_OPTIONS=$(FUZZ_FULLSTACKS):detect_leaks=1 \
		LSAN_OPTIONS=suppressions=$(abspath tests/fuzz/lsan.supp) \
		nice -n 15 $(BUILD)/tests/fuzz/$$t $(O)/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

# clang with the extra warnings that find real bugs here; -Werror as always.
STRICT = -Wshadow -Wconversion -Wformat=2 -Wno-format-nonliteral -Wimplicit-fallthrough \
	-Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wundef -Wvla -Wnull-dereference \
	-Wunreachable-code
strict:
	$(MAKE) all $(patsubst $(BUILD)/%,build/strict/build/%,$(UNIT_TESTS) $(FUZZ_REGRESS)) \
		O=build/strict CC=clang CFLAGS="-O2 -g $(STRICT)"
	@echo "strict: every tool, unit test and fuzz target compiles warning-free with clang $(STRICT)"

# The unit tests, the fuzz corpora, and the tools themselves in the shell
# tests named here: every tool, with no timing or signals in them (valgrind
# is 20-50x slower), and none that inspects the binary or its memory
# (bad-input's unreadable file, secrets-check, verify's memory scan fail
# through the wrapper, not for a leak).
VALGRIND_SH = fuzz-corpus overlay-edit overlay-set overlay-validate overlay-create overlay-list \
	secrets-generate manifests migrate-db migrate-db-status deploy-base
valgrind: all $(UNIT_TESTS) $(FUZZ_REGRESS)
	@CRUCIBLE_BIN=$(abspath $(BINDIR)) CRUCIBLE_TESTBIN=$(abspath $(BUILD)/tests) \
		CRUCIBLE_VALGRIND=1 bash tests/run-tests.sh all '/test_$(subst $() ,,$(patsubst %,\|/%\.sh,$(VALGRIND_SH)))'

demo: all
	CRUCIBLE_BIN=$(abspath $(BINDIR)) bash tests/demo.sh

# The real control plane (tests/cluster): Kubernetes, etcd and kwok built
# from the Go module proxy into a cache keyed by go.sum.
cluster:
	@bash tests/cluster/build.sh >/dev/null

# The anchors bench/anchors.sh compares against (tests/cluster/anchors).
anchors:
	@bash tests/cluster/anchors/build.sh >/dev/null

# The files that talk to a cluster; KUBECONFIG=... runs them on yours instead
# (in a disposable namespace crucible), through kubectl on PATH only; an
# exported KUBECONFIG is never used, only one given on the command line.
E2E_FILES = deploy-\|secrets-\|overlay\|migrate\|verify
e2e: all cluster
	@cb=$$(bash tests/cluster/build.sh); \
	if [ "$(origin KUBECONFIG)" = "command line" ]; then \
		CRUCIBLE_CLUSTER=kubeconfig CRUCIBLE_KUBECONFIG=$(abspath $(KUBECONFIG)) \
		CRUCIBLE_BIN=$(abspath $(BINDIR)) bash tests/run-tests.sh sh '$(E2E_FILES)'; \
	else \
		CRUCIBLE_CLUSTER=real CRUCIBLE_CLUSTER_BIN=$$cb CRUCIBLE_E2E_KUBECTLS="path $$cb/kubectl" \
		CRUCIBLE_BIN=$(abspath $(BINDIR)) bash tests/run-tests.sh sh '$(E2E_FILES)'; \
	fi

bench: all
	CRUCIBLE_BIN=$(abspath $(BINDIR)) bash bench/run.sh
	CRUCIBLE_BIN=$(abspath $(BINDIR)) bash bench/verify.sh
	CRUCIBLE_BIN=$(abspath $(BINDIR)) bash bench/anchors.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	$(foreach t,$(DASHED),ln -sf kubectl-crucible-$(t) $(DESTDIR)$(PREFIX)/bin/kubectl-crucible-$(subst -,_,$(t));)
	cp -R k8s $(DESTDIR)$(DATADIR)/
	cp -P $(COMPLETERS) $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 $(MANS) $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf $(BUILD) $(BINDIR) $(O)/dist $(O)/man

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# A krew archive: the binaries (with the underscore links), the manifests and
# completion, plus dist/krew-manifest.yaml carrying the archive's sha256.
DISTDIR = $(O)/dist
DIST = $(DISTDIR)/kubectl-crucible-linux-amd64.tar.gz
dist: all
	@rm -rf $(DISTDIR)/stage && mkdir -p $(DISTDIR)/stage/bin
	@# krew's unpacker refuses symlinks: regular files only (the dispatcher
	@# maps migrate_db itself; the per-step completer names are for PATH installs).
	cp $(foreach f,$(BINS) $(COMPLETERS),$(if $(shell test -L $(f) && echo l),,$(f))) $(DISTDIR)/stage/bin/
	cp -R k8s $(DISTDIR)/stage/k8s
	cp README.md LICENSE $(DISTDIR)/stage/
	tar -C $(DISTDIR)/stage -czf $(DIST).tmp --owner=0 --group=0 . && mv $(DIST).tmp $(DIST)
	sed "s/SHA256_OF_THE_ARCHIVE/$$(sha256sum $(DIST) | cut -d' ' -f1)/" krew-manifest.yaml > $(DISTDIR)/krew-manifest.yaml
	@rm -rf $(DISTDIR)/stage
	@echo "dist: $(DIST)"
