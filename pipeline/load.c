/* load.c — the load stage.
 *
 * In:  a data file (or bytes in memory) holding one JSON object.
 * Out: a qr_data owning the source text and the cJSON tree, or NULL plus a
 *      located diagnostic.
 * Spec: RFC 8259 (JSON), RFC 6901 (JSON pointer), docs/data.md "Loading".
 *
 * cJSON's error position is only a byte offset and its messages say nothing,
 * so before handing the text to cJSON we run our own linear syntax checker.
 * It stops at the first problem and says what was expected there (trailing
 * comma, missing comma, unterminated string, bad literal), and it enforces
 * QR_MAX_JSON_DEPTH with a fixed stack, so cJSON's own recursion never goes
 * deeper than we allow. The source text is kept so that qr_data_locate can map
 * a JSON pointer back to line:col for every later diagnostic.
 */
#include "quire/load.h"
#include "quire/input.h"
#include "quire/util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct qr_data {
    char *name;
    char *text;   /* NUL-terminated copy of the source */
    size_t len;
    size_t start; /* first byte after a UTF-8 byte-order mark, if any */
    cJSON *root;
};

/* Longest number cJSON 1.7 copies whole (it parses at most 63 characters). */
#define MAX_NUMBER_CHARS 63
/* Longest bad literal quoted back in a message. */
#define MAX_WORD_SHOWN 32

static const char UTF8_BOM[] = "\xEF\xBB\xBF";

/* ---- the syntax checker ------------------------------------------------ */

typedef struct scan {
    const char *t;
    size_t len;
    size_t pos;
    /* the first error found */
    int failed;
    size_t err_off;
    char msg[256];
} scan;

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws(scan *s)
{
    while (s->pos < s->len && is_ws(s->t[s->pos])) s->pos++;
}

