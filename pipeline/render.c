/* render.c — orchestrates the stages for one paper.
 *
 * In: paths of data, template, style and output. Out: a prepared paper (for
 * pack and build), its display list, or a PDF written atomically — or
 * diagnostics. Diagnostics of parse and layout refer to lines of the
 * expanded Markdown; they are re-located at the template line that produced
 * them through the expansion's source map, so the person fixing the paper is
 * sent to the file they edit.
 *
 * QUIRE_TIMING=1 in the environment prints the time of each stage to stderr
 * (used by make bench).
 *
 * One render starts a second thread that loads the hyphenation patterns
 * while this one loads, expands, parses and resolves fonts: the two
 * one-time costs are the largest fixed costs of a short paper (about 3.5 ms
 * for libhyphen to parse its dictionary, 3 ms for fontconfig's init, by
 * callgrind and QUIRE_TIMING) and depend on nothing in the paper.
 */
#include "quire/render.h"

#include "quire/derive.h"
#include "quire/expand.h"
#include "quire/fonts.h"
#include "quire/html.h"
#include "quire/input.h"
#include "quire/layout.h"
#include "quire/load.h"
#include "quire/parse.h"
#include "quire/pdf.h"
#include "quire/style.h"
#include "quire/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

/* The name later stages use for the expanded Markdown in diagnostics. */
static const char EXPANDED_NAME[] = "(expanded markdown)";

struct qr_paper {
    qr_data *data;
    qr_expansion *exp;
    qr_doc *doc;
    qr_fonts *fonts;
    qr_style style;
    char *title, *meeting, *item, *author;
    char *style_path, *data_path;
    char *base_dir;   /* the template's directory: images resolve here */
    long long epoch;
    int exempt;        /* the data carries paper.exempt (Schedule 12A) */
    qr_inputs *inputs; /* every file read for this paper, as read */
};

long long qr_source_epoch(long long fallback, qr_diags *d)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s) return fallback;
    /* Digits only: no sign, no space, no "0x"; strtoll alone would take
     * "-1", " 12" and "12abc", and saturate on overflow. */
    int digits = 1;
    for (const char *c = s; *c && digits; c++) digits = *c >= '0' && *c <= '9';
    errno = 0;
    long long v = digits ? strtoll(s, NULL, 10) : -1;
    if (digits && errno == 0 && v <= QR_PDF_EPOCH_MAX) return v;
    /* A build that sets it wants reproducible bytes, which the fallback
     * gives as well; a warning, not a failed build. */
    qr_diag_add(d, QR_WARNING, NULL, 0, 0, NULL, NULL,
                "SOURCE_DATE_EPOCH '%.40s%s' is not a number of seconds from "
                "0 to %lld (1970 to the end of 9999): ignored, %s", s,
                strlen(s) > 40 ? "…" : "", QR_PDF_EPOCH_MAX,
                fallback >= 0 ? "the date comes from the data"
                              : "the PDF has no date");
    return fallback;
}

/* The creation time a paper's meeting date gives: midnight UTC, or -1. */
static long long iso_epoch(const char *iso)
{
    long long days;
    return iso && qr_iso_days(iso, &days) ? days * 86400 : -1;
}

static const cJSON *jget(const cJSON *root, const char *a, const char *b,
                         const char *c)
{
    const cJSON *n = root;
    const char *keys[] = {a, b, c};
    for (int i = 0; i < 3 && keys[i] && n; i++)
        n = cJSON_GetObjectItemCaseSensitive(n, keys[i]);
    return n;
}

