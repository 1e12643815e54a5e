/* pdf.c — the pdf stage: the only file in Quire that includes hpdf.h.
 *
 * In:  the display list (layout.h), the font set layout measured with
 *      (fonts.h) and document metadata.
 * Out: PDF bytes, or an atomic write of them to a path.
 * Governing spec: ISO 32000-1 (PDF 1.7) — §9.7 CIDFonts (CIDFontType2, /W,
 *      /CIDToGIDMap), §9.10.3 ToUnicode CMaps, §12.3.3 outlines, §12.5.6.5 link
 *      annotations; libharu 2.3.0 as measured in /work/shared/LIBHARU.md.
 *
 * How text gets into the file: libharu's UTF-8 encoder writes every BMP code
 * point as a two-byte CID equal to the code point (/Encoding /Identity-H).
 * Before libharu sees a face we cut it down with HarfBuzz's subsetter to the
 * code points the display list uses (glyph ids retained, so libharu's cmap
 * lookups still give the right glyphs), which makes both loading and saving
 * cheaper and the file far smaller. After HPDF_GetFont we repair what
 * libharu gets wrong: its /ToUnicode is an encoding CMap that poppler
 * rejects, so we write a real one (CMapType 2, bfrange per run of used code
 * points); and /W and /CIDToGIDMap cover the whole BMP, so we rewrite them
 * for the used CIDs only. These reach into libharu's internal structs
 * (HPDF_FontAttr_Rec, HPDF_Doc_Rec), which is why they stay in this file and
 * are checked by tests that read the PDF back (pdftotext, pdffonts, qpdf).
 *
 * Determinism: no clock, no random; dates come only from meta->epoch; the
 * subset tag is a hash of the face's used code points.
 */
#include "quire/pdf.h"
#include "quire/util.h"
#include "pdf_int.h"

#include <hpdf.h>
#include <hb.h>
#include <hb-subset.h>
#include <png.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BMP_SIZE 0x10000            /* libharu's CIDs are BMP code points */
#define BFRANGE_BLOCK 100           /* max entries per CMap block (spec) */
#define TAG_LEN 6                   /* subset tag "ABCDEF+" (PDF §9.6.4) */
#define MEMSTREAM_CHUNK 8192        /* libharu memory stream chunk, bytes */
#define MAX_TEXT_BYTES 65535        /* HPDF_LIMIT_MAX_STRING_LEN */
#define CHAR_SPACE 0x20

/* ---- state ---- */

typedef struct face_use {
    hb_face_t *face;            /* identity of the face (borrowed) */
    qr_font_slot slot;          /* first slot that uses it */
    uint8_t bits[BMP_SIZE / 8]; /* used code points */
    int used;
    HPDF_Font font;
} face_use;

typedef struct image_use {
    const char *path;
    HPDF_Image image;
} image_use;

typedef struct anchor_ref {
    const char *name;
    size_t page;
    float x, y;
} anchor_ref;

typedef struct pdf_state {
    HPDF_Doc pdf;
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
} pdf_state;

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user)
{
    pdf_state *st = user;
    if (!st->err) {
        st->err = error_no;
        st->detail = detail_no;
    }
}

/* 1 (after adding an error) when libharu has reported a problem since the
 * last check, either through the handler or only in the document's error
 * (internal calls set it without calling the handler). */
