/* test_linebreak.c — the paragraph line breaker (pipeline/linebreak.c),
 * measured through a fixed-advance fake so widths are predictable: every
 * glyph 500/1000 em, a space 250/1000 em; at 10 pt a letter is 5 pt and a
 * space 2.5 pt. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../pipeline/linebreak.h"
#include "quire/util.h"

#include <linebreak.h>

#define SIZE 10.0f
#define SHY "\xC2\xAD"          /* an inserted hyphen, as text */
#define TOL 0.01f

/* ---- fake metrics ---- */

typedef struct fake {
    float adv, space;
    const uint32_t *main_missing;   /* only the fallback faces have these */
    const uint32_t *none_has;       /* no face has these */
} fake;

static int in_list(const uint32_t *l, uint32_t cp)
{
    for (; l && *l; l++)
        if (*l == cp) return 1;
    return 0;
}

static bool fake_has(void *ctx, qr_font_slot slot, uint32_t cp)
{
    const fake *f = ctx;
    if (in_list(f->none_has, cp)) return false;
    if (slot == QR_FONT_FALLBACK || slot == QR_FONT_FALLBACK_BOLD) return true;
    return !in_list(f->main_missing, cp);
}

static float fake_adv(void *ctx, qr_font_slot slot, uint32_t cp)
{
    const fake *f = ctx;
    if (!fake_has(ctx, slot, cp)) return 0;
    return cp == ' ' ? f->space : f->adv;
}

static void fake_v(void *ctx, qr_font_slot slot, float *a, float *d)
{
    (void)ctx;
    int fb = slot == QR_FONT_FALLBACK || slot == QR_FONT_FALLBACK_BOLD;
    *a = fb ? 900 : 800;
    *d = fb ? -250 : -200;
}

static const uint32_t phone_missing[] = {0x260E, 0};
static const uint32_t nobody[] = {0x1F600, 0};
static fake the_fake = {500, 250, phone_missing, nobody};

static qr_metrics metrics(void)
{
    qr_metrics m = {&the_fake, fake_has, fake_adv, fake_v, NULL};
    return m;
}

/* ---- helpers ---- */

static lb_span span(const char *s, qr_font_slot f, unsigned flags, int line)
{
    lb_span sp;
    memset(&sp, 0, sizeof sp);
    sp.text = s;
    sp.len = s ? strlen(s) : 0;
    sp.font = f;
    sp.size = SIZE;
    sp.flags = flags;
    sp.line = line;
    return sp;
}

static lb_opts opts(float width, qr_align al, qr_breaking br, int hyph)
{
    lb_opts o;
    memset(&o, 0, sizeof o);
    o.width = width;
    o.align = al;
    o.breaking = br;
    o.hyphenate = hyph;
    o.md_name = "test.md";
    return o;
}

static lb_result *brk1(const char *text, const lb_opts *o, qr_diags *d)
{
    lb_init();
    qr_metrics m = metrics();
    lb_span s = span(text, QR_FONT_REGULAR, 0, 1);
    return lb_break(&s, 1, o, &m, d);
}

/* Text of a line: fragments joined, a space where there is a gap. */
static void line_text(const lb_line *ln, qr_buf *b)
{
    for (size_t i = 0; i < ln->nfrags; i++) {
        const lb_frag *f = &ln->frags[i];
        if (i > 0) {
            const lb_frag *p = &ln->frags[i - 1];
            if (f->x - (p->x + p->w) > TOL) qr_buf_putc(b, ' ');
        }
        qr_buf_append(b, f->text, f->len);
    }
}

/* The whole paragraph as text: lines joined by a space, except after an
 * inserted hyphen, which is removed. */
static char *para_text(const lb_result *r)
{
    qr_buf b;
    qr_buf_init(&b);
    for (size_t i = 0; i < lb_nlines(r); i++) {
        const lb_line *ln = lb_get_line(r, i);
        line_text(ln, &b);
        if (ln->hyphenated) {
            /* the inserted hyphen is U+00AD in the text */
            assert_true(b.len >= 2);
            assert_memory_equal(b.data + b.len - 2, SHY, 2);
            b.len -= 2;
            b.data[b.len] = '\0';
        } else if (i + 1 < lb_nlines(r)) {
            qr_buf_putc(&b, ' ');
        }
    }
    return qr_buf_detach(&b, NULL);
}

static char *squash(const char *s, int keep_single_spaces)
{
    size_t n = strlen(s);
    char *o = malloc(n + 1);
    size_t k = 0;
    int sp = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '\n') {
            sp = 1;
            continue;
        }
        if (sp && k > 0 && keep_single_spaces) o[k++] = ' ';
        sp = 0;
        o[k++] = s[i];
    }
    o[k] = '\0';
    return o;
}

/* Invariants every result must keep: nothing past the margin, fragments
 * in order without overlap, no line-end space drawn. */
static void check_fits(const lb_result *r, const lb_opts *o)
{
    for (size_t i = 0; i < lb_nlines(r); i++) {
        const lb_line *ln = lb_get_line(r, i);
        float indent = i == 0 ? o->first_indent : 0;
        assert_true(ln->width <= o->width - indent + TOL);
        float prev_end = indent;
        for (size_t k = 0; k < ln->nfrags; k++) {
            const lb_frag *f = &ln->frags[k];
            assert_true(f->x >= prev_end - TOL);
            assert_true(f->w >= 0);
            assert_true(f->x + f->w <= o->width + TOL);
            assert_non_null(f->text);
            prev_end = f->x + f->w;
        }
        if (ln->nfrags) {
            const lb_frag *f = &ln->frags[ln->nfrags - 1];
            assert_true(f->len > 0);
            assert_true(f->text[f->len - 1] != ' ');
            assert_true(ln->ascent > 0 && ln->descent < 0);
        }
    }
}

static unsigned rnd_state;
static unsigned rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 16) & 0x7fff;
}

static const char *const vocab[] = {
    "the", "local", "authority", "children", "safeguarding", "improvement",
    "inspection", "of", "and", "services", "requires", "to", "be", "good",
    "a", "is", "leaders", "understand", "partnership", "arrangements",
    "effective", "social", "workers", "caseloads", "were", "manageable",
    "in", "most", "teams", "practice", "x", "consistently", "strengthened"
};

static char *random_text(size_t words, int with_long)
{
    qr_buf b;
    qr_buf_init(&b);
    for (size_t i = 0; i < words; i++) {
        if (i) qr_buf_putc(&b, ' ');
        if (with_long && rnd() % 40 == 0) {
            size_t n = 20 + rnd() % 60;
            for (size_t k = 0; k < n; k++) qr_buf_putc(&b, (char)('a' + rnd() % 26));
        } else {
            qr_buf_puts(&b, vocab[rnd() % (sizeof vocab / sizeof *vocab)]);
        }
    }
    return qr_buf_detach(&b, NULL);
}