static const char *jstr(const cJSON *root, const char *a, const char *b,
                        const char *c)
{
    const cJSON *n = jget(root, a, b, c);
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

/* What a paper's template sees in a pack: the data's members and the
 * pack's context as `pack` (the pack's wins over a `pack` of the data's
 * own). Made of references: nothing is copied, and deleting it leaves the
 * data as it was. */
static cJSON *with_pack(const cJSON *root, const cJSON *pack)
{
    cJSON *v = cJSON_CreateObject();
    const cJSON *m;
    cJSON_ArrayForEach(m, root)
        if (strcmp(m->string, "pack") != 0)
            cJSON_AddItemReferenceToObject(v, m->string, (cJSON *)m);
    cJSON_AddItemReferenceToObject(v, "pack", (cJSON *)pack);
    return v;
}

/* Move diagnostics about the expanded Markdown to the template line that
 * produced them. */
static void relocate(qr_diags *from, qr_diags *to, const qr_expansion *e)
{
    /* line starts of the expanded Markdown, for diagnostics with a column */
    size_t *starts = NULL, nstarts = 0, mdlen = 0;
    const char *md = e ? qr_expansion_text(e, &mdlen) : NULL;
    for (size_t i = 0; i < qr_diags_len(from); i++) {
        const qr_diag *g = qr_diags_get(from, i);
        const char *file = NULL;
        int line = 0, col = 0;
        int expanded = e && g->file && strcmp(g->file, EXPANDED_NAME) == 0;
        if (expanded && g->line > 0 && g->col > 0 && md && !starts) {
            size_t cap = 64;
            starts = qr_xmalloc(cap * sizeof *starts);
            starts[nstarts++] = 0;
            for (size_t k = 0; k < mdlen; k++)
                if (md[k] == '\n') {
                    QR_GROW(starts, nstarts, cap, 64);
                    starts[nstarts++] = k + 1;
                }
        }
        /* a column in the expanded text: the exact template position (a
         * value maps to its tag), else the start of the line's origin */
        int found = 0;
        if (expanded && g->line > 0 && g->col > 0 && starts &&
            (size_t)g->line <= nstarts) {
            size_t off = starts[g->line - 1] + (size_t)g->col - 1;
            if (off < mdlen)
                found = qr_expansion_origin(e, off, &file, &line, &col);
        }
        if (!found && expanded && g->line > 0)
            found = qr_expansion_origin_line(e, g->line, &file, &line, &col);
        if (found) {
            char *src = NULL;
            size_t len;
            char *text = qr_read_file(file, &len, 0);
            if (text) src = qr_text_line(text, len, line);
            free(text);
            qr_diag_add(to, g->severity, file, line, col, g->path, src, "%s",
                        g->message);
            free(src);
        } else if (expanded && qr_expansion_nfiles(e) > 0) {
            /* about the whole document (too many pages): name the template */
            qr_diag_add(to, g->severity, qr_expansion_file(e, 0), 0, 0,
                        g->path, NULL, "%s", g->message);
        } else {
            qr_diag_add(to, g->severity, g->file, g->line, g->col, g->path,
                        g->source, "%s", g->message);
        }
    }
    free(starts);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool timing_on(void)
{
    const char *t = getenv("QUIRE_TIMING");
    return t && *t && strcmp(t, "0") != 0;
}

static void lap(const char *stage, double *t0)
{
    if (!timing_on()) return;
    double t = now_ms();
    fprintf(stderr, "quire: timing: %-7s %8.3f ms\n", stage, t - *t0);
    *t0 = t;
}

void qr_paper_free(qr_paper *p)
{
    if (!p) return;
    qr_fonts_free(p->fonts);
    qr_doc_free(p->doc);
    qr_expansion_free(p->exp);
    qr_data_free(p->data);
    free(p->title);
    free(p->meeting);
    free(p->item);
    free(p->author);
    free(p->style_path);
    free(p->data_path);
    free(p->base_dir);
    qr_inputs_free(p->inputs);
    free(p);
}

/* The PDF stage writes text as two-byte CIDs equal to BMP code points
 * (libharu turns anything above U+FFFF into a space), so a
 * character outside the Basic Multilingual Plane — an emoji, say — cannot
 * be shown. Say so here, where the expanded text still maps back to the
 * template line, rather than as a page number from the PDF writer or,
 * worse, as a silent space. Returns the number of such characters. */
#define PLANE_REPORTS_MAX 10      /* located errors; the rest are counted */
#define BMP_LAST 0xFFFFu

static void at_origin(qr_diags *d, const qr_expansion *e, const char *md,
                      size_t len, size_t off, const char *msg)
{
    const char *file;
    int line, col;
    if (e && qr_expansion_origin(e, off, &file, &line, &col)) {
        size_t n;
        char *text = qr_read_file(file, &n, 0);
        char *src = text ? qr_text_line(text, n, line) : NULL;
        qr_diag_add(d, QR_ERROR, file, line, col, NULL, src, "%s", msg);
        free(src);
        free(text);
    } else {
        qr_diag_at(d, QR_ERROR, EXPANDED_NAME, md, len, off, "%s", msg);
    }
}

static int check_planes(const char *md, size_t len, const qr_expansion *e,
                        qr_diags *d)
{
    int n = 0;
    for (size_t i = 0; i < len;) {
        /* only a 4-byte sequence (lead byte 0xF0-0xF4) is above U+FFFF */
        if ((unsigned char)md[i] < 0xF0) {
            i++;
            continue;
        }
        uint32_t cp;
        int k = qr_utf8_decode(md + i, len - i, &cp);
        if (k <= 0) {
            i++;
            continue;
        }
        if (cp > BMP_LAST && n++ < PLANE_REPORTS_MAX) {
            char *msg = qr_xasprintf(
                "character U+%04X '%.*s' is outside the Basic Multilingual "
                "Plane (an emoji?): Quire's PDF fonts cannot show it; remove "
                "it or write it in words", (unsigned)cp, k, md + i);
            at_origin(d, e, md, len, i, msg);
            free(msg);
        }
        i += (size_t)k;
    }
    if (n > PLANE_REPORTS_MAX)
        qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                    "%d more characters outside the Basic Multilingual Plane",
                    n - PLANE_REPORTS_MAX);
    return n;
}

/* Mark the lines of the expanded text that hold code-block content. */
static void mark_code(const qr_block *b, unsigned char *code, size_t nlines)
{
    for (; b; b = b->next) {
        if (b->kind == QR_BLK_CODE && b->line > 0) {
            size_t n = 0;
            for (size_t i = 0; i < b->literal_len; i++)
                n += b->literal[i] == '\n';
            /* the opening fence's line too: no value is written as code
             * there (the expander opens a fence only at its line end) */
            for (size_t l = (size_t)b->line; l <= (size_t)b->line + n &&
                                             l <= nlines; l++)
                code[l - 1] = 1;
        }
        mark_code(b->first_child, code, nlines);
    }
}

/* The expander writes a value without Markdown escapes (its line breaks
 * made spaces) where it believes a fenced code block is open, so that a
 * chart's labels print as they are. It finds fences line by line, which a
 * template can mislead (a fence inside a list item, say): a value it wrote
 * as code outside any code block would be read as Markdown. So each one
 * is checked against the parsed document, and one outside is an error at
 * its tag rather than Markdown from the data. Returns the number. */
static int check_code_values(const qr_doc *doc, const qr_expansion *e,
                             const char *md, size_t len, qr_diags *d)
{
    size_t nv = qr_expansion_ncode(e);
    if (nv == 0) return 0;
    size_t nlines = 1;
    for (size_t i = 0; i < len; i++) nlines += md[i] == '\n';
    unsigned char *code = qr_xcalloc(nlines, 1);
    mark_code(qr_doc_root(doc), code, nlines);
    int bad = 0;
    for (size_t i = 0; i < nv; i++) {
        size_t off;
        int line = qr_expansion_code_line(e, i, &off);
        if (line > 0 && (size_t)line <= nlines && code[line - 1]) continue;
        if (bad++ == 0)
            at_origin(d, e, md, len, off,
                      "this value was written as code (a fenced block "
                      "seemed open) but the line is not in a code block: "
                      "check the template's fences (a fence inside a list "
                      "or quote is not followed)");
    }
    free(code);
    return bad;
}

/* What a view says of itself, in place of what a paper's data would. */
static void apply_view(qr_paper *p, const qr_render_view *v)
{
    if (v->title) {
        free(p->title);
        p->title = qr_xstrdup(v->title);
    }
    free(p->meeting);
    p->meeting = qr_xstrdup(v->meeting ? v->meeting : "");
    free(p->author);
    p->author = v->author ? qr_xstrdup(v->author) : NULL;
    p->exempt = v->exempt;
}

qr_paper *qr_paper_prepare(const qr_render_req *req, qr_diags *d)
{
    qr_paper *p = qr_xcalloc(1, sizeof *p);
    qr_style_default(&p->style);
    p->inputs = qr_inputs_new();
    qr_inputs *outer = qr_inputs_activate(p->inputs);
    qr_diags *later = qr_diags_new();
    double t0 = now_ms();

    if (req->view) {
        p->data_path = qr_xstrdup(req->view->name);
        /* named apart from the file: its lines are the view's, not the
         * file's, so a message must not send anyone to them */
        char *vname = qr_xasprintf("(view of %s)", req->view->name);
        p->data = qr_data_parse(req->view->json, req->view->len, vname, d);
        free(vname);
        if (!p->data) goto fail;
        if (!qr_derive_run(p->data, d)) goto fail;
    } else if (req->data_path) {
        p->data_path = qr_xstrdup(req->data_path);
        p->data = qr_data_load(req->data_path, d);
        if (!p->data) goto fail;
        if (!qr_data_validate(p->data, d)) goto fail;
        if (!qr_derive_run(p->data, d)) goto fail;
    } else {
        p->data = qr_data_empty();
    }
    lap("load", &t0);
    if (req->style_path) {
        p->style_path = qr_xstrdup(req->style_path);
        if (!qr_style_load(req->style_path, &p->style, d)) goto fail;
    }
    if (req->self_numbered) {
        /* minute numbers are the document's own: "1. 77/18" is wrong */
        p->style.number_sections = 0;
        p->style.number_paragraphs = 0;
    }

    const char *slash = strrchr(req->template_path, '/');
    p->base_dir = slash ? qr_xstrndup(req->template_path,
                                      (size_t)(slash - req->template_path))
                        : qr_xstrdup(".");
    qr_expand_opts eo = {.spec = 0, .strict = req->strict, .partials = NULL};
    cJSON *view = req->pack ? with_pack(qr_data_root(p->data), req->pack)
                            : NULL;
    p->exp = qr_expand_file(req->template_path,
                            view ? view : qr_data_root(p->data), &eo, d);
    cJSON_Delete(view);
    if (!p->exp) goto fail;
    size_t mdlen;
    const char *md = qr_expansion_text(p->exp, &mdlen);
    if (req->dump == QR_DUMP_MD && req->dump_to) fwrite(md, 1, mdlen, req->dump_to);
    lap("expand", &t0);

    if (check_planes(md, mdlen, p->exp, d) > 0) goto fail;
    p->doc = qr_parse_markdown(md, mdlen, EXPANDED_NAME, later);
    /* an error while parsing (a link to a scheme a paper may not use)
     * stops the paper here, for every orchestrator: no pack or build may
     * carry on with it */
    int parse_failed = qr_diags_count(later, QR_ERROR) > 0;
    relocate(later, d, p->exp);
    qr_diags_free(later);
    later = NULL;
    if (!p->doc || parse_failed) goto fail;
    if (check_code_values(p->doc, p->exp, md, mdlen, d) > 0) goto fail;
    if (req->dump == QR_DUMP_DOC && req->dump_to) qr_doc_dump(p->doc, req->dump_to);
    lap("parse", &t0);

    const cJSON *root = qr_data_root(p->data);
    const char *title = jstr(root, "paper", "title", NULL);
    if (title) {
        p->title = qr_xstrdup(title);
    } else {
        /* a plain Markdown paper: its first heading names it */
        const qr_block *b = qr_doc_root(p->doc)->first_child;
        for (; b; b = b->next)
            if (b->kind == QR_BLK_HEADING) break;
        qr_buf t;
        qr_buf_init(&t);
        if (b) qr_block_text(b, &t);
        p->title = qr_buf_detach(&t, NULL);
    }
    const char *body = jstr(root, "paper", "meeting", "body");
    const char *date = jstr(root, "paper", "meeting", "date_long");
    if (body && date) p->meeting = qr_xasprintf("%s \xE2\x80\x93 %s", body, date);
    else p->meeting = qr_xstrdup(body ? body : "");
    const cJSON *it = jget(root, "paper", "meeting", "item");
    if (cJSON_IsNumber(it)) p->item = qr_xasprintf("%d", it->valueint);
    else p->item = qr_xstrdup(cJSON_IsString(it) ? it->valuestring : "");
    p->exempt = cJSON_IsObject(jget(root, "paper", "exempt", NULL));
    const char *author = jstr(root, "paper", "author", "name");
    p->author = author ? qr_xstrdup(author) : NULL;
    const char *when = req->view ? req->view->date
                                 : jstr(root, "paper", "meeting", "date");
    p->epoch = qr_source_epoch(iso_epoch(when), d);
    if (req->view) apply_view(p, req->view);
    qr_inputs_activate(outer);
    qr_inputs_merge(outer, p->inputs);
    return p;
fail:
    if (later) {
        relocate(later, d, p->exp);
        qr_diags_free(later);
    }
    qr_inputs_activate(outer);
    qr_inputs_merge(outer, p->inputs);
    qr_paper_free(p);
    return NULL;
}

/* One layout of the paper with its fonts as they are: on a first run
 * perhaps a guess (qr_fonts_guess), which the caller confirms before it
 * keeps anything made with it (qr_paper_layout; finish_paper, after making
 * the PDF in memory) and otherwise drops, with misguessed. */
static qr_pages *lay_out(qr_paper *p, const qr_layout_opts *opts,
                         qr_diags *d)
{
    double t0 = now_ms();
    if (!p->fonts) p->fonts = qr_fonts_guess(&p->style, d);
    if (!p->fonts) return NULL;
    lap(qr_fonts_pending(p->fonts) ? "guess" : "fonts", &t0);
    /* the caller's numbering, titles and marks; what it leaves out is the
     * paper's own, and images resolve in (and stay inside) this paper's
     * template directory unless it names another */
    qr_layout_opts o = {.first_page = 1};
    if (opts) o = *opts;
    if (!o.title) o.title = p->title;
    if (!o.meeting) o.meeting = p->meeting;
    if (!o.item) o.item = p->item;
    if (!o.base_dir) o.base_dir = p->base_dir;
    if (o.first_page <= 0) o.first_page = 1;
    /* A paper whose own data says it is exempt is marked on every page
     * wherever it goes — a standalone render, a build job, a pack — so a
     * printed or forwarded page still says what it is. Marking here rather
     * than in each caller means no caller can forget. */
    if (p->exempt) o.mark = QR_MARK_EXEMPT;
    qr_diags *later = qr_diags_new();
    /* layout reads the images: they are the paper's inputs too */
    qr_inputs *outer = qr_inputs_activate(p->inputs);
    qr_pages *pages = qr_layout_run(p->doc, &p->style,
                                    qr_fonts_metrics(p->fonts), &o,
                                    EXPANDED_NAME, later);
    qr_inputs_activate(outer);
    qr_inputs_merge(outer, p->inputs);
    /* an error in layout (an image refused or unreadable, a bad chart)
     * means the paper cannot be shown as written: no display list, so no
     * orchestrator can write a PDF without it */
    if (pages && qr_diags_count(later, QR_ERROR) > 0) {
        qr_pages_free(pages);
        pages = NULL;
    }
    relocate(later, d, p->exp);
    qr_diags_free(later);
    lap("layout", &t0);
    return pages;
}

/* The guess was wrong: what was made with it measured other fonts than
 * the paper's, and the caller drops it all (pages, PDF, messages); the
 * paper takes the fonts fontconfig names. false after an error when they
 * cannot be loaded. */
static bool misguessed(qr_paper *p, qr_diags *d)
{
    double t = now_ms();
    lap("misguess", &t);
    qr_fonts_free(p->fonts);
    p->fonts = qr_fonts_load(&p->style, d);
    return p->fonts != NULL;
}

/* Whether what was made with p's fonts may be kept: they are no guess, or
 * a guess confirmed (waiting for its check). */
static bool fonts_hold(qr_paper *p)
{
    return !qr_fonts_pending(p->fonts) || qr_fonts_confirm(p->fonts);
}

qr_pages *qr_paper_layout(qr_paper *p, const qr_layout_opts *opts,
                          qr_diags *d)
{
    for (;;) {
        qr_diags *made = qr_diags_new();
        qr_pages *pages = lay_out(p, opts, made);
        if (fonts_hold(p)) {
            qr_diags_move(d, made);
            qr_diags_free(made);
            return pages;
        }
        qr_pages_free(pages);
        qr_diags_free(made);
        if (!misguessed(p, d)) return NULL;
    }
}

/* Write a paper's bytes to req->out_path, atomically (exempt: private to
 * the owner); false after an error naming the path. */
static bool write_out(const qr_render_req *req, const qr_paper *p,
                      const char *bytes, size_t len, qr_diags *d)
{
    if (qr_write_atomic_mode(req->out_path, bytes, len, p->exempt)) return true;
    qr_diag_add(d, QR_ERROR, req->out_path, 0, 0, NULL, NULL,
                "cannot write '%s': %s", req->out_path, strerror(errno));
    return false;
}

static void pdf_meta_of(const qr_render_req *req, const qr_paper *p,
                        qr_pdf_meta *meta)
{
    qr_paper_meta(p, meta);
    meta->pdfa = req->pdfa;
    if (req->lang && req->lang[0]) meta->lang = req->lang;
}

bool qr_output_check(const char *path, const qr_inputs *inputs, qr_diags *d)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        /* rename would replace a device node or a symlink to one, and a
         * directory cannot take a PDF: either way the name is a mistake */
        qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                    "output '%s' %s: refusing to write the PDF over it; "
                    "name a new or regular file",
                    path, S_ISDIR(sb.st_mode) ? "is a directory"
                                              : "is not a regular file (a "
                                                "device, FIFO or socket)");
        return false;
    }
    const qr_input *in = qr_inputs_find_file(inputs, path);
    if (in) {
        qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                    "output '%s' is the %s '%s' this command reads: "
                    "refusing to overwrite an input; name another output",
                    path, qr_input_role_name(in->role), in->path);
        return false;
    }
    return true;
}

