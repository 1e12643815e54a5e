/* test_fonts.c — font resolution (fontconfig) and metrics (HarfBuzz), with
 * the widths checked against what libharu draws with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "quire/fonts.h"
#include "quire/util.h"
#include "../pipeline/pdf_int.h"
#include <hb-ot.h>

static void base_style(qr_style *s)
{
    memset(s, 0, sizeof *s);
    strcpy(s->body_family, "Arial");
    strcpy(s->mono_family, "Liberation Mono");
    strcpy(s->fallback_family, "DejaVu Sans");
}

static qr_fonts *load(const qr_style *s, qr_diags *d)
{
    qr_fonts *f = qr_fonts_load(s, d);
    if (!f) qr_diags_print(d, stderr);
    assert_non_null(f);
    return f;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Quire's cache off (QUIRE_NO_CACHE=1), so fonts are resolved through
 * fontconfig and kerning is shaped: what it was before, for no_cache_end. */
static char *no_cache_begin(void)
{
    const char *old = getenv("QUIRE_NO_CACHE");
    char *saved = old ? qr_xstrdup(old) : NULL;
    setenv("QUIRE_NO_CACHE", "1", 1);
    return saved;
}

static void no_cache_end(char *saved)
{
    if (saved) setenv("QUIRE_NO_CACHE", saved, 1);
    else unsetenv("QUIRE_NO_CACHE");
    free(saved);
}

static void test_resolve_arial(void **state)
{
    (void)state;
    qr_style s;
    base_style(&s);
    qr_diags *d = qr_diags_new();
    qr_fonts *f = load(&s, d);
    /* Arial is a configured alias: no "not installed" warning. */
    assert_int_equal(qr_diags_len(d), 0);
    assert_string_equal(qr_fonts_family(f, QR_FONT_REGULAR), "Liberation Sans");
    assert_true(ends_with(qr_fonts_file(f, QR_FONT_REGULAR), ".ttf"));
    assert_int_equal(qr_fonts_index(f, QR_FONT_REGULAR), 0);
    assert_non_null(strstr(qr_fonts_file(f, QR_FONT_REGULAR),
                           "LiberationSans-Regular"));
    /* Four distinct body faces. */
    const char *body[4] = {
        qr_fonts_file(f, QR_FONT_REGULAR), qr_fonts_file(f, QR_FONT_BOLD),
        qr_fonts_file(f, QR_FONT_ITALIC), qr_fonts_file(f, QR_FONT_BOLD_ITALIC)};
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++) assert_string_not_equal(body[i], body[j]);
    assert_non_null(strstr(body[1], "LiberationSans-Bold.ttf"));
    assert_non_null(strstr(body[3], "LiberationSans-BoldItalic.ttf"));
    assert_string_equal(qr_fonts_family(f, QR_FONT_MONO), "Liberation Mono");
    assert_non_null(strstr(qr_fonts_file(f, QR_FONT_MONO_BOLD), "Mono-Bold"));
    assert_string_equal(qr_fonts_family(f, QR_FONT_FALLBACK), "DejaVu Sans");
    assert_non_null(strstr(qr_fonts_file(f, QR_FONT_FALLBACK_BOLD),
                           "DejaVuSans-Bold.ttf"));
    qr_fonts_free(f);
    qr_diags_free(d);
}