static int hpdf_failed(pdf_state *st, const char *what)
{
    HPDF_STATUS e = st->err ? st->err : HPDF_GetError(st->pdf);
    if (!e) return 0;
    HPDF_STATUS detail = st->err ? st->detail : HPDF_GetErrorDetail(st->pdf);
    if (!st->failed)
        qr_diag_add(st->d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                    "PDF library error 0x%04X (detail %u) while %s",
                    (unsigned)e, (unsigned)detail, what);
    st->failed = 1;
    return 1;
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

/* ---- pass 1: what the display list uses ---- */

static face_use *face_of(pdf_state *st, qr_font_slot slot)
{
    if ((unsigned)slot >= QR_FONT_COUNT) slot = QR_FONT_REGULAR;
    return &st->faces[st->slot_face[slot]];
}

static void collect_faces(pdf_state *st)
{
    for (int s = 0; s < QR_FONT_COUNT; s++) {
        hb_face_t *hf = qr_fonts_face(st->fonts, (qr_font_slot)s);
        int k = 0;
        while (k < st->nfaces && st->faces[k].face != hf) k++;
        if (k == st->nfaces) {
            st->faces[k].face = hf;
            st->faces[k].slot = (qr_font_slot)s;
            st->nfaces++;
        }
        st->slot_face[s] = k;
    }
}

static void add_anchor(pdf_state *st, const qr_item *it, size_t page)
{
    if (!it->name) return;
    if (st->nanchors == st->canchors) {
        st->canchors = st->canchors ? st->canchors * 2 : 32;
        st->anchors =
            qr_xrealloc(st->anchors, st->canchors * sizeof *st->anchors);
    }
    anchor_ref *a = &st->anchors[st->nanchors++];
    a->name = it->name;
    a->page = page;
    a->x = it->x;
    a->y = it->y;
}

static const anchor_ref *find_anchor(const pdf_state *st, const char *name)
{
    for (size_t i = 0; i < st->nanchors; i++)
        if (strcmp(st->anchors[i].name, name) == 0) return &st->anchors[i];
    return NULL;
}

/* Mark the code points of every text item; check they can be written. */
static int scan(pdf_state *st, const qr_pages *pages)
{
    int has_text = 0;
    for (size_t p = 0; p < qr_pages_count(pages); p++) {
        const qr_page *pg = qr_pages_get(pages, p);
        for (size_t i = 0; i < pg->nitems; i++) {
            const qr_item *it = &pg->items[i];
            if (it->kind == QR_ITEM_ANCHOR) add_anchor(st, it, p);
            if (it->kind != QR_ITEM_TEXT || !it->text || !it->len) continue;
            if (!st->fonts) {
                fail(st, NULL, "page %zu has text but no fonts were given",
                     p + 1);
                return -1;
            }
            if (it->len > MAX_TEXT_BYTES) {
                fail(st, NULL, "page %zu: text run of %zu bytes is too long",
                     p + 1, it->len);
                return -1;
            }
            has_text = 1;
            face_use *fu = face_of(st, it->font);
            size_t off = 0;
            while (off < it->len) {
                uint32_t cp;
                int n = qr_utf8_decode(it->text + off, it->len - off, &cp);
                if (n == 0) {
                    fail(st, NULL, "page %zu: invalid UTF-8 in text '%.*s'",
                         p + 1, (int)it->len, it->text);
                    st->input_error = 1;
                    return -1;
                }
                if (cp >= BMP_SIZE) {
                    fail(st, NULL,
                         "page %zu: character U+%04X is outside the Basic "
                         "Multilingual Plane and cannot be embedded",
                         p + 1, (unsigned)cp);
                    st->input_error = 1;
                    return -1;
                }
                fu->bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
                fu->used = 1;
                off += (size_t)n;
            }
        }
    }
    return has_text;
}

static int bit(const face_use *fu, uint32_t cp)
{
    return (fu->bits[cp >> 3] >> (cp & 7)) & 1;
}

/* ---- fonts ---- */

/* A subset tag from the used code points: same subset, same tag, so two
 * renders of the same input are byte-identical. */
static void subset_tag(const face_use *fu, int k, char tag[TAG_LEN + 1])
{
    uint32_t h = 2166136261u;                   /* FNV-1a */
    for (size_t i = 0; i < sizeof fu->bits; i++) {
        h ^= fu->bits[i];
        h *= 16777619u;
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

/* The face cut down to the used code points, as a libharu font definition
 * registered with the document; NULL when HarfBuzz cannot subset it. */
static HPDF_FontDef load_subset(pdf_state *st, face_use *fu)
{
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    if (!in) return NULL;
    hb_set_t *u = hb_subset_input_unicode_set(in);
    for (uint32_t cp = 0; cp < BMP_SIZE; cp++)
        if (bit(fu, cp)) hb_set_add(u, cp);
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_RETAIN_GIDS | HB_SUBSET_FLAGS_NO_HINTING);
    hb_face_t *sub = hb_subset_or_fail(fu->face, in);
    hb_subset_input_destroy(in);
    if (!sub) return NULL;
    hb_blob_t *blob = hb_face_reference_blob(sub);
    unsigned len = 0;
    const char *data = hb_blob_get_data(blob, &len);
    HPDF_FontDef def = NULL;
    if (len > 0) {
        HPDF_Stream s = HPDF_MemStream_New(st->pdf->mmgr, MEMSTREAM_CHUNK);
        if (s && HPDF_Stream_Write(s, (const HPDF_BYTE *)data, len) == HPDF_OK)
            def = HPDF_TTFontDef_Load(st->pdf->mmgr, s, HPDF_TRUE);
        else if (s)
            HPDF_Stream_Free(s);
    }
    hb_blob_destroy(blob);
    hb_face_destroy(sub);
    if (!def || HPDF_GetError(st->pdf) != HPDF_OK) {
        if (def) HPDF_FontDef_Free(def);
        HPDF_ResetError(st->pdf);
        st->err = 0;
        return NULL;
    }
    return def;
}

/* Write a ToUnicode CMap (CMapType 2) mapping each used CID to the code
 * point it is, one bfrange per run that stays within one high byte. */
static void write_tounicode(const face_use *fu, HPDF_Dict cmap)
{
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_puts(&b,
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
    for (uint32_t cp = 0; cp <= BMP_SIZE; cp++) {
        int on = cp < BMP_SIZE && bit(fu, cp);
        if (on && n > 0 && hi[n - 1] + 1 == cp && (cp & 0xFF) != 0) {
            hi[n - 1] = cp;
            continue;
        }
        if ((on && n == BFRANGE_BLOCK) || (cp == BMP_SIZE && n > 0)) {
            qr_buf_printf(&b, "%d beginbfrange\n", n);
            for (int i = 0; i < n; i++)
                qr_buf_printf(&b, "<%04X> <%04X> <%04X>\n", (unsigned)lo[i],
                              (unsigned)hi[i], (unsigned)lo[i]);
            qr_buf_puts(&b, "endbfrange\n");
            n = 0;
        }
        if (on) {
            lo[n] = hi[n] = cp;
            n++;
        }
    }
    qr_buf_puts(&b, "endcmap\n"
                    "CMapName currentdict /CMap defineresource pop\n"
                    "end\nend\n");
    HPDF_MemStream_FreeData(cmap->stream);
    HPDF_Stream_Write(cmap->stream, (const HPDF_BYTE *)b.data,
                      (HPDF_UINT)b.len);
    qr_buf_free(&b);
    /* It was written as an encoding CMap; a ToUnicode stream needs none of
     * these keys. */
    HPDF_Dict_RemoveElement(cmap, "Type");
    HPDF_Dict_RemoveElement(cmap, "CMapName");
    HPDF_Dict_RemoveElement(cmap, "CIDSystemInfo");
    HPDF_Dict_RemoveElement(cmap, "WMode");
}

/* Replace /W and /CIDToGIDMap, which libharu builds for the whole BMP, with
 * entries for the used CIDs only. */
static void trim_widths(pdf_state *st, const face_use *fu, HPDF_FontAttr fa)
{
    HPDF_FontDef def = fa->fontdef;
    HPDF_Dict desc = fa->descendant_font;
    HPDF_MMgr mm = st->pdf->mmgr;
    HPDF_Array w = HPDF_Array_New(mm);
    HPDF_Array run = NULL;
    uint32_t maxcid = 0, prev = 0;
    for (uint32_t cp = 0; cp < BMP_SIZE; cp++) {
        if (!bit(fu, cp)) continue;
        if (!run || cp != prev + 1) {
            HPDF_Array_AddNumber(w, (HPDF_INT32)cp);
            run = HPDF_Array_New(mm);
            HPDF_Array_Add(w, run);
        }
        HPDF_Array_AddNumber(run, HPDF_TTFontDef_GetCharWidth(def,
                                                              (HPDF_UINT16)cp));
        prev = maxcid = cp;
    }
    HPDF_Dict_Add(desc, "W", w);
    if (!fa->map_stream) return;
    size_t n = (size_t)maxcid + 1;
    uint8_t *map = qr_xcalloc(n, 2);
    for (uint32_t cp = 0; cp <= maxcid; cp++) {
        if (!bit(fu, cp)) continue;
        HPDF_UINT16 gid = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)cp);
        map[2 * cp] = (uint8_t)(gid >> 8);
        map[2 * cp + 1] = (uint8_t)(gid & 0xFF);
    }
    HPDF_MemStream_FreeData(fa->map_stream->stream);
    HPDF_Stream_Write(fa->map_stream->stream, map, (HPDF_UINT)(n * 2));
    free(map);
}

static int load_fonts(pdf_state *st)
{
    for (int k = 0; k < st->nfaces; k++) {
        face_use *fu = &st->faces[k];
        if (!fu->used) continue;
        const char *file = qr_fonts_file(st->fonts, fu->slot);
        int index = qr_fonts_index(st->fonts, fu->slot);
        const char *name = NULL;
        HPDF_FontDef def = load_subset(st, fu);
        if (def) {
            char tag[TAG_LEN + 1];
            subset_tag(fu, k, tag);
            HPDF_TTFontDef_SetTagName(def, tag);
            if (HPDF_Doc_RegisterFontDef(st->pdf, def) != HPDF_OK) {
                hpdf_failed(st, "registering a font");
                return -1;
            }
            name = def->base_font;
        } else if (index == 0) {
            name = HPDF_LoadTTFontFromFile(st->pdf, file, HPDF_TRUE);
        } else {
            name = HPDF_LoadTTFontFromFile2(st->pdf, file, (HPDF_UINT)index,
                                            HPDF_TRUE);
        }
        if (!name || hpdf_failed(st, "loading a font")) {
            if (!st->failed)
                fail(st, file, "cannot load font '%s' for embedding",
                     qr_fonts_family(st->fonts, fu->slot));
            return -1;
        }
        fu->font = HPDF_GetFont(st->pdf, name, "UTF-8");
        if (!fu->font || hpdf_failed(st, "preparing a font")) {
            if (!st->failed) fail(st, file, "cannot use font '%s'", name);
            return -1;
        }
        HPDF_FontAttr fa = (HPDF_FontAttr)fu->font->attr;
        if (fa->cmap_stream) write_tounicode(fu, fa->cmap_stream);
        if (fa->descendant_font) trim_widths(st, fu, fa);
        if (hpdf_failed(st, "rewriting font tables")) return -1;
    }
    return 0;
}

/* ---- images ---- */

static HPDF_Image load_png(pdf_state *st, const char *path)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&im, path)) {
        fail(st, path, "cannot read PNG image '%s': %s", path, im.message);
        return NULL;
    }
    int alpha = (im.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    im.format = alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    size_t px = (size_t)im.width * im.height;
    uint8_t *buf = qr_xmalloc(PNG_IMAGE_SIZE(im));
    if (!png_image_finish_read(&im, NULL, buf, 0, NULL)) {
        fail(st, path, "cannot decode PNG image '%s': %s", path, im.message);
        free(buf);
        png_image_free(&im);
        return NULL;
    }
    HPDF_Image img;
    if (!alpha) {
        img = HPDF_LoadRawImageFromMem(st->pdf, buf, im.width, im.height,
                                       HPDF_CS_DEVICE_RGB, 8);
    } else {
        uint8_t *rgb = qr_xmalloc(px * 3), *a = qr_xmalloc(px);
        for (size_t i = 0; i < px; i++) {
            memcpy(rgb + 3 * i, buf + 4 * i, 3);
            a[i] = buf[4 * i + 3];
        }
        img = HPDF_LoadRawImageFromMem(st->pdf, rgb, im.width, im.height,
                                       HPDF_CS_DEVICE_RGB, 8);
        HPDF_Image mask = img ? HPDF_LoadRawImageFromMem(
                                    st->pdf, a, im.width, im.height,
                                    HPDF_CS_DEVICE_GRAY, 8)
                              : NULL;
        if (mask) HPDF_Image_AddSMask(img, mask);
        free(rgb);
        free(a);
    }
    free(buf);
    if (!img || hpdf_failed(st, "embedding a PNG image")) return NULL;
    return img;
}