const qr_style *qr_paper_style(const qr_paper *p) { return &p->style; }
const qr_fonts *qr_paper_fonts(const qr_paper *p) { return p->fonts; }
const char *qr_paper_title(const qr_paper *p) { return p->title; }
const char *qr_paper_meeting(const qr_paper *p) { return p->meeting; }
const char *qr_paper_item(const qr_paper *p) { return p->item; }
const cJSON *qr_paper_root(const qr_paper *p) { return qr_data_root(p->data); }
const char *qr_paper_base_dir(const qr_paper *p) { return p->base_dir; }
const qr_inputs *qr_paper_inputs(const qr_paper *p) { return p->inputs; }
bool qr_paper_exempt(const qr_paper *p) { return p->exempt; }

size_t qr_paper_nfiles(const qr_paper *p)
{
    return (p->data_path != NULL) + (p->style_path != NULL) +
           qr_expansion_nfiles(p->exp);
}

const char *qr_paper_file(const qr_paper *p, size_t i)
{
    if (p->data_path) {
        if (i == 0) return p->data_path;
        i--;
    }
    if (p->style_path) {
        if (i == 0) return p->style_path;
        i--;
    }
    return qr_expansion_file(p->exp, i);
}

void qr_paper_meta(const qr_paper *p, qr_pdf_meta *meta)
{
    memset(meta, 0, sizeof *meta);
    meta->title = p->title && *p->title ? p->title : NULL;
    meta->author = p->author;
    meta->subject = p->meeting && *p->meeting ? p->meeting : NULL;
    meta->lang = p->style.lang;
    meta->epoch = p->epoch;
    meta->exempt = p->exempt;
}

