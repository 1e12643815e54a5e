/* pack_appendix.c — an agenda item's appendices in the pack: the item's
 * "appendices" in the meeting file (checked, every object closed), the
 * placeholders of PDF appendices, the pages of paper appendices (prepared
 * and laid out by pack.c, as its items' papers are, through a->lay_paper)
 * and, in a public pack, the notices of exempt ones, and at the end
 * the choice between qr_pdf_write and a render that draws the imported
 * pages (qr_appendix_imports_new, appendix.c: the only user of libqpdf;
 * qr_pdf_render_imports).
 *
 * Quire cannot typeset a PDF it did not write, so an appendix's pages are
 * put into the pack in two steps. Layout makes a placeholder for each
 * imported page: a page of the imported page's shown size (after its
 * /Rotate) carrying only the pack's running footer ("Page 23 of 84", an
 * artifact) and, on its first page, the outline entry "Appendix A: Title"
 * under the item. The pack is then written as usual, page numbers, page
 * labels, agenda ranges and bookmarks all counting the placeholders, and
 * the PDF stage draws each imported page under its placeholder's content
 * as it writes (qr_pdf_render_imports), so the footer and any not-for-publication mark lie
 * on top of it.
 *
 * Public packs: an exempt appendix (or any appendix of an exempt item) is
 * never opened, as an exempt paper is never opened; an exempt appendix of
 * an open item becomes a one-page notice made from the meeting file alone,
 * and no appendix the pack shows may be a withheld one's file.
 *
 * Failure: bool, false after errors are added (pack_appendix.h).
 */
#include "pack_appendix.h"

#include "quire/derive.h"
#include "quire/render.h"
#include "quire/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_PARAGRAPH 7                 /* Schedule 12A, Part 1 */
static const char NOTICE_NAME[] = "(exempt appendix notice)";
static const char PLACEHOLDER_NAME[] = "(appendix page)";

/* ---- the meeting file ---- */

static void err(const qr_data *m, qr_diags *d, const char *ptr,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void err(const qr_data *m, qr_diags *d, const char *ptr,
                const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    qr_data_diag(m, d, QR_ERROR, ptr, "%s", msg);
}

/* A closed object, as everywhere in the meeting file: a misspelt "exempt"
 * must fail, not publish. */
static void unknown_keys(const qr_data *m, qr_diags *d, const cJSON *obj,
                         const char *ptr, const char *const *known)
{
    const cJSON *k;
    cJSON_ArrayForEach(k, obj) {
        int ok = 0;
        for (const char *const *n = known; *n && !ok; n++)
            ok = strcmp(*n, k->string) == 0;
        if (ok) continue;
        const char *hint = qr_did_you_mean(k->string, known, SIZE_MAX);
        char *p = qr_xasprintf("%s/%s", ptr, k->string);
        qr_buf list;
        qr_buf_init(&list);
        for (const char *const *n = known; *n; n++)
            qr_buf_printf(&list, "%s%s", n == known ? "" : ", ", *n);
        if (hint) err(m, d, p, "unknown field '%s': did you mean '%s'? "
                               "(known: %s)", k->string, hint, list.data);
        else err(m, d, p, "unknown field '%s' (known: %s)", k->string,
                 list.data);
        qr_buf_free(&list);
        free(p);
    }
}

static const char *text(const qr_data *m, qr_diags *d, const cJSON *obj,
                        const char *ptr, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsString(v) && v->valuestring[0]) return v->valuestring;
    if (!v) err(m, d, ptr, "missing required field '%s'", key);
    else {
        char *p = qr_xasprintf("%s/%s", ptr, key);
        err(m, d, p, "'%s' must be a non-empty string", key);
        free(p);
    }
    return NULL;
}

/* "A" to "ZZ": appendices are lettered, and the letter is in bookmarks
 * and anchors. */
static bool good_letter(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 2) return false;
    for (size_t i = 0; i < n; i++)
        if (!isupper((unsigned char)s[i])) return false;
    return true;
}

