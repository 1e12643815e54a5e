/* pdf.c — the pdf stage: the only file in Quire that includes hpdf.h.
 *
 * In:  the display list (layout.h), the font set layout measured with
 *      (fonts.h) and document metadata.
 * Out: PDF bytes, or an atomic write of them to a path.
 * Governing spec: ISO 32000-1 (PDF 1.7) — §9.7 CIDFonts (CIDFontType2, /W,
 *      /CIDToGIDMap), §9.10.3 ToUnicode CMaps, §12.3.3 outlines, §12.5.6.5 link
 *      annotations; libharu 2.3.0 (Debian bookworm), whose limits are noted
 *      where they matter.
 *
 * How text gets into the file: every page operator is written by this file
 * into the page's own buffer (see "drawing"); text is shown as two-byte
 * codes equal to BMP code points (/Encoding /Identity-H). Each used face is
 * cut down with HarfBuzz's subsetter to the code points the display list
 * uses and embedded by this file too (see "fonts"): the font program as
 * /FontFile2, /W from the widths layout measured, a /CIDToGIDMap, and a
 * ToUnicode CMap (CMapType 2, bfrange per run of used code points). libharu
 * keeps the object model (pages, resources, annotations, outlines, the
 * structure tree) and writes its objects' values (write_objects);
 * pdf_pack.c then puts in the stream contents, deflates them and packs the
 * objects. These reach into libharu's internal structs (HPDF_Doc_Rec,
 * HPDF_PageAttr_Rec, HPDF_Xref_Rec), which is why they stay in this file
 * and are checked by tests that read the PDF back (pdftotext, pdffonts,
 * qpdf).
 *
 * Tagging (§14.7–14.8): every item carries a role and a structure element;
 * each run of consecutive items of one element becomes one marked-content
 * sequence (/P <</MCID n>> BDC … EMC) and furniture becomes /Artifact. The
 * structure tree follows the element order (logical order), with a
 * ParentTree mapping MCIDs and link annotations back to their elements.
 *
 * Compactness: libharu writes every dictionary as a plain indirect object,
 * so a tagged paper would carry hundreds of uncompressed structure elements.
 * After libharu saves, qr_pdf_pack (pdf_pack.c) moves every non-stream object into
 * compressed object streams with a cross-reference stream (§7.5.7–7.5.8):
 * PDF 1.7 output. For that reason --pdfa makes PDF/A-2b (ISO 19005-2, which
 * allows object streams), not PDF/A-1b.
 *
 * Determinism: no clock, no random; dates come only from meta->epoch; the
 * subset tag is a hash of the face's used code points.
 */
#include "quire/cache.h"
#include "quire/image.h"
#include "quire/pdf.h"
#include "quire/util.h"
#include "pdf_int.h"
#include "pdf_pack.h"
#include "fontlib.h"

#include <hpdf.h>
#include <hpdf_conf.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BMP_SIZE 0x10000            /* libharu's CIDs are BMP code points */
#define BFRANGE_BLOCK 100           /* max entries per CMap block (spec) */
#define TAG_LEN 6                   /* subset tag "ABCDEF+" (PDF §9.6.4) */
#define MAX_TEXT_BYTES 65535        /* HPDF_LIMIT_MAX_STRING_LEN */
#define CHAR_SPACE 0x20
/* U+00AD in a text item is a hyphen layout inserted at a line break: drawn
 * with the face's '-' glyph at its width (what layout measured), read back
 * as U+00AD, which copied text, search and screen readers treat as the
 * hyphen of a broken word (ISO 14289-1 §7.2). */
#define CHAR_SOFT_HYPHEN 0x00AD
#define CHAR_HYPHEN 0x2D
#define LINE_EPS 0.5f               /* baselines closer than this: one line */
#define NUMTREE_LEAF 256            /* ParentTree pairs per leaf node */
#define ANNOT_FLAG_PRINT 4          /* annotation /F: print (PDF/A) */
#define DEFAULT_LANG "en-GB"

/* Marks: what a run of page content is tagged as. Element indices are >= 0. */
#define MARK_CLOSED (-3)            /* no marked-content sequence open */
#define MARK_NONE (-2)              /* the item draws nothing */
#define MARK_ARTIFACT (-1)

/* ---- state ---- */

/* What a FontDescriptor says about a face, as installed (read_facts). A
 * record of fixed size, kept in a subset's cache entry as it is. */
typedef struct face_facts {
    float bbox[4];              /* 1/1000 em */
    float italic_angle;
    float ascent, descent, cap_height, x_height;
    int32_t fixed, italic, bold;
    char ps_name[64];           /* PostScript name, name-safe, terminated */
} face_facts;
_Static_assert(sizeof(face_facts) == 9 * 4 + 3 * 4 + 64,
               "no padding: the record is written to the cache as it is");

/* One used code point's glyph in the embedded program, as its cmap says
 * (found 0: none, and gid is what the cmap gave, .notdef). A record of
 * fixed size too. */
typedef struct glyph_rec {
    uint32_t cp, gid, found;
} glyph_rec;
_Static_assert(sizeof(glyph_rec) == 12, "no padding");

/* Everything the font dictionaries need of HarfBuzz: read from it when the
 * subset is made (program_facts), or from the subset's cache entry on a
 * hit (facts_take), so that a hit calls no HarfBuzz function. */
typedef struct font_facts {
    face_facts face;            /* of the face, not of its subset */
    float notdef;               /* .notdef's advance in the program, 1/1000 em */
    glyph_rec *glyphs;          /* per used code point, in order */
    size_t nglyphs;
} font_facts;

typedef struct face_use {
    int number;                 /* identity: qr_fonts_face_number */
    qr_font_slot slot;          /* first slot that uses it */
    uint8_t bits[BMP_SIZE / 8]; /* used code points */
    int used;
    int has_space;              /* U+0020 marked, for line ends */
    HPDF_Dict font;             /* the Type0 font dictionary */
    /* the embedded font program: on a miss the blob of the face made
     * (program), on a hit bytes of the entry read (in zmem, program NULL) */
    hb_blob_t *program;
    const char *prog;
    unsigned plen;
    font_facts facts;
    /* the program deflated as the pack pass would (qr_pdf_subst's z), with
     * it in the cache entry; zdone false when there is no entry to keep it
     * in, and the pass deflates the program as it does any stream */
    bool zdone;
    const char *z;
    size_t zlen;
    char *zmem;                 /* the block z lies in (on a hit, the
                                   whole entry, program and all) */
    qr_buf tounicode, cidmap;   /* stream contents, for the pack pass */
} face_use;

typedef struct image_use {
    const char *path;
    const qr_image *source;     /* the display list's image, or NULL */
    HPDF_Image image;
} image_use;

typedef struct anchor_ref {
    const char *name;
    size_t page;
    float x, y;
    const char *title;          /* its heading or item title; may be NULL */
    size_t title_len;
} anchor_ref;

/* The text of a Link element, gathered from its runs (see link_words). */
typedef struct link_text {
    qr_buf text;
    float y;                    /* baseline of the last run */
} link_text;

/* One piece of tagged content, in drawing order: a marked-content sequence
 * (mcid on page) or a link annotation, belonging to structure element elem. */
typedef struct content_kid {
    int elem;
    int page;
    int mcid;                   /* -1 for an annotation or a graft */
    HPDF_Annotation annot;
    /* the structure of an imported PDF, which takes the place of elem (a
     * placeholder's Figure) in the tree: no content of its own */
    const qr_pdf_graft *graft;
} content_kid;

/* A graft given its place in the tree, and its elements' dictionaries. */
typedef struct placed_graft {
    const qr_pdf_graft *graft;
    HPDF_Dict *dicts;           /* one per graft element */
} placed_graft;

/* Pair (a, b) at (a - KERN_MEMO_FIRST) * KERN_MEMO_N + b - KERN_MEMO_FIRST;
 * v[i] holds m->kern's answer once bit i of known is set. */
#define KERN_MEMO_FIRST 0x20
#define KERN_MEMO_N 96              /* U+0020 .. U+007F */
struct kern_memo {
    uint64_t known[KERN_MEMO_N * KERN_MEMO_N / 64];
    float v[KERN_MEMO_N * KERN_MEMO_N];
};

typedef struct pdf_state {
    HPDF_Doc pdf;
    const qr_pages *doc;
    const qr_pdf_meta *meta;
    size_t nelems;
    content_kid *kids;
    size_t nkids, ckids;
    HPDF_STATUS err, detail;    /* first error libharu reported */
    qr_diags *d;
    const qr_fonts *fonts;
    face_use faces[QR_FONT_COUNT];
    int nfaces;
    int slot_face[QR_FONT_COUNT];
    image_use *images;
    size_t nimages, cimages;
    anchor_ref *anchors;
    size_t nanchors, canchors;
    HPDF_Page *pages;
    int failed;                 /* an error is already in d */
    int input_error;            /* the failure is bad input, not output */
    qr_buf *content;            /* each page's content stream */
    size_t npages;
    qr_pdf_subst *subst;        /* stream contents the pack pass writes */
    size_t nsubst, csubst;
    qr_pdf_zq *zq;              /* streams deflated ahead, or NULL */
    const qr_pdf_imports *imports;  /* pages of other PDFs drawn, or NULL */
    size_t *import_res;         /* per import: its /Resources object */
    HPDF_Dict *import_form;     /* per import: its Form XObject */
    unsigned char *hidden;      /* per element: a Figure a graft replaces,
                                   drawn as an artifact; NULL: none */
    placed_graft *placed;
    size_t nplaced;
    qr_buf stext;               /* the structure tree's text (add_text) */
    size_t stext_subst;         /* st->subst from here on is that text, */
    size_t *stext_at;           /* ... its starts in stext */
    size_t nstext_at, cstext_at;
    HPDF_Stream swriter;        /* libharu's writer into stext (buf_write) */
    link_text *ltext;           /* per element, for Link elements */
    char **link_alt;            /* per element: a Link element's /Alt */
    /* meta's strings as valid UTF-8 (a caller may have cut one to fit a
     * buffer mid-character), for Info and XMP alike; NULL = none */
    char *title, *author, *subject, *keywords;
    /* m->kern of each slot for ASCII pairs, as show_text asks it (see
     * slot_kern_memo); NULL until a slot's first text */
    struct kern_memo *kern_memo[QR_FONT_COUNT];
} pdf_state;

/* libharu's allocator. On failure libharu returns NULL from whatever was
 * being made and carries on; most callers (its own and this file's) then
 * use the NULL, so a large paper under a memory limit died of SIGSEGV. Out
 * of memory ends Quire the one way everywhere else does (qr_oom).
 *
 * libharu makes an object per name, number, dictionary entry and array
 * slot: 9,000 of them for an 11-page paper, 90,000 for 110 pages, each
 * malloc'd and later freed one by one, which was a twentieth of the
 * instructions of a render. Small blocks therefore come from 64 KB chunks,
 * one free list per 16-byte size class, and the chunks are let go whole
 * once the document is freed (hpdf_release). libharu's own memory pool
 * (HPDF_NewEx's buf_size) is no substitute: it never reuses a block, and
 * each growth of a list leaves the old copy behind, which for a paper of
 * 30,000 paragraphs was 25 MB more. Per thread, since nothing else ties a
 * block to its document.
 *
 * Every block libharu has comes from here (its memory manager and the
 * document too), so hpdf_release lets the whole document go without
 * HPDF_Free, which visited every object to free it block by block: the
 * larger blocks are kept on a list for that. */
#define HA_GRAIN 16                     /* alignment of every block */
#define HA_SMALL 256                    /* larger blocks go to malloc */
#define HA_CLASSES (HA_SMALL / HA_GRAIN)
#define HA_CHUNK (64 * 1024)
#define HA_BIG ((size_t)-1)             /* header of a malloc'd block */

/* A malloc'd block's header: tag, HA_GRAIN before the body as a small
 * block's size class is, says HA_BIG. */
typedef struct ha_big {
    struct ha_big *prev, *next;
    size_t tag, pad;
} ha_big;
_Static_assert(sizeof(ha_big) - offsetof(ha_big, tag) == HA_GRAIN,
               "the tag is where hpdf_free reads a block's class");

typedef struct ha_state {
    char *chunk;                        /* the chunk being cut */
    size_t used;
    void *chunks;                       /* every chunk, through its first word */
    void *free[HA_CLASSES];             /* freed blocks, through their body */
    ha_big *big;                        /* every malloc'd block */
} ha_state;

static _Thread_local ha_state ha;

static void *HPDF_STDCALL hpdf_alloc(HPDF_UINT size)
{
    size_t n = size ? size : 1;
    char *p;
    if (n > HA_SMALL) {
        ha_big *b = malloc(sizeof *b + n);
        if (!b) qr_oom(n);
        b->prev = NULL;
        b->next = ha.big;
        if (ha.big) ha.big->prev = b;
        ha.big = b;
        b->tag = HA_BIG;
        return b + 1;
    }
    size_t k = (n - 1) / HA_GRAIN;
    if (ha.free[k]) {
        p = ha.free[k];
        memcpy(&ha.free[k], p, sizeof(void *));
        return p;
    }
    size_t need = HA_GRAIN + (k + 1) * HA_GRAIN;
    if (!ha.chunk || ha.used + need > HA_CHUNK) {
        char *c = malloc(HA_CHUNK);
        if (!c) qr_oom(HA_CHUNK);
        memcpy(c, &ha.chunks, sizeof(void *));
        ha.chunks = c;
        ha.chunk = c;
        ha.used = HA_GRAIN;             /* the link to the previous chunk */
    }
    p = ha.chunk + ha.used;
    ha.used += need;
    *(size_t *)p = k;
    return p + HA_GRAIN;
}

static void HPDF_STDCALL hpdf_free(void *ptr)
{
    if (!ptr) return;
    char *p = ptr;
    size_t k = *(size_t *)(p - HA_GRAIN);
    if (k == HA_BIG) {
        ha_big *b = (ha_big *)ptr - 1;
        if (b->prev) b->prev->next = b->next;
        else ha.big = b->next;
        if (b->next) b->next->prev = b->prev;
        free(b);
        return;
    }
    memcpy(p, &ha.free[k], sizeof(void *));
    ha.free[k] = p;
}

/* The document's memory, all of it: in place of HPDF_Free. */
static void hpdf_release(void)
{
    for (ha_big *b = ha.big, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    void *c = ha.chunks;
    while (c) {
        void *next;
        memcpy(&next, c, sizeof next);
        free(c);
        c = next;
    }
    memset(&ha, 0, sizeof ha);
}

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user)
{
    pdf_state *st = user;
    if (!st->err) {
        st->err = error_no;
        st->detail = detail_no;
    }
}

/* True (after adding an error) when libharu has reported a problem since the
 * last check, either through the handler or only in the document's error
 * (internal calls set it without calling the handler). */
static bool hpdf_failed(pdf_state *st, const char *what)
{
    HPDF_STATUS e = st->err ? st->err : HPDF_GetError(st->pdf);
    if (!e) return false;
    HPDF_STATUS detail = st->err ? st->detail : HPDF_GetErrorDetail(st->pdf);
    if (!st->failed)
        qr_diag_add(st->d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                    "PDF library error 0x%04X (detail %u) while %s",
                    (unsigned)e, (unsigned)detail, what);
    st->failed = 1;
    return true;
}

