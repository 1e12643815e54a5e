/* linebreak.c — layout stage (private): one paragraph of styled spans into
 * lines of positioned fragments.
 *
 * In:  lb_span[] (UTF-8 text with face, size, colour, link and flags), the
 *      lb_opts (measure, first-line indent, alignment, breaking method,
 *      hyphenation, lines that must not end in a hyphen) and the qr_metrics
 *      interface (the only way text is measured here).
 * Out: an lb_result whose lines, fragments and fragment text live in one
 *      allocation; a warning in qr_diags for each character no face has.
 * Governing specs: UAX #14 line breaking (libunibreak); Knuth & Plass,
 *      "Breaking Paragraphs into Lines" (1981), for total fit; libhyphen
 *      with the en-GB patterns for hyphenation points.
 *
 * How: the spans are flattened into one valid UTF-8 buffer (a hard break
 * becomes '\n') plus an array of characters carrying face and advance.
 * libunibreak marks break opportunities over the whole buffer; libhyphen
 * adds hyphenation points inside plain words. Each opportunity becomes a
 * candidate break with running sums of width, stretch and shrink, so any
 * line's natural width is a subtraction. A piece between neighbouring
 * candidates wider than the measure gets emergency candidates between
 * graphemes, chosen greedily, so a feasible set of breaks always exists.
 * Total fit runs Knuth–Plass over the candidates (active nodes die as soon
 * as their line would be overfull, so the active list spans about one line
 * of text); greedy is first fit. Lines are then cut into fragments of one
 * face/size/colour/link and positioned, justified lines word by word.
 */
#include "linebreak.h"
#include "hyphdict.h"
#include "quire/cache.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hyphen.h>
#include <linebreak.h>

/* ---- parameters ---- */

/* Knuth–Plass, in the paper's units: demerits of a line are
 * (LINE + badness + penalty)^2, badness = 100 |r|^3 for adjustment ratio r. */
#define KP_LINE_DEMERIT 1.0
#define KP_HYPHEN_PENALTY 50            /* an inserted (libhyphen/soft) hyphen */
#define KP_EXPLICIT_HYPHEN_PENALTY 50   /* breaking after a typed '-' */
#define KP_EMERGENCY_PENALTY 0          /* between characters of a too-wide word */
#define KP_DOUBLE_HYPHEN_DEMERITS 10000.0 /* two hyphenated lines in a row */
#define KP_FINAL_HYPHEN_DEMERITS 50000.0 /* the penultimate line hyphenated,
                                           leaving a word-end alone */
#define KP_ADJ_DEMERITS 100.0           /* neighbouring lines two fitness
                                           classes apart */
#define KP_FIRST_TOLERANCE 1.0          /* justified first pass: max ratio */
#define KP_NO_STRETCH_RATIO 10.0        /* ratio of an underfull line with
                                           nothing to stretch */
#define KP_OVERFULL (-1e30)             /* ratio of a line that cannot fit */
#define KP_MAX_ACTIVE 4096              /* hard cap on active nodes */
#define KP_FITNESS_CLASSES 4
#define KP_STACK_NODES 64               /* total fit's nodes on the stack */
#define KP_STACK_SLOTS 32               /* and its best[] (8 lines' worth) */
/* First fit hyphenates a word only when the line would otherwise be
 * looser than this ratio (about where total fit finds a hyphen worth its
 * penalty). */
#define GREEDY_HYPHEN_RATIO 0.8

/* Ragged right: the line-end glue stretches by this many ems of the
 * paragraph's base size; interword spaces are rigid. */
#define RAGGED_STRETCH_EM 4.0
/* Justified: each interword space stretches by half and shrinks by a
 * third of its own width. */
#define JUSTIFY_STRETCH (1.0 / 2.0)
#define JUSTIFY_SHRINK (1.0 / 3.0)

#define FIT_EPS 1e-3                    /* points: rounding slack on widths */
#define NOTDEF_ADVANCE 500.0f           /* 1/1000 em: a glyph no face has */
#define EM_UNITS 1000.0f                /* qr_metrics units per em */

#define SOFT_HYPHEN_UTF8 "\xC2\xAD"     /* an inserted hyphen, as text */
#define HYPH_MIN_WORD 5                 /* letters */
#define HYPH_MIN_LEFT 2                 /* letters before the hyphen */
#define HYPH_MIN_RIGHT 3                /* letters after it */
#define HYPH_MAX_WORD 64                /* longer runs are not words */
#define HYPH_DICT_PATH "/usr/share/hyphen/hyph_en_GB.dic"
#define LB_LANG "en"

#define GLYPH_CACHE 256                 /* code points cached per slot */

/* ---- one-time initialisation ---- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_once_t dict_once = PTHREAD_ONCE_INIT;
static bool hyph_on;                    /* the dictionary can be read: its
                                           key was made */
static HyphenDict *hyph_dict;           /* after dict_once; NULL: it could
                                           not be loaded after all */
static qr_hyph hyph;                    /* lives as long as the process */
static bool memo_read(void);

/* The dictionary, under the key the memo was read with. 220 page faults
 * and a checksum over 900 KB (its image), so loaded only when a word is
 * not in the memo, or before forking (lb_init_hyph_dict). */
static void load_dict(void)
{
    qr_hyph_load_keyed(&hyph, HYPH_DICT_PATH);
    hyph_dict = hyph.dict;
}

static void init_tables(void)
{
    init_linebreak();
    hyph_on = qr_hyph_key(&hyph, HYPH_DICT_PATH);   /* false: no hyphenation */
    /* a run with the cache's memo rarely meets a new word (a warm render
     * of the same paper, none); without one (a first run, the cache off)
     * every word is new, so the dictionary is loaded now, as lb_init is
     * on render's warm-up thread */
    if (hyph_on && !memo_read()) pthread_once(&dict_once, load_dict);
}

void lb_init(void)
{
    pthread_once(&init_once, init_tables);
}

void lb_init_hyph_dict(void)
{
    lb_init();
    if (hyph_on) pthread_once(&dict_once, load_dict);
}

qr_status lb_write_hyph_image(const char *dir, qr_diags *d)
{
    if (access(HYPH_DICT_PATH, R_OK) != 0) {
        qr_diag_add(d, QR_ERROR, HYPH_DICT_PATH, 0, 0, NULL, NULL,
                    "cannot read the hyphenation dictionary: %s "
                    "(Debian's hyphen-en-gb)", strerror(errno));
        return QR_EINPUT;
    }
    if (!qr_make_dirs(dir, 0755)) {
        qr_diag_add(d, QR_ERROR, dir, 0, 0, NULL, NULL,
                    "cannot make the folder: %s", strerror(errno));
        return QR_EOUTPUT;
    }
    char *name = qr_hyph_image_name(HYPH_DICT_PATH);
    char *out = qr_path_join(dir, name);
    qr_status status = QR_OK;
    if (!qr_hyph_write_image(HYPH_DICT_PATH, out)) {
        /* the dictionary was readable a moment ago: EINVAL is its bytes */
        if (errno == EINVAL) {
            qr_diag_add(d, QR_ERROR, HYPH_DICT_PATH, 0, 0, NULL, NULL,
                        "not a hyphenation dictionary");
            status = QR_EINPUT;
        } else {
            qr_diag_add(d, QR_ERROR, out, 0, 0, NULL, NULL,
                        "cannot write the image: %s", strerror(errno));
            status = QR_EOUTPUT;
        }
    }
    free(out);
    free(name);
    return status;
}

/* ---- the flattened paragraph ---- */

enum { K_TEXT, K_SPACE, K_NBSP, K_NEWLINE, K_INVISIBLE };
enum { BK_NONE, BK_ALLOW, BK_MUST, BK_HYPH };

typedef struct pchar {
    size_t off;             /* byte offset in para.text */
    uint32_t cp;
    uint32_t span;
    float w;                /* advance, points, kerning included */
    float kern;             /* kerning with the next visible character of
                               the run (in w), 0 when the line ends here */
    unsigned char face, kind;
} pchar;

/* ASCII characters a wanted slot sets (ascii_face): the face map_face
 * chose, plus one; 0 = not asked yet, ASCII_MISSING = no face has it. */
#define ASCII_MISSING 0xFF

typedef struct gcache {
    unsigned char ready[QR_FONT_COUNT];            /* slot's rows set up */
    signed char has[QR_FONT_COUNT][GLYPH_CACHE];   /* -1 = not asked yet */
    float adv[QR_FONT_COUNT][GLYPH_CACHE];         /* < 0 = not asked yet */
    /* map_face and advance's answer for printable ASCII wanted in a slot,
     * so flatten sets most characters with one look-up */
    unsigned char aface[QR_FONT_COUNT][128];
    float aadv[QR_FONT_COUNT][128];
    /* the metrics' kerning of printable ASCII pairs in a face (KERN_ROW
     * squared, by left character), made at its first pair in flatten;
     * all bits set = not asked yet */
    float *kern[QR_FONT_COUNT];
} gcache;

#define KERN_ROW 95                     /* ' ' to '~' */

/* A document's cache (lb_glyphs_new), kept across its paragraphs: each
 * paragraph's own began empty, and asking the metrics again for every
 * letter of every paragraph cost the benchmark report 1.4 M instructions. */
struct lb_glyphs {
    const qr_metrics *m;    /* the metrics its answers came from */
    gcache gc;
};

typedef struct para {
    const lb_span *spans;
    size_t nspans;
    const qr_metrics *m;
    gcache *gc;             /* NULL: ask the metrics every time */
    int own_gc;             /* gc is the paragraph's, not a document's */
    qr_buf text;            /* the whole paragraph, valid UTF-8 */
    pchar *ch;
    size_t n, cap;
    unsigned char *bk;      /* bk[j]: break kind before character j, 0..n */
    lb_seen own;            /* missing code points warned about, when the
                               caller has no set of its own (opts->seen) */
    /* a paragraph flattened before its options are known (lb_prepare)
     * keeps its missing glyphs here, warned about when it is broken */
    int defer;
    struct lb_miss { uint32_t cp; int want, line; } *miss;
    size_t nmiss, cmiss;
} para;

static const char *const slot_names[QR_FONT_COUNT] = {
    "regular", "bold", "italic", "bold italic",
    "mono", "mono bold", "fallback", "fallback bold", "heading"
};

static qr_font_slot valid_slot(qr_font_slot s)
{
    return (unsigned)s < QR_FONT_COUNT ? s : QR_FONT_REGULAR;
}

/* A slot's rows of the glyph cache, set up on its first use (a paragraph
 * uses two or three of the nine slots). */
static void gc_ready(gcache *gc, qr_font_slot slot)
{
    if (gc->ready[slot]) return;
    memset(gc->has[slot], -1, sizeof gc->has[slot]);
    for (int i = 0; i < GLYPH_CACHE; i++) gc->adv[slot][i] = -1.0f;
    memset(gc->aface[slot], 0, sizeof gc->aface[slot]);
    gc->kern[slot] = NULL;
    gc->ready[slot] = 1;
}

static void gc_free(gcache *gc)
{
    for (int i = 0; i < QR_FONT_COUNT; i++)
        if (gc->ready[i]) free(gc->kern[i]);
}

/* The kerning of two printable ASCII characters in face (whose rows are
 * set up), from the cache: a call and a look-up in the metrics less for
 * most pairs of a paragraph. */
static inline float kern_ascii(para *p, qr_font_slot face, uint32_t l,
                               uint32_t r)
{
    gcache *gc = p->gc;
    float *t = gc->kern[face];
    if (!t) {
        t = gc->kern[face] = qr_xmalloc(KERN_ROW * KERN_ROW * sizeof *t);
        memset(t, 0xFF, KERN_ROW * KERN_ROW * sizeof *t);
    }
    float *k = &t[(l - ' ') * KERN_ROW + (r - ' ')];
    uint32_t bits;
    memcpy(&bits, k, sizeof bits);
    if (bits == UINT32_MAX) *k = p->m->kern(p->m->ctx, face, l, r);
    return *k;
}

/* The metrics' kerning of l and r in face: from the cache for two
 * printable ASCII characters when there is one (measuring a cell and
 * hyphens asked the metrics for each pair again). */