static void test_coverage(void **state)
{
    (void)state;
    qr_style s;
    base_style(&s);
    qr_diags *d = qr_diags_new();
    qr_fonts *f = load(&s, d);
    const qr_metrics *m = qr_fonts_metrics(f);
    static const uint32_t symbols[] = {0x260E, 0x2709, 0x2713};
    for (size_t i = 0; i < sizeof symbols / sizeof *symbols; i++) {
        assert_true(m->has_glyph(m->ctx, QR_FONT_FALLBACK, symbols[i]));
        assert_true(m->has_glyph(m->ctx, QR_FONT_FALLBACK_BOLD, symbols[i]));
        assert_false(m->has_glyph(m->ctx, QR_FONT_REGULAR, symbols[i]));
        assert_false(m->has_glyph(m->ctx, QR_FONT_BOLD, symbols[i]));
        assert_true(m->advance(m->ctx, QR_FONT_FALLBACK, symbols[i]) > 0);
        assert_true(m->advance(m->ctx, QR_FONT_REGULAR, symbols[i]) == 0);
    }
    /* Typographic punctuation UK papers use is in the body face. */
    static const uint32_t punct[] = {0x2019, 0x201C, 0x201D, 0x2013, 0xB7,
                                     0xA3, 0x20AC};
    for (size_t i = 0; i < sizeof punct / sizeof *punct; i++)
        assert_true(m->has_glyph(m->ctx, QR_FONT_REGULAR, punct[i]));
    /* Beyond the BMP: answered without the cache, not a crash. */
    assert_false(m->has_glyph(m->ctx, QR_FONT_REGULAR, 0x1F600));
    qr_fonts_free(f);
    qr_diags_free(d);
}

static void test_metrics_values(void **state)
{
    (void)state;
    qr_style s;
    base_style(&s);
    qr_diags *d = qr_diags_new();
    qr_fonts *f = load(&s, d);
    const qr_metrics *m = qr_fonts_metrics(f);
    /* Liberation Sans (= Arial metrics): a 556, space 277, M 833; mono 600. */
    assert_true(m->advance(m->ctx, QR_FONT_REGULAR, 'a') == 556.0f);
    assert_true(m->advance(m->ctx, QR_FONT_REGULAR, ' ') == 277.0f);
    assert_true(m->advance(m->ctx, QR_FONT_REGULAR, 'M') == 833.0f);
    assert_true(m->advance(m->ctx, QR_FONT_MONO, 'i') == 600.0f);
    assert_true(m->advance(m->ctx, QR_FONT_MONO, 'W') == 600.0f);
    float asc, desc;
    m->vmetrics(m->ctx, QR_FONT_REGULAR, &asc, &desc);
    assert_true(asc > 850 && asc < 950);
    assert_true(desc < -150 && desc > -250);
    qr_fonts_free(f);
    qr_diags_free(d);
}

/* Our advances must be libharu's widths exactly, or what layout measures is
 * not what the PDF draws. */
static void test_widths_match_libharu(void **state)
{
    (void)state;
    qr_style s;
    base_style(&s);
    qr_diags *d = qr_diags_new();
    qr_fonts *f = load(&s, d);
    const qr_metrics *m = qr_fonts_metrics(f);
    HPDF_Doc pdf = HPDF_New(NULL, NULL);
    assert_non_null(pdf);
    HPDF_UseUTFEncodings(pdf);
    HPDF_SetCurrentEncoder(pdf, "UTF-8");
    static const qr_font_slot slots[] = {QR_FONT_REGULAR, QR_FONT_BOLD,
                                         QR_FONT_ITALIC, QR_FONT_MONO,
                                         QR_FONT_FALLBACK};
    int checked = 0;
    for (size_t k = 0; k < sizeof slots / sizeof *slots; k++) {
        const char *name = HPDF_LoadTTFontFromFile(
            pdf, qr_fonts_file(f, slots[k]), HPDF_TRUE);
        assert_non_null(name);
        HPDF_Font font = HPDF_GetFont(pdf, name, "UTF-8");
        assert_non_null(font);
        for (uint32_t cp = 0x20; cp < 0x2800; cp++) {
            if (cp == 0x7F) cp = 0xA0;
            if (cp == 0x180) cp = 0x2010;
            if (cp == 0x2070) cp = 0x20A0;
            if (cp == 0x20C0) cp = 0x2600;
            if (!m->has_glyph(m->ctx, slots[k], cp)) continue;
            char u[5];
            int n = qr_utf8_encode(cp, u);
            u[n] = '\0';
            HPDF_TextWidth tw =
                HPDF_Font_TextWidth(font, (const HPDF_BYTE *)u, (HPDF_UINT)n);
            float ours = m->advance(m->ctx, slots[k], cp);
            if (ours != (float)tw.width)
                fprintf(stderr, "slot %d U+%04X: ours %g libharu %u\n",
                        (int)slots[k], (unsigned)cp, ours, tw.width);
            assert_true(ours == (float)tw.width);
            checked++;
        }
    }
    assert_true(checked > 1000);
    HPDF_Free(pdf);
    qr_fonts_free(f);
    qr_diags_free(d);
}

