# kubectl-crucible: tiny kubectl plugins on one shared library.
#   make            build bin/
#   make check      build and run every test; ends with "N passed, N failed"
#   make asan       the same tests under AddressSanitizer + UBSan (in build/asan)
#   make valgrind   the unit tests under valgrind's leak checker
#   make demo       the guide end to end against the simulated cluster
#   make bench      benchmark figures (see bench/)
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

.PHONY: all check asan valgrind demo bench install clean dist
.DELETE_ON_ERROR:

COMPLETERS = $(BINDIR)/kubectl_complete-crucible \
	$(foreach t,$(filter-out crucible,$(TOOLS)),$(BINDIR)/kubectl_complete-crucible-$(t))

all: $(BINS) $(COMPLETERS) $(LINKS)

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

check: all $(UNIT_TESTS)
	@CRUCIBLE_BIN=$(abspath $(BINDIR)) CRUCIBLE_TESTBIN=$(abspath $(BUILD)/tests) \
		bash tests/run-tests.sh

SAN = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan:
	$(MAKE) check O=build/asan CFLAGS="$(SAN)" LDFLAGS="$(SAN)" \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1

valgrind: all $(UNIT_TESTS)
	@CRUCIBLE_BIN=$(abspath $(BINDIR)) CRUCIBLE_TESTBIN=$(abspath $(BUILD)/tests) \
		CRUCIBLE_VALGRIND=1 bash tests/run-tests.sh unit

demo: all
	CRUCIBLE_BIN=$(abspath $(BINDIR)) bash tests/demo.sh

bench: all
	CRUCIBLE_BIN=$(abspath $(BINDIR)) bash bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	$(foreach t,$(DASHED),ln -sf kubectl-crucible-$(t) $(DESTDIR)$(PREFIX)/bin/kubectl-crucible-$(subst -,_,$(t));)
	cp -R k8s $(DESTDIR)$(DATADIR)/
	cp -P $(COMPLETERS) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf $(BUILD) $(BINDIR) $(O)/dist

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# A krew archive: the binaries (with the underscore links), the manifests and
# completion, plus dist/krew-manifest.yaml carrying the archive's sha256.
DISTDIR = $(O)/dist
DIST = $(DISTDIR)/kubectl-crucible-linux-amd64.tar.gz
dist: all
	@rm -rf $(DISTDIR)/stage && mkdir -p $(DISTDIR)/stage/bin
	cp -P $(BINDIR)/kubectl-crucible* $(COMPLETERS) $(DISTDIR)/stage/bin/
	cp -R k8s $(DISTDIR)/stage/k8s
	cp README.md $(DISTDIR)/stage/
	tar -C $(DISTDIR)/stage -czf $(DIST).tmp --owner=0 --group=0 . && mv $(DIST).tmp $(DIST)
	sed "s/SHA256_OF_THE_ARCHIVE/$$(sha256sum $(DIST) | cut -d' ' -f1)/" krew-manifest.yaml > $(DISTDIR)/krew-manifest.yaml
	@rm -rf $(DISTDIR)/stage
	@echo "dist: $(DIST)"