static size_t longest_word(const char *s)
{
    size_t best = 0, cur = 0;
    for (; *s; s++) {
        cur = *s == ' ' ? 0 : cur + 1;
        if (cur > best) best = cur;
    }
    return best;
}

/* ---- tests ---- */

static void test_random_paragraphs(void **state)
{
    (void)state;
    rnd_state = 42;
    for (int iter = 0; iter < 400; iter++) {
        int with_long = iter % 3 == 0;
        char *text = random_text(5 + rnd() % 120, with_long);
        lb_opts o = opts(40.0f + (float)(rnd() % 400),
                         rnd() % 2 ? QR_ALIGN_JUSTIFY : QR_ALIGN_LEFT,
                         rnd() % 3 ? QR_BREAK_TOTAL_FIT : QR_BREAK_GREEDY,
                         (int)(rnd() % 2));
        if (rnd() % 3 == 0) o.first_indent = (float)(rnd() % 30);
        qr_diags *d = qr_diags_new();
        lb_result *r = brk1(text, &o, d);
        assert_int_equal(qr_diags_len(d), 0);
        assert_true(lb_nlines(r) >= 1);
        check_fits(r, &o);
        char *got = para_text(r);
        /* every character, in order, none lost or doubled */
        char *a = squash(text, 0), *b = squash(got, 0);
        assert_string_equal(a, b);
        free(a);
        free(b);
        if (o.width - o.first_indent >= longest_word(text) * 5.0f + 5.0f) {
            /* no word needed splitting: words and spaces match too */
            a = squash(text, 1);
            b = squash(got, 1);
            assert_string_equal(a, b);
            free(a);
            free(b);
        }
        /* justified: every line but the last ends at the measure */
        if (o.align == QR_ALIGN_JUSTIFY) {
            for (size_t i = 0; i + 1 < lb_nlines(r); i++) {
                const lb_line *ln = lb_get_line(r, i);
                if (ln->nfrags < 2) continue;   /* one word: nothing to stretch */
                const lb_frag *f = &ln->frags[ln->nfrags - 1];
                assert_float_equal(f->x + f->w, o.width, TOL);
            }
        }
        free(got);
        free(text);
        lb_result_free(r);
        qr_diags_free(d);
    }
}

static void test_hard_breaks(void **state)
{
    (void)state;
    lb_init();
    qr_metrics m = metrics();
    lb_span s[3] = {span("first line", QR_FONT_REGULAR, 0, 1),
                    span(NULL, QR_FONT_REGULAR, LB_HARD_BREAK, 1),
                    span("second\nthird", QR_FONT_REGULAR, 0, 2)};
    lb_opts o = opts(400, QR_ALIGN_JUSTIFY, QR_BREAK_TOTAL_FIT, 1);
    lb_result *r = lb_break(s, 3, &o, &m, NULL);
    assert_int_equal(lb_nlines(r), 3);
    const char *want[3] = {"first line", "second", "third"};
    for (size_t i = 0; i < 3; i++) {
        qr_buf b;
        qr_buf_init(&b);
        line_text(lb_get_line(r, i), &b);
        assert_string_equal(b.data, want[i]);
        qr_buf_free(&b);
    }
    /* a line ended by a hard break is not justified */
    const lb_line *l0 = lb_get_line(r, 0);
    assert_float_equal(l0->width, 10 * 5.0f - 2.5f, TOL);
    assert_float_equal(l0->frags[1].x, 5 * 5.0f + 2.5f, TOL);
    lb_result_free(r);
}

static void test_overlong_word(void **state)
{
    (void)state;
    char word[301];
    for (int i = 0; i < 300; i++) word[i] = (char)('a' + i % 26);
    word[300] = '\0';
    char text[400];
    snprintf(text, sizeof text, "An %s word", word);
    for (int al = 0; al < 2; al++)
        for (int brk = 0; brk < 2; brk++) {
            lb_opts o = opts(100, al ? QR_ALIGN_JUSTIFY : QR_ALIGN_LEFT,
                             brk ? QR_BREAK_GREEDY : QR_BREAK_TOTAL_FIT, 1);
            lb_result *r = brk1(text, &o, NULL);
            assert_true(lb_nlines(r) >= 16);   /* 1500 pt of letters */
            check_fits(r, &o);
            char *got = para_text(r);
            char *a = squash(text, 0), *b = squash(got, 0);
            assert_string_equal(a, b);
            free(a);
            free(b);
            free(got);
            lb_result_free(r);
        }
}

static void test_combining_marks_stay(void **state)
{
    (void)state;
    /* 200 × "e" + U+0301: an overlong word of clusters */
    qr_buf t;
    qr_buf_init(&t);
    for (int i = 0; i < 200; i++) qr_buf_puts(&t, "e\xCC\x81");
    for (float w = 41; w <= 60; w += 1) {
        lb_opts o = opts(w, QR_ALIGN_LEFT, QR_BREAK_TOTAL_FIT, 0);
        lb_result *r = brk1(t.data, &o, NULL);
        assert_true(lb_nlines(r) > 1);
        for (size_t i = 0; i < lb_nlines(r); i++) {
            const lb_line *ln = lb_get_line(r, i);
            assert_true(ln->nfrags >= 1);
            /* never starts with the combining acute */
            assert_false((unsigned char)ln->frags[0].text[0] == 0xCC);
        }
        check_fits(r, &o);
        lb_result_free(r);
    }
    /* a run of marks longer than any real cluster may be cut anywhere */
    qr_buf_free(&t);
    qr_buf_init(&t);
    qr_buf_putc(&t, 'e');
    for (int i = 0; i < 1000; i++) qr_buf_puts(&t, "\xCC\x81");
    lb_opts o = opts(100, QR_ALIGN_LEFT, QR_BREAK_TOTAL_FIT, 0);
    lb_result *r = brk1(t.data, &o, NULL);
    assert_true(lb_nlines(r) > 40);
    check_fits(r, &o);
    lb_result_free(r);
    qr_buf_free(&t);
}

/* Largest adjustment ratio over the justified lines except the last. */
static double worst_ratio(const lb_result *r, float width)
{
    double worst = 0;
    for (size_t i = 0; i + 1 < lb_nlines(r); i++) {
        const lb_line *ln = lb_get_line(r, i);
        if (ln->nfrags < 2) return 1e9;
        double letters = 0;
        for (size_t k = 0; k < ln->nfrags; k++) letters += ln->frags[k].w;
        size_t spaces = ln->nfrags - 1;
        double natural = letters + spaces * 2.5;
        double ratio = (width - natural) / (spaces * 2.5 * 0.5);
        if (ratio > worst) worst = ratio;
    }
    return worst;
}

