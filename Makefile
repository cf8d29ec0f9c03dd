# Build for the memcache server, the client library and their tests.
#
#   make            build every library and binary (release: -O2 -g)
#   make run        install missing packages, build, start the server on 127.0.0.1:11211
#   make test       install missing packages, build, run every test
#   make bench      build and run the side-by-side benchmarks (bench/run.sh)
#   make deps       install missing Debian packages with apt-get
#   make SAN=address|thread test   sanitizer builds in build-asan/ and build-tsan/
#   make fuzz       build the libFuzzer targets (clang) and run each for FUZZ_SECONDS
#
# Layout: each top-level library folder (sock, codec, memcache, client) becomes a
# static library; every main/*.cc is a binary; tests/<lib>/*_test.cc become one
# GoogleTest binary per library folder.

CXX      ?= g++
SAN      ?=
ifeq ($(SAN),address)
  BUILD    := build-asan
  SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else ifeq ($(SAN),thread)
  BUILD    := build-tsan
  SANFLAGS := -fsanitize=thread
else ifeq ($(SAN),fuzz)
  # libFuzzer builds (make fuzz): clang, coverage + ASan + UBSan everywhere.
  CXX      := clang++
  BUILD    := build-fuzz
  SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
  BUILD    := build
  SANFLAGS :=
endif

CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++17 -Wall -Wextra -Werror=return-type -pthread -MMD -MP -I. $(SANFLAGS)
LDFLAGS  += -pthread $(SANFLAGS)
LDLIBS   := -levent_pthreads -levent -lglog -lgflags -lpthread
TESTLIBS := -lgtest -lgmock
# Extra libraries for one test binary: tests/client compares with libmemcached.
TESTLIBS_client := -lmemcached

NPROC    := $(shell nproc 2>/dev/null || echo 2)
LIBDIRS  := sock codec memcache client
# Each library, and the libraries it links against (the layer order of STYLE.md).
DEPS_sock     := sock
DEPS_codec    := codec sock
DEPS_memcache := memcache codec sock
DEPS_client   := client codec sock
DEPS_main     := client memcache codec sock

srcs_of  = $(shell find $(1) -name '*.cc' 2>/dev/null | sort)
objs_of  = $(patsubst %.cc,$(BUILD)/obj/%.o,$(1))
lib_of   = $(BUILD)/lib/lib$(1).a
libs_for = $(foreach d,$(DEPS_$(1)),$(call lib_of,$(d)))

BINARIES := $(patsubst main/%.cc,$(BUILD)/bin/%,$(wildcard main/*.cc))
BENCH_BINARIES := $(patsubst bench/%.cc,$(BUILD)/bin/%,$(wildcard bench/*.cc))
TESTDIRS := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard tests/*/*_test.cc)))))
TESTBINS := $(foreach d,$(TESTDIRS),$(BUILD)/tests/$(d)_tests)

.PHONY: all run test bench clean deps fuzz
all: $(BINARIES) $(BENCH_BINARIES) $(TESTBINS)

define LIB_RULE
$(call lib_of,$(1)): $(call objs_of,$(call srcs_of,$(1)))
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach d,$(LIBDIRS),$(eval $(call LIB_RULE,$(d))))

$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

$(BUILD)/bin/%: $(BUILD)/obj/main/%.o $(call libs_for,main)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/bin/%: $(BUILD)/obj/bench/%.o $(call libs_for,main)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $^ -o $@ $(LDLIBS)
# bench/client_vs_libmemcached.cc measures against libmemcached.
$(BUILD)/bin/client_vs_libmemcached: LDLIBS += -lmemcached
# Keep every object (make would delete the main/ and bench/ ones as intermediates).
.SECONDARY:

# tests/<dir>/*_test.cc (plus any helpers in tests/<dir> and tests/common)
# link against the libraries of <dir>; tests/main links against everything.
define TEST_RULE
$(BUILD)/tests/$(1)_tests: $(call objs_of,$(call srcs_of,tests/$(1)) $(call srcs_of,tests/common)) $(call libs_for,$(if $(DEPS_$(1)),$(1),main))
	@mkdir -p $$(dir $$@)
	$$(CXX) $$(LDFLAGS) $$^ -o $$@ $$(TESTLIBS) $$(TESTLIBS_$(1)) -lgtest_main $$(LDLIBS)
endef
$(foreach d,$(TESTDIRS),$(eval $(call TEST_RULE,$(d))))

# Packages a fresh Debian machine needs; installed only when missing.
PACKAGES := g++ make pkg-config libevent-dev libgoogle-glog-dev libgflags-dev \
            libgtest-dev libgmock-dev memcached libmemcached-tools libmemcached-dev
deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

run: deps
	@$(MAKE) --no-print-directory -j$(NPROC) $(BUILD)/bin/memcache_server
	$(BUILD)/bin/memcache_server -p 11211 -l 127.0.0.1

test: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@scripts/run_tests.sh $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all
	bench/run.sh $(BUILD)

clean:
	rm -rf build build-asan build-tsan build-fuzz

# Fuzzing: every tests/fuzz/*_fuzzer.cc is a libFuzzer target linked with all
# libraries, built into build-fuzz/fuzz/. Each run reads the seeds in
# tests/fuzz/corpus/<target>/ and grows its corpus in build-fuzz/corpus/<target>/;
# crashers land in build-fuzz/artifacts/ (keep them in tests/fuzz/regressions/).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.cc,%,$(wildcard tests/fuzz/*_fuzzer.cc))
FUZZ_FLAGS   ?= -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
$(BUILD)/fuzz/%_fuzzer: $(BUILD)/obj/tests/fuzz/%_fuzzer.o $(call libs_for,main)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -fsanitize=fuzzer $^ -o $@ $(LDLIBS)

.PRECIOUS: $(BUILD)/obj/tests/fuzz/%.o

fuzz:
	@$(MAKE) --no-print-directory SAN=fuzz -j$(NPROC) $(addprefix build-fuzz/fuzz/,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t build-fuzz/artifacts; \
	  echo "=== $$t: $(FUZZ_SECONDS) s"; \
	  build-fuzz/fuzz/$$t $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
	    -dict=tests/fuzz/memcache.dict -artifact_prefix=build-fuzz/artifacts/$$t- \
	    build-fuzz/corpus/$$t tests/fuzz/corpus/$$t; \
	done

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