/* The set-up runs once (pthread_once): layout's own call returns at once
 * when this has finished, or waits for it. */
static void *warm_up(void *unused)
{
    (void)unused;
    /* on a first run, what layout needs first (the configuration its
     * fonts are guessed with, qr_fonts_guess, and the dictionary) before
     * fontconfig, which only the guess's check waits for */
    qr_fonts_warm_up_guess();
    qr_layout_init();
    qr_fonts_warm_up();
    return NULL;
}

/* Add s to a NULL-terminated list unless it is there already. */
static void list_add(char ***v, size_t *n, size_t *cap, const char *s)
{
    if (!s || !*s) return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i], s) == 0) return;
    QR_GROW(*v, *n + 1, *cap, 16);
    (*v)[(*n)++] = qr_xstrdup(s);
    (*v)[*n] = NULL;
}

/* Every file the paper was made from, as the record of what was read says
 * (not the display list): the named inputs, what was read, what could not
 * be read (where a fix will appear), the fonts, and the colour profile of
 * PDF/A. */
static char **files_of(const qr_render_req *req, const qr_paper *p,
                       const qr_inputs *seen)
{
    char **v = NULL;
    size_t n = 0, cap = 0;
    list_add(&v, &n, &cap, req->data_path);
    list_add(&v, &n, &cap, req->template_path);
    list_add(&v, &n, &cap, req->style_path);
    /* partials as the template names them (the record has their real
     * paths), then whatever else was read: images, the style's logo */
    for (size_t i = 0; p && i < qr_paper_nfiles(p); i++)
        list_add(&v, &n, &cap, qr_paper_file(p, i));
    for (size_t i = 0; i < qr_inputs_count(seen); i++) {
        const qr_input *in = qr_inputs_get(seen, i);
        if (!p || (in->role != QR_IN_TEMPLATE && in->role != QR_IN_PARTIAL))
            list_add(&v, &n, &cap, in->path);
    }
    const qr_fonts *fonts = p ? p->fonts : NULL;
    for (size_t i = 0; i < qr_inputs_failed_count(seen); i++)
        list_add(&v, &n, &cap, qr_inputs_failed(seen, i));
    for (int s = 0; fonts && s < QR_FONT_COUNT; s++)
        list_add(&v, &n, &cap, qr_fonts_file(fonts, (qr_font_slot)s));
    if (req->pdfa && req->stop == QR_STOP_PDF)
        list_add(&v, &n, &cap, QR_PDF_SRGB_ICC);
    if (!v) v = qr_xcalloc(1, sizeof *v);
    return v;
}

