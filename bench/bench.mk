# bench/bench.mk — `make bench` (included from the Makefile): builds quire
# (at the Makefile's default -O2) and the timing driver, then runs
# bench/run.sh. A benchmark, not a test: it prints figures and writes
# bench/results.json; it fails only when something cannot be run.
$(BUILD)/bench/bench: bench/bench.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o $@ $<

# libqpdf's own reading of a file: the floor under a tagged appendix
$(BUILD)/bench/qpdf_read: bench/qpdf_read.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror $$(pkg-config --cflags libqpdf) -o $@ $< $$(pkg-config --libs libqpdf)

bench: $(BUILD)/quire $(HYPH_IMAGE) $(BUILD)/bench/bench $(BUILD)/bench/qpdf_read
	@BUILD=$(BUILD) bench/run.sh