static HPDF_Image get_image(pdf_state *st, const char *path)
{
    for (size_t i = 0; i < st->nimages; i++)
        if (strcmp(st->images[i].path, path) == 0) return st->images[i].image;
    st->input_error = 1;
    unsigned char magic[8] = {0};
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fail(st, path, "cannot read image '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t got = fread(magic, 1, sizeof magic, fp);
    fclose(fp);
    HPDF_Image img = NULL;
    if (got >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF) {
        img = HPDF_LoadJpegImageFromFile(st->pdf, path);
        if (!img || st->err || HPDF_GetError(st->pdf)) {
            fail(st, path, "cannot read JPEG image '%s'", path);
            return NULL;
        }
    } else if (got == sizeof magic && png_sig_cmp(magic, 0, sizeof magic) == 0) {
        img = load_png(st, path);
        if (!img) return NULL;
    } else {
        fail(st, path, "image '%s' is neither JPEG nor PNG", path);
        return NULL;
    }
    st->input_error = 0;
    if (st->nimages == st->cimages) {
        st->cimages = st->cimages ? st->cimages * 2 : 8;
        st->images = qr_xrealloc(st->images, st->cimages * sizeof *st->images);
    }
    st->images[st->nimages].path = path;
    st->images[st->nimages].image = img;
    st->nimages++;
    return img;
}

/* ---- drawing ---- */

typedef struct pen {
    HPDF_Page page;
    float height;               /* page height, for the y flip */
    int in_text;
    HPDF_Font font;
    float size;
    int fill_set, stroke_set;
    qr_rgb fill, stroke;
    float line_width;           /* < 0: not set yet */
} pen;

static float clamp01(float v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static int same_rgb(qr_rgb a, qr_rgb b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b;
}

static void set_fill(pen *p, qr_rgb c)
{
    if (p->fill_set && same_rgb(p->fill, c)) return;
    HPDF_Page_SetRGBFill(p->page, clamp01(c.r), clamp01(c.g), clamp01(c.b));
    p->fill = c;
    p->fill_set = 1;
}

static void set_stroke(pen *p, qr_rgb c)
{
    if (p->stroke_set && same_rgb(p->stroke, c)) return;
    HPDF_Page_SetRGBStroke(p->page, clamp01(c.r), clamp01(c.g), clamp01(c.b));
    p->stroke = c;
    p->stroke_set = 1;
}

static void set_line_width(pen *p, float w)
{
    if (p->line_width == w) return;
    HPDF_Page_SetLineWidth(p->page, w);
    p->line_width = w;
}

static void end_text(pen *p)
{
    if (!p->in_text) return;
    HPDF_Page_EndText(p->page);
    p->in_text = 0;
}

static void draw_text(pdf_state *st, pen *p, const qr_item *it)
{
    if (!it->text || !it->len) return;
    face_use *fu = face_of(st, it->font);
    if (!p->in_text) {
        HPDF_Page_BeginText(p->page);
        p->in_text = 1;
        p->font = NULL;
    }
    if (p->font != fu->font || p->size != it->size) {
        HPDF_Page_SetFontAndSize(p->page, fu->font, it->size);
        p->font = fu->font;
        p->size = it->size;
    }
    set_fill(p, it->color);
    HPDF_Page_SetTextMatrix(p->page, 1, 0, 0, 1, it->x, p->height - it->y);
    HPDF_Page_ShowText(p->page, it->text);
}

/* Colours and width go before the path: libharu (like PDF) refuses them
 * while a path is being built. */
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
    if (it->has_fill && it->has_stroke)
        HPDF_Page_FillStroke(p->page);
    else if (it->has_fill)
        HPDF_Page_Fill(p->page);
    else if (it->has_stroke)
        HPDF_Page_Stroke(p->page);
    else
        HPDF_Page_EndPath(p->page);
}

/* A destination [page /XYZ left top null]: null zoom keeps the reader's
 * zoom, which HPDF_Destination_SetXYZ refuses to write. */
static HPDF_Destination make_dest(pdf_state *st, size_t page, float x,
                                  float y)
{
    HPDF_Page pg = st->pages[page];
    HPDF_Destination dst = HPDF_Page_CreateDestination(pg);
    if (!dst) return NULL;
    HPDF_Array_Clear(dst);
    HPDF_Array_Add(dst, pg);
    HPDF_Array_AddName(dst, "XYZ");
    HPDF_Array_AddReal(dst, x);
    HPDF_Array_AddReal(dst, HPDF_Page_GetHeight(pg) - y);
    HPDF_Array_Add(dst, HPDF_Null_New(st->pdf->mmgr));
    return dst;
}

static void draw_link(pdf_state *st, pen *p, const qr_item *it)
{
    if (!it->uri || !it->uri[0]) return;
    HPDF_Rect r = {it->x, p->height - it->y - it->h, it->x + it->w,
                   p->height - it->y};
    HPDF_Annotation a;
    if (it->uri[0] == '#') {
        const anchor_ref *ar = find_anchor(st, it->uri + 1);
        if (!ar) {
            qr_diag_add(st->d, QR_WARNING, NULL, 0, 0, NULL, NULL,
                        "link to unknown anchor '%s' dropped", it->uri);
            return;
        }
        HPDF_Destination dst = make_dest(st, ar->page, ar->x, ar->y);
        a = dst ? HPDF_Page_CreateLinkAnnot(p->page, r, dst) : NULL;
    } else {
        a = HPDF_Page_CreateURILinkAnnot(p->page, r, it->uri);
    }
    if (a) HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
}

static void draw_item(pdf_state *st, pen *p, const qr_item *it)
{
    float h = p->height;
    if (it->kind == QR_ITEM_TEXT) {
        draw_text(st, p, it);
        return;
    }
    if (it->kind == QR_ITEM_ANCHOR) return;      /* outlines: later pass */
    end_text(p);
    switch (it->kind) {
    case QR_ITEM_LINE:
        set_stroke(p, it->color);
        set_line_width(p, it->line_width);
        HPDF_Page_MoveTo(p->page, it->x, h - it->y);
        HPDF_Page_LineTo(p->page, it->x2, h - it->y2);
        HPDF_Page_Stroke(p->page);
        break;
    case QR_ITEM_RECT:
        paint_setup(p, it);
        HPDF_Page_Rectangle(p->page, it->x, h - it->y - it->h, it->w, it->h);
        paint(p, it);
        break;
    case QR_ITEM_PATH:
        if (!it->pts || it->npts < 2) break;
        paint_setup(p, it);
        HPDF_Page_MoveTo(p->page, it->pts[0], h - it->pts[1]);
        for (size_t k = 1; k < it->npts; k++)
            HPDF_Page_LineTo(p->page, it->pts[2 * k], h - it->pts[2 * k + 1]);
        if (it->closed) HPDF_Page_ClosePath(p->page);
        paint(p, it);
        break;
    case QR_ITEM_IMAGE: {
        if (!it->uri) break;
        HPDF_Image img = get_image(st, it->uri);
        if (img)
            HPDF_Page_DrawImage(p->page, img, it->x, h - it->y - it->h, it->w,
                                it->h);
        break;
    }
    case QR_ITEM_LINK:
        draw_link(st, p, it);
        break;
    default:
        break;
    }
}

static int draw_pages(pdf_state *st, const qr_pages *pages)
{
    size_t np = qr_pages_count(pages);
    st->pages = qr_xcalloc(np ? np : 1, sizeof *st->pages);
    /* Every page exists before any is drawn, so links can point forward. */
    for (size_t i = 0; i < np; i++) {
        const qr_page *pg = qr_pages_get(pages, i);
        st->pages[i] = HPDF_AddPage(st->pdf);
        if (!st->pages[i]) break;
        HPDF_Page_SetWidth(st->pages[i], pg->width);
        HPDF_Page_SetHeight(st->pages[i], pg->height);
    }
    if (hpdf_failed(st, "adding pages")) return -1;
    for (size_t i = 0; i < np && !st->failed; i++) {
        const qr_page *pg = qr_pages_get(pages, i);
        pen p = {0};
        p.page = st->pages[i];
        p.height = pg->height;
        p.line_width = -1;
        for (size_t k = 0; k < pg->nitems && !st->failed; k++)
            draw_item(st, &p, &pg->items[k]);
        end_text(&p);
        if (hpdf_failed(st, "drawing a page")) return -1;
    }
    return st->failed ? -1 : 0;
}

/* One outline entry per anchor with a level, nested by level. */
static int build_outlines(pdf_state *st, const qr_pages *pages)
{
    enum { MAX_LEVEL = 6 };
    HPDF_Outline open[MAX_LEVEL + 1] = {0};
    HPDF_Encoder utf8 = HPDF_GetEncoder(st->pdf, "UTF-8");
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
            HPDF_Outline o = HPDF_CreateOutline(st->pdf, parent, title, utf8);
            if (!o) return hpdf_failed(st, "adding an outline entry") ? -1 : 0;
            HPDF_Destination dst = make_dest(st, pi, it->x, it->y);
            if (dst) HPDF_Outline_SetDestination(o, dst);
            HPDF_Outline_SetOpened(o, lv == 1 ? HPDF_TRUE : HPDF_FALSE);
            open[lv] = o;
            for (int l = lv + 1; l <= MAX_LEVEL; l++) open[l] = NULL;
            any = 1;
        }
    }
    if (any) HPDF_SetPageMode(st->pdf, HPDF_PAGE_MODE_USE_OUTLINE);
    return hpdf_failed(st, "building outlines") ? -1 : 0;
}