static void fail(scan *s, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(scan *s, size_t off, const char *fmt, ...)
{
    if (s->failed) return;
    s->failed = 1;
    s->err_off = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
}

/* Describe the character at off for "found X" in messages. */
static void describe(const scan *s, size_t off, char *out, size_t n)
{
    if (off >= s->len) {
        snprintf(out, n, "end of file");
        return;
    }
    unsigned char c = (unsigned char)s->t[off];
    if (c >= 0x20 && c < 0x7F) {
        snprintf(out, n, "'%c'", c);
    } else if (c >= 0x80) {
        uint32_t cp;
        int k = qr_utf8_decode(s->t + off, s->len - off, &cp);
        if (k > 0)
            snprintf(out, n, "'%.*s'", k, s->t + off);
        else
            snprintf(out, n, "byte 0x%02X", c);
    } else {
        snprintf(out, n, "U+%04X", c);
    }
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Read the 4 hex digits of a \u escape starting at t[i]; -1 when malformed. */
static long read_u4(const char *t, size_t len, size_t i)
{
    if (i + 4 > len) return -1;
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hex_val(t[i + k]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* s->pos is at the opening quote. On success s->pos is past the closing one. */
static bool scan_string(scan *s)
{
    size_t open = s->pos;
    size_t i = open + 1;
    while (i < s->len) {
        unsigned char c = (unsigned char)s->t[i];
        if (c == '"') {
            s->pos = i + 1;
            return true;
        }
        if (c == '\n' || c == '\r') {
            fail(s, open, "unterminated string: missing closing '\"' before "
                          "the end of the line");
            return false;
        }
        if (c < 0x20) {
            fail(s, i, "control character U+%04X in a string (write it as "
                       "an escape such as \\t or \\u%04X)", c, c);
            return false;
        }
        if (c == '\\') {
            if (i + 1 >= s->len) break;
            char e = s->t[i + 1];
            if (e == 'u') {
                long u = read_u4(s->t, s->len, i + 2);
                if (u < 0) {
                    fail(s, i, "invalid \\u escape (expected 4 hex digits)");
                    return false;
                }
                if (u == 0) {
                    /* cJSON's strings end at a NUL: the rest would vanish */
                    fail(s, i, "\\u0000 (a NUL character) cannot appear in "
                               "a string");
                    return false;
                }
                if (u >= 0xDC00 && u <= 0xDFFF) {
                    fail(s, i, "invalid \\u escape: unpaired low surrogate");
                    return false;
                }
                if (u >= 0xD800 && u <= 0xDBFF) {
                    long lo = -1;
                    if (i + 7 < s->len && s->t[i + 6] == '\\' &&
                        s->t[i + 7] == 'u')
                        lo = read_u4(s->t, s->len, i + 8);
                    if (lo < 0xDC00 || lo > 0xDFFF) {
                        fail(s, i, "invalid \\u escape: unpaired high "
                                   "surrogate");
                        return false;
                    }
                    i += 12;
                    continue;
                }
                i += 6;
                continue;
            }
            if (e == '\0' || !strchr("\"\\/bfnrt", e)) {
                char what[16];
                describe(s, i + 1, what, sizeof what);
                fail(s, i, "invalid escape: %s after '\\' in a string "
                           "(valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t "
                           "\\uXXXX)", what);
                return false;
            }
            i += 2;
            continue;
        }
        i++;
    }
    fail(s, open, "unterminated string: missing closing '\"' before the end "
                  "of the file");
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool scan_number(scan *s)
{
    size_t b = s->pos, i = b;
    if (s->t[i] == '-') i++;
    if (i >= s->len || !is_digit(s->t[i])) {
        fail(s, b, "invalid number: expected a digit after '-'");
        return false;
    }
    if (s->t[i] == '0') {
        i++;
        if (i < s->len && is_digit(s->t[i])) {
            fail(s, b, "invalid number: leading zeros are not allowed");
            return false;
        }
    } else {
        while (i < s->len && is_digit(s->t[i])) i++;
    }
    if (i < s->len && s->t[i] == '.') {
        i++;
        if (i >= s->len || !is_digit(s->t[i])) {
            fail(s, b, "invalid number: expected a digit after '.'");
            return false;
        }
        while (i < s->len && is_digit(s->t[i])) i++;
    }
    if (i < s->len && (s->t[i] == 'e' || s->t[i] == 'E')) {
        i++;
        if (i < s->len && (s->t[i] == '+' || s->t[i] == '-')) i++;
        if (i >= s->len || !is_digit(s->t[i])) {
            fail(s, b, "invalid number: expected a digit in the exponent");
            return false;
        }
        while (i < s->len && is_digit(s->t[i])) i++;
    }
    if (i - b > MAX_NUMBER_CHARS) {
        fail(s, b, "number is too long (more than %d characters)",
             MAX_NUMBER_CHARS);
        return false;
    }
    s->pos = i;
    return true;
}

static bool is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
           c == '_';
}

static bool scan_literal(scan *s)
{
    size_t b = s->pos, i = b;
    while (i < s->len && is_word_char(s->t[i])) i++;
    size_t n = i - b;
    static const char *const lits[] = {"true", "false", "null"};
    for (size_t k = 0; k < 3; k++) {
        if (n == strlen(lits[k]) && memcmp(s->t + b, lits[k], n) == 0) {
            s->pos = i;
            return true;
        }
    }
    int shown = (int)(n > MAX_WORD_SHOWN ? MAX_WORD_SHOWN : n);
    for (size_t k = 0; k < 3; k++) {
        if (n == strlen(lits[k]) && strncasecmp(s->t + b, lits[k], n) == 0) {
            fail(s, b, "invalid literal '%.*s' (JSON literals are lowercase: "
                       "%s)", shown, s->t + b, lits[k]);
            return false;
        }
    }
    fail(s, b, "invalid literal '%.*s' (expected true, false, null, a number "
               "or a \"string\")", shown, s->t + b);
    return false;
}

typedef struct open_bracket {
    char c;
    size_t off;
} open_bracket;

enum state { ST_VALUE, ST_KEY, ST_AFTER };

/* Check t[start..len) is one JSON value. Returns true when well formed;
 * otherwise false with s->err_off and s->msg set to the first problem. */
static bool check_syntax(scan *s, size_t start)
{
    open_bracket stack[QR_MAX_JSON_DEPTH];
    int depth = 0;
    enum state st = ST_VALUE;
    size_t comma = 0;      /* offset of the last comma consumed */
    int after_comma = 0;   /* the token before this one was a comma */
    char what[32];

    s->pos = start;
    skip_ws(s);
    if (s->pos >= s->len) {
        fail(s, s->pos, "empty file: expected a JSON object");
        return false;
    }
    for (;;) {
        skip_ws(s);
        size_t p = s->pos;
        char c = p < s->len ? s->t[p] : '\0';
        int eof = p >= s->len;

        if (st == ST_AFTER) {
            if (depth == 0) {
                if (!eof) {
                    describe(s, p, what, sizeof what);
                    fail(s, p, "unexpected %s after the end of the JSON "
                               "value", what);
                    return false;
                }
                return true;
            }
            open_bracket *top = &stack[depth - 1];
            char close = top->c == '{' ? '}' : ']';
            const char *kind = top->c == '{' ? "object" : "array";
            if (eof) {
                int l, col;
                qr_text_linecol(s->t, s->len, top->off, &l, &col);
                fail(s, p, "unexpected end of file: missing '%c' to close "
                           "the %s opened at line %d:%d", close, kind, l,
                     col);
                return false;
            }
            if (c == ',') {
                comma = p;
                after_comma = 1;
                s->pos++;
                st = top->c == '{' ? ST_KEY : ST_VALUE;
                continue;
            }
            if (c == close) {
                s->pos++;
                depth--;
                continue;
            }
            if (c == '}' || c == ']') {
                int l, col;
                qr_text_linecol(s->t, s->len, top->off, &l, &col);
                fail(s, p, "found '%c' but the %s opened at line %d:%d is "
                           "still open (expected ',' or '%c')", c, kind, l,
                     col, close);
                return false;
            }
            if (c == '"' || c == '{' || c == '[' || c == '-' ||
                is_digit(c) || is_word_char(c)) {
                fail(s, p, "missing ',' before this %s",
                     top->c == '{' ? "member" : "element");
                return false;
            }
            describe(s, p, what, sizeof what);
            fail(s, p, "expected ',' or '%c' after an %s, found %s", close,
                 top->c == '{' ? "object member" : "array element", what);
            return false;
        }

        if (st == ST_KEY) {
            if (eof) {
                fail(s, p, "unexpected end of file: expected a member name "
                           "in double quotes");
                return false;
            }
            if (c == '}' && after_comma) {
                fail(s, comma, "trailing comma before '}'");
                return false;
            }
            if (c == '\'') {
                fail(s, p, "member names must be in double quotes, not "
                           "single quotes");
                return false;
            }
            if (c != '"') {
                describe(s, p, what, sizeof what);
                fail(s, p, "expected a member name in double quotes, found "
                           "%s", what);
                return false;
            }
            if (!scan_string(s)) return false;
            skip_ws(s);
            if (s->pos >= s->len || s->t[s->pos] != ':') {
                describe(s, s->pos, what, sizeof what);
                fail(s, s->pos, "expected ':' after the member name, found "
                                "%s", what);
                return false;
            }
            s->pos++;
            after_comma = 0;
            st = ST_VALUE;
            continue;
        }

        /* ST_VALUE */
        if (eof) {
            fail(s, p, "unexpected end of file: expected a value");
            return false;
        }
        if ((c == ']' || c == '}') && after_comma) {
            fail(s, comma, "trailing comma before '%c'", c);
            return false;
        }
        after_comma = 0;
        if (c == '{' || c == '[') {
            if (depth == QR_MAX_JSON_DEPTH) {
                fail(s, p, "nesting deeper than %d levels", QR_MAX_JSON_DEPTH);
                return false;
            }
            stack[depth].c = c;
            stack[depth].off = p;
            depth++;
            s->pos++;
            skip_ws(s);
            char close = c == '{' ? '}' : ']';
            if (s->pos < s->len && s->t[s->pos] == close) {
                s->pos++;
                depth--;
                st = ST_AFTER;
            } else {
                st = c == '{' ? ST_KEY : ST_VALUE;
            }
            continue;
        }
        int ok;
        if (c == '"') {
            ok = scan_string(s);
        } else if (c == '-' || is_digit(c)) {
            ok = scan_number(s);
        } else if (is_word_char(c)) {
            ok = scan_literal(s);
        } else if (c == '\'') {
            fail(s, p, "strings must be in double quotes, not single quotes");
            return false;
        } else {
            describe(s, p, what, sizeof what);
            fail(s, p, "expected a value, found %s", what);
            return false;
        }
        if (!ok) return false;
        st = ST_AFTER;
    }
}

/* ---- repeated member names ---------------------------------------------- */

/* cJSON keeps every member of an object, repeats included, as siblings in
 * source order, and its lookups return the first. A repeat would let
 * `"exempt": null, "exempt": {...}` read as public: every repeat is an
 * error, located at the repeat. The walk follows the tree and the text side
 * by side (the n-th member in the tree is the n-th key in the text), so
 * each key's offset costs nothing extra. Each object's names are sorted
 * once: O(k log k) for k members, never quadratic. */

#define DUP_LOST ((size_t)-1)   /* the text walk lost its place */
#define DUP_MAX_SHOWN 20        /* repeats reported one by one per file */

typedef struct dup_key {
    const char *name;
    size_t off;       /* the key's opening quote, or DUP_LOST */
    size_t index;     /* position among the object's members */
} dup_key;

typedef struct dup_rep {
    const char *name;
    size_t off, first_off;
    char *object;     /* the JSON pointer of the object */
} dup_rep;

typedef struct dup_walk {
    const char *t;
    size_t len;
    dup_key *keys;    /* a stack: each open object's names */
    size_t nkeys, ckeys;
    dup_rep *reps;
    size_t nreps, creps;
    size_t total;     /* repeats found, shown or not */
    qr_buf path;
} dup_walk;

/* cJSON skips every byte up to the space as white space. */
static size_t dup_ws(const dup_walk *w, size_t i)
{
    if (i == DUP_LOST) return i;
    while (i < w->len && (unsigned char)w->t[i] <= ' ') i++;
    return i;
}

/* i (not lost) at byte c? */
static bool dup_at(const dup_walk *w, size_t i, char c)
{
    return i != DUP_LOST && i < w->len && w->t[i] == c;
}

static size_t dup_string_end(const dup_walk *w, size_t i)
{
    for (i++; i < w->len && w->t[i] != '"'; i++)
        if (w->t[i] == '\\') i++;
    return i < w->len ? i + 1 : DUP_LOST;
}

static int dup_key_cmp(const void *a, const void *b)
{
    const dup_key *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Sort the object's names keys[base..nkeys) and record each repeat against
 * the first of its name. */
static void dup_object_done(dup_walk *w, size_t base)
{
    dup_key *k = w->keys + base;
    size_t n = w->nkeys - base;
    if (n < 2) return;
    qsort(k, n, sizeof *k, dup_key_cmp);
    size_t first = 0;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(k[i].name, k[first].name) != 0) {
            first = i;
            continue;
        }
        w->total++;
        if (w->nreps == DUP_MAX_SHOWN) continue;
        QR_GROW(w->reps, w->nreps, w->creps, 4);
        w->reps[w->nreps++] = (dup_rep){
            k[i].name, k[i].off, k[first].off,
            qr_xstrdup(w->path.data ? w->path.data : "")};
    }
}

/* v is the value starting at or after text offset i (DUP_LOST: the place
 * is lost, keep checking the tree alone); returns the offset after it. */
static size_t dup_value(dup_walk *w, const cJSON *v, size_t i)
{
    i = dup_ws(w, i);
    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        int obj = cJSON_IsObject(v);
        i = dup_at(w, i, obj ? '{' : '[') ? i + 1 : DUP_LOST;
        size_t base = w->nkeys, index = 0;
        for (const cJSON *m = v->child; m; m = m->next, index++) {
            size_t mark;
            i = dup_ws(w, i);
            if (obj) {
                size_t key_off = dup_at(w, i, '"') ? i : DUP_LOST;
                i = key_off == DUP_LOST ? DUP_LOST : dup_string_end(w, i);
                i = dup_ws(w, i);
                i = dup_at(w, i, ':') ? i + 1 : DUP_LOST;
                QR_GROW(w->keys, w->nkeys, w->ckeys, 64);
                w->keys[w->nkeys++] = (dup_key){
                    m->string ? m->string : "", key_off, index};
                mark = qr_jptr_push_key(&w->path, m->string);
            } else {
                mark = qr_jptr_push_index(&w->path, (int)index);
            }
            i = dup_value(w, m, i);
            qr_jptr_pop(&w->path, mark);
            i = dup_ws(w, i);
            if (dup_at(w, i, ',')) i++;
        }
        i = dup_ws(w, i);
        i = dup_at(w, i, obj ? '}' : ']') ? i + 1 : DUP_LOST;
        if (obj) dup_object_done(w, base);
        w->nkeys = base;
        return i;
    }
    if (i == DUP_LOST || i >= w->len) return DUP_LOST;
    if (w->t[i] == '"') return dup_string_end(w, i);
    while (i < w->len && (unsigned char)w->t[i] > ' ' && w->t[i] != ',' &&
           w->t[i] != '}' && w->t[i] != ']')
        i++;
    return i;
}

static int dup_rep_cmp(const void *a, const void *b)
{
    const dup_rep *x = a, *y = b;
    return (x->off > y->off) - (x->off < y->off);
}

bool qr_json_check_duplicates(const char *name, const char *text, size_t len,
                              const cJSON *root, qr_diags *d)
{
    dup_walk w = {.t = text, .len = text ? len : 0};
    qr_buf_init(&w.path);
    size_t start = 0;
    if (w.len >= 3 && memcmp(text, UTF8_BOM, 3) == 0) start = 3;
    if (!text) start = DUP_LOST;
    dup_value(&w, root, start);
    /* in the order of the text, however deep each repeat was found */
    if (w.nreps) qsort(w.reps, w.nreps, sizeof *w.reps, dup_rep_cmp);
    for (size_t i = 0; i < w.nreps; i++) {
        const dup_rep *r = &w.reps[i];
        const char *in = r->object[0] ? r->object : "the top-level object";
        char first[48] = "earlier in the object";
        if (r->first_off != DUP_LOST) {
            int fl, fc;
            qr_text_linecol(text, len, r->first_off, &fl, &fc);
            snprintf(first, sizeof first, "first at %d:%d", fl, fc);
        }
        if (r->off != DUP_LOST)
            qr_diag_at(d, QR_ERROR, name, text, len, r->off,
                       "duplicate key \"%s\" in %s (%s)", r->name, in, first);
        else
            qr_diag_add(d, QR_ERROR, name, 0, 0, NULL, NULL,
                        "duplicate key \"%s\" in %s (%s)", r->name, in,
                        first);
        free(r->object);
    }
    if (w.total > w.nreps)
        qr_diag_add(d, QR_ERROR, name, 0, 0, NULL, NULL,
                    "%zu more duplicate keys not shown", w.total - w.nreps);
    free(w.reps);
    free(w.keys);
    qr_buf_free(&w.path);
    return w.total == 0;
}

/* ---- loading ----------------------------------------------------------- */

void qr_json_add_new(cJSON *obj, const char *key, cJSON *item)
{
    if (!item) return;
    if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
        cJSON_Delete(item);
        return;
    }
    cJSON_AddItemToObject(obj, key, item);
}

const char *qr_json_type_name(const cJSON *v)
{
    if (cJSON_IsObject(v)) return "an object";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    return "null";
}

/* any_value: accept any JSON value at the top level (the Mustache spec's
 * context may be a string, number or array); a paper's data must be an
 * object, which is what every other caller wants. */
static qr_data *parse_owned(char *text, size_t len, const char *name,
                            int any_value, qr_diags *d)
{
    size_t bad = qr_utf8_check(text, len);
    if (bad != (size_t)-1) {
        qr_diag_at(d, QR_ERROR, name, text, len, bad,
                   "invalid UTF-8 at byte %zu", bad);
        free(text);
        return NULL;
    }
    size_t start = 0;
    if (len >= 3 && memcmp(text, UTF8_BOM, 3) == 0) start = 3;

    scan s = {.t = text, .len = len};
    if (!check_syntax(&s, start)) {
        qr_diag_at(d, QR_ERROR, name, text, len, s.err_off, "%s", s.msg);
        free(text);
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text + start, len - start, &end, 0);
    if (!root) {
        /* The checker accepted it, so this is cJSON's own limit. */
        size_t off = end ? (size_t)(end - text) : start;
        qr_diag_at(d, QR_ERROR, name, text, len, off,
                   "cannot parse the JSON here");
        free(text);
        return NULL;
    }
    if (!any_value && !cJSON_IsObject(root)) {
        s.pos = start;
        skip_ws(&s);
        qr_diag_at(d, QR_ERROR, name, text, len, s.pos,
                   "the top level must be an object ({ ... }), found %s",
                   qr_json_type_name(root));
        cJSON_Delete(root);
        free(text);
        return NULL;
    }
    if (!qr_json_check_duplicates(name ? name : "(data)", text, len, root,
                                  d)) {
        cJSON_Delete(root);
        free(text);
        return NULL;
    }
    qr_data *data = qr_xcalloc(1, sizeof *data);
    data->name = qr_xstrdup(name ? name : "(data)");
    data->text = text;
    data->len = len;
    data->start = start;
    data->root = root;
    return data;
}

qr_data *qr_data_parse(const char *text, size_t len, const char *name,
                       qr_diags *d)
{
    if (len > QR_MAX_DATA_BYTES) {
        qr_diag_add(d, QR_ERROR, name, 0, 0, NULL, NULL,
                    "file is larger than 64 MiB");
        return NULL;
    }
    return parse_owned(qr_xstrndup(text ? text : "", text ? len : 0), len,
                       name, 0, d);
}

qr_data *qr_data_adopt(char *text, size_t len, const char *name,
                       qr_diags *d)
{
    return parse_owned(text, len, name, 0, d);
}

static qr_data *load_file(const char *path, int any_value,
                          qr_input_role role, qr_diags *d)
{
    size_t len = 0;
    char *text = qr_input_read(path, role, &len, QR_MAX_DATA_BYTES);
    if (!text) {
        if (errno == EFBIG)
            qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                        "file is larger than 64 MiB");
        else
            qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                        "cannot read '%s': %s", path,
                        qr_input_strerror(errno));
        return NULL;
    }
    return parse_owned(text, len, path, any_value, d);
}