qr_format qr_format_of(const char *out_path)
{
    const char *dot = out_path ? strrchr(out_path, '.') : NULL;
    if (!dot || strchr(dot, '/')) return QR_FORMAT_PDF;
    return strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0
               ? QR_FORMAT_HTML
               : QR_FORMAT_PDF;
}

void qr_paper_html_meta(const qr_paper *p, qr_html_meta *meta)
{
    memset(meta, 0, sizeof *meta);
    meta->title = p->title;
    meta->lang = p->style.lang;
    meta->subject = p->meeting;
    meta->author = p->author;
    meta->exempt = p->exempt;
    meta->base_dir = p->base_dir;
}

bool qr_paper_html(qr_paper *p, const qr_html_meta *meta, char **out,
                   size_t *len, qr_diags *d)
{
    qr_diags *later = qr_diags_new();
    /* the page reads the images: they are the paper's inputs too */
    qr_inputs *outer = qr_inputs_activate(p->inputs);
    double t0 = now_ms();
    bool ok = qr_html_render(p->doc, &p->style, meta, EXPANDED_NAME, later,
                             out, len);
    lap("html", &t0);
    qr_inputs_activate(outer);
    qr_inputs_merge(outer, p->inputs);
    relocate(later, d, p->exp);
    qr_diags_free(later);
    return ok;
}