static void fail(pdf_state *st, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(pdf_state *st, const char *file, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    qr_diag_add(st->d, QR_ERROR, file, 0, 0, NULL, NULL, "%s", buf);
    st->failed = 1;
}

/* ---- text strings ----
 *
 * libharu refuses a string longer than 65,535 bytes (error 0x105B, with no
 * word of where) and garbles invalid UTF-8, yet alt text (a chart of 6,000
 * points), a link's description or a title from the data can be longer.
 * So text strings are made here: ASCII up to libharu's limit as its
 * literal string; anything else as UTF-16BE with a byte order mark
 * (ISO 32000-1 §7.9.2.2), or the ASCII bytes, written as a hex string whose
 * bytes go into a libharu binary object directly, where no limit applies.
 * A character cut short (a name cut to fit a buffer, then joined to more
 * text) is dropped, never half-written or merged with what follows; other
 * invalid bytes read as U+FFFD. */

#define CHAR_REPLACEMENT 0xFFFD

#define CP_NONE UINT32_MAX          /* next_cp: nothing to write */

/* Next code point of s[0..len) at *off: CP_NONE for a character cut short
 * (a lead byte and fewer continuation bytes than it announces), U+FFFD for
 * any other invalid byte. */
static uint32_t next_cp(const char *s, size_t len, size_t *off)
{
    uint32_t cp;
    int n = qr_utf8_decode(s + *off, len - *off, &cp);
    if (n > 0) {
        *off += (size_t)n;
        return cp;
    }
    unsigned char c = (unsigned char)s[*off];
    size_t need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                : (c & 0xF8) == 0xF0 ? 4 : 0;
    size_t k = 1;
    while (k < need && *off + k < len && ((unsigned char)s[*off + k] & 0xC0) == 0x80)
        k++;
    if (need && k < need) {
        *off += k;
        return CP_NONE;
    }
    *off += 1;
    return CHAR_REPLACEMENT;
}

/* A copy of s as valid UTF-8 (the caller frees): for Info and XMP. */
static char *utf8_clean(const char *s)
{
    size_t len = strlen(s);
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_append(&b, "", 0);                   /* terminated when empty */
    qr_buf_reserve(&b, len);
    for (size_t off = 0; off < len;) {
        char u[4];
        uint32_t cp = next_cp(s, len, &off);
        if (cp != CP_NONE) qr_buf_append(&b, u, (size_t)qr_utf8_encode(cp, u));
    }
    return qr_buf_detach(&b, NULL);
}

/* A libharu string object holding exactly these bytes (hex on output). */
static void *raw_string(pdf_state *st, const char *data, size_t len)
{
    HPDF_MMgr mm = st->pdf->mmgr;
    HPDF_BYTE one = 0;
    if (len > UINT32_MAX) len = UINT32_MAX;     /* HPDF_UINT; input is capped far below */
    HPDF_Binary b = HPDF_Binary_New(mm, &one, 1);
    HPDF_BYTE *v = b ? HPDF_GetMem(mm, (HPDF_UINT)(len ? len : 1)) : NULL;
    if (!v) {
        if (b) HPDF_Binary_Free(b);
        return NULL;
    }
    if (len) memcpy(v, data, len);
    HPDF_FreeMem(mm, b->value);
    b->value = v;
    b->len = (HPDF_UINT)len;
    return b;
}

static void put_utf16(qr_buf *b, uint32_t cp)
{
    if (cp >= 0x10000) {
        cp -= 0x10000;
        put_utf16(b, 0xD800 + (cp >> 10));
        cp = 0xDC00 + (cp & 0x3FF);
    }
    qr_buf_putc(b, (char)(cp >> 8));
    qr_buf_putc(b, (char)(cp & 0xFF));
}

/* s as a UTF-16BE string with a byte order mark, written in hex: what
 * libharu's UTF-8 encoder writes for a string, without that encoder (whose
 * set-up, 1.4M instructions of table filling, cost more than the rest of
 * the document's metadata). */
static void *utf16_string(pdf_state *st, const char *s, size_t len)
{
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_reserve(&b, 2 * len + 2);
    put_utf16(&b, 0xFEFF);
    for (size_t off = 0; off < len;) {
        uint32_t cp = next_cp(s, len, &off);
        if (cp != CP_NONE) put_utf16(&b, cp);
    }
    void *str = raw_string(st, b.data, b.len);
    qr_buf_free(&b);
    return str;
}

/* A text string object for s (any length, any bytes), or NULL when libharu
 * could not make one (its error is recorded). */
static void *text_string(pdf_state *st, const char *s)
{
    size_t len = strlen(s);
    int ascii = 1;
    for (size_t i = 0; i < len && ascii; i++)
        if ((unsigned char)s[i] >= 0x80) ascii = 0;
    if (ascii && len <= MAX_TEXT_BYTES)
        return HPDF_String_New(st->pdf->mmgr, s, NULL);
    if (ascii) return raw_string(st, s, len);
    return utf16_string(st, s, len);
}

/* ---- pass 1: what the display list uses ---- */

static face_use *face_of(pdf_state *st, qr_font_slot slot)
{
    if ((unsigned)slot >= QR_FONT_COUNT) slot = QR_FONT_REGULAR;
    return &st->faces[st->slot_face[slot]];
}

/* The faces the slots are set in, each once. Only their numbers: a face
 * is opened (qr_fonts_face) when its subset is not in the cache. */
static void collect_faces(pdf_state *st)
{
    for (int s = 0; s < QR_FONT_COUNT; s++) {
        int number = qr_fonts_face_number(st->fonts, (qr_font_slot)s);
        int k = 0;
        while (k < st->nfaces && st->faces[k].number != number) k++;
        if (k == st->nfaces) {
            st->faces[k].number = number;
            st->faces[k].slot = (qr_font_slot)s;
            st->nfaces++;
        }
        st->slot_face[s] = k;
    }
}

static void add_anchor(pdf_state *st, const qr_item *it, size_t page)
{
    if (!it->name) return;
    QR_GROW(st->anchors, st->nanchors, st->canchors, 32);
    anchor_ref *a = &st->anchors[st->nanchors++];
    a->name = it->name;
    a->page = page;
    a->x = it->x;
    a->y = it->y;
    a->title = it->text && it->len ? it->text : NULL;
    a->title_len = it->text ? it->len : 0;
}

static const anchor_ref *find_anchor(const pdf_state *st, const char *name)
{
    for (size_t i = 0; i < st->nanchors; i++)
        if (strcmp(st->anchors[i].name, name) == 0) return &st->anchors[i];
    return NULL;
}

static qr_role elem_role(const pdf_state *st, int e);

/* Add a text run of a Link element to the element's text. A run on a new
 * baseline starts a new line: layout dropped the space there, or broke a
 * word at a hyphen it inserted (U+00AD), which joins the word again. */
static void collect_link_text(pdf_state *st, const qr_item *it)
{
    if (!st->ltext) st->ltext = qr_xcalloc(st->nelems, sizeof *st->ltext);
    link_text *lt = &st->ltext[it->elem];
    qr_buf *b = &lt->text;
    if (b->len && fabsf(lt->y - it->y) > LINE_EPS) {
        char last = b->data[b->len - 1];
        if (b->len >= 2 && memcmp(b->data + b->len - 2, "\xC2\xAD", 2) == 0)
            b->data[b->len -= 2] = '\0';
        else if (last != ' ' && last != '-' && last != '/')
            qr_buf_putc(b, ' ');
    }
    qr_buf_append(b, it->text, it->len);
    lt->y = it->y;
}

/* qr_utf8_decode with ASCII, most of any text, decoded in line: it runs
 * for every character scanned and drawn. */
static inline int decode(const char *s, size_t n, uint32_t *cp)
{
    if (n && (unsigned char)s[0] < 0x80) {
        *cp = (unsigned char)s[0];
        return 1;
    }
    return qr_utf8_decode(s, n, cp);
}

/* Mark the code points of every text item; check they can be written. */
static bool scan(pdf_state *st, const qr_pages *pages)
{
    for (size_t p = 0; p < qr_pages_count(pages); p++) {
        const qr_page *pg = qr_pages_get(pages, p);
        for (size_t i = 0; i < pg->nitems; i++) {
            const qr_item *it = &pg->items[i];
            if (it->kind == QR_ITEM_ANCHOR) add_anchor(st, it, p);
            if (it->kind != QR_ITEM_TEXT || !it->text || !it->len) continue;
            if (!st->fonts) {
                fail(st, NULL, "page %zu has text but no fonts were given",
                     p + 1);
                return false;
            }
            if (it->len > MAX_TEXT_BYTES) {
                fail(st, NULL, "page %zu: text run of %zu bytes is too long",
                     p + 1, it->len);
                return false;
            }
            face_use *fu = face_of(st, it->font);
            const unsigned char *t = (const unsigned char *)it->text;
            size_t off = 0;
            fu->used = 1;
            while (off < it->len) {
                /* a run of ASCII, most text, without decoding: 19
                 * instructions a character were 7 % of the stage */
                unsigned c = t[off];
                if (c < 0x80) {
                    fu->bits[c >> 3] |= (uint8_t)(1u << (c & 7));
                    off++;
                    continue;
                }
                uint32_t cp;
                int n = qr_utf8_decode(it->text + off, it->len - off, &cp);
                if (n == 0) {
                    fail(st, NULL, "page %zu: invalid UTF-8 in text '%.*s'",
                         p + 1, (int)it->len, it->text);
                    st->input_error = 1;
                    return false;
                }
                if (cp >= BMP_SIZE) {
                    fail(st, NULL,
                         "page %zu: character U+%04X is outside the Basic "
                         "Multilingual Plane and cannot be embedded",
                         p + 1, (unsigned)cp);
                    st->input_error = 1;
                    return false;
                }
                fu->bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
                off += (size_t)n;
            }
            if (it->elem >= 0 && (size_t)it->elem < st->nelems &&
                elem_role(st, it->elem) == QR_ROLE_LINK)
                collect_link_text(st, it);
        }
    }
    /* Line ends get a space (see draw_text), where the face has one. */
    const qr_metrics *m = st->fonts ? qr_fonts_metrics(st->fonts) : NULL;
    for (int k = 0; m && k < st->nfaces; k++) {
        face_use *fu = &st->faces[k];
        if (!fu->used || !m->has_glyph(m->ctx, fu->slot, CHAR_SPACE)) continue;
        fu->bits[CHAR_SPACE >> 3] |= (uint8_t)(1u << (CHAR_SPACE & 7));
        fu->has_space = 1;
    }
    return true;
}

static bool bit(const face_use *fu, uint32_t cp)
{
    return (fu->bits[cp >> 3] >> (cp & 7)) & 1;
}

/* The bits of used code points cp & ~63 .. cp | 63, code point c at bit
 * c & 63 whatever the byte order. */
static uint64_t used_word(const face_use *fu, uint32_t cp)
{
    uint64_t w;
    memcpy(&w, fu->bits + (cp >> 6) * 8, sizeof w);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* The first used code point at or after cp, or BMP_SIZE. A paper uses a
 * few hundred of the 65,536: testing each bit was 1.5M instructions a face
 * (a third of the PDF stage's own work), skipping empty words of 64 is a
 * few thousand. */
static uint32_t next_used(const face_use *fu, uint32_t cp)
{
    while (cp < BMP_SIZE) {
        uint64_t w = used_word(fu, cp) >> (cp & 63);
        if (w) return cp + (uint32_t)__builtin_ctzll(w);
        cp = (cp | 63) + 1;
    }
    return BMP_SIZE;
}

static HPDF_Dict new_indirect(pdf_state *st);

/* ---- fonts ----
 *
 * Each used face is embedded by Quire itself, not through libharu's
 * TrueType loader: HarfBuzz's subsetter cuts the face down to the used code
 * points, and that font program goes into the file as it is (/FontFile2),
 * with the dictionaries of a CIDFontType2 font (ISO 32000-1 §9.7) built
 * from HarfBuzz's view of the face (font_facts: made with the subset, and
 * kept in the cache with it). Codes are the code points (two bytes,
 * /Identity-H), /CIDToGIDMap maps them to the subset's glyphs, /W gives
 * the widths layout measured (fonts.c), and /ToUnicode maps codes back to
 * text. libharu parsed and re-serialised every font program (2-3 ms a
 * paper, and a seek past the end of its buffer on some fonts); now it only
 * holds the dictionaries, and the pack pass writes the stream contents. */

/* A subset tag from the used code points: same subset, same tag, so two
 * renders of the same input are byte-identical. */
static void subset_tag(const face_use *fu, int k, char tag[TAG_LEN + 1])
{
    uint32_t h = 2166136261u;                   /* FNV-1a */
    /* eight zero bytes (most of them) multiply h by the prime's eighth
     * power, which is what the byte loop would do */
    uint32_t p8 = 1;
    for (int i = 0; i < 8; i++) p8 *= 16777619u;
    for (size_t i = 0; i < sizeof fu->bits; i += 8) {
        uint64_t w;
        memcpy(&w, fu->bits + i, sizeof w);
        if (!w) {
            h *= p8;
            continue;
        }
        for (size_t j = i; j < i + 8; j++) {
            h ^= fu->bits[j];
            h *= 16777619u;
        }
    }
    h ^= (uint32_t)k;
    h *= 16777619u;
    for (int i = 0; i < TAG_LEN; i++) {
        tag[i] = (char)('A' + h % 26);
        h /= 26;
        if (!h) h = 2166136261u + (uint32_t)i;
    }
    tag[TAG_LEN] = '\0';
}

/* The face cut down to the used code points (glyph ids renumbered), or
 * NULL when HarfBuzz cannot subset it. */
static hb_face_t *subset_face(const face_use *fu, hb_face_t *face)
{
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    if (!in) return NULL;
    hb_set_t *u = hb_subset_input_unicode_set(in);
    for (uint32_t cp = next_used(fu, 0); cp < BMP_SIZE;
         cp = next_used(fu, cp + 1))
        hb_set_add(u, cp);
    if (bit(fu, CHAR_SOFT_HYPHEN)) hb_set_add(u, CHAR_HYPHEN);
    /* hinting instructions are for screens at small sizes: PDF viewers
     * rarely use them, and they are much of a face's size */
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
    /* The layout tables go too. A PDF addresses glyphs by CID (the code
     * point, through /CIDToGIDMap) and kerning is in the page content, so
     * no viewer reads GSUB, GPOS or GDEF; kept, they cost three quarters of
     * subsetting (HarfBuzz follows every substitution and position rule
     * from the used glyphs: 4.4 M of 5.8 M instructions on the benchmark
     * report's cold run) and a kilobyte of each paper. */
    hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    hb_set_add(drop, HB_TAG('G', 'S', 'U', 'B'));
    hb_set_add(drop, HB_TAG('G', 'P', 'O', 'S'));
    hb_set_add(drop, HB_TAG('G', 'D', 'E', 'F'));
    hb_face_t *sub = hb_subset_or_fail(face, in);
    hb_subset_input_destroy(in);
    return sub;
}

/* ---- subsets, remembered ----
 *
 * Subsetting is a sixth of a short paper's instructions (hb_subset, then
 * serialising the face), and the same paper rendered again, or the next
 * paper of a build from the same template, asks for the same code points of
 * the same face. So the last subset of each face is kept in Quire's cache
 * (cache.h): one entry per font file and face, its key the identity of the
 * HarfBuzz libraries (qr_fontlib_harfbuzz_id, known without loading them),
 * the file's stamp and the whole bitmap of used code points. The program
 * is HarfBuzz's output for that key, so a hit embeds the same bytes; a
 * different set of code points replaces the entry.
 *
 * The entry also keeps all else the font dictionaries take from HarfBuzz
 * (font_facts: the face's FontDescriptor facts, each used code point's
 * glyph in the program, .notdef's advance), so that a hit calls no
 * HarfBuzz function and a warm render never loads it: the face is opened
 * only for a subset to be made.
 *
 * Deflating is a tenth or more of a warm render, and the font programs a
 * third of what a short paper deflates (a sixth of the benchmark report):
 * so the entry also keeps the program as the pack pass deflates it
 * (qr_pdf_deflate, the pass's own level and rule), and a hit hands those
 * bytes to the pass, which writes them as they are instead of deflating
 * the program again. On a miss the program is deflated once, for the
 * entry and the PDF alike. */

/* Entry: the key's length (8 bytes), the key, a checksum (8 bytes) of all
 * that follows it: the face's facts (a face_facts record), .notdef's
 * advance (a float), the number of glyph records (8 bytes; one per used
 * code point), the glyph records (glyph_rec, in code point order), the
 * program's length (8 bytes), the program, the deflated program's length
 * (8 bytes; 0 when deflating does not shrink it), the deflated program.
 * Numbers in the machine's order: the cache is the machine's own. */
#define SUBSET_FORMAT 5            /* 5: the facts and glyphs kept too */

/* How many code points fu uses. */
static size_t used_count(const face_use *fu)
{
    size_t n = 0;
    /* most words are 0, and a popcount is a call into libgcc */
    for (size_t i = 0; i < sizeof fu->bits; i += 8) {
        uint64_t w;
        memcpy(&w, fu->bits + i, sizeof w);
        if (w) n += (size_t)__builtin_popcountll(w);
    }
    return n;
}

/* The bytes of an entry being read, handed out in order: a damaged entry
 * may say anything, so every length is checked against what is left. */
typedef struct entry_reader {
    const char *at;
    size_t left;
} entry_reader;

/* The next n bytes, or NULL when fewer are left. */
static const char *take(entry_reader *r, uint64_t n)
{
    if (n > r->left) return NULL;
    const char *p = r->at;
    r->at += n;
    r->left -= (size_t)n;
    return p;
}

/* The next length, or UINT64_MAX (too long for anything) past the end. */
static uint64_t take_len(entry_reader *r)
{
    uint64_t v = UINT64_MAX;
    const char *p = take(r, sizeof v);
    if (p) memcpy(&v, p, sizeof v);
    return v;
}

static void put_len(qr_buf *e, uint64_t v)
{
    qr_buf_append(e, &v, sizeof v);
}

/* The facts into an entry, as facts_take reads them. */
static void facts_put(qr_buf *e, const font_facts *ff)
{
    qr_buf_append(e, &ff->face, sizeof ff->face);
    qr_buf_append(e, &ff->notdef, sizeof ff->notdef);
    put_len(e, ff->nglyphs);
    qr_buf_append(e, ff->glyphs, ff->nglyphs * sizeof *ff->glyphs);
}

/* The facts of fu from an entry into ff (ff->glyphs the caller's to free,
 * whatever the answer); false when they are not fu's: a name without its
 * end, or glyph records that are not one per used code point in order. */
static bool facts_take(entry_reader *r, const face_use *fu, font_facts *ff)
{
    const char *face = take(r, sizeof ff->face);
    const char *notdef = take(r, sizeof ff->notdef);
    uint64_t n = take_len(r);
    const char *glyphs = n <= BMP_SIZE ? take(r, n * sizeof *ff->glyphs) : NULL;
    if (!face || !notdef || !glyphs) return false;
    memcpy(&ff->face, face, sizeof ff->face);
    memcpy(&ff->notdef, notdef, sizeof ff->notdef);
    ff->nglyphs = (size_t)n;
    ff->glyphs = qr_xcalloc(n ? (size_t)n : 1, sizeof *ff->glyphs);
    memcpy(ff->glyphs, glyphs, (size_t)n * sizeof *ff->glyphs);
    if (!memchr(ff->face.ps_name, '\0', sizeof ff->face.ps_name))
        return false;
    uint32_t cp = next_used(fu, 0);
    for (size_t i = 0; i < ff->nglyphs; i++, cp = next_used(fu, cp + 1))
        if (cp == BMP_SIZE || ff->glyphs[i].cp != cp || ff->glyphs[i].found > 1)
            return false;
    return cp == BMP_SIZE;          /* no used code point left without one */
}

/* The entry's name (caller frees) and key, or NULL when the face has no
 * file to stamp, caching is off, or nothing HarfBuzz makes may be kept
 * (then nothing is deflated ahead of the pass for an entry that cannot be
 * kept). */
static char *subset_entry(pdf_state *st, const face_use *fu, qr_buf *key)
{
    const char *file = qr_fonts_file(st->fonts, fu->slot);
    if (!file || !*file) return NULL;
    int index = qr_fonts_index(st->fonts, fu->slot);
    char *name = qr_xasprintf("subset-%016llx-%d",
                              (unsigned long long)qr_fnv64(QR_FNV64_INIT, file,
                                                           strlen(file)),
                              index);
    char *path = qr_cache_path(name);
    const char *hb = path ? qr_fontlib_harfbuzz_id() : NULL;
    free(path);
    if (!hb) {
        free(name);
        return NULL;
    }
    qr_buf_printf(key, "quire font subset %d\n%s\nface %d\n",
                  SUBSET_FORMAT, hb, index);
    qr_cache_stamp(key, file);
    qr_buf_append(key, fu->bits, sizeof fu->bits);
    return name;
}

/* The cached subset for this key into fu: its program (fu->prog, plen),
 * facts, and deflated program (fu->z, zlen, zdone), all bytes of the entry
 * read, which fu->zmem keeps. False when there is none that holds. Calls
 * no HarfBuzz function. */
static bool subset_cached(const char *name, const qr_buf *key, face_use *fu)
{
    size_t n = 0;
    char *data = qr_cache_read(name, &n);
    if (!data) return false;
    entry_reader r = {data, n};
    const char *k, *prog, *z;
    uint64_t sum, plen, zlen;
    if (take_len(&r) != key->len || !(k = take(&r, key->len)) ||
        memcmp(k, key->data, key->len) != 0)
        goto miss;
    sum = take_len(&r);
    if (sum != qr_filehash_of(r.at, r.left) || !facts_take(&r, fu, &fu->facts))
        goto miss;
    plen = take_len(&r);
    if (plen == 0 || plen > UINT_MAX || !(prog = take(&r, plen))) goto miss;
    zlen = take_len(&r);
    if (zlen >= plen || zlen != r.left) goto miss;
    z = take(&r, zlen);
    fu->prog = prog;
    fu->plen = (unsigned)plen;
    fu->zdone = true;
    fu->z = zlen ? z : NULL;
    fu->zlen = (size_t)zlen;
    fu->zmem = data;
    return true;
miss:
    free(fu->facts.glyphs);
    memset(&fu->facts, 0, sizeof fu->facts);
    free(data);
    return false;
}

/* A program just made (fu->prog, plen, facts): deflated for the PDF
 * (fu->z, zlen, zdone, zmem), and kept with its facts under name. */
static void subset_remember(const char *name, const qr_buf *key, face_use *fu)
{
    char *z;
    size_t zlen;
    /* no memory to try: no entry either, and the pass deflates it */
    if (!qr_pdf_deflate(fu->prog, fu->plen, &z, &zlen)) return;
    fu->zdone = true;
    fu->z = fu->zmem = z;
    fu->zlen = zlen;
    qr_buf e;
    qr_buf_init(&e);
    put_len(&e, key->len);
    qr_buf_append(&e, key->data, key->len);
    size_t at = e.len + 8;
    put_len(&e, 0);                             /* the checksum, set below */
    facts_put(&e, &fu->facts);
    put_len(&e, fu->plen);
    qr_buf_append(&e, fu->prog, fu->plen);
    put_len(&e, zlen);
    if (z) qr_buf_append(&e, z, zlen);
    uint64_t sum = qr_filehash_of(e.data + at, e.len - at);
    memcpy(e.data + at - 8, &sum, 8);
    qr_cache_write_checked(name, e.data, e.len);    /* best effort */
    qr_buf_free(&e);
}

/* An empty stream object whose content the pack pass supplies. */
static HPDF_Dict stream_for(pdf_state *st, const char *data, size_t len)
{
    HPDF_Dict s = HPDF_DictStream_New(st->pdf->mmgr, st->pdf->xref);
    if (!s) return NULL;
    QR_GROW(st->subst, st->nsubst, st->csubst, 16);
    st->subst[st->nsubst++] = (qr_pdf_subst){
        .obj = s->header.obj_id & 0x00FFFFFF, .data = data, .len = len};
    return s;
}

/* "<XXXX>" for code v, then c: the bfrange lines by hand, where
 * qr_buf_printf's "<%04X> <%04X> <%04X>\n" was 3,800 instructions a
 * line, a fifth of embedding the fonts. */
static void put_code(qr_buf *b, uint32_t v, char c)
{
    static const char HEX[] = "0123456789ABCDEF";
    char d[7] = {'<', HEX[(v >> 12) & 15], HEX[(v >> 8) & 15],
                 HEX[(v >> 4) & 15], HEX[v & 15], '>', c};
    put_bytes(b, d, sizeof d);
}

/* A ToUnicode CMap (CMapType 2) mapping each used code to the code point
 * it is, one bfrange per run that stays within one high byte. */
static void build_tounicode(const face_use *fu, qr_buf *b)
{
    qr_buf_puts(b,
                "/CIDInit /ProcSet findresource begin\n"
                "12 dict begin\n"
                "begincmap\n"
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
                "/Supplement 0 >> def\n"
                "/CMapName /Adobe-Identity-UCS def\n"
                "/CMapType 2 def\n"
                "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    /* Gather runs first: each block header states its count. */
    uint32_t lo[BFRANGE_BLOCK], hi[BFRANGE_BLOCK];
    int n = 0;
    for (uint32_t cp = next_used(fu, 0);; cp = next_used(fu, cp + 1)) {
        bool on = cp < BMP_SIZE;
        if (on && n > 0 && hi[n - 1] + 1 == cp && (cp & 0xFF) != 0) {
            hi[n - 1] = cp;
            continue;
        }
        if ((on && n == BFRANGE_BLOCK) || (!on && n > 0)) {
            put_dec(b, (size_t)n);
            put_str(b, " beginbfrange\n");
            for (int i = 0; i < n; i++) {
                put_code(b, lo[i], ' ');
                put_code(b, hi[i], ' ');
                put_code(b, lo[i], '\n');
            }
            qr_buf_puts(b, "endbfrange\n");
            n = 0;
        }
        if (!on) break;
        lo[n] = hi[n] = cp;
        n++;
    }
    qr_buf_puts(b, "endcmap\n"
                   "CMapName currentdict /CMap defineresource pop\n"
                   "end\nend\n");
}

/* Big-endian fields of a font table. */
static int be16(const char *t, unsigned len, unsigned at)
{
    if (at + 2 > len) return 0;
    return (int16_t)(((unsigned char)t[at] << 8) | (unsigned char)t[at + 1]);
}

static uint32_t be32(const char *t, unsigned len, unsigned at)
{
    if (at + 4 > len) return 0;
    return ((uint32_t)(unsigned char)t[at] << 24) | ((uint32_t)(unsigned char)t[at + 1] << 16) |
           ((uint32_t)(unsigned char)t[at + 2] << 8) | (unsigned char)t[at + 3];
}

/* What a FontDescriptor says about a face, from its head, post, OS/2 and
 * name tables. */
static void read_facts(hb_face_t *face, face_facts *ff)
{
    memset(ff, 0, sizeof *ff);
    unsigned upem = hb_face_get_upem(face), len;
    float k = upem ? 1000.0f / (float)upem : 1.0f;
    hb_blob_t *blob = hb_face_reference_table(face, HB_TAG('h', 'e', 'a', 'd'));
    const char *t = hb_blob_get_data(blob, &len);
    for (int i = 0; i < 4; i++) ff->bbox[i] = (float)be16(t, len, 36 + 2 * (unsigned)i) * k;
    int mac_style = be16(t, len, 44);
    hb_blob_destroy(blob);
    blob = hb_face_reference_table(face, HB_TAG('p', 'o', 's', 't'));
    t = hb_blob_get_data(blob, &len);
    ff->italic_angle = (float)(int32_t)be32(t, len, 4) / 65536.0f;
    ff->fixed = be32(t, len, 12) != 0;
    hb_blob_destroy(blob);
    blob = hb_face_reference_table(face, HB_TAG('h', 'h', 'e', 'a'));
    t = hb_blob_get_data(blob, &len);
    ff->ascent = (float)be16(t, len, 4) * k;
    ff->descent = (float)be16(t, len, 6) * k;
    hb_blob_destroy(blob);
    blob = hb_face_reference_table(face, HB_TAG('O', 'S', '/', '2'));
    t = hb_blob_get_data(blob, &len);
    int fs_selection = be16(t, len, 62);
    if (be16(t, len, 0) >= 2) {
        ff->x_height = (float)be16(t, len, 86) * k;
        ff->cap_height = (float)be16(t, len, 88) * k;
    }
    hb_blob_destroy(blob);
    if (ff->cap_height <= 0) ff->cap_height = ff->ascent;
    ff->italic = (mac_style & 2) || (fs_selection & 1) || ff->italic_angle != 0;
    ff->bold = (mac_style & 1) || (fs_selection & 0x20);
    char name[64] = "";
    unsigned n = sizeof name;
    hb_ot_name_get_utf8(face, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID,
                        &n, name);
    /* a PDF name: printable ASCII without delimiters (ISO 32000-1 §7.3.5) */
    size_t o = 0;
    for (const char *s = name; *s && o + 1 < sizeof ff->ps_name; s++)
        if (*s > ' ' && *s < 0x7F && !strchr("()<>[]{}/%#", *s)) ff->ps_name[o++] = *s;
    ff->ps_name[o] = '\0';
    if (!o) snprintf(ff->ps_name, sizeof ff->ps_name, "Font");
}

/* fu's program and facts from sub, the face embedded (face's subset, or
 * face itself), which this takes: what a hit reads from the entry, here
 * from HarfBuzz. */
static void program_facts(face_use *fu, hb_face_t *face, hb_face_t *sub)
{
    fu->program = hb_face_reference_blob(sub);
    fu->prog = hb_blob_get_data(fu->program, &fu->plen);
    font_facts *ff = &fu->facts;
    read_facts(face, &ff->face);
    hb_font_t *font = hb_font_create(sub);
    unsigned upem = hb_face_get_upem(sub);
    hb_font_set_scale(font, (int)upem, (int)upem);
    /* a code point without a glyph shows .notdef, at its own width */
    hb_position_t a = hb_font_get_glyph_h_advance(font, 0);
    ff->notdef = upem ? (float)(((unsigned long)(a < 0 ? 0 : a) * 1000) / upem) : 0;
    ff->nglyphs = used_count(fu);
    ff->glyphs = qr_xcalloc(ff->nglyphs ? ff->nglyphs : 1, sizeof *ff->glyphs);
    glyph_rec *g = ff->glyphs;
    for (uint32_t cp = next_used(fu, 0); cp < BMP_SIZE;
         cp = next_used(fu, cp + 1), g++) {
        hb_codepoint_t gid = 0;
        uint32_t look = cp == CHAR_SOFT_HYPHEN ? CHAR_HYPHEN : cp;
        g->cp = cp;
        g->found = hb_font_get_nominal_glyph(font, look, &gid) ? 1 : 0;
        g->gid = gid;
    }
    hb_font_destroy(font);
    hb_face_destroy(sub);
}

static HPDF_Array int_array(pdf_state *st, const float *v, int n)
{
    HPDF_Array a = HPDF_Array_New(st->pdf->mmgr);
    for (int i = 0; a && i < n; i++) HPDF_Array_AddNumber(a, (HPDF_INT32)lroundf(v[i]));
    return a;
}

/* The descendant CIDFontType2's /W and the /CIDToGIDMap contents: widths
 * as layout measured them (.notdef's own where there is no glyph), glyphs
 * from the embedded program's cmap (fu->facts). */
static HPDF_Array widths_and_map(pdf_state *st, face_use *fu)
{
    const qr_metrics *m = qr_fonts_metrics(st->fonts);
    const font_facts *ff = &fu->facts;
    HPDF_Array w = HPDF_Array_New(st->pdf->mmgr), run = NULL;
    uint32_t maxcid = ff->nglyphs ? ff->glyphs[ff->nglyphs - 1].cp : 0, prev = 0;
    qr_buf_reserve(&fu->cidmap, 2 * ((size_t)maxcid + 1));
    memset(fu->cidmap.data, 0, 2 * ((size_t)maxcid + 1));
    fu->cidmap.len = 2 * ((size_t)maxcid + 1);
    for (size_t i = 0; i < ff->nglyphs; i++) {
        const glyph_rec *g = &ff->glyphs[i];
        uint32_t cp = g->cp, look = cp == CHAR_SOFT_HYPHEN ? CHAR_HYPHEN : cp;
        float adv = g->found ? m->advance(m->ctx, fu->slot, look) : ff->notdef;
        fu->cidmap.data[2 * cp] = (char)(g->gid >> 8);
        fu->cidmap.data[2 * cp + 1] = (char)(g->gid & 0xFF);
        if (!run || cp != prev + 1) {
            HPDF_Array_AddNumber(w, (HPDF_INT32)cp);
            run = HPDF_Array_New(st->pdf->mmgr);
            HPDF_Array_Add(w, run);
        }
        HPDF_Array_AddNumber(run, (HPDF_INT32)adv);
        prev = cp;
    }
    return w;
}

/* The font dictionaries of face k, fu->font set to the Type0 font, from
 * its program and facts, whether the cache or HarfBuzz gave them: nothing
 * here calls HarfBuzz. */
static bool embed_face(pdf_state *st, face_use *fu, int k)
{
    const face_facts *ff = &fu->facts.face;
    char tag[TAG_LEN + 1], base[TAG_LEN + 1 + sizeof ff->ps_name];
    subset_tag(fu, k, tag);
    snprintf(base, sizeof base, "%s+%s", tag, ff->ps_name);
    HPDF_MMgr mm = st->pdf->mmgr;

    HPDF_Dict file2 = stream_for(st, fu->prog, fu->plen);
    if (file2) {
        HPDF_Dict_AddNumber(file2, "Length1", (HPDF_INT32)fu->plen);
        qr_pdf_subst *s = &st->subst[st->nsubst - 1];
        s->zdone = fu->zdone;
        s->z = fu->z;
        s->zlen = fu->zlen;
    }
    HPDF_Dict fd = new_indirect(st);
    if (fd) {
        HPDF_Dict_AddName(fd, "Type", "FontDescriptor");
        HPDF_Dict_AddName(fd, "FontName", base);
        /* Nonsymbolic (32), FixedPitch (1), Italic (64), ForceBold */
        int flags = 32 | (ff->fixed ? 1 : 0) | (ff->italic ? 64 : 0) |
                    (ff->bold ? 262144 : 0);
        HPDF_Dict_AddNumber(fd, "Flags", flags);
        HPDF_Dict_Add(fd, "FontBBox", int_array(st, ff->bbox, 4));
        HPDF_Dict_AddReal(fd, "ItalicAngle", ff->italic_angle);
        HPDF_Dict_AddNumber(fd, "Ascent", (HPDF_INT32)lroundf(ff->ascent));
        HPDF_Dict_AddNumber(fd, "Descent", (HPDF_INT32)lroundf(ff->descent));
        HPDF_Dict_AddNumber(fd, "CapHeight", (HPDF_INT32)lroundf(ff->cap_height));
        if (ff->x_height > 0)
            HPDF_Dict_AddNumber(fd, "XHeight", (HPDF_INT32)lroundf(ff->x_height));
        /* not in the font: the usual estimate from its weight */
        HPDF_Dict_AddNumber(fd, "StemV", ff->bold ? 120 : 80);
        HPDF_Dict_Add(fd, "FontFile2", file2);
    }
    HPDF_Dict cid = new_indirect(st);
    if (cid) {
        HPDF_Dict_AddName(cid, "Type", "Font");
        HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
        HPDF_Dict_AddName(cid, "BaseFont", base);
        HPDF_Dict info = HPDF_Dict_New(mm);
        HPDF_Dict_Add(info, "Registry", HPDF_String_New(mm, "Adobe", NULL));
        HPDF_Dict_Add(info, "Ordering", HPDF_String_New(mm, "Identity", NULL));
        HPDF_Dict_AddNumber(info, "Supplement", 0);
        HPDF_Dict_Add(cid, "CIDSystemInfo", info);
        HPDF_Dict_Add(cid, "FontDescriptor", fd);
        HPDF_Dict_Add(cid, "W", widths_and_map(st, fu));
        HPDF_Dict_Add(cid, "CIDToGIDMap",
                      stream_for(st, fu->cidmap.data, fu->cidmap.len));
    }
    build_tounicode(fu, &fu->tounicode);
    fu->font = new_indirect(st);
    if (fu->font) {
        HPDF_Dict_AddName(fu->font, "Type", "Font");
        HPDF_Dict_AddName(fu->font, "Subtype", "Type0");
        HPDF_Dict_AddName(fu->font, "BaseFont", base);
        HPDF_Dict_AddName(fu->font, "Encoding", "Identity-H");
        HPDF_Array kids = HPDF_Array_New(mm);
        HPDF_Array_Add(kids, cid);
        HPDF_Dict_Add(fu->font, "DescendantFonts", kids);
        HPDF_Dict_Add(fu->font, "ToUnicode",
                      stream_for(st, fu->tounicode.data, fu->tounicode.len));
    }
    if (hpdf_failed(st, "writing a font")) return false;
    return true;
}

/* One used face's program and facts, read from the cache or made. */
typedef struct subset_job {
    face_use *fu;
    int k;
    char *entry;                /* its cache entry, or NULL */
    qr_buf key;
    hb_face_t *face;            /* opened when not in the cache (borrowed) */
    bool ready;                 /* fu has its program and facts */
} subset_job;

typedef struct subset_pool {
    subset_job **miss;          /* the jobs to make */
    size_t n;
    atomic_size_t next;
} subset_pool;

/* The subset of a face not in the cache: made, its program taken (once: a
 * subset's blob is the face serialised afresh at each call) with its
 * facts, deflated and kept. Touches its own face_use and the cache only,
 * never libharu. */
static void make_subset(subset_job *j)
{
    face_use *fu = j->fu;
    hb_face_t *sub = subset_face(fu, j->face);
    if (!sub) return;
    program_facts(fu, j->face, sub);
    j->ready = true;
    if (j->entry) subset_remember(j->entry, &j->key, fu);
}

static void *make_subsets(void *arg)
{
    subset_pool *p = arg;
    for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < p->n;)
        make_subset(p->miss[i]);
    return NULL;
}

/* The face fu is set in, for its subset to be made, or NULL after a
 * located failure. The main thread's: qr_fonts_face is not for two. */
static hb_face_t *open_face(pdf_state *st, const face_use *fu)
{
    hb_face_t *face = qr_fonts_face(st->fonts, fu->slot);
    if (!face) {
        const char *why = qr_fonts_error(st->fonts);
        fail(st, qr_fonts_file(st->fonts, fu->slot),
             "cannot embed font '%s': %s", qr_fonts_family(st->fonts, fu->slot),
             why ? why : "cannot open the font");
    }
    return face;
}

/* A face HarfBuzz could not subset, embedded whole where it is its file's
 * first face, or a located failure. */
static bool whole_font(pdf_state *st, subset_job *j)
{
    face_use *fu = j->fu;
    if (qr_fonts_index(st->fonts, fu->slot) != 0) {
        fail(st, qr_fonts_file(st->fonts, fu->slot),
             "cannot embed font '%s': it cannot be subset",
             qr_fonts_family(st->fonts, fu->slot));
        return false;
    }
    program_facts(fu, j->face, hb_face_reference(j->face));
    j->ready = true;
    return true;
}

/* Whether the stage may use a second processor while it works (deflating
 * ahead, making subsets): qr_pdf_set_deflate_ahead. */
static bool deflate_ahead = true;

/* Threads for deflating: the machine's processors, up to four. */
static int pack_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4 ? 4 : (int)n;
}

/* Each used face's subset, then its dictionaries, in face order (libharu
 * numbers objects as they are made). Subsets the cache does not have are
 * most of a cold render's PDF stage (hb_subset, then deflating the
 * program: 7 M instructions of the benchmark report's 31 M), and each
 * face's is independent of the others' and of libharu: with two or more to
 * make and a second processor free (as for deflating ahead), a helper
 * thread makes some while this one makes the rest. Their faces are opened
 * here first, on this thread; HarfBuzz faces are then safe to read from
 * two threads, and each thread writes only its own face's face_use and
 * cache entry. A face whose subset is cached is never opened. */
static bool load_fonts(pdf_state *st)
{
    subset_job jobs[QR_FONT_COUNT], *miss[QR_FONT_COUNT];
    size_t n = 0, nmiss = 0;
    bool ok = true;
    for (int k = 0; ok && k < st->nfaces; k++) {
        face_use *fu = &st->faces[k];
        if (!fu->used) continue;
        subset_job *j = &jobs[n++];
        *j = (subset_job){.fu = fu, .k = k};
        qr_buf_init(&j->key);
        j->entry = subset_entry(st, fu, &j->key);
        j->ready = j->entry && subset_cached(j->entry, &j->key, fu);
        if (j->ready) continue;
        j->face = open_face(st, fu);
        ok = j->face != NULL;
        miss[nmiss++] = j;
    }
    subset_pool pool = {.miss = miss, .n = ok ? nmiss : 0};
    atomic_init(&pool.next, 0);
    pthread_t helper;
    bool two = pool.n > 1 && deflate_ahead && pack_threads() > 1 &&
               pthread_create(&helper, NULL, make_subsets, &pool) == 0;
    make_subsets(&pool);
    if (two) pthread_join(helper, NULL);
    for (size_t i = 0; i < n; i++) {
        if (ok && !jobs[i].ready) ok = whole_font(st, &jobs[i]);
        if (ok) ok = embed_face(st, jobs[i].fu, jobs[i].k);
        free(jobs[i].entry);
        qr_buf_free(&jobs[i].key);
    }
    return ok;
}

/* ---- images ---- */

/* An image comes to this stage read, checked and decoded (image.h): layout
 * hangs it on the display-list item, so the bytes embedded are the bytes
 * layout measured, and no file is opened here. An item made by hand
 * without one (tests, tools) has its file read through the same module. */
static HPDF_Image embed_image(pdf_state *st, const qr_image *im)
{
    HPDF_Image img = NULL;
    if (im->kind == QR_IMAGE_JPEG) {
        img = HPDF_LoadJpegImageFromMem(st->pdf, im->bytes,
                                        (HPDF_UINT)im->nbytes);
        if (!img || st->err || HPDF_GetError(st->pdf)) {
            fail(st, im->path, "cannot read JPEG image '%s'", im->path);
            return NULL;
        }
        return img;
    }
    img = HPDF_LoadRawImageFromMem(st->pdf, im->pixels, im->width,
                                   im->height, HPDF_CS_DEVICE_RGB, 8);
    if (img && im->alpha) {
        HPDF_Image mask = HPDF_LoadRawImageFromMem(st->pdf, im->alpha,
                                                   im->width, im->height,
                                                   HPDF_CS_DEVICE_GRAY, 8);
        if (mask) HPDF_Image_AddSMask(img, mask);
    }
    if (!img || hpdf_failed(st, "embedding a PNG image")) return NULL;
    return img;
}

static HPDF_Image get_image(pdf_state *st, const qr_item *it)
{
    const qr_image *im = it->image;
    for (size_t i = 0; i < st->nimages; i++)
        if (im ? st->images[i].source == im
               : !st->images[i].source && strcmp(st->images[i].path, it->uri) == 0)
            return st->images[i].image;
    st->input_error = 1;
    qr_image *own = NULL;
    if (!im) {
        char *err = NULL;
        own = qr_image_load(it->uri, &err);
        if (!own) {
            fail(st, it->uri, "%s", err ? err : "cannot read image");
            free(err);
            return NULL;
        }
    }
    HPDF_Image img = embed_image(st, im ? im : own);
    /* libharu copied the samples into its stream */
    qr_image_unref(own);
    if (!img) return NULL;
    st->input_error = 0;
    QR_GROW(st->images, st->nimages, st->cimages, 8);
    st->images[st->nimages].path = it->uri;
    st->images[st->nimages].source = im;
    st->images[st->nimages].image = img;
    st->nimages++;
    return img;
}

/* ---- drawing ----
 *
 * Every operator of a page goes into the page's own buffer (pdf_state
 * content[]), not through libharu's page functions: those format each
 * number with their own routine, measure every string they show, write
 * text in hex, and copy the stream byte by byte three times on its way out
 * (together most of the PDF stage's time, by perf). libharu still owns the
 * page objects and their resources: HPDF_Page_GetLocalFontName and
 * HPDF_Page_GetXObjectName register a font or image with the page and give
 * its resource name. The page's own content stream stays empty; the pack
 * pass (pdf_pack.c) writes our buffer in its place, deflated. */

typedef struct pen {
    HPDF_Page page;
    qr_buf *out;                /* the page's content stream */
    int index;                  /* page number from 0 */
    int mark;                   /* open marked content: MARK_* or element */
    int next_mcid;
    float width, height;        /* page size; height for the y flip */
    int in_text;
    HPDF_Dict font;
    float size;
    /* the page's resource name of each face once asked (see set_font) */
    const char *font_name[QR_FONT_COUNT];
    int fill_set, stroke_set;
    qr_rgb fill, stroke;
    float line_width;           /* < 0: not set yet */
} pen;

static float clamp01(float v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static bool same_rgb(qr_rgb a, qr_rgb b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b;
}

/* A number for the content stream: at most three decimals (a thousandth
 * of a point), no trailing zeros, no exponent; then a space. Written in
 * place, rounding without a call: a page's coordinates are most of its
 * content stream, and llroundf and qr_buf_append were two thirds of the
 * cost of each number. */
static void put_num(qr_buf *b, float v)
{
    if (!isfinite(v)) v = 0;
    float x = v * 1000.0f;
    long long m;
    /* llroundf's result (half away from zero): below 2^23 a float plus a
     * half is exact as a double, so truncating it rounds as llroundf
     * does; at and above, every float is a whole number already */
    if (fabsf(x) < 8388608.0f)
        m = (long long)(x < 0 ? (double)x - 0.5 : (double)x + 0.5);
    else
        m = llroundf(x);
    unsigned long long a = (unsigned long long)(m < 0 ? -m : m);
    unsigned long long ip = a / 1000;
    unsigned f = (unsigned)(a % 1000);
    /* written forward in place: a sign, at most 20 digits, a point and
     * three decimals, a space */
    if (b->len + 32 > b->cap) qr_buf_reserve(b, 32);
    char *o = b->data + b->len;
    if (m < 0) *o++ = '-';
    if (ip < 1000) {                /* a page's coordinates: no loop */
        unsigned i = (unsigned)ip;
        if (i >= 100) *o++ = (char)('0' + i / 100);
        if (i >= 10) *o++ = (char)('0' + i / 10 % 10);
        *o++ = (char)('0' + i % 10);
    } else {
        char d[24], *e = d + sizeof d, *q = e;
        do *--q = (char)('0' + ip % 10); while ((ip /= 10) > 0);
        memcpy(o, q, (size_t)(e - q));
        o += e - q;
    }
    if (f) {                        /* the fraction, trailing zeros dropped */
        *o++ = '.';
        *o++ = (char)('0' + f / 100);
        if (f % 100) {
            *o++ = (char)('0' + f / 10 % 10);
            if (f % 10) *o++ = (char)('0' + f % 10);
        }
    }
    *o++ = ' ';
    *o = '\0';
    b->len = (size_t)(o - b->data);
}

/* Inlined, as the appends are: op is a literal at every call. */
static inline __attribute__((always_inline)) void put_nums(qr_buf *b,
                                                           const float *v,
                                                           int n,
                                                           const char *op)
{
    for (int i = 0; i < n; i++) put_num(b, v[i]);
    put_str(b, op);
}

static void put_rgb(qr_buf *b, qr_rgb c, const char *op)
{
    float v[3] = {clamp01(c.r), clamp01(c.g), clamp01(c.b)};
    put_nums(b, v, 3, op);
}

static void set_fill(pen *p, qr_rgb c)
{
    if (p->fill_set && same_rgb(p->fill, c)) return;
    put_rgb(p->out, c, "rg\n");
    p->fill = c;
    p->fill_set = 1;
}

static void set_stroke(pen *p, qr_rgb c)
{
    if (p->stroke_set && same_rgb(p->stroke, c)) return;
    put_rgb(p->out, c, "RG\n");
    p->stroke = c;
    p->stroke_set = 1;
}

static void set_line_width(pen *p, float w)
{
    if (p->line_width == w) return;
    put_nums(p->out, &w, 1, "w\n");
    p->line_width = w;
}

static void begin_text(pen *p)
{
    if (p->in_text) return;
    put_str(p->out, "BT\n");
    p->in_text = 1;
    p->font = NULL;
}

static void end_text(pen *p)
{
    if (!p->in_text) return;
    put_str(p->out, "ET\n");
    p->in_text = 0;
}

/* Tf, registering the font with the page's resources. Face k's name is
 * asked of libharu once a page: every text object sets its font again
 * (begin_text), and libharu looks the name up in the page's resources
 * each time, 130 instructions a call. */
static void set_font(pen *p, int k, HPDF_Dict font, float size)
{
    if (p->font == font && p->size == size) return;
    const char *name = p->font_name[k];
    if (!name)
        name = p->font_name[k] = HPDF_Page_GetLocalFontName(p->page, font);
    if (!name) return;                      /* libharu's error is checked */
    put_ch(p->out, '/');
    put_str(p->out, name);
    put_ch(p->out, ' ');
    put_nums(p->out, &size, 1, "Tf\n");
    p->font = font;
    p->size = size;
}

/* A byte a literal string holds as it is (put_cid below). */
static bool plain_byte(unsigned char c)
{
    /* letters and digits, most of what is drawn, lie above ')' */
    return c > ')' ? c != '\\' : c != '(' && c != ')' && c != '\r' && c != '\n';
}

/* One two-byte code in a literal string at o, which has room for four
 * bytes; returns the end. The bytes as they are, but for the three that
 * must be escaped and the line ends a reader would normalise (ISO 32000-1
 * §7.3.4.2). Inlined: it runs once per character drawn, and writing
 * through a local pointer, not the buffer's length (which every byte
 * stored through a char pointer makes the compiler load again), halved
 * its cost. */
static inline __attribute__((always_inline)) char *put_cid(char *o,
                                                           uint32_t cp)
{
    unsigned char by[2] = {(unsigned char)(cp >> 8), (unsigned char)(cp & 0xFF)};
    if ((cp < 0x100 || plain_byte(by[0])) && plain_byte(by[1])) {
        o[0] = (char)by[0];
        o[1] = (char)by[1];
        return o + 2;
    }
    for (int i = 0; i < 2; i++) {
        switch (by[i]) {
        case '(': case ')': case '\\':
            *o++ = '\\';
            *o++ = (char)by[i];
            break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        default: *o++ = (char)by[i];
        }
    }
    return o;
}

/* Whether layout kerns cp with a neighbour: a visible character (not a
 * space, line end or invisible format character; U+00AD is the hyphen
 * drawn at a line end). */
static bool kerns(uint32_t cp)
{
    if (cp - 0x21u < 0x5Fu) return true;        /* ASCII but the space */
    switch (cp) {
    case CHAR_SPACE: case 0x00A0: case '\n': case '\r': case '\t':
    case 0x200B: case 0x200C: case 0x200D: case 0x2060: case 0xFEFF:
        return false;
    default:
        return true;
    }
}

/* The kerning of the pair (1/1000 em, negative = closer), as layout
 * measured it (linebreak.c), or 0. Asked only when m has kerning and both
 * characters kern().
 *
 * Asked once for every pair of characters drawn (18,000 on the benchmark
 * report) through the metrics' function pointer, at about 35 instructions
 * a pair: 0.6M. A report draws a few hundred distinct pairs per face, so
 * each slot's answers for ASCII (the pairs fonts.c keeps a table for too)
 * are remembered here (struct kern_memo); the value is m->kern's own, so
 * the output is the same. Other pairs are asked each time. Only the bits
 * saying which are known are cleared: clearing the values too was 37,000
 * instructions a slot. */
static struct kern_memo *slot_kern_memo(pdf_state *st, qr_font_slot slot)
{
    if ((unsigned)slot >= QR_FONT_COUNT) return NULL;
    struct kern_memo *t = st->kern_memo[slot];
    if (!t) {
        t = qr_xmalloc(sizeof *t);
        memset(t->known, 0, sizeof t->known);
        st->kern_memo[slot] = t;
    }
    return t;
}

/* Tm then the text as the two-byte CIDs libharu's UTF-8 encoder uses (the
 * code point itself, /Identity-H): Tj, or TJ with the font's kerning
 * between the characters (ISO 32000-1 §9.4.3: a number moves the next
 * glyph left by that many 1/1000 em), which layout measured the text with.
 * Text extraction reads the same characters either way. m NULL: no
 * kerning. Glyph use is already marked for embedding. */
static void show_text(pdf_state *st, pen *p, const float tm[6], const char *s,
                      size_t len, int space_after, const qr_metrics *m,
                      qr_font_slot slot)
{
    /* Text that is not turned, nearly all of it, has 1 0 0 1 first: the
     * four numbers as put_num writes them, without formatting each */
    if (tm[0] == 1 && tm[1] == 0 && tm[2] == 0 && tm[3] == 1) {
        put_str(p->out, "1 0 0 1 ");
        put_nums(p->out, tm + 4, 2, "Tm\n");
    } else {
        put_nums(p->out, tm, 6, "Tm\n");
    }
    /* the plain string, made an array at its first kerning: most runs
     * have none, and taking the '[' out again moved every one of them */
    qr_buf *b = p->out;
    size_t start = b->len;
    /* room for the '(' and every code escaped (four bytes), the space
     * after one of them: the codes are written through o */
    if (b->len + 4 * len + 9 > b->cap) qr_buf_reserve(b, 4 * len + 8);
    char *o = b->data + b->len;
    *o++ = '(';
    int kerned = 0;
    uint32_t prev = 0;
    /* whether the previous character kerns (kerns() once a character) */
    bool can_kern = m && m->kern, prev_kerns = false;
    struct kern_memo *memo = can_kern ? slot_kern_memo(st, slot) : NULL;
    for (size_t off = 0; off < len;) {
        uint32_t cp;
        int n = decode(s + off, len - off, &cp);
        if (n <= 0) break;                  /* scan() checked it */
        bool cur_kerns = can_kern && kerns(cp);
        if (prev_kerns && cur_kerns) {
            uint32_t i = prev - KERN_MEMO_FIRST, j = cp - KERN_MEMO_FIRST;
            float k;
            if (memo && i < KERN_MEMO_N && j < KERN_MEMO_N) {
                uint32_t x = i * KERN_MEMO_N + j;
                uint64_t bit = 1ull << (x & 63);
                if (!(memo->known[x >> 6] & bit)) {
                    memo->v[x] = m->kern(m->ctx, slot, prev, cp);
                    memo->known[x >> 6] |= bit;
                }
                k = memo->v[x];
            } else {
                k = m->kern(m->ctx, slot, prev, cp);
            }
            if (k != 0) {
                b->len = (size_t)(o - b->data);
                if (!kerned) {
                    put_ch(b, ' ');         /* room for the '[' */
                    memmove(b->data + start + 1, b->data + start,
                            b->len - 1 - start);
                    b->data[start] = '[';
                    kerned = 1;
                }
                put_str(b, ") ");
                put_num(b, -k);
                put_ch(b, '(');
                if (b->len + 4 * (len - off) + 9 > b->cap)
                    qr_buf_reserve(b, 4 * (len - off) + 8);
                o = b->data + b->len;
            }
        }
        prev_kerns = cur_kerns;
        o = put_cid(o, cp);
        prev = cp;
        off += (size_t)n;
    }
    if (space_after) o = put_cid(o, CHAR_SPACE);
    b->len = (size_t)(o - b->data);
    put_str(b, kerned ? ")] TJ\n" : ") Tj\n");
}

/* ---- marked content ---- */

/* The structure type of a role (ISO 32000-1 §14.8.4). */
static const char *struct_type(qr_role r)
{
    switch (r) {
    case QR_ROLE_DOCUMENT: return "Document";
    case QR_ROLE_H1: return "H1";
    case QR_ROLE_H2: return "H2";
    case QR_ROLE_H3: return "H3";
    case QR_ROLE_H4: return "H4";
    case QR_ROLE_H5: return "H5";
    case QR_ROLE_H6: return "H6";
    case QR_ROLE_P: return "P";
    case QR_ROLE_L: return "L";
    case QR_ROLE_LI: return "LI";
    case QR_ROLE_LBL: return "Lbl";
    case QR_ROLE_LBODY: return "LBody";
    case QR_ROLE_TABLE: return "Table";
    case QR_ROLE_TR: return "TR";
    case QR_ROLE_TH: return "TH";
    case QR_ROLE_TD: return "TD";
    case QR_ROLE_BLOCKQUOTE: return "BlockQuote";
    case QR_ROLE_CODE: return "Code";
    case QR_ROLE_FIGURE: return "Figure";
    case QR_ROLE_LINK: return "Link";
    case QR_ROLE_SECT: return "Sect";
    case QR_ROLE_TOC: return "TOC";
    case QR_ROLE_TOCI: return "TOCI";
    default: return "Div";
    }
}

static qr_role elem_role(const pdf_state *st, int e)
{
    return qr_pages_elem(st->doc, (size_t)e)->role;
}

/* The parent of e, or -1 for a root. A parent must come before its child
 * in element order, which also rules out cycles. */
static int parent_of(const pdf_state *st, int e)
{
    int p = qr_pages_elem(st->doc, (size_t)e)->parent;
    return p >= 0 && p < e ? p : -1;
}

/* What an item is tagged as: an element index, MARK_ARTIFACT for furniture
 * (running heads, rules, backgrounds), MARK_NONE when it draws nothing. */
static int mark_of(const pdf_state *st, const qr_item *it)
{
    switch (it->kind) {
    case QR_ITEM_ANCHOR:
    case QR_ITEM_LINK:
        return MARK_NONE;
    case QR_ITEM_TEXT:
        if (!it->text || !it->len) return MARK_NONE;
        break;
    case QR_ITEM_IMAGE:
        if (!it->uri) return MARK_NONE;
        break;
    case QR_ITEM_PATH:
        if (!it->pts || it->npts < 2) return MARK_NONE;
        break;
    default:
        break;
    }
    if (it->role == QR_ROLE_ARTIFACT || it->elem < 0 ||
        (size_t)it->elem >= st->nelems)
        return MARK_ARTIFACT;
    if (st->hidden && st->hidden[it->elem]) return MARK_ARTIFACT;
    qr_role er = elem_role(st, it->elem);
    if (er == QR_ROLE_ARTIFACT) return MARK_ARTIFACT;
    /* Lines, boxes and paths are decoration unless they are a figure's
     * drawing (a chart). */
    if ((it->kind == QR_ITEM_LINE || it->kind == QR_ITEM_RECT ||
         it->kind == QR_ITEM_PATH) &&
        it->role != QR_ROLE_FIGURE && er != QR_ROLE_FIGURE)
        return MARK_ARTIFACT;
    return it->elem;
}

static void add_kid(pdf_state *st, int elem, int page, int mcid,
                    HPDF_Annotation annot)
{
    QR_GROW(st->kids, st->nkids, st->ckids, 256);
    st->kids[st->nkids++] = (content_kid){elem, page, mcid, annot, NULL};
}

/* Operators into the page's content stream. Only called outside text
 * objects and paths. */
static inline __attribute__((always_inline)) void emit(pen *p,
                                                       const char *ops)
{
    put_str(p->out, ops);
}

/* Close the open marked-content sequence (if any) and open one for m.
 * Sequences never cross a text object: BT/ET sit inside them. */
static void set_mark(pdf_state *st, pen *p, int m)
{
    if (m == MARK_NONE || m == p->mark) return;
    end_text(p);
    if (p->mark != MARK_CLOSED) emit(p, "EMC\n");
    p->mark = m;
    if (m == MARK_CLOSED) return;
    if (m == MARK_ARTIFACT) {
        emit(p, "/Artifact BMC\n");
        return;
    }
    /* by hand, not snprintf: once per marked run of every page */
    put_ch(p->out, '/');
    put_str(p->out, struct_type(elem_role(st, m)));
    put_str(p->out, " <</MCID ");
    put_dec(p->out, (size_t)p->next_mcid);
    put_str(p->out, ">> BDC\n");
    add_kid(st, m, p->index, p->next_mcid++, NULL);
}

/* 1 when text item it ends a line inside a paragraph: the next text on the
 * page belongs to the same element on another baseline, and the line does
 * not end in a space, hyphen or slash. Layout drops the space at a line
 * break; without one, text extraction and screen readers join the last
 * word of a line to the first of the next. */
static bool ends_line(const pdf_state *st, const qr_page *pg, size_t k,
                      const int *marks)
{
    const qr_item *it = &pg->items[k];
    if (it->kind != QR_ITEM_TEXT || !it->text || !it->len) return false;
    char last = it->text[it->len - 1];
    if (last == ' ' || last == '-' || last == '/') return false;
    if (it->len >= 2 && memcmp(it->text + it->len - 2, "\xC2\xAD", 2) == 0)
        return false;                               /* soft hyphen */
    for (size_t j = k + 1; j < pg->nitems; j++) {
        const qr_item *nx = &pg->items[j];
        if (nx->kind != QR_ITEM_TEXT || !nx->text || !nx->len) continue;
        int m = marks[k], n = marks[j];
        if (m < 0 || n < 0 || fabsf(nx->y - it->y) <= LINE_EPS) return false;
        /* The same element, or a link inside it (or back out of one). */
        return n == m || parent_of(st, n) == m || parent_of(st, m) == n;
    }
    return false;
}

static void draw_text(pdf_state *st, pen *p, const qr_item *it, int line_end)
{
    if (!it->text || !it->len) return;
    face_use *fu = face_of(st, it->font);
    begin_text(p);
    set_font(p, (int)(fu - st->faces), fu->font, it->size);
    set_fill(p, it->color);
    float tm[6] = {1, 0, 0, 1, it->x, p->height - it->y};
    if (it->angle != 0) {
        /* anticlockwise on the page is anticlockwise in PDF's y-up space */
        double a = it->angle * M_PI / 180.0;
        tm[0] = tm[3] = (float)cos(a);
        tm[1] = (float)sin(a);
        tm[2] = -tm[1];
    }
    show_text(st, p, tm, it->text, it->len, line_end && fu->has_space,
              qr_fonts_metrics(st->fonts), it->font);
}

/* Colours and width go before the path (PDF refuses them inside one). */
static void paint_setup(pen *p, const qr_item *it)
{
    if (it->has_fill) set_fill(p, it->fill);
    if (it->has_stroke) {
        set_stroke(p, it->color);
        set_line_width(p, it->line_width);
    }
}

/* Fill and/or stroke the path just built. */
static void paint(pen *p, const qr_item *it)
{
    emit(p, it->has_fill && it->has_stroke ? "B\n"
            : it->has_fill                ? "f\n"
            : it->has_stroke              ? "S\n"
                                          : "n\n");
}

static void move_to(pen *p, float x, float y, const char *op)
{
    float v[2] = {x, p->height - y};
    put_nums(p->out, v, 2, op);
}

/* A destination [page /XYZ left top null]: null zoom keeps the reader's
 * zoom, which HPDF_Destination_SetXYZ refuses to write. A direct array,
 * not libharu's indirect one: PDF/UA checkers (PDFBox Preflight) do not
 * follow an outline item's /Dest through a reference, and nothing shares a
 * destination. libharu puts a direct object in one place only, so every
 * link and outline item gets its own. */
static HPDF_Destination make_dest(pdf_state *st, size_t page, float x,
                                  float y)
{
    HPDF_Page pg = st->pages[page];
    HPDF_Destination dst = HPDF_Array_New(st->pdf->mmgr);
    if (!dst) return NULL;
    /* what libharu's link and outline setters check a destination by */
    dst->header.obj_class |= HPDF_OSUBCLASS_DESTINATION;
    HPDF_Array_Add(dst, pg);
    HPDF_Array_AddName(dst, "XYZ");
    HPDF_Array_AddReal(dst, x);
    HPDF_Array_AddReal(dst, HPDF_Page_GetHeight(pg) - y);
    HPDF_Array_Add(dst, HPDF_Null_New(st->pdf->mmgr));
    return dst;
}

/* The words of Link element e, as a screen reader should say them: one
 * space between words, no soft hyphens, and a range of numbers "3 – 5"
 * read "3 to 5". "" when the link has no text. */
static char *link_words(const pdf_state *st, int e)
{
    const qr_buf *b = st->ltext && e >= 0 && (size_t)e < st->nelems
                          ? &st->ltext[e].text
                          : NULL;
    const char *s = b && b->data ? b->data : "";
    size_t n = b ? b->len : 0;
    qr_buf out;
    qr_buf_init(&out);
    qr_buf_append(&out, "", 0);                 /* terminated when empty */
    qr_buf_reserve(&out, n);
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (out.len && out.data[out.len - 1] != ' ') put_ch(&out, ' ');
            i++;
        } else if (n - i >= 2 && memcmp(s + i, "\xC2\xAD", 2) == 0) {
            i += 2;
        } else if (n - i >= 5 && memcmp(s + i, "\xE2\x80\x93 ", 4) == 0 &&
                   out.len >= 2 && out.data[out.len - 1] == ' ' &&
                   out.data[out.len - 2] >= '0' && out.data[out.len - 2] <= '9' &&
                   s[i + 4] >= '0' && s[i + 4] <= '9') {
            put_str(&out, "to");
            i += 3;
        } else {
            put_ch(&out, c);
            i++;
        }
    }
    while (out.len && out.data[out.len - 1] == ' ') out.data[--out.len] = '\0';
    return qr_buf_detach(&out, NULL);
}

/* What an internal link leads to (PDF/UA-1 7.18.5 wants every link
 * annotation described in /Contents): the heading or agenda item it opens,
 * then the link's own words — "Item 8: Improvement plan, pages 3 to 5" —
 * or, for an anchor without a title, the words and the printed page. */
static char *describe_target(const pdf_state *st, const anchor_ref *ar,
                             const char *words)
{
    int pageno = (int)ar->page + 1;
    if (st->meta && st->meta->page_label_start > 0)
        pageno = st->meta->page_label_start + (int)ar->page;
    const char *pre = st->meta && st->meta->page_label_prefix
                          ? st->meta->page_label_prefix : "";
    if (!ar->title) {
        if (!words[0]) return qr_xasprintf("Page %s%d", pre, pageno);
        return qr_xasprintf("%s (page %s%d)", words, pre, pageno);
    }
    char *title = qr_xstrndup(ar->title, ar->title_len);
    if (!words[0] || strcmp(words, title) == 0) return title;
    /* words that restate a title "Appendix A: Letter" as "Appendix A –
     * Letter, pages 7 to 10" or "Appendix B – Costs (exempt), page 11"
     * (an agenda's appendix lines) say it once: "Appendix A: Letter,
     * pages 7 to 10" */
    const char *colon = strstr(title, ": ");
    if (colon) {
        size_t head = (size_t)(colon - title), tail = strlen(colon + 2);
        /* words holds title's first `head` bytes before w is taken */
        const char *w = strncmp(words, title, head) == 0 ? words + head : "";
        if (strncmp(w, " \xE2\x80\x93 ", 5) == 0 &&
            strncmp(w + 5, colon + 2, tail) == 0 &&
            (w[5 + tail] == ',' || w[5 + tail] == '\0' ||
             strncmp(w + 5 + tail, " (", 2) == 0)) {
            char *desc = qr_xasprintf("%s%s", title, w + 5 + tail);
            free(title);
            return desc;
        }
    }
    char first = words[0];
    /* "Pages 3 to 5" runs on after a comma as "pages 3 to 5"; "NHS" stays */
    if (first >= 'A' && first <= 'Z' && words[1] >= 'a' && words[1] <= 'z')
        first = (char)(first - 'A' + 'a');
    char *desc = qr_xasprintf("%s, %c%s", title, first, words + 1);
    free(title);
    return desc;
}

/* Remember desc as the /Alt of Link element e (its first one wins). */
static void set_link_alt(pdf_state *st, int e, const char *desc)
{
    if (e < 0 || (size_t)e >= st->nelems) return;
    if (!st->link_alt) st->link_alt = qr_xcalloc(st->nelems, sizeof *st->link_alt);
    if (!st->link_alt[e]) st->link_alt[e] = qr_xstrdup(desc);
}

static void draw_link(pdf_state *st, pen *p, const qr_item *it)
{
    if (!it->uri || !it->uri[0]) return;
    HPDF_Annotation a = NULL;
    HPDF_Rect r = {it->x, p->height - it->y - it->h, it->x + it->w,
                   p->height - it->y};
    char *words = link_words(st, it->elem);
    char *desc = NULL;
    if (it->uri[0] == '#') {
        const anchor_ref *ar = find_anchor(st, it->uri + 1);
        if (!ar) {
            qr_diag_add(st->d, QR_WARNING, NULL, 0, 0, NULL, NULL,
                        "link to unknown anchor '%s' dropped", it->uri);
            free(words);
            return;
        }
        HPDF_Destination dst = make_dest(st, ar->page, ar->x, ar->y);
        a = dst ? HPDF_Page_CreateLinkAnnot(p->page, r, dst) : NULL;
        desc = describe_target(st, ar, words);
        if (a) HPDF_Dict_Add(a, "Contents", text_string(st, desc));
        set_link_alt(st, it->elem, desc);
    } else {
        /* libharu stops at 64 KB: a longer URI goes in afterwards */
        int long_uri = strlen(it->uri) > MAX_TEXT_BYTES;
        a = HPDF_Page_CreateURILinkAnnot(p->page, r, long_uri ? "" : it->uri);
        HPDF_Dict act = a && long_uri ? HPDF_Dict_GetItem(a, "A", HPDF_OCLASS_DICT)
                                      : NULL;
        if (act) HPDF_Dict_Add(act, "URI", raw_string(st, it->uri, strlen(it->uri)));
        /* The annotation names where it goes; the Link element reads as
         * its words (the address when it has none). */
        if (a) HPDF_Dict_Add(a, "Contents", text_string(st, it->uri));
        set_link_alt(st, it->elem, words[0] ? words : it->uri);
    }
    free(desc);
    free(words);
    if (!a) return;
    HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
    HPDF_Dict_AddNumber(a, "F", ANNOT_FLAG_PRINT);
    /* Tied into the structure tree as an OBJR of its Link element. */
    if (it->elem >= 0 && (size_t)it->elem < st->nelems &&
        it->role != QR_ROLE_ARTIFACT &&
        elem_role(st, it->elem) != QR_ROLE_ARTIFACT)
        add_kid(st, it->elem, p->index, -1, a);
}

static void draw_item(pdf_state *st, pen *p, const qr_item *it, int mark,
                      int line_end)
{
    float h = p->height;
    set_mark(st, p, mark);
    if (it->kind == QR_ITEM_TEXT) {
        draw_text(st, p, it, line_end);
        return;
    }
    if (it->kind == QR_ITEM_ANCHOR) return;      /* outlines: later pass */
    end_text(p);
    switch (it->kind) {
    case QR_ITEM_LINE:
        set_stroke(p, it->color);
        set_line_width(p, it->line_width);
        move_to(p, it->x, it->y, "m\n");
        move_to(p, it->x2, it->y2, "l\nS\n");
        break;
    case QR_ITEM_RECT: {
        paint_setup(p, it);
        float r[4] = {it->x, h - it->y - it->h, it->w, it->h};
        put_nums(p->out, r, 4, "re\n");
        paint(p, it);
        break;
    }
    case QR_ITEM_PATH:
        if (!it->pts || it->npts < 2) break;
        paint_setup(p, it);
        move_to(p, it->pts[0], it->pts[1], "m\n");
        for (size_t k = 1; k < it->npts; k++)
            move_to(p, it->pts[2 * k], it->pts[2 * k + 1], "l\n");
        if (it->closed) emit(p, "h\n");
        paint(p, it);
        break;
    case QR_ITEM_IMAGE: {
        if (!it->uri) break;
        HPDF_Image img = get_image(st, it);
        const char *name = img ? HPDF_Page_GetXObjectName(p->page, img) : NULL;
        if (!name) break;
        float cm[6] = {it->w, 0, 0, it->h, it->x, h - it->y - it->h};
        emit(p, "q\n");
        put_nums(p->out, cm, 6, "cm\n/");
        put_str(p->out, name);
        emit(p, " Do\nQ\n");
        break;
    }
    case QR_ITEM_LINK:
        draw_link(st, p, it);
        break;
    default:
        break;
    }
}

/* ---- imported pages ----
 *
 * A page of another PDF (an appendix) becomes a Form XObject made here,
 * its content as the caller read it and its /Resources an object the pack
 * pass fills in with the caller's text, which refers to the caller's
 * objects appended after libharu's (qr_pdf_imports.objects). Drawing it
 * in this pass, not in a later one over the finished file, means the file
 * is written once and never parsed again: reading the whole pack back and
 * rewriting it was most of what an appendix cost. */

/* ops put into content c just inside its first Figure's marked-content
 * sequence: the drawing is tagged by that Figure and lies under what
 * follows (the footer, the marks). Without a Figure it goes first. */
static void insert_at_figure(qr_buf *c, const char *ops, size_t n)
{
    static const char MARK[] = "/Figure <</MCID ";
    const char *m = c->data ? memmem(c->data, c->len, MARK, sizeof MARK - 1)
                            : NULL;
    const char *bdc = m ? memmem(m, c->len - (size_t)(m - c->data), "BDC\n", 4)
                        : NULL;
    size_t at = bdc ? (size_t)(bdc + 4 - c->data) : 0;
    qr_buf b;
    qr_buf_init(&b);
    if (at) qr_buf_append(&b, c->data, at);
    qr_buf_append(&b, ops, n);
    if (c->len > at) qr_buf_append(&b, c->data + at, c->len - at);
    qr_buf_free(c);
    *c = b;
}

static HPDF_Array real_array(pdf_state *st, const double *v, int n)
{
    HPDF_Array a = HPDF_Array_New(st->pdf->mmgr);
    for (int i = 0; a && i < n; i++) HPDF_Array_AddReal(a, (HPDF_REAL)v[i]);
    return a;
}

/* The form of import k, with its /Resources object (filled at the save). */
static HPDF_Dict import_form(pdf_state *st, size_t k)
{
    const qr_pdf_import *im = &st->imports->v[k];
    HPDF_Dict form = stream_for(st, im->data, im->len);
    HPDF_Dict res = new_indirect(st);
    if (!form || !res) return NULL;
    HPDF_Dict_AddName(form, "Type", "XObject");
    HPDF_Dict_AddName(form, "Subtype", "Form");
    HPDF_Dict_Add(form, "BBox", real_array(st, im->bbox, 4));
    /* kept compressed as stored (libharu would drop the /Filter key: the
     * pack pass writes it) */
    st->subst[st->nsubst - 1].flate = im->flate;
    HPDF_Dict_Add(form, "Resources", res);
    st->import_res[k] = res->header.obj_id & 0x00FFFFFF;
    st->import_form[k] = form;
    return form;
}

static bool graft_placed(const pdf_state *st, const qr_pdf_graft *g)
{
    for (size_t i = 0; i < st->nplaced; i++)
        if (st->placed[i].graft == g) return true;
    return false;
}

/* The graft of the first import drawn on page i, or NULL. */
static const qr_pdf_graft *page_graft(const pdf_state *st, size_t i)
{
    for (size_t k = 0; st->imports && k < st->imports->n; k++)
        if (st->imports->v[k].page == i && st->imports->v[k].graft)
            return st->imports->v[k].graft;
    return NULL;
}

/* The item of page pg that opens its first Figure's marked content (the
 * placeholder's mark), hidden so that it is drawn as an artifact: the
 * imported page's own marked content must not sit inside another
 * element's. -1 when the page has none. */
static int hide_figure(pdf_state *st, const qr_page *pg)
{
    for (size_t k = 0; k < pg->nitems; k++) {
        int m = mark_of(st, &pg->items[k]);
        if (m < 0 || elem_role(st, m) != QR_ROLE_FIGURE) continue;
        if (!st->hidden) st->hidden = qr_xcalloc(st->nelems, 1);
        st->hidden[m] = 1;
        return (int)k;
    }
    return -1;
}

/* Every import onto page i, after its items are drawn. fig: the Figure
 * item hide_figure found for a grafted import (its element fig_elem), and
 * at: where in the content that item began, outside marked content. */
static void draw_imports(pdf_state *st, size_t i, int fig, int fig_elem,
                         size_t at)
{
    for (size_t k = 0; st->imports && k < st->imports->n; k++) {
        const qr_pdf_import *im = &st->imports->v[k];
        if (im->page != i) continue;
        HPDF_Dict form = import_form(st, k);
        const char *name = form ? HPDF_Page_GetXObjectName(st->pages[i], form)
                                : NULL;
        if (!name) {
            fail(st, NULL, "cannot add imported page %zu", i + 1);
            return;
        }
        const double *m = im->matrix;
        char ops[320];
        int n = snprintf(ops, sizeof ops,
                         "q %g %g %g %g %g %g cm 1 0 0 1 %.4f %.4f cm /%s Do "
                         "Q\n", m[0], m[1], m[2], m[3], m[4], m[5],
                         -im->bbox[0], -im->bbox[1], name);
        if (!im->graft || fig < 0) {
            insert_at_figure(&st->content[i], ops, (size_t)n);
            continue;
        }
        qr_buf *c = &st->content[i], b;
        qr_buf_init(&b);
        qr_buf_append(&b, c->data, at);
        qr_buf_append(&b, ops, (size_t)n);
        qr_buf_append(&b, c->data + at, c->len - at);
        qr_buf_free(c);
        *c = b;
        if (graft_placed(st, im->graft)) continue;
        /* the Figure's place in the tree, for the graft's elements */
        add_kid(st, fig_elem, (int)i, -1, NULL);
        st->kids[st->nkids - 1].graft = im->graft;
        st->placed = qr_xrealloc(st->placed,
                                 (st->nplaced + 1) * sizeof *st->placed);
        st->placed[st->nplaced++] = (placed_graft){im->graft, NULL};
    }
}

static bool draw_pages(pdf_state *st, const qr_pages *pages)
{
    size_t np = qr_pages_count(pages);
    st->pages = qr_xcalloc(np ? np : 1, sizeof *st->pages);
    st->content = qr_xcalloc(np ? np : 1, sizeof *st->content);
    st->npages = np;
    /* Every page exists before any is drawn, so links can point forward. */
    for (size_t i = 0; i < np; i++) {
        const qr_page *pg = qr_pages_get(pages, i);
        st->pages[i] = HPDF_AddPage(st->pdf);
        if (!st->pages[i]) break;
        HPDF_Page_SetWidth(st->pages[i], pg->width);
        HPDF_Page_SetHeight(st->pages[i], pg->height);
    }
    if (hpdf_failed(st, "adding pages")) return false;
    for (size_t k = 0; st->imports && k < st->imports->n; k++)
        if (st->imports->v[k].page >= np) {
            fail(st, NULL, "cannot draw an imported page on page %zu: the "
                 "document has %zu", st->imports->v[k].page + 1, np);
            return false;
        }
    int *marks = NULL;
    size_t cmarks = 0;
    bool ok = true;
    for (size_t i = 0; i < np && !st->failed; i++) {
        const qr_page *pg = qr_pages_get(pages, i);
        pen p = {0};
        p.page = st->pages[i];
        p.out = &st->content[i];
        p.index = (int)i;
        p.mark = MARK_CLOSED;
        p.width = pg->width;
        p.height = pg->height;
        p.line_width = -1;
        /* Room for the page at once, about what the last one took (or
         * 40 bytes an item for the first): grown from nothing, a page's
         * buffer was copied nine times over */
        size_t guess = i ? st->content[i - 1].len : 40 * pg->nitems;
        qr_buf_reserve(p.out, guess + guess / 8);
        /* Screen readers tab through annotations in structure order. */
        HPDF_Dict_AddName(p.page, "Tabs", "S");
        int fig = page_graft(st, i) ? hide_figure(st, pg) : -1;
        size_t at = 0;
        /* each item's mark once: ends_line wants the next text's too */
        if (pg->nitems > cmarks) {
            free(marks);
            cmarks = pg->nitems;
            marks = qr_xmalloc(cmarks * sizeof *marks);
        }
        for (size_t k = 0; k < pg->nitems; k++)
            marks[k] = mark_of(st, &pg->items[k]);
        for (size_t k = 0; k < pg->nitems && !st->failed; k++) {
            if ((int)k == fig) {
                set_mark(st, &p, MARK_CLOSED);
                at = p.out->len;
            }
            draw_item(st, &p, &pg->items[k], marks[k],
                      ends_line(st, pg, k, marks));
        }
        set_mark(st, &p, MARK_CLOSED);
        draw_imports(st, i, fig, fig >= 0 ? pg->items[fig].elem : -1, at);
        if (hpdf_failed(st, "drawing a page")) {
            ok = false;
            break;
        }
        /* the page's contents are final: deflated while the next is drawn */
        qr_pdf_zq_add(st->zq, st->content[i].data, st->content[i].len);
    }
    free(marks);
    return ok && !st->failed;
}

/* One outline entry per anchor with a level, nested by level. */
static bool build_outlines(pdf_state *st, const qr_pages *pages)
{
    enum { MAX_LEVEL = 6 };
    HPDF_Outline open[MAX_LEVEL + 1] = {0};
    int any = 0;
    for (size_t pi = 0; pi < qr_pages_count(pages); pi++) {
        const qr_page *pg = qr_pages_get(pages, pi);
        for (size_t k = 0; k < pg->nitems; k++) {
            const qr_item *it = &pg->items[k];
            if (it->kind != QR_ITEM_ANCHOR || it->level <= 0) continue;
            int lv = it->level > MAX_LEVEL ? MAX_LEVEL : it->level;
            HPDF_Outline parent = NULL;
            for (int l = lv - 1; l >= 1 && !parent; l--) parent = open[l];
            const char *title = it->text && it->len ? it->text
                                : it->name        ? it->name
                                                  : "";
            /* no encoder: the title is replaced below */
            HPDF_Outline o = HPDF_CreateOutline(st->pdf, parent, "", NULL);
            if (!o) return !hpdf_failed(st, "adding an outline entry");
            /* the title as our text string: libharu's stops at 64 KB */
            char *t = qr_xstrndup(title, title == it->text ? it->len : strlen(title));
            HPDF_Dict_Add(o, "Title", text_string(st, t));
            free(t);
            /* /Type is for the outline root only (ISO 32000-1 Table 153);
             * libharu puts /Outlines on every item too */
            HPDF_Dict_RemoveElement(o, "Type");
            HPDF_Destination dst = make_dest(st, pi, it->x, it->y);
            if (dst) HPDF_Outline_SetDestination(o, dst);
            HPDF_Outline_SetOpened(o, lv == 1 ? HPDF_TRUE : HPDF_FALSE);
            open[lv] = o;
            for (int l = lv + 1; l <= MAX_LEVEL; l++) open[l] = NULL;
            any = 1;
        }
    }
    if (any) HPDF_SetPageMode(st->pdf, HPDF_PAGE_MODE_USE_OUTLINE);
    return !hpdf_failed(st, "building outlines");
}

/* ---- structure tree ---- */

/* Where libharu writes when it writes for this file: the buffer buf_write
 * appends to (one per thread, set around each use). */
static _Thread_local qr_buf *write_to;

static HPDF_STATUS buf_write(HPDF_Stream stream, const HPDF_BYTE *ptr,
                             HPDF_UINT siz)
{
    (void)stream;
    /* most writes are a few bytes (a key, a number, a space): copied in
     * place, and left unterminated (save terminates the file) */
    qr_buf *b = write_to;
    if (b->len + siz + 1 > b->cap) qr_buf_reserve(b, siz);
    char *d = b->data + b->len;
    if (siz <= 8)
        for (HPDF_UINT i = 0; i < siz; i++) d[i] = (char)ptr[i];
    else
        memcpy(d, ptr, siz);
    b->len += siz;
    return HPDF_OK;
}

typedef struct selem {
    void *dict;                 /* a numbered null: fill_elem's text is its
                                   body in the file (see below) */
    int parent;                 /* -1: a root */
    int used;                   /* it or a descendant has content */
    size_t minseq;              /* first content (index in st->kids) */
    int child, last, next;      /* children in element order */
    size_t own, nown;           /* its own content: ownk[own .. own+nown) */
    HPDF_Dict up;               /* the Div its /P names, when grouped */
    const qr_pdf_graft *graft;  /* a Figure replaced by these elements */
} selem;

/* libharu's arrays stop at 8,191 entries, so an element with more children
 * (a paper of 45,000 short paragraphs under one Document) has them put in
 * Div groupings of STRUCT_GROUP each: Div is the neutral block grouping
 * (ISO 32000-1 §14.8.4.2), so reading order and roles are unchanged. */
#define STRUCT_GROUP 4096

/* An indirect object whose body the pack pass replaces (qr_pdf_subst):
 * the cheapest libharu has, a null, which it numbers and writes as such. */
static void *new_placeholder(pdf_state *st)
{
    HPDF_Null o = HPDF_Null_New(st->pdf->mmgr);
    if (o && HPDF_Xref_Add(st->pdf->xref, o) != HPDF_OK) return NULL;
    return o;
}

static HPDF_Dict new_indirect(pdf_state *st)
{
    HPDF_Dict d = HPDF_Dict_New(st->pdf->mmgr);
    if (d && HPDF_Xref_Add(st->pdf->xref, d) != HPDF_OK) return NULL;
    return d;
}

static const char *const GRAFT_KEYS[QR_GRAFT_NTEXT] = {
    [QR_GRAFT_ALT] = "Alt", [QR_GRAFT_ACTUAL] = "ActualText",
    [QR_GRAFT_E] = "E", [QR_GRAFT_LANG] = "Lang", [QR_GRAFT_T] = "T"};

/* A grafted attribute's value. appendix.c (attr_scalar) keeps only what
 * this can write: names without a space, and numbers that are whole and
 * below 2e9 (written as integers) or within libharu's ±32,767 for reals. */
static void *attr_value(pdf_state *st, const qr_pdf_attr *a)
{
    HPDF_MMgr mm = st->pdf->mmgr;
    switch (a->type) {
    case 'n': return HPDF_Name_New(mm, a->str.s);
    case 'b': return HPDF_Boolean_New(mm, a->num != 0);
    case 's': return raw_string(st, a->str.s, a->str.len);
    default:
        if (a->num == floor(a->num) && fabs(a->num) < 2e9)
            return HPDF_Number_New(mm, (HPDF_INT32)a->num);
        return HPDF_Real_New(mm, (HPDF_REAL)a->num);
    }
}

/* A grafted element's attribute objects as its /A: one dictionary, or an
 * array of them. */
static void graft_attrs(pdf_state *st, HPDF_Dict el, const qr_pdf_graft_elem *x)
{
    if (!x->nattrs) return;
    HPDF_MMgr mm = st->pdf->mmgr;
    HPDF_Array list = x->attrs[x->nattrs - 1].obj > 0 ? HPDF_Array_New(mm)
                                                       : NULL;
    HPDF_Dict d = NULL;
    int cur = -1;
    for (size_t i = 0; i < x->nattrs; i++) {
        const qr_pdf_attr *a = &x->attrs[i];
        if (a->obj != cur) {
            d = HPDF_Dict_New(mm);
            if (list) HPDF_Array_Add(list, d);
            else HPDF_Dict_Add(el, "A", d);
            cur = a->obj;
        }
        if (a->type != '[') {
            HPDF_Dict_Add(d, a->key, attr_value(st, a));
            continue;
        }
        HPDF_Array arr = HPDF_Array_New(mm);
        for (size_t j = 1; j <= a->n && i + j < x->nattrs; j++)
            HPDF_Array_Add(arr, attr_value(st, &x->attrs[i + j]));
        HPDF_Dict_Add(d, a->key, arr);
        i += a->n;
    }
    if (list) HPDF_Dict_Add(el, "A", list);
}

/* A graft's elements as dictionaries, its top ones with /P parent: each
 * marked-content kid a reference into its import's form (/Stm), on the
 * placeholder page that draws it. Recorded in st->placed for the
 * ParentTree. Returns the dictionaries, for the caller to put the top ones
 * (elems[e].parent < 0) in its /K, or NULL when there are none to put (the
 * graft is placed already, or libharu failed). */
static HPDF_Dict *place_graft(pdf_state *st, const qr_pdf_graft *g,
                              HPDF_Dict parent)
{
    HPDF_MMgr mm = st->pdf->mmgr;
    placed_graft *pl = NULL;
    for (size_t i = 0; i < st->nplaced && !pl; i++)
        if (st->placed[i].graft == g) pl = &st->placed[i];
    if (!pl || pl->dicts) return NULL;
    HPDF_Dict *dict = qr_xcalloc(g->nelems ? g->nelems : 1, sizeof *dict);
    pl->dicts = dict;
    for (size_t e = 0; e < g->nelems; e++)
        if (!(dict[e] = new_indirect(st))) return NULL;
    for (size_t e = 0; e < g->nelems; e++) {
        const qr_pdf_graft_elem *el = &g->elems[e];
        HPDF_Dict_AddName(dict[e], "S", el->type);
        HPDF_Dict_Add(dict[e], "P", el->parent >= 0 ? dict[el->parent]
                                                    : parent);
        for (int t = 0; t < QR_GRAFT_NTEXT; t++)
            if (el->text[t].s)
                HPDF_Dict_Add(dict[e], GRAFT_KEYS[t],
                              raw_string(st, el->text[t].s, el->text[t].len));
        graft_attrs(st, dict[e], el);
        HPDF_Array kids = HPDF_Array_New(mm);
        bool pg = false;
        for (size_t i = el->kid; i < el->kid + el->nkids; i++) {
            const qr_pdf_graft_kid *c = &g->kids[i];
            if (c->elem >= 0) {
                HPDF_Array_Add(kids, dict[c->elem]);
                continue;
            }
            HPDF_Page page = st->pages[st->imports->v[c->import].page];
            if (!pg) HPDF_Dict_Add(dict[e], "Pg", page);
            pg = true;
            HPDF_Dict r = HPDF_Dict_New(mm);
            HPDF_Dict_AddName(r, "Type", "MCR");
            HPDF_Dict_Add(r, "Pg", page);
            HPDF_Dict_Add(r, "Stm", st->import_form[c->import]);
            HPDF_Dict_AddNumber(r, "MCID", c->mcid);
            HPDF_Array_Add(kids, r);
        }
        HPDF_Dict_Add(dict[e], "K", kids);
    }
    return dict;
}

/* Child c of an element into its /K, with /P parent: its dictionary, or
 * the elements of the graft that replaces it. */
static void add_child(pdf_state *st, const selem *c, HPDF_Array k,
                      HPDF_Dict parent)
{
    if (!c->graft) {
        HPDF_Array_Add(k, c->dict);
        return;
    }
    HPDF_Dict *d = place_graft(st, c->graft, parent);
    for (size_t e = 0; d && e < c->graft->nelems; e++)
        if (c->graft->elems[e].parent < 0) HPDF_Array_Add(k, d[e]);
}

/* ---- structure elements as text ----
 *
 * An element's dictionary is written here, as the text libharu would write
 * for it, and given to the pack pass as the object's whole body
 * (qr_pdf_subst): libharu only numbers the object. Made as libharu
 * dictionaries, the elements were two fifths of the PDF stage's own work,
 * an object for every key, name, number and array slot, each written out
 * through its stream one call at a time. The layout is libharu 2.3's
 * (pdf_pack.h checks the version): "<<", a line per entry, ">>"; arrays
 * "[ a b ]"; references "N G R". */

/* A reference to indirect object obj, as libharu writes it, then a space
 * when sp: "N G R", made whole and appended once (there is one for every
 * element and kid). */
static void put_ref(qr_buf *b, const void *obj, bool sp)
{
    const HPDF_Obj_Header *h = obj;
    /* in place: two numbers of at most 20 digits and " R " */
    if (b->len + 48 > b->cap) qr_buf_reserve(b, 48);
    char *d = b->data + b->len;
    size_t n = qr_put_dec(d, h->obj_id & 0x00FFFFFF);
    d[n++] = ' ';
    if (h->gen_no == 0) d[n++] = '0';      /* libharu's every object */
    else n += qr_put_dec(d + n, h->gen_no);
    memcpy(d + n, " R ", 3);
    b->len += n + (sp ? 3 : 2);
    b->data[b->len] = '\0';
}

/* A direct object (a string) through libharu's own writer: its escaping
 * is libharu's, byte for byte. */
static void put_value(pdf_state *st, qr_buf *b, void *obj)
{
    if (!obj || !st->swriter) return;
    write_to = b;
    HPDF_Obj_WriteValue(obj, st->swriter, NULL);
    write_to = NULL;
}

/* Child c of an element into its /K text, with /P parent: a reference to
 * its dictionary, or to the top elements of the graft that replaces it. */
static void put_child(pdf_state *st, const selem *c, qr_buf *b,
                      HPDF_Dict parent)
{
    if (!c->graft) {
        put_ref(b, c->dict, true);
        return;
    }
    HPDF_Dict *d = place_graft(st, c->graft, parent);
    for (size_t e = 0; d && e < c->graft->nelems; e++)
        if (c->graft->elems[e].parent < 0) put_ref(b, d[e], true);
}

/* Object obj's text: st->stext from start to its end now. Pointed to
 * only once all the text is written (text_done): stext moves as it grows. */
static void add_text(pdf_state *st, const void *obj, size_t start)
{
    QR_GROW(st->subst, st->nsubst, st->csubst, 16);
    st->subst[st->nsubst++] = (qr_pdf_subst){
        .obj = ((const HPDF_Obj_Header *)obj)->obj_id & 0x00FFFFFF,
        .len = st->stext.len - start};
    QR_GROW(st->stext_at, st->nstext_at, st->cstext_at, 64);
    st->stext_at[st->nstext_at++] = start;
}

static void text_done(pdf_state *st)
{
    for (size_t k = 0; k < st->nstext_at; k++)
        st->subst[st->stext_subst + k].data = st->stext.data + st->stext_at[k];
}

/* An element's many children, STRUCT_GROUP to a Div in its /K; each child's
 * /P will name its Div (see STRUCT_GROUP). */
static void group_children(pdf_state *st, selem *se, const selem *x,
                           qr_buf *k)
{
    HPDF_Array dk = NULL;
    HPDF_Dict div = NULL;
    int i = 0;
    for (int c = x->child; c >= 0; c = se[c].next, i++) {
        if (i % STRUCT_GROUP == 0) {
            if (!(div = new_indirect(st))) return;
            HPDF_Dict_AddName(div, "S", "Div");
            HPDF_Dict_Add(div, "P", x->dict);
            dk = HPDF_Array_New(st->pdf->mmgr);
            HPDF_Dict_Add(div, "K", dk);
            put_ref(k, div, true);
        }
        add_child(st, &se[c], dk, div);
        se[c].up = div;
    }
}

/* One kid of a /K array, as text: an MCID (a bare number on the
 * element's /Pg), a marked-content reference on another page, or an
 * annotation reference. */
static void put_content_ref(pdf_state *st, qr_buf *b, const content_kid *c,
                            int pg)
{
    if (c->annot) {
        put_str(b, "<<\n/Type /OBJR\n/Obj ");
        put_ref(b, c->annot, false);
        put_str(b, "\n>>");
    } else if (c->page == pg) {
        put_dec(b, (size_t)c->mcid);
    } else {
        put_str(b, "<<\n/Type /MCR\n/Pg ");
        put_ref(b, st->pages[c->page], false);
        put_str(b, "\n/MCID ");
        put_dec(b, (size_t)c->mcid);
        put_str(b, "\n>>");
    }
    put_ch(b, ' ');
}

/* Element e's dictionary as text, appended to st->stext (see above). */
static void fill_elem(pdf_state *st, selem *se, const size_t *ownk, int e,
                      HPDF_Dict parent, int nested_doc)
{
    qr_buf *b = &st->stext;
    selem *x = &se[e];
    const qr_elem *el = qr_pages_elem(st->doc, (size_t)e);
    const char *type = struct_type(el->role);
    /* A Document inside the tree (papers joined into a pack) is a Part. */
    if (nested_doc && el->role == QR_ROLE_DOCUMENT) type = "Part";
    put_str(b, "<<\n/S /");
    put_str(b, type);
    put_str(b, "\n/P ");
    put_ref(b, parent, false);
    put_ch(b, '\n');
    int pg = -1;
    for (size_t i = 0; i < x->nown && pg < 0; i++)
        if (!st->kids[ownk[x->own + i]].annot)
            pg = st->kids[ownk[x->own + i]].page;
    if (pg >= 0) {
        put_str(b, "/Pg ");
        put_ref(b, st->pages[pg], false);
        put_ch(b, '\n');
    }
    const char *alt = el->alt && el->alt[0] ? el->alt : NULL;
    if (!alt && el->role == QR_ROLE_LINK && st->link_alt) alt = st->link_alt[e];
    if (alt) {
        /* made before the key is written: on failure neither is there */
        void *str = text_string(st, alt);
        if (str) {
            put_str(b, "/Alt ");
            put_value(st, b, str);
            put_ch(b, '\n');
        }
    }
    if (el->role == QR_ROLE_TH) {
        const char *scope = el->scope && (strcmp(el->scope, "Row") == 0 ||
                                          strcmp(el->scope, "Both") == 0)
                                ? el->scope
                                : "Column";
        put_str(b, "/A <<\n/O /Table\n/Scope /");
        put_str(b, scope);
        put_str(b, "\n>>\n");
    }
    int nchild = 0;
    for (int c = x->child; c >= 0; c = se[c].next) nchild++;
    if (nchild == 0 && x->nown == 1 && !st->kids[ownk[x->own]].annot) {
        put_str(b, "/K ");
        put_dec(b, (size_t)st->kids[ownk[x->own]].mcid);
        put_str(b, "\n>>");
        return;
    }
    /* Children in element order; the element's own content goes before the
     * first child whose content comes after it. */
    put_str(b, "/K [ ");
    if (nchild > STRUCT_GROUP && x->nown == 0) {
        group_children(st, se, x, b);
    } else {
        size_t i = 0;
        for (int c = x->child; c >= 0; c = se[c].next) {
            while (i < x->nown && ownk[x->own + i] < se[c].minseq)
                put_content_ref(st, b, &st->kids[ownk[x->own + i++]], pg);
            put_child(st, &se[c], b, x->dict);
        }
        while (i < x->nown)
            put_content_ref(st, b, &st->kids[ownk[x->own + i++]], pg);
    }
    put_str(b, "]\n>>");
}

/* The grafts' entries of the ParentTree, from key `next` on: for each
 * import whose form holds a placed graft's marked content, the form's
 * /StructParents key → the array, indexed by MCID, of the elements owning
 * them (a form's MCIDs are its own, §14.7.4.4). Appended to keys and, as
 * text in vt, to vals (*n of them); returns the next free key. */
static int graft_parents(pdf_state *st, int next, int *keys, size_t *vals,
                         qr_buf *vt, size_t *n)
{
    if (!st->nplaced) return next;
    size_t nimp = st->imports->n;
    HPDF_Dict **own = qr_xcalloc(nimp, sizeof *own);
    int *len = qr_xcalloc(nimp, sizeof *len);
    for (int pass = 0; pass < 2; pass++)
        for (size_t p = 0; p < st->nplaced; p++) {
            const qr_pdf_graft *g = st->placed[p].graft;
            HPDF_Dict *dict = st->placed[p].dicts;
            if (!dict) continue;
            for (size_t e = 0; e < g->nelems; e++) {
                const qr_pdf_graft_elem *el = &g->elems[e];
                for (size_t i = el->kid; i < el->kid + el->nkids; i++) {
                    const qr_pdf_graft_kid *c = &g->kids[i];
                    if (c->elem >= 0) continue;
                    if (pass == 0 && c->mcid >= len[c->import])
                        len[c->import] = c->mcid + 1;
                    if (pass == 1) own[c->import][c->mcid] = dict[e];
                }
            }
            if (pass == 0)
                for (size_t k = 0; k < nimp; k++)
                    if (len[k] && !own[k])
                        own[k] = qr_xcalloc((size_t)len[k], sizeof **own);
        }
    for (size_t k = 0; k < nimp; k++) {
        if (!own[k]) continue;
        vals[*n] = vt->len;
        put_str(vt, "[ ");
        for (int m = 0; m < len[k]; m++) {
            if (own[k][m]) put_ref(vt, own[k][m], true);
            else put_str(vt, "null ");
        }
        put_ch(vt, ']');
        HPDF_Dict_AddNumber(st->import_form[k], "StructParents", next);
        keys[(*n)++] = next++;
        free(own[k]);
    }
    free(own);
    free(len);
    return next;
}

/* Pairs i .. end of the ParentTree as the text of a /Nums array: each key
 * then its value, vals[j] .. vals[j + 1] in vt. */
static void put_pairs(qr_buf *b, const int *keys, const size_t *vals,
                      const qr_buf *vt, size_t i, size_t end)
{
    put_str(b, "[ ");
    for (size_t j = i; j < end; j++) {
        put_dec(b, (size_t)keys[j]);
        put_ch(b, ' ');
        qr_buf_append(b, vt->data + vals[j], vals[j + 1] - vals[j]);
        put_ch(b, ' ');
    }
    put_ch(b, ']');
}

/* The ParentTree (a number tree, §7.9.7): key = a page's /StructParents →
 * array of the elements of its MCIDs; key = an annotation's /StructParent
 * → its element. Split into leaves when long. Written as text, as the
 * elements are (add_text): tree and its leaves are placeholders. */
static void build_parent_tree(pdf_state *st, const selem *se, HPDF_Dict root,
                              void *tree, size_t npages)
{
    size_t nimp = st->imports ? st->imports->n : 0;
    size_t cap = npages + st->nkids + nimp, n = 0;
    int *keys = qr_xmalloc((cap ? cap : 1) * sizeof *keys);
    size_t *vals = qr_xmalloc((cap + 1) * sizeof *vals);
    qr_buf vt;                      /* the values' text, vals[i] into it */
    qr_buf_init(&vt);
    size_t k = 0;
    for (size_t p = 0; p < npages; p++) {
        bool any = false;
        for (; k < st->nkids && st->kids[k].page == (int)p; k++) {
            const content_kid *c = &st->kids[k];
            if (c->annot || c->graft) continue;
            if (!any) {
                vals[n] = vt.len;
                put_str(&vt, "[ ");
                any = true;
            }
            put_ref(&vt, se[c->elem].dict, true);
        }
        if (!any) continue;
        put_ch(&vt, ']');
        HPDF_Dict_AddNumber(st->pages[p], "StructParents", (HPDF_INT32)p);
        keys[n++] = (int)p;
    }
    int next = (int)npages;
    for (k = 0; k < st->nkids; k++) {
        const content_kid *c = &st->kids[k];
        if (!c->annot) continue;
        HPDF_Dict_AddNumber(c->annot, "StructParent", next);
        vals[n] = vt.len;
        put_ref(&vt, se[c->elem].dict, false);
        keys[n++] = next++;
    }
    next = graft_parents(st, next, keys, vals, &vt, &n);
    vals[n] = vt.len;
    qr_buf *b = &st->stext;
    if (n <= NUMTREE_LEAF) {
        size_t start = b->len;
        put_str(b, "<<\n/Nums ");
        put_pairs(b, keys, vals, &vt, 0, n);
        put_str(b, "\n>>");
        add_text(st, tree, start);
    } else {
        /* the leaves are numbered after the tree, and written first */
        size_t nleaves = (n + NUMTREE_LEAF - 1) / NUMTREE_LEAF;
        void **leaf = qr_xmalloc(nleaves * sizeof *leaf);
        size_t made = 0;
        for (; made < nleaves; made++)
            if (!(leaf[made] = new_placeholder(st))) break;
        for (size_t l = 0; l < made; l++) {
            size_t i = l * NUMTREE_LEAF;
            size_t end = i + NUMTREE_LEAF < n ? i + NUMTREE_LEAF : n;
            size_t start = b->len;
            put_str(b, "<<\n/Limits [ ");
            put_dec(b, (size_t)keys[i]);
            put_ch(b, ' ');
            put_dec(b, (size_t)keys[end - 1]);
            put_str(b, " ]\n/Nums ");
            put_pairs(b, keys, vals, &vt, i, end);
            put_str(b, "\n>>");
            add_text(st, leaf[l], start);
        }
        size_t start = b->len;
        put_str(b, "<<\n/Kids [ ");
        for (size_t l = 0; l < made; l++) put_ref(b, leaf[l], true);
        put_str(b, "]\n>>");
        add_text(st, tree, start);
        free(leaf);
    }
    /* on the StructTreeRoot, where readers look for it (§14.7.2) */
    HPDF_Dict_AddNumber(root, "ParentTreeNextKey", next);
    qr_buf_free(&vt);
    free(keys);
    free(vals);
}

/* StructTreeRoot → Document → elements, from the display list's element
 * table and the content drawn for each; /MarkInfo in the catalog. */
static bool build_structure(pdf_state *st, size_t npages)
{
    size_t n = st->nelems;
    selem *se = qr_xcalloc(n ? n : 1, sizeof *se);
    size_t *ownk = qr_xmalloc((st->nkids ? st->nkids : 1) * sizeof *ownk);
    for (size_t e = 0; e < n; e++) {
        se[e].parent = parent_of(st, (int)e);
        se[e].child = se[e].last = se[e].next = -1;
    }
    /* Used elements, and the first content under each: kids come in
     * drawing order, so an element already used saw earlier content. */
    for (size_t k = 0; k < st->nkids; k++) {
        if (st->kids[k].graft) se[st->kids[k].elem].graft = st->kids[k].graft;
        se[st->kids[k].elem].nown++;
        for (int x = st->kids[k].elem; x >= 0 && !se[x].used;
             x = se[x].parent) {
            se[x].used = 1;
            se[x].minseq = k;
        }
    }
    size_t at = 0;
    for (size_t e = 0; e < n; e++) {
        se[e].own = at;
        at += se[e].nown;
        se[e].nown = 0;
    }
    for (size_t k = 0; k < st->nkids; k++) {
        selem *x = &se[st->kids[k].elem];
        ownk[x->own + x->nown++] = k;
    }
    int nroots = 0, root = -1;
    for (size_t e = 0; e < n; e++) {
        if (!se[e].used) continue;
        int p = se[e].parent;
        if (p < 0) {
            nroots++;
            root = (int)e;
            continue;
        }
        if (se[p].last >= 0)
            se[se[p].last].next = (int)e;
        else
            se[p].child = (int)e;
        se[p].last = (int)e;
    }
    /* The tree's one Document: the display list's own when it has exactly
     * one root and that is a Document, else one made to hold the roots. */
    int own_doc = nroots == 1 && elem_role(st, root) == QR_ROLE_DOCUMENT;
    HPDF_Dict tree = new_indirect(st);
    HPDF_Dict doc = own_doc ? NULL : new_indirect(st);
    void *ptree = new_placeholder(st);
    for (size_t e = 0; e < n; e++)
        if (se[e].used && !se[e].graft) se[e].dict = new_placeholder(st);
    if (hpdf_failed(st, "creating the structure tree")) goto done;
    HPDF_Dict_AddName(tree, "Type", "StructTreeRoot");
    if (own_doc) {
        HPDF_Dict_Add(tree, "K", se[root].dict);
    } else {
        HPDF_Dict_Add(tree, "K", doc);
        HPDF_Dict_AddName(doc, "S", "Document");
        HPDF_Dict_Add(doc, "P", tree);
        HPDF_Array k = HPDF_Array_New(st->pdf->mmgr);
        HPDF_Dict_Add(doc, "K", k);
        for (size_t e = 0; e < n; e++)
            if (se[e].used && se[e].parent < 0) add_child(st, &se[e], k, doc);
    }
    st->swriter = HPDF_CallbackWriter_New(st->pdf->mmgr, buf_write, NULL);
    st->stext_subst = st->nsubst;
    for (size_t e = 0; e < n; e++) {
        if (!se[e].used || se[e].graft) continue;
        int p = se[e].parent;
        /* parents come before their children, so a Div is made first */
        HPDF_Dict parent = se[e].up       ? se[e].up
                           : p >= 0       ? se[p].dict
                           : own_doc      ? tree
                                          : doc;
        size_t start = st->stext.len;
        fill_elem(st, se, ownk, (int)e, parent, !(own_doc && (int)e == root));
        add_text(st, se[e].dict, start);
    }
    HPDF_Dict_Add(tree, "ParentTree", ptree);
    build_parent_tree(st, se, tree, ptree, npages);
    text_done(st);
    HPDF_Dict_Add(st->pdf->catalog, "StructTreeRoot", tree);
    HPDF_Dict mark = HPDF_Dict_New(st->pdf->mmgr);
    HPDF_Dict_AddBoolean(mark, "Marked", HPDF_TRUE);
    HPDF_Dict_Add(st->pdf->catalog, "MarkInfo", mark);
done:
    free(se);
    free(ownk);
    return !hpdf_failed(st, "building the structure tree");
}

/* ---- PDF/A-2b ---- */

/* XML character data: escape markup and drop what XML 1.0 forbids. */
static void xml_text(qr_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': qr_buf_puts(b, "&amp;"); break;
        case '<': qr_buf_puts(b, "&lt;"); break;
        case '>': qr_buf_puts(b, "&gt;"); break;
        case '"': qr_buf_puts(b, "&quot;"); break;
        case '\'': qr_buf_puts(b, "&apos;"); break;
        default:
            if (c >= CHAR_SPACE || c == '\t' || c == '\n' || c == '\r')
                qr_buf_putc(b, (char)c);
        }
    }
}

