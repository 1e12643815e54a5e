/* render.c — orchestrates the stages for one paper.
 *
 * In: paths of data, template, style and output. Out: a PDF written
 * atomically, or diagnostics. Diagnostics of parse and layout refer to lines
 * of the expanded Markdown; they are re-located at the template line that
 * produced them through the expansion's source map, so the person fixing
 * the paper is sent to the file they edit.
 */
#include "quire/render.h"

#include "quire/derive.h"
#include "quire/expand.h"
#include "quire/fonts.h"
#include "quire/layout.h"
#include "quire/load.h"
#include "quire/parse.h"
#include "quire/pdf.h"
#include "quire/style.h"
#include "quire/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The name later stages use for the expanded Markdown in diagnostics. */
static const char EXPANDED_NAME[] = "(expanded markdown)";

long long qr_source_epoch(long long fallback)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (s && *s) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (*end == '\0' && v >= 0) return v;
    }
    return fallback;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static long long iso_epoch(const char *iso)
{
    int y, m, d;
    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3) return -1;
    if (m < 1 || m > 12 || d < 1 || d > 31) return -1;
    return days_from_civil(y, m, d) * 86400;
}

static const char *jstr(const cJSON *root, const char *a, const char *b,
                        const char *c)
{
    const cJSON *n = root;
    const char *keys[] = {a, b, c};
    for (int i = 0; i < 3 && keys[i] && n; i++)
        n = cJSON_GetObjectItemCaseSensitive(n, keys[i]);
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

/* Move diagnostics about the expanded Markdown to the template line that
 * produced them. */
static void relocate(qr_diags *from, qr_diags *to, const qr_expansion *e)
{
    for (size_t i = 0; i < qr_diags_len(from); i++) {
        const qr_diag *g = qr_diags_get(from, i);
        const char *file = NULL;
        int line = 0, col = 0;
        if (g->file && strcmp(g->file, EXPANDED_NAME) == 0 && g->line > 0 &&
            qr_expansion_origin_line(e, g->line, &file, &line, &col)) {
            char *src = NULL;
            size_t len;
            char *text = qr_read_file(file, &len, 0);
            if (text) src = qr_text_line(text, len, line);
            free(text);
            qr_diag_add(to, g->severity, file, line, col, g->path, src, "%s",
                        g->message);
            free(src);
        } else {
            qr_diag_add(to, g->severity, g->file, g->line, g->col, g->path,
                        g->source, "%s", g->message);
        }
    }
}

int qr_render(const qr_render_req *req, qr_diags *d)
{
    int status = QR_EINPUT;
    qr_data *data = NULL;
    qr_expansion *exp = NULL;
    qr_doc *doc = NULL;
    qr_fonts *fonts = NULL;
    qr_pages *pages = NULL;
    qr_diags *later = qr_diags_new();
    qr_style style;
    qr_style_default(&style);

    if (req->data_path) {
        data = qr_data_load(req->data_path, d);
        if (!data) goto done;
        if (qr_data_validate(data, d) > 0) goto done;
        if (qr_derive_run(data, d) > 0) goto done;
    } else {
        data = qr_data_empty();
    }
    if (req->style_path && qr_style_load(req->style_path, &style, d) != 0)
        goto done;

    qr_expand_opts eo = {.spec = 0, .strict = req->strict, .partials = NULL};
    exp = qr_expand_file(req->template_path, qr_data_root(data), &eo, d);
    if (!exp) goto done;
    size_t mdlen;
    const char *md = qr_expansion_text(exp, &mdlen);
    if (req->dump == QR_DUMP_MD) fwrite(md, 1, mdlen, req->dump_to);
    if (req->stop == QR_STOP_EXPAND) {
        status = QR_OK;
        goto done;
    }

    doc = qr_parse_markdown(md, mdlen, EXPANDED_NAME, later);
    if (!doc) goto done;
    if (req->dump == QR_DUMP_DOC) qr_doc_dump(doc, req->dump_to);

    fonts = qr_fonts_load(&style, d);
    if (!fonts) goto done;

    const cJSON *root = qr_data_root(data);
    const char *title = jstr(root, "paper", "title", NULL);
    const char *body = jstr(root, "paper", "meeting", "body");
    const char *date_iso = jstr(root, "paper", "meeting", "date");
    const char *date = jstr(root, "paper", "meeting", "date_long");
    char *meeting = NULL;
    if (body && date) meeting = qr_xasprintf("%s \xE2\x80\x93 %s", body, date);
    else if (body) meeting = qr_xstrdup(body);
    char *item = NULL;
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(root, "paper"), "meeting"),
        "item");
    if (cJSON_IsNumber(it)) item = qr_xasprintf("%d", it->valueint);
    else if (cJSON_IsString(it)) item = qr_xstrdup(it->valuestring);

    qr_layout_opts lo = {.title = title ? title : "",
                         .meeting = meeting ? meeting : "",
                         .item = item ? item : "",
                         .first_page = 1,
                         .total_pages = 0};
    pages = qr_layout_run(doc, &style, qr_fonts_metrics(fonts), &lo,
                          EXPANDED_NAME, later);
    relocate(later, d, exp);
    qr_diags_free(later);
    later = NULL;
    if (!pages) goto done_meta;
    if (req->dump == QR_DUMP_PAGES) qr_pages_dump(pages, req->dump_to);
    if (req->stop == QR_STOP_LAYOUT) {
        status = QR_OK;
        goto done_meta;
    }

    char *subject = NULL;
    if (meeting) subject = qr_xstrdup(meeting);
    qr_pdf_meta meta = {
        .title = title,
        .author = jstr(root, "paper", "author", "name"),
        .subject = subject,
        .keywords = NULL,
        .lang = style.lang,
        .epoch = qr_source_epoch(iso_epoch(date_iso)),
    };
    if (!meta.title) {
        /* a plain Markdown paper: its first heading names it */
        const qr_block *b = qr_doc_root(doc)->first_child;
        for (; b; b = b->next)
            if (b->kind == QR_BLK_HEADING) break;
        if (b) {
            qr_buf t;
            qr_buf_init(&t);
            qr_block_text(b, &t);
            meta.title = qr_buf_detach(&t, NULL);
            status = qr_pdf_write(pages, fonts, &meta, req->out_path, d);
            free((char *)meta.title);
            free(subject);
            goto done_meta;
        }
    }
    status = qr_pdf_write(pages, fonts, &meta, req->out_path, d);
    free(subject);
done_meta:
    free(meeting);
    free(item);
done:
    if (later) {
        if (exp) relocate(later, d, exp);
        else qr_diags_move(d, later);
        qr_diags_free(later);
    }
    if (status == QR_OK && qr_diags_count(d, QR_ERROR) > 0) status = QR_EINPUT;
    qr_pages_free(pages);
    qr_fonts_free(fonts);
    qr_doc_free(doc);
    qr_expansion_free(exp);
    qr_data_free(data);
    return status;
}