/* ---- metadata ---- */

static void set_meta(pdf_state *st, const qr_pdf_meta *meta)
{
    HPDF_Doc pdf = st->pdf;
    if (meta) {
        if (meta->title) HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, meta->title);
        if (meta->author) HPDF_SetInfoAttr(pdf, HPDF_INFO_AUTHOR, meta->author);
        if (meta->subject)
            HPDF_SetInfoAttr(pdf, HPDF_INFO_SUBJECT, meta->subject);
        if (meta->keywords)
            HPDF_SetInfoAttr(pdf, HPDF_INFO_KEYWORDS, meta->keywords);
    }
    HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "Quire");
    if (meta && meta->epoch >= 0) {
        time_t t = (time_t)meta->epoch;
        struct tm tm;
        if (gmtime_r(&t, &tm)) {
            HPDF_Date dt = {0};
            dt.year = tm.tm_year + 1900;
            dt.month = tm.tm_mon + 1;
            dt.day = tm.tm_mday;
            dt.hour = tm.tm_hour;
            dt.minutes = tm.tm_min;
            dt.seconds = tm.tm_sec;
            dt.ind = 'Z';
            HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, dt);
            HPDF_SetInfoDateAttr(pdf, HPDF_INFO_MOD_DATE, dt);
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
                                                           : NULL;
    if (lang)
        HPDF_Dict_Add(pdf->catalog, "Lang",
                      HPDF_String_New(pdf->mmgr, lang, NULL));
}

