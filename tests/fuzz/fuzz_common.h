/* fuzz_common.h — shared by the libFuzzer targets in tests/fuzz/.
 *
 * Each target defines LLVMFuzzerTestOneInput (and, when it needs state that
 * lives across inputs, LLVMFuzzerInitialize). Built two ways (fuzz.mk):
 *   - with clang -fsanitize=fuzzer,address,undefined against the pipeline
 *     sources compiled with the same flags: build/fuzz/<target>;
 *   - with replay.c's main (no libFuzzer) against build/libquire.a, as the
 *     test build/tests/test_fuzz_<target> that replays every input kept in
 *     tests/regress/<target>/ and tests/fuzz/seeds/<target>/ — under `make
 *     asan` and `make valgrind` too.
 *
 * Inputs holding several parts (data, template, partials) separate them with
 * the line FUZZ_SEP, so a regression input stays readable in an editor.
 */
#ifndef QUIRE_FUZZ_COMMON_H
#define QUIRE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quire/diag.h"
#include "quire/fonts.h"
#include "quire/style.h"

#define FUZZ_SEP "\n@@@@\n"
#define FUZZ_SEP_LEN (sizeof FUZZ_SEP - 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Split d[0..n) on FUZZ_SEP into at most `max` parts (the last part keeps
 * any further separators). Returns the number of parts (>= 1). */
static inline size_t fuzz_split(const uint8_t *d, size_t n,
                                const char **part, size_t *len, size_t max)
{
    size_t k = 0;
    const char *p = (const char *)d, *end = p + n;
    while (k + 1 < max) {
        const char *s = memmem(p, (size_t)(end - p), FUZZ_SEP, FUZZ_SEP_LEN);
        if (!s) break;
        part[k] = p;
        len[k] = (size_t)(s - p);
        k++;
        p = s + FUZZ_SEP_LEN;
    }
    part[k] = p;
    len[k] = (size_t)(end - p);
    return k + 1;
}

/* The default house style and its fonts, loaded once per process by the
 * targets that lay out; aborts when the fonts cannot be had (a broken
 * machine, not an input to explore). */
static inline qr_fonts *fuzz_default_fonts(qr_style *style)
{
    qr_style_default(style);
    qr_diags *d = qr_diags_new();
    qr_fonts *fonts = qr_fonts_load(style, d);
    if (!fonts) {
        qr_diags_print(d, stderr);
        abort();
    }
    qr_diags_free(d);
    return fonts;
}

#endif