qr_data *qr_data_load(const char *path, qr_diags *d)
{
    return load_file(path, 0, QR_IN_DATA, d);
}

qr_data *qr_data_load_as(const char *path, qr_input_role role, qr_diags *d)
{
    return load_file(path, 0, role, d);
}

qr_data *qr_data_load_value(const char *path, qr_diags *d)
{
    return load_file(path, 1, QR_IN_DATA, d);
}

qr_data *qr_data_empty(void)
{
    qr_data *data = qr_xcalloc(1, sizeof *data);
    data->name = qr_xstrdup("(no data)");
    data->text = qr_xstrdup("");
    data->root = cJSON_CreateObject();
    return data;
}

void qr_data_free(qr_data *data)
{
    if (!data) return;
    cJSON_Delete(data->root);
    free(data->text);
    free(data->name);
    free(data);
}

const cJSON *qr_data_root(const qr_data *data)
{
    return data ? data->root : NULL;
}

cJSON *qr_data_root_mut(qr_data *data)
{
    return data ? data->root : NULL;
}

const char *qr_data_name(const qr_data *data)
{
    return data ? data->name : NULL;
}

/* ---- locating a JSON pointer in the source ----------------------------- */

/* The text was accepted by check_syntax, but every step still checks bounds
 * so that a wrong assumption cannot read past the end. */

