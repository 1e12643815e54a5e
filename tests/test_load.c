/* test_load.c — the load stage: syntax errors located at line:col with
 * messages that say what was expected, invalid UTF-8, the depth limit, JSON
 * pointer location in the source, and every validation rule of docs/data.md
 * against one fixture per rule in tests/data/. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "quire/load.h"
#include "quire/util.h"

/* Fixtures live beside this file: tests/data/. */
static char *fixture(const char *name)
{
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    int dir = slash ? (int)(slash - here) : 0;
    return qr_xasprintf("%.*s%sdata/%s", dir, here, slash ? "/" : "", name);
}

/* Parse text expecting exactly one error; check where and what. */
static void expect_syntax(const char *text, size_t len, int line, int col,
                          const char *msg)
{
    qr_diags *d = qr_diags_new();
    qr_data *data = qr_data_parse(text, len, "in.json", d);
    assert_null(data);
    assert_int_equal(qr_diags_len(d), 1);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_int_equal(g->severity, QR_ERROR);
    assert_string_equal(g->file, "in.json");
    assert_string_equal(g->message, msg);
    assert_int_equal(g->line, line);
    assert_int_equal(g->col, col);
    qr_diags_free(d);
}

#define SYNTAX(text, line, col, msg) \
    expect_syntax(text, sizeof(text) - 1, line, col, msg)

static void test_trailing_comma(void **state)
{
    (void)state;
    SYNTAX("{\n  \"a\": 1,\n}\n", 2, 9, "trailing comma before '}'");
    SYNTAX("{\"a\": [1, 2,]}", 1, 12, "trailing comma before ']'");
    SYNTAX("{\"a\": [1, 2, ]\n}", 1, 12, "trailing comma before ']'");
}

static void test_missing_brace_and_comma(void **state)
{
    (void)state;
    SYNTAX("{\n  \"a\": {\n    \"b\": 1\n  }\n", 5, 1,
           "unexpected end of file: missing '}' to close the object opened "
           "at line 1:1");
    SYNTAX("{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3,
           "missing ',' before this member");
    SYNTAX("{\"a\": [1 2]}", 1, 10, "missing ',' before this element");
    SYNTAX("{\"a\": [1}", 1, 9,
           "found '}' but the array opened at line 1:7 is still open "
           "(expected ',' or ']')");
    SYNTAX("{\"a\" 1}", 1, 6, "expected ':' after the member name, found '1'");
    SYNTAX("{\"a\": 1 :}", 1, 9,
           "expected ',' or '}' after an object member, found ':'");
    SYNTAX("{\"a\":", 1, 6, "unexpected end of file: expected a value");
}

static void test_bad_literal(void **state)
{
    (void)state;
    SYNTAX("{\"a\": tru}", 1, 7,
           "invalid literal 'tru' (expected true, false, null, a number or a "
           "\"string\")");
    SYNTAX("{\n  \"a\": True\n}", 2, 8,
           "invalid literal 'True' (JSON literals are lowercase: true)");
    SYNTAX("{\"a\": NULL}", 1, 7,
           "invalid literal 'NULL' (JSON literals are lowercase: null)");
    /* columns count characters, not bytes */
    SYNTAX("{\"\xC3\xA9t\xC3\xA9\": nul}", 1, 9,
           "invalid literal 'nul' (expected true, false, null, a number or a "
           "\"string\")");
}

static void test_strings_and_numbers(void **state)
{
    (void)state;
    SYNTAX("{\"a\": \"abc\n}", 1, 7,
           "unterminated string: missing closing '\"' before the end of the "
           "line");
    SYNTAX("{\"a\": \"abc", 1, 7,
           "unterminated string: missing closing '\"' before the end of the "
           "file");
    SYNTAX("{'a': 1}", 1, 2,
           "member names must be in double quotes, not single quotes");
    SYNTAX("{\"a\": 'x'}", 1, 7,
           "strings must be in double quotes, not single quotes");
    SYNTAX("{\"a\": \"\\q\"}", 1, 8,
           "invalid escape: 'q' after '\\' in a string (valid: \\\" \\\\ \\/ "
           "\\b \\f \\n \\r \\t \\uXXXX)");
    SYNTAX("{\"a\": \"\\u12G4\"}", 1, 8,
           "invalid \\u escape (expected 4 hex digits)");
    SYNTAX("{\"a\": \"\\uD800x\"}", 1, 8,
           "invalid \\u escape: unpaired high surrogate");
    SYNTAX("{\"a\": \"x\ty\"}", 1, 9,
           "control character U+0009 in a string (write it as an escape such "
           "as \\t or \\u0009)");
    SYNTAX("{\"a\": 01}", 1, 7,
           "invalid number: leading zeros are not allowed");
    SYNTAX("{\"a\": 1.}", 1, 7, "invalid number: expected a digit after '.'");
    SYNTAX("{\"a\": -}", 1, 7, "invalid number: expected a digit after '-'");
    SYNTAX("{\"a\": 1e}", 1, 7,
           "invalid number: expected a digit in the exponent");
}

static void test_document_shape(void **state)
{
    (void)state;
    SYNTAX("", 1, 1, "empty file: expected a JSON object");
    SYNTAX("  \n ", 2, 2, "empty file: expected a JSON object");
    SYNTAX("{} x", 1, 4, "unexpected 'x' after the end of the JSON value");
    SYNTAX("{}{}", 1, 3, "unexpected '{' after the end of the JSON value");
    SYNTAX("\n[1, 2]", 2, 1,
           "the top level must be an object ({ ... }), found an array");
    SYNTAX("\"text\"", 1, 1,
           "the top level must be an object ({ ... }), found a string");
    SYNTAX("{\"a\": 1 \x01}", 1, 9,
           "expected ',' or '}' after an object member, found U+0001");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    SYNTAX("{\"a\": \"caf\xC3\"}", 1, 11, "invalid UTF-8 at byte 10");
    SYNTAX("{\n\"a\": \"\xE2\x80\x99\xFF\"}", 2, 8, "invalid UTF-8 at byte 11");
    /* an overlong encoding of '/' */
    SYNTAX("{\"\xC0\xAF\": 1}", 1, 3, "invalid UTF-8 at byte 2");
}