static void test_total_fit_beats_greedy(void **state)
{
    (void)state;
    /* Greedy fills the first line, so the second holds two long words
     * and a wide gap; total fit carries a short word down to even them. */
    const char *text = "a the council plans were strategic service outcomes";
    lb_opts tf = opts(110, QR_ALIGN_JUSTIFY, QR_BREAK_TOTAL_FIT, 0);
    lb_opts gr = opts(110, QR_ALIGN_JUSTIFY, QR_BREAK_GREEDY, 0);
    lb_result *a = brk1(text, &tf, NULL);
    lb_result *b = brk1(text, &gr, NULL);
    double wa = worst_ratio(a, 110), wb = worst_ratio(b, 110);
    assert_true(wb > 10.0);         /* greedy is bad here */
    assert_true(wa < wb / 2);       /* total fit is much better */
    assert_int_equal(lb_nlines(a), lb_nlines(b));
    check_fits(a, &tf);
    check_fits(b, &gr);
    lb_result_free(a);
    lb_result_free(b);
}

static int any_hyphenated(const lb_result *r)
{
    for (size_t i = 0; i < lb_nlines(r); i++)
        if (lb_get_line(r, i)->hyphenated) return 1;
    return 0;
}

static const char hyph_text[] =
    "The partnership strengthened safeguarding arrangements and "
    "consistently improved the effectiveness of children's services";

static void test_hyphenation_used(void **state)
{
    (void)state;
    int seen = 0;
    for (float w = 60; w <= 260; w += 5) {
        lb_opts o = opts(w, QR_ALIGN_JUSTIFY, QR_BREAK_TOTAL_FIT, 1);
        lb_result *r = brk1(hyph_text, &o, NULL);
        check_fits(r, &o);
        char *got = para_text(r);
        char *a = squash(hyph_text, 1), *b = squash(got, 1);
        assert_string_equal(a, b);
        free(a);
        free(b);
        free(got);
        if (any_hyphenated(r)) {
            seen++;
            for (size_t i = 0; i < lb_nlines(r); i++) {
                const lb_line *ln = lb_get_line(r, i);
                if (!ln->hyphenated) continue;
                const lb_frag *f = &ln->frags[ln->nfrags - 1];
                assert_true(f->len >= 2);
                assert_memory_equal(f->text + f->len - 2, SHY, 2);
                /* at least two letters before the hyphen */
                assert_true(f->len >= 4);
            }
        }
        lb_result_free(r);
        /* with hyphenation off, never */
        o.hyphenate = 0;
        r = brk1(hyph_text, &o, NULL);
        assert_false(any_hyphenated(r));
        lb_result_free(r);
    }
    assert_true(seen > 3);
}

static void test_hyphenation_improves(void **state)
{
    (void)state;
    /* 24 letters of measure: without hyphens the lines stop at 72.5 and
     * 60 pt of 120; with "safe-" they reach 100 and 115 pt. */
    const char *text = "We strengthened safeguarding arrangements in all teams";
    lb_opts o = opts(120, QR_ALIGN_LEFT, QR_BREAK_TOTAL_FIT, 1);
    lb_result *r = brk1(text, &o, NULL);
    assert_true(any_hyphenated(r));
    const lb_line *l0 = lb_get_line(r, 0);
    assert_true(l0->hyphenated);
    assert_float_equal(l0->width, 100.0f, TOL);
    assert_float_equal(lb_get_line(r, 1)->width, 115.0f, TOL);
    check_fits(r, &o);
    lb_result_free(r);
    /* hyphenating the penultimate line would strand "guarding" alone:
     * the looser unhyphenated pair wins */
    r = brk1("We strengthened safeguarding", &o, NULL);
    assert_int_equal(lb_nlines(r), 2);
    assert_false(any_hyphenated(r));
    lb_result_free(r);
    /* the measure is ample: no reason to hyphenate */
    o.width = 1000;
    r = brk1(text, &o, NULL);
    assert_int_equal(lb_nlines(r), 1);
    assert_false(any_hyphenated(r));
    lb_result_free(r);
}

static void test_no_hyphenation_cases(void **state)
{
    (void)state;
    const char *texts[] = {
        "THE PARTNERSHIP STRENGTHENED SAFEGUARDING ARRANGEMENTS ILACS MASH",
        "Strengthened2024 safeguarding2 arrangements3 consistently4 x",
        "see www.strengthenedsafeguarding.gov.uk and safeguarding@council.gov",
        "path/strengthened/safeguarding/arrangements/consistently",
        /* names and titles: a capitalised word is never split */
        "Present: Councillor Mawston, Councillor McTigue, Councillor "
        "Saunders, Wolverhampton Commissioning Inspectors Practitioners",
    };
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++)
        for (float w = 60; w <= 260; w += 5) {
            lb_opts o = opts(w, QR_ALIGN_JUSTIFY, QR_BREAK_TOTAL_FIT, 1);
            lb_result *r = brk1(texts[t], &o, NULL);
            assert_false(any_hyphenated(r));
            check_fits(r, &o);
            lb_result_free(r);
        }
    /* spans flagged LB_NO_HYPHENATE (links, code) */
    lb_init();
    qr_metrics m = metrics();
    for (float w = 60; w <= 260; w += 5) {
        lb_span s = span(hyph_text, QR_FONT_REGULAR, LB_NO_HYPHENATE, 1);
        s.url = "https://example.org/";
        lb_opts o = opts(w, QR_ALIGN_JUSTIFY, QR_BREAK_TOTAL_FIT, 1);
        lb_result *r = lb_break(&s, 1, &o, &m, NULL);
        assert_false(any_hyphenated(r));
        check_fits(r, &o);
        lb_result_free(r);
    }
}

static void test_no_hyphen_lines(void **state)
{
    (void)state;
    int tried = 0;
    for (int greedy = 0; greedy < 2; greedy++)
        for (float w = 60; w <= 260; w += 5) {
            lb_opts o = opts(w, QR_ALIGN_JUSTIFY,
                             greedy ? QR_BREAK_GREEDY : QR_BREAK_TOTAL_FIT, 1);
            lb_result *r = brk1(hyph_text, &o, NULL);
            for (size_t i = 0; i < lb_nlines(r); i++) {
                if (!lb_get_line(r, i)->hyphenated) continue;
                int forbid = (int)i;
                lb_opts o2 = o;
                o2.no_hyphen_lines = &forbid;
                o2.n_no_hyphen_lines = 1;
                lb_result *r2 = brk1(hyph_text, &o2, NULL);
                assert_true((size_t)forbid < lb_nlines(r2));
                const lb_line *ln = lb_get_line(r2, (size_t)forbid);
                if (greedy && ln->hyphenated) {
                    /* first fit cannot look back: a line holding only a
                     * piece of one word keeps its hyphen */
                    assert_int_equal(ln->nfrags, 1);
                    lb_result_free(r2);
                    continue;
                }
                assert_false(ln->hyphenated);
                const lb_frag *f = &ln->frags[ln->nfrags - 1];
                assert_true(f->len < 2 || memcmp(f->text + f->len - 2, SHY, 2) != 0);
                check_fits(r2, &o2);
                lb_result_free(r2);
                tried++;
            }
            lb_result_free(r);
        }
    assert_true(tried > 3);
}