static size_t ws_from(const qr_data *dt, size_t i)
{
    while (i < dt->len && is_ws(dt->text[i])) i++;
    return i;
}

/* i at an opening quote; returns the offset after the closing quote. When
 * out is not NULL the decoded bytes are appended to it. */
static size_t string_from(const qr_data *dt, size_t i, qr_buf *out)
{
    const char *t = dt->text;
    i++;
    while (i < dt->len && t[i] != '"') {
        if (t[i] != '\\') {
            if (out) qr_buf_putc(out, t[i]);
            i++;
            continue;
        }
        if (i + 1 >= dt->len) return dt->len;
        char e = t[i + 1];
        if (e != 'u') {
            if (out) {
                static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
                const char *k = strchr(from, e);
                qr_buf_putc(out, k && e ? to[k - from] : e);
            }
            i += 2;
            continue;
        }
        long u = read_u4(t, dt->len, i + 2);
        i += 6;
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < dt->len && t[i] == '\\' &&
            t[i + 1] == 'u') {
            long lo = read_u4(t, dt->len, i + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
        }
        if (out && u >= 0) {
            char enc[4];
            int k = qr_utf8_encode((uint32_t)u, enc);
            qr_buf_append(out, enc, (size_t)k);
        }
    }
    return i < dt->len ? i + 1 : dt->len;
}