static void xmp_alt(qr_buf *b, const char *prop, const char *v)
{
    if (!v || !v[0]) return;
    qr_buf_printf(b, "   <%s><rdf:Alt><rdf:li xml:lang=\"x-default\">", prop);
    xml_text(b, v);
    qr_buf_printf(b, "</rdf:li></rdf:Alt></%s>\n", prop);
}

static void xmp_simple(qr_buf *b, const char *prop, const char *v)
{
    if (!v || !v[0]) return;
    qr_buf_printf(b, "   <%s>", prop);
    xml_text(b, v);
    qr_buf_printf(b, "</%s>\n", prop);
}

/* The XMP packet (ISO 16684-1) mirroring the Info dictionary, as PDF/A
 * requires: same title, author, subject, keywords, tools and dates. */
static void write_xmp(pdf_state *st, const char *producer, const char *date)
{
    const qr_pdf_meta *m = st->meta;
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_puts(&b,
        "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
        " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
        "  <rdf:Description rdf:about=\"\"\n"
        "    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"\n"
        "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
        "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
        "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n"
        "   <pdfaid:part>2</pdfaid:part>\n"
        "   <pdfaid:conformance>B</pdfaid:conformance>\n"
        "   <dc:format>application/pdf</dc:format>\n");
    xmp_alt(&b, "dc:title", st->title);
    if (st->author && st->author[0]) {
        qr_buf_puts(&b, "   <dc:creator><rdf:Seq><rdf:li>");
        xml_text(&b, st->author);
        qr_buf_puts(&b, "</rdf:li></rdf:Seq></dc:creator>\n");
    }
    xmp_alt(&b, "dc:description", st->subject);
    const char *lang = m->lang && m->lang[0] ? m->lang : DEFAULT_LANG;
    qr_buf_puts(&b, "   <dc:language><rdf:Bag><rdf:li>");
    xml_text(&b, lang);
    qr_buf_puts(&b, "</rdf:li></rdf:Bag></dc:language>\n");
    xmp_simple(&b, "pdf:Keywords", st->keywords);
    xmp_simple(&b, "pdf:Producer", producer);
    xmp_simple(&b, "xmp:CreatorTool", "Quire");
    xmp_simple(&b, "xmp:CreateDate", date);
    xmp_simple(&b, "xmp:ModifyDate", date);
    xmp_simple(&b, "xmp:MetadataDate", date);
    qr_buf_puts(&b, "  </rdf:Description>\n"
                    " </rdf:RDF>\n"
                    "</x:xmpmeta>\n"
                    "<?xpacket end=\"r\"?>");
    /* Our own stream: libharu's writes /SubType and does not escape. */
    HPDF_Dict md = HPDF_DictStream_New(st->pdf->mmgr, st->pdf->xref);
    if (md) {
        md->filter = HPDF_STREAM_FILTER_NONE;   /* readable without PDF */
        HPDF_Dict_AddName(md, "Type", "Metadata");
        HPDF_Dict_AddName(md, "Subtype", "XML");
        HPDF_Stream_Write(md->stream, (const HPDF_BYTE *)b.data,
                          (HPDF_UINT)b.len);
        HPDF_Dict_Add(st->pdf->catalog, "Metadata", md);
    }
    qr_buf_free(&b);
}