static void test_fallback_face(void **state)
{
    (void)state;
    lb_init();
    qr_metrics m = metrics();
    qr_diags *d = qr_diags_new();
    lb_span s[2] = {span("Call \xE2\x98\x8E now", QR_FONT_REGULAR, 0, 3),
                    span(" \xE2\x98\x8E", QR_FONT_BOLD, 0, 3)};
    lb_opts o = opts(400, QR_ALIGN_LEFT, QR_BREAK_TOTAL_FIT, 1);
    lb_result *r = lb_break(s, 2, &o, &m, d);
    assert_int_equal(qr_diags_len(d), 0);
    assert_int_equal(lb_nlines(r), 1);
    const lb_line *ln = lb_get_line(r, 0);
    int regular_fb = 0, bold_fb = 0;
    for (size_t i = 0; i < ln->nfrags; i++) {
        const lb_frag *f = &ln->frags[i];
        int phone = f->len == 3 && memcmp(f->text, "\xE2\x98\x8E", 3) == 0;
        if (f->font == QR_FONT_FALLBACK) {
            assert_true(phone);
            regular_fb++;
        } else if (f->font == QR_FONT_FALLBACK_BOLD) {
            assert_true(phone);
            bold_fb++;
        } else {
            assert_null(strstr(f->text, "\xE2\x98\x8E"));
        }
    }
    assert_int_equal(regular_fb, 1);
    assert_int_equal(bold_fb, 1);
    /* "Call " | ☎ | " now" | " " | ☎ : the face splits fragments */
    assert_int_equal(ln->nfrags, 5);
    /* the fallback face is taller in the fake: the line takes the max */
    assert_float_equal(ln->ascent, 9.0f, TOL);
    assert_float_equal(ln->descent, -2.5f, TOL);
    lb_result_free(r);
    qr_diags_free(d);
}

static void test_missing_glyph_warning(void **state)
{
    (void)state;
    lb_init();
    qr_metrics m = metrics();
    qr_diags *d = qr_diags_new();
    lb_span s[2] = {span("smile \xF0\x9F\x98\x80 and", QR_FONT_REGULAR, 0, 7),
                    span(" again \xF0\x9F\x98\x80", QR_FONT_BOLD, 0, 8)};
    lb_opts o = opts(400, QR_ALIGN_LEFT, QR_BREAK_TOTAL_FIT, 1);
    lb_result *r = lb_break(s, 2, &o, &m, d);
    assert_int_equal(qr_diags_len(d), 1);       /* once per code point */
    const qr_diag *g = qr_diags_get(d, 0);
    assert_int_equal(g->severity, QR_WARNING);
    assert_string_equal(g->file, "test.md");
    assert_int_equal(g->line, 7);
    assert_non_null(strstr(g->message, "U+1F600"));
    assert_non_null(strstr(g->message, "\xF0\x9F\x98\x80"));
    assert_non_null(strstr(g->message, "fallback"));
    /* still emitted, in the fallback face, with a width */
    char *got = para_text(r);
    assert_string_equal(got, "smile \xF0\x9F\x98\x80 and again \xF0\x9F\x98\x80");
    free(got);
    const lb_line *ln = lb_get_line(r, 0);
    int found = 0;
    for (size_t i = 0; i < ln->nfrags; i++)
        if (strstr(ln->frags[i].text, "\xF0\x9F\x98\x80")) {
            assert_true(ln->frags[i].font == QR_FONT_FALLBACK ||
                        ln->frags[i].font == QR_FONT_FALLBACK_BOLD);
            assert_true(ln->frags[i].w > 0);
            found++;
        }
    assert_int_equal(found, 2);
    lb_result_free(r);
    qr_diags_free(d);
}

static void test_huge_no_space(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *t = malloc(n + 1);
    for (size_t i = 0; i < n; i++) t[i] = (char)('a' + i % 26);
    t[n] = '\0';
    for (int brk = 0; brk < 2; brk++) {
        lb_opts o = opts(300, QR_ALIGN_JUSTIFY,
                         brk ? QR_BREAK_GREEDY : QR_BREAK_TOTAL_FIT, 1);
        lb_result *r = brk1(t, &o, NULL);
        check_fits(r, &o);
        size_t total = 0;
        for (size_t i = 0; i < lb_nlines(r); i++) {
            const lb_line *ln = lb_get_line(r, i);
            for (size_t k = 0; k < ln->nfrags; k++) total += ln->frags[k].len;
        }
        assert_int_equal(total, n);
        assert_int_equal(lb_nlines(r), (n + 59) / 60);   /* 60 letters a line */
        lb_result_free(r);
    }
    free(t);
}

static void test_many_words(void **state)
{
    (void)state;
    rnd_state = 7;
    char *text = random_text(100000, 0);
    lb_opts o = opts(450, QR_ALIGN_JUSTIFY, QR_BREAK_TOTAL_FIT, 1);
    lb_result *r = brk1(text, &o, NULL);
    assert_true(lb_nlines(r) > 1000);
    check_fits(r, &o);
    char *got = para_text(r);
    char *a = squash(text, 1), *b = squash(got, 1);
    assert_string_equal(a, b);
    free(a);
    free(b);
    free(got);
    lb_result_free(r);
    free(text);
}

/* A paragraph that fits on its first line is one line, set by the
 * shortcut that proves total fit would choose it (kp_one_line); one a
 * hair too wide is left to total fit, which (justified) shrinks it rather
 * than take two lines, or (ragged) breaks it. "aa bb cc" is 35 pt. */