static char *nested(int levels, size_t *len)
{
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_puts(&b, "{\"a\":");
    for (int i = 0; i < levels - 1; i++) qr_buf_putc(&b, '[');
    for (int i = 0; i < levels - 1; i++) qr_buf_putc(&b, ']');
    qr_buf_putc(&b, '}');
    return qr_buf_detach(&b, len);
}

static void test_depth_limit(void **state)
{
    (void)state;
    size_t len;
    /* the top-level object is level 1: 64 levels load */
    char *ok = nested(QR_MAX_JSON_DEPTH, &len);
    qr_diags *d = qr_diags_new();
    qr_data *data = qr_data_parse(ok, len, "deep.json", d);
    assert_non_null(data);
    assert_int_equal(qr_diags_len(d), 0);
    qr_data_free(data);
    free(ok);

    char *bad = nested(QR_MAX_JSON_DEPTH + 1, &len);
    data = qr_data_parse(bad, len, "deep.json", d);
    assert_null(data);
    assert_int_equal(qr_diags_len(d), 1);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_string_equal(g->message, "nesting deeper than 64 levels");
    assert_int_equal(g->line, 1);
    /* the 65th opening bracket: 5 characters of {"a": then 63 brackets */
    assert_int_equal(g->col, 5 + 63 + 1);
    free(bad);
    qr_diags_free(d);

    /* far deeper than cJSON's own limit: still one clean error */
    d = qr_diags_new();
    char *huge = nested(200000, &len);
    data = qr_data_parse(huge, len, "deep.json", d);
    assert_null(data);
    assert_int_equal(qr_diags_len(d), 1);
    assert_string_equal(qr_diags_get(d, 0)->message,
                        "nesting deeper than 64 levels");
    free(huge);
    qr_diags_free(d);

    /* a syntax error before the depth is exceeded is reported first */
    d = qr_diags_new();
    static const char early[] = "{\"a\": tru, \"b\": [[[[[[[[[[[[[[[[[[[[[[[["
                                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                                "[[[[[]";
    data = qr_data_parse(early, sizeof early - 1, "deep.json", d);
    assert_null(data);
    assert_int_equal(qr_diags_get(d, 0)->col, 7);
    qr_diags_free(d);
}

static const char LOC[] =
    "{\n"
    "  \"a\": {\"b\": [10, {\"c\": \"x\"}, [1, [2, 3]]]},\n"
    "  \"we/ird~key\": {\"q\\\"uote\": 5, \"u\\u00e9\": 6, \"s\\/l\": 8},\n"
    "  \"\": 7,\n"
    "  \"dup\": 1, \"dupe\": 2,\n"
    "  \"str\": \"a,]}[{\\\"b\",\n"
    "  \"last\": \"\xE2\x80\x99\", \"after\": true\n"
    "}\n";

static void expect_at(const qr_data *data, const char *path, int line,
                      int col)
{
    int l = -1, c = -1;
    if (!qr_data_locate(data, path, &l, &c))
        fail_msg("'%s' not located", path);
    assert_int_equal(l, line);
    assert_int_equal(c, col);
}

static void expect_absent(const qr_data *data, const char *path)
{
    int l = 0, c = 0;
    assert_false(qr_data_locate(data, path, &l, &c));
}

static void test_locate(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    qr_data *data = qr_data_parse(LOC, sizeof LOC - 1, "loc.json", d);
    assert_non_null(data);
    expect_at(data, "", 1, 1);
    expect_at(data, "/a", 2, 8);
    expect_at(data, "/a/b", 2, 14);
    expect_at(data, "/a/b/0", 2, 15);
    expect_at(data, "/a/b/1", 2, 19);
    expect_at(data, "/a/b/1/c", 2, 25);
    expect_at(data, "/a/b/2", 2, 31);
    expect_at(data, "/a/b/2/1", 2, 35);
    expect_at(data, "/a/b/2/1/1", 2, 39);
    /* ~1 is '/', ~0 is '~'; keys compare after unescaping both sides */
    expect_at(data, "/we~1ird~0key", 3, 17);
    expect_at(data, "/we~1ird~0key/q\"uote", 3, 29);
    expect_at(data, "/we~1ird~0key/u\xC3\xA9", 3, 43);
    expect_at(data, "/we~1ird~0key/s~1l", 3, 54);
    expect_at(data, "/", 4, 7);
    expect_at(data, "/dup", 5, 10);
    expect_at(data, "/dupe", 5, 21); /* a key that starts like another */
    expect_at(data, "/str", 6, 10);
    expect_at(data, "/after", 7, 25); /* after a multibyte string */
    expect_absent(data, "/a/b/3");
    expect_absent(data, "/a/b/01");
    expect_absent(data, "/a/b/-1");
    expect_absent(data, "/a/x");
    expect_absent(data, "/a/b/0/c");
    expect_absent(data, "/str/0");
    expect_absent(data, "no-slash");
    expect_absent(data, "/we~1ird~0key/q\"uot");
    assert_false(qr_data_locate(NULL, "/a", &(int){0}, &(int){0}));
    qr_data_free(data);
    qr_diags_free(d);
}

static void test_locate_large_array(void **state)
{
    (void)state;
    enum { N = 100000 };
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_puts(&b, "{\"v\": [\n");
    for (int i = 0; i < N; i++)
        qr_buf_printf(&b, "{\"k\": \"%d\"}%s\n", i, i + 1 < N ? "," : "");
    qr_buf_puts(&b, "]}\n");
    qr_diags *d = qr_diags_new();
    qr_data *data = qr_data_parse(b.data, b.len, "big.json", d);
    assert_non_null(data);
    char path[32];
    snprintf(path, sizeof path, "/v/%d/k", N - 1);
    expect_at(data, path, N + 1, 7);
    qr_data_free(data);
    qr_diags_free(d);
    qr_buf_free(&b);
}

/* Parse text expecting it refused for repeated keys: n errors, the first
 * at line:col with message msg. */
static void expect_dups(const char *text, size_t n, int line, int col,
                        const char *msg)
{
    qr_diags *d = qr_diags_new();
    assert_null(qr_data_parse(text, strlen(text), "in.json", d));
    assert_int_equal(qr_diags_len(d), n);
    assert_int_equal(qr_diags_count(d, QR_ERROR), n);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_string_equal(g->file, "in.json");
    assert_string_equal(g->message, msg);
    assert_int_equal(g->line, line);
    assert_int_equal(g->col, col);
    qr_diags_free(d);
}