/* The checks between making a paper and writing its file (`what`: "PDF"
 * or "HTML"), the same for both: false after an error since errors_before,
 * or after adding one when an input changed while the paper was being made
 * or the output names an input or a device. A request that writes nothing
 * (QR_STOP_LAYOUT) is checked for errors only. */
static bool ready_to_write(const qr_render_req *req, const qr_paper *p,
                           const qr_inputs *seen, size_t errors_before,
                           const char *what, qr_diags *d)
{
    /* an error in a later stage (e.g. a bad chart block) means no file:
     * the previous one stays as it was */
    if (qr_diags_count(d, QR_ERROR) > errors_before) return false;
    if (req->stop != QR_STOP_PDF) return true;
    if (qr_inputs_changed(seen)) {
        /* a file read twice gave different bytes: the paper may mix two
         * versions of it, and the last good file is better than that */
        qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                    "an input file changed while the paper was being made; "
                    "its %s was not written: make it again", what);
        return false;
    }
    /* nothing is written: the output names an input or a device */
    return qr_output_check(req->out_path, p->inputs, d);
}

/* The HTML copy: no layout (HTML flows), the same checks before writing
 * as the PDF, and the file written the same way. The result is
 * qr_paper_render's exit status, passed on unchanged, so it is a qr_status:
 * a refused input (QR_EINPUT) and a file that cannot be written
 * (QR_EOUTPUT) are different exits. */