/* The sRGB output intent every DeviceRGB colour is read against. */
static bool write_output_intent(pdf_state *st)
{
    size_t n = 0;
    char *icc = qr_read_file(QR_PDF_SRGB_ICC, &n, 0);
    if (!icc) {
        fail(st, QR_PDF_SRGB_ICC,
             "PDF/A needs the sRGB colour profile '%s' (Debian package "
             "icc-profiles-free): %s",
             QR_PDF_SRGB_ICC, strerror(errno));
        return false;
    }
    HPDF_MMgr mm = st->pdf->mmgr;
    HPDF_Dict prof = HPDF_DictStream_New(mm, st->pdf->xref);
    if (prof) {
        prof->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
        HPDF_Dict_AddNumber(prof, "N", 3);
        HPDF_Stream_Write(prof->stream, (const HPDF_BYTE *)icc, (HPDF_UINT)n);
        HPDF_Dict oi = HPDF_Dict_New(mm);
        HPDF_Dict_AddName(oi, "Type", "OutputIntent");
        HPDF_Dict_AddName(oi, "S", "GTS_PDFA1");
        HPDF_Dict_Add(oi, "OutputConditionIdentifier",
                      HPDF_String_New(mm, "sRGB IEC61966-2.1", NULL));
        HPDF_Dict_Add(oi, "Info",
                      HPDF_String_New(mm, "sRGB IEC61966-2.1", NULL));
        HPDF_Dict_Add(oi, "DestOutputProfile", prof);
        HPDF_Array ois = HPDF_Array_New(mm);
        HPDF_Array_Add(ois, oi);
        HPDF_Dict_Add(st->pdf->catalog, "OutputIntents", ois);
    }
    free(icc);
    return !hpdf_failed(st, "writing the PDF/A output intent");
}

