/* Unit tests for the shared helpers: util.c (buffers, arenas, files,
 * UTF-8, atomic writes), diag.c (located diagnostics) and pages.c (the
 * display-list container). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "quire/diag.h"
#include "quire/layout.h"
#include "quire/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_buf(void **state)
{
    (void)state;
    qr_buf b;
    qr_buf_init(&b);
    for (int i = 0; i < 1000; i++) qr_buf_printf(&b, "%d,", i);
    assert_true(b.len > 3000);
    assert_int_equal(b.data[b.len], '\0');
    assert_memory_equal(b.data, "0,1,2,", 6);
    qr_buf_puts(&b, "end");
    size_t n;
    char *s = qr_buf_detach(&b, &n);
    assert_int_equal(strlen(s), n);
    assert_string_equal(s + n - 3, "end");
    assert_null(b.data);
    free(s);
    char *f = qr_xasprintf("%s-%d", "x", 42);
    assert_string_equal(f, "x-42");
    free(f);
}

static void test_arena(void **state)
{
    (void)state;
    qr_arena *a = qr_arena_new();
    char *first = qr_arena_strdup(a, "first");
    for (int i = 0; i < 10000; i++) {
        int *p = qr_arena_alloc(a, sizeof(int) * 7);
        assert_int_equal(((uintptr_t)p) % 16, 0);
        assert_int_equal(p[6], 0);   /* zeroed */
        p[6] = i;
    }
    char *big = qr_arena_alloc(a, 1 << 20);   /* larger than a chunk */
    memset(big, 'x', 1 << 20);
    assert_string_equal(first, "first");
    assert_string_equal(qr_arena_strndup(a, "abcdef", 3), "abc");
    qr_arena_free(a);
    qr_arena_free(NULL);
}