static inline float kern_pair(para *p, qr_font_slot face, uint32_t l,
                              uint32_t r)
{
    if (p->gc && l - 0x21 < 0x5E && r - 0x21 < 0x5E) {
        gc_ready(p->gc, face);
        return kern_ascii(p, face, l, r);
    }
    return p->m->kern(p->m->ctx, face, l, r);
}

static bool has_glyph(para *p, qr_font_slot slot, uint32_t cp)
{
    if (p->gc && cp < GLYPH_CACHE) {
        gc_ready(p->gc, slot);
        signed char *h = &p->gc->has[slot][cp];
        if (*h < 0) *h = p->m->has_glyph(p->m->ctx, slot, cp) ? 1 : 0;
        return *h;
    }
    return p->m->has_glyph(p->m->ctx, slot, cp) != 0;
}

static float advance(para *p, qr_font_slot slot, uint32_t cp)
{
    if (p->gc && cp < GLYPH_CACHE) {
        gc_ready(p->gc, slot);
        float *a = &p->gc->adv[slot][cp];
        if (*a < 0) *a = p->m->advance(p->m->ctx, slot, cp);
        return *a;
    }
    return p->m->advance(p->m->ctx, slot, cp);
}

static bool is_bold_slot(qr_font_slot s)
{
    return s == QR_FONT_BOLD || s == QR_FONT_BOLD_ITALIC ||
           s == QR_FONT_MONO_BOLD || s == QR_FONT_FALLBACK_BOLD ||
           s == QR_FONT_HEADING;
}

/* The face for cp: the wanted slot, else the (bold) fallback. Returns false
 * when no face has it; *face is then the fallback, which shows .notdef. */
static bool map_face(para *p, qr_font_slot want, uint32_t cp,
                     qr_font_slot *face)
{
    if (has_glyph(p, want, cp)) {
        *face = want;
        return true;
    }
    qr_font_slot fb = is_bold_slot(want) ? QR_FONT_FALLBACK_BOLD
                                         : QR_FONT_FALLBACK;
    *face = fb;
    if (fb != want && has_glyph(p, fb, cp)) return true;
    /* a bold fallback face may cover less than the regular one */
    if (fb == QR_FONT_FALLBACK_BOLD && has_glyph(p, QR_FONT_FALLBACK, cp)) {
        *face = QR_FONT_FALLBACK;
        return true;
    }
    return false;
}

/* Inlined: a call for each character lb_measure_g measures cost more
 * than the test. */
static inline unsigned char classify(uint32_t cp)
{
    /* the printable ASCII other than the space, most of any text */
    if (cp > ' ' && cp < 0x7F) return K_TEXT;
    switch (cp) {
    case ' ':
        return K_SPACE;
    case 0x00A0:
        return K_NBSP;
    case '\n': case '\r': case 0x0B: case 0x0C:
    case 0x85: case 0x2028: case 0x2029:
        return K_NEWLINE;
    case 0x00AD: case 0x200B: case 0x200C: case 0x200D:
    case 0x2060: case 0xFEFF:
        return K_INVISIBLE;
    default:
        return K_TEXT;
    }
}

/* Insert cp into the warned set; returns true if it was new. Stored as
 * cp + 1 in an open-addressed table, 0 = empty. */
static bool seen_add(lb_seen *w, uint32_t cp)
{
    if (w->n * 2 >= w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 16;
        uint32_t *ns = qr_xcalloc(ncap, sizeof *ns);
        for (size_t i = 0; i < w->cap; i++) {
            uint32_t v = w->v[i];
            if (!v) continue;
            size_t h = (v * 2654435761u) & (ncap - 1);
            while (ns[h]) h = (h + 1) & (ncap - 1);
            ns[h] = v;
        }
        free(w->v);
        w->v = ns;
        w->cap = ncap;
    }
    uint32_t v = cp + 1;
    size_t h = (v * 2654435761u) & (w->cap - 1);
    while (w->v[h]) {
        if (w->v[h] == v) return false;
        h = (h + 1) & (w->cap - 1);
    }
    w->v[h] = v;
    w->n++;
    return true;
}

void lb_seen_clear(lb_seen *w)
{
    free(w->v);
    memset(w, 0, sizeof *w);
}

void lb_warn_missing(lb_seen *seen, qr_diags *d, const char *file, int line,
                     uint32_t cp, qr_font_slot want, const char *where)
{
    const char *sep = where ? " " : "";
    if (!where) where = "";
    if (!d || !seen_add(seen, cp)) return;
    char tried[64];
    if (want == QR_FONT_FALLBACK || want == QR_FONT_FALLBACK_BOLD)
        snprintf(tried, sizeof tried, "%s", slot_names[want]);
    else
        snprintf(tried, sizeof tried, "%s, fallback", slot_names[want]);
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
        qr_diag_add(d, QR_WARNING, file, line, 0, NULL, NULL,
                    "no font has a glyph for U+%04X (a control character)"
                    "%s%s (tried %s)", (unsigned)cp, sep, where, tried);
        return;
    }
    char enc[5];
    enc[qr_utf8_encode(cp, enc)] = '\0';
    qr_diag_add(d, QR_WARNING, file, line, 0, NULL, NULL,
                "no font has a glyph for U+%04X '%s'%s%s (tried %s)",
                (unsigned)cp, enc, sep, where, tried);
}

static void warn_missing(para *p, uint32_t cp, qr_font_slot want, int line,
                         const lb_opts *o, qr_diags *d)
{
    lb_seen *seen = o && o->seen ? o->seen : &p->own;
    lb_warn_missing(seen, d, o ? o->md_name : NULL, line, cp, want, NULL);
}

static bool is_combining(uint32_t cp);

static void add_char(para *p, uint32_t cp, uint32_t span, const lb_opts *o,
                     qr_diags *d)
{
    QR_GROW(p->ch, p->n, p->cap, 256);
    pchar *c = &p->ch[p->n++];
    c->off = p->text.len;
    /* one byte for most characters: written in place, not through the
     * general append (a call and a size check per character of text) */
    if (cp < 0x80 && p->text.len + 2 <= p->text.cap) {
        p->text.data[p->text.len++] = (char)cp;
        p->text.data[p->text.len] = '\0';
    } else {
        char enc[4];
        int k = qr_utf8_encode(cp, enc);
        qr_buf_append(&p->text, enc, (size_t)k);
    }
    c->cp = cp;
    c->span = span;
    c->kind = classify(cp);
    const lb_span *s = &p->spans[span];
    qr_font_slot want = valid_slot(s->font);
    c->face = (unsigned char)want;
    c->w = 0;
    c->kern = 0;
    if (c->kind == K_NEWLINE || c->kind == K_INVISIBLE) return;
    qr_font_slot face;
    int found;
    /* a combining mark stays in its base character's face when that face
     * has it, so the two are drawn (and extracted) together */
    if (p->n >= 2 && is_combining(cp) && p->ch[p->n - 2].span == span &&
        has_glyph(p, (qr_font_slot)p->ch[p->n - 2].face, cp)) {
        face = (qr_font_slot)p->ch[p->n - 2].face;
        found = 1;
    } else {
        found = map_face(p, want, cp, &face);
    }
    float adv = advance(p, face, cp);
    if (!found) {
        if (adv <= 0) adv = NOTDEF_ADVANCE;
        if (p->defer) {
            QR_GROW(p->miss, p->nmiss, p->cmiss, 8);
            p->miss[p->nmiss++] = (struct lb_miss){cp, (int)want, s->line};
        } else {
            warn_missing(p, cp, want, s->line, o, d);
        }
    }
    c->face = (unsigned char)face;
    c->w = adv * s->size / EM_UNITS;
}

static bool same_look(const lb_span *a, const lb_span *b);

/* Kerning (qr_metrics.kern) between each visible character and the next
 * visible one of the same face and look: the pairs a PDF text item holds.
 * Added to the left character's width; a line ending between the two
 * takes it off again (build_cands, build_lines). Made as the right one is
 * flattened: character j and the visible character before it. */
static void kern_back(para *p, size_t j)
{
    const pchar *b = &p->ch[j];
    if (b->kind != K_TEXT || !p->m->kern) return;
    size_t k = j;
    while (k > 0 && p->ch[k - 1].kind == K_INVISIBLE) k--;
    if (k == 0) return;
    pchar *a = &p->ch[k - 1];
    if (a->kind != K_TEXT || b->face != a->face ||
        (a->span != b->span &&
         !same_look(&p->spans[a->span], &p->spans[b->span])))
        return;
    float kv = p->m->kern(p->m->ctx, (qr_font_slot)a->face, a->cp, b->cp);
    if (kv == 0) return;
    a->kern = kv * p->spans[a->span].size / EM_UNITS;
    a->w += a->kern;
}

/* The slot's ASCII row for cp, filled on first use: map_face's face
 * plus one, or ASCII_MISSING, and the advance in that face. */
static unsigned char ascii_face(para *p, qr_font_slot want, uint32_t cp)
{
    qr_font_slot face;
    bool found = map_face(p, want, cp, &face);
    p->gc->aadv[want][cp] = advance(p, face, cp);
    unsigned char f = found ? (unsigned char)(face + 1) : ASCII_MISSING;
    p->gc->aface[want][cp] = f;
    return f;
}

/* Flatten the spans into p->text and p->ch. Invalid bytes become U+FFFD
 * and tabs spaces, so the buffer is valid UTF-8 with nothing unprintable
 * that breaking treats as a space. */
static void flatten(para *p, const lb_opts *o, qr_diags *d)
{
    /* a character per byte at most: room for all of them at once */
    size_t most = 0;
    for (size_t si = 0; si < p->nspans; si++)
        most += p->spans[si].flags & LB_HARD_BREAK ? 1 : p->spans[si].len;
    if (p->cap < p->n + most) {
        p->cap = p->n + most;
        p->ch = qr_xrealloc(p->ch, p->cap * sizeof *p->ch);
    }
    qr_buf_reserve(&p->text, most);
    gcache *gc = p->gc;
    for (size_t si = 0; si < p->nspans; si++) {
        const lb_span *s = &p->spans[si];
        if (s->flags & LB_HARD_BREAK) {
            add_char(p, '\n', (uint32_t)si, o, d);
            continue;
        }
        qr_font_slot want = valid_slot(s->font);
        if (gc) gc_ready(gc, want);
        size_t i = 0;
        while (i < s->len) {
            uint32_t cp;
            int k;
            /* a run of printable ASCII (most text) is what add_char would
             * make of it, from the slot's ASCII row (no combining mark, no
             * warning), in place: the room for it is reserved unless an
             * invalid byte took more */
            if (gc && p->text.cap - p->text.len > s->len - i) {
                const unsigned char *row = gc->aface[want];
                const float *adv = gc->aadv[want];
                const float size = s->size;
                const unsigned char *src = (const unsigned char *)s->text;
                char *out = p->text.data;
                size_t tl = p->text.len, n = p->n;
                pchar *c = p->ch + n;
                const pchar *first = c;
                const bool kerns = p->m->kern != NULL;
                while (i < s->len) {
                    uint32_t a = src[i] == '\t' ? ' ' : src[i];
                    if (a < ' ' || a >= 0x7F) break;
                    unsigned char f = row[a];
                    if (!f) f = ascii_face(p, want, a);
                    if (f == ASCII_MISSING) break;
                    c->off = tl;
                    out[tl++] = (char)a;
                    c->cp = a;
                    c->span = (uint32_t)si;
                    c->kind = a == ' ' ? K_SPACE : K_TEXT;
                    c->face = (unsigned char)(f - 1);
                    c->w = adv[a] * size / EM_UNITS;
                    c->kern = 0;
                    /* kern_back, knowing the character before in the run
                     * is visible and of the span */
                    if (kerns && a != ' ') {
                        pchar *v = c == first ? NULL : c - 1;
                        if (!v) {
                            kern_back(p, (size_t)(c - p->ch));
                        } else if (v->kind == K_TEXT && v->face == c->face) {
                            float kv = kern_ascii(p, (qr_font_slot)v->face,
                                                  v->cp, a);
                            if (kv != 0) {
                                v->kern = kv * size / EM_UNITS;
                                v->w += v->kern;
                            }
                        }
                    }
                    c++;
                    i++;
                }
                out[tl] = '\0';
                p->text.len = tl;
                p->n = (size_t)(c - p->ch);
                if (i == s->len) break;
            }
            /* most text is ASCII: one byte, one character, no call */
            if ((unsigned char)s->text[i] < 0x80) {
                cp = (unsigned char)s->text[i];
                k = 1;
            } else {
                k = qr_utf8_decode(s->text + i, s->len - i, &cp);
                if (k == 0) k = 1;          /* cp is U+FFFD */
            }
            if (cp == '\t') cp = ' ';
            add_char(p, cp, (uint32_t)si, o, d);
            kern_back(p, p->n - 1);
            i += (size_t)k;
        }
    }
}