/* A repeated key is an error at the repeat, naming the object by its JSON
 * pointer and where the first one is, at any depth. */
static void test_duplicate_keys(void **state)
{
    (void)state;
    /* the attack: a later "exempt" hidden behind a public null */
    expect_dups("{\"items\": [{\"number\": 1},\n"
                "  {\"number\": 2, \"title\": \"T\",\n"
                "   \"exempt\": null,\n"
                "   \"exempt\": {\"paragraph\": 3, \"reason\": \"r\"}}]}\n",
                1, 4, 4,
                "duplicate key \"exempt\" in /items/1 (first at 3:4)");
    expect_dups("{\"a\": 1, \"a\": 1}", 1, 1, 10,
                "duplicate key \"a\" in the top-level object (first at 1:2)");
    /* nested objects, and objects inside arrays inside arrays */
    expect_dups("{\"a\": {\"b\": {\"c\": 1,\n \"c\": 2}}}", 1, 2, 2,
                "duplicate key \"c\" in /a/b (first at 1:14)");
    expect_dups("{\"a\": [[0, {\"k\": 1}], [{\"x\": 1, \"k\": 1, \"x\": 2}]]}",
                1, 1, 41, "duplicate key \"x\" in /a/1/0 (first at 1:25)");
    /* pointer segments are escaped as RFC 6901 says */
    expect_dups("{\"a/b\": {\"~\": {\"k\": 1, \"k\": 2}}}", 1, 1, 24,
                "duplicate key \"k\" in /a~1b/~0 (first at 1:16)");
    /* escapes compare by value: "\u0061" is "a" */
    expect_dups("{\"a\": 1, \"\\u0061\": 2}", 1, 1, 10,
                "duplicate key \"a\" in the top-level object (first at 1:2)");
    /* the empty key and keys holding the text's own punctuation */
    expect_dups("{\"\": 1, \"x\": \"\\\",}\", \"\": 2}", 1, 1, 22,
                "duplicate key \"\" in the top-level object (first at 1:2)");
    /* a third use names the first, and every repeat is reported in the
     * order of the text, the outer object's before a later inner one's */
    static const char many[] =
        "{\"k\": 1,\n \"k\": 2,\n \"o\": {\"z\": 1, \"z\": 2},\n \"k\": 3}";
    qr_diags *d = qr_diags_new();
    assert_null(qr_data_parse(many, sizeof many - 1, "in.json", d));
    assert_int_equal(qr_diags_len(d), 3);
    static const struct { int line, col; const char *msg; } want[] = {
        {2, 2, "duplicate key \"k\" in the top-level object (first at 1:2)"},
        {3, 16, "duplicate key \"z\" in /o (first at 3:8)"},
        {4, 2, "duplicate key \"k\" in the top-level object (first at 1:2)"},
    };
    for (size_t i = 0; i < 3; i++) {
        const qr_diag *g = qr_diags_get(d, i);
        assert_int_equal(g->line, want[i].line);
        assert_int_equal(g->col, want[i].col);
        assert_string_equal(g->message, want[i].msg);
        assert_non_null(g->source);
    }
    qr_diags_free(d);
    /* different case is a different key; the same key in sibling objects
     * is fine */
    static const char fine[] =
        "{\"exempt\": null, \"Exempt\": 1, \"a\": [{\"k\": 1}, {\"k\": 2}],"
        " \"b\": {\"k\": {\"k\": 3}}}";
    d = qr_diags_new();
    qr_data *data = qr_data_parse(fine, sizeof fine - 1, "in.json", d);
    assert_non_null(data);
    assert_int_equal(qr_diags_len(d), 0);
    qr_data_free(data);
    qr_diags_free(d);
}

/* The shared check also serves readers that parse with cJSON themselves,
 * and stays useful when the text does not match the tree. */