/* ---- metadata ---- */

/* An Info entry: a text string of any length (libharu's own setter stops
 * at 64 KB and writes invalid UTF-8 as it comes). */
static void info_text(pdf_state *st, const char *key, const char *v)
{
    if (!v) return;
    void *str = text_string(st, v);
    if (str) HPDF_Dict_Add(st->pdf->info, key, str);
}

static bool set_meta(pdf_state *st, const qr_pdf_meta *meta)
{
    HPDF_Doc pdf = st->pdf;
    char producer[64];
    snprintf(producer, sizeof producer, "Quire (Haru Free PDF Library %s)",
             HPDF_GetVersion());
    char date[32] = "";
    /* Creator first: it makes libharu's Info dictionary. The values are
     * then replaced in place (the keys keep their order) by the UTF-16
     * strings the UTF-8 encoder used to write. */
    HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "Quire");
    HPDF_SetInfoAttr(pdf, HPDF_INFO_PRODUCER, producer);
    if (!pdf->info || hpdf_failed(st, "writing document metadata"))
        return false;
    HPDF_Dict_Add(pdf->info, "Creator", utf16_string(st, "Quire", 5));
    HPDF_Dict_Add(pdf->info, "Producer", utf16_string(st, producer, strlen(producer)));
    if (meta) {
        info_text(st, "Title", st->title);
        info_text(st, "Author", st->author);
        info_text(st, "Subject", st->subject);
        info_text(st, "Keywords", st->keywords);
    }
    /* Only a date with a four-digit year: the PDF date and the XMP date
     * say the same instant, both in UTC written "Z" (libharu's setter
     * writes "Z00'00'", which some readers take for a different date from
     * the XMP one). */
    if (meta && meta->epoch >= 0 && meta->epoch <= QR_PDF_EPOCH_MAX) {
        time_t t = (time_t)meta->epoch;
        struct tm tm;
        char pdfdate[32];
        if (gmtime_r(&t, &tm) &&
            strftime(pdfdate, sizeof pdfdate, "D:%Y%m%d%H%M%SZ", &tm) == 17) {
            HPDF_Dict_Add(pdf->info, "CreationDate",
                          HPDF_String_New(pdf->mmgr, pdfdate, NULL));
            HPDF_Dict_Add(pdf->info, "ModDate",
                          HPDF_String_New(pdf->mmgr, pdfdate, NULL));
            strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
        }
    }
    /* libharu's viewer preferences have no DisplayDocTitle: add it and
     * /Lang to the catalog directly. */
    HPDF_Dict vp = HPDF_Dict_New(pdf->mmgr);
    if (vp) {
        HPDF_Dict_AddBoolean(vp, "DisplayDocTitle", HPDF_TRUE);
        HPDF_Dict_Add(pdf->catalog, "ViewerPreferences", vp);
    }
    const char *lang = meta && meta->lang && meta->lang[0] ? meta->lang
                                                           : DEFAULT_LANG;
    HPDF_Dict_Add(pdf->catalog, "Lang", HPDF_String_New(pdf->mmgr, lang, NULL));
    if (meta && meta->page_label_start > 0)
        HPDF_AddPageLabel(pdf, 0, HPDF_PAGE_NUM_STYLE_DECIMAL,
                          (HPDF_UINT)meta->page_label_start,
                          meta->page_label_prefix);
    if (meta && meta->pdfa) {
        write_xmp(st, producer, date[0] ? date : NULL);
        if (!write_output_intent(st)) return false;
    }
    return true;
}