static void check_exempt(qr_pack_appx *x, const cJSON *ex, const char *ptr,
                         const qr_data *m, qr_diags *d)
{
    static const char *const known[] = {"paragraph", "reason", NULL};
    if (!ex || cJSON_IsNull(ex)) return;
    char *p = qr_xasprintf("%s/exempt", ptr);
    if (!cJSON_IsObject(ex)) {
        err(m, d, p, "'exempt' must be null or an object {\"paragraph\", "
                     "\"reason\"}, found %s", qr_json_type_name(ex));
        free(p);
        return;
    }
    unknown_keys(m, d, ex, p, known);
    const cJSON *para = cJSON_GetObjectItemCaseSensitive(ex, "paragraph");
    if (!cJSON_IsNumber(para) || para->valuedouble != (double)para->valueint ||
        para->valueint < 1 || para->valueint > MAX_PARAGRAPH) {
        err(m, d, p, "'paragraph' must be a whole number 1 to 7 (Part 1 of "
                     "Schedule 12A)");
    } else {
        x->exempt = para->valueint;
    }
    x->reason = text(m, d, ex, p, "reason");
    /* an exemption that cannot be read still withholds nothing less:
     * the errors fail the pack before anything is written */
    free(p);
}

/* An appendix published after the agenda on its own, its paper in the
 * pack: "published", optional "supplement" (default 1) and
 * "late_reason", as for an item. pack.c checks it against the agenda's
 * date and its item. */
static void check_late(qr_pack_appx *x, const cJSON *o, const char *ptr,
                       const qr_data *m, qr_diags *d)
{
    const cJSON *date = cJSON_GetObjectItemCaseSensitive(o, "published");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "supplement");
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(o, "late_reason");
    char p[160], long_date[64];
    snprintf(x->late_ptr, sizeof x->late_ptr, "%s/published", ptr);
    if (why && !(cJSON_IsString(why) && why->valuestring[0])) {
        snprintf(p, sizeof p, "%s/late_reason", ptr);
        err(m, d, p, "'late_reason' must be a non-empty string");
    }
    if (date && !(cJSON_IsString(date) && date->valuestring[0])) {
        err(m, d, x->late_ptr, "'published' must be a date (YYYY-MM-DD)");
        return;
    }
    snprintf(p, sizeof p, "%s/supplement", ptr);
    if (n && !date)
        err(m, d, p, "'supplement' needs the date the appendix is published "
                     "('published')");
    if (n && (!cJSON_IsNumber(n) || n->valuedouble != (double)n->valueint ||
              n->valueint < 1 || n->valueint > 99)) {
        err(m, d, p, "'supplement' must be a whole number from 1 to 99");
        return;
    }
    if (!date) {
        if (why)
            err(m, d, ptr, "'late_reason' needs the date the appendix is "
                           "published late ('published')");
        return;
    }
    if (!qr_format_date_long(date->valuestring, long_date, sizeof long_date)) {
        err(m, d, x->late_ptr, "'%s' is not a valid date (expected "
                               "YYYY-MM-DD, e.g. 2018-06-19)",
            date->valuestring);
        return;
    }
    x->late_date = date->valuestring;
    x->late_reason = cJSON_IsString(why) ? why->valuestring : NULL;
    x->late = n ? n->valueint : 1;
}

static char *resolve(const char *dir, const char *rel)
{
    return rel[0] == '/' || !dir[0] ? qr_xstrdup(rel)
                                    : qr_xasprintf("%s/%s", dir, rel);
}

/* A Quire paper appendix: {"template", "data"?, "style"?}, as an item's
 * "paper" (closed too: a misspelt "data" would render the template alone). */
static void check_paper(qr_pack_appx *x, const cJSON *paper, const qr_data *m,
                        const char *dir, qr_diags *d)
{
    static const char *const known[] = {"data", "template", "style", NULL};
    if (!cJSON_IsObject(paper)) {
        err(m, d, x->ptr, "'paper' must be an object {\"template\", "
                          "\"data\", \"style\"}, found %s",
            qr_json_type_name(paper));
        return;
    }
    unknown_keys(m, d, paper, x->ptr, known);
    const char *tpl = text(m, d, paper, x->ptr, "template");
    const char *keys[] = {"data", "style"};
    char **paths[] = {&x->data_path, &x->style_path};
    for (size_t k = 0; k < 2; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(paper, keys[k]);
        if (v) {
            const char *t = text(m, d, paper, x->ptr, keys[k]);
            if (t) *paths[k] = resolve(dir, t);
        }
    }
    if (tpl) x->tpl_path = resolve(dir, tpl);
}