/* i at the first byte of a value; returns the offset just after it. */
static size_t value_end(const qr_data *dt, size_t i)
{
    const char *t = dt->text;
    if (i >= dt->len) return dt->len;
    if (t[i] == '"') return string_from(dt, i, NULL);
    if (t[i] != '{' && t[i] != '[') {
        while (i < dt->len && !is_ws(t[i]) && t[i] != ',' && t[i] != '}' &&
               t[i] != ']')
            i++;
        return i;
    }
    int depth = 0;
    while (i < dt->len) {
        char c = t[i];
        if (c == '"') {
            i = string_from(dt, i, NULL);
            continue;
        }
        if (c == '{' || c == '[') depth++;
        if (c == '}' || c == ']') {
            depth--;
            if (depth == 0) return i + 1;
        }
        i++;
    }
    return dt->len;
}

/* Decode one pointer segment seg[0..n) (~1 is '/', ~0 is '~'). */
static void pointer_segment(const char *seg, size_t n, qr_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (seg[i] == '~' && i + 1 < n && (seg[i + 1] == '0' ||
                                           seg[i + 1] == '1')) {
            qr_buf_putc(out, seg[i + 1] == '0' ? '~' : '/');
            i++;
        } else {
            qr_buf_putc(out, seg[i]);
        }
    }
}

