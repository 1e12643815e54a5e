# Quire — build, demo, test plan. See README.md.
BUILD   ?= build
CC      ?= cc
PKGS    := libcjson libcmark-gfm libunibreak libpng zlib
# HarfBuzz, its subsetter and fontconfig are opened by fontlib.c, not linked
# (see there): compiled against, and linked only into the tests that call
# them directly
FONT_PKGS  := fontconfig harfbuzz harfbuzz-subset
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(FONT_PKGS) libqpdf libmicrohttpd 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcmark-gfm-extensions -lhpdf -lhyphen -ldeflate -lm
FONT_LIBS  := $(shell pkg-config --libs $(FONT_PKGS) 2>/dev/null)
OPT     ?= -O2
CFLAGS  ?=
override CFLAGS += -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -Werror -Iinclude $(PKG_CFLAGS)
override LDLIBS += $(PKG_LIBS)
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# quire --version: two libraries carry no version in their headers, so
# theirs is taken here, as installed when quire is built.
UNIBREAK_VERSION := $(shell pkg-config --modversion libunibreak 2>/dev/null)
HYPHEN_VERSION   := $(shell dpkg-query -W -f='$${Version}' libhyphen0 2>/dev/null)
VERSION_DEFS := -DQR_UNIBREAK_BUILT_VERSION='"$(UNIBREAK_VERSION)"' \
                -DQR_HYPHEN_BUILT_VERSION='"$(HYPHEN_VERSION)"'