static void test_duplicate_keys_direct(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBF{\"a\": 1, \"a\": 2}";
    cJSON *root = cJSON_Parse(text + 3);
    qr_diags *d = qr_diags_new();
    assert_false(qr_json_check_duplicates("s.json", text, sizeof text - 1,
                                          root, d));
    const qr_diag *g = qr_diags_get(d, 0);
    assert_int_equal(g->line, 1);
    assert_int_equal(g->col, 11);   /* the byte-order mark is a column */
    /* without the text: still found, just not located */
    assert_false(qr_json_check_duplicates("s.json", NULL, 0, root, d));
    g = qr_diags_get(d, 1);
    assert_int_equal(g->line, 0);
    assert_string_equal(g->message, "duplicate key \"a\" in the top-level "
                                    "object (earlier in the object)");
    cJSON_Delete(root);
    qr_diags_free(d);
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One object of n distinct keys and a repeat of key77 at the end. */
static void many_keys(qr_buf *b, int n)
{
    b->len = 0;
    qr_buf_puts(b, "{\n");
    for (int i = 0; i < n; i++) qr_buf_printf(b, "\"key%d\": %d,\n", i, i);
    qr_buf_puts(b, "\"key77\": 0}\n");
}

/* The fastest of three runs over n keys of cJSON's parse (*parse) and of
 * the duplicate check alone (*check). */
static void time_check(int n, double *parse, double *check)
{
    qr_buf b;
    qr_buf_init(&b);
    many_keys(&b, n);
    *parse = *check = 1e9;
    for (int run = 0; run < 3; run++) {
        double t0 = seconds();
        cJSON *root = cJSON_Parse(b.data);
        double t1 = seconds();
        assert_non_null(root);
        qr_diags *d = qr_diags_new();
        assert_false(qr_json_check_duplicates("big.json", b.data, b.len,
                                              root, d));
        double t2 = seconds();
        if (t1 - t0 < *parse) *parse = t1 - t0;
        if (t2 - t1 < *check) *check = t2 - t1;
        qr_diags_free(d);
        cJSON_Delete(root);
    }
    qr_buf_free(&b);
}

/* 100,000 keys in one object: sorted once, not compared pairwise. The
 * repeat is the very last key; a second object of 100,000 copies of one
 * key reports 20 and counts the rest. */
static void test_duplicate_keys_linear(void **state)
{
    (void)state;
    enum { N = 100000 };
    qr_buf b;
    qr_buf_init(&b);
    many_keys(&b, N);
    qr_diags *d = qr_diags_new();
    assert_null(qr_data_parse(b.data, b.len, "big.json", d));
    assert_int_equal(qr_diags_len(d), 1);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_int_equal(g->line, N + 2);
    assert_int_equal(g->col, 1);
    assert_string_equal(g->message, "duplicate key \"key77\" in the "
                                    "top-level object (first at 79:1)");
    qr_diags_free(d);

    /* The check costs about what cJSON's own (linear) parse of the text
     * costs; comparing the keys pairwise would cost hundreds of times more.
     * Measured against the parse, not the clock, so that sanitizers,
     * valgrind and a busy machine slow both alike. */
    double parse, check;
    time_check(N, &parse, &check);
    fprintf(stderr, "  %d keys: cJSON parse %.4f s, duplicate check %.4f s\n",
            N, parse, check);
    assert_true(check < 20 * parse);

    b.len = 0;
    qr_buf_puts(&b, "{\"o\": {");
    for (int i = 0; i < N; i++) qr_buf_printf(&b, "%s\"k\": %d", i ? "," : "", i);
    qr_buf_puts(&b, "}}");
    d = qr_diags_new();
    assert_null(qr_data_parse(b.data, b.len, "same.json", d));
    assert_int_equal(qr_diags_len(d), 21);
    g = qr_diags_get(d, 0);
    assert_string_equal(g->message, "duplicate key \"k\" in /o (first at 1:8)");
    assert_int_equal(g->col, 15);
    g = qr_diags_get(d, 20);
    assert_string_equal(g->message, "99979 more duplicate keys not shown");
    qr_diags_free(d);
    qr_buf_free(&b);
}

static void test_data_diag(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    qr_data *data = qr_data_parse(LOC, sizeof LOC - 1, "loc.json", d);
    qr_data_diag(data, d, QR_ERROR, "/a/b/1/c", "bad value %d", 42);
    qr_data_diag(data, d, QR_WARNING, "/a/nowhere", "not in the source");
    assert_int_equal(qr_diags_len(d), 2);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_int_equal(g->severity, QR_ERROR);
    assert_string_equal(g->file, "loc.json");
    assert_string_equal(g->path, "/a/b/1/c");
    assert_string_equal(g->message, "bad value 42");
    assert_int_equal(g->line, 2);
    assert_int_equal(g->col, 25);
    assert_string_equal(g->source,
                        "  \"a\": {\"b\": [10, {\"c\": \"x\"}, [1, [2, 3]]]},");
    char *s = qr_diag_format(g);
    assert_string_equal(s, "loc.json:2:25: error: /a/b/1/c: bad value 42");
    free(s);
    g = qr_diags_get(d, 1);
    assert_int_equal(g->severity, QR_WARNING);
    assert_string_equal(g->file, "loc.json");
    assert_string_equal(g->path, "/a/nowhere");
    assert_int_equal(g->line, 0);
    assert_null(g->source);
    qr_data_free(data);
    qr_diags_free(d);
}

/* A closed object: each unknown member is an error at its own pointer, a
 * near miss named; past QR_UNKNOWN_KEYS_SHOWN the rest are counted. */
static void test_unknown_fields(void **state)
{
    (void)state;
    static const char text[] =
        "{\"items\": [{\"title\": \"x\", \"exmept\": {}, \"a/b\": 1}]}";
    static const char *const known[] = {"title", "exempt", NULL};
    qr_diags *d = qr_diags_new();
    qr_data *data = qr_data_parse(text, sizeof text - 1, "m.json", d);
    const cJSON *item = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(qr_data_root(data), "items"), 0);
    assert_false(qr_json_unknown_fields(data, item, "/items/0", known, d));
    assert_int_equal(qr_diags_len(d), 2);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_int_equal(g->severity, QR_ERROR);
    assert_string_equal(g->path, "/items/0/exmept");
    assert_string_equal(g->message, "unknown field 'exmept': did you mean "
                                    "'exempt'? (known: title, exempt)");
    assert_int_equal(g->line, 1);
    g = qr_diags_get(d, 1);
    assert_string_equal(g->path, "/items/0/a~1b");
    assert_string_equal(g->message,
                        "unknown field 'a/b' (known: title, exempt)");
    qr_diags_free(d);

    /* every member known: nothing added */
    static const char *const all[] = {"a/b", "exmept", "title", NULL};
    d = qr_diags_new();
    assert_true(qr_json_unknown_fields(data, item, "/items/0", all, d));
    assert_int_equal(qr_diags_len(d), 0);
    qr_diags_free(d);
    qr_data_free(data);

    /* more than QR_UNKNOWN_KEYS_SHOWN: the rest in one error at the object */
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_puts(&b, "{");
    for (int i = 0; i < QR_UNKNOWN_KEYS_SHOWN + 3; i++)
        qr_buf_printf(&b, "%s\"k%d\": %d", i ? ", " : "", i, i);
    qr_buf_puts(&b, "}");
    d = qr_diags_new();
    data = qr_data_parse(b.data, b.len, "many.json", d);
    assert_false(qr_json_unknown_fields(data, qr_data_root(data), "", known,
                                        d));
    assert_int_equal(qr_diags_len(d), QR_UNKNOWN_KEYS_SHOWN + 1);
    g = qr_diags_get(d, QR_UNKNOWN_KEYS_SHOWN);
    assert_string_equal(g->path, "");
    assert_string_equal(g->message, "3 more unknown fields not shown");
    qr_data_free(data);
    qr_diags_free(d);
    qr_buf_free(&b);
}

static void test_load_file(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    char *path = fixture("paper_valid.json");
    qr_data *data = qr_data_load(path, d);
    assert_non_null(data);
    assert_int_equal(qr_diags_len(d), 0);
    assert_string_equal(qr_data_name(data), path);
    const cJSON *paper = cJSON_GetObjectItemCaseSensitive(qr_data_root(data),
                                                          "paper");
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(paper, "kind")->valuestring,
        "progress");
    assert_ptr_equal(qr_data_root(data), qr_data_root_mut(data));
    qr_data_free(data);
    free(path);

    data = qr_data_load("/nonexistent/quire/data.json", d);
    assert_null(data);
    assert_int_equal(qr_diags_len(d), 1);
    assert_string_equal(qr_diags_get(d, 0)->file,
                        "/nonexistent/quire/data.json");
    assert_string_equal(qr_diags_get(d, 0)->message,
                        "cannot read '/nonexistent/quire/data.json': No such "
                        "file or directory");
    qr_diags_free(d);
    qr_data_free(NULL);
}

