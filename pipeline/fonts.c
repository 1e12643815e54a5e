/* fonts.c — font resolution and metrics for layout.
 *
 * Stage: between style and layout (and read again by the pdf stage).
 * In:  the house style's family names (body, mono, fallback).
 * Out: a qr_fonts set — one TrueType face per slot, resolved through
 *      fontconfig, measured with HarfBuzz from the font file itself.
 * Governing spec: fontconfig's matching rules (so "Arial" gets the
 *      metric-compatible Liberation Sans) and the TrueType hmtx table. Widths
 *      are truncated to integer 1/1000 em exactly as libharu computes its /W
 *      entries and text widths, so what layout measures is what the PDF draws.
 *      Kerning comes from shaping each pair of characters with HarfBuzz
 *      (GPOS or 'kern', kerning on, every ligature off: the PDF shows one
 *      glyph per character), rounded to integer 1/1000 em.
 *
 * A qr_fonts fills its advance cache lazily, so one set must not be measured
 * from two threads at once: parallel builds load one set per worker.
 */
#include "quire/fonts.h"
#include "quire/cache.h"
#include "quire/util.h"
#include "fontlib.h"
#include "pdf_int.h"

#include <limits.h>
#include <math.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define EM_UNITS 1000           /* metrics are in 1/1000 em */
#define BMP_SIZE 0x10000        /* advance cache covers the BMP */
#define ADV_BLOCK 256
#define ADV_BLOCKS (BMP_SIZE / ADV_BLOCK)
#define ADV_MISSING (-2.0f)     /* the face has no glyph for the code point */
#define FAKE_ASCENT 800.0f
#define FAKE_DESCENT (-200.0f)
#define TAG_GLYF HB_TAG('g', 'l', 'y', 'f')
#define TAG_KERN HB_TAG('k', 'e', 'r', 'n')
#define TAG_GPOS HB_TAG('G', 'P', 'O', 'S')
/* Characters whose pair facts (pair_char) are kept: Latin up to Latin
 * Extended-B, then General Punctuation (curly quotes, dashes). */
#define KERN_LATIN 0x250
#define KERN_PUNCT0 0x2000
#define KERN_PUNCT1 0x2070
#define KERN_CHARS (KERN_LATIN + (KERN_PUNCT1 - KERN_PUNCT0))
#define KERN_UNKNOWN SHRT_MIN
#define KERN_COMMON 110         /* printable ASCII, dashes, curly quotes,
                                   pound, euro and a few more */
#define KERN_CACHE_FORMAT 4         /* 2: a checksum after the table; 3: qr_filehash_of;
                                       4: the other pairs learned after it */

typedef struct face_rec {
    char *file;
    int index;
    char *family;
    /* HarfBuzz's objects for the face, opened when a measure is needed
     * that its metrics entry (below) does not hold: a warm render opens
     * none, and never loads HarfBuzz */
    hb_blob_t *blob;
    hb_face_t *face;
    hb_font_t *font;
    char *error;                /* why they could not be opened, or NULL */
    unsigned upem;
    float ascent, descent;
    /* advances of the BMP in blocks of ADV_BLOCK code points, each
     * measured whole on first use (a paper touches a few blocks, not
     * 256 KB), and kept in the set's metrics entry */
    float *adv[ADV_BLOCKS];
    int metrics_dirty;          /* the entry lacks a block, or is absent */
    int can_kern;               /* the face has positioning or a 'kern' */
    hb_buffer_t *pair;          /* reused to shape a pair */
    hb_segment_properties_t pair_props;     /* set on it for each pair */
    /* what a pair needs of each character of the kerning range
     * (kern_index), allocated on first use */
    struct pair_char *chars;
    /* pairs of the common characters (common_index), and every other
     * pair learned: loaded from and saved to Quire's cache, so a paper
     * shapes only pairs no earlier paper used */
    short *common;
    /* the other pairs ("ü" and a letter, Greek, Cyrillic): open addressing
     * on pair_key, OTHER_EMPTY where free */
    uint64_t *other_keys;
    short *other_vals;
    size_t nother, other_cap;
    int common_dirty;           /* pairs learned since loading */
} face_rec;

struct qr_fonts {
    face_rec faces[QR_FONT_COUNT];
    int nfaces;
    int slot_face[QR_FONT_COUNT];
    qr_metrics metrics;
    char *key;                  /* the families and environment asked for
                                   (cache_key), NULL when it has none */
    char *warn[4];              /* the warnings loading gave, one a family */
    int nwarn;
    struct font_check *check;   /* a guess not yet confirmed, or NULL */
};

/* The process's shared fonts (qr_fonts_share), or NULL. */
static qr_fonts *shared;

/* ---- fontconfig ---- */

static pthread_once_t fc_once = PTHREAD_ONCE_INIT;
static int fc_ok;

static void fc_init(void)
{
    fc_ok = qr_fontlib_fontconfig() && FcInit() ? 1 : 0;
}

static bool is_truetype(FcPattern *m)
{
    FcChar8 *fmt = NULL;
    if (FcPatternGetString(m, FC_FONTFORMAT, 0, &fmt) != FcResultMatch)
        return false;
    return strcmp((const char *)fmt, "TrueType") == 0;
}

/* 1 if the matched font carries one of the families the (substituted)
 * pattern binds strongly: the family asked for or a configured
 * metric-compatible alias. A weak binding means fontconfig fell back to a
 * generic default, which deserves a warning. */
static bool family_intended(FcPattern *pat, FcPattern *m)
{
    FcValue want;
    FcValueBinding b;
    for (int i = 0;
         FcPatternGetWithBinding(pat, FC_FAMILY, i, &want, &b) == FcResultMatch;
         i++) {
        if (b != FcValueBindingStrong || want.type != FcTypeString) continue;
        FcChar8 *have;
        for (int j = 0;
             FcPatternGetString(m, FC_FAMILY, j, &have) == FcResultMatch; j++)
            if (strcasecmp((const char *)want.u.s, (const char *)have) == 0)
                return true;
    }
    return false;
}

/* What a slot resolved to: from fontconfig, or from the cache. */
typedef struct resolved {
    char *file;
    int index;
    char *family;               /* the family of the font found */
    int intended;               /* it is the family asked for (or an alias) */
} resolved;

static void resolved_free(resolved *r)
{
    free(r->file);
    free(r->family);
    memset(r, 0, sizeof *r);
}

/* Resolve family + style to a TrueType file through cfg (NULL: the
 * default configuration). False after adding an error. */
static bool resolve(FcConfig *cfg, const char *family, int bold, int italic,
                    resolved *out, qr_diags *d)
{
    FcPattern *pat = FcPatternBuild(
        NULL, FC_FAMILY, FcTypeString, (const FcChar8 *)family, FC_WEIGHT,
        FcTypeInteger, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR, FC_SLANT,
        FcTypeInteger, italic ? FC_SLANT_ITALIC : FC_SLANT_ROMAN, (char *)0);
    if (!pat) {
        qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                    "font family '%s': fontconfig failed", family);
        return false;
    }
    FcConfigSubstitute(cfg, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);

    FcResult r;
    FcPattern *m = FcFontMatch(cfg, pat, &r);
    if (m && !is_truetype(m)) {
        /* libharu embeds only glyf outlines: walk the ranked candidates. */
        FcPatternDestroy(m);
        m = NULL;
        FcFontSet *fs = FcFontSort(cfg, pat, FcFalse, NULL, &r);
        for (int i = 0; fs && i < fs->nfont && !m; i++) {
            if (!is_truetype(fs->fonts[i])) continue;
            m = FcFontRenderPrepare(cfg, pat, fs->fonts[i]);
        }
        if (fs) FcFontSetDestroy(fs);
    }
    if (!m) {
        qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                    "font family '%s' resolves to no TrueType font", family);
        FcPatternDestroy(pat);
        return false;
    }
    FcChar8 *file = NULL, *got = NULL;
    int index = 0;
    if (FcPatternGetString(m, FC_FILE, 0, &file) != FcResultMatch) {
        qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                    "font family '%s' resolves to no font file", family);
        FcPatternDestroy(m);
        FcPatternDestroy(pat);
        return false;
    }
    FcPatternGetInteger(m, FC_INDEX, 0, &index);
    FcPatternGetString(m, FC_FAMILY, 0, &got);
    out->file = qr_xstrdup((const char *)file);
    out->index = index;
    out->family = qr_xstrdup(got ? (const char *)got : family);
    out->intended = family_intended(pat, m);
    FcPatternDestroy(m);
    FcPatternDestroy(pat);
    return true;
}

/* ---- the resolution cache ----
 *
 * Initialising fontconfig (parsing some forty configuration files) and
 * matching nine faces cost about 3 ms of every run, for an answer that
 * changes only when fonts or their configuration do. So the answer is kept
 * in Quire's cache (cache.h) with the stamp (size, modification time,
 * inode) of every configuration file fontconfig read, every font directory
 * and fontconfig cache directory it knows, and the places a user would add
 * either; and with the families asked for and the FONTCONFIG_* variables.
 * Installing or removing a font changes a directory's time; editing the
 * configuration changes a file's: either way the entry no longer matches
 * and fontconfig is asked again. */

#define FONT_CACHE "fonts"
#define FONT_CACHE_FORMAT 3         /* 2: a last line "sum HEX"; 3: qr_filehash_of */
#define FONT_SUM_LINE 21            /* "sum " + 16 hex digits + "\n" */

const char *const qr_fonts_env[] = {"FONTCONFIG_FILE", "FONTCONFIG_PATH",
                                    "FONTCONFIG_SYSROOT", "HOME",
                                    "XDG_CONFIG_HOME", "XDG_DATA_HOME", NULL};

