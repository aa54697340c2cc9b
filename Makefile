# registry-addon - see README.md. `make run` and `make test` install what is
# missing (Debian packages, npm modules) before they build.

CC       ?= cc
PKGS     := libfyaml yaml-0.1 libcjson
CFLAGS   ?= -O2 -g
# every build's language and warnings, also where CFLAGS is given on make's command line
# (the ASan and fuzz builds below), which overrides the += here
WARN     := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread
CFLAGS   += $(WARN)
# libcrypto: only its headers for the program, which loads it when it needs it (src/ossl.h);
# tests/x509.c, which checks certificates with it, links it
CPPFLAGS += $(shell pkg-config --cflags $(PKGS) libcrypto 2>/dev/null)
LDFLAGS  += -Wl,--as-needed
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRYPTO_LIBS := $(shell pkg-config --libs libcrypto 2>/dev/null)
BUILD    ?= build

# the version: plugin.yaml is its only source (opts.h refuses a build without it)
PLUGIN_YAML := plugin/registry-addon/plugin.yaml
VERSION  := $(shell sed -n 's/^version: *//p' $(PLUGIN_YAML))
ifeq ($(shell printf '%s\n' '$(VERSION)' | grep -Ex '[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?'),)
$(error $(PLUGIN_YAML): no semantic version in 'version:' (got '$(VERSION)'))
endif
VERSION_DEF := -DREGISTRY_ADDON_VERSION='"$(VERSION)"'

# make install: standard places, DESTDIR for staging
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
INSTALL  ?= install

SRCS := \
	src/cfgfields.c \
	src/cfgfinish.c \
	src/cfgload.c \
	src/cfgprint.c \
	src/cfgschema.c \
	src/cfgsuggest.c \
	src/config.c \
	src/crypto.c \
	src/diag.c \
	src/emit.c \
	src/filter.c \
	src/host.c \
	src/images.c \
	src/inject.c \
	src/input.c \
	src/inject/certificates.c \
	src/inject/daemonset.c \
	src/inject/hosting.c \
	src/inject/namespace.c \
	src/inject/networkpolicy.c \
	src/inject/nodeconfig.c \
	src/inject/pdb.c \
	src/inject/pod.c \
	src/inject/pushca.c \
	src/inject/registryconfig.c \
	src/inject/resourcequota.c \
	src/inject/serviceaccount.c \
	src/inject/services.c \
	src/inject/statefulset.c \
	src/inject/syncconfig.c \
	src/inject/tlsdates.c \
	src/inject/tlssecret.c \
	src/inject/upstreams.c \
	src/k8sres.c \
	src/k8svalid.c \
	src/krm.c \
	src/krmwrap.c \
	src/mkdirp.c \
	src/krmwhere.c \
	src/prescalars.c \
	src/prescan.c \
	src/net.c \
	src/ossl.c \
	src/quantity.c \
	src/reconcile.c \
	src/resource.c \
	src/selector.c \
	src/textpos.c \
	src/timefmt.c \
	src/util.c \
	src/wselect.c \
	src/wsplice.c \
	src/wspread.c \
	src/x509.c \
	src/x509ca.c \
	src/x509util.c \
	src/ydoc.c \
	src/yanchor.c \
	src/ygate.c \
	src/yguard.c \
	src/yload.c \
	src/ylook.c \
	src/ypieces.c \
	src/ypos.c \
	src/yquote.c \
	src/ytext.c \
	src/ytree.c

LIB_OBJS := $(SRCS:%.c=$(BUILD)/%.o)
BIN      := $(BUILD)/registry-addon
TOOLS    := $(BUILD)/yamlcheck $(BUILD)/unit $(BUILD)/x509 $(BUILD)/fyparse $(BUILD)/prescan-check
MAN      := $(BUILD)/registry-addon.1
# make plugin: an installable Helm 4 plugin, as a directory and a reproducible tarball
PLUGIN_DIR := $(BUILD)/plugin/registry-addon
PLUGIN_TGZ := $(BUILD)/registry-addon-$(VERSION).tgz
# kubectl registry-addon status: a kubectl plugin (POSIX sh), installed beside the binary and in the tarball
KUBECTL_PLUGIN := plugin/kubectl-registry_addon

-include config.mk

.PHONY: all deps run test test-plain asan valgrind fuzz fuzz-build fuzz-fast fuzz-campaign fuzz-cov bench bench-scaling format clean plugin install uninstall

all: $(BIN) $(TOOLS) $(MAN) plugin/registry-addon/bin/registry-addon

deps:
	@bash tests/deps.sh