static void test_too_large(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/quire-load-XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    /* a sparse file one byte over the limit */
    assert_int_equal(ftruncate(fd, (off_t)QR_MAX_DATA_BYTES + 1), 0);
    close(fd);
    qr_diags *d = qr_diags_new();
    assert_null(qr_data_load(tmpl, d));
    assert_int_equal(qr_diags_len(d), 1);
    assert_string_equal(qr_diags_get(d, 0)->message,
                        "file is larger than 64 MiB");
    unlink(tmpl);
    qr_diags_free(d);
}

static void test_bom_and_empty(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBF{\"a\": [1, 2]}";
    qr_diags *d = qr_diags_new();
    qr_data *data = qr_data_parse(text, sizeof text - 1, "bom.json", d);
    assert_non_null(data);
    expect_at(data, "/a/1", 1, 12);
    qr_data_free(data);

    data = qr_data_empty();
    assert_string_equal(qr_data_name(data), "(no data)");
    assert_true(cJSON_IsObject(qr_data_root(data)));
    assert_null(qr_data_root(data)->child);
    expect_absent(data, "");
    assert_true(qr_data_validate(data, d));
    qr_data_free(data);
    assert_int_equal(qr_diags_len(d), 0);
    qr_diags_free(d);
}

/* ---- validation --------------------------------------------------------- */

static void test_valid_paper(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    char *path = fixture("paper_valid.json");
    qr_data *data = qr_data_load(path, d);
    assert_non_null(data);
    assert_true(qr_data_validate(data, d));
    if (qr_diags_len(d)) qr_diags_print(d, stderr);
    assert_int_equal(qr_diags_len(d), 0);
    qr_data_free(data);
    free(path);
    qr_diags_free(d);
}

static void test_freeform(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    char *path = fixture("freeform.json");
    qr_data *data = qr_data_load(path, d);
    assert_non_null(data);
    assert_true(qr_data_validate(data, d));
    assert_int_equal(qr_diags_len(d), 0);
    qr_data_free(data);
    free(path);
    qr_diags_free(d);
}

typedef struct rule_case {
    const char *file;
    qr_severity sev;
    const char *path;
    int line, col;
    const char *message;
} rule_case;

/* One fixture per rule: each holds exactly one problem. Lines and columns
 * are where the offending value (or, for a missing field, its object)
 * starts in the fixture. */
static const rule_case RULES[] = {
    {"invalid_missing_kind.json", QR_ERROR, "/paper", 2, 12,
     "missing required field 'kind'"},
    {"invalid_bad_kind.json", QR_ERROR, "/paper/kind", 3, 13,
     "'report' is not a paper kind (expected one of: cabinet, panel, scrutiny, progress, committee)"},
    {"invalid_council_type.json", QR_ERROR, "/paper/council", 4, 16,
     "expected a string, found a number"},
    {"invalid_paper_not_object.json", QR_ERROR, "/paper", 2, 12,
     "expected an object, found an array"},
    {"invalid_missing_meeting_date.json", QR_ERROR, "/paper/meeting", 6, 16,
     "missing required field 'date'"},
    {"invalid_bad_meeting_date.json", QR_ERROR, "/paper/meeting/date", 8, 15,
     "'2026-02-30' is not a valid date (expected YYYY-MM-DD, e.g. 2026-11-24)"},
    {"invalid_bad_time.json", QR_ERROR, "/paper/meeting/time", 10, 15,
     "'18.00' is not a valid time (expected HH:MM, 24-hour, e.g. 18:30)"},
    {"invalid_bad_item.json", QR_ERROR, "/paper/meeting/item", 9, 15,
     "expected a number or a string, found a boolean"},
    {"invalid_bad_key_decision.json", QR_ERROR, "/paper/key_decision", 17, 21,
     "expected true or false, found a string"},
    {"invalid_exempt_paragraph.json", QR_ERROR, "/paper/exempt/paragraph", 19, 30,
     "paragraph 9 does not exist (Schedule 12A has paragraphs 1 to 7)"},
    {"invalid_exempt_type.json", QR_ERROR, "/paper/exempt", 19, 15,
     "expected null or an object, found a string"},
    {"invalid_author_no_name.json", QR_ERROR, "/paper/author", 20, 15,
     "missing required field 'name'"},
    {"invalid_background_paper_type.json", QR_ERROR, "/paper/background_papers/1", 28, 7,
     "expected a string, found a number"},
    {"invalid_related_portfolios_type.json", QR_ERROR, "/paper/related_portfolios", 14, 27,
     "expected a string or an array of strings, found a number"},
    {"invalid_implications_type.json", QR_ERROR, "/paper/implications/financial", 39, 20,
     "expected a string or an array of strings, found a number"},
    {"invalid_unknown_paper_field.json", QR_WARNING, "/paper/colour", 4, 15,
     "unknown field 'colour' (known: kind, council, title, meeting, portfolio, related_portfolios, service, wards, key_decision, forward_plan, exempt, author, background_papers, report_date, reference, purpose, summary, recommendations, detail, sections, priorities, risk, implications, reducing_inequalities, consultation, appendices, contact, logo, figures, review, methodology, next_steps)"},
    {"invalid_unknown_top_field.json", QR_WARNING, "/extras", 125, 13,
     "unknown field 'extras' (known: paper, inspection, action_plan, kpis, follows)"},
    {"invalid_bad_inspection_type.json", QR_ERROR, "/inspection/type", 49, 13,
     "'Ilacs' is not an inspection type: did you mean 'ILACS'? (expected one of: ILACS, monitoring_visit, focused_visit, JTAI, SIF, protection_of_children, safeguarding_lac, other)"},
    {"invalid_dates_empty.json", QR_ERROR, "/inspection/dates", 50, 14,
     "expected at least one date, found an empty array"},
    {"invalid_dates_unsorted.json", QR_ERROR, "/inspection/dates/1", 50, 29,
     "'2022-03-21' comes before the previous date '2022-03-25' (dates must be in ascending order)"},
    {"invalid_published_invalid.json", QR_ERROR, "/inspection/published", 51, 18,
     "'2022-13-10' is not a valid date (expected YYYY-MM-DD, e.g. 2026-11-24)"},
    {"invalid_bad_grade.json", QR_ERROR, "/inspection/judgements/1/grade", 54, 49,
     "'requires improvement' is not a grade of the ILACS framework: did you mean 'requires_improvement'? (expected one of: outstanding, good, requires_improvement, inadequate)"},
    {"invalid_bad_area.json", QR_ERROR, "/inspection/judgements/4/area", 57, 17,
     "'leaders' is not a judgement area of the ILACS framework (expected one of: overall_effectiveness, help_and_protection, children_in_care, care_leavers, leadership)"},
    {"invalid_duplicate_area.json", QR_ERROR, "/inspection/judgements/4/area", 57, 17,
     "duplicate judgement for 'care_leavers' (first at /inspection/judgements/3/area)"},
    {"invalid_duplicate_recommendation_id.json", QR_ERROR, "/inspection/recommendations/3/id", 66, 15,
     "duplicate recommendation id 2 (first at /inspection/recommendations/1/id)"},
    {"invalid_recommendation_id_fraction.json", QR_ERROR, "/inspection/recommendations/3/id", 66, 15,
     "expected a whole number, found 1.5"},
    {"invalid_missing_as_at.json", QR_ERROR, "/action_plan", 68, 18,
     "missing required field 'as_at'"},
    {"invalid_duplicate_action_ref.json", QR_ERROR, "/action_plan/actions/2/ref", 94, 16,
     "duplicate action ref '1.1' (first at /action_plan/actions/0/ref)"},
    {"invalid_missing_recommendation.json", QR_ERROR, "/action_plan/actions/3/recommendation", 105, 27,
     "action 3.1 points at recommendation 11, which does not exist (ids: 1-3)"},
    {"invalid_bad_status.json", QR_ERROR, "/action_plan/actions/1/status", 88, 19,
     "'amber-red' is not a status (expected one of: not_started, red, amber, green, complete)"},
    {"invalid_bad_previous_status.json", QR_ERROR, "/action_plan/actions/1/previous_status", 89, 28,
     "'Red' is not a status: did you mean 'red'? (expected one of: not_started, red, amber, green, complete)"},
    {"invalid_progress_range.json", QR_ERROR, "/action_plan/actions/1/progress", 90, 21,
     "progress 120 is out of range (expected 0 to 100)"},
    {"invalid_due_not_leap.json", QR_ERROR, "/action_plan/actions/0/due", 76, 16,
     "'2026-02-29' is not a valid date (expected YYYY-MM-DD, e.g. 2026-11-24)"},
    {"invalid_bad_polarity.json", QR_ERROR, "/kpis/0/polarity", 131, 19,
     "'lower' is not a polarity (expected one of: higher_is_better, lower_is_better)"},
    {"invalid_duplicate_kpi_id.json", QR_ERROR, "/kpis/1/id", 139, 13,
     "duplicate KPI id 'caseload_avg' (first at /kpis/0/id)"},
    {"invalid_bad_period.json", QR_ERROR, "/kpis/0/series/2/period", 135, 21,
     "'2026-13' is not a valid period (expected a month YYYY-MM, a quarter YYYY-Qn or a year YYYY/YY, e.g. 2026-10, 2026-Q3, 2025/26)"},
    {"invalid_series_unsorted.json", QR_ERROR, "/kpis/1/series/1/period", 146, 21,
     "period '2026-10' comes before the previous period '2026-11' (periods must be in ascending order)"},
    {"invalid_target_type.json", QR_ERROR, "/kpis/0/target", 130, 17,
     "expected a number, found a string"},
};

/* The rules papers added (figures, scrutiny reviews, the last report's
 * date, the SIF type): one variant of a real sample per rule, under
 * tests/data/papers/. */
static const rule_case PAPER_RULES[] = {
    {"papers/invalid_action_duplicate_ref.json", QR_ERROR, "/action_plan/actions/5/ref", 187, 16,
     "duplicate action ref '1.1' (first at /action_plan/actions/0/ref)"},
    {"papers/invalid_action_unknown_recommendation.json", QR_ERROR, "/action_plan/actions/39/recommendation", 562, 27,
     "action 10.4 points at recommendation 11, which does not exist (ids: 1-10)"},
    {"papers/invalid_figure_bad_as_at.json", QR_ERROR, "/paper/figures/0/as_at", 42, 18,
     "'2022-04-31' is not a valid date (expected YYYY-MM-DD, e.g. 2026-11-24)"},
    {"papers/invalid_figure_no_label.json", QR_ERROR, "/paper/figures/0", 37, 7,
     "missing required field 'label'"},
    {"papers/invalid_figure_unknown_field.json", QR_WARNING, "/paper/figures/2/colour", 50, 19,
     "unknown field 'colour' (known: label, value, as_at, previous, note)"},
    {"papers/invalid_figure_value_type.json", QR_ERROR, "/paper/figures/1/value", 45, 18,
     "expected a number or a string, found a boolean"},
    {"papers/invalid_figures_not_array.json", QR_ERROR, "/paper/figures", 36, 16,
     "expected an array, found an object"},
    {"papers/invalid_finding_duplicate_ref.json", QR_ERROR, "/paper/review/1/findings/1/ref", 95, 20,
     "duplicate finding ref '4.3' (first at /paper/review/0/findings/1/ref)"},
    {"papers/invalid_finding_missing_ref.json", QR_ERROR, "/paper/review/0/findings/2", 54, 11,
     "missing required field 'ref'"},
    {"papers/invalid_finding_missing_text.json", QR_ERROR, "/paper/review/0/findings/2", 54, 11,
     "missing required field 'recommendation'"},
    {"papers/invalid_finding_options_type.json", QR_ERROR, "/paper/review/1/findings/0/options", 88, 24,
     "expected an array of strings, found a string"},
    {"papers/invalid_finding_response_type.json", QR_ERROR, "/paper/review/1/findings/0/response", 92, 25,
     "expected a string or an array of strings, found a number"},
    {"papers/invalid_inspection_type_sif_lower.json", QR_ERROR, "/inspection/type", 132, 13,
     "'sif' is not an inspection type: did you mean 'SIF'? (expected one of: ILACS, monitoring_visit, focused_visit, JTAI, SIF, protection_of_children, safeguarding_lac, other)"},
    {"papers/invalid_methodology_type.json", QR_ERROR, "/paper/methodology", 38, 20,
     "expected a string or an array of strings, found a number"},
    {"papers/invalid_next_steps_type.json", QR_ERROR, "/paper/next_steps", 52, 19,
     "expected an array of strings, found a string"},
    {"papers/invalid_previous_as_at_after.json", QR_ERROR, "/action_plan/previous_as_at", 129, 23,
     "previous_as_at '2025-10-31' is not before as_at '2025-09-30' (the last report must come before this one)"},
    {"papers/invalid_previous_as_at_invalid.json", QR_ERROR, "/action_plan/previous_as_at", 129, 23,
     "'2025-09-31' is not a valid date (expected YYYY-MM-DD, e.g. 2026-11-24)"},
    {"papers/invalid_review_duplicate_recommendation.json", QR_ERROR, "/paper/review/1/recommendation", 82, 27,
     "duplicate review of recommendation 1 (first at /paper/review/0/recommendation)"},
    {"papers/invalid_review_empty_findings.json", QR_ERROR, "/paper/review/0/findings", 43, 21,
     "expected at least one finding, found an empty array"},
    {"papers/invalid_review_missing_findings.json", QR_ERROR, "/paper/review/0", 40, 7,
     "missing required field 'findings'"},
    {"papers/invalid_review_missing_recommendation.json", QR_ERROR, "/paper/review/1", 81, 7,
     "missing required field 'recommendation'"},
    {"papers/invalid_review_recommendation_fraction.json", QR_ERROR, "/paper/review/1/recommendation", 82, 27,
     "expected a whole number, found 1.5"},
    {"papers/invalid_review_unknown_recommendation.json", QR_ERROR, "/paper/review/1/recommendation", 82, 27,
     "review item 4.9 points at recommendation 7, which does not exist (ids: 1-2)"},
};

static void run_rules(const rule_case *rules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const rule_case *r = &rules[i];
        qr_diags *d = qr_diags_new();
        char *path = fixture(r->file);
        qr_data *data = qr_data_load(path, d);
        if (!data) fail_msg("%s did not load", r->file);
        bool ok = qr_data_validate(data, d);
        if (qr_diags_len(d) != 1) {
            qr_diags_print(d, stderr);
            fail_msg("%s: expected one diagnostic, got %zu", r->file,
                     qr_diags_len(d));
        }
        assert_int_equal(ok, r->sev != QR_ERROR);
        const qr_diag *g = qr_diags_get(d, 0);
        if (strcmp(g->message, r->message) != 0)
            fail_msg("%s: message\n  got:  %s\n  want: %s", r->file,
                     g->message, r->message);
        assert_int_equal(g->severity, r->sev);
        assert_string_equal(g->path, r->path);
        assert_string_equal(g->file, path);
        if (g->line != r->line || g->col != r->col)
            fail_msg("%s: at %d:%d, want %d:%d", r->file, g->line, g->col,
                     r->line, r->col);
        assert_non_null(g->source);
        qr_data_free(data);
        free(path);
        qr_diags_free(d);
    }
}