/* A family named twice (body and mono, body and heading): every slot gets
 * the face of its own style, whichever slot asked fontconfig first, and
 * each file is opened once. */
static void test_shared_faces(void **state)
{
    (void)state;
    char *saved = no_cache_begin();
    qr_style s;
    base_style(&s);
    strcpy(s.body_family, "Liberation Mono");
    strcpy(s.heading_family, "Liberation Mono");
    qr_diags *d = qr_diags_new();
    qr_fonts *f = load(&s, d);
    /* The body and mono slots resolve to the same files: one face each. */
    assert_ptr_equal(qr_fonts_face(f, QR_FONT_REGULAR),
                     qr_fonts_face(f, QR_FONT_MONO));
    assert_ptr_equal(qr_fonts_face(f, QR_FONT_BOLD),
                     qr_fonts_face(f, QR_FONT_MONO_BOLD));
    assert_ptr_equal(qr_fonts_face(f, QR_FONT_BOLD),
                     qr_fonts_face(f, QR_FONT_HEADING));
    assert_ptr_not_equal(qr_fonts_face(f, QR_FONT_REGULAR),
                         qr_fonts_face(f, QR_FONT_BOLD));
    static const struct {
        qr_font_slot slot;
        const char *file;
    } want[] = {
        {QR_FONT_REGULAR, "LiberationMono-Regular.ttf"},
        {QR_FONT_BOLD, "LiberationMono-Bold.ttf"},
        {QR_FONT_ITALIC, "LiberationMono-Italic.ttf"},
        {QR_FONT_BOLD_ITALIC, "LiberationMono-BoldItalic.ttf"},
        {QR_FONT_MONO, "LiberationMono-Regular.ttf"},
        {QR_FONT_MONO_BOLD, "LiberationMono-Bold.ttf"},
        {QR_FONT_FALLBACK, "DejaVuSans.ttf"},
        {QR_FONT_FALLBACK_BOLD, "DejaVuSans-Bold.ttf"},
        {QR_FONT_HEADING, "LiberationMono-Bold.ttf"},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!ends_with(qr_fonts_file(f, want[i].slot), want[i].file))
            fail_msg("slot %d: %s, not %s", (int)want[i].slot,
                     qr_fonts_file(f, want[i].slot), want[i].file);
    assert_int_equal(qr_diags_len(d), 0);
    qr_fonts_free(f);
    qr_diags_free(d);
    no_cache_end(saved);
}

static void test_unknown_family_warns(void **state)
{
    (void)state;
    qr_style s;
    base_style(&s);
    strcpy(s.body_family, "No Such Family Quire");
    qr_diags *d = qr_diags_new();
    qr_fonts *f = load(&s, d);
    /* One warning for the family, not one per face. */
    assert_int_equal(qr_diags_count(d, QR_WARNING), 1);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 0);
    assert_non_null(strstr(qr_diags_get(d, 0)->message,
                           "font family 'No Such Family Quire' is not installed"));
    assert_true(ends_with(qr_fonts_file(f, QR_FONT_REGULAR), ".ttf"));
    qr_fonts_free(f);
    qr_diags_free(d);
}

/* Shared fonts (a build's, for its workers): the same families give the
 * same set with the warnings its load gave, freeing it keeps it, other
 * families load their own, and unsharing frees it. */