/* libunibreak's answers for code points, one per character (after it),
 * for less work than it does itself: uax14_begin, uax14_add for each
 * character, uax14_run.
 *
 * libunibreak finds a character's line-breaking class by scanning its
 * property table from the start: a lowercase letter is the 31st range, an
 * uppercase one the 25th, and letters are most of a paragraph. That scan was
 * the largest single cost of line breaking. Its answers depend only on the
 * classes of the characters, and '#' is a letter to UAX #14 too (AL, like
 * A-Z and a-z) but the 10th range, so it is handed '#' for an ASCII letter.
 * And a run of letters is handed as one: between two letters there is never
 * an opportunity (AL x AL), and its pair-table state after a second AL
 * (current class AL, last class AL) is what it was after the first, so what
 * follows the run gets the same answer after one '#' as after many. Other
 * characters keep their own class and are handed as they are.
 * test_linebreak.c compares the answers (through lb_uax14) with
 * libunibreak's own over the test corpus and random text. */
typedef struct uax14 {
    size_t *last;           /* each unit's last character */
    uint32_t *t;            /* the units as libunibreak is handed them */
    char *ub;               /* its answers for them */
    size_t m;
    int in_word;            /* the last unit is a run of letters */
    int own;                /* last is allocated, not the caller's */
} uax14;

/* Bytes of the arrays for n characters. */
#define UAX14_BYTES(n) ((n) * (sizeof(size_t) + sizeof(uint32_t) + 1))

/* For at most n characters, in one allocation, or in the caller's buf
 * (size_t-aligned, `room` bytes) when they fit. */
static void uax14_begin(uax14 *u, size_t n, size_t *buf, size_t room)
{
    u->own = UAX14_BYTES(n) > room;
    u->last = u->own ? qr_xmalloc(UAX14_BYTES(n)) : buf;
    u->t = (uint32_t *)(u->last + n);
    u->ub = (char *)(u->t + n);
    u->m = 0;
    u->in_word = 0;
}

/* Character j, cp: a letter after a letter joins its run (no opportunity
 * before it); anything else is a unit of its own. */
static inline void uax14_add(uax14 *u, uint32_t cp, size_t j)
{
    /* (c | 0x20) folds A-Z onto a-z and nothing else onto them */
    int letter = (cp | 0x20) - 'a' < 26;
    if (letter && u->in_word) {
        u->last[u->m - 1] = j;
        return;
    }
    u->in_word = letter;
    u->t[u->m] = letter ? '#' : cp;
    u->last[u->m++] = j;
}

/* libunibreak's answer after each unit into ub[]: after its last
 * character. After any other character (inside a run of letters) there is
 * no opportunity. uax14_free when read. */
static void uax14_run(uax14 *u)
{
    set_linebreaks_utf32(u->t, u->m, LB_LANG, u->ub);
}

static void uax14_free(uax14 *u)
{
    if (u->own) free(u->last);
}

/* The same answers per byte of valid UTF-8, as set_linebreaks_utf8 gives
 * them (other text is handed to it as it is). */
void lb_uax14(const char *s, size_t len, char *brks)
{
    if (len == 0) return;
    uint32_t *cp = qr_xmalloc(len * sizeof *cp);
    size_t *end = qr_xmalloc(len * sizeof *end);    /* a char's last byte */
    char *cb = qr_xmalloc(len);
    size_t n = 0, i = 0;
    while (i < len) {
        int k = qr_utf8_decode(s + i, len - i, &cp[n]);
        if (k == 0) break;
        i += (size_t)k;
        end[n++] = i - 1;
    }
    if (i < len) {
        set_linebreaks_utf8((const utf8_t *)s, len, LB_LANG, brks);
    } else {
        uax14 u;
        uax14_begin(&u, n, NULL, 0);
        for (size_t j = 0; j < n; j++) uax14_add(&u, cp[j], j);
        uax14_run(&u);
        memset(cb, LINEBREAK_NOBREAK, n);
        for (size_t k = 0; k < u.m; k++) cb[u.last[k]] = u.ub[k];
        uax14_free(&u);
        memset(brks, LINEBREAK_INSIDEACHAR, len);
        for (size_t j = 0; j < n; j++) brks[end[j]] = cb[j];
    }
    free(cb);
    free(end);
    free(cp);
}

static void keep_whole(para *p, const uax14 *u);

/* Characters whose units find_breaks keeps on the stack: most paragraphs. */
#define STACK_UAX14_CHARS 256

/* UAX #14 opportunities per character boundary; LB_NO_BREAK spans keep
 * only their mandatory breaks inside; dates and codes are kept whole. */
static void find_breaks(para *p)
{
    p->bk = qr_xcalloc(p->n + 1, 1);
    if (p->n == 0) return;
    /* the characters are decoded already: libunibreak's answers for them,
     * not for the UTF-8 decoded again; only those after a unit are read
     * (inside a run of letters bk stays BK_NONE) */
    uax14 u;
    size_t ubuf[UAX14_BYTES(STACK_UAX14_CHARS) / sizeof(size_t) + 1];
    uax14_begin(&u, p->n, ubuf, sizeof ubuf);
    for (size_t j = 0; j < p->n; j++) uax14_add(&u, p->ch[j].cp, j);
    uax14_run(&u);
    for (size_t k = 0; k < u.m; k++) {
        size_t j = u.last[k] + 1;           /* after the unit's last char */
        if (j >= p->n) break;
        char st = u.ub[k];
        unsigned char b = st == LINEBREAK_MUSTBREAK    ? BK_MUST
                          : st == LINEBREAK_ALLOWBREAK ? BK_ALLOW
                                                       : BK_NONE;
        if (b == BK_ALLOW && p->ch[j - 1].span == p->ch[j].span &&
            (p->spans[p->ch[j].span].flags & LB_NO_BREAK))
            b = BK_NONE;
        p->bk[j] = b;
    }
    keep_whole(p, &u);
    uax14_free(&u);
    p->bk[p->n] = BK_MUST;
}

/* Dropped from a line's end: spaces, newlines, and zero-width format
 * characters (a word joiner or BOM can hold spaces before a break). */
static bool trailing_blank(const pchar *c)
{
    /* one test of a bit, not three comparisons: build_cands asks it of
     * every character */
    return (1u << c->kind) &
           ((1u << K_SPACE) | (1u << K_NEWLINE) | (1u << K_INVISIBLE));
}

/* ---- hyphenation ---- */

static bool is_ascii_letter(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

/* Letters of Latin, Greek and Cyrillic scripts: enough to find where a word
 * ends; only all-ASCII words are handed to the en-GB patterns. */
static bool is_letter(uint32_t cp)
{
    if (cp < 0x80) return is_ascii_letter(cp);
    if (cp >= 0xC0 && cp <= 0x24F) return cp != 0xD7 && cp != 0xF7;
    return cp >= 0x370 && cp <= 0x52F;
}

static bool is_digit(uint32_t cp)
{
    return cp >= '0' && cp <= '9';
}

/* Mark libhyphen's points in the letter runs of the word [s, t) (text
 * between spaces). Words that look like addresses, numbers or code, or
 * come from LB_NO_HYPHENATE spans, are left alone. */
/* ---- hyphenation points, remembered ----
 *
 * A paper uses the same words again and again ("children", "services"),
 * and libhyphen's hnj_hyphen_hyphenate2 allocates and runs its automaton
 * afresh for each: it was the largest single cost of layout (by callgrind). So
 * each word's points are kept for the life of the process, in one
 * open-addressed table shared by every paragraph (and every paper of a
 * build worker), behind a mutex. */

#define MEMO_MAX (1u << 16)             /* words remembered at most */

typedef struct memo_slot {
    uint64_t hash;
    uint64_t points;
    size_t key;                         /* offset in memo_keys */
    unsigned len;                       /* 0: empty */
} memo_slot;

static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static memo_slot *memo;
static size_t memo_cap, memo_n;
static qr_buf memo_keys;
static int memo_learned;                /* words not in the cache's copy */

static memo_slot *memo_find(uint64_t h, const char *w, size_t len)
{
    for (size_t i = h & (memo_cap - 1);; i = (i + 1) & (memo_cap - 1)) {
        memo_slot *m = &memo[i];
        if (!m->len ||
            (m->hash == h && m->len == len && memcmp(memo_keys.data + m->key, w, len) == 0))
            return m;
    }
}

static void memo_grow(void)
{
    memo_slot *old = memo;
    size_t oc = memo_cap;
    memo_cap = oc ? oc * 2 : 1024;
    memo = qr_xcalloc(memo_cap, sizeof *memo);
    for (size_t i = 0; i < oc; i++) {
        if (!old[i].len) continue;
        size_t j = old[i].hash & (memo_cap - 1);
        while (memo[j].len) j = (j + 1) & (memo_cap - 1);
        memo[j] = old[i];
    }
    free(old);
}

/* Fill the empty slot m (memo_find's) with word's points, under memo_lock. */
static void memo_put(memo_slot *m, uint64_t h, const char *word, size_t len,
                     uint64_t pts)
{
    m->hash = h;
    m->points = pts;
    m->key = memo_keys.len;
    m->len = (unsigned)len;
    qr_buf_append(&memo_keys, word, len);
    memo_n++;
}

/* Bit i set: a hyphen may follow letter i - 1 of the lower-case ASCII
 * word (len <= HYPH_MAX_WORD), by the dictionary's standard patterns; a
 * replacement rule (non-standard hyphenation) is not ours to apply. */
static uint64_t hyphenate_points(HyphenDict *dict, const char *word, size_t len)
{
    char hy[HYPH_MAX_WORD + 5];
    memset(hy, 0, sizeof hy);
    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    hnj_hyphen_hyphenate2(dict, word, (int)len, hy, NULL, &rep, &pos, &cut);
    uint64_t pts = 0;
    for (size_t i = 1; i < len; i++)
        if ((hy[i - 1] & 1) && !(rep && rep[i - 1])) pts |= (uint64_t)1 << i;
    if (rep) {
        for (size_t i = 0; i < len; i++) free(rep[i]);
        free(rep);
    }
    free(pos);
    free(cut);
    return pts;
}

/* The points of word, from the memo, else from the dictionary, which is
 * loaded for the first word not in the memo. A word the dictionary could
 * not be loaded for gets none and is not remembered: none is not what
 * libhyphen would answer, and the memo is written to the cache.
 * memo_lock is taken for the first word of a paragraph (*locked) and
 * held until find_hyphens has done them all: a lock and an unlock for
 * each word cost 70 K instructions of the benchmark report. */
static uint64_t word_points(const char *word, size_t len, bool *locked)
{
    uint64_t h = qr_fnv64(QR_FNV64_INIT, word, len), pts = 0;
    if (!*locked) {
        pthread_mutex_lock(&memo_lock);
        *locked = true;
    }
    if (memo_n * 2 >= memo_cap && memo_n < MEMO_MAX) memo_grow();
    memo_slot *m = memo_find(h, word, len);
    if (m->len) {
        pts = m->points;
    } else {
        /* with memo_lock held: load_dict takes no lock of ours, so this
         * cannot deadlock; other threads' words wait for it, once */
        pthread_once(&dict_once, load_dict);
        if (hyph_dict) {
            pts = hyphenate_points(hyph_dict, word, len);
            if (memo_n < MEMO_MAX) {
                memo_put(m, h, word, len, pts);
                memo_learned = 1;
            }
        }
    }
    return pts;
}

/* ---- the remembered points, kept in the cache ----
 *
 * The memo above lived as long as one process, so every render asked
 * libhyphen again for every word of its paper: 3 M instructions on the
 * benchmark report's main thread (635 words), and on each paper of a
 * build. Its words and points are now a cache entry, read with the
 * dictionary's key (init_tables: when it holds words, the dictionary
 * itself is loaded only for a word it lacks) and written back when a
 * paper learned words. The points depend on the dictionary and libhyphen
 * (the image's key, which names both) and on hyphenate_points (the
 * executable's stamp: a rebuilt quire starts afresh), so the answer is
 * the one libhyphen would give. */

#define MEMO_ENTRY "hyph-memo"
#define MEMO_FORMAT 2
#define MEMO_SAVED_MAX 8192             /* words written at most */

/* false: no key can be made (the executable cannot be named), so the
 * cache's copy is neither read nor written */
static bool memo_cache_key(qr_buf *k)
{
    qr_buf_printf(k, "quire hyphenation memo %d %d\n", MEMO_FORMAT,
                  HYPH_MAX_WORD);
    /* the file itself, not /proc/self/exe: a tool that runs quire (valgrind)
     * may answer for its own */
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || !hyph.key) return false;
    exe[n] = '\0';
    qr_cache_stamp(k, exe);
    qr_buf_puts(k, hyph.key);
    return true;
}