static void check_one(qr_pack_appxs *a, size_t i, const cJSON *o,
                      const char *ptr, const qr_data *m, const char *dir,
                      qr_diags *d)
{
    static const char *const known[] = {"letter", "title", "pdf", "paper",
                                        "exempt", "published", "supplement",
                                        "late_reason", NULL};
    qr_pack_appx *x = &a->v[i];
    snprintf(x->ptr, sizeof x->ptr, "%s/pdf", ptr);
    if (!cJSON_IsObject(o)) {
        err(m, d, ptr, "an appendix must be an object {\"letter\", "
                       "\"title\", \"pdf\" or \"paper\"}, found %s",
            qr_json_type_name(o));
        return;
    }
    unknown_keys(m, d, o, ptr, known);
    const char *letter = text(m, d, o, ptr, "letter");
    if (letter && !good_letter(letter)) {
        char *p = qr_xasprintf("%s/letter", ptr);
        err(m, d, p, "appendix letter '%s' must be one or two capital "
                     "letters (\"A\", \"B\" …)", letter);
        free(p);
    } else if (letter) {
        memcpy(x->letter, letter, strlen(letter) + 1);
        for (size_t k = 0; k < i; k++) {
            if (strcmp(a->v[k].letter, x->letter) != 0) continue;
            char *p = qr_xasprintf("%s/letter", ptr);
            err(m, d, p, "appendix %s is named twice in this item", letter);
            free(p);
        }
    }
    x->title = text(m, d, o, ptr, "title");
    /* exactly one source: a file as it is, or a paper Quire renders */
    const cJSON *paper = cJSON_GetObjectItemCaseSensitive(o, "paper");
    const cJSON *has_pdf = cJSON_GetObjectItemCaseSensitive(o, "pdf");
    if (paper && has_pdf) {
        snprintf(x->ptr, sizeof x->ptr, "%s/paper", ptr);
        err(m, d, x->ptr, "an appendix is either a PDF file ('pdf') or a "
                          "Quire paper ('paper'), not both");
    } else if (paper) {
        snprintf(x->ptr, sizeof x->ptr, "%s/paper", ptr);
        check_paper(x, paper, m, dir, d);
    } else if (!has_pdf) {
        err(m, d, ptr, "an appendix needs a 'pdf' (a PDF file) or a 'paper' "
                       "{\"template\", \"data\"} (a Quire paper)");
    } else {
        const char *pdf = text(m, d, o, ptr, "pdf");
        if (pdf) x->pdf_path = resolve(dir, pdf);
    }
    check_exempt(x, cJSON_GetObjectItemCaseSensitive(o, "exempt"), ptr, m, d);
    if (x->exempt) a->any_exempt = 1;
    check_late(x, o, ptr, m, d);
}

void qr_pack_appx_check(qr_pack_appxs *a, const cJSON *arr,
                        const char *item_ptr, int has_paper,
                        const qr_data *mdata, const char *dir, qr_diags *d)
{
    memset(a, 0, sizeof *a);
    if (!arr) return;
    char *ptr = qr_xasprintf("%s/appendices", item_ptr);
    if (!cJSON_IsArray(arr)) {
        err(mdata, d, ptr, "'appendices' must be an array of {\"letter\", "
                           "\"title\", \"pdf\" or \"paper\"}, found %s",
            qr_json_type_name(arr));
    } else if (!has_paper) {
        err(mdata, d, ptr, "only an item with a 'paper' can have "
                           "appendices");
    } else {
        a->n = (size_t)cJSON_GetArraySize(arr);
        a->v = qr_xcalloc(a->n ? a->n : 1, sizeof *a->v);
        size_t i = 0;
        const cJSON *o;
        cJSON_ArrayForEach(o, arr) {
            char *p = qr_xasprintf("%s/%zu", ptr, i);
            check_one(a, i++, o, p, mdata, dir, d);
            free(p);
        }
    }
    free(ptr);
}

/* ---- opening ---- */

/* Literal Markdown text: every ASCII punctuation character escaped and
 * line ends made spaces, so a title can start no list or heading. */
void qr_pack_appx_md_text(qr_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
        else if (c < 0x80 && ispunct(c)) qr_buf_putc(b, '\\');
        qr_buf_putc(b, (char)c);
    }
}

void qr_pack_appx_notice_md(qr_buf *b, int paragraph, const char *reason,
                            const char *sep)
{
    qr_buf_printf(b, "This appendix is not for publication because it "
                     "contains exempt information as defined in paragraph "
                     "%d of Part 1 of Schedule 12A to the Local Government "
                     "Act 1972 \\(as amended\\)\\.%s**Reason:** ",
                  paragraph, sep);
    qr_pack_appx_md_text(b, reason);
}