static void test_each_rule(void **state)
{
    (void)state;
    run_rules(RULES, sizeof RULES / sizeof RULES[0]);
}

static void test_paper_rules(void **state)
{
    (void)state;
    run_rules(PAPER_RULES, sizeof PAPER_RULES / sizeof PAPER_RULES[0]);
}

/* Every sample in samples/ validates with no diagnostic at all. */
static void test_samples_valid(void **state)
{
    (void)state;
    static const char *const samples[] = {
        "cabinet-ofsted-working-group.json",
        "panel-durham-ilacs-response.json",
        "panel-middlesbrough-monitoring-visit.json",
        "panel-reading-care-leavers-visit.json",
        "panel-slough-care-leavers-visit.json",
        "scrutiny-walsall-deep-dive.json",
        "progress-harwood-action-plan.json",
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char *rel = qr_xasprintf("../../samples/%s", samples[i]);
        char *path = fixture(rel);
        qr_diags *d = qr_diags_new();
        qr_data *data = qr_data_load(path, d);
        if (!data || !qr_data_validate(data, d) || qr_diags_len(d)) {
            qr_diags_print(d, stderr);
            fail_msg("%s is not clean", samples[i]);
        }
        qr_data_free(data);
        qr_diags_free(d);
        free(path);
        free(rel);
    }
}