/* entry: the key, then per word its length (one byte), its letters and
 * its points (8 bytes), then qr_filehash_of the words. Once, from
 * init_tables. true when it was read and held words. */
static bool memo_read(void)
{
    if (!hyph.key) return false;
    size_t n = 0;
    char *data = qr_cache_read(MEMO_ENTRY, &n);
    if (!data) return false;
    pthread_mutex_lock(&memo_lock);
    qr_buf k;
    qr_buf_init(&k);
    bool keyed = memo_cache_key(&k);
    uint64_t sum;
    if (keyed && n >= k.len + sizeof sum && memcmp(data, k.data, k.len) == 0) {
        const unsigned char *w = (const unsigned char *)data + k.len;
        size_t wn = n - k.len - sizeof sum;
        memcpy(&sum, w + wn, sizeof sum);
        /* every length in bounds before anything is taken */
        size_t at = 0;
        while (at < wn && w[at] >= 1 && w[at] <= HYPH_MAX_WORD &&
               wn - at >= 1 + (size_t)w[at] + 8)
            at += 1 + (size_t)w[at] + 8;
        if (at == wn && sum == qr_filehash_of(w, wn)) {
            for (at = 0; at < wn && memo_n < MEMO_MAX;) {
                size_t len = w[at];
                const char *word = (const char *)w + at + 1;
                uint64_t pts;
                memcpy(&pts, word + len, sizeof pts);
                at += 1 + len + 8;
                uint64_t h = qr_fnv64(QR_FNV64_INIT, word, len);
                if (memo_n * 2 >= memo_cap) memo_grow();
                memo_slot *m = memo_find(h, word, len);
                if (!m->len) memo_put(m, h, word, len, pts);
            }
        }
    }
    bool some = memo_n > 0;
    pthread_mutex_unlock(&memo_lock);
    qr_buf_free(&k);
    free(data);
    return some;
}

void lb_save_learned(void)
{
    pthread_mutex_lock(&memo_lock);
    qr_buf e;
    qr_buf_init(&e);
    if (memo_learned && memo_cache_key(&e)) {
        size_t start = e.len, saved = 0;
        for (size_t i = 0; i < memo_cap && saved < MEMO_SAVED_MAX; i++) {
            const memo_slot *m = &memo[i];
            if (!m->len) continue;
            qr_buf_putc(&e, (char)m->len);
            qr_buf_append(&e, memo_keys.data + m->key, m->len);
            qr_buf_append(&e, &m->points, sizeof m->points);
            saved++;
        }
        uint64_t sum = qr_filehash_of(e.data + start, e.len - start);
        qr_buf_append(&e, &sum, sizeof sum);
        qr_cache_write_checked(MEMO_ENTRY, e.data, e.len);  /* best effort */
        memo_learned = 0;
    }
    qr_buf_free(&e);
    pthread_mutex_unlock(&memo_lock);
}

static void hyphenate_word(para *p, size_t s, size_t t, size_t min_word,
                           bool *locked)
{
    /* too short to hold a run of letters long enough (most words) */
    if (t - s < min_word) return;
    for (size_t k = s; k < t; k++) {
        const pchar *c = &p->ch[k];
        if (p->spans[c->span].flags & (LB_NO_HYPHENATE | LB_HARD_BREAK))
            return;
        uint32_t cp = c->cp;
        if (is_digit(cp) || cp == '@' || cp == '/' || cp == '\\' ||
            cp == '_' || cp == 0x00AD)
            return;
        /* "gov.uk", "http:x": an interior dot or colon means a name */
        if ((cp == '.' || cp == ':') && k + 1 < t &&
            (is_letter(p->ch[k + 1].cp) || is_digit(p->ch[k + 1].cp)))
            return;
    }
    size_t k = s;
    while (k < t) {
        if (!is_letter(p->ch[k].cp)) {
            k++;
            continue;
        }
        size_t a = k;
        int ascii = 1;
        while (k < t && is_letter(p->ch[k].cp)) {
            uint32_t cp = p->ch[k].cp;
            if (!is_ascii_letter(cp)) ascii = 0;
            k++;
        }
        size_t len = k - a;
        if (!ascii || len < min_word || len > HYPH_MAX_WORD) continue;
        /* A capitalised word is a name or a title ("Councillor
         * Mawston", "Middlesbrough"): a reader scanning a list of those
         * present must not meet "Coun-cillor", so, as TeX does with
         * \uchyph=0, it is never split. So are acronyms and their
         * plurals ("LADOs"), and month names, so that a date stays whole
         * (never "31 Au-gust 2025"). */
        if (p->ch[a].cp <= 'Z')
            continue;
        char word[HYPH_MAX_WORD + 1];
        for (size_t i = 0; i < len; i++) {
            uint32_t cp = p->ch[a + i].cp;
            word[i] = (char)(cp <= 'Z' ? cp + ('a' - 'A') : cp);
        }
        word[len] = '\0';
        uint64_t pts = word_points(word, len, locked);
        for (size_t i = HYPH_MIN_LEFT; i + HYPH_MIN_RIGHT <= len; i++)
            if ((pts >> i & 1) && p->bk[a + i] == BK_NONE) p->bk[a + i] = BK_HYPH;
    }
}

/* Whether character k separates space-delimited words. */
static bool between_words(const para *p, size_t k)
{
    /* K_SPACE, K_NBSP, K_NEWLINE: one test */
    return (unsigned)(p->ch[k].kind - K_SPACE) <= K_NEWLINE - K_SPACE;
}

/* The next space-delimited word starting at or after *s: sets [*s, *t)
 * and returns true, or false when there is none. The one notion of a
 * "word" for the passes that judge whole words (hyphenation, codes). */
static inline bool next_word(const para *p, size_t *s, size_t *t)
{
    size_t a = *s, b, n = p->n;
    while (a < n && between_words(p, a)) a++;
    if (a >= n) return false;
    b = a + 1;
    while (b < n && !between_words(p, b)) b++;
    *s = a;
    *t = b;
    return true;
}

static void find_hyphens(para *p, int min_word)
{
    if (!hyph_on) return;
    /* judge whole space-delimited words: "a/b/improvement" is a path even
     * though UAX #14 cuts it after each slash */
    size_t s = 0, t;
    bool locked = false;                /* memo_lock: word_points */
    for (; next_word(p, &s, &t); s = t)
        hyphenate_word(p, s, t,
                       min_word > HYPH_MIN_WORD ? (size_t)min_word
                                                : HYPH_MIN_WORD,
                       &locked);
    if (locked) pthread_mutex_unlock(&memo_lock);
}

/* ---- dates stay whole ----
 *
 * "21 June 2018" is one thing to a reader: a line that ends "on 21" and a
 * next that starts "June 2018" is a defect seen in published papers. UAX #14
 * allows both breaks, so the space between a day (one or two digits) and
 * a month name, and between a month name and a year (four digits), is made
 * unbreakable here. The space is still a space in the text. Table column
 * widths measure a date as one piece too (lb_min_width), so a due column
 * is at least as wide as its longest date. */

static const char *const month_names[] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
    /* the short forms GOV.UK allows where space is short (a due column) */
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
    "Nov", "Dec",
};

static bool is_alnum_cp(uint32_t cp)
{
    return is_letter(cp) || is_digit(cp);
}

/* Whether chars [s, e) are a whole word equal to a month name. */
static bool is_month(const para *p, size_t s, size_t e)
{
    /* most words are no month: not 3 to 9 letters, or no month's initial */
    if (e - s < 3 || e - s > 9 || p->ch[s].cp > 'Z' ||
        !memchr("JFMASOND", (int)p->ch[s].cp, 8))
        return false;
    if ((s > 0 && is_alnum_cp(p->ch[s - 1].cp)) ||
        (e < p->n && is_alnum_cp(p->ch[e].cp)))
        return false;
    for (size_t m = 0; m < sizeof month_names / sizeof *month_names; m++) {
        const char *name = month_names[m];
        size_t len = strlen(name), i = 0;
        if (len != e - s) continue;
        while (i < len && p->ch[s + i].cp == (unsigned char)name[i]) i++;
        if (i == len) return true;
    }
    return false;
}

/* The end of the run of characters of one kind starting at k. */
static size_t run_end(const para *p, size_t k, bool (*is)(uint32_t))
{
    while (k < p->n && is(p->ch[k].cp)) k++;
    return k;
}

static size_t run_start(const para *p, size_t e, bool (*is)(uint32_t))
{
    while (e > 0 && is(p->ch[e - 1].cp)) e--;
    return e;
}

/* The opportunity before char j, after a single space (j >= 2): none when
 * it is inside a date. */
static void keep_date(para *p, size_t j)
{
    size_t e = j - 1;
    size_t ds = run_start(p, e, is_digit);
    /* day, then month */
    if (e - ds >= 1 && e - ds <= 2 && (ds == 0 || !is_alnum_cp(p->ch[ds - 1].cp)) &&
        is_month(p, j, run_end(p, j, is_letter))) {
        p->bk[j] = BK_NONE;
        return;
    }
    /* month, then year (the word before looked at only after a year) */
    size_t ye = run_end(p, j, is_digit);
    if (ye - j == 4 && (ye == p->n || !is_alnum_cp(p->ch[ye].cp)) &&
        is_month(p, run_start(p, e, is_letter), e))
        p->bk[j] = BK_NONE;
}

/* ---- short codes stay whole ----
 *
 * A reference, a year range or an acronym pair ("2025/26", "KPI-3",
 * "ICB/LA") reads as one token: UAX #14 would break it after the slash or
 * hyphen, which in a narrow table column leaves "2025/" above "26". A
 * space-delimited ASCII token (an en dash allowed: "2025–2028") of at
 * most CODE_MAX_CHARS characters that holds a digit or no lower-case
 * letter keeps no break inside. */

#define CODE_MAX_CHARS 12

/* The opportunity before char j is inside a word: none inside it when
 * it is a code. Returns the word's end. */
static size_t keep_code(para *p, size_t j)
{
    size_t s = j - 1, t;
    while (s > 0 && !between_words(p, s - 1)) s--;
    if (!next_word(p, &s, &t)) return j;    /* never: j is in it */
    if (t - s > CODE_MAX_CHARS) return t;
    int ascii = 1, digit = 0, lower = 0;
    for (size_t k = s; k < t; k++) {
        uint32_t cp = p->ch[k].cp;
        if ((cp < 0x21 || cp > 0x7E) && cp != 0x2013) ascii = 0;
        if (is_digit(cp)) digit = 1;
        if (cp >= 'a' && cp <= 'z') lower = 1;
    }
    if (ascii && (digit || !lower))
        for (size_t k = s + 1; k < t; k++)
            if (p->bk[k] == BK_ALLOW) p->bk[k] = BK_NONE;
    return t;
}