SRCS    := $(wildcard pipeline/*.c)
OBJS    := $(patsubst pipeline/%.c,$(BUILD)/obj/%.o,$(SRCS))
LIBOBJS := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
TESTS   := $(patsubst tests/%.c,%,$(wildcard tests/test_*.c))
TESTBINS:= $(patsubst %,$(BUILD)/tests/%,$(TESTS)) $(BUILD)/tests/mustache_spec $(BUILD)/tests/corpus

# The hyphenation dictionary compiled to the image quire reads (hyphdict.c),
# made beside the binary so that even a first run with an empty cache skips
# compiling it (quire looks beside its executable, then in
# ../share/quire: qr_cache_shipped_path). The image names the dictionary's
# size, time and inode, so it is made again when the dictionary changes.
# Without the dictionary there is no image, and no hyphenation at run time.
HYPH_DICT  := /usr/share/hyphen/hyph_en_GB.dic
HYPH_IMAGE := $(BUILD)/$(notdir $(HYPH_DICT)).image
# Likewise fontconfig's resolution of the default house style's families
# and their faces' kerning tables and metrics (fonts.c, `quire fonts`):
# build/fonts is checked by the stamps of every fontconfig file and font
# folder and the environment it was made in, each table by its font files'
# stamps and HarfBuzz's identity (build/harfbuzz: its libraries' paths and
# stamps), so a first run in that environment needs neither fontconfig's
# initialisation nor any pair shaped nor any advance measured. Made without touching
# the user's cache; fonts.made records that they were made for this quire.
SHIPPED_FONTS := $(BUILD)/fonts.made

.PHONY: all deps demo sample-appendices test unit e2e asan valgrind bench bless clean lint fuzz

all: $(BUILD)/quire $(HYPH_IMAGE) $(SHIPPED_FONTS)

deps:
	@scripts/deps.sh

$(BUILD)/obj/%.o: pipeline/%.c $(wildcard include/quire/*.h pipeline/*.h) | $(BUILD)/obj
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/version.o: override CFLAGS += $(VERSION_DEFS)

# libqpdf is opened by appendix.c when a pack imports a PDF, not linked
# (see there): its soname is the one of the libqpdf built against.
QPDF_SONAME := $(shell objdump -p $$(pkg-config --variable=libdir libqpdf 2>/dev/null)/libqpdf.so 2>/dev/null | awk '/SONAME/ { print $$2 }')
$(BUILD)/obj/appendix.o: override CFLAGS += -DQR_QPDF_SONAME='"$(QPDF_SONAME)"'
$(BUILD)/obj/appendix.o: Makefile
# libmicrohttpd likewise, by serve.c when watch --serve starts (it brings
# GnuTLS and eight more shared objects every other run would load for nothing)
MHD_SONAME := $(shell objdump -p $$(pkg-config --variable=libdir libmicrohttpd 2>/dev/null)/libmicrohttpd.so 2>/dev/null | awk '/SONAME/ { print $$2 }')
$(BUILD)/obj/serve.o: override CFLAGS += -DQR_MHD_SONAME='"$(MHD_SONAME)"'
$(BUILD)/obj/serve.o: Makefile
# and HarfBuzz, its subsetter and fontconfig, by fontlib.c when a paper is
# first typeset (a render's warm-up thread, while the paper is parsed)
soname = $(shell objdump -p $$(pkg-config --variable=libdir $(1) 2>/dev/null)/lib$(1).so 2>/dev/null | awk '/SONAME/ { print $$2 }')
$(BUILD)/obj/fontlib.o: override CFLAGS += -DQR_HB_SONAME='"$(call soname,harfbuzz)"' \
    -DQR_HB_SUBSET_SONAME='"$(call soname,harfbuzz-subset)"' \
    -DQR_FC_SONAME='"$(call soname,fontconfig)"'
$(BUILD)/obj/fontlib.o: Makefile
# the pack's built-in templates are compiled in (pipeline/pack_templates.c)
$(BUILD)/obj/pack_templates.o: $(wildcard templates/pack/*.md)
$(BUILD)/obj/hyphdict.o: override CFLAGS += $(VERSION_DEFS)

$(BUILD)/obj $(BUILD)/tests:
	@mkdir -p $@

$(BUILD)/libquire.a: $(LIBOBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/quire: $(BUILD)/obj/main.o $(BUILD)/libquire.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(HYPH_IMAGE): $(BUILD)/quire $(wildcard $(HYPH_DICT))
	@if [ -r $(HYPH_DICT) ]; then \
	    $(BUILD)/quire hyphenation --out $(BUILD) || \
	    echo "quire: no hyphenation image: every cold run compiles the dictionary"; \
	else \
	    echo "quire: $(HYPH_DICT) not found (Debian's hyphen-en-gb): no hyphenation image, no hyphenation"; \
	fi

$(SHIPPED_FONTS): $(BUILD)/quire
	@rm -f $(BUILD)/kern-* $(BUILD)/metrics-* $(BUILD)/harfbuzz $(BUILD)/fonts $@
	@if QUIRE_NO_CACHE=1 $(BUILD)/quire fonts --out $(BUILD); then touch $@; \
	else echo "quire: no font resolution or kerning tables shipped: a first run makes its own"; fi

$(BUILD)/tests/%: tests/%.c $(BUILD)/libquire.a $(wildcard tests/*.h) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests -o $@ $< $(BUILD)/libquire.a $(LDFLAGS) $(LDLIBS) $(FONT_LIBS) -lcmocka

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(BUILD)/quire

# the Cabinet sample's PDF appendices, made again from their Markdown in
# samples/meetings/appendices/ (scripts/sample-appendices.sh)
sample-appendices: all
	@scripts/sample-appendices.sh $(BUILD)/quire

test: deps
	@$(MAKE) --no-print-directory all $(TESTBINS)
	@BUILD=$(BUILD) tests/run.sh

unit: $(TESTBINS)
	@BUILD=$(BUILD) tests/run.sh unit

e2e: all
	@BUILD=$(BUILD) tests/run.sh e2e

asan: deps
	@# slow unwinding: libraries built without frame pointers (libharu) keep
	@# their frames in leak reports, so tests/lsan.supp can name them
	@ASAN_OPTIONS=fast_unwind_on_malloc=0 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 CFLAGS="$(SAN)" LDFLAGS="$(SAN)" test

valgrind: deps
	@$(MAKE) --no-print-directory all $(TESTBINS)
	@BUILD=$(BUILD) QUIRE_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --suppressions=$(CURDIR)/tests/valgrind.supp" tests/run.sh

# make bless shows the diff of every golden file that would change and
# writes them only with BLESS=1 (or after asking on a terminal)
BLESS   ?=
bless: all
	@BUILD=$(BUILD) BLESS=$(BLESS) tests/bless.sh

clean:
	rm -rf build build-asan out

# make install PREFIX=/usr/local [DESTDIR=…]: binary, templates (partials,
# styles), the hyphenation image, the font resolution and kerning tables
# and the man page. The image and the fonts' files are made again here by
# the installed quire, like fc-cache or ldconfig after installing: they
# name the dictionary, configuration and font files of the machine they
# are made on (inode and time), so they must be made where they will be
# read; a packager whose package is built elsewhere runs `quire
# hyphenation --out /usr/share/quire` and `quire fonts --out
# /usr/share/quire` in its postinst and on the dictionary's, the fonts',
# fontconfig's and HarfBuzz's upgrades instead (docs/performance.md).
PREFIX  ?= /usr/local
.PHONY: install
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/quire $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/quire $(DESTDIR)$(PREFIX)/bin/quire
	rm -rf $(DESTDIR)$(PREFIX)/share/quire/templates
	cp -R templates $(DESTDIR)$(PREFIX)/share/quire/templates
	chmod -R u=rwX,go=rX $(DESTDIR)$(PREFIX)/share/quire/templates
	rm -f $(DESTDIR)$(PREFIX)/share/quire/$(notdir $(HYPH_IMAGE))
	@if [ -r $(HYPH_DICT) ]; then \
	    $(DESTDIR)$(PREFIX)/bin/quire hyphenation --out $(DESTDIR)$(PREFIX)/share/quire && \
	    chmod 644 $(DESTDIR)$(PREFIX)/share/quire/$(notdir $(HYPH_IMAGE)); \
	else \
	    echo "quire: $(HYPH_DICT) not found: no hyphenation image installed"; \
	fi
	rm -f $(DESTDIR)$(PREFIX)/share/quire/kern-* $(DESTDIR)$(PREFIX)/share/quire/metrics-* \
	    $(DESTDIR)$(PREFIX)/share/quire/harfbuzz $(DESTDIR)$(PREFIX)/share/quire/fonts
	QUIRE_NO_CACHE=1 $(DESTDIR)$(PREFIX)/bin/quire fonts --out $(DESTDIR)$(PREFIX)/share/quire && \
	    chmod 644 $(DESTDIR)$(PREFIX)/share/quire/kern-* $(DESTDIR)$(PREFIX)/share/quire/metrics-* \
	        $(DESTDIR)$(PREFIX)/share/quire/harfbuzz $(DESTDIR)$(PREFIX)/share/quire/fonts || \
	    echo "quire: no font resolution or font tables installed: a first run makes its own"
	install -m 644 man/quire.1 $(DESTDIR)$(PREFIX)/share/man/man1/quire.1

# libFuzzer targets and regression replays (make fuzz)
-include tests/fuzz/fuzz.mk
-include bench/bench.mk