/* ---- document identity ---- */

typedef struct fnv2 {
    uint64_t a, b;                  /* two FNV-1a lanes: 128 bits for /ID */
} fnv2;

static void fnv_bytes(fnv2 *h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h->a = (h->a ^ c[i]) * 1099511628211ull;
        h->b = (h->b ^ (unsigned char)(c[i] + 0x5B)) * 1099511628211ull;
    }
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

static int save(pdf_state *st, char **out, size_t *len)
{
    if (HPDF_SaveToStream(st->pdf) != HPDF_OK ||
        hpdf_failed(st, "saving the document"))
        return -1;
    HPDF_UINT32 size = HPDF_GetStreamSize(st->pdf);
    char *buf = qr_xmalloc(size ? size : 1);
    HPDF_UINT32 got = 0;
    while (got < size) {
        HPDF_UINT32 n = size - got;
        HPDF_STATUS r = HPDF_ReadFromStream(st->pdf, (HPDF_BYTE *)buf + got,
                                            &n);
        got += n;
        if (r != HPDF_OK || n == 0) break;
    }
    if (got != size) {
        free(buf);
        st->err = 0;
        HPDF_ResetError(st->pdf);
        fail(st, NULL, "PDF library returned %u of %u bytes", (unsigned)got,
             (unsigned)size);
        return -1;
    }
    *out = buf;
    *len = size;
    return 0;
}

