/* html.c — the HTML back end: document tree + style in, one HTML5 page out.
 *
 * In:  the parsed document (parse.h), the house style, the paper's title,
 *      language and meeting; chart blocks go through the chart stage and
 *      images through image.h, exactly as for the PDF.
 * Out: one self-contained file — CSS inline, images as data: URIs, charts
 *      as inline SVG with their numbers in a table — that reads well from
 *      320 px wide and prints on A4.
 *
 * The walk mirrors layout.c's where the two must agree: section and
 * paragraph numbers are counted the same way, a table cell holding only a
 * RAG status word gets the same swatch, headings get the same "hN" names
 * so a "#hN" link goes where it goes in the PDF. Two conventions of the
 * templates become HTML structure: a bold "Table N: …" paragraph just
 * before a table is its <caption>, and a paragraph whose every line starts
 * with a bold "Key:" (the front sheet's particulars) is a definition list.
 *
 * Every string from the document passes through qr_html_escape; no other
 * path writes document text into the page.
 */
#include "quire/html.h"

#include "quire/chart.h"
#include "quire/image.h"
#include "quire/util.h"
#include "quire/vocab.h"

#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Text colours are darkened until they reach this contrast with their
 * background (WCAG 2.2 AA for body text), whatever the house style says. */
#define MIN_CONTRAST 4.5

/* Chart geometry in SVG user units: the drawing scales with the page, so
 * these are proportions of a 640-unit-wide chart. */
#define SVG_W 480.0
#define SVG_FONT 14.0
#define SVG_CHAR_W 7.6        /* average advance of the font, for fitting */
#define SVG_LINE 20.0         /* text line height */
#define SVG_ROW 30.0          /* one bar's row */
#define SVG_BAR_FILL 0.62     /* bar thickness / row */
#define SVG_PLOT_H 220.0      /* a line chart's plot */
#define SVG_TICK 4.0
#define SVG_GAP 6.0
#define SVG_MARKER 6.0
#define SVG_SWATCH 12.0
#define SVG_LABEL_FRAC 0.4    /* widest the bar label column may be */
#define SVG_MAX_SLOTS 1000.0  /* a stray time position cannot spread a line */

typedef struct hw {
    qr_buf *b;
    const qr_style *st;
    const qr_html_meta *meta;
    const char *md_name;
    qr_diags *d;
    int errors;
    qr_image_set *images;
    int section, paragraph;   /* council numbering, as layout counts it */
    int headings;             /* "hN" names, as layout names its anchors */
    int charts, tables;       /* ids of charts' and tables' parts */
} hw;

static void block(hw *w, const qr_block *b, int top, int tight);

/* ---- escaping ---------------------------------------------------------- */

void qr_html_escape(qr_buf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep) {
            qr_buf_puts(b, rep);
            i++;
            continue;
        }
        uint32_t cp;
        int k = qr_utf8_decode(s + i, n - i, &cp);
        if (k <= 0) k = 1;
        /* HTML forbids C0 and C1 controls (but tab and line ends, which
         * it reads as white space) and a browser would show them as
         * nothing or as boxes */
        int control = (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
                      (cp >= 0x7F && cp < 0xA0);
        if (control || cp == 0xFFFD) qr_buf_puts(b, "\xEF\xBF\xBD");
        else qr_buf_append(b, s + i, (size_t)k);
        i += (size_t)k;
    }
}

static void esc(hw *w, const char *s)
{
    if (s) qr_html_escape(w->b, s, strlen(s));
}

static void put(hw *w, const char *s) { qr_buf_puts(w->b, s); }

bool qr_html_href_allowed(const char *url)
{
    /* a browser drops tabs and newlines anywhere in a URL and leading
     * spaces and controls, so "java\nscript:" is javascript: to it */
    char scheme[8];
    size_t n = 0;
    const unsigned char *u = (const unsigned char *)url;
    while (*u && *u <= 0x20) u++;
    if (*u == '#') return 1;
    for (; *u; u++) {
        if (*u == '\t' || *u == '\n' || *u == '\r') continue;
        if (*u == ':') break;
        if (n + 1 >= sizeof scheme) return 0;
        scheme[n++] = (char)*u;
    }
    if (*u != ':') return 0;
    scheme[n] = '\0';
    return strcasecmp(scheme, "http") == 0 ||
           strcasecmp(scheme, "https") == 0 ||
           strcasecmp(scheme, "mailto") == 0;
}

/* ---- colours ----------------------------------------------------------- */

static double channel(float c)
{
    return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double luminance(qr_rgb c)
{
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) +
           0.0722 * channel(c.b);
}