/* The public pack's notice for an exempt appendix: all of it from the
 * meeting file. */
static qr_doc *notice(const qr_pack_appx *x, const char *item_number,
                      int paragraph, const char *reason,
                      const char *meeting_line, qr_diags *d)
{
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_puts(&b, "**");
    qr_pack_appx_md_text(&b, meeting_line);
    qr_buf_puts(&b, "**  \nAgenda item ");
    qr_pack_appx_md_text(&b, item_number);
    qr_buf_printf(&b, ", appendix %s\n\n# Appendix %s: ", x->letter,
                  x->letter);
    qr_pack_appx_md_text(&b, x->title);
    qr_buf_puts(&b, "\n\n## Not for publication\n\n");
    qr_pack_appx_notice_md(&b, paragraph, reason, "\n\n");
    qr_buf_puts(&b, "\n");
    size_t len;
    char *md = qr_buf_detach(&b, &len);
    qr_doc *doc = qr_parse_markdown(md, len, NOTICE_NAME, d);
    free(md);
    return doc;
}

bool qr_pack_appx_late_in(const qr_pack_appxs *a, int n)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].late == n) return true;
    return false;
}

bool qr_pack_appx_prepare(qr_pack_appxs *a, const char *item_number,
                         const char *item_title, int item_exempt,
                         int item_withheld, int public_pack,
                         const char *meeting_line, qr_diags *d)
{
    int bad = 0;
    a->item_number = item_number;
    a->item_title = item_title;
    for (size_t i = 0; i < a->n && !item_withheld; i++) {
        qr_pack_appx *x = &a->v[i];
        /* another document's (late, or published with the item): never
         * opened */
        if (x->late != a->shows) continue;
        if (public_pack && (x->exempt || item_exempt)) {
            /* never opened: its bytes cannot reach the public pack. An
             * appendix of an exempt item is shown without its item only in
             * a supplement: its notice quotes the item's exemption */
            x->withheld = 1;
            x->notice = x->exempt
                ? notice(x, item_number, x->exempt, x->reason, meeting_line, d)
                : notice(x, item_number, item_exempt, a->item_reason,
                         meeting_line, d);
            bad |= !x->notice;
            continue;
        }
        /* a paper is prepared by pack.c, with its items' papers */
        if (!x->pdf_path) continue;
        char *who = qr_xasprintf("item %s \xE2\x80\x98%s\xE2\x80\x99, "
                                 "appendix %s", item_number, item_title,
                                 x->letter);
        x->doc = qr_appendix_open(x->pdf_path, who, d);
        free(who);
        bad |= !x->doc;
    }
    return !bad;
}

bool qr_pack_appx_wants_paper(const qr_pack_appxs *a, size_t i)
{
    const qr_pack_appx *x = &a->v[i];
    return x->tpl_path && !x->withheld && x->late == a->shows;
}

/* ---- layout ---- */

/* Opened and shown as itself: a PDF read, or a paper prepared. */
static bool opened(const qr_pack_appx *x)
{
    return x->doc || x->paper;
}

static void free_pages(qr_pack_appx *x)
{
    for (size_t k = 0; k < x->npages; k++) qr_pages_free(x->pages[k]);
    free(x->pages);
    x->pages = NULL;
    x->npages = 0;
}

/* One placeholder: an empty document laid out on a page of the imported
 * page's shown size, which leaves the running footer alone on it. The
 * header and logo are left off: they would cover the letterhead. */
static qr_pages *placeholder(const qr_pack_appx *x, size_t k,
                             const qr_style *style, const qr_metrics *mt,
                             const qr_layout_opts *o, qr_diags *d)
{
    qr_style s = *style;
    double w, h;
    qr_appendix_page_size(x->doc, k, &w, &h);
    s.page_width = (float)w;
    s.page_height = (float)h;
    s.header_left[0] = s.header_right[0] = s.logo[0] = 0;
    qr_doc *empty = qr_parse_markdown("", 0, PLACEHOLDER_NAME, d);
    qr_pages *p = empty ? qr_layout_run(empty, &s, mt, o, PLACEHOLDER_NAME, d)
                        : NULL;
    qr_doc_free(empty);
    return p;
}

/* Pages of the latest layout: a notice or a paper is one list that may
 * run over a page; placeholders are a list each. */
static int laid_count(const qr_pack_appx *x)
{
    return x->withheld || x->paper ? (int)qr_pages_count(x->pages[0])
                                   : x->counted;
}