static void test_utf8(void **state)
{
    (void)state;
    uint32_t cp;
    assert_int_equal(qr_utf8_decode("\xE2\x98\x8E", 3, &cp), 3);
    assert_int_equal(cp, 0x260E);
    assert_int_equal(qr_utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(qr_utf8_decode("\xC0\x80", 2, &cp), 0);       /* overlong */
    assert_int_equal(qr_utf8_decode("\xED\xA0\x80", 3, &cp), 0);   /* surrogate */
    assert_int_equal(qr_utf8_decode("\xE2\x98", 2, &cp), 0);       /* truncated */
    assert_int_equal(cp, 0xFFFD);
    char out[4];
    assert_int_equal(qr_utf8_encode(0xA3, out), 2);
    assert_memory_equal(out, "\xC2\xA3", 2);
    assert_int_equal(qr_utf8_check("ok \xC2\xA3", 5), (size_t)-1);
    assert_int_equal(qr_utf8_check("ab\xFFz", 4), 2);
}

static void test_make_dirs(void **state)
{
    (void)state;
    char dir[] = "/tmp/quire-util-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *deep = qr_xasprintf("%s/a/b/c", dir);
    assert_true(qr_make_dirs(deep, 0700));
    struct stat st;
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_true(qr_make_dirs(deep, 0700));      /* already there */
    /* a file in the way is no folder */
    char *file = qr_xasprintf("%s/f", dir);
    assert_true(qr_write_atomic(file, "x", 1));
    assert_false(qr_make_dirs(file, 0700));
    char *under = qr_xasprintf("%s/f/g", dir);
    assert_false(qr_make_dirs(under, 0700));
    assert_false(qr_make_dirs("", 0700));
    char *cmd = qr_xasprintf("rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(under);
    free(file);
    free(deep);
}

static void test_files_atomic(void **state)
{
    (void)state;
    char dir[] = "/tmp/quire-util-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = qr_xasprintf("%s/out.pdf", dir);
    assert_true(qr_write_atomic(path, "hello", 5));
    size_t n;
    char *s = qr_read_file(path, &n, 0);
    assert_non_null(s);
    assert_int_equal(n, 5);
    assert_string_equal(s, "hello");
    free(s);
    /* a size limit refuses a larger file */
    assert_null(qr_read_file(path, &n, 4));
    assert_int_equal(errno, EFBIG);
    /* renaming over a directory fails; the temporary is removed */
    char *sub = qr_xasprintf("%s/sub.pdf", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_false(qr_write_atomic(sub, "x", 1));
    char *cmd = qr_xasprintf("test $(ls %s | wc -l) -eq 2", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    /* a missing directory fails cleanly */
    char *missing = qr_xasprintf("%s/nope/out.pdf", dir);
    assert_false(qr_write_atomic(missing, "x", 1));
    assert_int_equal(errno, ENOENT);
    rmdir(sub);
    unlink(path);
    rmdir(dir);
    free(missing);
    free(sub);
    free(path);
}

static void test_diag_location(void **state)
{
    (void)state;
    const char *text = "line one\nsecond \xE2\x80\x9Cline\xE2\x80\x9D here\n";
    size_t len = strlen(text);
    int line, col;
    size_t off = (size_t)(strstr(text, "here") - text);
    qr_text_linecol(text, len, off, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 15); /* characters, not bytes */
    qr_diags *d = qr_diags_new();
    qr_diag_at(d, QR_ERROR, "t.md", text, len, off, "no value for '%s'", "x");
    qr_diag_add(d, QR_WARNING, "data.json", 3, 4, "/paper/title", NULL, "w");
    assert_int_equal(qr_diags_len(d), 2);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_string_equal(g->source, "second \xE2\x80\x9Cline\xE2\x80\x9D here");
    char *s = qr_diag_format(g);
    assert_string_equal(s, "t.md:2:15: error: no value for 'x'");
    free(s);
    s = qr_diag_format(qr_diags_get(d, 1));
    assert_string_equal(s, "data.json:3:4: warning: /paper/title: w");
    free(s);
    /* the printed caret sits under the 15th character */
    char *buf = NULL;
    size_t bl = 0;
    FILE *f = open_memstream(&buf, &bl);
    qr_diags_print(d, f);
    fclose(f);
    assert_non_null(strstr(buf, "    2 | second"));
    assert_non_null(strstr(buf, "      |               ^\n"));
    free(buf);
    qr_diags *e = qr_diags_new();
    qr_diags_move(e, d);
    assert_int_equal(qr_diags_len(d), 0);
    assert_int_equal(qr_diags_len(e), 2);
    qr_diags_free(d);
    qr_diags_free(e);
    assert_null(qr_text_line(text, len, 9));
}

static void test_pages(void **state)
{
    (void)state;
    qr_pages *p = qr_pages_new();
    size_t pg = qr_pages_add_page(p, 595.28f, 841.89f);
    int doc = qr_pages_add_elem(p, QR_ROLE_DOCUMENT, -1, NULL, NULL);
    int para = qr_pages_add_elem(p, QR_ROLE_P, doc, NULL, NULL);
    char text[] = "Summary";
    qr_item it = {.kind = QR_ITEM_TEXT, .role = QR_ROLE_P, .elem = para,
                  .x = 56.7f, .y = 100, .w = 40, .size = 12,
                  .text = text, .len = 7};
    qr_pages_add_item(p, pg, &it);
    text[0] = 'X';   /* the list keeps its own copy */
    const qr_page *page = qr_pages_get(p, 0);
    assert_int_equal(page->nitems, 1);
    assert_string_equal(page->items[0].text, "Summary");
    assert_int_equal(qr_pages_nelems(p), 2);
    assert_int_equal(qr_pages_elem(p, 1)->parent, 0);
    qr_pages_set_alt(p, para, "alt");
    assert_string_equal(qr_pages_elem(p, 1)->alt, "alt");
    char *buf = NULL;
    size_t bl = 0;
    FILE *f = open_memstream(&buf, &bl);
    qr_pages_dump(p, f);
    fclose(f);
    assert_non_null(strstr(buf, "page 1 595.28 x 841.89\n"));
    assert_non_null(strstr(buf, "  text P e1 56.70 100.00 w40.00 f0 s12.00 \"Summary\"\n"));
    free(buf);
    qr_pages_free(p);
}

/* Hints on unknown keys: a case-only difference, or one edit (insertion,
 * deletion, substitution, transposition) counted in characters. */
static void test_near_miss(void **state)
{
    (void)state;
    assert_int_equal(qr_near_miss("Exempt", "exempt"), 1);
    assert_int_equal(qr_near_miss("EXEMPT", "exempt"), 1);
    assert_int_equal(qr_near_miss("exempt", "exempt"), 0);   /* identical */
    assert_int_equal(qr_near_miss("exemptt", "exempt"), 2);  /* insertion */
    assert_int_equal(qr_near_miss("xempt", "exempt"), 2);    /* deletion */
    assert_int_equal(qr_near_miss("exempd", "exempt"), 2);   /* substitution */
    assert_int_equal(qr_near_miss("exmept", "exempt"), 2);   /* transposition */
    assert_int_equal(qr_near_miss("xeempt", "exempt"), 2);   /* at the start */
    assert_int_equal(qr_near_miss("exemtp", "exempt"), 2);   /* at the end */
    assert_int_equal(qr_near_miss("Exmept", "exempt"), 2);   /* case + swap */
    assert_int_equal(qr_near_miss("exemption", "exempt"), 0);
    assert_int_equal(qr_near_miss("xmept", "exempt"), 0);    /* two edits */
    assert_int_equal(qr_near_miss("exmpet", "exempt"), 0);   /* not neighbours */
    assert_int_equal(qr_near_miss("tpmexe", "exempt"), 0);
    assert_int_equal(qr_near_miss("", "exempt"), 0);
    assert_int_equal(qr_near_miss("tex", "text"), 2);
    /* characters, not bytes: é for e is one substitution */
    assert_int_equal(qr_near_miss("ex\xC3\xA9mpt", "exempt"), 2);
    assert_int_equal(qr_near_miss("\xC3\xA9x", "ex"), 2);
    assert_int_equal(qr_near_miss("\xFF" "exempt", "exempt"), 2);
    /* any one letter is one edit from a one-letter name: no hint */
    assert_int_equal(qr_near_miss("y", "x"), 0);
    assert_int_equal(qr_near_miss("X", "x"), 1);
    /* long words are not compared */
    char longw[200];
    memset(longw, 'a', sizeof longw - 1);
    longw[sizeof longw - 1] = '\0';
    assert_int_equal(qr_near_miss(longw, longw + 1), 0);
    assert_int_equal(qr_near_miss(NULL, "x"), 0);

    static const char *const known[] = {"number", "title", "lead", "paper",
                                        "standing", "exempt", NULL};
    assert_string_equal(qr_did_you_mean("Exempt", known, SIZE_MAX), "exempt");
    assert_string_equal(qr_did_you_mean("titel", known, SIZE_MAX), "title");
    assert_string_equal(qr_did_you_mean("paper ", known, SIZE_MAX), "paper");
    assert_null(qr_did_you_mean("colour", known, SIZE_MAX));
    assert_null(qr_did_you_mean("exempt", known, SIZE_MAX));
    assert_null(qr_did_you_mean("Exempt", known, 5));  /* n stops the list */
    /* a case-only difference beats an earlier one-edit name */
    static const char *const rank[] = {"dates", "Date", "date"};
    assert_string_equal(qr_did_you_mean("DATE", rank, 3), "Date");
    assert_string_equal(qr_did_you_mean("datex", rank, 3), "dates");
}

/* qr_filehash: the same value however the bytes are fed (a file is read in
 * pieces of whatever size read returns), and another value when a byte,
 * the length or the order of the bytes changes. */
static void test_filehash(void **state)
{
    (void)state;
    unsigned char b[300];
    for (size_t i = 0; i < sizeof b; i++) b[i] = (unsigned char)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof b; n++) {
        uint64_t whole = qr_filehash_of(b, n);
        for (size_t step = 1; step <= 70; step += 3) {
            qr_filehash fh;
            qr_filehash_init(&fh);
            for (size_t i = 0; i < n; i += step)
                qr_filehash_feed(&fh, b + i, n - i < step ? n - i : step);
            assert_true(qr_filehash_end(&fh) == whole);
        }
        if (n > 0) {
            assert_true(qr_filehash_of(b, n - 1) != whole);
            for (size_t i = 0; i < n; i += 7) {
                b[i] ^= 1;
                assert_true(qr_filehash_of(b, n) != whole);
                b[i] ^= 1;
            }
        }
    }
    /* a zero byte more is another file */
    unsigned char z[64] = {0};
    assert_true(qr_filehash_of(z, 32) != qr_filehash_of(z, 33));
    assert_true(qr_filehash_of(z, 0) != qr_filehash_of(z, 64));
    /* words swapped between lanes */
    unsigned char s[32];
    memcpy(s, b + 8, 8), memcpy(s + 8, b, 8), memcpy(s + 16, b + 16, 16);
    assert_true(qr_filehash_of(s, 32) != qr_filehash_of(b, 32));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf),
        cmocka_unit_test(test_filehash),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_files_atomic),
        cmocka_unit_test(test_make_dirs),
        cmocka_unit_test(test_diag_location),
        cmocka_unit_test(test_pages),
        cmocka_unit_test(test_near_miss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