static void test_one_line_paragraphs(void **state)
{
    (void)state;
    static const struct {
        float width;
        qr_align al;
        size_t lines;
    } cases[] = {
        {35.0f, QR_ALIGN_LEFT, 1},      {35.0f, QR_ALIGN_JUSTIFY, 1},
        {34.9995f, QR_ALIGN_LEFT, 1},   /* short by less than the slack */
        {200.0f, QR_ALIGN_JUSTIFY, 1},  /* the last line is not stretched */
        {34.5f, QR_ALIGN_LEFT, 2},      {34.5f, QR_ALIGN_JUSTIFY, 1},
        {30.0f, QR_ALIGN_JUSTIFY, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        lb_opts o = opts(cases[i].width, cases[i].al, QR_BREAK_TOTAL_FIT, 1);
        lb_result *r = brk1("aa bb cc", &o, NULL);
        assert_int_equal(lb_nlines(r), cases[i].lines);
        const lb_line *ln = lb_get_line(r, 0);
        if (cases[i].lines == 1 && cases[i].width >= 34.999f) {
            assert_float_equal(ln->width, 35.0f, TOL);
            /* words as fragments, their text in place */
            char *got = para_text(r);
            assert_string_equal(got, "aa bb cc");
            free(got);
        }
        if (cases[i].lines == 1 && cases[i].width < 34.999f)
            assert_float_equal(ln->width, cases[i].width, TOL);   /* shrunk */
        lb_result_free(r);
    }
    /* a first-line indent narrows the line the shortcut measures against */
    lb_opts o = opts(40.0f, QR_ALIGN_LEFT, QR_BREAK_TOTAL_FIT, 1);
    o.first_indent = 6.0f;
    lb_result *r = brk1("aa bb cc", &o, NULL);
    assert_int_equal(lb_nlines(r), 2);
    lb_result_free(r);
}

static void test_first_indent(void **state)
{
    (void)state;
    lb_opts o = opts(100, QR_ALIGN_LEFT, QR_BREAK_TOTAL_FIT, 0);
    o.first_indent = 20;
    lb_result *r = brk1("aaaa bbbb cccc dddd eeee ffff", &o, NULL);
    const lb_line *l0 = lb_get_line(r, 0);
    assert_float_equal(l0->frags[0].x, 20.0f, TOL);
    assert_true(l0->width <= 80.0f + TOL);
    assert_float_equal(lb_get_line(r, 1)->frags[0].x, 0.0f, TOL);
    check_fits(r, &o);
    lb_result_free(r);
}

static void test_fragments_merge_or_split(void **state)
{
    (void)state;
    lb_opts o = opts(400, QR_ALIGN_LEFT, QR_BREAK_TOTAL_FIT, 0);
    lb_result *r = brk1("one two three", &o, NULL);
    const lb_line *ln = lb_get_line(r, 0);
    assert_int_equal(ln->nfrags, 1);        /* left: words merged */
    assert_int_equal(ln->frags[0].len, 13);
    assert_float_equal(ln->width, 11 * 5.0f + 2 * 2.5f, TOL);
    lb_result_free(r);
    o.align = QR_ALIGN_JUSTIFY;
    r = brk1("one two three", &o, NULL);
    assert_int_equal(lb_get_line(r, 0)->nfrags, 3);   /* one per word */
    lb_result_free(r);
    /* colour and link changes split fragments too */
    lb_init();
    qr_metrics m = metrics();
    lb_span s[3] = {span("plain ", QR_FONT_REGULAR, 0, 1),
                    span("link", QR_FONT_REGULAR, LB_NO_HYPHENATE, 1),
                    span(" plain", QR_FONT_REGULAR, 0, 1)};
    s[1].url = "https://example.org";
    o.align = QR_ALIGN_LEFT;
    r = lb_break(s, 3, &o, &m, NULL);
    ln = lb_get_line(r, 0);
    assert_int_equal(ln->nfrags, 3);
    assert_string_equal(ln->frags[1].url, "https://example.org");
    assert_float_equal(ln->frags[1].x, 6 * 5.0f - 2.5f, TOL);
    lb_result_free(r);
}

static void test_no_break_span(void **state)
{
    (void)state;
    lb_init();
    qr_metrics m = metrics();
    lb_span s[2] = {span("aa ", QR_FONT_REGULAR, 0, 1),
                    span("bb cc dd", QR_FONT_REGULAR, LB_NO_BREAK, 1)};
    lb_opts o = opts(45, QR_ALIGN_LEFT, QR_BREAK_TOTAL_FIT, 0);
    lb_result *r = lb_break(s, 2, &o, &m, NULL);
    assert_int_equal(lb_nlines(r), 2);
    qr_buf b;
    qr_buf_init(&b);
    line_text(lb_get_line(r, 1), &b);
    assert_string_equal(b.data, "bb cc dd");
    qr_buf_free(&b);
    lb_result_free(r);
    /* and the minimum width knows it */
    float mw = lb_min_width(s, 2, &m);
    assert_float_equal(mw, 6 * 5.0f + 2 * 2.5f, TOL);
}

static void test_measure_and_min_width(void **state)
{
    (void)state;
    lb_init();
    qr_metrics m = metrics();
    assert_float_equal(lb_measure("ab c", 4, QR_FONT_REGULAR, 10, &m),
                       3 * 5.0f + 2.5f, TOL);
    /* ☎ comes from the fallback face, at its width */
    assert_float_equal(lb_measure("a\xE2\x98\x8E", 4, QR_FONT_REGULAR, 10, &m),
                       10.0f, TOL);
    assert_float_equal(lb_measure("", 0, QR_FONT_REGULAR, 10, &m), 0, TOL);
    /* with a document's glyph cache, the same to the bit, twice over */
    lb_glyphs *g = lb_glyphs_new(&m);
    static const char *const texts[] = {"ab c", "a\xE2\x98\x8E b",
                                        "x\xF0\x9F\x98\x80"};
    for (int k = 0; k < 6; k++) {
        const char *t = texts[k % 3];
        assert_true(lb_measure_g(t, strlen(t), QR_FONT_BOLD, 9, &m, g) ==
                    lb_measure(t, strlen(t), QR_FONT_BOLD, 9, &m));
    }
    lb_glyphs_free(g);
    lb_span s = span("short extraordinarily x", QR_FONT_REGULAR, 0, 1);
    assert_float_equal(lb_min_width(&s, 1, &m), 15 * 5.0f, TOL);
    lb_span u = span("see https://www.gov.uk/x", QR_FONT_REGULAR, 0, 1);
    /* breaks after '/' are allowed: the widest piece is "www.gov.uk/" */
    assert_float_equal(lb_min_width(&u, 1, &m), 11 * 5.0f, TOL);
}

static void test_empty_and_spaces(void **state)
{
    (void)state;
    lb_opts o = opts(100, QR_ALIGN_JUSTIFY, QR_BREAK_TOTAL_FIT, 1);
    lb_result *r = brk1("", &o, NULL);
    assert_int_equal(lb_nlines(r), 0);
    lb_result_free(r);
    r = brk1("word   ", &o, NULL);
    assert_int_equal(lb_nlines(r), 1);
    assert_float_equal(lb_get_line(r, 0)->width, 20.0f, TOL);
    lb_result_free(r);
    /* a blank line between two hard breaks keeps a height */
    r = brk1("a\n\nb", &o, NULL);
    assert_int_equal(lb_nlines(r), 3);
    assert_int_equal(lb_get_line(r, 1)->nfrags, 0);
    assert_true(lb_get_line(r, 1)->ascent > 0);
    lb_result_free(r);
    /* a measure too narrow for one letter still terminates */
    o.width = 2;
    r = brk1("abc de", &o, NULL);
    assert_int_equal(lb_nlines(r), 5);
    lb_result_free(r);
}

static void test_soft_hyphen(void **state)
{
    (void)state;
    /* a soft hyphen is a break that draws a hyphen, and otherwise nothing */
    lb_opts o = opts(60, QR_ALIGN_LEFT, QR_BREAK_GREEDY, 0);
    lb_result *r = brk1("aa bbbbbbb\xC2\xAD" "cccccc", &o, NULL);
    assert_int_equal(lb_nlines(r), 2);
    assert_true(lb_get_line(r, 0)->hyphenated);
    char *got = para_text(r);
    assert_string_equal(got, "aa bbbbbbbcccccc");
    free(got);
    lb_result_free(r);
    o.width = 400;
    r = brk1("aa bbbbbbb\xC2\xAD" "cccccc", &o, NULL);
    assert_int_equal(lb_nlines(r), 1);
    assert_float_equal(lb_get_line(r, 0)->width, 15 * 5.0f + 2.5f, TOL);
    lb_result_free(r);
}

/* Random bytes (invalid UTF-8, controls, NULs), random flags, sizes,
 * indents and no-hyphen lines: never crashes, and whenever the measure
 * holds the widest glyph nothing passes the margin. */
/* The two results alike to the bit. */
static void same_result(const lb_result *a, const lb_result *b)
{
    assert_int_equal(lb_nlines(a), lb_nlines(b));
    for (size_t i = 0; i < lb_nlines(a); i++) {
        const lb_line *x = lb_get_line(a, i), *y = lb_get_line(b, i);
        assert_true(x->width == y->width && x->ascent == y->ascent &&
                    x->descent == y->descent);
        assert_int_equal(x->hyphenated, y->hyphenated);
        assert_int_equal(x->nfrags, y->nfrags);
        for (size_t k = 0; k < x->nfrags; k++) {
            const lb_frag *f = &x->frags[k], *g = &y->frags[k];
            assert_true(f->x == g->x && f->w == g->w && f->size == g->size);
            assert_int_equal(f->font, g->font);
            assert_int_equal(f->len, g->len);
            assert_memory_equal(f->text, g->text, f->len);
        }
    }
}

static void test_hostile_input(void **state)
{
    (void)state;
    lb_init();
    qr_metrics m = metrics();
    rnd_state = 99;
    static const char *const bits[] = {
        " ", "  ", "\n", "\t", "-", "/", "\xC2\xAD", "\xC2\xA0", "\xCC\x81",
        "\xE2\x80\x8B", "\xE2\x98\x8E", "\xF0\x9F\x98\x80", "\xFF", "\xE2\x98",
        "improvement", "MASH", "2024/25", "www.gov.uk", "a", "\r\n",
        "\xE4\xB8\x80\xE4\xB8\x80", "safeguarding", "\xEF\xBB\xBF"
    };
    lb_glyphs *g = lb_glyphs_new(&m);
    for (int iter = 0; iter < 300; iter++) {
        size_t ns = 1 + rnd() % 8;
        lb_span sp[8];
        char *texts[8];
        for (size_t i = 0; i < ns; i++) {
            qr_buf b;
            qr_buf_init(&b);
            size_t nb = rnd() % 30;
            for (size_t k = 0; k < nb; k++) {
                if (rnd() % 10 == 0) qr_buf_putc(&b, (char)(rnd() % 256));
                else qr_buf_puts(&b, bits[rnd() % (sizeof bits / sizeof *bits)]);
            }
            texts[i] = qr_buf_detach(&b, NULL);
            sp[i] = span(texts[i], (qr_font_slot)(rnd() % QR_FONT_COUNT),
                         rnd() % 4 ? 0 : 1u << (rnd() % 3), (int)i + 1);
            sp[i].size = 5.0f + (float)(rnd() % 16);
            if (rnd() % 3 == 0) sp[i].url = "https://example.org/";
        }
        int forbid[3] = {(int)(rnd() % 5), (int)(rnd() % 50), -1};
        lb_opts o = opts((float)(rnd() % 300) - 10.0f,
                         rnd() % 2 ? QR_ALIGN_JUSTIFY : QR_ALIGN_LEFT,
                         rnd() % 2 ? QR_BREAK_GREEDY : QR_BREAK_TOTAL_FIT,
                         (int)(rnd() % 2));
        o.first_indent = (float)(rnd() % 40);
        o.no_hyphen_lines = forbid;
        o.n_no_hyphen_lines = rnd() % 4;
        qr_diags *d = qr_diags_new();
        lb_result *r = lb_break(sp, ns, &o, &m, d);
        if (o.width - o.first_indent >= 20.0f) check_fits(r, &o);
        for (size_t i = 0; i < lb_nlines(r); i++) {
            const lb_line *ln = lb_get_line(r, i);
            for (size_t k = 0; k < ln->nfrags; k++)
                assert_int_equal(qr_utf8_check(ln->frags[k].text,
                                               ln->frags[k].len),
                                 (size_t)-1);
        }
        float mw = lb_min_width(sp, ns, &m);
        /* a table cell's path, flattened once for both, with the glyph
         * cache kept across paragraphs, gives the same width, lines and
         * warnings */
        qr_diags *d2 = qr_diags_new();
        lb_prep *pr = lb_prepare(sp, ns, &m, g);
        assert_true(lb_prep_min_width(pr) == mw);
        lb_result *r2 = lb_break_prep(pr, &o, d2);
        lb_prep_free(pr);
        same_result(r, r2);
        assert_int_equal(qr_diags_len(d2), qr_diags_len(d));
        for (size_t i = 0; i < qr_diags_len(d); i++)
            assert_string_equal(qr_diags_get(d2, i)->message,
                                qr_diags_get(d, i)->message);
        lb_result_free(r2);
        qr_diags_free(d2);
        lb_result_free(r);
        qr_diags_free(d);
        for (size_t i = 0; i < ns; i++) free(texts[i]);
    }
    lb_glyphs_free(g);
}

/* A date stays whole ("21 June 2018"): at every width, no line ends with
 * the day before its month, or with the month before its year; other
 * numbers and words still break. */
/* A table column's minimum width holds a date with a short month and a
 * short code whole, and a plain word pair with a slash breaks. */
static void test_min_width_dates_codes(void **state)
{
    (void)state;
    lb_init();
    qr_metrics m = metrics();
    struct { const char *text, *piece; } cases[] = {
        {"Due 30 Sept 2026", "30 Sept 2026"},
        {"31 Oct 2013 Overdue", "31 Oct 2013"},
        {"in 2025/26 only", "2025/26"},
        {"ICB/LA", "ICB/LA"},
        {"Strategy 2025\xE2\x80\x93" "2028", "2025\xE2\x80\x93" "2028"},
        {"health and/or care", "health"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        lb_span s = span(cases[i].text, QR_FONT_REGULAR, 0, 1);
        float got = lb_min_width(&s, 1, &m);
        float want = lb_measure(cases[i].piece, strlen(cases[i].piece),
                                QR_FONT_REGULAR, SIZE, &m);
        assert_float_equal(got, want, 0.01);
    }
}

/* hyph_min_word: shorter words are never hyphenated, longer ones may be. */
static void test_hyph_min_word(void **state)
{
    (void)state;
    const char *text = "evident evident implementation evident "
                       "implementation evident";
    int longer = 0;
    for (float w = 40; w <= 120; w += 2.5f) {
        lb_opts o = opts(w, QR_ALIGN_LEFT, QR_BREAK_TOTAL_FIT, 1);
        o.hyph_min_word = 8;
        lb_result *r = brk1(text, &o, NULL);
        for (size_t i = 0; i < lb_nlines(r); i++) {
            const lb_line *ln = lb_get_line(r, i);
            if (!ln->hyphenated) continue;
            qr_buf a;
            qr_buf_init(&a);
            line_text(ln, &a);
            /* the hyphenated word is "implementation" */
            const char *sp = strrchr(a.data, ' ');
            const char *last = sp ? sp + 1 : a.data;
            char piece[32];
            size_t n = strlen(last) - 2;        /* less the soft hyphen */
            assert_true(n < sizeof piece);
            memcpy(piece, last, n);
            piece[n] = '\0';
            assert_non_null(strstr("implementation", piece));
            longer = 1;
            qr_buf_free(&a);
        }
        lb_result_free(r);
    }
    assert_true(longer);
}

/* Kerning: a fake that brings 'A' and 'V' 100/1000 em closer. A kerned
 * pair inside a line is measured closer; a line that ends between the two
 * is not; fragments are as wide as the text they hold. */
static float kern_av(void *ctx, qr_font_slot slot, uint32_t a, uint32_t b)
{
    (void)ctx;
    (void)slot;
    return a == 'A' && b == 'V' ? -100.0f : 0.0f;
}

static void test_kerning_measured(void **state)
{
    (void)state;
    lb_init();
    qr_metrics m = metrics();
    m.kern = kern_av;
    /* 10 pt, advance 5 pt, space 2.5 pt, the kern 1 pt */
    lb_span sp = span("AVAV AV", QR_FONT_REGULAR, 0, 1);
    lb_opts o = opts(500, QR_ALIGN_LEFT, QR_BREAK_TOTAL_FIT, 0);
    lb_result *r = lb_break(&sp, 1, &o, &m, NULL);
    assert_int_equal(lb_nlines(r), 1);
    const lb_line *ln = lb_get_line(r, 0);
    assert_float_equal(ln->width, 6 * 5 + 2.5 - 3, 0.001);
    assert_float_equal(lb_measure("AVAV", 4, QR_FONT_REGULAR, SIZE, &m),
                       4 * 5 - 2, 0.001);
    lb_result_free(r);
    /* "A/V" may break after the slash; "A/" then ends a line unkerned */
    lb_span s2 = span("xxxxA/Vxxxx", QR_FONT_REGULAR, 0, 1);
    assert_float_equal(lb_min_width(&s2, 1, &m), 6 * 5, 0.001);
    /* emergency breaks inside "AVAVAV" at 12 pt: lines of two characters,
     * each the two advances less the kern of the pair they hold */
    lb_span s3 = span("AVAVAV", QR_FONT_REGULAR, LB_NO_HYPHENATE, 1);
    lb_opts o3 = opts(9.5f, QR_ALIGN_LEFT, QR_BREAK_GREEDY, 0);
    r = lb_break(&s3, 1, &o3, &m, NULL);
    assert_int_equal(lb_nlines(r), 3);
    for (size_t i = 0; i < 3; i++) {
        ln = lb_get_line(r, i);
        assert_float_equal(ln->width, 9, 0.001);
        assert_float_equal(ln->frags[0].w, 9, 0.001);
    }
    lb_result_free(r);
}

/* A letter before an inserted hyphen kerns with the hyphen (the PDF draws
 * them in one text item), not with the letter that went to the next line. */
static float kern_hyphen(void *ctx, qr_font_slot slot, uint32_t a, uint32_t b)
{
    (void)ctx;
    (void)slot;
    if (b == '-' || b == 0x00AD) return -100.0f;
    return a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z' ? -20.0f : 0.0f;
}

static void test_kerning_hyphen(void **state)
{
    (void)state;
    lb_init();
    qr_metrics m = metrics();
    m.kern = kern_hyphen;
    lb_span sp = span("implementation implementation", QR_FONT_REGULAR, 0, 1);
    int seen = 0;
    for (float w = 30; w <= 70; w += 2.5f) {
        lb_opts o = opts(w, QR_ALIGN_LEFT, QR_BREAK_TOTAL_FIT, 1);
        lb_result *r = lb_break(&sp, 1, &o, &m, NULL);
        for (size_t i = 0; i < lb_nlines(r); i++) {
            const lb_line *ln = lb_get_line(r, i);
            qr_buf a;
            qr_buf_init(&a);
            line_text(ln, &a);
            /* letters (5 pt, 0.2 pt closer to a following letter) */
            size_t letters = 0;
            for (size_t k = 0; k < a.len; k++)
                if (a.data[k] >= 'a' && a.data[k] <= 'z') letters++;
            float want = (float)letters * 5 - (float)(letters - 1) * 0.2f;
            if (ln->hyphenated) {
                want += 5 - 1;          /* the hyphen, 1 pt closer */
                seen = 1;
            }
            if (!strchr(a.data, ' '))
                assert_float_equal(ln->width, want, 0.001);
            qr_buf_free(&a);
        }
        lb_result_free(r);
    }
    assert_true(seen);
}

/* A month name is never hyphenated, so "31 August 2025" never reads
 * "31 Au-" / "gust 2025"; other long words still are. */
static void test_months_not_hyphenated(void **state)
{
    (void)state;
    const char *text = "Against its status at the last report on 31 August "
                       "2025 and 30 September 2026, the accommodation "
                       "arrangements were comprehensively reconsidered.";
    int hyphenated = 0;
    for (float w = 60; w <= 260; w += 2.5f) {
        lb_opts o = opts(w, QR_ALIGN_JUSTIFY, QR_BREAK_TOTAL_FIT, 1);
        lb_result *r = brk1(text, &o, NULL);
        for (size_t i = 0; i < lb_nlines(r); i++) {
            const lb_line *ln = lb_get_line(r, i);
            if (!ln->hyphenated) continue;
            hyphenated = 1;
            qr_buf a;
            qr_buf_init(&a);
            line_text(ln, &a);
            for (const char *m = "Aug"; m; m = strcmp(m, "Aug") ? NULL : "Sep") {
                const char *at = strstr(a.data, m);
                /* the month begins on this line and the line breaks in it */
                if (at && !strstr(at, " "))
                    fail_msg("'%s' hyphenated at width %g", a.data, w);
            }
            qr_buf_free(&a);
        }
        lb_result_free(r);
    }
    assert_true(hyphenated); /* the long words still hyphenate */
}

static void test_dates_whole(void **state)
{
    (void)state;
    const char *text = "The Panel met on 21 June 2018 and again on 8 March "
                       "2019; item 21 was deferred to June.";
    int saw_other_break = 0;
    for (float w = 60; w <= 260; w += 2.5f) {
        qr_diags *d = qr_diags_new();
        lb_opts o = opts(w, QR_ALIGN_LEFT, QR_BREAK_TOTAL_FIT, 0);
        lb_result *r = brk1(text, &o, d);
        char *joined = para_text(r);
        assert_string_equal(joined, text);
        free(joined);
        for (size_t i = 0; i + 1 < lb_nlines(r); i++) {
            qr_buf a, b;
            qr_buf_init(&a);
            qr_buf_init(&b);
            line_text(lb_get_line(r, i), &a);
            line_text(lb_get_line(r, i + 1), &b);
            int day_end = a.len >= 3 && (strcmp(a.data + a.len - 3, " 21") == 0 ||
                                         strcmp(a.data + a.len - 2, " 8") == 0);
            assert_false(day_end && (strncmp(b.data, "June", 4) == 0 ||
                                     strncmp(b.data, "March", 5) == 0));
            assert_false(a.len >= 5 && strcmp(a.data + a.len - 5, " June") == 0 &&
                         strncmp(b.data, "2018", 4) == 0);
            assert_false(a.len >= 6 && strcmp(a.data + a.len - 6, " March") == 0 &&
                         strncmp(b.data, "2019", 4) == 0);
            /* "item 21 | was" and "to | June." are ordinary breaks */
            if (strcmp(a.data + a.len - 2, "21") == 0 && strncmp(b.data, "was", 3) == 0)
                saw_other_break = 1;
            if (a.len >= 2 && strcmp(a.data + a.len - 2, "to") == 0 &&
                strncmp(b.data, "June.", 5) == 0)
                saw_other_break = 1;
            qr_buf_free(&a);
            qr_buf_free(&b);
        }
        lb_result_free(r);
        qr_diags_free(d);
    }
    assert_true(saw_other_break);
}

/* lb_uax14 hands libunibreak the text with its ASCII letters as '#' (a
 * cheaper class lookup) and each run of them as one: the opportunities
 * must be libunibreak's own for the text as it is, byte for byte. */
static void same_breaks(const char *s, size_t len)
{
    char *want = malloc(len + 1), *got = malloc(len + 1);
    assert_non_null(want);
    assert_non_null(got);
    set_linebreaks_utf8((const utf8_t *)s, len, "en", want);
    lb_uax14(s, len, got);
    if (memcmp(want, got, len) != 0) {
        size_t i = 0;
        while (want[i] == got[i]) i++;
        fail_msg("byte %zu of \"%.*s\": libunibreak %d, lb_uax14 %d", i,
                 (int)len, s, want[i], got[i]);
    }
    free(want);
    free(got);
}

static void test_uax14_same_as_libunibreak(void **state)
{
    (void)state;
    lb_init();
    /* the benchmark report, the samples' Markdown and the templates, whole
     * and line by line */
    static const char *const files[] = {
        "tests/data/bench/report.md",
        "samples/harwood-action-plan-progress.md",
        "templates/cabinet-report.md",
        "templates/committee-report.md",
        "templates/panel-update.md",
        "templates/progress-report.md",
        "templates/scrutiny-review.md",
    };
    int read = 0;
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        size_t len;
        char *text = qr_read_file(files[f], &len, 0);
        if (!text) continue;
        read++;
        same_breaks(text, len);
        for (size_t a = 0; a < len;) {
            size_t b = a;
            while (b < len && text[b] != '\n') b++;
            same_breaks(text + a, b - a);
            a = b + 1;
        }
        free(text);
    }
    assert_true(read > 0);
    /* every ASCII character, and a few common others, beside each other
     * and in random runs up to 24 bytes */
    static const char *const other[] = {
        "\xE2\x80\x99", "\xE2\x80\x98", "\xE2\x80\x9C", "\xE2\x80\x9D",
        "\xE2\x80\x93", "\xE2\x80\x94", "\xC2\xA3", "\xC3\xA9", "\xC2\xA0",
        "\xC2\xAD", "\xE2\x82\xAC", "\xE2\x80\xA6", "\xE2\x81\xA0",
        "\xE2\x80\x8B", "\xCC\x81", "\xE2\x98\x8E", "\xF0\x9F\x98\x80",
    };
    size_t nother = sizeof other / sizeof *other;
    char buf[128];
    for (int a = 0; a < 128; a++)
        for (int b = 0; b < 128; b++) {
            buf[0] = (char)a, buf[1] = ' ', buf[2] = (char)b;
            buf[3] = 'x', buf[4] = (char)a, buf[5] = (char)b;
            same_breaks(buf + 4, 2);
            same_breaks(buf, 4);
            same_breaks(buf + 2, 3);
        }
    uint32_t seed = 12345;
    for (int n = 0; n < 200000; n++) {
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        int chars = 1 + (int)((seed >> 16) % 16);
        for (int k = 0; k < chars; k++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 8) % 160;
            if (r < 128) {
                buf[len++] = (char)r;
            } else {
                const char *o = other[(r - 128) % nother];
                size_t ol = strlen(o);
                memcpy(buf + len, o, ol);
                len += ol;
            }
        }
        same_breaks(buf, len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_paragraphs),
        cmocka_unit_test(test_hard_breaks),
        cmocka_unit_test(test_overlong_word),
        cmocka_unit_test(test_combining_marks_stay),
        cmocka_unit_test(test_total_fit_beats_greedy),
        cmocka_unit_test(test_hyphenation_used),
        cmocka_unit_test(test_hyphenation_improves),
        cmocka_unit_test(test_no_hyphenation_cases),
        cmocka_unit_test(test_no_hyphen_lines),
        cmocka_unit_test(test_fallback_face),
        cmocka_unit_test(test_missing_glyph_warning),
        cmocka_unit_test(test_huge_no_space),
        cmocka_unit_test(test_many_words),
        cmocka_unit_test(test_one_line_paragraphs),
        cmocka_unit_test(test_first_indent),
        cmocka_unit_test(test_fragments_merge_or_split),
        cmocka_unit_test(test_no_break_span),
        cmocka_unit_test(test_measure_and_min_width),
        cmocka_unit_test(test_empty_and_spaces),
        cmocka_unit_test(test_soft_hyphen),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_dates_whole),
        cmocka_unit_test(test_months_not_hyphenated),
        cmocka_unit_test(test_min_width_dates_codes),
        cmocka_unit_test(test_kerning_measured),
        cmocka_unit_test(test_kerning_hyphen),
        cmocka_unit_test(test_hyph_min_word),
        cmocka_unit_test(test_uax14_same_as_libunibreak),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