$(BUILD)/%.o: %.c $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# shell scripts embedded verbatim as C strings: the node script (node_trust_sh[]) and the
# registry pod's entrypoints (registry_run_sh[], registry_cache_sh[], regsync_sh[])
NODE_SCRIPT := src/node/node-trust.sh
SCRIPTS_H = $(1)/gen/nodescript.h $(1)/gen/runscript.h $(1)/gen/cachescript.h $(1)/gen/syncscript.h
# (no tabs, no trailing blanks: the emitter could not write them as block literals)
define embed
	@mkdir -p $(dir $@)
	@! grep -n -e "$$(printf '\t')" -e ' $$' $< || { echo "$<: tabs or trailing blanks (above)" >&2; exit 1; }
	@{ echo '/* generated from $< by the Makefile: do not edit */'; \
	  echo 'static const char $(1)[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/\t/\\t/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@.tmp && mv $@.tmp $@
endef
%/gen/nodescript.h: $(NODE_SCRIPT)
	$(call embed,node_trust_sh)
%/gen/runscript.h: src/pod/run.sh
	$(call embed,registry_run_sh)
%/gen/cachescript.h: src/pod/cache.sh
	$(call embed,registry_cache_sh)
%/gen/syncscript.h: src/pod/sync.sh
	$(call embed,regsync_sh)
$(BUILD)/src/inject/nodeconfig.o $(BUILD)/src/inject/registryconfig.o $(BUILD)/src/inject/syncconfig.o: \
	CPPFLAGS += -I$(BUILD)/gen
$(BUILD)/src/inject/nodeconfig.o: $(BUILD)/gen/nodescript.h
$(BUILD)/src/inject/registryconfig.o: $(BUILD)/gen/runscript.h $(BUILD)/gen/cachescript.h
$(BUILD)/src/inject/syncconfig.o: $(BUILD)/gen/syncscript.h

# the objects that print the version; a version change rebuilds them
$(BUILD)/src/main.o $(BUILD)/src/opts.o $(BUILD)/src/completion.o: CPPFLAGS += $(VERSION_DEF)
$(BUILD)/src/main.o $(BUILD)/src/opts.o $(BUILD)/src/completion.o: $(PLUGIN_YAML)

$(BIN): $(LIB_OBJS) $(BUILD)/src/main.o $(BUILD)/src/opts.o $(BUILD)/src/completion.o
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/unit: tests/unit.c $(LIB_OBJS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc $^ $(LDLIBS) $(CRYPTO_LIBS) -o $@

$(BUILD)/x509: tests/x509.c $(LIB_OBJS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc $^ $(LDLIBS) $(CRYPTO_LIBS) -o $@

# src/prescan.c against libfyaml, on files and their mutations (tests/cli.sh)
$(BUILD)/prescan-check: tests/prescan.c $(LIB_OBJS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc $^ $(LDLIBS) -o $@

$(BUILD)/yamlcheck: tests/yamlcheck.c
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $< $(shell pkg-config --cflags --libs yaml-0.1) -o $@

$(BUILD)/fyparse: bench/fyparse.c $(BUILD)/src/input.o $(BUILD)/src/diag.o $(BUILD)/src/textpos.o $(BUILD)/src/util.o
	@mkdir -p $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc $^ $(LDLIBS) -o $@

# dev mode: helm plugin install ./plugin/registry-addon
plugin/registry-addon/bin/registry-addon: $(BIN)
	@mkdir -p $(dir $@)
	cp $(BIN) $@

# the man page, from the binary's own --help and --version
$(MAN): $(BIN) src/man/mkman.sh
	sh src/man/mkman.sh $(BIN) > $@.tmp && mv $@.tmp $@

# Helm 4 wants the tarball's single top folder named like the tarball minus
# -VERSION.tgz. The entries are listed (never whatever else lies in the
# directory), sorted, with fixed times, owners and modes, and gzip -n: two
# builds give the same bytes.
plugin: $(PLUGIN_TGZ)

$(PLUGIN_DIR)/plugin.yaml: $(PLUGIN_YAML)
	$(INSTALL) -D -m 0644 $< $@

$(PLUGIN_DIR)/bin/registry-addon: $(BIN)
	$(INSTALL) -D -m 0755 $< $@

$(PLUGIN_DIR)/bin/kubectl-registry_addon: $(KUBECTL_PLUGIN)
	$(INSTALL) -D -m 0755 $< $@

$(PLUGIN_TGZ): $(PLUGIN_DIR)/plugin.yaml $(PLUGIN_DIR)/bin/registry-addon $(PLUGIN_DIR)/bin/kubectl-registry_addon
	tar -C $(dir $(PLUGIN_DIR)) --format=ustar --no-recursion --sort=name --mtime=@0 \
		--owner=0 --group=0 --numeric-owner --mode=go-w,a+rX -cf - \
		registry-addon registry-addon/plugin.yaml registry-addon/bin \
		registry-addon/bin/kubectl-registry_addon registry-addon/bin/registry-addon \
		| gzip -n -9 > $@.tmp && mv $@.tmp $@

install: $(BIN) $(MAN)
	$(INSTALL) -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/registry-addon
	$(INSTALL) -D -m 0644 $(MAN) $(DESTDIR)$(MANDIR)/man1/registry-addon.1
	$(INSTALL) -D -m 0755 $(KUBECTL_PLUGIN) $(DESTDIR)$(BINDIR)/kubectl-registry_addon

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/registry-addon $(DESTDIR)$(MANDIR)/man1/registry-addon.1 \
		$(DESTDIR)$(BINDIR)/kubectl-registry_addon

# the main job on the bundled example: the demo chart as Helm 3 renders it
run: deps
	@$(MAKE) --no-print-directory all >/dev/null
	$(BIN) < fixtures/example.yaml

ASAN_FLAGS := CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all $(WARN)" \
	LDFLAGS="-fsanitize=address,undefined" BUILD=build-asan

# every suite on the plain build, then the fixtures under ASan/UBSan
test: deps
	@$(MAKE) --no-print-directory all >/dev/null
	@$(MAKE) --no-print-directory $(ASAN_FLAGS) build-asan/registry-addon build-asan/unit build-asan/x509 >/dev/null
	@ASAN_OPTIONS=detect_leaks=1 bash tests/run-all build build-asan:quick

# the suite under AddressSanitizer and UndefinedBehaviorSanitizer
asan: deps
	@$(MAKE) --no-print-directory all >/dev/null
	@$(MAKE) --no-print-directory $(ASAN_FLAGS) build-asan/registry-addon build-asan/unit build-asan/x509
	@ASAN_OPTIONS=detect_leaks=1 bash tests/run-all build-asan

# the whole suite under valgrind
valgrind: all
	@VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect" \
		bash tests/run-all build

# libFuzzer targets (clang from Debian) over the core: the stream, KRM mode and the config
# file, each checking tests/fuzzcheck.h's invariants besides ASan/UBSan. tests/fuzz.sh
# builds the seed corpus (fixtures, tests/fuzz/corpus, the real charts of ../shared) and
# runs each target FUZZ_SECONDS (or FUZZ_RUNS executions); fuzz-cov reports the line
# coverage the corpus reaches.
FUZZ_TARGETS := fuzz fuzz-krm fuzz-config
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?=
FUZZ_WARN    := $(WARN)
FUZZ_FLAGS   := CC=clang BUILD=build-fuzz \
	CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all $(FUZZ_WARN)"
# fuzz-fast: UBSan without ASan, -O2, for long campaigns (several times the executions a second;
# ASan's findings need make fuzz)
FUZZ_FAST_FLAGS := CC=clang BUILD=build-fuzz-fast \
	CFLAGS="-g -O2 -fsanitize=fuzzer-no-link,undefined -fno-sanitize-recover=all $(FUZZ_WARN)"
FUZZ_COV_FLAGS := CC=clang BUILD=build-fuzz-cov \
	CFLAGS="-g -O1 -fsanitize=fuzzer-no-link -fprofile-instr-generate -fcoverage-mapping $(FUZZ_WARN)"

$(addprefix $(BUILD)/,$(FUZZ_TARGETS)): $(BUILD)/%: tests/%.c tests/fuzzcheck.h $(LIB_OBJS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer -Isrc $< $(LIB_OBJS) $(LDLIBS) -o $@

fuzz-build:
	@$(MAKE) --no-print-directory $(FUZZ_FLAGS) $(FUZZ_TARGETS:%=build-fuzz/%)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) bash tests/fuzz.sh build-fuzz

fuzz-fast: deps
	@$(MAKE) --no-print-directory $(FUZZ_FAST_FLAGS) $(FUZZ_TARGETS:%=build-fuzz-fast/%)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) bash tests/fuzz.sh build-fuzz-fast

# fuzz-campaign: the long proof (tests/fuzz-campaign.sh: two lanes, GOAL executions, HOURS at most)
fuzz-campaign: deps
	@$(MAKE) --no-print-directory $(FUZZ_FAST_FLAGS) $(FUZZ_TARGETS:%=build-fuzz-fast/%)
	@bash tests/fuzz-campaign.sh build-fuzz-fast

fuzz-cov: deps
	@$(MAKE) --no-print-directory $(FUZZ_COV_FLAGS) $(FUZZ_TARGETS:%=build-fuzz-cov/%)
	@bash tests/fuzz.sh --coverage build-fuzz-cov

# BEFORE=path/to/an/older/binary: the scaling benchmark runs it side by side
bench: all
	@bash bench/run.sh $(BIN)
	@bash bench/scaling.sh $(BIN)

bench-scaling: all
	@bash bench/scaling.sh $(BIN)

format:
	clang-format -i src/*.c src/*.h src/inject/*.c tests/*.c

clean:
	rm -rf build build-asan build-fuzz build-fuzz-fast build-fuzz-cov plugin/registry-addon/bin