/* ---- document identity ---- */

typedef struct fnv2 {
    uint64_t a, b;                  /* two FNV-1a lanes: 128 bits for /ID */
} fnv2;

#define FNV_PRIME 1099511628211ull

/* In line: most calls hash a few bytes of known size (an item's kind and
 * box), which then need neither a call nor a loop. */
static inline __attribute__((always_inline)) void fnv_bytes(fnv2 *h,
                                                            const void *p,
                                                            size_t n)
{
    const unsigned char *c = p;
    uint64_t a = h->a, b = h->b;
    size_t i = 0;
    /* four bytes a turn: every byte of text drawn passes here, and the
     * loop's own count and test were a third of it */
    for (; i + 4 <= n; i += 4) {
        a = (a ^ c[i]) * FNV_PRIME;
        b = (b ^ (unsigned char)(c[i] + 0x5B)) * FNV_PRIME;
        a = (a ^ c[i + 1]) * FNV_PRIME;
        b = (b ^ (unsigned char)(c[i + 1] + 0x5B)) * FNV_PRIME;
        a = (a ^ c[i + 2]) * FNV_PRIME;
        b = (b ^ (unsigned char)(c[i + 2] + 0x5B)) * FNV_PRIME;
        a = (a ^ c[i + 3]) * FNV_PRIME;
        b = (b ^ (unsigned char)(c[i + 3] + 0x5B)) * FNV_PRIME;
    }
    for (; i < n; i++) {
        a = (a ^ c[i]) * FNV_PRIME;
        b = (b ^ (unsigned char)(c[i] + 0x5B)) * FNV_PRIME;
    }
    h->a = a;
    h->b = b;
}

