# fuzz.mk — libFuzzer targets and their regression replays.
# Included from the Makefile. See tests/fuzz/README.md.
#
#   make fuzz                  build every target, then run each for
#                              FUZZ_SECONDS (default 60) on its corpus
#   make fuzz FUZZ_TARGETS=markdown FUZZ_SECONDS=600
#   make fuzz-build            build only (build/fuzz/fuzz_<target>)
#
# The targets are compiled by clang from the pipeline sources with
# -fsanitize=fuzzer-no-link,address,undefined (not from libquire.a, whose
# objects carry no coverage). Every target is also built without libFuzzer
# as build/tests/test_fuzz_<target>, which `make test` runs over the inputs
# kept in tests/regress/<target>/ and tests/fuzz/seeds/<target>/ (and fails
# when the seeds are missing: replaying nothing proves nothing). make fuzz
# fails for a target whose generated seeds are empty.

FUZZ_ALL     := load expand markdown pipeline image
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -O1 -g -Wall -Wextra \
                -Iinclude -Itests/fuzz $(PKG_CFLAGS)
FUZZ_OBJS    := $(patsubst pipeline/%.c,$(FUZZ_DIR)/obj/%.o,$(filter-out pipeline/main.c,$(SRCS)))
FUZZ_BINS    := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))
# Longest input per target: big enough for a real paper, small enough that
# the fuzzer stays fast (linear-time cases are in tests/pathological/).
FUZZ_MAXLEN_load     := 65536
FUZZ_MAXLEN_expand   := 16384
FUZZ_MAXLEN_markdown := 32768
FUZZ_MAXLEN_pipeline := 32768
FUZZ_MAXLEN_image    := 65536
FUZZ_RSS_MB          ?= 2048
FUZZ_LSAN := LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
             UBSAN_OPTIONS=print_stacktrace=1 \
             ASAN_OPTIONS=detect_stack_use_after_return=1

TESTBINS += $(patsubst %,$(BUILD)/tests/test_fuzz_%,$(FUZZ_ALL))

.PHONY: fuzz fuzz-build fuzz-corpus
# the objects are only named inside a pattern rule: keep make from deleting them
.SECONDARY: $(FUZZ_OBJS)

$(FUZZ_DIR)/obj/%.o: pipeline/%.c $(wildcard include/quire/*.h pipeline/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(PKG_LIBS)

# the replay build: plain cc (or the asan build's flags), libquire.a, cmocka
$(BUILD)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz_common.h $(BUILD)/libquire.a | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/fuzz -DFUZZ_TARGET='"$*"' -o $@ $< tests/fuzz/replay.c $(BUILD)/libquire.a $(LDFLAGS) $(LDLIBS) -lcmocka

fuzz-build: $(FUZZ_BINS)

fuzz-corpus:
	@rm -rf $(FUZZ_DIR)/seeds && mkdir -p $(FUZZ_DIR)/corpus
	@python3 tests/fuzz/seeds.py $(FUZZ_DIR)/seeds
	@for t in $(FUZZ_TARGETS); do mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/crash; done

# Each run: new corpus entries go to build/fuzz/corpus/<target>, a crash to
# build/fuzz/crash/<target>-*. Copy a crash into tests/regress/<target>/ once
# it is fixed so that `make test` replays it for ever.
fuzz: fuzz-build fuzz-corpus
	@fail=0; for t in $(FUZZ_TARGETS); do \
	  case $$t in load) m=$(FUZZ_MAXLEN_load);; expand) m=$(FUZZ_MAXLEN_expand);; \
	    markdown) m=$(FUZZ_MAXLEN_markdown);; pipeline) m=$(FUZZ_MAXLEN_pipeline);; \
	    *) m=$(FUZZ_MAXLEN_image);; esac; \
	  if [ -z "$$(ls -A $(FUZZ_DIR)/seeds/$$t 2>/dev/null)" ]; then \
	    echo "fuzz: $$t: no seeds in $(FUZZ_DIR)/seeds/$$t: nothing to fuzz from"; fail=1; continue; fi; \
	  dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s (max_len $$m)"; \
	  $(FUZZ_LSAN) $(FUZZ_DIR)/fuzz_$$t $$dict -max_len=$$m -timeout=10 \
	    -rss_limit_mb=$(FUZZ_RSS_MB) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_DIR)/crash/$$t- $(FUZZ_DIR)/corpus/$$t \
	    $(FUZZ_DIR)/seeds/$$t $$( [ -d tests/regress/$$t ] && echo tests/regress/$$t ) \
	    $$( [ -d tests/fuzz/seeds/$$t ] && echo tests/fuzz/seeds/$$t ) \
	    2>$(FUZZ_DIR)/$$t.log || { fail=1; echo "fuzz: $$t FOUND A CRASH (see $(FUZZ_DIR)/$$t.log)"; tail -40 $(FUZZ_DIR)/$$t.log; }; \
	  grep -E '^stat::number_of_executed_units|^Done' $(FUZZ_DIR)/$$t.log | sed "s/^/fuzz: $$t: /"; \
	done; exit $$fail