/* Dates and codes kept whole, judged at the opportunities UAX #14 gave
 * (a date's after a space, a code's inside a word: never the same),
 * which are few, in one pass. find_breaks set an opportunity only after
 * one of libunibreak's units, so those places are the only ones looked
 * at, in order, not every character (a third as many, for 0.2 M
 * instructions of the benchmark report). */
static void keep_whole(para *p, const uax14 *u)
{
    size_t past = 0;            /* a code's end: nothing before it again */
    for (size_t k = 0; k < u->m; k++) {
        size_t j = u->last[k] + 1;
        if (j >= p->n) break;
        if (j <= past || p->bk[j] != BK_ALLOW) continue;
        if (p->ch[j - 1].kind == K_SPACE) {
            if (j >= 2) keep_date(p, j);
        } else if (!between_words(p, j) && !between_words(p, j - 1)) {
            past = keep_code(p, j);
        }
    }
}

/* ---- candidates ---- */

typedef struct cand {
    size_t end;             /* the line's content ends before this char */
    size_t next;            /* the next line starts at this char */
    double w_end, st_end, sh_end;     /* running sums at `end` */
    double w_next, st_next, sh_next;  /* running sums at `next` */
    float hyph_w;           /* width of a hyphen drawn at the line end */
    int penalty;
    unsigned char flagged;  /* ends in a hyphen (typed or inserted) */
    unsigned char forced;   /* mandatory: hard break or paragraph end */
    unsigned char hyphen;   /* draws an inserted hyphen */
    unsigned char hyph_face;
    uint32_t hyph_span;
} cand;

/* Doubles an array that may still be the caller's buffer on the stack
 * (`stack`), which is copied, not reallocated. Candidates, breaks, total
 * fit's nodes, libunibreak's units and the fragments and their text start
 * on the stack: most paragraphs need no more, and each allocation (with
 * its free) cost about 200 instructions, six or so a paragraph. */
static void *grow_stack(void *v, void *stack, size_t *cap, size_t size)
{
    if (v != stack) {
        *cap *= 2;
        return qr_xrealloc(v, *cap * size);
    }
    void *n = qr_xmalloc(*cap * 2 * size);
    memcpy(n, v, *cap * size);
    *cap *= 2;
    return n;
}

#define STACK_CANDS 64                  /* candidates on the stack */

typedef struct cvec {
    cand *v;
    size_t n, cap;
    cand *stack;            /* v's first storage, not to be freed */
} cvec;

static inline void cvec_push(cvec *cv, const cand *c)
{
    if (cv->n == cv->cap)
        cv->v = grow_stack(cv->v, cv->stack, &cv->cap, sizeof *cv->v);
    cv->v[cv->n++] = *c;
}

typedef struct lbctx {
    para *p;
    const lb_opts *o;
    double L0, L;           /* measure of the first and later lines */
    int justify;
    double ragged_stretch;  /* points */
    unsigned char *nohyph;  /* nohyph[line], line < easy */
    int easy;               /* lines >= easy are all alike */
} lbctx;

static double stretch_of(const lbctx *x, const pchar *c)
{
    return x->justify && (c->kind == K_SPACE || c->kind == K_NBSP)
               ? c->w * JUSTIFY_STRETCH : 0.0;
}

static double shrink_of(const lbctx *x, const pchar *c)
{
    return x->justify && (c->kind == K_SPACE || c->kind == K_NBSP)
               ? c->w * JUSTIFY_SHRINK : 0.0;
}

/* A cluster boundary, roughly: never split a combining mark, variation
 * selector or emoji modifier from its base, nor either side of a ZWJ. */
static bool is_combining(uint32_t cp)
{
    if (cp < 0x0300) return false;                  /* Latin text: at once */
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x0483 && cp <= 0x0489) ||
           (cp >= 0x0591 && cp <= 0x05C7) || (cp >= 0x0610 && cp <= 0x061A) ||
           (cp >= 0x064B && cp <= 0x065F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0x3099 && cp <= 0x309A) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
           (cp >= 0xFE20 && cp <= 0xFE2F) ||
           (cp >= 0x1F3FB && cp <= 0x1F3FF) ||
           (cp >= 0xE0100 && cp <= 0xE01EF);
}

static bool cluster_boundary(const para *p, size_t k)
{
    return !is_combining(p->ch[k].cp) && p->ch[k].kind != K_INVISIBLE &&
           p->ch[k - 1].cp != 0x200D;
}

/* A place inside a piece: where a line may start (pos, with the running
 * sums there) and where the line before it then ends (end: blanks before
 * pos dropped, with the sums there). */
typedef struct mark {
    size_t pos, end;
    double W, ST, SH;
    double eW, eST, eSH;
} mark;

/* The piece [a, e) (plus a hyphen of width hyph_w at its end) is wider
 * than `limit`: cut it greedily so each chunk fits, later chunks against
 * the full measure — after a space where the piece has one (a no-break
 * span), else at a cluster boundary. A cluster wider than the line itself
 * is cut too: nothing may run past the margin. `at` holds the running
 * sums at a, and as its end the last non-blank before a. */
static void emergency_split(const lbctx *x, cvec *cv, size_t e, mark at,
                            double hyph_w, double limit)
{
    const para *p = x->p;
    double W = at.W, ST = at.ST, SH = at.SH;
    mark nb = at;                   /* nb.end: after the last non-blank */
    double cw = 0;                  /* width of the chunk so far */
    size_t cstart = at.pos;
    int seen_text = 0;              /* the chunk has more than blanks */
    mark any = {SIZE_MAX, 0, 0, 0, 0, 0, 0, 0}; /* last cluster boundary */
    mark word = any;                /* last boundary after a space */
    for (size_t k = at.pos; k < e; k++) {
        const pchar *c = &p->ch[k];
        if (k > cstart && seen_text && cluster_boundary(p, k)) {
            mark here = {k, nb.end, W, ST, SH, nb.eW, nb.eST, nb.eSH};
            any = here;
            if (trailing_blank(&p->ch[k - 1]) && !trailing_blank(c))
                word = here;
        }
        double extra = k + 1 == e ? hyph_w : 0;
        if (cw + c->w + extra > limit + FIT_EPS && k > cstart) {
            mark cut = word.pos != SIZE_MAX ? word : any;
            if (cut.pos == SIZE_MAX) {  /* one cluster fills the line */
                mark here = {k, nb.end, W, ST, SH, nb.eW, nb.eST, nb.eSH};
                cut = here;
            }
            cand ec;
            memset(&ec, 0, sizeof ec);
            ec.next = cut.pos;
            ec.w_next = cut.W;
            ec.st_next = cut.ST;
            ec.sh_next = cut.SH;
            ec.end = cut.end;
            ec.w_end = cut.eW;
            ec.st_end = cut.eST;
            ec.sh_end = cut.eSH;
            ec.penalty = KP_EMERGENCY_PENALTY;
            cvec_push(cv, &ec);
            /* measure again from the cut: what follows it may itself be
             * too wide (each character is seen at most twice) */
            cstart = cut.pos;
            any.pos = word.pos = SIZE_MAX;
            limit = x->L;
            seen_text = 0;
            W = cut.W;
            ST = cut.ST;
            SH = cut.SH;
            nb.end = cut.end;
            nb.eW = cut.eW;
            nb.eST = cut.eST;
            nb.eSH = cut.eSH;
            cw = 0;
            k = cut.pos - 1;        /* the loop steps to cut.pos */
            continue;
        }
        cw += c->w;
        W += c->w;
        ST += stretch_of(x, c);
        SH += shrink_of(x, c);
        if (!trailing_blank(c)) {
            seen_text = 1;
            nb.end = k + 1;
            nb.eW = W - c->kern;        /* a line ending here: no kern */
            nb.eST = ST;
            nb.eSH = SH;
        }
    }
}

/* Face, span and width of a hyphen drawn after the last visible character
 * before `j` (not before `from`). */
static void hyphen_after(const lbctx *x, size_t from, size_t j, cand *c)
{
    para *p = x->p;
    size_t k = j;
    while (k > from && p->ch[k - 1].kind != K_TEXT) k--;
    size_t at = k > from ? k - 1 : (j > 0 ? j - 1 : 0);
    const pchar *pc = &p->ch[at];
    const lb_span *s = &p->spans[pc->span];
    qr_font_slot face = (qr_font_slot)pc->face;
    if (!has_glyph(p, face, '-')) map_face(p, valid_slot(s->font), '-', &face);
    c->hyph_face = (unsigned char)face;
    c->hyph_span = pc->span;
    c->hyph_w = advance(p, face, '-') * s->size / EM_UNITS;
    /* drawn in the same item as the character before it: kerned with it */
    if (p->m->kern && face == pc->face && pc->kind == K_TEXT)
        c->hyph_w += kern_pair(p, face, pc->cp, '-') * s->size / EM_UNITS;
    c->hyphen = 1;
    c->flagged = 1;
    c->penalty = KP_HYPHEN_PENALTY;
}

/* build_cands for justified lines or ragged ones (justify, a constant in
 * each copy: ragged lines' stretch and shrink sums stay 0). */
static inline __attribute__((always_inline)) void
build_cands_as(const lbctx *x, cvec *cv, const int justify)
{
    para *p = x->p;
    cand c0;
    memset(&c0, 0, sizeof c0);
    cvec_push(cv, &c0);
    double W = 0, ST = 0, SH = 0;       /* sums over characters [0, j) */
    /* end of the last character that is not blank, and the sums there:
     * blanks at a line end are neither drawn nor measured */
    size_t nb = 0;
    double nST = 0, nSH = 0;
    /* W at nb: the width there, less the kerning of the character before
     * it (a line ending there has none), is worked out at a candidate,
     * not at every character */
    double Wnb = 0;
    /* the previous candidate: where the next line starts, where the
     * line before it ended */
    mark prev = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t prev_next = 0;
    int at_start = 1;
    for (size_t j = 1; j <= p->n; j++) {
        const pchar *last = &p->ch[j - 1];
        W += last->w;
        if (justify) {
            ST += stretch_of(x, last);
            SH += shrink_of(x, last);
        }
        if (!trailing_blank(last)) {
            nb = j;
            Wnb = W;
            nST = ST;
            nSH = SH;
        }
        unsigned char k = p->bk[j];
        if (k == BK_NONE) continue;
        double nW = nb ? Wnb - p->ch[nb - 1].kern : 0;
        cand c;
        memset(&c, 0, sizeof c);
        c.next = j;
        c.w_next = W;
        c.st_next = ST;
        c.sh_next = SH;
        /* after a blank-only stretch (a hard break following spaces) the
         * end can precede the previous candidate's next: an empty line */
        c.end = nb;
        c.w_end = nW;
        c.st_end = nST;
        c.sh_end = nSH;
        c.forced = k == BK_MUST;
        if (k == BK_HYPH || (k == BK_ALLOW && last->cp == 0x00AD)) {
            hyphen_after(x, prev_next, j, &c);
        } else if (k == BK_ALLOW && (last->cp == '-' || last->cp == 0x2010)) {
            c.flagged = 1;
            c.penalty = KP_EXPLICIT_HYPHEN_PENALTY;
        }
        /* nothing since the previous candidate: no new place to end */
        if (!c.forced && nb <= prev_next) continue;
        double avail = at_start ? x->L0 : x->L;
        if (nb > prev_next && nW - prev.W + c.hyph_w > avail + FIT_EPS)
            emergency_split(x, cv, nb, prev, c.hyph_w, avail);
        cvec_push(cv, &c);
        mark here = {j, c.end, W, ST, SH, c.w_end, c.st_end, c.sh_end};
        prev = here;
        prev_next = j;
        at_start = 0;
    }
}

/* The candidate breaks of the paragraph, with their running sums. */
static void build_cands(const lbctx *x, cvec *cv)
{
    if (x->justify) build_cands_as(x, cv, 1);
    else build_cands_as(x, cv, 0);
}

/* ---- choosing breaks ---- */

static bool no_hyph(const lbctx *x, int line)
{
    return line < x->easy && x->nohyph[line];
}

/* Adjustment ratio of the line from candidate a to b, the line'th.
 * Inlined: total fit asks it of every active node at every candidate
 * (80,000 times for the benchmark report), and the call cost a third as
 * much again as the arithmetic. */