/* Lays out one appendix from pack page `first`; its page count in
 * *count. False after an error. */
static bool lay_one(qr_pack_appxs *a, qr_pack_appx *x, const qr_style *style,
                    const qr_metrics *mt, const char *meeting_line,
                    const char *item_number, const char *item_mark,
                    const char *prefix, int draft, int first, int total,
                    int *count, qr_diags *d)
{
    if (x->pages && x->laid_first == first && x->laid_total == total) {
        *count = laid_count(x);
        return true;
    }
    free_pages(x);
    char title[512];
    snprintf(title, sizeof title, "Appendix %s: %s", x->letter, x->title);
    qr_layout_opts o = {.title = title, .meeting = meeting_line,
                        .item = item_number, .total_pages = total,
                        .draft = draft, .page_prefix = prefix};
    /* an exempt appendix of an open item is marked as an exempt paper */
    o.mark = x->withheld ? NULL : x->exempt ? QR_MARK_EXEMPT : item_mark;
    if (x->withheld || x->paper) {
        o.first_page = first;
        x->pages = qr_xcalloc(1, sizeof *x->pages);
        x->pages[0] = x->withheld
            ? qr_layout_run(x->notice, style, mt, &o, NOTICE_NAME, d)
            : a->lay_paper(a->lay_ctx, a, x, &o, d);
        if (!x->pages[0]) return false;
        x->npages = 1;
        x->laid_first = first, x->laid_total = total;
        *count = laid_count(x);
        return true;
    }
    size_t n = qr_appendix_npages(x->doc);
    x->laid_first = first, x->laid_total = total;
    x->counted = (int)n;
    *count = (int)n;
    /* The pack's first pass guesses no total (0). A placeholder is one
     * page whatever its footer says, so its layout waits for a pass that
     * knows the numbers (the last always does): laying out 100
     * placeholders twice was a tenth of what a 100-page appendix cost. */
    if (total <= 0) return true;
    x->pages = qr_xcalloc(n, sizeof *x->pages);
    for (size_t k = 0; k < n; k++) {
        o.first_page = first + (int)k;
        x->pages[k] = placeholder(x, k, style, mt, &o, d);
        x->npages = k + 1;
        if (!x->pages[k] || qr_pages_count(x->pages[k]) != 1) return false;
    }
    return true;
}

bool qr_pack_appx_layout(qr_pack_appxs *a, const qr_style *style,
                         const qr_metrics *metrics, const char *meeting_line,
                         const char *item_number, const char *item_mark,
                         int first, int total, int *count, qr_diags *d)
{
    *count = 0;
    for (size_t i = 0; i < a->n; i++) {
        qr_pack_appx *x = &a->v[i];
        if (!x->withheld && !opened(x)) continue;
        int n;
        if (!lay_one(a, x, style, metrics, meeting_line, item_number, item_mark,
                     a->page_prefix, a->draft, first + *count, total, &n,
                     d)) {
            qr_diag_add(d, QR_ERROR, x->pdf_path ? x->pdf_path : x->tpl_path,
                        0, 0, NULL, NULL,
                        "item %s, appendix %s: its pages cannot be laid out",
                        item_number, x->letter);
            return false;
        }
        *count += n;
    }
    return true;
}

/* Has the latest pass counted its pages (laid out, or a placeholder's
 * layout deferred)? */
static bool laid(const qr_pack_appx *x)
{
    return x->withheld || x->paper ? x->pages != NULL : x->counted > 0;
}

bool qr_pack_appx_range(const qr_pack_appxs *a, size_t i, int *first,
                        int *last)
{
    const qr_pack_appx *x = &a->v[i];
    if (!laid(x) || (!x->withheld && !opened(x))) return false;
    *first = x->laid_first;
    *last = x->laid_first + laid_count(x) - 1;
    return true;
}

/* ---- joining ---- */

/* A notice's own headings: renamed into the appendix's namespace (anchor
 * names are unique in the pack) and kept out of the outline, which has the
 * appendix's entry already. */
typedef struct notice_ctx {
    const char *prefix;
    char name[160];      /* need only live until the edit returns */
} notice_ctx;

static bool edit_notice(void *ctx, qr_pages *dst, size_t dst_page,
                       size_t src_page, qr_item *it)
{
    (void)dst, (void)dst_page, (void)src_page;
    notice_ctx *c = ctx;
    if (it->kind != QR_ITEM_ANCHOR) return true;
    snprintf(c->name, sizeof c->name, "%s-%s", c->prefix,
             it->name ? it->name : "");
    it->name = c->name;
    it->level = 0;
    return true;
}

