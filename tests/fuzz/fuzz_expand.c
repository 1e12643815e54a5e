/* fuzz_expand.c — libFuzzer target: Mustache template expansion.
 *
 * Input: a mode byte, then data JSON, FUZZ_SEP, the template, optionally
 * FUZZ_SEP and a JSON object of in-memory partials (never files: a fuzzer
 * must not read the disk). Mode bits:
 *   1  spec mode (HTML escaping, missing names empty)
 *   2  strict (Quire mode only)
 *   4  literal-value oracle: the "template" part is a value; it is expanded
 *      with {{x}} into a paragraph (or, with bit 8, a table cell), parsed as
 *      Markdown, and the text must come back exactly (whitespace aside) —
 *      expand.h's promise that {{x}} renders literally.
 * Checked: no crash or leak; a failed expansion says why; a successful one
 * from valid UTF-8 is valid UTF-8 with a source map that answers.
 */
#include "fuzz_common.h"

#include "quire/expand.h"
#include "quire/parse.h"
#include "quire/util.h"

#include <stdlib.h>

#define ORIGIN_PROBES 64    /* source-map look-ups per expansion */

static int valid_utf8(const char *s, size_t n)
{
    return qr_utf8_check(s, n) == (size_t)-1;
}

static void probe_origins(const qr_expansion *e)
{
    size_t len;
    const char *text = qr_expansion_text(e, &len);
    if (!text || text[len] != '\0') abort();
    for (int i = 0; i <= ORIGIN_PROBES; i++) {
        const char *file;
        int line, col;
        size_t off = len ? len * (size_t)i / ORIGIN_PROBES : 0;
        if (qr_expansion_origin(e, off, &file, &line, &col) &&
            (!file || line < 1 || col < 1))
            abort();
        if (qr_expansion_origin_line(e, i + 1, &file, &line, &col) &&
            (!file || line < 1 || col < 1))
            abort();
    }
    for (size_t i = 0; i < qr_expansion_nfiles(e); i++)
        if (!qr_expansion_file(e, i)) abort();
}

/* Collapse runs of blanks to one space and trim: Markdown does not keep
 * them, and expand.h allows newlines to become breaks or spaces. */
static void squeeze(qr_buf *out, const char *s, size_t n)
{
    int sp = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            sp = out->len > 0;
            continue;
        }
        if (sp) qr_buf_putc(out, ' ');
        sp = 0;
        qr_buf_putc(out, c);
    }
}

static void doc_text(const qr_block *b, qr_buf *out)
{
    for (; b; b = b->next) {
        for (size_t i = 0; i < b->nruns; i++) {
            const qr_run *r = &b->runs[i];
            if (r->kind == QR_RUN_TEXT || r->kind == QR_RUN_IMAGE)
                qr_buf_append(out, r->text, r->len);
            else qr_buf_putc(out, ' ');
        }
        if (b->first_child) {
            qr_buf_putc(out, ' ');
            doc_text(b->first_child, out);
        }
    }
}

static void literal_oracle(const char *v, size_t n, int in_table)
{
    /* values Quire could be handed: valid UTF-8 from JSON, no control
     * characters but blanks (cmark maps NUL and keeps others verbatim) */
    if (!valid_utf8(v, n)) return;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return;
    }
    cJSON *data = cJSON_CreateObject();
    char *val = qr_xstrndup(v, n);
    cJSON_AddStringToObject(data, "x", val);
    free(val);
    const char *tpl = in_table ? "| h |\n| - |\n| {{x}} |\n" : "{{x}}\n";
    qr_expand_opts o = {.spec = 0, .strict = 1, .partials = NULL};
    qr_diags *d = qr_diags_new();
    qr_expansion *e = qr_expand_string(tpl, strlen(tpl), "oracle.md", data, &o, d);
    if (!e) abort();
    size_t len;
    const char *md = qr_expansion_text(e, &len);
    qr_doc *doc = qr_parse_markdown(md, len, "oracle", d);
    if (!doc) abort();
    const qr_block *first = qr_doc_root(doc)->first_child;
    if (in_table && first && first->kind == QR_BLK_TABLE &&
        first->first_child)            /* skip the header row */
        first = first->first_child->next;
    qr_buf got, want, raw;
    qr_buf_init(&got);
    qr_buf_init(&want);
    qr_buf_init(&raw);
    doc_text(first, &raw);
    squeeze(&got, raw.data ? raw.data : "", raw.len);
    squeeze(&want, v, n);
    if (got.len != want.len || (got.len && memcmp(got.data, want.data, got.len))) {
        fprintf(stderr, "literal value changed by Markdown:\n value: [%s]\n"
                        " markdown: [%s]\n text: [%s]\n",
                want.data ? want.data : "", md, got.data ? got.data : "");
        abort();
    }
    qr_buf_free(&got);
    qr_buf_free(&want);
    qr_buf_free(&raw);
    qr_doc_free(doc);
    qr_expansion_free(e);
    qr_diags_free(d);
    cJSON_Delete(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if (n < 1) return 0;
    unsigned mode = d[0];
    const char *part[3];
    size_t len[3];
    size_t np = fuzz_split(d + 1, n - 1, part, len, 3);
    if (mode & 4) {
        /* the value is everything after the mode byte */
        literal_oracle((const char *)d + 1, n - 1, (mode & 8) != 0);
        return 0;
    }
    if (np < 2) return 0;
    cJSON *data = NULL;
    int utf8 = valid_utf8(part[0], len[0]) && valid_utf8(part[1], len[1]);
    if (valid_utf8(part[0], len[0]))
        data = cJSON_ParseWithLength(part[0], len[0]);
    cJSON *partials = NULL;
    if (np == 3) {
        partials = cJSON_ParseWithLength(part[2], len[2]);
        utf8 = utf8 && valid_utf8(part[2], len[2]);
    }
    if (!cJSON_IsObject(partials)) {
        cJSON_Delete(partials);
        partials = cJSON_CreateObject();
    }
    qr_expand_opts o = {.spec = mode & 1, .strict = (mode & 2) != 0,
                        .partials = partials};
    qr_diags *diags = qr_diags_new();
    qr_expansion *e = qr_expand_string(part[1], len[1], "fuzz.md", data, &o,
                                       diags);
    if (!e) {
        if (qr_diags_count(diags, QR_ERROR) == 0) abort();
    } else {
        size_t olen;
        const char *out = qr_expansion_text(e, &olen);
        if (utf8 && !valid_utf8(out, olen)) {
            fprintf(stderr, "expansion of valid UTF-8 is not valid UTF-8\n");
            abort();
        }
        probe_origins(e);
    }
    qr_expansion_free(e);
    qr_diags_free(diags);
    cJSON_Delete(partials);
    cJSON_Delete(data);
    return 0;
}