/* The part of the key known without fontconfig. NULL when a family name
 * cannot be written into the entry. */
static char *cache_key(const char *const fam[4])
{
    qr_buf k;
    qr_buf_init(&k);
    qr_buf_printf(&k, "quire font resolution %d\n", FONT_CACHE_FORMAT);
    for (int i = 0; i < 4; i++) {
        if (strpbrk(fam[i], "\t\n\r")) {
            qr_buf_free(&k);
            return NULL;
        }
        qr_buf_printf(&k, "%s\n", fam[i]);
    }
    for (const char *const *env = qr_fonts_env; *env; env++) {
        const char *v = getenv(*env);
        if (v && strpbrk(v, "\n\r")) {
            qr_buf_free(&k);
            return NULL;
        }
        qr_buf_printf(&k, "%s=%s\n", *env, v ? v : "");
    }
    return qr_buf_detach(&k, NULL);
}

/* Stamp every path of a fontconfig string list; the cache entry, a list
 * of lines, leaves out a path holding a line end (keep_all false). */
static size_t stamp_list(qr_buf *b, FcStrList *l, bool keep_all)
{
    size_t n = 0;
    if (!l) return 0;
    for (FcChar8 *s; (s = FcStrListNext(l));) {
        if (!keep_all && strpbrk((const char *)s, "\n\r")) continue;
        qr_cache_stamp(b, (const char *)s);
        n++;
    }
    FcStrListDone(l);
    return n;
}

/* Where a user adds fonts or configuration, existing yet or not. */
static size_t stamp_user_places(qr_buf *b)
{
    const char *home = getenv("HOME"), *xc = getenv("XDG_CONFIG_HOME"),
               *xd = getenv("XDG_DATA_HOME");
    char *p[10];
    size_t n = 0;
    p[n++] = qr_xstrdup("/etc/fonts");
    p[n++] = qr_xstrdup("/etc/fonts/conf.d");
    if (xc && *xc) {
        p[n++] = qr_xasprintf("%s/fontconfig", xc);
        p[n++] = qr_xasprintf("%s/fontconfig/conf.d", xc);
    } else if (home && *home) {
        p[n++] = qr_xasprintf("%s/.config/fontconfig", home);
        p[n++] = qr_xasprintf("%s/.config/fontconfig/conf.d", home);
    }
    if (xd && *xd) p[n++] = qr_xasprintf("%s/fonts", xd);
    else if (home && *home) p[n++] = qr_xasprintf("%s/.local/share/fonts", home);
    if (home && *home) {
        p[n++] = qr_xasprintf("%s/.fonts", home);
        p[n++] = qr_xasprintf("%s/.fonts.conf", home);
        p[n++] = qr_xasprintf("%s/.fonts.conf.d", home);
    }
    for (size_t i = 0; i < n; i++) {
        if (!strpbrk(p[i], "\n\r")) qr_cache_stamp(b, p[i]);
        free(p[i]);
    }
    return n;
}

void qr_fonts_stamp(qr_buf *b)
{
    for (const char *const *env = qr_fonts_env; *env; env++) {
        const char *v = getenv(*env);
        qr_buf_printf(b, "%s=%s%c", *env, v ? v : "", 0);
    }
    pthread_once(&fc_once, fc_init);
    if (!fc_ok) {
        qr_buf_puts(b, "no fontconfig");
        return;
    }
    stamp_list(b, FcConfigGetConfigFiles(NULL), true);
    stamp_list(b, FcConfigGetFontDirs(NULL), true);
}

/* The entry of resolution res[] under key: the key, the stamps of every
 * file and folder fontconfig's answer depends on, the faces, a checksum.
 * false when a face cannot be written into it. */
static bool resolution_entry(const char *key, const resolved *res, qr_buf *e)
{
    qr_buf stamps;
    qr_buf_init(&stamps);
    /* Not fontconfig's cache folders: fontconfig writes into them itself,
     * for any folder of fonts it meets (a test's temporary fonts, another
     * user's), and a cache file says only what its font folder's own
     * stamp, here, already does: stamped, every such write made the entry
     * (and the one `quire fonts` ships) read as stale. */
    size_t n = stamp_list(&stamps, FcConfigGetConfigFiles(NULL), false);
    n += stamp_list(&stamps, FcConfigGetFontDirs(NULL), false);
    n += stamp_user_places(&stamps);
    qr_buf_printf(e, "%s%zu\n", key, n);
    qr_buf_append(e, stamps.data, stamps.len);
    qr_buf_free(&stamps);
    for (int i = 0; i < QR_FONT_COUNT; i++) {
        if (strpbrk(res[i].file, "\t\n\r") || strpbrk(res[i].family, "\t\n\r"))
            return false;
        qr_buf_printf(e, "%d\t%d\t%s\t%s\n", res[i].index, res[i].intended,
                      res[i].file, res[i].family);
    }
    qr_buf_printf(e, "sum %016llx\n",
                  (unsigned long long)qr_filehash_of(e->data, e->len));
    return true;
}

static void cache_store(const char *key, const resolved *res)
{
    qr_buf e;
    qr_buf_init(&e);
    /* unsynced: the first run wrote this one entry with an fsync, which
     * (a new cache directory's first) took 1-12 ms on its own */
    if (resolution_entry(key, res, &e))
        qr_cache_write_checked(FONT_CACHE, e.data, e.len);
    qr_buf_free(&e);
}

/* One line from *pos, without its newline (NUL-terminated in place). */
static char *next_line(char *data, size_t len, size_t *pos)
{
    if (*pos >= len) return NULL;
    char *s = data + *pos, *nl = memchr(s, '\n', len - *pos);
    if (!nl) return NULL;
    *nl = '\0';
    *pos = (size_t)(nl - data) + 1;
    return s;
}

/* Whether path's stamp now is what the entry recorded ("path\nwas\n"). */
static bool stamp_holds(qr_buf *now, const char *path, const char *was)
{
    now->len = 0;
    qr_cache_stamp(now, path);
    size_t pl = strlen(path), wl = strlen(was);
    return now->len == pl + wl + 2 && memcmp(now->data + pl + 1, was, wl) == 0;
}

/* "index\tintended\tfile\tfamily" into r; false when malformed. */
static bool parse_resolved(char *l, resolved *r)
{
    char *f[4];
    for (int k = 0; k < 3; k++) {
        f[k] = l;
        l = strchr(l, '\t');
        if (!l) return false;
        *l++ = '\0';
    }
    f[3] = l;
    char *e1, *e2;
    long idx = strtol(f[0], &e1, 10), want = strtol(f[1], &e2, 10);
    if (*e1 || *e2 || idx < 0 || idx > 0xFFFF || (want != 0 && want != 1) ||
        f[2][0] != '/' || !f[3][0] || strchr(f[3], '\t'))
        return false;
    r->file = qr_xstrdup(f[2]);
    r->index = (int)idx;
    r->family = qr_xstrdup(f[3]);
    r->intended = (int)want;
    return true;
}

/* Whether data[0..*len) ends in the line "sum HEX" of what comes before
 * it; *len then leaves it out. */
static bool sum_holds(const char *data, size_t *len)
{
    if (*len < FONT_SUM_LINE) return false;
    const char *line = data + *len - FONT_SUM_LINE;
    char hex[17];
    memcpy(hex, line + 4, 16);
    hex[16] = '\0';
    char *end;
    unsigned long long sum = strtoull(hex, &end, 16);
    if (memcmp(line, "sum ", 4) != 0 || line[FONT_SUM_LINE - 1] != '\n' ||
        end != hex + 16 || sum != qr_filehash_of(data, *len - FONT_SUM_LINE))
        return false;
    *len -= FONT_SUM_LINE;
    return true;
}

/* True with res[] filled when data[0..len) (modified: lines cut in place)
 * is an entry of this very resolution whose every stamp holds now. */
static bool entry_holds(char *data, size_t len, const char *key, resolved *res)
{
    size_t klen = strlen(key);
    bool ok = false;
    qr_buf now;
    qr_buf_init(&now);
    if (!data || !sum_holds(data, &len) || len < klen ||
        memcmp(data, key, klen) != 0)
        goto out;
    size_t pos = klen;
    char *line = next_line(data, len, &pos), *end;
    if (!line) goto out;
    unsigned long n = strtoul(line, &end, 10);
    if (*end || n > 100000) goto out;
    for (unsigned long i = 0; i < n; i++) {
        char *path = next_line(data, len, &pos);
        char *was = path ? next_line(data, len, &pos) : NULL;
        if (!was || !stamp_holds(&now, path, was)) goto out;
    }
    int i = 0;
    for (char *l; i < QR_FONT_COUNT && (l = next_line(data, len, &pos)); i++)
        if (!parse_resolved(l, &res[i])) break;
    ok = i == QR_FONT_COUNT && pos == len;
    if (!ok)
        for (int k = 0; k < QR_FONT_COUNT; k++) resolved_free(&res[k]);
out:
    qr_buf_free(&now);
    return ok;
}

/* The resolution `quire fonts` shipped beside the executable (make, make
 * install), or NULL: its path (caller frees). */
static char *shipped_resolution(void)
{
    char *p = qr_cache_shipped_path(FONT_CACHE);
    if (p && access(p, F_OK) != 0) {
        free(p);
        p = NULL;
    }
    return p;
}

/* True with res[] filled when the cache holds this very resolution, or
 * else the one shipped with quire does: made by fontconfig for the same
 * families under the same environment (the key names HOME and fontconfig's
 * variables), and checked by the same stamps of every configuration file,
 * font folder and user's font place, so it is fontconfig's answer here
 * exactly as the cache's own entry is. */