/* The mark on a placeholder where the imported page is drawn (see
 * qr_pdf_import): an empty rectangle over the page, first of its items
 * (after the DRAFT stamp of a draft pack, which lies under everything, as
 * on the pack's other pages) so the imported page lies under the footer
 * and marks, tagged as a Figure of the item's section whose alternative
 * text names the page. */
typedef struct placeholder_ctx {
    int sect;
    const char *alt;
    size_t marked;               /* 1 + the last page marked */
} placeholder_ctx;

static void mark_placeholder(placeholder_ctx *c, qr_pages *dst,
                             size_t dst_page)
{
    c->marked = dst_page + 1;
    const qr_page *pg = qr_pages_get(dst, dst_page);
    qr_item fig;
    memset(&fig, 0, sizeof fig);
    fig.kind = QR_ITEM_RECT;
    fig.role = QR_ROLE_FIGURE;
    fig.elem = qr_pages_add_elem(dst, QR_ROLE_FIGURE, c->sect, c->alt, NULL);
    fig.w = pg->width;
    fig.h = pg->height;
    qr_pages_add_item(dst, dst_page, &fig);
}

static bool edit_placeholder(void *ctx, qr_pages *dst, size_t dst_page,
                            size_t src_page, qr_item *it)
{
    (void)src_page;
    placeholder_ctx *c = ctx;
    if (c->marked == dst_page + 1) return true;
    /* the DRAFT stamp, the one turned text, stays under the page */
    if (it->kind == QR_ITEM_TEXT && it->angle != 0) return true;
    mark_placeholder(c, dst, dst_page);
    return true;
}

/* The outline entries that lead an appendix on its first page: the item's
 * (`item_bookmark`, when the appendix is shown without its paper), then
 * "Appendix A: Title". */
static void add_anchors(qr_pages *all, size_t page, int sect,
                        const char *item_anchor, const char *item_bookmark,
                        const char *name, const char *title)
{
    qr_item an;
    memset(&an, 0, sizeof an);
    an.kind = QR_ITEM_ANCHOR;
    an.role = QR_ROLE_SECT;
    an.elem = sect;
    if (item_bookmark) {
        an.name = item_anchor;
        an.text = item_bookmark;
        an.len = strlen(item_bookmark);
        an.level = 1;
        qr_pages_add_item(all, page, &an);
    }
    an.name = name;
    an.text = title;
    an.len = strlen(title);
    an.level = 2;
    qr_pages_add_item(all, page, &an);
}

/* A paper appendix's own items, as the pack edits an item's paper: its
 * headings nest under the appendix's entry (which is put first, before
 * its first heading, so the outline reads in order) and its anchors and
 * internal links are renamed into the appendix's namespace, since anchor
 * names are unique in the pack. */
typedef struct paper_ctx {
    int sect, started;
    const char *item_anchor, *item_bookmark, *prefix, *title;
    char buf[256];       /* need only live until the edit returns */
} paper_ctx;

static bool edit_paper(void *ctx, qr_pages *dst, size_t dst_page,
                       size_t src_page, qr_item *it)
{
    (void)src_page;
    paper_ctx *c = ctx;
    if (!c->started) {
        add_anchors(dst, dst_page, c->sect, c->item_anchor, c->item_bookmark,
                    c->prefix, c->title);
        c->started = 1;
    }
    if (it->kind == QR_ITEM_ANCHOR) {
        snprintf(c->buf, sizeof c->buf, "%s-%s", c->prefix,
                 it->name ? it->name : "");
        it->name = c->buf;
        if (it->level > 0) it->level += 2;
    } else if (it->kind == QR_ITEM_LINK && it->uri && it->uri[0] == '#') {
        snprintf(c->buf, sizeof c->buf, "#%s-%s", c->prefix, it->uri + 1);
        it->uri = c->buf;
    }
    return true;
}

/* Appends appendix x's pages to `all` under `sect`, its outline entry
 * after `item_bookmark` (NULL: none). */