static void test_share(void **state)
{
    (void)state;
    qr_style s;
    base_style(&s);
    strcpy(s.body_family, "No Such Family Quire");
    qr_diags *d = qr_diags_new();
    qr_fonts *f = load(&s, d);
    assert_int_equal(qr_diags_count(d, QR_WARNING), 1);
    qr_fonts_share(f);
    qr_diags *d2 = qr_diags_new();
    qr_fonts *g = load(&s, d2);
    assert_ptr_equal(g, f);
    assert_int_equal(qr_diags_count(d2, QR_WARNING), 1);
    assert_string_equal(qr_diags_get(d2, 0)->message,
                        qr_diags_get(d, 0)->message);
    qr_fonts_free(g);                       /* kept: still usable */
    assert_true(ends_with(qr_fonts_file(f, QR_FONT_REGULAR), ".ttf"));
    assert_true(qr_fonts_metrics(f)->advance(qr_fonts_metrics(f)->ctx,
                                             QR_FONT_REGULAR, 'W') > 0);
    qr_style other;
    base_style(&other);
    qr_diags *d3 = qr_diags_new();
    qr_fonts *h = load(&other, d3);
    assert_ptr_not_equal(h, f);
    assert_int_equal(qr_diags_count(d3, QR_WARNING), 0);
    qr_fonts_free(h);
    qr_fonts_share(NULL);                   /* frees f (ASan: no leak) */
    qr_diags *d4 = qr_diags_new();
    qr_fonts *k = load(&s, d4);             /* loaded afresh */
    assert_int_equal(qr_diags_count(d4, QR_WARNING), 1);
    qr_fonts_free(k);
    qr_diags_free(d4);
    qr_diags_free(d3);
    qr_diags_free(d2);
    qr_diags_free(d);
}

/* With nothing in the cache, qr_fonts_guess lays out with a guess whose
 * check confirms it (Arial is Liberation Sans by the metric aliases alone),
 * and the guess is every face qr_fonts_load finds. A family the guess does
 * not find as asked is not guessed: loaded the full way, it warns. */
static void test_guess(void **state)
{
    (void)state;
    char *saved = no_cache_begin();
    qr_style s;
    base_style(&s);
    qr_diags *d = qr_diags_new();
    qr_fonts *g = qr_fonts_guess(&s, d);
    assert_non_null(g);
    assert_true(qr_fonts_pending(g));
    assert_true(qr_fonts_confirm(g));
    assert_false(qr_fonts_pending(g));
    assert_true(qr_fonts_confirm(g));       /* asked again: the same */
    assert_int_equal(qr_diags_len(d), 0);
    qr_fonts *f = load(&s, d);
    assert_false(qr_fonts_pending(f));
    for (int slot = 0; slot < QR_FONT_COUNT; slot++) {
        assert_string_equal(qr_fonts_file(g, (qr_font_slot)slot),
                            qr_fonts_file(f, (qr_font_slot)slot));
        assert_int_equal(qr_fonts_index(g, (qr_font_slot)slot),
                         qr_fonts_index(f, (qr_font_slot)slot));
        assert_string_equal(qr_fonts_family(g, (qr_font_slot)slot),
                            qr_fonts_family(f, (qr_font_slot)slot));
    }
    qr_fonts_free(f);
    qr_fonts_free(g);
    /* freed before it was confirmed: the check is waited for, not leaked */
    qr_fonts_free(qr_fonts_guess(&s, d));

    strcpy(s.body_family, "No Such Family Quire");
    qr_fonts *u = qr_fonts_guess(&s, d);
    assert_non_null(u);
    assert_false(qr_fonts_pending(u));
    assert_int_equal(qr_diags_count(d, QR_WARNING), 1);
    assert_true(qr_fonts_confirm(u));
    qr_fonts_free(u);
    qr_diags_free(d);
    no_cache_end(saved);
}

static void test_empty_families_default(void **state)
{
    (void)state;
    qr_style s;
    memset(&s, 0, sizeof s);
    qr_diags *d = qr_diags_new();
    qr_fonts *f = load(&s, d);
    assert_string_equal(qr_fonts_family(f, QR_FONT_REGULAR), "Liberation Sans");
    assert_string_equal(qr_fonts_family(f, QR_FONT_FALLBACK), "DejaVu Sans");
    qr_fonts_free(f);
    qr_diags_free(d);
    qr_fonts_free(NULL);
}

