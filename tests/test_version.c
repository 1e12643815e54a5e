/* Unit tests for the library versions behind `quire --version`
 * (version.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "quire/version.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "1.7.15", "0.29.0.gfm.6", "2.8.8-7": starts with digits, a dot, a digit */
static int looks_like_version(const char *s)
{
    const char *p = s;
    if (!isdigit((unsigned char)*p)) return 0;
    while (isdigit((unsigned char)*p)) p++;
    return p[0] == '.' && isdigit((unsigned char)p[1]);
}

static void test_every_library_named_with_versions(void **state)
{
    (void)state;
    static const char *const names[QR_NLIBS] = {
        "libharu", "cJSON", "cmark-gfm", "HarfBuzz", "fontconfig",
        "libpng", "libunibreak", "libhyphen", "libdeflate", "libmicrohttpd"};
    /* the libraries with no run-time query of their version */
    static const char *const no_query[] = {"libunibreak", "libhyphen",
                                           "libdeflate"};
    qr_lib_version v[QR_NLIBS];
    memset(v, 0xAB, sizeof v);
    qr_lib_versions(v);
    for (int i = 0; i < QR_NLIBS; i++) {
        assert_string_equal(v[i].name, names[i]);
        /* the Makefile passes libunibreak's and libhyphen's in */
        if (!looks_like_version(v[i].built)) fail_msg("%s built '%s'", v[i].name, v[i].built);
        int query = 1;
        for (size_t k = 0; k < sizeof no_query / sizeof *no_query; k++)
            if (strcmp(v[i].name, no_query[k]) == 0) query = 0;
        if (query) {
            if (!looks_like_version(v[i].running))
                fail_msg("%s running '%s'", v[i].name, v[i].running);
            assert_string_equal(v[i].built_from, "headers");
        } else {
            assert_string_equal(v[i].running, "");
        }
    }
    assert_string_equal(v[6].built_from, "pkg-config");
    assert_string_equal(v[7].built_from, "Debian package");
    assert_string_equal(v[8].built_from, "headers");
}

static void test_print_first_line_then_a_row_per_library(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    qr_version_print(f, "9.8.7");
    fclose(f);
    assert_true(strncmp(buf, "quire 9.8.7\n", 12) == 0);
    int lines = 0;
    for (size_t i = 0; i < len; i++) lines += buf[i] == '\n';
    assert_int_equal(lines, 2 + QR_NLIBS);   /* name, header, libraries */
    assert_non_null(strstr(buf, "\nlibhyphen "));
    assert_non_null(strstr(buf, "(no run-time query)"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_library_named_with_versions),
        cmocka_unit_test(test_print_first_line_then_a_row_per_library),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