static bool cache_load(const char *key, resolved *res)
{
    size_t len = 0;
    char *data = qr_cache_read(FONT_CACHE, &len);
    bool ok = entry_holds(data, len, key, res), stale = data && !ok;
    free(data);
    if (!ok) {
        data = qr_cache_read_shipped(FONT_CACHE, &len);
        /* entry_holds cuts the lines it reads: a copy to keep */
        char *copy = data && stale ? qr_xstrndup(data, len) : NULL;
        ok = entry_holds(data, len, key, res);
        /* the cache's own entry no longer holds and the shipped one does:
         * it takes the cache's place, or every run would check both */
        if (ok && copy) qr_cache_write_checked(FONT_CACHE, copy, len);
        free(copy);
        free(data);
    }
    return ok;
}

/* ---- faces ---- */

static void face_close(face_rec *fr)
{
    if (fr->font) hb_font_destroy(fr->font);
    if (fr->face) hb_face_destroy(fr->face);
    if (fr->blob) hb_blob_destroy(fr->blob);
    free(fr->file);
    free(fr->family);
    free(fr->error);
    for (size_t i = 0; i < ADV_BLOCKS; i++) free(fr->adv[i]);
    free(fr->common);
    free(fr->other_keys);
    free(fr->other_vals);
    free(fr->chars);
    if (fr->pair) hb_buffer_destroy(fr->pair);
    memset(fr, 0, sizeof *fr);
}

/* What layout needs of a face as a whole, as HarfBuzz reads it; the head
 * of its metrics entry. */
typedef struct face_head {
    uint32_t upem;
    float ascent, descent;      /* 1/1000 em */
    uint32_t can_kern;          /* the face has positioning or a 'kern' */
    uint32_t nblocks;           /* advance blocks after it (the entry) */
} face_head;

/* Open fr's file with HarfBuzz (loaded now if need be) into fr->blob,
 * face and font, and read *h; false with fr->error set (asked: the family
 * the style asked for, to name in it). */
static bool hb_open(face_rec *fr, const char *asked, face_head *h)
{
    if (!qr_fontlib_harfbuzz()) {
        fr->error = qr_xstrdup(qr_fontlib_error());
        return false;
    }
    fr->blob = hb_blob_create_from_file_or_fail(fr->file);
    if (!fr->blob) {
        fr->error = qr_xasprintf("cannot read font file for family '%s'", asked);
        return false;
    }
    fr->face = hb_face_create(fr->blob, (unsigned)fr->index);
    unsigned upem = hb_face_get_upem(fr->face);
    hb_blob_t *glyf = hb_face_reference_table(fr->face, TAG_GLYF);
    unsigned glyf_len = hb_blob_get_length(glyf);
    hb_blob_destroy(glyf);
    if (glyf_len == 0 || upem == 0) {
        fr->error = qr_xasprintf("font family '%s' resolves to no TrueType font",
                                 asked);
        hb_face_destroy(fr->face);
        hb_blob_destroy(fr->blob);
        fr->face = NULL;
        fr->blob = NULL;
        return false;
    }
    fr->font = hb_font_create(fr->face);
    hb_font_set_scale(fr->font, (int)upem, (int)upem);
    hb_font_extents_t ext;
    hb_font_get_h_extents(fr->font, &ext);
    memset(h, 0, sizeof *h);
    h->upem = upem;
    h->ascent = (float)ext.ascender * EM_UNITS / (float)upem;
    h->descent = (float)ext.descender * EM_UNITS / (float)upem;
    /* the tables' presence only: checking GPOS itself would parse it,
     * which shaping does anyway when (and only if) a pair is asked for */
    hb_blob_t *kern = hb_face_reference_table(fr->face, TAG_KERN);
    hb_blob_t *gpos = hb_face_reference_table(fr->face, TAG_GPOS);
    h->can_kern = hb_blob_get_length(gpos) > 0 || hb_blob_get_length(kern) > 0;
    hb_blob_destroy(gpos);
    hb_blob_destroy(kern);
    return true;
}

static void take_head(face_rec *fr, const face_head *h)
{
    fr->upem = h->upem;
    fr->ascent = h->ascent;
    fr->descent = h->descent;
    fr->can_kern = (int)h->can_kern;
}

/* HarfBuzz's objects for a face whose metrics came from its entry,
 * opened now that a measure the entry lacks is asked for; false with
 * fr->error set. The face must be the one the entry was made from: its
 * stamp held when the set was loaded, and a file replaced since (its head
 * no longer the entry's) fails rather than mixing two fonts' metrics. */
static bool face_hb(face_rec *fr)
{
    if (fr->error) return false;
    if (fr->font) return true;
    face_head h;
    if (!hb_open(fr, fr->family, &h)) return false;
    if (h.upem != fr->upem || h.ascent != fr->ascent ||
        h.descent != fr->descent || (int)h.can_kern != fr->can_kern) {
        /* kept open (fr->font): the error stands, and face_close frees */
        fr->error = qr_xasprintf("font file '%s' changed while in use", fr->file);
        return false;
    }
    return true;
}

/* ---- what HarfBuzz said of the faces, kept in the cache ----
 *
 * A warm render measured each face again: HarfBuzz loaded (with its ten
 * dependencies: 0.5 ms of processor time, a hundred page faults), each
 * font file mapped and its cmap and hmtx read for every code point the
 * paper uses, for answers that change only with the font files or
 * HarfBuzz. So the faces' metrics (each one's head, and the advance blocks
 * papers have used) are one entry of Quire's cache for the set, keyed by
 * HarfBuzz's identity (qr_fontlib_harfbuzz_id, known without loading it)
 * and each face's index and file stamp; a block not in it is measured
 * (HarfBuzz loaded then) and the entry written again when the paper is
 * done. One entry, not one a face: a warm run reads one file, a first run
 * writes one. `quire fonts` ships the default house style's, with the
 * blocks papers use (shipped_blocks), so that a first run measures
 * nothing and opens only the faces it subsets. */

#define METRICS_FORMAT 2            /* 2: advances as 16-bit integers */

/* The name ("metrics-HASH", of the faces' files and indexes) and key of
 * the set's metrics entry; false when HarfBuzz has no identity. */
static bool metrics_key(const qr_fonts *f, char **name, qr_buf *k)
{
    const char *hb = qr_fontlib_harfbuzz_id();
    if (!hb) return false;
    qr_buf_printf(k, "quire metrics %d %d\n%s\n%d\n", METRICS_FORMAT,
                  ADV_BLOCK, hb, f->nfaces);
    uint64_t h = QR_FNV64_INIT;
    for (int i = 0; i < f->nfaces; i++) {
        const face_rec *fr = &f->faces[i];
        h = qr_fnv64(h, fr->file, strlen(fr->file) + 1);
        h = qr_fnv64(h, &fr->index, sizeof fr->index);
        qr_buf_printf(k, "index %d\n", fr->index);
        qr_cache_stamp(k, fr->file);
    }
    *name = qr_xasprintf("metrics-%016llx", (unsigned long long)h);
    return true;
}

/* A block in the entry: its number, then each advance as a 16-bit
 * integer (advances are whole 1/1000 em, or ADV_MISSING), half the bytes
 * of floats for a warm run to read. */
#define BLOCK_BYTES (sizeof(uint32_t) + ADV_BLOCK * sizeof(int16_t))

/* Take the entry data[0..len) (the key; each face's head and its blocks;
 * a checksum of all after the key) into f's faces when it is this set's
 * under this key and whole; nothing taken otherwise. */
static bool metrics_take(qr_fonts *f, const qr_buf *key, const char *data,
                         size_t len)
{
    uint64_t sum;
    if (len < key->len + sizeof sum || memcmp(data, key->data, key->len) != 0)
        return false;
    const char *body = data + key->len;
    size_t blen = len - key->len - sizeof sum, at = 0;
    memcpy(&sum, body + blen, sizeof sum);
    if (sum != qr_filehash_of(body, blen)) return false;
    face_head h[QR_FONT_COUNT];
    float *adv[QR_FONT_COUNT][ADV_BLOCKS];
    memset(adv, 0, sizeof adv);
    bool ok = true;
    for (int i = 0; i < f->nfaces && ok; i++) {
        ok = blen - at >= sizeof h[i];
        if (!ok) break;
        memcpy(&h[i], body + at, sizeof h[i]);
        at += sizeof h[i];
        ok = h[i].upem != 0 && h[i].nblocks <= ADV_BLOCKS &&
             blen - at >= h[i].nblocks * BLOCK_BYTES;
        for (uint32_t n = 0; ok && n < h[i].nblocks; n++, at += BLOCK_BYTES) {
            uint32_t b;
            memcpy(&b, body + at, sizeof b);
            ok = b < ADV_BLOCKS && !adv[i][b];
            if (!ok) break;
            int16_t v[ADV_BLOCK];
            memcpy(v, body + at + sizeof b, sizeof v);
            adv[i][b] = qr_xmalloc(ADV_BLOCK * sizeof(float));
            for (size_t c = 0; c < ADV_BLOCK; c++) adv[i][b][c] = v[c];
        }
    }
    ok = ok && at == blen;
    for (int i = 0; i < f->nfaces; i++) {
        if (ok) {
            memcpy(f->faces[i].adv, adv[i], sizeof adv[i]);
            take_head(&f->faces[i], &h[i]);
        } else {
            for (size_t b = 0; b < ADV_BLOCKS; b++) free(adv[i][b]);
        }
    }
    return ok;
}

/* f's faces' metrics from the set's entry, when the cache holds one for
 * these very files and HarfBuzz, else `quire fonts` shipped one. */