/* An array index segment: digits only, no leading zero. -1 otherwise. */
static long pointer_index(const char *seg, size_t n)
{
    if (n == 0 || n > 9 || (n > 1 && seg[0] == '0')) return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(seg[i])) return -1;
        v = v * 10 + (seg[i] - '0');
    }
    return v;
}

/* Byte offset of the value at `path`, or (size_t)-1. */
static size_t locate_offset(const qr_data *dt, const char *path)
{
    const char *t = dt->text;
    size_t i = ws_from(dt, dt->start);
    if (i >= dt->len) return (size_t)-1;
    if (*path && *path != '/') return (size_t)-1;

    qr_buf want, key;
    qr_buf_init(&want);
    qr_buf_init(&key);
    size_t found = (size_t)-1;
    const char *p = path;
    while (*p == '/') {
        const char *seg = p + 1;
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        p = seg + n;
        if (i >= dt->len) goto done;
        if (t[i] == '{') {
            want.len = 0;
            pointer_segment(seg, n, &want);
            i = ws_from(dt, i + 1);
            for (;;) {
                if (i >= dt->len || t[i] != '"') goto done;
                key.len = 0;
                i = string_from(dt, i, &key);
                i = ws_from(dt, i);
                if (i >= dt->len || t[i] != ':') goto done;
                i = ws_from(dt, i + 1);
                if (key.len == want.len &&
                    memcmp(key.data ? key.data : "",
                           want.data ? want.data : "", key.len) == 0)
                    break;
                i = ws_from(dt, value_end(dt, i));
                if (i >= dt->len || t[i] != ',') goto done;
                i = ws_from(dt, i + 1);
            }
        } else if (t[i] == '[') {
            long idx = pointer_index(seg, n);
            if (idx < 0) goto done;
            i = ws_from(dt, i + 1);
            if (i >= dt->len || t[i] == ']') goto done;
            for (long k = 0; k < idx; k++) {
                i = ws_from(dt, value_end(dt, i));
                if (i >= dt->len || t[i] != ',') goto done;
                i = ws_from(dt, i + 1);
            }
        } else {
            goto done;
        }
    }
    if (i < dt->len) found = i;
done:
    qr_buf_free(&want);
    qr_buf_free(&key);
    return found;
}