static qr_status finish_html(const qr_render_req *req, qr_paper *p,
                             const qr_inputs *seen, size_t errors_before,
                             qr_diags *d)
{
    qr_html_meta meta;
    qr_paper_html_meta(p, &meta);
    if (req->lang && req->lang[0]) meta.lang = req->lang;
    meta.draft = req->draft;
    char *html = NULL;
    size_t len = 0;
    qr_paper_html(p, &meta, &html, &len, d);
    qr_status status = QR_OK;
    if (!ready_to_write(req, p, seen, errors_before, "HTML", d)) {
        status = QR_EINPUT;
    } else if (req->stop == QR_STOP_PDF &&
               !write_out(req, p, html, len, d)) {
        status = QR_EOUTPUT;
    }
    free(html);
    return status;
}

/* The stages after prepare, for one paper: lay out, check, write. The
 * result is qr_paper_render's exit status, passed on unchanged (as
 * qr_pdf_write's is), so it is a qr_status, as finish_html's is. */
static qr_status finish_paper(const qr_render_req *req, qr_paper *p,
                              const qr_inputs *seen, size_t errors_before,
                              qr_diags *d, pthread_t *warm, int warming)
{
    qr_layout_opts lo = {.draft = req->draft, .draft_note = req->draft_note};
    qr_pages *pages;
    /* On a first run the fonts are a guess (qr_fonts_guess) whose check
     * resolves them the full way on another thread, which takes longer
     * than the layout (fontconfig's initialisation alone is ~6 ms): the
     * PDF is made in memory while it finishes, and written only once the
     * guess is confirmed. A wrong guess throws the layout, the PDF and
     * their messages away and starts again with fontconfig's fonts, so a
     * guess changes how soon a paper is ready, never what it is. */
    char *pdf = NULL;
    size_t pdf_len = 0;
    for (;;) {
        qr_diags *made = qr_diags_new();
        pages = lay_out(p, &lo, made);
        double tw = now_ms();
        if (warming) pthread_join(*warm, NULL);
        warming = 0;
        lap("wait", &tw);
        bool guessed = qr_fonts_pending(p->fonts);
        if (guessed && pages && req->stop == QR_STOP_PDF &&
            qr_diags_count(made, QR_ERROR) == 0 &&
            qr_diags_count(d, QR_ERROR) == errors_before) {
            qr_pdf_meta meta;
            pdf_meta_of(req, p, &meta);
            qr_diags *rd = qr_diags_new();
            double t1 = now_ms();
            /* a PDF that cannot be made is made again below, by
             * qr_pdf_write, which tells an input's fault from the
             * system's: only a PDF made is kept, with its messages */
            if (qr_pdf_render(pages, p->fonts, &meta, &pdf, &pdf_len, rd))
                qr_diags_move(made, rd);
            else
                pdf = NULL;
            lap("pdf", &t1);
            qr_diags_free(rd);
        }
        if (fonts_hold(p)) {
            qr_diags_move(d, made);
            qr_diags_free(made);
            break;
        }
        free(pdf);
        pdf = NULL;
        qr_pages_free(pages);
        qr_diags_free(made);
        if (!misguessed(p, d)) return QR_EINPUT;
    }
    if (!pages) {
        free(pdf);
        return QR_EINPUT;
    }
    if (req->dump == QR_DUMP_PAGES && req->dump_to)
        qr_pages_dump(pages, req->dump_to);
    qr_status status = QR_OK;
    if (!ready_to_write(req, p, seen, errors_before, "PDF", d)) {
        status = QR_EINPUT;
    } else if (req->stop == QR_STOP_PDF && pdf) {
        if (!write_out(req, p, pdf, pdf_len, d)) status = QR_EOUTPUT;
    } else if (req->stop == QR_STOP_PDF) {
        qr_pdf_meta meta;
        pdf_meta_of(req, p, &meta);
        double t1 = now_ms();
        status = qr_pdf_write(pages, p->fonts, &meta, req->out_path, d);
        lap("pdf", &t1);
    }
    free(pdf);
    double tf = now_ms();
    qr_pages_free(pages);
    qr_layout_save_learned();
    lap("free", &tf);
    return status;
}