static void test_fake(void **state)
{
    (void)state;
    static const uint32_t missing[] = {0x260E, 0x2709, 0};
    qr_fake_font fk = {500, missing};
    qr_metrics m = qr_metrics_fake(&fk);
    assert_true(m.advance(m.ctx, QR_FONT_REGULAR, 'x') == 500);
    assert_true(m.has_glyph(m.ctx, QR_FONT_BOLD, 'x'));
    assert_false(m.has_glyph(m.ctx, QR_FONT_REGULAR, 0x260E));
    assert_false(m.has_glyph(m.ctx, QR_FONT_MONO, 0x2709));
    assert_true(m.advance(m.ctx, QR_FONT_REGULAR, 0x260E) == 0);
    assert_true(m.has_glyph(m.ctx, QR_FONT_FALLBACK, 0x260E));
    assert_true(m.has_glyph(m.ctx, QR_FONT_FALLBACK_BOLD, 0x2709));
    assert_true(m.advance(m.ctx, QR_FONT_FALLBACK, 0x260E) == 500);
    float a, dd;
    m.vmetrics(m.ctx, QR_FONT_REGULAR, &a, &dd);
    assert_true(a == 800 && dd == -200);
    qr_fake_font none = {250, NULL};
    m = qr_metrics_fake(&none);
    assert_true(m.has_glyph(m.ctx, QR_FONT_REGULAR, 0x260E));
    assert_true(m.advance(m.ctx, QR_FONT_ITALIC, 'q') == 250);
}

/* Kerning from the font: the classic pairs come closer, a pair without
 * kerning and code (mono) do not move, the soft hyphen kerns as '-', and
 * the fake has none. */
static void test_kerning(void **state)
{
    (void)state;
    qr_style s;
    base_style(&s);
    qr_diags *d = qr_diags_new();
    qr_fonts *f = load(&s, d);
    const qr_metrics *m = qr_fonts_metrics(f);
    assert_non_null(m->kern);
    static const char *const pairs[] = {"AV", "To", "Wa", "Ty", "LT"};
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        float k = m->kern(m->ctx, QR_FONT_REGULAR, (uint32_t)pairs[i][0],
                          (uint32_t)pairs[i][1]);
        assert_true(k < -10 && k > -200);
        assert_true(m->kern(m->ctx, QR_FONT_BOLD, (uint32_t)pairs[i][0],
                            (uint32_t)pairs[i][1]) < 0);
        /* the cached answer is the same */
        assert_true(m->kern(m->ctx, QR_FONT_REGULAR, (uint32_t)pairs[i][0],
                            (uint32_t)pairs[i][1]) == k);
    }
    assert_true(m->kern(m->ctx, QR_FONT_REGULAR, 'n', 'n') == 0);
    assert_true(m->kern(m->ctx, QR_FONT_MONO, 'A', 'V') == 0);
    assert_true(m->kern(m->ctx, QR_FONT_REGULAR, 'T', 0x00AD) ==
                m->kern(m->ctx, QR_FONT_REGULAR, 'T', '-'));
    /* whole numbers of 1/1000 em, like the advances */
    float k = m->kern(m->ctx, QR_FONT_REGULAR, 'A', 'V');
    assert_true(k == (float)(int)k);
    qr_fake_font fk = {500, NULL};
    qr_metrics fm = qr_metrics_fake(&fk);
    assert_null(fm.kern);
    qr_fonts_free(f);
    qr_diags_free(d);
}

/* The kerning of a pair as HarfBuzz gives it for the two characters on
 * their own, with none of fonts.c's tables: shaped with kerning on and
 * every ligature off, 0 when the glyphs change or one is a mark. */