static inline __attribute__((always_inline)) double line_ratio(const lbctx *x, const cand *a, const cand *b,
                         int line)
{
    double L = line == 0 ? x->L0 : x->L;
    double w = b->w_end - a->w_next + b->hyph_w;
    if (b->end < a->next) w = 0;        /* an empty line */
    if (w < L - FIT_EPS) {
        if (b->forced) return 0;        /* fill glue: any shortfall is fine */
        double st = x->justify ? b->st_end - a->st_next : x->ragged_stretch;
        return st > 0 ? (L - w) / st : KP_NO_STRETCH_RATIO;
    }
    if (w <= L + FIT_EPS) return 0;
    double sh = x->justify ? b->sh_end - a->sh_next : 0;
    return sh > 0 ? (L - w) / sh : KP_OVERFULL;
}

/* shrinks: the line may be tight (justified lines); a ragged line's
 * ratio here is never below 0. */
static inline int fitness(double r, const int shrinks)
{
    if (shrinks && r < -0.5) return 3;  /* tight */
    if (r <= 0.5) return 2;     /* decent */
    if (r <= 1.0) return 1;     /* loose */
    return 0;                   /* very loose */
}

/* A node of total fit, with what the inner loop reads of it: its
 * candidate's sums, its line's measure, no-hyphen flag and first slot in
 * best[] are copied in when the node is made, so each evaluation reads one
 * record instead of following node -> candidate and working out the line's
 * values again (72,000 evaluations for the benchmark report). The active
 * list holds node indices, so dropping the oldest nodes moves one word
 * each, not a record. The ratio is line_ratio's arithmetic, and the
 * demerits are computed as they were, in the same order, so the chosen
 * breaks are the same to the bit. */
typedef struct kpnode {
    double wn, stn, shn;    /* the candidate's running sums at `next` */
    double Lm, Lp, L;       /* measure - FIT_EPS, + FIT_EPS, measure */
    double total;
    size_t next;            /* the candidate's `next` */
    size_t cand, prev;      /* prev: node index, SIZE_MAX for the root */
    size_t slot0;           /* best[] slot of the next line, fitness 0 */
    int line;               /* index of the line that starts here */
    int fit;
    unsigned adj;           /* bit f: fitness class f is more than one
                               class from fit (adjacency demerits) */
    unsigned char flagged, nohyph;
} kpnode;

typedef struct kpbest {
    double total;
    size_t from;            /* node */
    int line;
    int used;
} kpbest;

#define STACK_BREAKS 64                 /* chosen breaks on the stack */

typedef struct svec {
    size_t *v;
    size_t n, cap;
    size_t *stack;          /* v's first storage, not to be freed */
} svec;

static void svec_push(svec *s, size_t x)
{
    if (s->n == s->cap) s->v = grow_stack(s->v, s->stack, &s->cap, sizeof *s->v);
    s->v[s->n++] = x;
}

static void kpnode_set(const lbctx *x, kpnode *a, const cvec *cv, size_t ci,
                       size_t prev, int line, int fit, double total)
{
    const cand *ca = &cv->v[ci];
    double L = line == 0 ? x->L0 : x->L;
    int key = line + 1 < x->easy ? line + 1 : x->easy;
    a->wn = ca->w_next;
    a->stn = ca->st_next;
    a->shn = ca->sh_next;
    a->L = L;
    a->Lm = L - FIT_EPS;
    a->Lp = L + FIT_EPS;
    a->total = total;
    a->next = ca->next;
    a->cand = ci;
    a->prev = prev;
    a->slot0 = (size_t)key * KP_FITNESS_CLASSES;
    a->line = line;
    a->fit = fit;
    /* classes 2 and 3 are far from 0, 3 from 1, 0 from 2, 0 and 1 from 3 */
    static const unsigned char far[KP_FITNESS_CLASSES] = {0xC, 0x8, 0x1, 0x3};
    a->adj = far[fit];
    a->flagged = ca->flagged;
    a->nohyph = no_hyph(x, line);
}

/* kp_run for justified lines or ragged ones (justify, a constant in
 * each copy). */
static inline __attribute__((always_inline)) bool
kp_run_as(const lbctx *x, const cvec *cv, double tol, svec *br,
          const int justify)
{
    const cand *c = cv->v;
    size_t nc = cv->n;
    /* most paragraphs fit in these: four allocations fewer a paragraph */
    kpnode nodes_buf[KP_STACK_NODES];
    size_t act_buf[KP_STACK_NODES];
    kpbest best_buf[KP_STACK_SLOTS];
    size_t touched_buf[KP_STACK_SLOTS];
    kpnode *nodes = nodes_buf;
    size_t nn = 0, ncap = KP_STACK_NODES;
    size_t *actv = act_buf;
    size_t na = 0, acap = KP_STACK_NODES;
    size_t nslots = ((size_t)x->easy + 1) * KP_FITNESS_CLASSES;
    kpbest *best = best_buf;
    /* each slot is touched at most once a candidate */
    size_t *touched = touched_buf;
    if (nslots > KP_STACK_SLOTS) {
        best = qr_xmalloc(nslots * sizeof *best);
        touched = qr_xmalloc(nslots * sizeof *touched);
    }
    memset(best, 0, nslots * sizeof *best);
    size_t nt;
    bool ok = false;
    const double ragged = x->ragged_stretch;

    kpnode_set(x, &nodes[nn++], cv, 0, SIZE_MAX, 0, 2, 0.0);
    actv[na++] = 0;

    for (size_t ib = 1; ib < nc; ib++) {
        const cand *b = &c[ib];
        int b_last = ib + 1 == nc;
        const double bw = b->w_end, bst = b->st_end, bsh = b->sh_end;
        const double bh = b->hyph_w;
        const size_t bend = b->end;
        const int forced = b->forced, bflag = b->flagged;
        /* demerits' terms that depend on b alone */
        const int pos = b->penalty >= 0;
        const double pen = b->penalty;
        const double pen2 = (double)b->penalty * b->penalty;
        /* a forced break's demerits are base * base: base + 0.0 is base
         * (base >= 1, or NaN) */
        const int negpen = !forced && !pos;
        const double penf = forced ? 0.0 : pen;
        size_t keep = 0;
        nt = 0;
        for (size_t i = 0; i < na; i++) {
            size_t ai = actv[i];
            const kpnode *a = &nodes[ai];
            double r;
            double w = bw - a->wn + bh;
            if (bend < a->next) w = 0;  /* an empty line */
            if (w < a->Lm) {
                if (forced) r = 0;      /* fill glue: any shortfall is fine */
                else {
                    double st = justify ? bst - a->stn : ragged;
                    r = st > 0 ? (a->L - w) / st : KP_NO_STRETCH_RATIO;
                }
            } else if (w <= a->Lp) {
                r = 0;
            } else {
                double sh = justify ? bsh - a->shn : 0;
                r = sh > 0 ? (a->L - w) / sh : KP_OVERFULL;
            }
            int drop = forced;
            if (r < -1.0 - 1e-9) {
                /* later candidates only make this line longer; a hyphen
                 * point is skipped because its own hyphen may be what
                 * overflows */
                if (bh <= 0) drop = 1;
            } else if (r <= tol && !(bflag && a->nohyph)) {
                /* a ragged line is underfull or fits (r >= 0): an
                 * overfull one (no shrink) was dropped above */
                int fit = fitness(r, justify);
                /* the demerits: the badness, b's penalty, hyphens */
                double bad = 100.0 * (justify ? fabs(r) : r) * r * r;
                double base = KP_LINE_DEMERIT + bad;
                double d;
                if (negpen) d = base * base - pen2;
                else d = (base + penf) * (base + penf);
                if (a->flagged) {
                    if (bflag) d += KP_DOUBLE_HYPHEN_DEMERITS;
                    if (b_last) d += KP_FINAL_HYPHEN_DEMERITS;
                }
                if (a->adj >> fit & 1) d += KP_ADJ_DEMERITS;
                double total = a->total + d;
                size_t slot = a->slot0 + (size_t)fit;
                kpbest *bs = &best[slot];
                if (!bs->used || total < bs->total) {
                    if (!bs->used) touched[nt++] = slot;
                    bs->used = 1;
                    bs->total = total;
                    bs->from = ai;
                    bs->line = a->line + 1;
                }
            }
            if (!drop) actv[keep++] = ai;
        }
        na = keep;
        /* a row's least total (the slots touched are mostly of one row,
         * and that of the slot itself is one of those compared) */
        size_t row = SIZE_MAX;
        double kmin = 0;
        for (size_t t = 0; t < nt; t++) {
            size_t slot = touched[t];
            size_t k0 = slot - slot % KP_FITNESS_CLASSES;
            if (k0 != row) {
                row = k0;
                kmin = best[slot].total;
                for (size_t f = 0; f < KP_FITNESS_CLASSES; f++)
                    if (best[k0 + f].used && best[k0 + f].total < kmin)
                        kmin = best[k0 + f].total;
            }
            /* a node worse than its class's best by more than the
             * adjacency demerits can never win */
            if (best[slot].total > kmin + KP_ADJ_DEMERITS) continue;
            if (nn == ncap) nodes = grow_stack(nodes, nodes_buf, &ncap,
                                            sizeof *nodes);
            kpnode_set(x, &nodes[nn], cv, ib, best[slot].from,
                       best[slot].line, (int)(slot % KP_FITNESS_CLASSES),
                       best[slot].total);
            if (na == acap) actv = grow_stack(actv, act_buf, &acap,
                                           sizeof *actv);
            actv[na++] = nn++;
        }
        for (size_t t = 0; t < nt; t++) best[touched[t]].used = 0;
        if (na > KP_MAX_ACTIVE) {
            /* keep the newest: the oldest would make the longest lines */
            memmove(actv, actv + (na - KP_MAX_ACTIVE),
                    KP_MAX_ACTIVE * sizeof *actv);
            na = KP_MAX_ACTIVE;
        }
        if (na == 0) goto done;
    }
    /* every surviving node sits on the final (forced) candidate */
    size_t bi = actv[0];
    for (size_t i = 1; i < na; i++)
        if (nodes[actv[i]].total < nodes[bi].total) bi = actv[i];
    br->n = 0;
    for (size_t ni = bi; ni != SIZE_MAX; ni = nodes[ni].prev)
        svec_push(br, nodes[ni].cand);
    for (size_t i = 0, j = br->n - 1; i < j; i++, j--) {
        size_t t = br->v[i];
        br->v[i] = br->v[j];
        br->v[j] = t;
    }
    ok = true;
done:
    if (nodes != nodes_buf) free(nodes);
    if (actv != act_buf) free(actv);
    if (best != best_buf) {
        free(touched);
        free(best);
    }
    return ok;
}

/* Knuth–Plass over the candidates with maximum ratio `tol`. On success
 * fills br with candidate indices (0 first, the last candidate last) and
 * returns true; false when no feasible set exists within tol. The inner
 * loop is made twice, for justified and for ragged lines, each without
 * the other's tests: 8 M instructions of the x10 report's 485 M. */
static bool kp_run(const lbctx *x, const cvec *cv, double tol, svec *br)
{
    return x->justify ? kp_run_as(x, cv, tol, br, 1)
                      : kp_run_as(x, cv, tol, br, 0);
}

/* Total fit's answer for a paragraph that fits on its first line, found
 * without running it: 220 of the benchmark report's 355 paragraphs (headings,
 * table cells, list items) are such, and kp_run weighed every later line
 * of each against the others. The proof, on kp_run's own terms:
 *  - the node at the start (the root) stays active to the last candidate:
 *    no candidate before it is forced, each line from the start that may
 *    drop it (one not ending in a hyphen) is at most the measure (ratio
 *    0 or more, never overfull), and fewer nodes can be made before the
 *    last candidate than the cap on active nodes, so none is dropped as
 *    the oldest;
 *  - the line from the root to the last candidate (forced, never flagged:
 *    it is the paragraph's end) is at most the measure, so its ratio is 0,
 *    within any tolerance, of fitness class 2 as the root's, and its
 *    demerits (1 + 0)^2 = 1: a total of 1;
 *  - every line's demerits are at least 1 (no penalty is negative), so any
 *    other way to the end, two lines or more, totals at least 2 (or NaN,
 *    which never compares less), and the root, first in the active list,
 *    takes its slot first; the node made there is first among the last
 *    ones and none is less.
 * So the breaks are the start and the end, as kp_run would give them. */