bool qr_data_locate(const qr_data *data, const char *path, int *line,
                    int *col)
{
    if (!data || !path || !data->text) return false;
    size_t off = locate_offset(data, path);
    if (off == (size_t)-1) return false;
    qr_text_linecol(data->text, data->len, off, line, col);
    return true;
}

void qr_data_vdiag(const qr_data *data, qr_diags *d, qr_severity sev,
                   const char *path, const char *fmt, va_list ap)
{
    char *msg = qr_xvasprintf(fmt, ap);
    const char *file = data ? data->name : NULL;
    int line = 0, col = 0;
    if (qr_data_locate(data, path, &line, &col)) {
        char *src = qr_text_line(data->text, data->len, line);
        qr_diag_add(d, sev, file, line, col, path, src, "%s", msg);
        free(src);
    } else {
        qr_diag_add(d, sev, file, 0, 0, path, NULL, "%s", msg);
    }
    free(msg);
}

void qr_data_diag(const qr_data *data, qr_diags *d, qr_severity sev,
                  const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    qr_data_vdiag(data, d, sev, path, fmt, ap);
    va_end(ap);
}

size_t qr_jptr_push_key(qr_buf *path, const char *key)
{
    size_t mark = path->len;
    qr_buf_putc(path, '/');
    for (const char *p = key ? key : ""; *p; p++) {
        if (*p == '~') qr_buf_puts(path, "~0");
        else if (*p == '/') qr_buf_puts(path, "~1");
        else qr_buf_putc(path, *p);
    }
    return mark;
}