/* Every problem is reported in one run, in document order. */
static void test_every_problem(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    char *path = fixture("invalid_many.json");
    qr_data *data = qr_data_load(path, d);
    assert_non_null(data);
    assert_false(qr_data_validate(data, d));
    assert_int_equal(qr_diags_len(d), 4);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 3);
    assert_int_equal(qr_diags_count(d, QR_WARNING), 1);
    static const struct {
        const char *path;
        int line;
    } want[] = {{"/paper/kind", 3},
                {"/paper/colour", 4},
                {"/action_plan/actions/0/due", 77},
                {"/kpis/1/polarity", 144}};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(qr_diags_get(d, i)->path, want[i].path);
        assert_int_equal(qr_diags_get(d, i)->line, want[i].line);
    }
    assert_string_equal(qr_diags_get(d, 2)->message,
                        "'2026-06-31' is not a valid date (expected "
                        "YYYY-MM-DD, e.g. 2026-11-24)");
    qr_data_free(data);
    free(path);
    qr_diags_free(d);
}

/* Inline cases for rules whose fixtures would only repeat these. */
static void test_validate_inline(void **state)
{
    (void)state;
    static const char text[] =
        "{\"paper\": {\"kind\": \"cabinet\", \"council\": \"C\", \"title\": "
        "\"T\",\n"
        " \"meeting\": {\"body\": \"Cabinet\", \"date\": \"2028-02-29\", "
        "\"item\": \"7a\"},\n"
        " \"exempt\": {\"paragraph\": 3, \"reason\": \"Financial affairs\"}},\n"
        " \"action_plan\": {\"as_at\": \"2026-11-01\", \"actions\": [\n"
        "  {\"ref\": \"1\", \"recommendation\": 4, \"action\": \"a\", "
        "\"owner\": \"o\", \"due\": \"2027-01-01\", \"status\": \"red\"}]},\n"
        " \"paper2\": 1\n"
        "}\n";
    qr_diags *d = qr_diags_new();
    qr_data *data = qr_data_parse(text, sizeof text - 1, "in.json", d);
    assert_non_null(data);
    assert_false(qr_data_validate(data, d));
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    assert_int_equal(qr_diags_len(d), 2);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_string_equal(g->path, "/action_plan/actions/0/recommendation");
    assert_string_equal(g->message,
                        "action 1 points at recommendation 4, which does not "
                        "exist (/inspection/recommendations lists none)");
    assert_int_equal(g->line, 5);
    g = qr_diags_get(d, 1);
    assert_int_equal(g->severity, QR_WARNING);
    assert_string_equal(g->path, "/paper2");
    assert_string_equal(g->message, "unknown field 'paper2': did you mean "
                                    "'paper'? (known: paper, inspection, "
                                    "action_plan, kpis, follows)");
    qr_data_free(data);
    qr_diags_free(d);
}