static bool kp_one_line(const lbctx *x, const cvec *cv, svec *br)
{
    const cand *c = cv->v;
    size_t nc = cv->n;
    size_t nslots = ((size_t)x->easy + 1) * KP_FITNESS_CLASSES;
    /* each candidate makes at most one node per slot */
    if (nc < 2 || (nc - 2) * nslots + 1 > KP_MAX_ACTIVE) return false;
    /* kp_run's arithmetic for the root's line, in its order */
    const double wn = c[0].w_next, Lp = x->L0 + FIT_EPS;
    for (size_t ib = 1; ib < nc; ib++) {
        const cand *b = &c[ib];
        if (b->forced != (ib + 1 == nc)) return false;
        /* a hyphen point does not drop the root, however long its line */
        if (ib + 1 < nc && !(b->hyph_w <= 0)) continue;
        if (!(b->w_end - wn + b->hyph_w <= Lp)) return false;
    }
    br->n = 0;
    svec_push(br, 0);
    svec_push(br, nc - 1);
    return true;
}

/* First fit: each line takes the furthest candidate that fits. */
static void greedy_run(const lbctx *x, const cvec *cv, svec *br)
{
    const cand *c = cv->v;
    size_t nc = cv->n;
    br->n = 0;
    svec_push(br, 0);
    size_t start = 0;
    int line = 0;
    while (start + 1 < nc) {
        size_t pick = SIZE_MAX;         /* furthest break without a new hyphen */
        size_t pick_hy = SIZE_MAX;      /* furthest inserted hyphen allowed */
        size_t pick_banned = SIZE_MAX;  /* furthest hyphen this line forbids */
        double r_pick = 0;
        for (size_t ib = start + 1; ib < nc; ib++) {
            const cand *b = &c[ib];
            double r = line_ratio(x, &c[start], b, line);
            if (r >= -1.0 - 1e-9) {
                if (b->flagged && no_hyph(x, line)) {
                    pick_banned = ib;
                } else if (b->hyphen) {
                    pick_hy = ib;
                } else {
                    pick = ib;
                    r_pick = r;
                }
            } else if (b->hyph_w <= 0) {
                break;
            }
            if (b->forced) break;
        }
        /* hyphenate only to close a gap wider than the hyphenation zone */
        if (pick_hy != SIZE_MAX &&
            (pick == SIZE_MAX ||
             (pick_hy > pick && r_pick > GREEDY_HYPHEN_RATIO)))
            pick = pick_hy;
        /* a line that may not end in a hyphen but holds only part of one
         * word keeps the hyphen: better than a word cut without one */
        if (pick == SIZE_MAX) pick = pick_banned;
        /* nothing fits: a single cluster wider than the measure */
        if (pick == SIZE_MAX) pick = start + 1;
        svec_push(br, pick);
        start = pick;
        line++;
    }
}

/* ---- building lines ---- */

/* The lines, then their fragments, then the fragments' text (each
 * NUL-terminated), in one allocation (lines), made when the paragraph
 * is set. An arena cost more: its first 64 KB chunk for each paragraph
 * took 0.5 K instructions to allocate and as many to free, 0.35 M for
 * the benchmark report's 355 paragraphs. */
struct lb_result {
    lb_line *lines;
    size_t nlines;
};

#define STACK_FRAGS 64                  /* fragments on the stack */
#define STACK_FRAG_TEXT 2048            /* their text's bytes on the stack */

typedef struct fvec {
    lb_frag *v;
    size_t n, cap;
    lb_frag *stack;         /* v's first storage, not to be freed */
} fvec;

/* The text of the paragraph's fragments so far, each NUL-terminated. */
typedef struct tvec {
    char *v;
    size_t n, cap;
    char *stack;            /* v's first storage, not to be freed */
} tvec;

typedef struct fbuild {
    fvec frags;             /* the paragraph's fragments, line by line */
    tvec out;               /* their text, in the same order */
    qr_buf text;
    int open;
    unsigned char face;
    uint32_t span;
    double x, w;
    /* characters [ks, ke) of the paragraph are the fragment's text after
     * what `text` holds: copied once, when the fragment is closed, or
     * into `text` when something not next to them is added */
    size_t ks, ke;
} fbuild;

/* The paragraph's bytes of characters [ks, ke). */
static const char *chars_text(const para *p, size_t ks, size_t ke,
                              size_t *len)
{
    size_t a = p->ch[ks].off, b = ke < p->n ? p->ch[ke].off : p->text.len;
    *len = b - a;
    return p->text.data + a;
}

static void frag_flush(fbuild *fb, const para *p)
{
    if (fb->ks == fb->ke) return;
    size_t n;
    const char *t = chars_text(p, fb->ks, fb->ke, &n);
    qr_buf_append(&fb->text, t, n);
    fb->ks = fb->ke;
}

static bool same_look(const lb_span *a, const lb_span *b)
{
    if (a == b) return true;
    if (a->size != b->size || a->color.r != b->color.r ||
        a->color.g != b->color.g || a->color.b != b->color.b ||
        a->link != b->link || (a->flags & LB_STRIKE) != (b->flags & LB_STRIKE))
        return false;
    if (!a->url || !b->url) return a->url == b->url;
    return strcmp(a->url, b->url) == 0;
}

/* The text t[0, n) and a NUL at the end of fb->out. */
static void frag_text(fbuild *fb, const char *t, size_t n)
{
    tvec *o = &fb->out;
    while (o->cap - o->n < n + 1)
        o->v = grow_stack(o->v, o->stack, &o->cap, 1);
    if (n) memcpy(o->v + o->n, t, n);
    o->v[o->n + n] = '\0';
    o->n += n + 1;
}

static void frag_close(fbuild *fb, const para *p)
{
    if (!fb->open) return;
    fb->open = 0;
    fvec *fv = &fb->frags;
    if (fv->n == fv->cap)
        fv->v = grow_stack(fv->v, fv->stack, &fv->cap, sizeof *fv->v);
    const lb_span *s = &p->spans[fb->span];
    lb_frag *f = &fb->frags.v[fb->frags.n++];
    f->x = (float)fb->x;
    f->w = (float)fb->w;
    f->font = (qr_font_slot)fb->face;
    f->size = s->size;
    f->color = s->color;
    f->url = s->url;
    f->link = s->link;
    f->strike = (s->flags & LB_STRIKE) != 0;
    if (fb->text.len == 0 && fb->ks < fb->ke) {
        /* all of it characters side by side: straight from the paragraph */
        const char *t = chars_text(p, fb->ks, fb->ke, &f->len);
        frag_text(fb, t, f->len);
        f->text = NULL;                 /* build_lines points it at out */
        return;
    }
    frag_flush(fb, p);
    frag_text(fb, fb->text.data, fb->text.len);
    f->text = NULL;
    f->len = fb->text.len;
}

/* Start appending to the fragment being built, opening a new one at x
 * when the look changes. */
static inline __attribute__((always_inline)) void
frag_to(fbuild *fb, const para *p, unsigned char face,
        uint32_t span, double x)
{
    if (fb->open && (fb->face != face ||
                     (fb->span != span &&
                      !same_look(&p->spans[fb->span], &p->spans[span]))))
        frag_close(fb, p);
    if (!fb->open) {
        fb->open = 1;
        fb->face = face;
        fb->span = span;
        fb->x = x;
        fb->w = 0;
        fb->text.len = 0;
        fb->ks = fb->ke = 0;
    }
}

/* Append character k, of advance w, to the fragment being built.
 * Inlined: it is called for every character of every line, and as a call
 * it cost more than its work. */
static inline __attribute__((always_inline)) void
frag_add_char(fbuild *fb, const para *p, size_t k, double x, double w)
{
    const pchar *ch = &p->ch[k];
    frag_to(fb, p, ch->face, ch->span, x);
    if (k != fb->ke) {
        frag_flush(fb, p);
        fb->ks = k;
    }
    fb->ke = k + 1;
    fb->w += w;
}

/* Append text not in the paragraph (an inserted hyphen). */
static void frag_add(fbuild *fb, const para *p, unsigned char face,
                     uint32_t span, double x, const char *s, size_t n,
                     double w)
{
    frag_to(fb, p, face, span, x);
    frag_flush(fb, p);
    qr_buf_append(&fb->text, s, n);
    fb->w += w;
}

typedef struct vcache {
    int have[QR_FONT_COUNT];
    float asc[QR_FONT_COUNT], desc[QR_FONT_COUNT];
} vcache;

static void vmetrics(const para *p, vcache *vc, qr_font_slot slot,
                     float size, float *asc, float *desc)
{
    if (!vc->have[slot]) {
        float a = 0, d = 0;
        if (p->m->vmetrics) p->m->vmetrics(p->m->ctx, slot, &a, &d);
        vc->asc[slot] = a;
        vc->desc[slot] = d;
        vc->have[slot] = 1;
    }
    *asc = vc->asc[slot] * size / EM_UNITS;
    *desc = vc->desc[slot] * size / EM_UNITS;
}

static void build_lines(const lbctx *x, const cvec *cv, const svec *br,
                        lb_result *res)
{
    const para *p = x->p;
    const cand *c = cv->v;
    fbuild fb;
    memset(&fb, 0, sizeof fb);
    qr_buf_init(&fb.text);
    lb_frag frag_buf[STACK_FRAGS];
    fb.frags.v = fb.frags.stack = frag_buf;
    fb.frags.cap = STACK_FRAGS;
    char text_buf[STACK_FRAG_TEXT];
    fb.out.v = fb.out.stack = text_buf;
    fb.out.cap = STACK_FRAG_TEXT;
    vcache vc;
    memset(&vc, 0, sizeof vc);

    /* the lines here, their fragments' pointers set when all are made */
    size_t nlines = br->n - 1;
    lb_line line_buf[16];
    lb_line *lines = nlines <= sizeof line_buf / sizeof *line_buf
                         ? line_buf : qr_xmalloc(nlines * sizeof *lines);
    for (size_t i = 0; i + 1 < br->n; i++) {
        const cand *a = &c[br->v[i]], *b = &c[br->v[i + 1]];
        size_t s = a->next, e = b->end;
        double indent = i == 0 ? x->o->first_indent : 0;
        double L = i == 0 ? x->L0 : x->L;
        double w = b->w_end - a->w_next + b->hyph_w;
        double st = b->st_end - a->st_next, sh = b->sh_end - a->sh_next;
        if (e < s) w = st = sh = 0;     /* an empty line */
        /* extra space per unit of a space's stretch (or shrink) */
        double factor = 0;
        int shrinking = 0;
        if (x->justify) {
            if (!b->forced && w < L && st > 0) {
                factor = (L - w) / st;
            } else if (w > L && sh > 0) {
                /* any line, the last included, shrinks rather than runs
                 * past the margin */
                factor = (L - w) / sh;
                if (factor < -1) factor = -1;
                shrinking = 1;
            }
        }
        double xpos = indent;
        size_t f0 = fb.frags.n;         /* the line's first fragment */
        fb.open = 0;
        for (size_t k = s; k < e; k++) {
            const pchar *ch = &p->ch[k];
            if (ch->kind == K_NEWLINE || ch->kind == K_INVISIBLE) continue;
            if (x->justify && (ch->kind == K_SPACE || ch->kind == K_NBSP)) {
                /* each word is its own fragment; spaces are gaps */
                frag_close(&fb, p);
                double adj = shrinking ? shrink_of(x, ch) : stretch_of(x, ch);
                xpos += ch->w + adj * factor;
                continue;
            }
            /* the line's last character is not kerned with the next */
            double cw = k + 1 == e ? ch->w - ch->kern : ch->w;
            frag_add_char(&fb, p, k, xpos, cw);
            xpos += cw;
        }
        if (b->hyphen) {
            /* U+00AD SOFT HYPHEN in the text, drawn with the '-' glyph
             * measured above (pdf.c): copied text, search and screen
             * readers get the whole word (ISO 14289-1 §7.2) */
            frag_add(&fb, p, b->hyph_face, b->hyph_span, xpos,
                     SOFT_HYPHEN_UTF8, sizeof SOFT_HYPHEN_UTF8 - 1,
                     b->hyph_w);
            xpos += b->hyph_w;
        }
        frag_close(&fb, p);

        lb_line *ln = &lines[i];
        const lb_frag *fr = fb.frags.v + f0;
        ln->frags = NULL;
        ln->nfrags = fb.frags.n - f0;
        ln->width = (float)(xpos - indent);
        ln->hyphenated = b->hyphen;
        float asc = 0, desc = 0;
        for (size_t f = 0; f < ln->nfrags; f++) {
            float fa, fd;
            vmetrics(p, &vc, fr[f].font, fr[f].size, &fa, &fd);
            if (fa > asc) asc = fa;
            if (fd < desc) desc = fd;
        }
        if (ln->nfrags == 0) {
            /* an empty line (between hard breaks) still has a height */
            size_t k = s < p->n ? s : p->n - 1;
            const lb_span *sp = &p->spans[p->ch[k].span];
            vmetrics(p, &vc, valid_slot(sp->font), sp->size, &asc, &desc);
        }
        ln->ascent = asc;
        ln->descent = desc;
    }
    /* lines, fragments, text: one allocation, the pointers into it */
    size_t nf = fb.frags.n;
    char *mem = qr_xmalloc(nlines * sizeof *lines + nf * sizeof(lb_frag) +
                           fb.out.n);
    lb_line *rl = (lb_line *)mem;
    lb_frag *rf = (lb_frag *)(rl + nlines);
    char *rt = (char *)(rf + nf);
    memcpy(rl, lines, nlines * sizeof *lines);
    if (nf) memcpy(rf, fb.frags.v, nf * sizeof *rf);
    if (fb.out.n) memcpy(rt, fb.out.v, fb.out.n);
    for (size_t i = 0, f = 0; i < nlines; f += rl[i].nfrags, i++)
        rl[i].frags = rf + f;
    for (size_t f = 0, at = 0; f < nf; at += rf[f].len + 1, f++)
        rf[f].text = rt + at;
    res->lines = rl;
    res->nlines = nlines;
    if (lines != line_buf) free(lines);
    if (fb.out.v != text_buf) free(fb.out.v);
    if (fb.frags.v != frag_buf) free(fb.frags.v);
    qr_buf_free(&fb.text);
}