static bool metrics_load(qr_fonts *f)
{
    qr_buf k;
    qr_buf_init(&k);
    char *name = NULL;
    bool ok = false;
    if (metrics_key(f, &name, &k)) {
        size_t len = 0;
        char *data = qr_cache_read(name, &len);
        ok = data && metrics_take(f, &k, data, len);
        free(data);
        if (!ok) {
            data = qr_cache_read_shipped(name, &len);
            ok = data && metrics_take(f, &k, data, len);
            free(data);
        }
        free(name);
    }
    qr_buf_free(&k);
    return ok;
}

/* The set's entry into e, *name its name (caller frees); false when
 * there is no key, or an advance no 16-bit integer holds (a font no
 * paper's text is set in). */
static bool metrics_entry(qr_fonts *f, char **name, qr_buf *e)
{
    if (!metrics_key(f, name, e)) return false;
    size_t body = e->len;
    for (int i = 0; i < f->nfaces; i++) {
        face_rec *fr = &f->faces[i];
        face_head h = {.upem = fr->upem, .ascent = fr->ascent,
                       .descent = fr->descent,
                       .can_kern = (uint32_t)fr->can_kern};
        for (size_t b = 0; b < ADV_BLOCKS; b++) h.nblocks += fr->adv[b] != NULL;
        qr_buf_append(e, &h, sizeof h);
        for (uint32_t b = 0; b < ADV_BLOCKS; b++) {
            if (!fr->adv[b]) continue;
            int16_t v[ADV_BLOCK];
            for (size_t c = 0; c < ADV_BLOCK; c++) {
                if (fr->adv[b][c] > INT16_MAX) {
                    free(*name);
                    return false;
                }
                v[c] = (int16_t)fr->adv[b][c];
            }
            qr_buf_append(e, &b, sizeof b);
            qr_buf_append(e, v, sizeof v);
        }
    }
    uint64_t sum = qr_filehash_of(e->data + body, e->len - body);
    qr_buf_append(e, &sum, sizeof sum);
    return true;
}

/* Best effort, when blocks were measured (qr_fonts_finish) and no face
 * failed (its measures unknown). */
static void metrics_save(qr_fonts *f)
{
    bool dirty = false;
    for (int i = 0; i < f->nfaces; i++) {
        if (f->faces[i].error) return;
        if (f->faces[i].metrics_dirty) dirty = true;
    }
    if (!dirty) return;
    /* a shared set saves again only what it measures after */
    for (int i = 0; i < f->nfaces; i++) f->faces[i].metrics_dirty = 0;
    qr_buf e;
    qr_buf_init(&e);
    char *name = NULL;
    if (metrics_entry(f, &name, &e)) {
        qr_cache_write_checked(name, e.data, e.len);
        free(name);
    }
    qr_buf_free(&e);
}

/* The face of f for r's file and index, added once (not opened: see
 * faces_open). */
static int face_for(qr_fonts *f, const resolved *r)
{
    for (int i = 0; i < f->nfaces; i++)
        if (f->faces[i].index == r->index && strcmp(f->faces[i].file, r->file) == 0)
            return i;
    face_rec *fr = &f->faces[f->nfaces];
    memset(fr, 0, sizeof *fr);
    fr->file = qr_xstrdup(r->file);
    fr->index = r->index;
    fr->family = qr_xstrdup(r->family);
    return f->nfaces++;
}

/* f's faces' metrics from the cache's entry (no HarfBuzz), else each face
 * opened from its file through HarfBuzz, asked[i] the family face i was
 * first asked for. False after adding an error. */
static bool faces_open(qr_fonts *f, const char *const *asked, qr_diags *d)
{
    if (metrics_load(f)) return true;
    for (int i = 0; i < f->nfaces; i++) {
        face_rec *fr = &f->faces[i];
        face_head h;
        if (!hb_open(fr, asked[i], &h)) {
            /* HarfBuzz itself missing is no fault of the file's */
            qr_diag_add(d, QR_ERROR, qr_fontlib_harfbuzz() ? fr->file : NULL,
                        0, 0, NULL, NULL, "%s", fr->error);
            return false;
        }
        take_head(fr, &h);
        fr->metrics_dirty = 1;
    }
    return true;
}

/* ---- metrics ---- */

/* Advance in 1/1000 em, truncated like libharu's hmtx scaling, or
 * ADV_MISSING. HarfBuzz's objects are open. */
static float measure(face_rec *fr, uint32_t cp)
{
    hb_codepoint_t gid;
    if (!hb_font_get_nominal_glyph(fr->font, cp, &gid)) return ADV_MISSING;
    hb_position_t a = hb_font_get_glyph_h_advance(fr->font, gid);
    return (float)(((unsigned long)(a < 0 ? 0 : a) * EM_UNITS) / fr->upem);
}

/* The block of advances holding cp, measured whole when first asked for
 * (the next paper's new letter is then in the entry too); NULL when the
 * face cannot be opened (fr->error says why, and the PDF stage will not
 * write a paper measured without it). */
static __attribute__((noinline)) const float *new_block(face_rec *fr,
                                                        uint32_t cp)
{
    if (!face_hb(fr)) return NULL;
    float *blk = qr_xmalloc(ADV_BLOCK * sizeof *blk);
    uint32_t base = cp - cp % ADV_BLOCK;
    for (uint32_t i = 0; i < ADV_BLOCK; i++) blk[i] = measure(fr, base + i);
    fr->metrics_dirty = 1;
    return fr->adv[cp / ADV_BLOCK] = blk;
}

static float lookup(face_rec *fr, uint32_t cp)
{
    if (cp >= BMP_SIZE) return face_hb(fr) ? measure(fr, cp) : ADV_MISSING;
    const float *blk = fr->adv[cp / ADV_BLOCK];
    if (!blk && !(blk = new_block(fr, cp))) return ADV_MISSING;
    return blk[cp % ADV_BLOCK];
}

static face_rec *slot_face(void *ctx, qr_font_slot slot)
{
    qr_fonts *f = ctx;
    if ((unsigned)slot >= QR_FONT_COUNT) slot = QR_FONT_REGULAR;
    return &f->faces[f->slot_face[slot]];
}

static bool m_has_glyph(void *ctx, qr_font_slot slot, uint32_t cp)
{
    return lookup(slot_face(ctx, slot), cp) != ADV_MISSING;
}

static float m_advance(void *ctx, qr_font_slot slot, uint32_t cp)
{
    float v = lookup(slot_face(ctx, slot), cp);
    return v == ADV_MISSING ? 0.0f : v;
}

/* ---- kerning ---- */

/* Kerning on; every ligature and contextual alternate off, since the PDF
 * shows one glyph per character (its CIDs are the code points). */