/* A paper left to the process's exit (qr_render_req.exiting): freeing it
 * piece by piece, its font files unmapped one by one, was 0.2 ms of a
 * 9 ms render that the exit does at once. What its fonts owe the cache is
 * done now. Kept reachable, so a leak checker does not take it for a
 * leak. */
static qr_paper *left;

static void leave(qr_paper *p)
{
    if (!p) return;
    qr_fonts_finish(p->fonts);
    qr_paper_free(left);        /* a caller that did not exit after all */
    left = p;
}

qr_status qr_paper_render(const qr_render_req *req, qr_diags *d,
                          char ***files)
{
    double t0 = now_ms();
    size_t errors_before = qr_diags_count(d, QR_ERROR);
    /* the paper's own record of what it read, also added to the caller's
     * (a build's worker keeps one per job) */
    qr_inputs *seen = qr_inputs_new();
    qr_inputs *outer = qr_inputs_activate(seen);
    pthread_t warm;
    int html = req->format == QR_FORMAT_HTML;
    /* HTML is not typeset: nothing to warm up */
    int warming = req->stop != QR_STOP_EXPAND && !html &&
                  pthread_create(&warm, NULL, warm_up, NULL) == 0;
    qr_status status = QR_EINPUT;
    qr_paper *p = qr_paper_prepare(req, d);
    if (!p || req->stop == QR_STOP_EXPAND) {
        if (warming) pthread_join(warm, NULL);
        if (p) status = QR_OK;
    } else if (html) {
        status = finish_html(req, p, seen, errors_before, d);
    } else {
        status = finish_paper(req, p, seen, errors_before, d, &warm, warming);
    }
    if (status == QR_OK && qr_diags_count(d, QR_ERROR) > errors_before)
        status = QR_EINPUT;
    qr_inputs_activate(outer);
    qr_inputs_merge(outer, seen);
    if (files) *files = files_of(req, p, seen);
    if (req->exiting) leave(p);
    else qr_paper_free(p);
    qr_inputs_free(seen);
    lap("total", &t0);
    return status;
}

qr_status qr_render(const qr_render_req *req, qr_diags *d)
{
    return qr_paper_render(req, d, NULL);
}