double qr_html_contrast(qr_rgb a, qr_rgb b)
{
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

/* fg, darkened toward black until it reads on bg: a house style's pale
 * link colour still gives links a reader can see. */
static qr_rgb readable(qr_rgb fg, qr_rgb bg)
{
    for (int i = 0; i < 20 && qr_html_contrast(fg, bg) < MIN_CONTRAST; i++) {
        fg.r *= 0.9f;
        fg.g *= 0.9f;
        fg.b *= 0.9f;
    }
    return fg;
}

static void put_rgb(hw *w, qr_rgb c)
{
    qr_buf_printf(w->b, "#%02x%02x%02x", (int)lroundf(c.r * 255),
                  (int)lroundf(c.g * 255), (int)lroundf(c.b * 255));
}

static qr_rgb mix_white(qr_rgb c, float t)
{
    qr_rgb r = {c.r + (1 - c.r) * t, c.g + (1 - c.g) * t, c.b + (1 - c.b) * t};
    return r;
}

/* ---- images ------------------------------------------------------------ */

static void png_to_buf(png_structp png, png_bytep data, png_size_t n)
{
    qr_buf_append(png_get_io_ptr(png), data, n);
}

static void png_flush_none(png_structp png) { (void)png; }

/* The decoded image (image.h keeps PNGs as samples, not bytes) as PNG
 * bytes again, so the page embeds what the PDF embeds without reading the
 * file a second time. False when libpng fails. */
static bool png_encode(const qr_image *im, qr_buf *out)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
                                              NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    int ch = im->alpha ? 4 : 3;
    unsigned char *row = qr_xmalloc((size_t)im->width * (size_t)ch);
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        return false;
    }
    png_set_write_fn(png, out, png_to_buf, png_flush_none);
    png_set_IHDR(png, info, im->width, im->height, 8,
                 im->alpha ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (size_t y = 0; y < im->height; y++) {
        const unsigned char *px = im->pixels + y * im->width * 3;
        for (size_t x = 0; x < im->width; x++) {
            memcpy(row + x * (size_t)ch, px + x * 3, 3);
            if (im->alpha) row[x * 4 + 3] = im->alpha[y * im->width + x];
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    return true;
}

static void base64(qr_buf *b, const unsigned char *p, size_t n)
{
    static const char A[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n) v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        char q[4] = {A[v >> 18 & 63], A[v >> 12 & 63],
                     i + 1 < n ? A[v >> 6 & 63] : '=',
                     i + 2 < n ? A[v & 63] : '='};
        qr_buf_append(b, q, 4);
    }
}

/* A Markdown image: found and read as layout finds and reads it (inside
 * the template's directory, once), written as a data: URI. A refused or
 * unreadable image is an error at its place, and is left out. */
static void image(hw *w, const qr_run *r)
{
    char *err = NULL;
    qr_image *im = qr_image_set_get(w->images, r->url, w->meta->base_dir,
                                    &err);
    if (!im) {
        qr_diag_add(w->d, QR_ERROR, w->md_name, r->line, r->col, NULL, NULL,
                    "%s", err ? err : "cannot read image");
        free(err);
        w->errors++;
        return;
    }
    qr_buf bytes;
    qr_buf_init(&bytes);
    const char *type = "image/jpeg";
    const unsigned char *data = im->bytes;
    size_t n = im->nbytes;
    if (im->kind == QR_IMAGE_PNG) {
        type = "image/png";
        if (!png_encode(im, &bytes)) bytes.len = 0;
        data = (const unsigned char *)bytes.data;
        n = bytes.len;
    }
    qr_buf_printf(w->b, "<img width=\"%u\" height=\"%u\" alt=\"", im->width,
                  im->height);
    qr_html_escape(w->b, r->text, r->len);
    qr_buf_printf(w->b, "\" src=\"data:%s;base64,", type);
    base64(w->b, data, n);
    put(w, "\">");
    qr_buf_free(&bytes);
}

/* ---- inline runs ------------------------------------------------------- */

/* Where a link goes in the page: the caller's target for an internal link
 * to a page of its own, the document's target when a browser may follow
 * it, else nowhere (NULL: the words stay, as text). */
static const char *href_of(const hw *w, const qr_run *r)
{
    if (r->kind != QR_RUN_TEXT || !(r->flags & QR_RUN_LINK) || !r->url)
        return NULL;
    for (size_t i = 0; i < w->meta->nlinks; i++)
        if (strcmp(r->url, w->meta->links_from[i]) == 0)
            return w->meta->links_to[i];
    return qr_html_href_allowed(r->url) ? r->url : NULL;
}

static bool same_url(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Runs [r0, r1) of a leaf block: one <a> per stretch of runs with one
 * allowed link target, strong/em/del/code per run. */
static void runs(hw *w, const qr_run *rs, size_t r0, size_t r1)
{
    const char *open = NULL;   /* the link target of the open <a> */
    for (size_t i = r0; i < r1; i++) {
        const qr_run *r = &rs[i];
        const char *url = href_of(w, r);
        if (!same_url(url, open)) {
            if (open) put(w, "</a>");
            if (url) {
                put(w, "<a href=\"");
                esc(w, url);
                put(w, "\">");
            }
            open = url;
        }
        if (r->kind == QR_RUN_SOFTBREAK) {
            put(w, "\n");
        } else if (r->kind == QR_RUN_HARDBREAK) {
            put(w, "<br>\n");
        } else if (r->kind == QR_RUN_IMAGE) {
            image(w, r);
        } else {
            unsigned f = r->flags;
            if (f & QR_RUN_BOLD) put(w, "<strong>");
            if (f & QR_RUN_ITALIC) put(w, "<em>");
            if (f & QR_RUN_STRIKE) put(w, "<del>");
            if (f & QR_RUN_CODE) put(w, "<code>");
            qr_html_escape(w->b, r->text, r->len);
            if (f & QR_RUN_CODE) put(w, "</code>");
            if (f & QR_RUN_STRIKE) put(w, "</del>");
            if (f & QR_RUN_ITALIC) put(w, "</em>");
            if (f & QR_RUN_BOLD) put(w, "</strong>");
        }
    }
    if (open) put(w, "</a>");
}

/* ---- paragraphs -------------------------------------------------------- */

/* A caption: a paragraph of bold text only, "Table …", just before a
 * table. */
static bool is_caption(const qr_block *b)
{
    if (b->kind != QR_BLK_PARAGRAPH || !b->next ||
        b->next->kind != QR_BLK_TABLE)
        return false;
    int first = 1;
    for (size_t i = 0; i < b->nruns; i++) {
        const qr_run *r = &b->runs[i];
        if (qr_run_blank(r) && r->kind != QR_RUN_HARDBREAK) continue;
        if (r->kind != QR_RUN_TEXT || !(r->flags & QR_RUN_BOLD)) return false;
        if (first && strncmp(r->text, "Table ", 6) != 0) return false;
        first = 0;
    }
    return !first;
}

/* The lines of a front sheet: every hard-broken line starts with a bold
 * run ending in ':' ("**Wards:** All"). Two lines at least. */
static bool is_key_values(const qr_block *b)
{
    int lines = 0, at_start = 1;
    for (size_t i = 0; i < b->nruns; i++) {
        const qr_run *r = &b->runs[i];
        if (r->kind == QR_RUN_HARDBREAK) {
            if (at_start) return false;
            at_start = 1;
            continue;
        }
        if (!at_start) continue;
        if (r->kind == QR_RUN_SOFTBREAK) return false;
        if (r->kind != QR_RUN_TEXT || !(r->flags & QR_RUN_BOLD) ||
            (r->flags & QR_RUN_LINK))
            return false;
        size_t n = r->len;
        while (n && r->text[n - 1] == ' ') n--;
        if (n == 0 || r->text[n - 1] != ':') return false;
        at_start = 0;
        lines++;
    }
    return lines >= 2 && !at_start;
}

static void key_values(hw *w, const qr_block *b)
{
    put(w, "<dl class=\"particulars\">\n");
    size_t i = 0;
    while (i < b->nruns) {
        size_t end = i + 1;
        while (end < b->nruns && b->runs[end].kind != QR_RUN_HARDBREAK) end++;
        put(w, "<dt>");
        runs(w, b->runs, i, i + 1);
        put(w, "</dt><dd>");
        runs(w, b->runs, i + 1, end);
        put(w, "</dd>\n");
        i = end + 1;
    }
    put(w, "</dl>\n");
}

static void paragraph(hw *w, const qr_block *b, int top, int tight)
{
    if (top && is_caption(b)) return;   /* the next table's caption */
    int numbered = qr_block_has_text(b) && top && w->st->number_paragraphs &&
                   w->section > 0;
    if (!numbered && is_key_values(b)) {
        key_values(w, b);
        return;
    }
    if (!tight) put(w, numbered ? "<p class=\"numbered\">" : "<p>");
    if (numbered)
        qr_buf_printf(w->b, "<span class=\"pnum\">%d.%d</span> ", w->section,
                      ++w->paragraph);
    runs(w, b->runs, 0, b->nruns);
    put(w, tight ? "\n" : "</p>\n");
}

static void heading(hw *w, const qr_block *b, int top)
{
    int level = b->level < 1 ? 1 : b->level > 6 ? 6 : b->level;
    char num[32] = "";
    if (level == 2 && top) {
        w->section++;
        w->paragraph = 0;
        if (w->st->number_sections) snprintf(num, sizeof num, "%d.", w->section);
    }
    qr_buf_printf(w->b, "<h%d id=\"h%d\">", level, ++w->headings);
    if (num[0]) qr_buf_printf(w->b, "<span class=\"snum\">%s</span> ", num);
    runs(w, b->runs, 0, b->nruns);
    qr_buf_printf(w->b, "</h%d>\n", level);
}

/* ---- tables ------------------------------------------------------------ */

/* The RAG status a cell's whole text names (as layout_table.c finds it),
 * or -1. */
static int cell_status(const hw *w, const qr_block *cell)
{
    if (!w->st->status_marks) return -1;
    qr_buf t;
    qr_buf_init(&t);
    qr_block_text(cell, &t);
    const char *s = t.data ? t.data : "";
    while (*s == ' ') s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ') n--;
    char word[32];
    int found = -1;
    if (n < sizeof word) {
        memcpy(word, s, n);
        word[n] = '\0';
        found = qr_vocab_find_label(&qr_vocab_status, word);
    }
    qr_buf_free(&t);
    return found;
}

static const char *align_class(const qr_block *table, int col)
{
    if (!table->align || col >= table->ncols) return NULL;
    switch (table->align[col]) {
    case 'r': return "r";
    case 'c': return "c";
    default: return NULL;
    }
}

static void cell(hw *w, const qr_block *table, const qr_block *c, int col,
                 int header)
{
    const char *tag = header ? "th" : "td";
    const char *align = align_class(table, col);
    int st = header ? -1 : cell_status(w, c);
    qr_buf_printf(w->b, "<%s%s", tag, header ? " scope=\"col\"" : "");
    /* the swatch is drawn by the style sheet before the word: decoration,
     * no element of its own and nothing for a screen reader to say */
    if (align || st >= 0) {
        put(w, " class=\"");
        if (align) put(w, align);
        if (st >= 0) qr_buf_printf(w->b, "%srag rag-%d", align ? " " : "", st);
        put(w, "\"");
    }
    put(w, ">");
    runs(w, c->runs, 0, c->nruns);
    qr_buf_printf(w->b, "</%s>", tag);
}

/* A table without a caption is named by its column headings ("Table:
 * Judgement, Grade"), so a screen reader's list of regions tells tables
 * apart. */
static void table_label(hw *w, const qr_block *b)
{
    put(w, "<div class=\"table\" role=\"region\" tabindex=\"0\" "
           "aria-label=\"Table");
    const qr_block *head = b->first_child;
    const char *sep = ": ";
    for (const qr_block *c = head && head->header ? head->first_child : NULL;
         c; c = c->next) {
        qr_buf t;
        qr_buf_init(&t);
        qr_block_text(c, &t);
        if (t.len) {
            put(w, sep);
            qr_html_escape(w->b, t.data, t.len);
            sep = ", ";
        }
        qr_buf_free(&t);
    }
    put(w, "\">\n");
}

static void table(hw *w, const qr_block *b)
{
    int id = ++w->tables;
    const qr_block *prev = NULL;
    if (b->parent)
        for (const qr_block *s = b->parent->first_child; s && s != b; s = s->next)
            prev = s;
    int captioned = prev && b->parent && b->parent->kind == QR_BLK_DOCUMENT &&
                    is_caption(prev);
    /* the wrapper scrolls a wide table on a phone, so the page never does;
     * a scrolling region must be reachable from the keyboard and named */
    if (captioned)
        qr_buf_printf(w->b, "<div class=\"table\" role=\"region\" "
                            "tabindex=\"0\" aria-labelledby=\"t%d\">\n", id);
    else
        table_label(w, b);
    put(w, "<table>\n");
    if (captioned) {
        qr_buf_printf(w->b, "<caption id=\"t%d\">", id);
        runs(w, prev->runs, 0, prev->nruns);
        put(w, "</caption>\n");
    }
    int in_body = 0;
    for (const qr_block *row = b->first_child; row; row = row->next) {
        if (row->header) put(w, "<thead>\n");
        else if (!in_body) {
            put(w, "<tbody>\n");
            in_body = 1;
        }
        put(w, "<tr>");
        int col = 0;
        for (const qr_block *c = row->first_child; c; c = c->next, col++)
            cell(w, b, c, col, row->header);
        put(w, "</tr>\n");
        if (row->header) put(w, "</thead>\n");
    }
    if (in_body) put(w, "</tbody>\n");
    put(w, "</table>\n</div>\n");
}

/* ---- charts ------------------------------------------------------------ */

static double text_w(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return (double)n * SVG_CHAR_W;
}

static void svg_text(hw *w, double x, double y, const char *anchor,
                     const char *weight, const char *s)
{
    qr_buf_printf(w->b, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
    if (anchor) qr_buf_printf(w->b, " text-anchor=\"%s\"", anchor);
    if (weight) qr_buf_printf(w->b, " font-weight=\"%s\"", weight);
    put(w, ">");
    esc(w, s);
    put(w, "</text>\n");
}

static void svg_line(hw *w, double x1, double y1, double x2, double y2,
                     const char *cls)
{
    qr_buf_printf(w->b, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" "
                        "x2=\"%.1f\" y2=\"%.1f\"/>\n", cls, x1, y1, x2, y2);
}

/* The x-axis label, centred under a plot of width pw from px, when the
 * chart has one; returns where what follows starts (end, or a line
 * lower). */
static double svg_xlabel(hw *w, const qr_chart *c, double px, double pw,
                         double end)
{
    if (!qr_chart_xlabel(c)) return end;
    svg_text(w, px + pw / 2, end + SVG_LINE * 0.7, "middle", NULL,
             qr_chart_xlabel(c));
    return end + SVG_LINE;
}

static void svg_rect(hw *w, double x, double y, double wd, double h,
                     qr_rgb fill)
{
    qr_buf_printf(w->b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                        "height=\"%.1f\" fill=\"", x, y, wd, h);
    put_rgb(w, fill);
    put(w, "\"/>\n");
}

typedef struct legend_key {
    const char *label;
    qr_rgb colour;
    int dashed;
} legend_key;

/* Legend rows below the plot; returns the height used. */
static double svg_legend(hw *w, const legend_key *k, size_t n, double y)
{
    double x = 0, top = y;
    for (size_t i = 0; i < n; i++) {
        double wd = SVG_SWATCH + SVG_GAP + text_w(k[i].label) + 2 * SVG_GAP;
        if (x > 0 && x + wd > SVG_W) {
            x = 0;
            y += SVG_LINE;
        }
        if (k[i].dashed)
            svg_line(w, x, y + SVG_LINE / 2, x + SVG_SWATCH, y + SVG_LINE / 2,
                     "target");
        else
            svg_rect(w, x, y + (SVG_LINE - SVG_SWATCH) / 2, SVG_SWATCH,
                     SVG_SWATCH, k[i].colour);
        svg_text(w, x + SVG_SWATCH + SVG_GAP, y + SVG_LINE * 0.7, NULL, NULL,
                 k[i].label);
        x += wd;
    }
    return y + SVG_LINE - top;
}

/* A bar's label, right-aligned at x: on two lines, split at a space, when
 * it is wider than the label column (the drawing would cut it off at the
 * left edge). */
static void bar_label(hw *w, double x, double y, double width,
                      const char *label)
{
    size_t n = strlen(label), cut = 0;
    if (text_w(label) > width)
        for (size_t i = n / 2, j = n / 2; !cut && (i > 0 || j < n); ) {
            if (i > 0 && label[--i] == ' ') cut = i;
            else if (j < n && label[j++] == ' ') cut = j - 1;
        }
    if (!cut) {
        svg_text(w, x, y, "end", NULL, label);
        return;
    }
    qr_buf_printf(w->b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">"
                        "<tspan x=\"%.1f\">", x, y - SVG_FONT * 0.55, x);
    qr_html_escape(w->b, label, cut);
    qr_buf_printf(w->b, "</tspan><tspan x=\"%.1f\" dy=\"%.1f\">", x,
                  SVG_FONT * 1.1);
    esc(w, label + cut + 1);
    put(w, "</tspan></text>\n");
}

static void value_text(const qr_chart *c, const char *text, qr_buf *out)
{
    out->len = 0;
    qr_chart_format_value(c, text, out);
}

/* A bar chart: labels left, bars from the axis, values at their ends,
 * ticks below, as the PDF draws it. Returns the height. */
static double svg_bars(hw *w, const qr_chart *c, double y)
{
    size_t n = qr_chart_nvalues(c, 0);
    qr_buf v;
    qr_buf_init(&v);
    double labw = 0, valw = 0;
    for (size_t i = 0; i < n; i++) {
        qr_chart_value cv = qr_chart_get(c, 0, i, w->st);
        labw = fmax(labw, text_w(cv.label));
        value_text(c, cv.text, &v);
        valw = fmax(valw, text_w(v.data));
    }
    labw = fmin(labw, SVG_W * SVG_LABEL_FRAC);
    qr_chart_axis ax;
    qr_chart_value_axis(c, &ax);
    double px = labw + SVG_GAP, pw = SVG_W - px - SVG_GAP - valw;
    double ph = SVG_ROW * (double)n;
    char tick[64];
    int nt = (int)lround((ax.hi - ax.lo) / ax.step);
    for (int t = 0; t <= nt; t++) {
        double tv = ax.lo + t * ax.step;
        double tx = px + (tv - ax.lo) / (ax.hi - ax.lo) * pw;
        if (t > 0) svg_line(w, tx, y, tx, y + ph, "grid");
        svg_line(w, tx, y + ph, tx, y + ph + SVG_TICK, "axis");
        qr_chart_tick_text(&ax, tv, tick, sizeof tick);
        svg_text(w, tx, y + ph + SVG_TICK + SVG_LINE * 0.8, "middle", NULL,
                 tick);
    }
    for (size_t i = 0; i < n; i++) {
        qr_chart_value cv = qr_chart_get(c, 0, i, w->st);
        double top = y + SVG_ROW * (double)i, bh = SVG_ROW * SVG_BAR_FILL;
        double bw = (cv.value - ax.lo) / (ax.hi - ax.lo) * pw;
        if (bw > 0) svg_rect(w, px, top + (SVG_ROW - bh) / 2, bw, bh, cv.colour);
        double base = top + SVG_ROW / 2 + SVG_FONT * 0.35;
        bar_label(w, px - SVG_GAP, base, labw, cv.label);
        value_text(c, cv.text, &v);
        svg_text(w, px + (bw > 0 ? bw : 0) + SVG_GAP, base, NULL, NULL, v.data);
    }
    svg_line(w, px, y, px, y + ph, "axis");
    svg_line(w, px, y + ph, px + pw, y + ph, "axis");
    double end =
        svg_xlabel(w, c, px, pw, y + ph + SVG_TICK + SVG_LINE + SVG_GAP);
    if (qr_chart_legend(c)) {
        legend_key *k = qr_xcalloc(n, sizeof *k);
        for (size_t i = 0; i < n; i++) {
            qr_chart_value cv = qr_chart_get(c, 0, i, w->st);
            k[i].label = cv.label;
            k[i].colour = cv.colour;
        }
        end += svg_legend(w, k, n, end);
        free(k);
    }
    qr_buf_free(&v);
    return end - y;
}

/* x of point i: by time position, the smallest step one slot wide, as the
 * PDF places them (a missing period keeps its slot empty). */
typedef struct xscale {
    double p0, step, px, slot;
} xscale;

static xscale x_scale(const qr_chart *c, const hw *w, double px, double pw)
{
    size_t n = qr_chart_nvalues(c, 0);
    xscale xs = {qr_chart_get(c, 0, 0, w->st).pos, 0, px, 0};
    for (size_t i = 1; i < n; i++) {
        double d = qr_chart_get(c, 0, i, w->st).pos -
                   qr_chart_get(c, 0, i - 1, w->st).pos;
        if (xs.step == 0 || d < xs.step) xs.step = d;
    }
    if (xs.step <= 0) xs.step = 1;
    double slots = (qr_chart_get(c, 0, n - 1, w->st).pos - xs.p0) / xs.step + 1;
    if (slots > SVG_MAX_SLOTS) slots = SVG_MAX_SLOTS;
    xs.slot = pw / slots;
    return xs;
}

static double x_of(const xscale *xs, double pos)
{
    return xs->px + xs->slot * ((pos - xs->p0) / xs->step + 0.5);
}

static void svg_series(hw *w, const qr_chart *c, size_t s, const xscale *xs,
                       double top, double ph, const qr_chart_axis *ax)
{
    size_t n = qr_chart_nvalues(c, s);
    qr_rgb col = qr_chart_series_colour(c, s);
    int open = 0;
    for (size_t i = 0; i < n; i++) {
        qr_chart_value cv = qr_chart_get(c, s, i, w->st);
        double x = x_of(xs, cv.pos);
        double y = top + ph - (cv.value - ax->lo) / (ax->hi - ax->lo) * ph;
        /* a gap in time breaks the line, as in the PDF */
        if (open && cv.pos - qr_chart_get(c, s, i - 1, w->st).pos >
                        xs->step * 1.5) {
            put(w, "\"/>\n");
            open = 0;
        }
        if (!open) {
            put(w, "<polyline class=\"series\" stroke=\"");
            put_rgb(w, col);
            put(w, "\" points=\"");
            open = 1;
        }
        qr_buf_printf(w->b, "%.1f,%.1f ", x, y);
    }
    if (open) put(w, "\"/>\n");
    for (size_t i = 0; i < n; i++) {
        qr_chart_value cv = qr_chart_get(c, s, i, w->st);
        double x = x_of(xs, cv.pos);
        double y = top + ph - (cv.value - ax->lo) / (ax->hi - ax->lo) * ph;
        svg_rect(w, x - SVG_MARKER / 2, y - SVG_MARKER / 2, SVG_MARKER,
                 SVG_MARKER, col);
    }
}

/* Period labels under the plot, thinned from the latest backwards so none
 * collide. */
static void svg_periods(hw *w, const qr_chart *c, const xscale *xs, double y)
{
    size_t n = qr_chart_nvalues(c, 0);
    double left = SVG_W + SVG_GAP;
    for (size_t j = 0; j < n; j++) {
        qr_chart_value cv = qr_chart_get(c, 0, n - 1 - j, w->st);
        double tw = text_w(cv.label), x = x_of(xs, cv.pos) - tw / 2;
        if (x + tw > SVG_W) x = SVG_W - tw;
        if (x < 0) x = 0;
        if (x + tw + SVG_GAP > left) continue;
        svg_text(w, x, y, NULL, NULL, cv.label);
        left = x;
    }
}

static double svg_lines(hw *w, const qr_chart *c, double y)
{
    qr_chart_axis ax;
    qr_chart_value_axis(c, &ax);
    if (qr_chart_ylabel(c)) {
        svg_text(w, 0, y + SVG_LINE * 0.7, NULL, NULL, qr_chart_ylabel(c));
        y += SVG_LINE;
    }
    char tick[64];
    int nt = (int)floor((ax.hi - ax.lo) / ax.step + 1e-9);
    double tickw = 0;
    for (int t = 0; t <= nt; t++) {
        qr_chart_tick_text(&ax, ax.lo + t * ax.step, tick, sizeof tick);
        tickw = fmax(tickw, text_w(tick));
    }
    double px = tickw + SVG_GAP + SVG_TICK, pw = SVG_W - px;
    double top = y + SVG_FONT, ph = SVG_PLOT_H;
    for (int t = 0; t <= nt; t++) {
        double tv = ax.lo + t * ax.step;
        double ty = top + ph - (tv - ax.lo) / (ax.hi - ax.lo) * ph;
        if (t > 0) svg_line(w, px, ty, px + pw, ty, "grid");
        svg_line(w, px - SVG_TICK, ty, px, ty, "axis");
        qr_chart_tick_text(&ax, tv, tick, sizeof tick);
        svg_text(w, px - SVG_TICK - 2, ty + SVG_FONT * 0.35, "end", NULL, tick);
    }
    svg_line(w, px, top, px, top + ph, "axis");
    svg_line(w, px, top + ph, px + pw, top + ph, "axis");
    xscale xs = x_scale(c, w, px, pw);
    svg_periods(w, c, &xs, top + ph + SVG_TICK + SVG_LINE * 0.8);
    double tv;
    const char *ttext, *tlabel;
    int target = qr_chart_target(c, &tv, &ttext, &tlabel);
    if (target && tv >= ax.lo && tv <= ax.hi) {
        double ty = top + ph - (tv - ax.lo) / (ax.hi - ax.lo) * ph;
        svg_line(w, px, ty, px + pw, ty, "target");
        qr_buf lab;
        qr_buf_init(&lab);
        qr_buf_printf(&lab, "%s ", tlabel);
        qr_chart_format_value(c, ttext, &lab);
        double ly = ty - SVG_GAP;
        if (ly - SVG_FONT < top) ly = ty + SVG_FONT + 2;
        svg_text(w, px + pw - 2, ly, "end", NULL, lab.data);
        qr_buf_free(&lab);
    }
    for (size_t s = 0; s < qr_chart_nseries(c); s++)
        svg_series(w, c, s, &xs, top, ph, &ax);
    double end =
        svg_xlabel(w, c, px, pw, top + ph + SVG_TICK + SVG_LINE + SVG_GAP);
    if (qr_chart_legend(c)) {
        size_t ns = qr_chart_nseries(c);
        legend_key *k = qr_xcalloc(ns + 1, sizeof *k);
        for (size_t s = 0; s < ns; s++) {
            k[s].label = qr_chart_series_label(c, s);
            k[s].colour = qr_chart_series_colour(c, s);
        }
        if (target) {
            k[ns].label = tlabel;
            k[ns++].dashed = 1;
        }
        end += svg_legend(w, k, ns, end);
        free(k);
    }
    return end - y + (qr_chart_ylabel(c) ? SVG_LINE : 0);
}

/* The chart's numbers as a table, behind a disclosure: the same values
 * the drawing shows, for a screen reader or a copy into a spreadsheet. */
static void chart_table(hw *w, const qr_chart *c, int id)
{
    qr_buf v;
    qr_buf_init(&v);
    int bars = qr_chart_kind(c) == QR_CHART_BAR;
    size_t ns = qr_chart_nseries(c), n = qr_chart_nvalues(c, 0);
    put(w, "<details>\n<summary>The chart&#39;s figures as a table</summary>\n");
    qr_buf_printf(w->b, "<div class=\"table\" role=\"region\" tabindex=\"0\" "
                        "aria-labelledby=\"c%d-cap\">\n<table>\n"
                        "<caption id=\"c%d-cap\">", id, id);
    esc(w, qr_chart_title(c) ? qr_chart_title(c) : bars ? "Bar chart"
                                                        : "Line chart");
    put(w, "</caption>\n<thead><tr><th scope=\"col\">");
    put(w, bars ? "Category" : "Period");
    put(w, "</th>");
    for (size_t s = 0; s < ns; s++) {
        put(w, "<th scope=\"col\" class=\"r\">");
        if (bars) esc(w, qr_chart_xlabel(c) ? qr_chart_xlabel(c) : "Value");
        else esc(w, qr_chart_series_label(c, s));
        put(w, "</th>");
    }
    put(w, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        put(w, "<tr><th scope=\"row\">");
        esc(w, qr_chart_get(c, 0, i, w->st).label);
        put(w, "</th>");
        for (size_t s = 0; s < ns; s++) {
            value_text(c, qr_chart_get(c, s, i, w->st).text, &v);
            put(w, "<td class=\"r\">");
            esc(w, v.data);
            put(w, "</td>");
        }
        put(w, "</tr>\n");
    }
    put(w, "</tbody>\n</table>\n</div>\n");
    double tv;
    const char *ttext, *tlabel;
    if (qr_chart_target(c, &tv, &ttext, &tlabel)) {
        value_text(c, ttext, &v);
        put(w, "<p>");
        esc(w, tlabel);
        put(w, ": ");
        esc(w, v.data);
        put(w, "</p>\n");
    }
    put(w, "</details>\n");
    qr_buf_free(&v);
}

/* A chart as an inline SVG image named by its title and described by the
 * text alternative the PDF gives it; the drawing goes into a scratch
 * buffer first because the viewBox needs its height. */
static void chart(hw *w, const qr_chart *c)
{
    int id = ++w->charts;
    qr_buf body;
    qr_buf_init(&body);
    qr_buf *page = w->b;
    w->b = &body;
    double y = 0;
    if (qr_chart_title(c)) {
        svg_text(w, 0, SVG_FONT * 1.1, NULL, "bold", qr_chart_title(c));
        y += SVG_LINE * 1.4;
    }
    y += qr_chart_kind(c) == QR_CHART_BAR ? svg_bars(w, c, y)
                                          : svg_lines(w, c, y);
    w->b = page;
    /* an SVG image takes its name from its <title> and its description
     * from its <desc> (no ids needed, which tidy would not know in SVG) */
    qr_buf_printf(w->b, "<figure class=\"chart\">\n<svg role=\"img\" "
                        "viewBox=\"0 0 %.0f %.0f\">\n<title>", SVG_W, ceil(y));
    esc(w, qr_chart_title(c) ? qr_chart_title(c) : "Chart");
    put(w, "</title>\n<desc>");
    esc(w, qr_chart_alt(c));
    put(w, "</desc>\n");
    qr_buf_append(w->b, body.data, body.len);
    put(w, "</svg>\n");
    chart_table(w, c, id);
    put(w, "</figure>\n");
    qr_buf_free(&body);
}

/* ---- blocks ------------------------------------------------------------ */

static void code(hw *w, const qr_block *b)
{
    if (!b->literal_len) return;
    if (b->info && strcmp(b->info, "chart") == 0) {
        size_t before = qr_diags_count(w->d, QR_ERROR);
        qr_chart *c = qr_chart_parse(b->literal, b->literal_len, w->md_name,
                                     b->line + 1, w->d);
        if (c) {
            chart(w, c);
            qr_chart_free(c);
            return;
        }
        /* errors were reported; show the block as code */
        w->errors += (int)(qr_diags_count(w->d, QR_ERROR) - before);
    }
    size_t n = b->literal_len;
    if (b->literal[n - 1] == '\n') n--;
    put(w, "<pre><code>");
    qr_html_escape(w->b, b->literal, n);
    put(w, "</code></pre>\n");
}

static void list(hw *w, const qr_block *b)
{
    const char *tag = b->ordered ? "ol" : "ul";
    if (b->ordered && b->start != 1)
        qr_buf_printf(w->b, "<ol start=\"%d\">\n", b->start);
    else
        qr_buf_printf(w->b, "<%s>\n", tag);
    for (const qr_block *it = b->first_child; it; it = it->next) {
        put(w, it->task ? "<li class=\"task\">" : "<li>");
        if (it->task)
            qr_buf_printf(w->b, "<input type=\"checkbox\" disabled%s "
                                "aria-label=\"%s\"> ",
                          it->checked ? " checked" : "",
                          it->checked ? "Done" : "Not done");
        for (const qr_block *c = it->first_child; c; c = c->next)
            block(w, c, 0, b->tight);
        put(w, "</li>\n");
    }
    qr_buf_printf(w->b, "</%s>\n", tag);
}

/* The contents' entries for c and what it holds: headings of levels 1 and
 * 2, each linked by the id heading() will give it (every heading counts)
 * and numbered as heading() will number it. Text only: a heading's own
 * link cannot sit inside the entry's. */
static void contents_entries(hw *w, const qr_block *c, int *id, int *section,
                             int top)
{
    if (c->kind == QR_BLK_HEADING) {
        int level = c->level < 1 ? 1 : c->level;
        ++*id;
        char num[32] = "";
        if (level == 2 && top) {
            ++*section;
            if (w->st->number_sections)
                snprintf(num, sizeof num, "%d. ", *section);
        }
        if (level > 2) return;
        qr_buf t;
        qr_buf_init(&t);
        qr_block_text(c, &t);
        qr_buf_printf(w->b, "<li><a href=\"#h%d\">%s", *id, num);
        qr_html_escape(w->b, t.data ? t.data : "", t.len);
        put(w, "</a></li>\n");
        qr_buf_free(&t);
        return;
    }
    for (const qr_block *k = c->first_child; k; k = k->next)
        contents_entries(w, k, id, section, 0);
}

/* <!-- contents -->: the headings after it as a list of links. HTML has
 * no pages, so no page numbers: the entries are the PDF's otherwise. */
static void contents(hw *w, const qr_block *b)
{
    int id = w->headings, section = w->section;
    put(w, "<nav class=\"contents\" aria-label=\"Contents\">\n<ul>\n");
    for (const qr_block *c = b->next; c; c = c->next)
        contents_entries(w, c, &id, &section, 1);
    put(w, "</ul>\n</nav>\n");
}

static void block(hw *w, const qr_block *b, int top, int tight)
{
    switch (b->kind) {
    case QR_BLK_DOCUMENT:
        for (const qr_block *c = b->first_child; c; c = c->next)
            block(w, c, 1, 0);
        break;
    case QR_BLK_HEADING: heading(w, b, top); break;
    case QR_BLK_PARAGRAPH: paragraph(w, b, top, tight); break;
    case QR_BLK_LIST: list(w, b); break;
    case QR_BLK_ITEM:
        for (const qr_block *c = b->first_child; c; c = c->next)
            block(w, c, 0, tight);
        break;
    case QR_BLK_QUOTE:
        put(w, "<blockquote>\n");
        for (const qr_block *c = b->first_child; c; c = c->next)
            block(w, c, 0, 0);
        put(w, "</blockquote>\n");
        break;
    case QR_BLK_CODE: code(w, b); break;
    case QR_BLK_TABLE: table(w, b); break;
    case QR_BLK_THEMATIC_BREAK: put(w, "<hr>\n"); break;
    case QR_BLK_PAGEBREAK: put(w, "<div class=\"page-break\"></div>\n"); break;
    case QR_BLK_CONTENTS: contents(w, b); break;
    case QR_BLK_TABLE_ROW:
    case QR_BLK_TABLE_CELL:
        break;   /* only inside a table */
    }
}

/* ---- the page ---------------------------------------------------------- */

/* The colours the page uses: the house style's, text darkened where needed
 * to read at MIN_CONTRAST on its background. */
typedef struct palette {
    qr_rgb text, head, link, th;
} palette;

/* A font family inside a CSS string in <style>, which HTML does not
 * unescape: only letters, digits, spaces, '-' and '_' are kept, so a
 * house style's family name can neither end the string nor the style. */
static void css_family(hw *w, const char *name)
{
    for (const char *c = name; *c; c++)
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
            (*c >= '0' && *c <= '9') || *c == ' ' || *c == '-' || *c == '_')
            qr_buf_putc(w->b, *c);
}

static void css_text(hw *w, const palette *pal)
{
    const qr_style *st = w->st;
    put(w, ":root{color:");
    put_rgb(w, pal->text);
    put(w, ";background:#fff}\nbody{margin:0 auto;max-width:46rem;"
           "padding:1rem;font-family:\"");
    css_family(w, st->body_family);
    qr_buf_printf(w->b, "\",Arial,\"Liberation Sans\",sans-serif;"
                        "font-size:%.0f%%;line-height:%.2f;"
                        "overflow-wrap:break-word}\n",
                  st->body_size / 12.0 * 100, st->leading);
    put(w, "h1,h2,h3,h4,h5,h6{color:");
    put_rgb(w, pal->head);
    put(w, ";line-height:1.25;margin:1.4em 0 .5em}\n");
    for (int i = 0; i < 6; i++)
        qr_buf_printf(w->b, "h%d{font-size:%.3frem}\n", i + 1,
                      (st->heading_size[i] > 0 ? st->heading_size[i]
                                               : st->body_size) / 12.0);
    put(w, "a{color:");
    put_rgb(w, pal->link);
    put(w, "}\na:focus,[tabindex]:focus{outline:3px solid #ffdd00;"
           "outline-offset:0;box-shadow:0 0 0 5px #0b0c0c}\n"
           ".mark{font-weight:bold;text-align:center;letter-spacing:.05em;"
           "border:2px solid;padding:.3em}\n");
}

static void css_blocks(hw *w)
{
    const qr_style *st = w->st;
    put(w, "p,ul,ol,dl,blockquote,pre,figure{margin:0 0 .8em}\n"
           "li>ul,li>ol{margin:.3em 0}\n"
           "li.task{list-style:none}\n"
           ".numbered{padding-left:3em;text-indent:-3em}\n"
           ".pnum{display:inline-block;min-width:2.6em;text-indent:0}\n"
           "dl.particulars{display:grid;grid-template-columns:auto 1fr;"
           "gap:0 .4em}\n"
           "dl.particulars dt{font-weight:bold}\n"
           "dl.particulars dd{margin:0}\n"
           "blockquote{margin-left:0;padding-left:1em;border-left:4px solid ");
    put_rgb(w, st->quote_bar_color);
    put(w, "}\npre{white-space:pre-wrap;overflow-wrap:anywhere;padding:.6em;"
           "background:");
    put_rgb(w, st->code_fill);
    put(w, "}\ncode{font-family:\"");
    css_family(w, st->mono_family);
    put(w, "\",monospace;font-size:.92em}\n"
           "img{max-width:100%;height:auto}\n"
           "hr{border:0;border-top:1px solid ");
    put_rgb(w, st->rule_color);
    put(w, "}\n");
}

static void css_tables(hw *w, const palette *pal)
{
    const qr_style *st = w->st;
    put(w, ".table{overflow-x:auto;margin:0 0 1em}\n"
           "table{border-collapse:collapse;font-size:.9em;min-width:60%}\n"
           "caption{text-align:left;font-weight:bold;padding:.3em 0}\n"
           "th,td{border:1px solid ");
    put_rgb(w, st->rule_color);
    qr_buf_printf(w->b, ";padding:%.2fem .4em;text-align:left;"
                        "vertical-align:top}\n",
                  st->table_padding / st->body_size);
    put(w, "thead th{background:");
    put_rgb(w, st->table_header_fill);
    put(w, ";color:");
    put_rgb(w, pal->th);
    /* the swatch is framed in the text colour, so it stands out on white
     * whatever its own colour (amber alone is 2.6:1), and never parts
     * from its word */
    put(w, "}\n.r{text-align:right}\n.c{text-align:center}\n"
           ".rag::before{content:\"\";display:inline-block;width:.75em;"
           "height:.75em;margin-right:.4em;vertical-align:-.05em;"
           "border:1px solid ");
    put_rgb(w, pal->text);
    put(w, "}\ntd.rag{white-space:nowrap}\n");
    for (int i = 0; i < QR_RAG_COUNT; i++) {
        qr_buf_printf(w->b, ".rag-%d::before{background:", i);
        put_rgb(w, st->status_colour[i]);
        put(w, "}\n");
    }
}

static void css_charts(hw *w, const palette *pal)
{
    put(w, "figure{margin:1em 0}\nfigure svg{display:block;width:100%;"
           "height:auto;max-width:34rem}\n"
           "svg text{font-family:Arial,\"Liberation Sans\",sans-serif;"
           "font-size:14px;fill:");
    put_rgb(w, pal->text);
    put(w, "}\nsvg .axis{stroke:");
    put_rgb(w, pal->text);
    put(w, ";stroke-width:1}\nsvg .grid{stroke:");
    put_rgb(w, mix_white(w->st->rule_color, 0.55f));
    put(w, ";stroke-width:.6}\nsvg .target{stroke:#0b0c0c;stroke-width:2;"
           "stroke-dasharray:6 4}\nsvg .series{fill:none;stroke-width:2.5}\n"
           "summary{cursor:pointer;color:");
    put_rgb(w, pal->link);
    put(w, "}\n");
}

/* On paper: A4 with the house style's margins and body size, web
 * addresses spelt out after their links, table headers repeated, no
 * disclosure widgets (the chart is on the page). */
static void css_print(hw *w)
{
    const qr_style *st = w->st;
    qr_buf_printf(w->b, "@media print{\n@page{size:A4;margin:%.1fmm %.1fmm "
                        "%.1fmm %.1fmm}\n",
                  st->margin_top / 72 * 25.4, st->margin_right / 72 * 25.4,
                  st->margin_bottom / 72 * 25.4, st->margin_left / 72 * 25.4);
    qr_buf_printf(w->b, "body{max-width:none;padding:0;font-size:%.1fpt}\n",
                  st->body_size);
    put(w, "a{color:inherit}\n"
           "a[href^=\"http\"]::after{content:\" (\" attr(href) \")\";"
           "font-size:.85em}\n"
           ".table{overflow:visible}\n"
           "thead{display:table-header-group}\ntr,figure{break-inside:avoid}\n"
           "h1,h2,h3,h4{break-after:avoid}\n"
           "details{display:none}\n"
           ".page-break{break-before:page}\n"
           "}\n");
}

/* The style sheet: the house style's colours and type, a measure that
 * reads on a phone (no horizontal scrolling from 320 px: wide tables
 * scroll in their own region), and print rules for A4. */
static void css(hw *w)
{
    const qr_style *st = w->st;
    qr_rgb white = {1, 1, 1};
    palette pal = {readable(st->text_color, white),
                   readable(st->heading_color, white),
                   readable(st->link_color, white),
                   readable(st->table_header_text, st->table_header_fill)};
    put(w, "<style>\n");
    css_text(w, &pal);
    css_blocks(w);
    css_tables(w, &pal);
    css_charts(w, &pal);
    css_print(w);
    put(w, "</style>\n");
}

/* The first heading's text: the title of a paper with no data. */
static char *first_heading(const qr_doc *doc)
{
    qr_buf t;
    qr_buf_init(&t);
    for (const qr_block *b = qr_doc_root(doc)->first_child; b; b = b->next)
        if (b->kind == QR_BLK_HEADING) {
            qr_block_text(b, &t);
            break;
        }
    return qr_buf_detach(&t, NULL);
}

static void head(hw *w, const qr_doc *doc)
{
    const qr_html_meta *m = w->meta;
    const char *lang = m->lang && *m->lang ? m->lang : w->st->lang;
    put(w, "<!DOCTYPE html>\n<html lang=\"");
    esc(w, lang && *lang ? lang : "en-GB");
    put(w, "\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, "
           "initial-scale=1\">\n<title>");
    char *fallback = NULL;
    const char *title = m->title;
    if (!title || !*title) title = fallback = first_heading(doc);
    esc(w, title && *title ? title : "Committee paper");
    free(fallback);
    put(w, "</title>\n");
    if (m->author && *m->author) {
        put(w, "<meta name=\"author\" content=\"");
        esc(w, m->author);
        put(w, "\">\n");
    }
    if (m->subject && *m->subject) {
        put(w, "<meta name=\"description\" content=\"");
        esc(w, m->subject);
        put(w, "\">\n");
    }
    /* an exempt paper must not be found by a search engine if it is ever
     * put where one can reach it */
    if (m->exempt) put(w, "<meta name=\"robots\" content=\"noindex, nofollow\">\n");
    put(w, "<meta name=\"generator\" content=\"Quire\">\n");
    css(w);
    put(w, "</head>\n<body>\n");
}

bool qr_html_render(const qr_doc *doc, const qr_style *style,
                    const qr_html_meta *meta, const char *md_name,
                    qr_diags *d, char **out, size_t *len)
{
    qr_buf b;
    qr_buf_init(&b);
    hw w = {.b = &b, .st = style, .meta = meta, .md_name = md_name, .d = d};
    w.images = qr_image_set_new(0);
    head(&w, doc);
    /* what the PDF prints in every page's margin, said once above the
     * paper; marked as furniture, which tests compare apart */
    const char *mark = meta->mark ? meta->mark
                       : meta->exempt ? "NOT FOR PUBLICATION" : NULL;
    if (mark) {
        put(&w, "<p class=\"mark\" data-furniture=\"\">");
        esc(&w, mark);
        put(&w, "</p>\n");
    }
    if (meta->draft)
        put(&w, "<p class=\"mark\" data-furniture=\"\">DRAFT</p>\n");
    put(&w, "<main>\n");
    block(&w, qr_doc_root(doc), 0, 0);
    if (meta->after) {
        qr_style plain = *style;
        plain.number_sections = plain.number_paragraphs = 0;
        w.st = &plain;
        block(&w, qr_doc_root(meta->after), 0, 0);
        w.st = style;
    }
    put(&w, "</main>\n</body>\n</html>\n");
    qr_image_set_free(w.images);
    *out = qr_buf_detach(&b, len);
    return !w.errors;
}