static void fnv_str(fnv2 *h, const char *s)
{
    fnv_bytes(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* A deterministic /ID from everything drawn and the metadata: the same
 * input gives the same bytes, different papers different IDs. */
static void set_id(pdf_state *st, const qr_pages *pages, const qr_pdf_meta *meta)
{
    fnv2 h = {14695981039346656037ull, 14695981039346656037ull ^ 0x9E37u};
    for (size_t p = 0; p < qr_pages_count(pages); p++) {
        const qr_page *pg = qr_pages_get(pages, p);
        fnv_bytes(&h, &pg->width, sizeof pg->width);
        fnv_bytes(&h, &pg->height, sizeof pg->height);
        for (size_t i = 0; i < pg->nitems; i++) {
            const qr_item *it = &pg->items[i];
            float xy[4] = {it->x, it->y, it->w, it->h};
            fnv_bytes(&h, &it->kind, sizeof it->kind);
            fnv_bytes(&h, xy, sizeof xy);
            if (it->text) fnv_bytes(&h, it->text, it->len);
            fnv_str(&h, it->uri);
        }
    }
    /* an imported page's drawing is not in the display list */
    if (st->imports) fnv_bytes(&h, &st->imports->id, sizeof st->imports->id);
    if (meta) {
        fnv_str(&h, meta->title);
        fnv_str(&h, meta->author);
        fnv_str(&h, meta->subject);
        fnv_str(&h, meta->keywords);
        fnv_bytes(&h, &meta->epoch, sizeof meta->epoch);
    }
    HPDF_BYTE id[16];
    for (int i = 0; i < 8; i++) {
        id[i] = (HPDF_BYTE)(h.a >> (8 * i));
        id[8 + i] = (HPDF_BYTE)(h.b >> (8 * i));
    }
    HPDF_Array arr = HPDF_Array_New(st->pdf->mmgr);
    if (!arr) return;
    HPDF_Array_Add(arr, HPDF_Binary_New(st->pdf->mmgr, id, sizeof id));
    HPDF_Array_Add(arr, HPDF_Binary_New(st->pdf->mmgr, id, sizeof id));
    HPDF_Dict_Add(st->pdf->trailer, "ID", arr);
}

/* ---- public ---- */

void qr_pdf_set_deflate_ahead(bool on)
{
    deflate_ahead = on;
}

#define RAW_BELOW 1024

/* What the imports' caller makes at the save: each import's /Resources
 * text and the objects they refer to. */
typedef struct import_objs {
    qr_buf *res;
    qr_pdf_obj *objs;
    qr_pdf_extra extra;
} import_objs;

static void import_objs_free(import_objs *io, size_t n)
{
    for (size_t k = 0; io->res && k < n; k++) qr_buf_free(&io->res[k]);
    free(io->res);
    for (size_t k = 0; k < io->extra.n; k++) {
        free(io->objs[k].text);
        free(io->objs[k].data);
    }
    free(io->objs);
}

/* Asks the caller for the imports' objects, numbered after libharu's, and
 * adds a substitute for each /Resources object to *sub. */
static bool imported_objects(pdf_state *st, import_objs *io,
                             qr_pdf_subst **sub, size_t *nsub)
{
    const qr_pdf_imports *im = st->imports;
    if (!im) return true;
    io->res = qr_xcalloc(im->n ? im->n : 1, sizeof *io->res);
    for (size_t k = 0; k < im->n; k++) qr_buf_init(&io->res[k]);
    /* libharu numbers objects in the order made; all are made by now */
    io->extra.base = st->pdf->xref->entries->count;
    if (!im->objects(im->ctx, io->extra.base, io->res, &io->objs,
                     &io->extra.n, st->d)) {
        st->failed = 1;
        st->input_error = 1;
        return false;
    }
    io->extra.objs = io->objs;
    /* A placeholder's own content (its footer, marks and the form's
     * drawing) is a few hundred bytes, which deflate shrinks by half at
     * the cost of setting up its tables, about 100,000 instructions a
     * stream: a tenth of what a 100-page appendix cost. Such small streams
     * stay as they are in a pack with imports; packs without keep every
     * byte as before. */
    io->extra.raw_below = RAW_BELOW;
    *sub = qr_xrealloc(*sub, (*nsub + im->n) * sizeof **sub);
    for (size_t k = 0; k < im->n; k++)
        (*sub)[(*nsub)++] = (qr_pdf_subst){.obj = st->import_res[k],
                                           .data = io->res[k].data,
                                           .len = io->res[k].len};
    return true;
}

/* The file HPDF_SaveToStream writes (pdf_pack.c reads it): the header,
 * each object "N G obj\n…\nendobj\n" in number order, the xref table, the
 * trailer. libharu writes the objects and table a few bytes a call, each
 * call measuring its string and formatting its numbers, 900 instructions
 * an object before its value: and most objects of a tagged paper are
 * placeholders, written "null" for the pack pass to replace (547 of 642 on
 * the benchmark report). So libharu saves a document of no objects here,
 * which still writes the header and prepares and writes the trailer (its
 * /Size, which the pack pass drops, aside), and the objects and the table
 * around them are written here as libharu 2.3.0 writes them
 * (HPDF_Xref_WriteToStream), each value still through libharu's own
 * writer but for a null's. Into file, through buf_write (write_to). */
static bool write_objects(pdf_state *st, qr_buf *file)
{
    HPDF_Xref xref = st->pdf->xref;
    if (xref->prev || xref->start_offset != 0) return false;
    HPDF_UINT count = xref->entries->count;
    xref->entries->count = 1;               /* the free entry 0 only */
    int bad = HPDF_SaveToStream(st->pdf) != HPDF_OK;
    /* the trailer only refers to objects: saving it made none (one made
     * would have taken entry 1's place in the list) */
    bad |= xref->entries->count != 1;
    xref->entries->count = count;
    if (bad) return false;
    /* libharu's table starts where its header ends */
    size_t head = xref->addr;
    if (head + 5 > file->len || memcmp(file->data + head, "xref\n", 5) != 0)
        return false;
    const char *t = memmem(file->data + head, file->len - head, "trailer\n", 8);
    if (!t) return false;
    size_t tr = (size_t)(t - file->data), tr_end = file->len;
    const char *sx = memmem(t, tr_end - tr, "startxref\n", 10);
    if (!sx) return false;
    tr_end = (size_t)(sx - file->data);
    /* the trailer, kept aside while the objects go after the header */
    char *trailer = qr_xmalloc(tr_end - tr);
    memcpy(trailer, file->data + tr, tr_end - tr);
    file->len = head;
    size_t *at = qr_xmalloc(count * sizeof *at);
    /* the count asked again each time, as libharu does: writing an object
     * may make another (none of libharu 2.3's do) */
    for (HPDF_UINT i = 1; i < xref->entries->count && !bad; i++) {
        if (i >= count) {
            count = xref->entries->count;
            at = qr_xrealloc(at, count * sizeof *at);
        }
        HPDF_XrefEntry e = xref->entries->obj[i];
        at[i] = file->len;
        put_dec(file, i);
        put_ch(file, ' ');
        put_dec(file, e->gen_no);
        put_str(file, " obj\n");
        const HPDF_Obj_Header *h = e->obj;
        if ((h->obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_NULL)
            put_str(file, "null");
        else if (HPDF_Obj_WriteValue(e->obj, st->pdf->stream, NULL) != HPDF_OK)
            bad = 1;
        put_str(file, "\nendobj\n");
    }
    size_t xref_at = file->len;
    if (!bad) {
        /* "xref\n0 N\n", then "%010u %05u c\r\n" a line */
        put_str(file, "xref\n0 ");
        put_dec(file, count);
        put_ch(file, '\n');
        qr_buf_reserve(file, (size_t)count * 20);
        for (HPDF_UINT i = 0; i < count; i++) {
            HPDF_XrefEntry e = xref->entries->obj[i];
            size_t v = i ? at[i] : e->byte_offset;
            char *o = file->data + file->len;
            for (int d = 9; d >= 0; d--, v /= 10) o[d] = (char)('0' + v % 10);
            o[10] = ' ';
            unsigned g = e->gen_no;
            for (int d = 15; d >= 11; d--, g /= 10) o[d] = (char)('0' + g % 10);
            o[16] = ' ';
            o[17] = e->entry_typ;
            o[18] = '\r';
            o[19] = '\n';
            file->len += 20;
        }
        put_bytes(file, trailer, tr_end - tr);
        put_str(file, "startxref\n");
        put_dec(file, xref_at);
        put_str(file, "\n%%EOF\n");
    }
    free(at);
    free(trailer);
    return !bad;
}

static bool save(pdf_state *st, char **out, size_t *len)
{
    /* libharu saves into the document's memory stream, which it makes
     * only if there is none: made here, with its writer swapped for one
     * appending to a buffer. Its own copies each write a byte at a time
     * into 4 KB chunks, and reading them back out copied the file again:
     * together over half of saving. The stream stays a memory stream (its
     * other functions unchanged), only never filled. */
    if (!st->pdf->stream)
        st->pdf->stream = HPDF_MemStream_New(st->pdf->mmgr,
                                             HPDF_STREAM_BUF_SIZ);
    if (st->pdf->stream) st->pdf->stream->write_fn = buf_write;
    qr_buf file = {0};
    qr_buf_reserve(&file, 256 * 1024);
    write_to = &file;
    int bad = !st->pdf->stream || !write_objects(st, &file);
    write_to = NULL;
    /* both calls always: a failed save must still say which error */
    if (hpdf_failed(st, "saving the document") || bad) {
        qr_buf_free(&file);
        return false;
    }
    file.data[file.len] = '\0';           /* buf_write leaves it open */
    char *buf = file.data;
    size_t size = file.len;
    char *packed = NULL;
    size_t plen = 0;
    /* Each page's content stream object gets the page's own buffer; the
     * font streams get the programs and tables embed_face made. */
    size_t nsub = st->npages + st->nsubst;
    qr_pdf_subst *sub = qr_xcalloc(nsub ? nsub : 1, sizeof *sub);
    for (size_t i = 0; i < st->npages; i++) {
        HPDF_PageAttr attr = (HPDF_PageAttr)st->pages[i]->attr;
        sub[i].obj = attr->contents->header.obj_id & 0x00FFFFFF;
        sub[i].data = st->content[i].data;
        sub[i].len = st->content[i].len;
    }
    if (st->nsubst)
        memcpy(sub + st->npages, st->subst, st->nsubst * sizeof *sub);
    import_objs io = {0};
    if (!imported_objects(st, &io, &sub, &nsub)) {
        import_objs_free(&io, st->imports->n);
        free(sub);
        free(buf);
        return false;
    }
    qr_pdf_zq_finish(st->zq);
    /* only streams were queued: the structure text is plain objects, and
     * looking each element up in the queue cost more than all of them */
    for (size_t k = 0; k < nsub; k++)
        if (k < st->npages + st->stext_subst || k >= st->npages + st->nsubst)
            qr_pdf_zq_fill(st->zq, &sub[k]);
    int packed_ok = qr_pdf_pack_fn(buf, size, sub, nsub,
                                   st->imports ? &io.extra : NULL,
                                   pack_threads(), &packed, &plen);
    import_objs_free(&io, st->imports ? st->imports->n : 0);
    free(sub);
    free(buf);
    if (!packed_ok) {
        /* libharu's own file is no fallback: the page contents and font
         * programs are written only by the pack pass, so it would be a PDF
         * of blank pages. */
        fail(st, NULL, "cannot write the PDF: the library's output is not "
             "in the layout the object-stream pass reads (libharu %s)",
             HPDF_GetVersion());
        return false;
    }
    *out = packed;
    *len = plen;
    return true;
}

/* qr_pdf_render, also telling whether a failure was bad input (an image
 * file, text that cannot be embedded) rather than the output side. False
 * after adding an error. */
static bool render(const qr_pages *pages, const qr_fonts *fonts,
                   const qr_pdf_meta *meta, const qr_pdf_imports *imports,
                   char **out, size_t *len, qr_diags *d, int *input_error)
{
    *out = NULL;
    *len = 0;
    pdf_state *st = qr_xcalloc(1, sizeof *st);
    st->imports = imports && imports->n ? imports : NULL;
    if (st->imports)
    {
        st->import_res = qr_xcalloc(imports->n, sizeof *st->import_res);
        st->import_form = qr_xcalloc(imports->n, sizeof *st->import_form);
    }
    st->d = d;
    st->fonts = fonts;
    st->doc = pages;
    st->meta = meta;
    st->nelems = qr_pages_nelems(pages);
    if (meta) {
        st->title = meta->title ? utf8_clean(meta->title) : NULL;
        st->author = meta->author ? utf8_clean(meta->author) : NULL;
        st->subject = meta->subject ? utf8_clean(meta->subject) : NULL;
        st->keywords = meta->keywords ? utf8_clean(meta->keywords) : NULL;
    }
    if (fonts) collect_faces(st);
    bool ok = false;
    if (!scan(st, pages)) goto done;
    st->pdf = HPDF_NewEx(on_error, hpdf_alloc, hpdf_free, 0, st);
    if (!st->pdf) {
        fail(st, NULL, "cannot create a PDF document");
        goto done;
    }
    /* libharu's own compression stays off: qr_pdf_pack deflates every
     * stream after the save, faster and on several threads. */
    /* No libharu encoder: every string is written as text_string or
     * utf16_string makes it. */
    if (hpdf_failed(st, "setting up the document")) goto done;
    if (!set_meta(st, meta) ||
        hpdf_failed(st, "writing document metadata"))
        goto done;
    if (fonts && !load_fonts(st)) goto done;
    /* The font programs and tables are final once embedded, each page's
     * contents once drawn: deflated from now on by a helper thread, while
     * this one draws, builds the structure tree and saves (pdf_pack.h,
     * qr_pdf_zq). Only with a second processor to run it. */
    if (deflate_ahead && pack_threads() > 1) st->zq = qr_pdf_zq_start();
    for (size_t k = 0; st->zq && k < st->nsubst; k++)
        if (!st->subst[k].flate && !st->subst[k].zdone)
            qr_pdf_zq_add(st->zq, st->subst[k].data, st->subst[k].len);
    if (!draw_pages(st, pages)) goto done;
    if (!build_structure(st, qr_pages_count(pages))) goto done;
    if (!build_outlines(st, pages)) goto done;
    set_id(st, pages, meta);
    /* a face that could not be opened when layout or drawing needed a
     * measure the cache lacked (fonts.c) left that measure unknown: the
     * paper is not the one its fonts set, and is not written */
    if (fonts && qr_fonts_error(fonts)) {
        fail(st, NULL, "cannot set the paper's type: %s", qr_fonts_error(fonts));
        goto done;
    }
    ok = save(st, out, len);
done:
    if (!ok && !st->failed)
        fail(st, NULL, "cannot render the PDF");
    qr_pdf_zq_free(st->zq);         /* before the data it deflates goes */
    hpdf_release();                 /* st->pdf with it: no HPDF_Free */
    free(st->images);
    free(st->anchors);
    free(st->pages);
    free(st->kids);
    for (size_t i = 0; st->content && i < st->npages; i++)
        qr_buf_free(&st->content[i]);
    free(st->content);
    for (int k = 0; k < st->nfaces; k++) {
        face_use *fu = &st->faces[k];
        /* a hit's program is in zmem, and HarfBuzz maybe never loaded */
        if (fu->program) hb_blob_destroy(fu->program);
        free(fu->zmem);
        free(fu->facts.glyphs);
        qr_buf_free(&fu->tounicode);
        qr_buf_free(&fu->cidmap);
    }
    free(st->subst);
    qr_buf_free(&st->stext);
    free(st->stext_at);
    free(st->import_res);
    free(st->import_form);
    free(st->hidden);
    for (size_t i = 0; i < st->nplaced; i++) free(st->placed[i].dicts);
    free(st->placed);
    for (size_t e = 0; st->ltext && e < st->nelems; e++)
        qr_buf_free(&st->ltext[e].text);
    free(st->ltext);
    for (size_t e = 0; st->link_alt && e < st->nelems; e++) free(st->link_alt[e]);
    free(st->link_alt);
    free(st->title);
    free(st->author);
    free(st->subject);
    free(st->keywords);
    for (int k = 0; k < QR_FONT_COUNT; k++) free(st->kern_memo[k]);
    *input_error = !ok && st->input_error;
    free(st);
    return ok;
}

bool qr_pdf_render(const qr_pages *pages, const qr_fonts *fonts,
                   const qr_pdf_meta *meta, char **out, size_t *len,
                   qr_diags *d)
{
    int input_error;
    return render(pages, fonts, meta, NULL, out, len, d, &input_error);
}

bool qr_pdf_render_imports(const qr_pages *pages, const qr_fonts *fonts,
                           const qr_pdf_meta *meta,
                           const qr_pdf_imports *imports, char **out,
                           size_t *len, qr_diags *d)
{
    int input_error;
    return render(pages, fonts, meta, imports, out, len, d, &input_error);
}

qr_status qr_pdf_write(const qr_pages *pages, const qr_fonts *fonts,
                       const qr_pdf_meta *meta, const char *path,
                       qr_diags *d)
{
    char *buf = NULL;
    size_t len = 0;
    int input_error = 0;
    if (!render(pages, fonts, meta, NULL, &buf, &len, d, &input_error))
        return input_error ? QR_EINPUT : QR_EOUTPUT;
    int rc = QR_OK;
    if (!qr_write_atomic_mode(path, buf, len, meta && meta->exempt)) {
        qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                    "cannot write '%s': %s", path, strerror(errno));
        rc = QR_EOUTPUT;
    }
    free(buf);
    return rc;
}