static void join_one(qr_pack_appx *x, qr_pages *all, int sect,
                     const char *item_anchor, const char *item_bookmark)
{
    size_t first = qr_pages_count(all);
    char name[96], title[512];
    snprintf(name, sizeof name, "%s-appendix-%s", item_anchor, x->letter);
    snprintf(title, sizeof title, "Appendix %s: %s", x->letter, x->title);
    x->pack_page = first;
    if (x->paper) {
        /* its structure elements go under the item's Sect: it is
         * Quire's own, tagged as any paper is */
        paper_ctx pc = {.sect = sect, .item_anchor = item_anchor,
                        .item_bookmark = item_bookmark, .prefix = name,
                        .title = title};
        qr_pages_append(all, x->pages[0], sect, edit_paper, &pc);
        if (!pc.started && qr_pages_count(all) > first)
            add_anchors(all, first, sect, item_anchor, item_bookmark,
                        name, title);
        return;
    }
    notice_ctx nc = {.prefix = name};
    for (size_t k = 0; k < x->npages; k++) {
        if (x->withheld) {
            qr_pages_append(all, x->pages[k], sect, edit_notice, &nc);
            continue;
        }
        char alt[640];
        snprintf(alt, sizeof alt, "Appendix %s: %s, page %zu of %zu "
                 "(a page of a PDF document)", x->letter, x->title, k + 1,
                 x->npages);
        placeholder_ctx pc = {.sect = sect, .alt = alt};
        size_t at = qr_pages_append(all, x->pages[k], sect, edit_placeholder,
                                    &pc);
        /* a placeholder with nothing on it (no footer, no mark, no
         * stamp: the HTML pack's copy) is marked all the same */
        if (pc.marked != at + 1) mark_placeholder(&pc, all, at);
    }
    /* the item's entry (if any) before its first appendix's */
    add_anchors(all, first, sect, item_anchor, item_bookmark, name, title);
}

void qr_pack_appx_join(qr_pack_appxs *a, qr_pages *all, int sect,
                       const char *item_anchor, const char *item_bookmark)
{
    for (size_t i = 0; i < a->n; i++) {
        if (!a->v[i].pages) continue;
        join_one(&a->v[i], all, sect, item_anchor, item_bookmark);
        item_bookmark = NULL;
    }
}

/* ---- public packs ---- */

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Is `path` the file of a withheld appendix? Returns it, or NULL. */
static const qr_pack_appx *withheld_as(const qr_pack_appxs *const *items,
                                       size_t n, const char *path,
                                       const qr_pack_appxs **owner)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < items[i]->n; j++) {
            const qr_pack_appx *w = &items[i]->v[j];
            if (w->doc || !same_file(path, w->pdf_path)) continue;
            *owner = items[i];
            return w;
        }
    return NULL;
}

bool qr_pack_appx_public_check(const qr_pack_appxs *const *items, size_t n,
                              const char *out_path, const qr_data *mdata,
                              qr_diags *d)
{
    int bad = 0;
    const qr_pack_appxs *o;
    const qr_pack_appx *w;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < items[i]->n; j++) {
            const qr_pack_appx *x = &items[i]->v[j];
            if (!x->doc || !(w = withheld_as(items, n, x->pdf_path, &o)))
                continue;
            qr_data_diag(mdata, d, QR_ERROR, x->ptr,
                         "item %s, appendix %s (%s) is the file of withheld "
                         "appendix %s of item %s (%s): a public pack must not "
                         "publish it; give the open appendix its own file",
                         items[i]->item_number, x->letter, x->pdf_path,
                         w->letter, o->item_number, w->pdf_path);
            bad = 1;
        }
    if (out_path && (w = withheld_as(items, n, out_path, &o))) {
        qr_diag_add(d, QR_ERROR, out_path, 0, 0, NULL, NULL,
                    "output '%s' is %s, appendix %s of item %s: refusing to "
                    "overwrite an input; name another output",
                    out_path, w->pdf_path, w->letter, o->item_number);
        bad = 1;
    }
    return !bad;
}

/* ---- writing ---- */

size_t qr_pack_appx_nfiles(const qr_pack_appxs *a) { return a->n; }

const char *qr_pack_appx_file(const qr_pack_appxs *a, size_t i)
{
    return a->v[i].doc ? a->v[i].pdf_path : NULL;
}