/* ---- public ---- */

static void para_init(para *p, const lb_span *spans, size_t nspans,
                      const qr_metrics *m, int cache, lb_glyphs *g)
{
    memset(p, 0, sizeof *p);
    p->spans = spans;
    p->nspans = nspans;
    p->m = m;
    qr_buf_init(&p->text);
    if (cache && g && g->m == m) {
        p->gc = &g->gc;
    } else if (cache) {
        p->gc = qr_xmalloc(sizeof *p->gc);
        memset(p->gc->ready, 0, sizeof p->gc->ready);
        p->own_gc = 1;
    }
}

lb_glyphs *lb_glyphs_new(const qr_metrics *m)
{
    lb_glyphs *g = qr_xmalloc(sizeof *g);
    g->m = m;
    memset(g->gc.ready, 0, sizeof g->gc.ready);
    return g;
}

void lb_glyphs_free(lb_glyphs *g)
{
    if (g) gc_free(&g->gc);
    free(g);
}

static void para_free(para *p)
{
    qr_buf_free(&p->text);
    free(p->ch);
    free(p->bk);
    free(p->miss);
    lb_seen_clear(&p->own);
    if (p->own_gc) {
        gc_free(p->gc);
        free(p->gc);
    }
}

static void break_para(para *pp, const lb_opts *opts, lb_result *res);

lb_result *lb_break(const lb_span *spans, size_t nspans, const lb_opts *opts,
                    const qr_metrics *m, qr_diags *d)
{
    lb_init();
    lb_result *res = qr_xcalloc(1, sizeof *res);
    if (!m || !opts || (!spans && nspans)) return res;

    para p;
    para_init(&p, spans, nspans, m, 1, opts->glyphs);
    flatten(&p, opts, d);
    if (p.n == 0) {
        para_free(&p);
        return res;                     /* no text: no lines */
    }
    find_breaks(&p);
    break_para(&p, opts, res);
    para_free(&p);
    return res;
}

/* The rest of lb_break, on a paragraph flattened and marked with its
 * break opportunities. */
static void break_para(para *pp, const lb_opts *opts, lb_result *res)
{
    para p = *pp;
    const lb_span *spans = p.spans;
    size_t nspans = p.nspans;
    if (opts->hyphenate) find_hyphens(&p, opts->hyph_min_word);

    lbctx x;
    memset(&x, 0, sizeof x);
    x.p = &p;
    x.o = opts;
    x.L = opts->width;
    x.L0 = opts->width - opts->first_indent;
    x.justify = opts->align == QR_ALIGN_JUSTIFY;
    /* the rag is measured in ems of the first sized text span */
    float base_size = 0;
    for (size_t i = 0; i < nspans && base_size <= 0; i++)
        if (!(spans[i].flags & LB_HARD_BREAK) && spans[i].len)
            base_size = spans[i].size;
    x.ragged_stretch = RAGGED_STRETCH_EM * (base_size > 0 ? base_size : 0);

    cand cand_buf[STACK_CANDS];
    cvec cv = {cand_buf, 0, STACK_CANDS, cand_buf};
    build_cands(&x, &cv);

    /* lines listed in no_hyphen_lines are special; all later ones alike */
    x.easy = 1;
    for (size_t i = 0; opts->no_hyphen_lines && i < opts->n_no_hyphen_lines;
         i++) {
        int l = opts->no_hyphen_lines[i];
        if (l >= 0 && (size_t)l < cv.n && l + 1 > x.easy) x.easy = l + 1;
    }
    /* mostly one line (easy = 1): on the stack */
    unsigned char nohyph_buf[64];
    x.nohyph = x.easy <= (int)sizeof nohyph_buf
                   ? memset(nohyph_buf, 0, (size_t)x.easy)
                   : qr_xcalloc((size_t)x.easy, 1);
    for (size_t i = 0; opts->no_hyphen_lines && i < opts->n_no_hyphen_lines;
         i++) {
        int l = opts->no_hyphen_lines[i];
        if (l >= 0 && l < x.easy) x.nohyph[l] = 1;
    }

    size_t br_buf[STACK_BREAKS];
    svec br = {br_buf, 0, STACK_BREAKS, br_buf};
    int ok = 0;
    if (opts->breaking != QR_BREAK_GREEDY) {
        ok = kp_one_line(&x, &cv, &br);
        if (!ok && x.justify) ok = kp_run(&x, &cv, KP_FIRST_TOLERANCE, &br);
        if (!ok) ok = kp_run(&x, &cv, INFINITY, &br);
    }
    if (!ok) greedy_run(&x, &cv, &br);
    build_lines(&x, &cv, &br, res);

    if (br.v != br_buf) free(br.v);
    if (cv.v != cand_buf) free(cv.v);
    if (x.nohyph != nohyph_buf) free(x.nohyph);
    *pp = p;
}

void lb_result_free(lb_result *r)
{
    if (!r) return;
    free(r->lines);
    free(r);
}

size_t lb_nlines(const lb_result *r)
{
    return r ? r->nlines : 0;
}

const lb_line *lb_get_line(const lb_result *r, size_t i)
{
    return r && i < r->nlines ? &r->lines[i] : NULL;
}

float lb_measure(const char *text, size_t len, qr_font_slot font, float size,
                 const qr_metrics *m)
{
    return lb_measure_g(text, len, font, size, m, NULL);
}

float lb_measure_g(const char *text, size_t len, qr_font_slot font,
                   float size, const qr_metrics *m, lb_glyphs *g)
{
    if (!text || !m) return 0;
    para p;
    /* the document's cache when it has one for m; none of its own, which
     * would cost more to set up than a short text asks */
    para_init(&p, NULL, 0, m, g && g->m == m, g);
    qr_font_slot want = valid_slot(font);
    if (p.gc) gc_ready(p.gc, want);
    double w = 0;
    size_t i = 0;
    uint32_t prev = 0;                  /* the last visible character */
    int prev_face = -1;
    while (i < len) {
        uint32_t cp = (unsigned char)text[i];
        int k = 1;
        if (cp >= 0x80) {
            k = qr_utf8_decode(text + i, len - i, &cp);
            if (k == 0) k = 1;
        }
        i += (size_t)k;
        if (cp == '\t') cp = ' ';
        unsigned char kind = classify(cp);
        if (kind == K_NEWLINE || kind == K_INVISIBLE) continue;
        qr_font_slot face;
        float adv;
        /* printable ASCII from the slot's row, as flatten does */
        unsigned char f = p.gc && cp >= ' ' && cp < 0x7F
                              ? p.gc->aface[want][cp] : ASCII_MISSING;
        if (f == 0) f = ascii_face(&p, want, cp);
        if (f != ASCII_MISSING) {
            face = (qr_font_slot)(f - 1);
            adv = p.gc->aadv[want][cp];
        } else {
            int found = map_face(&p, want, cp, &face);
            adv = advance(&p, face, cp);
            if (!found && adv <= 0) adv = NOTDEF_ADVANCE;
        }
        if (kind != K_TEXT) {
            prev_face = -1;
        } else {
            if (m->kern && prev_face == (int)face)
                adv += kern_pair(&p, face, prev, cp);
            prev = cp;
            prev_face = (int)face;
        }
        w += adv * size / EM_UNITS;
    }
    return (float)w;
}

static float para_min_width(const para *pp);

float lb_min_width(const lb_span *spans, size_t nspans, const qr_metrics *m)
{
    if (!m || !spans) return 0;
    lb_init();
    para p;
    para_init(&p, spans, nspans, m, 1, NULL);
    flatten(&p, NULL, NULL);
    find_breaks(&p);
    float w = para_min_width(&p);
    para_free(&p);
    return w;
}

/* A table cell is measured (lb_min_width) and later broken (lb_break):
 * flattening, kerning and finding its break opportunities once serves
 * both, where doing them twice cost 2.9 M instructions of the benchmark
 * report's 80 M. */
struct lb_prep {
    para p;
};

lb_prep *lb_prepare(const lb_span *spans, size_t nspans, const qr_metrics *m,
                    lb_glyphs *g)
{
    if (!m || !spans) return NULL;
    lb_init();
    lb_prep *pr = qr_xmalloc(sizeof *pr);
    para_init(&pr->p, spans, nspans, m, 1, g);
    pr->p.defer = 1;
    flatten(&pr->p, NULL, NULL);
    find_breaks(&pr->p);
    return pr;
}

float lb_prep_min_width(const lb_prep *pr)
{
    return pr ? para_min_width(&pr->p) : 0;
}

lb_result *lb_break_prep(lb_prep *pr, const lb_opts *opts, qr_diags *d)
{
    lb_result *res = qr_xcalloc(1, sizeof *res);
    if (!opts) return res;
    /* the warnings lb_break would have given while flattening, in order */
    para *p = &pr->p;
    for (size_t i = 0; i < p->nmiss; i++)
        warn_missing(p, p->miss[i].cp, (qr_font_slot)p->miss[i].want,
                     p->miss[i].line, opts, d);
    p->nmiss = 0;
    if (p->n == 0) return res;          /* no text: no lines */
    break_para(p, opts, res);
    return res;
}

void lb_prep_free(lb_prep *pr)
{
    if (!pr) return;
    para_free(&pr->p);
    free(pr);
}

static float para_min_width(const para *pp)
{
    const para p = *pp;
    double best = 0, W = 0, seg_w = 0;
    size_t seg = 0;
    size_t nb = 0;                      /* end of the last non-blank */
    double nW = 0;
    for (size_t j = 1; j <= p.n; j++) {
        W += p.ch[j - 1].w;
        if (!trailing_blank(&p.ch[j - 1])) {
            nb = j;
            nW = W - p.ch[j - 1].kern;
        }
        if (p.bk[j] == BK_NONE) continue;
        if (nb > seg && nW - seg_w > best) best = nW - seg_w;
        seg = j;
        seg_w = W;
    }
    return (float)best;
}