/* Narrative fields take a string, or numbered paragraph objects as the
 * Cabinet report template uses them. */
static void test_paragraphs(void **state)
{
    (void)state;
    static const char text[] =
        "{\"paper\": {\"kind\": \"cabinet\", \"council\": \"C\", \"title\": "
        "\"T\",\n"
        " \"meeting\": {\"body\": \"Cabinet\", \"date\": \"2018-06-21\"},\n"
        " \"summary\": [{\"ref\": \"1.1\", \"text\": \"Ofsted reported.\"}, "
        "\"Plain.\"],\n"
        " \"detail\": [{\"heading\": \"H\", \"ref\": \"3.1\", \"quote\": \"Q\", "
        "\"response\": \"R\"},\n"
        "   {\"ref\": 3.2, \"txt\": \"typo\"}, 7],\n"
        " \"recommendations\": {\"ref\": \"2.1\"}}}\n";
    qr_diags *d = qr_diags_new();
    qr_data *data = qr_data_parse(text, sizeof text - 1, "in.json", d);
    assert_non_null(data);
    assert_false(qr_data_validate(data, d));
    assert_int_equal(qr_diags_count(d, QR_ERROR), 3);
    assert_int_equal(qr_diags_len(d), 4);
    static const struct {
        const char *path, *msg;
        int line;
    } want[] = {
        /* in the order of the contract's field table */
        {"/paper/recommendations", "expected a string or an array of "
                                   "paragraphs, found an object", 6},
        {"/paper/detail/1/ref", "expected a string, found a number", 5},
        {"/paper/detail/1/txt", "unknown field 'txt': did you mean 'text'? "
                                "(known: ref, heading, text, quote, "
                                "response)", 5},
        {"/paper/detail/2", "expected a string or a paragraph object, found "
                            "a number", 5},
    };
    for (size_t i = 0; i < 4; i++) {
        const qr_diag *g = qr_diags_get(d, i);
        assert_string_equal(g->path, want[i].path);
        assert_string_equal(g->message, want[i].msg);
        assert_int_equal(g->line, want[i].line);
    }
    qr_data_free(data);
    qr_diags_free(d);
}

/* Data files keep warnings for unknown fields (templates may use extra
 * ones) but name the field a near miss was probably meant to be; a near
 * miss of `exempt` is an error. */
static void test_unknown_field_hint(void **state)
{
    (void)state;
    static const char text[] =
        "{\"paper\": {\"kind\": \"cabinet\", \"council\": \"C\", \"title\": "
        "\"T\",\n"
        " \"meeting\": {\"body\": \"Cabinet\", \"date\": \"2018-06-21\", "
        "\"vneue\": \"Hall\"},\n"
        " \"Exempt\": {\"paragraph\": 3, \"reason\": \"r\"}}}\n";
    qr_diags *d = qr_diags_new();
    qr_data *data = qr_data_parse(text, sizeof text - 1, "in.json", d);
    assert_non_null(data);
    /* the near miss of `exempt` is the one error: it fails closed */
    assert_false(qr_data_validate(data, d));
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    assert_int_equal(qr_diags_len(d), 2);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_int_equal(g->severity, QR_WARNING);
    assert_string_equal(g->path, "/paper/meeting/vneue");
    assert_string_equal(g->message, "unknown field 'vneue': did you mean "
                                    "'venue'? (known: body, date, item, "
                                    "time, venue)");
    g = qr_diags_get(d, 1);
    assert_int_equal(g->severity, QR_ERROR);
    assert_string_equal(g->path, "/paper/Exempt");
    assert_int_equal(g->line, 3);
    assert_int_equal(g->col, 12);
    assert_non_null(strstr(g->message, "unknown field 'Exempt': did you mean "
                                       "'exempt'? (a misspelt exemption "));
    qr_data_free(data);
    qr_diags_free(d);

    /* many unknown fields in one object: ten shown, the rest counted */
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_puts(&b, "{\"paper\": {\"kind\": \"cabinet\", \"council\": \"C\", "
                    "\"title\": \"T\", \"meeting\": {\"body\": \"B\", "
                    "\"date\": \"2018-06-21\"}}");
    for (int i = 0; i < 1000; i++) qr_buf_printf(&b, ", \"x%d\": 1", i);
    qr_buf_puts(&b, "}");
    d = qr_diags_new();
    data = qr_data_parse(b.data, b.len, "in.json", d);
    assert_non_null(data);
    assert_true(qr_data_validate(data, d));
    assert_int_equal(qr_diags_count(d, QR_WARNING), 11);
    g = qr_diags_get(d, 10);
    assert_string_equal(g->path, "");
    assert_string_equal(g->message, "990 more unknown fields not shown");
    qr_data_free(data);
    qr_diags_free(d);
    qr_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trailing_comma),
        cmocka_unit_test(test_missing_brace_and_comma),
        cmocka_unit_test(test_bad_literal),
        cmocka_unit_test(test_strings_and_numbers),
        cmocka_unit_test(test_document_shape),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_locate),
        cmocka_unit_test(test_locate_large_array),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_duplicate_keys_direct),
        cmocka_unit_test(test_duplicate_keys_linear),
        cmocka_unit_test(test_data_diag),
        cmocka_unit_test(test_unknown_fields),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_bom_and_empty),
        cmocka_unit_test(test_valid_paper),
        cmocka_unit_test(test_freeform),
        cmocka_unit_test(test_each_rule),
        cmocka_unit_test(test_paper_rules),
        cmocka_unit_test(test_samples_valid),
        cmocka_unit_test(test_every_problem),
        cmocka_unit_test(test_validate_inline),
        cmocka_unit_test(test_paragraphs),
        cmocka_unit_test(test_unknown_field_hint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