void qr_pack_appx_free(qr_pack_appxs *a)
{
    for (size_t i = 0; i < a->n; i++) {
        qr_pack_appx *x = &a->v[i];
        free_pages(x);
        free(x->pdf_path);
        free(x->data_path);
        free(x->tpl_path);
        free(x->style_path);
        qr_paper_free(x->paper);
        qr_diags_free(x->warnings);
        qr_appendix_free(x->doc);
        qr_doc_free(x->notice);
    }
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* Every imported page of the items and the placeholder it goes on. */
static size_t places(const qr_pack_appxs *const *items, size_t n,
                     qr_appendix_place **out)
{
    size_t np = 0, cap = 0;
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < items[i]->n; j++) {
            const qr_pack_appx *x = &items[i]->v[j];
            if (!x->doc || !x->pages) continue;
            for (size_t k = 0; k < x->npages; k++) {
                QR_GROW(*out, np + 1, cap, 16);
                (*out)[np++] = (qr_appendix_place){x->pack_page + k, x->doc,
                                                   k};
            }
        }
    }
    return np;
}

/* The pack with its imported pages drawn, into *pdf (caller frees; NULL
 * after an error). `path` names the output in messages. */
static void render_imports(const qr_appendix_place *pl, size_t npl,
                           const qr_pages *pages, const qr_fonts *fonts,
                           const qr_pdf_meta *meta, const char *path,
                           char **pdf, size_t *len, qr_diags *d)
{
    *pdf = NULL;
    *len = 0;
    qr_appendix_imports *im = qr_appendix_imports_new(pl, npl, path, d);
    /* the bytes are the proof: set only when rendering succeeded */
    if (im) (void)qr_pdf_render_imports(pages, fonts, meta,
                                        qr_appendix_imports_pdf(im), pdf,
                                        len, d);
    qr_appendix_imports_free(im);
}

bool qr_pack_appx_write(const qr_pack_appxs *const *items, size_t n,
                        const qr_pages *pages, const qr_fonts *fonts,
                        const qr_pdf_meta *meta, const char *path,
                        bool *refused, qr_diags *d)
{
    qr_appendix_place *pl;
    size_t npl = places(items, n, &pl);
    *refused = false;
    if (npl == 0) {
        free(pl);
        qr_status st = qr_pdf_write(pages, fonts, meta, path, d);
        *refused = st == QR_EINPUT;
        return st == QR_OK;
    }
    char *pdf;
    size_t len;
    bool ok = false;
    render_imports(pl, npl, pages, fonts, meta, path, &pdf, &len, d);
    if (!pdf) goto done;
    if (!qr_write_atomic_mode(path, pdf, len, meta->exempt)) {
        qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                    "cannot write '%s': %s", path, strerror(errno));
        goto done;
    }
    ok = true;
done:
    free(pdf);
    free(pl);
    return ok;
}

/* The copy of a PDF appendix on its own is a pack of its pages alone:
 * the same placeholders, laid out from page 1 with the style's footer
 * taken off as well (the copy is the letter as its author made it, so
 * its text is the file's), the same marks, and the same render, which
 * takes only the pages' content and resources and keeps a tagged file's
 * structure tree. Nothing is copied from the file as bytes. */
bool qr_pack_appx_pdf_copy(qr_pack_appxs *a, size_t i, const qr_style *style,
                           const qr_fonts *fonts, const char *meeting_line,
                           const char *item_anchor, const char *item_mark,
                           const qr_pdf_meta *meta, const char *name,
                           char **out, size_t *len, qr_diags *d)
{
    qr_pack_appx *x = &a->v[i];
    *out = NULL;
    *len = 0;
    if (!x->doc) return false;
    qr_style s = *style;
    s.footer_left[0] = s.footer_center[0] = s.footer_right[0] = 0;
    int total = (int)qr_appendix_npages(x->doc), count;
    free_pages(x);
    if (!lay_one(a, x, &s, qr_fonts_metrics(fonts), meeting_line,
                 a->item_number, item_mark, NULL, a->draft, 1, total, &count,
                 d)) {
        free_pages(x);
        return false;
    }
    qr_pages *all = qr_pages_new();
    int root = qr_pages_add_elem(all, QR_ROLE_DOCUMENT, -1, NULL, NULL);
    join_one(x, all, qr_pages_add_elem(all, QR_ROLE_SECT, root, NULL, NULL),
             item_anchor, NULL);
    const qr_pack_appxs *one[1] = {a};
    qr_appendix_place *pl;
    size_t npl = places(one, 1, &pl);
    /* only this appendix has pages: the others of the item are not laid
     * out in an HTML pack */
    render_imports(pl, npl, all, fonts, meta, name, out, len, d);
    free(pl);
    qr_pages_free(all);
    free_pages(x);
    return *out != NULL;
}