/* qr_pdf_render, also telling whether a failure was bad input (an image
 * file, text that cannot be embedded) rather than the output side. */
static int render(const qr_pages *pages, const qr_fonts *fonts,
                  const qr_pdf_meta *meta, char **out, size_t *len,
                  qr_diags *d, int *input_error)
{
    *out = NULL;
    *len = 0;
    pdf_state *st = qr_xcalloc(1, sizeof *st);
    st->d = d;
    st->fonts = fonts;
    if (fonts) collect_faces(st);
    int rc = -1;
    if (scan(st, pages) < 0) goto done;
    st->pdf = HPDF_New(on_error, st);
    if (!st->pdf) {
        fail(st, NULL, "cannot create a PDF document");
        goto done;
    }
    /* Before any page or font exists, or their streams stay uncompressed. */
    HPDF_SetCompressionMode(st->pdf, HPDF_COMP_ALL);
    /* Before any Info string, or those become mojibake. */
    HPDF_UseUTFEncodings(st->pdf);
    HPDF_SetCurrentEncoder(st->pdf, "UTF-8");
    if (hpdf_failed(st, "setting up the document")) goto done;
    set_meta(st, meta);
    if (hpdf_failed(st, "writing document metadata")) goto done;
    if (fonts && load_fonts(st) != 0) goto done;
    if (draw_pages(st, pages) != 0) goto done;
    if (build_outlines(st, pages) != 0) goto done;
    set_id(st, pages, meta);
    rc = save(st, out, len);
done:
    if (rc != 0 && !st->failed)
        fail(st, NULL, "cannot render the PDF");
    if (st->pdf) HPDF_Free(st->pdf);
    free(st->images);
    free(st->anchors);
    free(st->pages);
    *input_error = rc != 0 && st->input_error;
    free(st);
    return rc;
}

int qr_pdf_render(const qr_pages *pages, const qr_fonts *fonts,
                  const qr_pdf_meta *meta, char **out, size_t *len,
                  qr_diags *d)
{
    int input_error;
    return render(pages, fonts, meta, out, len, d, &input_error);
}

int qr_pdf_write(const qr_pages *pages, const qr_fonts *fonts,
                 const qr_pdf_meta *meta, const char *path, qr_diags *d)
{
    char *buf = NULL;
    size_t len = 0;
    int input_error = 0;
    if (render(pages, fonts, meta, &buf, &len, d, &input_error) != 0)
        return input_error ? QR_EINPUT : QR_EOUTPUT;
    int rc = QR_OK;
    if (qr_write_atomic(path, buf, len) != 0) {
        qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                    "cannot write '%s': %s", path, strerror(errno));
        rc = QR_EOUTPUT;
    }
    free(buf);
    return rc;
}