static const hb_feature_t pair_features[] = {
    {HB_TAG('k', 'e', 'r', 'n'), 1, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
    {HB_TAG('l', 'i', 'g', 'a'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
    {HB_TAG('c', 'l', 'i', 'g'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
    {HB_TAG('d', 'l', 'i', 'g'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
    {HB_TAG('c', 'a', 'l', 't'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
    {HB_TAG('r', 'l', 'i', 'g'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
};

/* What a pair needs of one character: its glyph and that glyph's advance
 * (font units), when the character can be one of a kerned pair at all. */
typedef struct pair_char {
    hb_codepoint_t gid;
    hb_position_t adv;
    signed char state;          /* 0 not asked yet, 1 usable, -1 not */
} pair_char;

#define OTHER_EMPTY UINT64_MAX      /* no pair: code points are below 2^21 */

static uint64_t pair_key(uint32_t a, uint32_t b)
{
    return (uint64_t)a << 32 | b;
}

/* The first slot to probe for key k in a table of cap (a power of 2). */
static size_t pair_home(uint64_t k, size_t cap)
{
    return qr_fnv64(QR_FNV64_INIT, &k, sizeof k) & (cap - 1);
}

/* fr's slot for the pair of a and b outside the common table, made
 * (KERN_UNKNOWN) when new. */
static short *other_pair(face_rec *fr, uint32_t a, uint32_t b)
{
    if (2 * (fr->nother + 1) > fr->other_cap) {
        size_t cap = fr->other_cap ? 2 * fr->other_cap : 64;
        uint64_t *keys = qr_xmalloc(cap * sizeof *keys);
        short *vals = qr_xmalloc(cap * sizeof *vals);
        for (size_t i = 0; i < cap; i++) keys[i] = OTHER_EMPTY;
        for (size_t i = 0; i < fr->other_cap; i++) {
            if (fr->other_keys[i] == OTHER_EMPTY) continue;
            size_t h = pair_home(fr->other_keys[i], cap);
            while (keys[h] != OTHER_EMPTY) h = (h + 1) & (cap - 1);
            keys[h] = fr->other_keys[i];
            vals[h] = fr->other_vals[i];
        }
        free(fr->other_keys);
        free(fr->other_vals);
        fr->other_keys = keys;
        fr->other_vals = vals;
        fr->other_cap = cap;
    }
    uint64_t k = pair_key(a, b);
    size_t h = pair_home(k, fr->other_cap);
    while (fr->other_keys[h] != OTHER_EMPTY && fr->other_keys[h] != k)
        h = (h + 1) & (fr->other_cap - 1);
    if (fr->other_keys[h] == OTHER_EMPTY) {
        fr->other_keys[h] = k;
        fr->other_vals[h] = KERN_UNKNOWN;
        fr->nother++;
    }
    return &fr->other_vals[h];
}

static int kern_index(uint32_t cp)
{
    if (cp < KERN_LATIN) return (int)cp;
    if (cp >= KERN_PUNCT0 && cp < KERN_PUNCT1)
        return KERN_LATIN + (int)(cp - KERN_PUNCT0);
    return -1;
}

/* True with *out filled when the face has a glyph for cp and that glyph
 * is not a mark (a mark's position is not an advance). */
static bool pair_char_of(face_rec *fr, uint32_t cp, pair_char *out)
{
    hb_codepoint_t g;
    if (!hb_font_get_nominal_glyph(fr->font, cp, &g) ||
        hb_ot_layout_get_glyph_class(fr->face, g) == HB_OT_LAYOUT_GLYPH_CLASS_MARK)
        return false;
    out->gid = g;
    out->adv = hb_font_get_glyph_h_advance(fr->font, g);
    return true;
}

/* pair_char_of, kept per character of the kerning range: a paper's
 * thousand pairs are made of a few dozen characters, and the cmap, GDEF
 * and hmtx were asked about each of them again for every pair. */
static bool pair_char_get(face_rec *fr, uint32_t cp, pair_char *out)
{
    int i = kern_index(cp);
    if (i < 0) return pair_char_of(fr, cp, out);
    if (!fr->chars) fr->chars = qr_xcalloc(KERN_CHARS, sizeof *fr->chars);
    pair_char *c = &fr->chars[i];
    if (!c->state) c->state = pair_char_of(fr, cp, c) ? 1 : -1;
    *out = *c;
    return c->state > 0;
}

/* Shape left+right: how much closer (negative) or further the pair is set
 * than its two advances, in 1/1000 em, rounded. 0 when shaping changes
 * the glyphs or a glyph is a mark (its position is not an advance). */
static float shape_pair(face_rec *fr, uint32_t a, uint32_t b)
{
    pair_char ca, cb;
    /* no HarfBuzz, no kerning: the PDF stage then refuses the paper
     * (fr->error) */
    if (!face_hb(fr) || !pair_char_get(fr, a, &ca) || !pair_char_get(fr, b, &cb))
        return 0;
    if (!fr->pair) {
        fr->pair = hb_buffer_create();
        /* the language looked up once per face, not once per pair */
        fr->pair_props.direction = HB_DIRECTION_LTR;
        fr->pair_props.script = HB_SCRIPT_LATIN;
        fr->pair_props.language = hb_language_from_string("en", 2);
    }
    hb_buffer_t *buf = fr->pair;
    hb_buffer_clear_contents(buf);
    uint32_t cps[2] = {a, b};
    hb_buffer_add_utf32(buf, cps, 2, 0, 2);
    hb_buffer_set_segment_properties(buf, &fr->pair_props);
    hb_shape(fr->font, buf, pair_features,
             sizeof pair_features / sizeof *pair_features);
    unsigned n = 0;
    hb_glyph_info_t *gi = hb_buffer_get_glyph_infos(buf, &n);
    hb_glyph_position_t *gp = hb_buffer_get_glyph_positions(buf, NULL);
    if (n != 2 || gi[0].codepoint != ca.gid || gi[1].codepoint != cb.gid ||
        gp[1].x_offset != 0 || gp[0].x_offset != 0)
        return 0;
    hb_position_t d = gp[0].x_advance + gp[1].x_advance - ca.adv - cb.adv;
    return d ? roundf((float)d * EM_UNITS / (float)fr->upem) : 0.0f;
}

/* ---- kerning of common pairs, kept in the cache ----
 *
 * Shaping a pair costs about as much as breaking a line of it, and a
 * paper meets a thousand pairs per face; the same thousand, mostly, as the
 * last paper. So the pairs of printable ASCII, dashes and curly quotes are
 * one table per face, read from Quire's cache (keyed by the font file's
 * stamp and HarfBuzz's identity) and written back when a paper learned new
 * ones. The pound sign is in it, with a few other characters council papers
 * use: "£1" to "£9" were shaped afresh on every run, and the first pair a
 * face shapes sets up HarfBuzz's plan for it, ~0.3 M instructions, paid by
 * the benchmark report for three faces with no pair learned. Every other
 * pair a paper learned ("Müller", "Łukasz", Greek) follows the table, one
 * record each: a warm render of a name with an accent loads no HarfBuzz
 * either. */

/* The common characters after printable ASCII (indexes 95 on): the one
 * list both ways, character to index (common_index) and index to
 * character (common_char), read. */
static const uint32_t common_more[KERN_COMMON - 95] = {
    0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, /* dashes, curly quotes */
    0x00A0,                     /* no-break space */
    0x00A3,                     /* pound */
    0x20AC,                     /* euro */
    0x00B0,                     /* degree */
    0x00BD,                     /* one half */
    0x00D7,                     /* multiplication */
    0x00E9,                     /* e acute */
    0x2022,                     /* bullet */
    0x2026,                     /* ellipsis */
};

static int common_index(uint32_t cp)
{
    if (cp >= 0x20 && cp <= 0x7E) return (int)cp - 0x20;
    for (int i = 0; i < KERN_COMMON - 95; i++)
        if (common_more[i] == cp) return 95 + i;
    return -1;
}

static uint32_t common_char(int i)
{
    return i < 95 ? (uint32_t)(0x20 + i) : common_more[i - 95];
}

/* Name of fr's kerning entry: "kern-HASH-index". */
static char *kern_entry(const face_rec *fr)
{
    uint64_t h = qr_fnv64(QR_FNV64_INIT, fr->file, strlen(fr->file));
    return qr_xasprintf("kern-%016llx-%d", (unsigned long long)h, fr->index);
}

/* The key of fr's kerning entry: its format, the HarfBuzz it was shaped
 * with, the face and its file's stamp; false when HarfBuzz has no
 * identity to key by. */
static bool kern_key(const face_rec *fr, qr_buf *k)
{
    const char *hb = qr_fontlib_harfbuzz_id();
    if (!hb) return false;
    qr_buf_printf(k, "quire kerning %d %d\n%s\nindex %d\n", KERN_CACHE_FORMAT,
                  KERN_COMMON, hb, fr->index);
    qr_cache_stamp(k, fr->file);
    return true;
}

static size_t common_bytes(void)
{
    return (size_t)KERN_COMMON * KERN_COMMON * sizeof(short);
}

/* A pair learned outside the table, as the entry keeps it. */
typedef struct kern_rec {
    uint32_t a, b;              /* the code points */
    int32_t v;
} kern_rec;

#define KERN_MAX_RECS (1u << 20)

/* Take the entry in data[0..len) (the key, the table, the number of
 * other pairs and each, a checksum of all after the key) into fr->common
 * and fr->other_* when it was made under this face's key and is
 * whole. */
static bool common_take(face_rec *fr, const char *data, size_t len)
{
    if (!data) return false;
    qr_buf k;
    qr_buf_init(&k);
    uint64_t sum = 0;
    uint32_t n = 0;
    bool ok = kern_key(fr, &k) &&
              len >= k.len + common_bytes() + sizeof n + sizeof sum &&
              memcmp(data, k.data, k.len) == 0;
    size_t at = k.len + common_bytes();
    if (ok) {
        memcpy(&n, data + at, sizeof n);
        memcpy(&sum, data + len - sizeof sum, sizeof sum);
        ok = n <= KERN_MAX_RECS &&
             len == at + sizeof n + n * sizeof(kern_rec) + sizeof sum &&
             sum == qr_filehash_of(data + k.len, len - k.len - sizeof sum);
    }
    const char *recs = data + at + sizeof n;
    for (uint32_t i = 0; ok && i < n; i++) {
        kern_rec r;
        memcpy(&r, recs + i * sizeof r, sizeof r);
        ok = r.a < 0x110000 && r.b < 0x110000 && r.v != KERN_UNKNOWN &&
             r.v >= SHRT_MIN && r.v <= SHRT_MAX;
    }
    if (ok) {
        memcpy(fr->common, data + k.len, common_bytes());
        for (uint32_t i = 0; i < n; i++) {
            kern_rec r;
            memcpy(&r, recs + i * sizeof r, sizeof r);
            *other_pair(fr, r.a, r.b) = (short)r.v;
        }
    }
    qr_buf_free(&k);
    return ok;
}

/* The cache's table, else the complete one `quire fonts` shipped beside
 * the executable (qr_cache_shipped_path) for this very font file: a first
 * run then shapes no pair of these characters. */
static void common_load(face_rec *fr)
{
    fr->common = qr_xmalloc(common_bytes());
    char *name = kern_entry(fr);
    size_t len = 0;
    char *data = qr_cache_read(name, &len);
    bool read = common_take(fr, data, len);
    free(data);
    if (!read) {
        data = qr_cache_read_shipped(name, &len);
        read = common_take(fr, data, len);
        free(data);
    }
    free(name);
    /* nothing known (filled only now: a table read replaces it all) */
    if (!read)
        for (size_t i = 0; i < (size_t)KERN_COMMON * KERN_COMMON; i++)
            fr->common[i] = KERN_UNKNOWN;
}

/* The entry of fr's table and other pairs (common_take); false when
 * there is no key to keep it under. */
static bool common_entry(face_rec *fr, qr_buf *e)
{
    if (!kern_key(fr, e)) return false;
    size_t body = e->len;
    qr_buf_append(e, fr->common, common_bytes());
    uint32_t n = 0;
    size_t count_at = e->len;
    qr_buf_append(e, &n, sizeof n);         /* set below */
    for (size_t i = 0; i < fr->other_cap; i++) {
        uint64_t k = fr->other_keys[i];
        if (k == OTHER_EMPTY || fr->other_vals[i] == KERN_UNKNOWN) continue;
        kern_rec r = {(uint32_t)(k >> 32), (uint32_t)k, fr->other_vals[i]};
        qr_buf_append(e, &r, sizeof r);
        n++;
    }
    memcpy(e->data + count_at, &n, sizeof n);
    uint64_t sum = qr_filehash_of(e->data + body, e->len - body);
    qr_buf_append(e, &sum, sizeof sum);
    return true;
}

/* Best effort, when pairs were learned (qr_fonts_free) and none of them
 * is a failure's 0 (fr->error). */
static void common_save(face_rec *fr)
{
    if (!fr->common || !fr->common_dirty || fr->error) return;
    qr_buf e;
    qr_buf_init(&e);
    if (common_entry(fr, &e)) {
        char *name = kern_entry(fr);
        qr_cache_write_checked(name, e.data, e.len);
        free(name);
    }
    qr_buf_free(&e);
    fr->common_dirty = 0;           /* saved: a shared face saves again
                                       only what it learns after */
}

/* ---- the tables shipped with quire ----
 *
 * A first run has no table in its cache, and shaped each pair of its
 * paper as it met it: about 1,000 for the benchmark report, 1 ms of its
 * main thread. `quire fonts` (make, make install) shapes every pair of
 * the common characters for the faces of the default house style and
 * writes each face's table beside the executable, under the cache entry's
 * name and key: the table is what shaping gives for that font file (its
 * stamp) and that HarfBuzz, so a run whose fonts or HarfBuzz differ reads
 * past it, as for the hyphenation image. */

/* Write entry e to dir/name, synced: unlike a cache entry it is made once
 * and read for years. */
static qr_status write_shipped(const char *dir, const char *name,
                               const qr_buf *e, qr_diags *d)
{
    char *out = qr_path_join(dir, name);
    qr_status status = QR_OK;
    if (!qr_write_atomic(out, e->data, e->len)) {
        qr_diag_add(d, QR_ERROR, out, 0, 0, NULL, NULL, "cannot write '%s': %s",
                    out, strerror(errno));
        status = QR_EOUTPUT;
    }
    free(out);
    return status;
}

/* Write the complete table of each kerned face of f to dir (see above). */
static qr_status write_kerning(qr_fonts *f, const char *dir, qr_diags *d)
{
    qr_status status = QR_OK;
    for (int fi = 0; fi < f->nfaces && status == QR_OK; fi++) {
        face_rec *fr = &f->faces[fi];
        /* a face only code (mono) is set in is never kerned */
        bool kerned = false;
        for (int s = 0; s < QR_FONT_COUNT; s++)
            if (f->slot_face[s] == fi && s != QR_FONT_MONO &&
                s != QR_FONT_MONO_BOLD)
                kerned = true;
        if (!kerned || !fr->can_kern) continue;
        if (!fr->common) fr->common = qr_xmalloc(common_bytes());
        for (int a = 0; a < KERN_COMMON; a++)
            for (int b = 0; b < KERN_COMMON; b++)
                fr->common[a * KERN_COMMON + b] =
                    (short)shape_pair(fr, common_char(a), common_char(b));
        qr_buf e;
        qr_buf_init(&e);
        /* with no key, no run could read it */
        if (common_entry(fr, &e)) {
            char *name = kern_entry(fr);
            status = write_shipped(dir, name, &e, d);
            free(name);
        }
        qr_buf_free(&e);
        fr->common_dirty = 0;       /* not the cache's to keep */
    }
    return status;
}

/* The blocks `quire fonts` measures for every face: Latin-1, Latin
 * Extended-A (names), General Punctuation (dashes, curly quotes, the
 * bullet, the ellipsis, the euro), and the geometric shapes, symbols and
 * dingbats of status marks and ticks. */
static const uint32_t shipped_blocks[] = {0x0000, 0x0100, 0x2000,
                                          0x2500, 0x2600, 0x2700};

/* Write the set's metrics entry, with shipped_blocks measured, to dir. */
static qr_status write_metrics(qr_fonts *f, const char *dir, qr_diags *d)
{
    size_t nb = sizeof shipped_blocks / sizeof *shipped_blocks;
    for (int i = 0; i < f->nfaces; i++) {
        face_rec *fr = &f->faces[i];
        for (size_t b = 0; b < nb; b++) {
            if (fr->adv[shipped_blocks[b] / ADV_BLOCK] ||
                new_block(fr, shipped_blocks[b]))
                continue;
            qr_diag_add(d, QR_ERROR, fr->file, 0, 0, NULL, NULL, "%s", fr->error);
            return QR_EINPUT;
        }
        fr->metrics_dirty = 0;      /* not the cache's to keep */
    }
    qr_buf e;
    qr_buf_init(&e);
    char *name = NULL;
    qr_status status = QR_OK;
    /* with no key, no run could read it */
    if (metrics_entry(f, &name, &e)) {
        status = write_shipped(dir, name, &e, d);
        free(name);
    }
    qr_buf_free(&e);
    return status;
}

static __attribute__((noinline)) float kern_slow(void *ctx, qr_font_slot slot,
                                                 uint32_t a, uint32_t b)
{
    /* code keeps its fixed pitch */
    if (slot == QR_FONT_MONO || slot == QR_FONT_MONO_BOLD) return 0;
    face_rec *fr = slot_face(ctx, slot);
    if (!fr->can_kern) return 0;
    if (a == 0x00AD) a = '-';
    if (b == 0x00AD) b = '-';
    if (!fr->common) common_load(fr);       /* the other pairs with it */
    int ca = common_index(a), cb = common_index(b);
    short *v = ca >= 0 && cb >= 0 ? &fr->common[ca * KERN_COMMON + cb]
                                  : other_pair(fr, a, b);
    if (*v == KERN_UNKNOWN) {
        *v = (short)shape_pair(fr, a, b);
        fr->common_dirty = 1;
    }
    return *v;
}

/* Two printable ASCII characters whose pair is known, as kern_slow would
 * find it, without its set-up: layout and the PDF stage ask 40,000 times
 * for the benchmark report, nearly always this. */
static float m_kern(void *ctx, qr_font_slot slot, uint32_t a, uint32_t b)
{
    if (a - 0x20 < 95 && b - 0x20 < 95 && slot != QR_FONT_MONO &&
        slot != QR_FONT_MONO_BOLD) {
        const face_rec *fr = slot_face(ctx, slot);
        if (fr->can_kern && fr->common) {
            short v = fr->common[(a - 0x20) * KERN_COMMON + (b - 0x20)];
            if (v != KERN_UNKNOWN) return v;
        }
    }
    return kern_slow(ctx, slot, a, b);
}

static void m_vmetrics(void *ctx, qr_font_slot slot, float *ascent,
                       float *descent)
{
    face_rec *fr = slot_face(ctx, slot);
    if (ascent) *ascent = fr->ascent;
    if (descent) *descent = fr->descent;
}

/* ---- every face of a style ---- */

/* What each slot asks fontconfig for. */
typedef struct face_plan {
    qr_font_slot slot;
    int family;         /* 0 body, 1 mono, 2 fallback, 3 heading */
    int bold, italic;
} face_plan;

static const face_plan plan[QR_FONT_COUNT] = {
    {QR_FONT_REGULAR, 0, 0, 0},   {QR_FONT_BOLD, 0, 1, 0},
    {QR_FONT_ITALIC, 0, 0, 1},    {QR_FONT_BOLD_ITALIC, 0, 1, 1},
    {QR_FONT_MONO, 1, 0, 0},      {QR_FONT_MONO_BOLD, 1, 1, 0},
    {QR_FONT_FALLBACK, 2, 0, 0},  {QR_FONT_FALLBACK_BOLD, 2, 1, 0},
    {QR_FONT_HEADING, 3, 1, 0},
};

/* When an earlier slot asked the very same question (the heading slot of
 * a style with no heading family is the body's bold; a style may name one
 * family twice, as body and fallback or body and heading), its answer
 * copied into res[i]: fontconfig's match is a function of the question,
 * and the cold path spends ~1.3 M instructions on each. */
static bool same_query(const char *const *fam, const int *fam_of, int i,
                       resolved *res)
{
    for (int k = 0; k < i; k++) {
        if (strcmp(fam[fam_of[k]], fam[fam_of[i]]) != 0 ||
            plan[k].bold != plan[i].bold || plan[k].italic != plan[i].italic)
            continue;
        res[i] = res[k];
        res[i].file = qr_xstrdup(res[k].file);
        res[i].family = qr_xstrdup(res[k].family);
        return true;
    }
    return false;
}

/* Every slot's face through cfg (NULL: the default configuration); false
 * after adding an error, with nothing left in res. */
static bool resolve_all(FcConfig *cfg, const char *const *fam,
                        const int *fam_of, resolved *res, qr_diags *d)
{
    for (int i = 0; i < QR_FONT_COUNT; i++) {
        if (same_query(fam, fam_of, i, res) ||
            resolve(cfg, fam[fam_of[i]], plan[i].bold, plan[i].italic,
                    &res[i], d))
            continue;
        for (int k = 0; k < i; k++) resolved_free(&res[k]);
        return false;
    }
    return true;
}

static bool same_resolution(const resolved *a, const resolved *b)
{
    for (int i = 0; i < QR_FONT_COUNT; i++)
        if (a[i].index != b[i].index || a[i].intended != b[i].intended ||
            strcmp(a[i].file, b[i].file) != 0 ||
            strcmp(a[i].family, b[i].family) != 0)
            return false;
    return true;
}

/* ---- a first run's guess ----
 *
 * A machine's first run has no resolution in the cache, and initialising
 * fontconfig (reading its forty-odd configuration files: ~25 M
 * instructions, over half a warm render of the benchmark report) then
 * resolving nine faces held the paper back: it cannot be laid out without
 * its fonts. So qr_fonts_guess asks a small configuration of fontconfig's
 * own instead, the standard font folders (read from fontconfig's caches)
 * and the metric-compatible aliases (conf.d/30-metric-aliases.conf:
 * "Arial" is Liberation Sans), about 1 ms; the paper is laid out with the
 * faces guessed while another thread resolves them the full way (after
 * render's warm-up thread has initialised fontconfig) and stores that
 * answer in the cache; and qr_fonts_confirm compares the two before
 * anything is written with them. A wrong guess (a user's own
 * configuration, fonts in a folder of another name) costs a second layout,
 * never a different paper. */

static const char guess_conf[] =
    "<?xml version=\"1.0\"?>\n<fontconfig>\n"
    "<dir>/usr/share/fonts</dir>\n<dir>/usr/local/share/fonts</dir>\n"
    "<dir prefix=\"xdg\">fonts</dir>\n<dir>~/.fonts</dir>\n"
    "<include ignore_missing=\"yes\">conf.d/30-metric-aliases.conf</include>\n"
    "<cachedir>/var/cache/fontconfig</cachedir>\n"
    "<cachedir prefix=\"xdg\">fontconfig</cachedir>\n"
    "<cachedir>~/.fontconfig</cachedir>\n</fontconfig>\n";

/* The small configuration, read once (qr_fonts_warm_up_guess); NULL when
 * it cannot be, or a configuration of the user's choosing makes it
 * beside the point. Kept for the process, as fontconfig keeps its own. */
static pthread_once_t guess_once = PTHREAD_ONCE_INIT;
static FcConfig *guess_cfg;

static void guess_init(void)
{
    if (!qr_fontlib_fontconfig()) return;
    for (const char *const *env = qr_fonts_env; *env; env++)
        if (strncmp(*env, "FONTCONFIG_", 11) == 0 && getenv(*env)) return;
    FcConfig *cfg = FcConfigCreate();
    if (cfg &&
        (!FcConfigParseAndLoadFromMemory(cfg, (const FcChar8 *)guess_conf,
                                         FcFalse) ||
         !FcConfigBuildFonts(cfg))) {
        FcConfigDestroy(cfg);
        cfg = NULL;
    }
    guess_cfg = cfg;
}

/* A guess at res[] worth laying out with: every face found, every one of
 * the family asked for (or its alias), so that confirming it also
 * confirms that loading would have warned of nothing. */
static bool guess(const char *const *fam, const int *fam_of, resolved *res)
{
    pthread_once(&guess_once, guess_init);
    if (!guess_cfg) return false;
    qr_diags *scratch = qr_diags_new();
    bool ok = resolve_all(guess_cfg, fam, fam_of, res, scratch);
    for (int i = 0; ok && i < QR_FONT_COUNT; i++)
        if (!res[i].intended) {
            for (int k = 0; k < QR_FONT_COUNT; k++) resolved_free(&res[k]);
            ok = false;
        }
    qr_diags_free(scratch);
    return ok;
}

/* The full resolution of a guessed set, run on its own thread. */
typedef struct font_check {
    pthread_t thread;
    sem_t resolved;             /* posted once found[] and ok are set */
    int verdict;                /* 0 not compared yet, 1 held, -1 wrong */
    char *fam[4];
    int fam_of[QR_FONT_COUNT];
    char *key;
    resolved guessed[QR_FONT_COUNT];
    resolved found[QR_FONT_COUNT];
    bool ok;                    /* found[] is fontconfig's answer */
} font_check;

static void *check_run(void *arg)
{
    font_check *c = arg;
    pthread_once(&fc_once, fc_init);
    qr_diags *scratch = qr_diags_new();
    c->ok = fc_ok && resolve_all(NULL, (const char *const *)c->fam,
                                 c->fam_of, c->found, scratch);
    qr_diags_free(scratch);
    sem_post(&c->resolved);
    /* after the post: the paper need not wait for the cache */
    if (c->ok && c->key) cache_store(c->key, c->found);
    return NULL;
}

static void check_free(font_check *c)
{
    sem_destroy(&c->resolved);
    for (int i = 0; i < QR_FONT_COUNT; i++) {
        resolved_free(&c->guessed[i]);
        resolved_free(&c->found[i]);
    }
    for (int i = 0; i < 4; i++) free(c->fam[i]);
    free(c->key);
    free(c);
}

/* Whether the guess held, once the check has resolved the faces. */
static bool check_verdict(font_check *c)
{
    if (!c->verdict) {
        while (sem_wait(&c->resolved) != 0 && errno == EINTR) {}
        c->verdict = c->ok && same_resolution(c->guessed, c->found) ? 1 : -1;
    }
    return c->verdict > 0;
}

/* The check's thread ended (its cache entry written) and the check freed. */
static void check_finish(font_check *c)
{
    pthread_join(c->thread, NULL);
    check_free(c);
}

/* A check of res[] started, or NULL (then res[] is untouched). */
static font_check *check_start(const char *const *fam, const int *fam_of,
                               const char *key, const resolved *res)
{
    font_check *c = qr_xcalloc(1, sizeof *c);
    if (sem_init(&c->resolved, 0, 0) != 0) {
        free(c);
        return NULL;
    }
    for (int i = 0; i < 4; i++) c->fam[i] = qr_xstrdup(fam[i]);
    memcpy(c->fam_of, fam_of, sizeof c->fam_of);
    c->key = qr_xstrdup(key);
    for (int i = 0; i < QR_FONT_COUNT; i++) {
        c->guessed[i] = res[i];
        c->guessed[i].file = qr_xstrdup(res[i].file);
        c->guessed[i].family = qr_xstrdup(res[i].family);
    }
    if (pthread_create(&c->thread, NULL, check_run, c) != 0) {
        check_free(c);
        return NULL;
    }
    return c;
}

/* ---- warming up ---- */

/* Whether the cache holds no font resolution at all (or is off). */
static bool first_run(void)
{
    char *entry = qr_cache_path(FONT_CACHE);
    bool first = !entry || access(entry, F_OK) != 0;
    free(entry);
    /* nor a shipped one (the entry's stamps are checked later; a stale one
     * leaves the guess to be made then, on the main thread) */
    if (first) {
        char *shipped = shipped_resolution();
        first = !shipped;
        free(shipped);
    }
    return first;
}

void qr_fonts_warm_up_guess(void)
{
    /* A first run with nothing shipped guesses with fontconfig here
     * while the main thread, which needs HarfBuzz only once the guess is
     * made, loads HarfBuzz. Any other finds HarfBuzz's identity, under
     * which the faces' metrics are kept (from the cache on a warm run, or
     * from what `quire fonts` shipped): the main thread needs it first. */
    if (first_run()) pthread_once(&guess_once, guess_init);
    else qr_fontlib_harfbuzz_id();
}

void qr_fonts_load_libraries(void)
{
    qr_fontlib_load();
}

void qr_fonts_warm_up(void)
{
    /* only the entry's absence: one for other families or with old stamps
     * is found out later, and a warm run must not pay for fontconfig */
    if (first_run()) pthread_once(&fc_once, fc_init);
    /* A first run with what `quire fonts` ships loads HarfBuzz for the
     * subsets it will make, after the dictionary (qr_layout_init), which
     * layout needs sooner; a warm run loads nothing. */
    else qr_fontlib_warm_up();
}

/* ---- loading ---- */

/* The set of faces res[] names, each opened once; takes key, res[]'s
 * strings and check. NULL after adding an error. */
static qr_fonts *fonts_open(char *key, const char *const *fam,
                            const int *fam_of, resolved *res,
                            font_check *check, qr_diags *d)
{
    qr_fonts *f = qr_xcalloc(1, sizeof *f);
    f->key = key;
    f->check = check;
    /* Warn once per family, not once per face of it. */
    int warned[4] = {0, 0, 0, 0};
    const char *asked[QR_FONT_COUNT];
    for (int i = 0; i < QR_FONT_COUNT; i++) {
        const char *family = fam[fam_of[i]];
        if (!res[i].intended && !warned[fam_of[i]]) {
            warned[fam_of[i]] = 1;
            char *w = qr_xasprintf("font family '%s' is not installed; "
                                   "using '%s'", family, res[i].family);
            qr_diag_add(d, QR_WARNING, NULL, 0, 0, NULL, NULL, "%s", w);
            f->warn[f->nwarn++] = w;
        }
        int before = f->nfaces, fi = face_for(f, &res[i]);
        if (f->nfaces > before) asked[fi] = family;
        f->slot_face[plan[i].slot] = fi;
    }
    for (int i = 0; i < QR_FONT_COUNT; i++) resolved_free(&res[i]);
    if (!faces_open(f, asked, d)) {
        qr_fonts_free(f);
        return NULL;
    }
    f->metrics.ctx = f;
    f->metrics.has_glyph = m_has_glyph;
    f->metrics.advance = m_advance;
    f->metrics.vmetrics = m_vmetrics;
    f->metrics.kern = m_kern;
    return f;
}

/* The guessed set, its check started; NULL when there is no guess worth
 * making. */
static qr_fonts *fonts_guessed(const char *key, const char *const *fam,
                               const int *fam_of)
{
    resolved res[QR_FONT_COUNT];
    memset(res, 0, sizeof res);
    if (!guess(fam, fam_of, res)) return NULL;
    font_check *check = check_start(fam, fam_of, key, res);
    if (!check) {
        for (int i = 0; i < QR_FONT_COUNT; i++) resolved_free(&res[i]);
        return NULL;
    }
    /* a face that will not open is no guess: the full way reports it */
    qr_diags *scratch = qr_diags_new();
    qr_fonts *f = fonts_open(qr_xstrdup(key), fam, fam_of, res, check,
                             scratch);
    qr_diags_free(scratch);
    return f;
}

/* The style's four families (body, mono, fallback, heading) and which
 * of them each face is asked in. */
static void families(const qr_style *style, const char *fam[4],
                     int fam_of[QR_FONT_COUNT])
{
    const char *body = style->body_family[0] ? style->body_family : "Arial";
    fam[0] = body;
    fam[1] = style->mono_family[0] ? style->mono_family : "Liberation Mono";
    fam[2] = style->fallback_family[0] ? style->fallback_family : "DejaVu Sans";
    fam[3] = style->heading_family[0] ? style->heading_family : body;
    /* an unset heading family is the body family: warn about it once */
    for (int i = 0; i < QR_FONT_COUNT; i++)
        fam_of[i] = plan[i].family == 3 && !style->heading_family[0]
                        ? 0 : plan[i].family;
}

/* HarfBuzz loaded, else false after an error naming it and why. */
static bool harfbuzz_ready(qr_diags *d)
{
    if (qr_fontlib_harfbuzz()) return true;
    qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL, "%s", qr_fontlib_error());
    return false;
}

/* fontconfig loaded and initialised, else false after an error. */
static bool fontconfig_ready(qr_diags *d)
{
    pthread_once(&fc_once, fc_init);
    if (fc_ok) return true;
    const char *why = qr_fontlib_error();
    qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL, "%s",
                why ? why : "cannot initialise fontconfig");
    return false;
}

static qr_fonts *fonts_load(const qr_style *style, bool may_guess,
                            qr_diags *d)
{
    const char *fam[4];
    int fam_of[QR_FONT_COUNT];
    families(style, fam, fam_of);
    resolved res[QR_FONT_COUNT];
    memset(res, 0, sizeof res);
    char *key = cache_key(fam);
    if (shared && key && shared->key && strcmp(key, shared->key) == 0) {
        free(key);
        for (int i = 0; i < shared->nwarn; i++)
            qr_diag_add(d, QR_WARNING, NULL, 0, 0, NULL, NULL, "%s",
                        shared->warn[i]);
        return shared;
    }
    if (!key || !cache_load(key, res)) {
        /* guess, and check while the paper is laid out: even with
         * fontconfig ready, the check then costs this thread nothing */
        qr_fonts *f = may_guess && key ? fonts_guessed(key, fam, fam_of) : NULL;
        if (f) {
            free(key);
            return f;
        }
        if (!fontconfig_ready(d)) {
            free(key);
            return NULL;
        }
        if (!resolve_all(NULL, fam, fam_of, res, d)) {
            free(key);
            return NULL;
        }
        if (key) cache_store(key, res);
    }
    return fonts_open(key, fam, fam_of, res, NULL, d);
}

qr_fonts *qr_fonts_load(const qr_style *style, qr_diags *d)
{
    return fonts_load(style, false, d);
}

qr_fonts *qr_fonts_guess(const qr_style *style, qr_diags *d)
{
    return fonts_load(style, true, d);
}

qr_status qr_fonts_write_shipped(const char *dir, qr_diags *d)
{
    if (!qr_make_dirs(dir, 0755)) {
        qr_diag_add(d, QR_ERROR, dir, 0, 0, NULL, NULL,
                    "cannot make the folder: %s", strerror(errno));
        return QR_EOUTPUT;
    }
    if (!harfbuzz_ready(d)) return QR_EINPUT;
    qr_style style;
    qr_style_default(&style);
    const char *fam[4];
    int fam_of[QR_FONT_COUNT];
    families(&style, fam, fam_of);
    char *key = cache_key(fam);
    if (!key) {
        qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                    "fonts: a variable of the environment the resolution "
                    "names (HOME, XDG_*, FONTCONFIG_*) holds a line end");
        return QR_EINPUT;
    }
    if (!fontconfig_ready(d)) {
        free(key);
        return QR_EINPUT;
    }
    /* fontconfig's answer, the full way: never the cache's, never a guess */
    resolved res[QR_FONT_COUNT];
    memset(res, 0, sizeof res);
    if (!resolve_all(NULL, fam, fam_of, res, d)) {
        free(key);
        return QR_EINPUT;
    }
    qr_buf e;
    qr_buf_init(&e);
    qr_status status = resolution_entry(key, res, &e)
                           ? write_shipped(dir, FONT_CACHE, &e, d)
                           : QR_EINPUT;
    qr_buf_free(&e);
    qr_fonts *f = fonts_open(key, fam, fam_of, res, NULL, d);
    if (!f) return QR_EINPUT;
    if (status == QR_OK) status = write_kerning(f, dir, d);
    if (status == QR_OK) status = write_metrics(f, dir, d);
    qr_fonts_free(f);
    /* HarfBuzz's identity, under which the tables above are keyed */
    qr_buf_init(&e);
    if (status == QR_OK && qr_fontlib_harfbuzz_entry(&e))
        status = write_shipped(dir, QR_HB_ID_ENTRY, &e, d);
    qr_buf_free(&e);
    return status;
}

bool qr_fonts_pending(const qr_fonts *f)
{
    return f && f->check && !f->check->verdict;
}

bool qr_fonts_confirm(qr_fonts *f)
{
    return !f || !f->check || check_verdict(f->check);
}

/* The fonts, really freed (a shared set too), learned kerning saved. */
void qr_fonts_finish(qr_fonts *f)
{
    if (!f) return;
    if (f->check) {
        check_finish(f->check);
        f->check = NULL;
    }
    for (int i = 0; i < f->nfaces; i++) common_save(&f->faces[i]);
    metrics_save(f);
}

static void fonts_close(qr_fonts *f)
{
    qr_fonts_finish(f);
    for (int i = 0; i < f->nfaces; i++) face_close(&f->faces[i]);
    for (int i = 0; i < f->nwarn; i++) free(f->warn[i]);
    free(f->key);
    free(f);
}

void qr_fonts_free(qr_fonts *f)
{
    if (!f) return;
    /* a shared set is kept for the next paper: only what it learned is
     * saved now */
    if (f == shared) qr_fonts_finish(f);
    else fonts_close(f);
}

/* ---- fonts shared with forked workers ----
 *
 * Each worker of a build is a fork of the build, and each loaded its
 * paper's fonts afresh: the resolution read from the cache and checked
 * against the stamps of some fifty fontconfig files and folders, every
 * face opened, mapped and measured, the kerning tables read: a hundred
 * system calls and their page faults per paper, for the same answer. The
 * build loads the house style's fonts once before the workers start and
 * shares them; a worker asking for the same families (and environment)
 * gets them as they are, in its own copy of the build's memory, so
 * nothing one paper does to them reaches another's. The fonts only cache
 * what the font files say (advances, kerning), nothing of a paper. */

void qr_fonts_share(qr_fonts *f)
{
    if (shared && shared != f) fonts_close(shared);
    shared = f;
    /* the kerning tables too, read once here rather than in each worker,
     * and each face opened: a worker's paper nearly always needs a subset
     * made, or a letter measured, that the cache does not hold (a build
     * loads HarfBuzz anyway, to know what it typesets with) */
    for (int i = 0; f && i < f->nfaces; i++) {
        face_rec *fr = &f->faces[i];
        if (fr->can_kern && !fr->common) common_load(fr);
        /* a face that will not open is no paper's failure: one that
         * needs it meets it again, and is refused then (a face that
         * opened as another font stays refused) */
        if (!face_hb(fr) && !fr->font) {
            free(fr->error);
            fr->error = NULL;
        }
    }
}

const qr_metrics *qr_fonts_metrics(const qr_fonts *f)
{
    return &f->metrics;
}

static const face_rec *cslot(const qr_fonts *f, qr_font_slot slot)
{
    if ((unsigned)slot >= QR_FONT_COUNT) slot = QR_FONT_REGULAR;
    return &f->faces[f->slot_face[slot]];
}

const char *qr_fonts_file(const qr_fonts *f, qr_font_slot slot)
{
    return cslot(f, slot)->file;
}

int qr_fonts_index(const qr_fonts *f, qr_font_slot slot)
{
    return cslot(f, slot)->index;
}

const char *qr_fonts_family(const qr_fonts *f, qr_font_slot slot)
{
    return cslot(f, slot)->family;
}

hb_face_t *qr_fonts_face(const qr_fonts *f, qr_font_slot slot)
{
    /* opening is the set's own cache, as measuring is: not a change a
     * caller of a const set could see */
    face_rec *fr = (face_rec *)cslot(f, slot);
    return face_hb(fr) ? fr->face : NULL;
}

int qr_fonts_face_number(const qr_fonts *f, qr_font_slot slot)
{
    if ((unsigned)slot >= QR_FONT_COUNT) slot = QR_FONT_REGULAR;
    return f->slot_face[slot];
}

const char *qr_fonts_error(const qr_fonts *f)
{
    for (int i = 0; f && i < f->nfaces; i++)
        if (f->faces[i].error) return f->faces[i].error;
    return NULL;
}

/* ---- the fixed-advance fake ---- */

static bool fake_missing(const qr_fake_font *fk, uint32_t cp)
{
    if (!fk->missing) return false;
    for (const uint32_t *p = fk->missing; *p; p++)
        if (*p == cp) return true;
    return false;
}

static bool is_fallback(qr_font_slot slot)
{
    return slot == QR_FONT_FALLBACK || slot == QR_FONT_FALLBACK_BOLD;
}

static bool fake_has_glyph(void *ctx, qr_font_slot slot, uint32_t cp)
{
    return is_fallback(slot) || !fake_missing(ctx, cp);
}

static float fake_advance(void *ctx, qr_font_slot slot, uint32_t cp)
{
    const qr_fake_font *fk = ctx;
    return fake_has_glyph(ctx, slot, cp) ? fk->advance : 0.0f;
}

static void fake_vmetrics(void *ctx, qr_font_slot slot, float *ascent,
                          float *descent)
{
    (void)ctx;
    (void)slot;
    if (ascent) *ascent = FAKE_ASCENT;
    if (descent) *descent = FAKE_DESCENT;
}

qr_metrics qr_metrics_fake(qr_fake_font *fake)
{
    qr_metrics m;
    m.ctx = fake;
    m.has_glyph = fake_has_glyph;
    m.advance = fake_advance;
    m.vmetrics = fake_vmetrics;
    m.kern = NULL;
    return m;
}