static float kern_reference(hb_face_t *face, uint32_t a, uint32_t b)
{
    static const hb_feature_t feat[] = {
        {HB_TAG('k', 'e', 'r', 'n'), 1, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
        {HB_TAG('l', 'i', 'g', 'a'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
        {HB_TAG('c', 'l', 'i', 'g'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
        {HB_TAG('d', 'l', 'i', 'g'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
        {HB_TAG('c', 'a', 'l', 't'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
        {HB_TAG('r', 'l', 'i', 'g'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
    };
    if (a == 0x00AD) a = '-';
    if (b == 0x00AD) b = '-';
    unsigned upem = hb_face_get_upem(face);
    hb_font_t *font = hb_font_create(face);
    hb_font_set_scale(font, (int)upem, (int)upem);
    hb_codepoint_t ga, gb;
    float k = 0;
    if (!hb_font_get_nominal_glyph(font, a, &ga) ||
        !hb_font_get_nominal_glyph(font, b, &gb) ||
        hb_ot_layout_get_glyph_class(face, ga) == HB_OT_LAYOUT_GLYPH_CLASS_MARK ||
        hb_ot_layout_get_glyph_class(face, gb) == HB_OT_LAYOUT_GLYPH_CLASS_MARK)
        goto out;
    hb_buffer_t *buf = hb_buffer_create();
    uint32_t cps[2] = {a, b};
    hb_buffer_add_utf32(buf, cps, 2, 0, 2);
    hb_buffer_set_direction(buf, HB_DIRECTION_LTR);
    hb_buffer_set_script(buf, HB_SCRIPT_LATIN);
    hb_buffer_set_language(buf, hb_language_from_string("en", -1));
    hb_shape(font, buf, feat, sizeof feat / sizeof *feat);
    unsigned n = 0;
    hb_glyph_info_t *gi = hb_buffer_get_glyph_infos(buf, &n);
    hb_glyph_position_t *gp = hb_buffer_get_glyph_positions(buf, NULL);
    if (n == 2 && gi[0].codepoint == ga && gi[1].codepoint == gb &&
        gp[0].x_offset == 0 && gp[1].x_offset == 0) {
        hb_position_t d = gp[0].x_advance + gp[1].x_advance -
                          hb_font_get_glyph_h_advance(font, ga) -
                          hb_font_get_glyph_h_advance(font, gb);
        k = d ? roundf((float)d * 1000 / (float)upem) : 0.0f;
    }
    hb_buffer_destroy(buf);
out:
    hb_font_destroy(font);
    return k;
}

/* Every pair of a mix of characters kerns exactly as shaping it on its own
 * does, asked first or again, from a set with nothing cached: ASCII and
 * the common table's characters, the rest of Latin and punctuation (kept
 * per face), a combining mark, marks with an advance (U+05C3 in Liberation
 * Sans, U+065A in DejaVu Sans: GDEF calls them marks), Greek, a character
 * the face lacks, spaces and invisible characters of General Punctuation. */
static void test_kerning_as_shaped(void **state)
{
    (void)state;
    static const uint32_t cs[] = {
        'A', 'V', 'T', 'o', 'W', 'a', 'y', 'L', 'f', 'i', '1', '.', ',', '-',
        '\'', ' ', 0x00AD, 0x00A3, 0x00E9, 0x00C5, 0x0152, 0x01C4, 0x024F,
        0x2013, 0x2019, 0x201C, 0x2002, 0x200B, 0x2060, 0x2044, 0x0301,
        0x05C3, 0x065A, 0x0394, 0x2070, 0x1E9E, 0x4E00};
    const size_t n = sizeof cs / sizeof *cs;
    static const qr_font_slot slots[] = {QR_FONT_REGULAR, QR_FONT_BOLD_ITALIC,
                                         QR_FONT_FALLBACK};
    char *saved = no_cache_begin();
    qr_style s;
    base_style(&s);
    qr_diags *d = qr_diags_new();
    qr_fonts *f = load(&s, d);
    const qr_metrics *m = qr_fonts_metrics(f);
    int kerned = 0;
    for (int round = 0; round < 2; round++)
        for (size_t si = 0; si < sizeof slots / sizeof *slots; si++) {
            hb_face_t *face = qr_fonts_face(f, slots[si]);
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++) {
                    float want = kern_reference(face, cs[i], cs[j]);
                    float got = m->kern(m->ctx, slots[si], cs[i], cs[j]);
                    if (got != want)
                        fail_msg("slot %d U+%04X U+%04X: %g, shaped %g",
                                 (int)slots[si], cs[i], cs[j], got, want);
                    kerned += want != 0;
                }
        }
    /* the mix holds kerned pairs, not only zeros */
    assert_true(kerned > 20);
    qr_fonts_free(f);
    qr_diags_free(d);
    no_cache_end(saved);
}

/* Kerning of common pairs is kept in the cache: a second font set reads
 * what the first learned, and a damaged entry is ignored. */
static void test_kerning_cached(void **state)
{
    (void)state;
    char dir[] = "/tmp/quire-kern-XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *old = getenv("QUIRE_CACHE_DIR");
    char *saved = old ? qr_xstrdup(old) : NULL;
    setenv("QUIRE_CACHE_DIR", dir, 1);
    unsetenv("QUIRE_NO_CACHE");
    qr_style s;
    base_style(&s);
    qr_diags *d = qr_diags_new();
    qr_fonts *f = load(&s, d);
    const qr_metrics *m = qr_fonts_metrics(f);
    float av = m->kern(m->ctx, QR_FONT_REGULAR, 'A', 'V');
    qr_fonts_free(f);                   /* writes the learned pairs */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls %s | grep -c '^kern-' >/dev/null", dir);
    assert_int_equal(system(cmd), 0);
    f = load(&s, d);
    m = qr_fonts_metrics(f);
    assert_true(m->kern(m->ctx, QR_FONT_REGULAR, 'A', 'V') == av);
    qr_fonts_free(f);
    /* damage every entry: the pairs are shaped again, the same */
    snprintf(cmd, sizeof cmd,
             "for e in %s/kern-*; do printf 'junk' >\"$e\"; done", dir);
    assert_int_equal(system(cmd), 0);
    f = load(&s, d);
    m = qr_fonts_metrics(f);
    assert_true(m->kern(m->ctx, QR_FONT_REGULAR, 'A', 'V') == av);
    assert_true(m->kern(m->ctx, QR_FONT_REGULAR, 'T', 'o') < 0);
    qr_fonts_free(f);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    if (saved) setenv("QUIRE_CACHE_DIR", saved, 1);
    else unsetenv("QUIRE_CACHE_DIR");
    free(saved);
    qr_diags_free(d);
}

/* Layout measures every character of every candidate line: a million
 * lookups go through the cache and give the same widths every time (the
 * time is printed for information; make bench measures speed). */
static void test_speed(void **state)
{
    (void)state;
    qr_style s;
    base_style(&s);
    qr_diags *d = qr_diags_new();
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    qr_fonts *f = load(&s, d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const qr_metrics *m = qr_fonts_metrics(f);
    double sum = 0, cycle = 0;
    for (int i = 0; i < 1000000; i++)
        sum += m->advance(m->ctx, (qr_font_slot)(i & 3), (uint32_t)(0x20 + i % 95));
    /* the pattern repeats every 380 lookups */
    for (int i = 0; i < 380; i++)
        cycle += m->advance(m->ctx, (qr_font_slot)(i & 3), (uint32_t)(0x20 + i % 95));
    clock_gettime(CLOCK_MONOTONIC, &t2);
    double load_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    double look_ms = (double)(t2.tv_sec - t1.tv_sec) * 1e3 +
                     (double)(t2.tv_nsec - t1.tv_nsec) / 1e6;
    fprintf(stderr, "  load %.2f ms, 1M advances %.2f ms\n", load_ms, look_ms);
    assert_true(sum > 0);
    double whole = cycle * (1000000 / 380), rest = 0;
    for (int i = 0; i < 1000000 % 380; i++)
        rest += m->advance(m->ctx, (qr_font_slot)(i & 3), (uint32_t)(0x20 + i % 95));
    assert_true(fabs(sum - (whole + rest)) < 1e-3 * sum);
    qr_fonts_free(f);
    qr_diags_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_arial),
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_metrics_values),
        cmocka_unit_test(test_kerning),
        cmocka_unit_test(test_kerning_cached),
        cmocka_unit_test(test_kerning_as_shaped),
        cmocka_unit_test(test_widths_match_libharu),
        cmocka_unit_test(test_shared_faces),
        cmocka_unit_test(test_unknown_family_warns),
        cmocka_unit_test(test_share),
        cmocka_unit_test(test_guess),
        cmocka_unit_test(test_empty_families_default),
        cmocka_unit_test(test_fake),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
