/* diag.c — the located-diagnostics list every stage reports into, and its
 * printer ("file:line:col: error: message", source line, caret). */
#include "quire/diag.h"
#include "quire/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct qr_diags {
    qr_diag *v;
    size_t n, cap;
};

qr_diags *qr_diags_new(void)
{
    return qr_xcalloc(1, sizeof(qr_diags));
}

static void diag_clear(qr_diag *g)
{
    free(g->file);
    free(g->path);
    free(g->message);
    free(g->source);
}

void qr_diags_free(qr_diags *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n; i++) diag_clear(&d->v[i]);
    free(d->v);
    free(d);
}

static void vadd(qr_diags *d, qr_severity sev, const char *file, int line,
                 int col, const char *path, const char *source,
                 const char *fmt, va_list ap)
{
    QR_GROW(d->v, d->n, d->cap, 8);
    qr_diag *g = &d->v[d->n++];
    g->severity = sev;
    g->file = file ? qr_xstrdup(file) : NULL;
    g->line = line;
    g->col = col;
    g->path = path ? qr_xstrdup(path) : NULL;
    g->source = source ? qr_xstrdup(source) : NULL;
    g->message = qr_xvasprintf(fmt, ap);
}

void qr_diag_add(qr_diags *d, qr_severity sev, const char *file, int line,
                 int col, const char *path, const char *source,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(d, sev, file, line, col, path, source, fmt, ap);
    va_end(ap);
}

void qr_text_linecol(const char *text, size_t len, size_t offset, int *line,
                     int *col)
{
    if (offset > len) offset = len;
    int l = 1, c = 1;
    for (size_t i = 0; i < offset; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

char *qr_text_line(const char *text, size_t len, int line)
{
    if (line < 1) return NULL;
    size_t i = 0;
    int l = 1;
    while (l < line) {
        const char *nl = memchr(text + i, '\n', len - i);
        if (!nl) return NULL;
        i = (size_t)(nl - text) + 1;
        l++;
    }
    if (i > len) return NULL;
    size_t e = i;
    while (e < len && text[e] != '\n') e++;
    if (e > i && text[e - 1] == '\r') e--;
    return qr_xstrndup(text + i, e - i);
}

void qr_diag_at(qr_diags *d, qr_severity sev, const char *file,
                const char *text, size_t len, size_t offset,
                const char *fmt, ...)
{
    int line, col;
    qr_text_linecol(text, len, offset, &line, &col);
    char *src = qr_text_line(text, len, line);
    va_list ap;
    va_start(ap, fmt);
    vadd(d, sev, file, line, col, NULL, src, fmt, ap);
    va_end(ap);
    free(src);
}

size_t qr_diags_len(const qr_diags *d)
{
    return d ? d->n : 0;
}

const qr_diag *qr_diags_get(const qr_diags *d, size_t i)
{
    return i < d->n ? &d->v[i] : NULL;
}

size_t qr_diags_count(const qr_diags *d, qr_severity sev)
{
    size_t k = 0;
    for (size_t i = 0; d && i < d->n; i++)
        if (d->v[i].severity == sev) k++;
    return k;
}

void qr_diags_move(qr_diags *dst, qr_diags *src)
{
    for (size_t i = 0; i < src->n; i++) {
        QR_GROW(dst->v, dst->n, dst->cap, 8);
        dst->v[dst->n++] = src->v[i];
    }
    src->n = 0;
}

static const char *sev_name(qr_severity s)
{
    switch (s) {
    case QR_ERROR: return "error";
    case QR_WARNING: return "warning";
    default: return "note";
    }
}

char *qr_diag_format(const qr_diag *g)
{
    qr_buf b;
    qr_buf_init(&b);
    if (g->file) {
        qr_buf_puts(&b, g->file);
        if (g->line > 0) {
            qr_buf_printf(&b, ":%d", g->line);
            if (g->col > 0) qr_buf_printf(&b, ":%d", g->col);
        }
        qr_buf_puts(&b, ": ");
    } else {
        qr_buf_puts(&b, "quire: ");
    }
    qr_buf_printf(&b, "%s: ", sev_name(g->severity));
    /* "" points at the whole document: the location says all there is */
    if (g->path && g->path[0]) qr_buf_printf(&b, "%s: ", g->path);
    qr_buf_puts(&b, g->message);
    return qr_buf_detach(&b, NULL);
}

/* A source line longer than this many characters is shown as a window
 * around the caret, so that a 1 MB line (hostile or generated input) does
 * not flood the terminal. */
#define SOURCE_SHOWN_MAX 100
#define SOURCE_CARET_LEAD 60      /* characters shown before the caret */

/* The byte where character number `k` (1-based) of s starts; the end of s
 * when it is shorter. */
static const char *char_start(const char *s, int k)
{
    int c = 1;
    for (; *s; s++) {
        if (((unsigned char)*s & 0xC0) == 0x80) continue;
        if (c++ == k) return s;
    }
    return s;
}

static int char_count(const char *s)
{
    int c = 0;
    for (; *s; s++) c += ((unsigned char)*s & 0xC0) != 0x80;
    return c;
}

void qr_diags_print(const qr_diags *d, FILE *f)
{
    for (size_t i = 0; d && i < d->n; i++) {
        const qr_diag *g = &d->v[i];
        char *s = qr_diag_format(g);
        fprintf(f, "%s\n", s);
        free(s);
        if (g->source && g->line > 0) {
            int from = 1, to = char_count(g->source) + 1;   /* [from, to) */
            if (to - from > SOURCE_SHOWN_MAX) {
                if (g->col > SOURCE_CARET_LEAD) from = g->col - SOURCE_CARET_LEAD;
                if (to - from > SOURCE_SHOWN_MAX) to = from + SOURCE_SHOWN_MAX;
            }
            const char *a = char_start(g->source, from);
            const char *b = char_start(g->source, to);
            int cut_left = from > 1, cut_right = *b != '\0';
            fprintf(f, "%5d | %s%.*s%s\n", g->line, cut_left ? "..." : "",
                    (int)(b - a), a, cut_right ? "..." : "");
            if (g->col > 0) {
                fprintf(f, "      | %s", cut_left ? "   " : "");
                /* keep tabs so the caret lines up under the character */
                int c = from;
                for (const char *p = a; *p && c < g->col; p++) {
                    if (((unsigned char)*p & 0xC0) == 0x80) continue;
                    fputc(*p == '\t' ? '\t' : ' ', f);
                    c++;
                }
                fprintf(f, "^\n");
            }
        }
    }
}