size_t qr_jptr_push_index(qr_buf *path, int index)
{
    size_t mark = path->len;
    qr_buf_printf(path, "/%d", index);
    return mark;
}

void qr_jptr_pop(qr_buf *path, size_t mark)
{
    path->len = mark;
    if (path->data) path->data[mark] = '\0';
}

bool qr_json_unknown_fields(const qr_data *data, const cJSON *obj,
                            const char *path, const char *const *known,
                            qr_diags *d)
{
    const cJSON *m;
    size_t unknown = 0;
    cJSON_ArrayForEach(m, obj) {
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strcmp(*k, m->string) == 0;
        if (ok || ++unknown > QR_UNKNOWN_KEYS_SHOWN) continue;
        qr_buf list, p;
        qr_buf_init(&list);
        qr_buf_init(&p);
        for (const char *const *k = known; *k; k++)
            qr_buf_printf(&list, "%s%s", k == known ? "" : ", ", *k);
        qr_buf_puts(&p, path);
        qr_jptr_push_key(&p, m->string);
        const char *hint = qr_did_you_mean(m->string, known, SIZE_MAX);
        if (hint)
            qr_data_diag(data, d, QR_ERROR, p.data, "unknown field '%s': did "
                         "you mean '%s'? (known: %s)", m->string, hint,
                         list.data);
        else
            qr_data_diag(data, d, QR_ERROR, p.data, "unknown field '%s' "
                         "(known: %s)", m->string, list.data);
        qr_buf_free(&p);
        qr_buf_free(&list);
    }
    if (unknown > QR_UNKNOWN_KEYS_SHOWN)
        qr_data_diag(data, d, QR_ERROR, path, "%zu more unknown fields not "
                     "shown", unknown - QR_UNKNOWN_KEYS_SHOWN);
    return unknown == 0;
}
