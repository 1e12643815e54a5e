/* expand.c — the expand stage: a Mustache engine over cJSON.
 *
 * In:  a template (file or memory), its partials (files under the top-level
 *      template's directory, or an in-memory object in spec mode), and the
 *      data as a cJSON tree.
 * Out: Markdown text plus a source map (output byte -> template file, line,
 *      column) and the list of template files read; errors in qr_diags.
 * Governed by the Mustache spec, tests/spec/mustache/ (interpolation,
 * sections, inverted, comments, partials, delimiters, ~inheritance,
 * ~dynamic-names; lambdas cannot run in C).
 *
 * Shape: every template is parsed once into a flat token array (openers
 * know the index of their closing token), standalone lines are removed at
 * parse time, and the renderer walks the arrays. Parsed partials are cached
 * for the whole expansion, so the cost is linear in template size plus
 * output size.
 *
 * Indentation (standalone partials, parents and blocks) is never applied by
 * rewriting template text: the renderer carries the current indentation and
 * emits it at every template line start, and, for a block argument, strips
 * the argument's own intrinsic indentation first (the ~inheritance
 * "reindentation" rules).
 */
#include "quire/expand.h"
#include "quire/input.h"
#include "quire/util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Nested render calls (sections, partials, blocks) allowed in one
 * expansion: bounds C stack use whatever a template or data does
 * (a block that contains itself, say). */
#define RENDER_DEPTH_MAX 4096
/* Work and output allowed in one expansion: a partial that includes itself
 * twice, or nested sections over arrays, multiply without bound ("billion
 * laughs"); past these the expansion stops with an error at the tag. A
 * paper's Markdown is a few hundred kilobytes. Documented in README.md. */
#define EXPAND_MAX_STEPS 4000000u                   /* tokens rendered */
#define EXPAND_MAX_OUTPUT (64u * 1024u * 1024u)     /* bytes of Markdown */
/* Array subscripts in dotted names ("dates.0") are at most this many digits. */
#define INDEX_DIGITS_MAX 9
/* Integral numbers below this print in full, without an exponent (the
 * same threshold as JavaScript's Number#toString). */
#define INTEGER_TEXT_MAX 1e21
/* A leading space run of this many columns would open an indented code
 * block in Markdown. */
#define CODE_INDENT 4
/* An ordered-list marker has at most nine digits (CommonMark 5.2). */
#define LIST_DIGITS_MAX 9

/* ---------------------------------------------------------------- tokens */

enum tkind {
    T_TEXT,      /* template text copied through */
    T_VAR,       /* {{x}}: escaped value */
    T_RAW,       /* {{{x}}} or {{&x}}: raw value */
    T_SECTION,   /* {{#x}} */
    T_INVERTED,  /* {{^x}} */
    T_PARTIAL,   /* {{>x}} */
    T_PARENT,    /* {{<x}} */
    T_BLOCK,     /* {{$x}} */
    T_CLOSE,     /* {{/x}} */
    T_NOP        /* comment or set-delimiter: kept only for line bookkeeping */
};

typedef struct tok {
    unsigned char kind;
    unsigned char bol;         /* first output-producing thing on a template line */
    unsigned char standalone;  /* the tag's line was removed as standalone */
    unsigned char dynamic;     /* {{>*name}} / {{<*name}} */
    unsigned char reported;    /* an error at this tag was reported already */
    unsigned char inline_site; /* block not standalone: indent lines after the first */
    uint32_t off;      /* TEXT: first byte; tag: its opening delimiter */
    uint32_t len;      /* TEXT: byte count; tag: bytes up to the closing delimiter's end */
    uint32_t name, nlen; /* tag name (trimmed), within the source */
    uint32_t end;      /* openers: index of the matching T_CLOSE */
    uint32_t ind, indlen; /* partial/parent: standalone indentation; block: site indentation */
    uint32_t def_indent;  /* block used as argument: columns stripped from its lines */
    uint32_t content;     /* standalone block: where its first content line starts */
} tok;

/* One parsed template: the top-level one, a partial file or an in-memory
 * partial. */
typedef struct tmpl {
    char *name;        /* shown in diagnostics and the source map */
    char *key;         /* cache key: constructed path, or "=name" for memory */
    char *real;        /* realpath for file partials, else NULL */
    int is_file;       /* listed by qr_expansion_file */
    int ok;            /* parsed without error */
    char *src;
    size_t len;
    tok *toks;
    size_t ntok, captok;
    uint32_t *lines;   /* byte offset of each line start */
    size_t nlines;
} tmpl;

/* ------------------------------------------------------------ the product */

typedef struct span {
    size_t out;        /* first output byte */
    size_t len;
    uint32_t file;     /* index into tmpls */
    uint32_t src;      /* source byte of the first output byte */
    int fixed;         /* 1: every byte maps to src (a value, an indent) */
} span;

struct qr_expansion {
    char *text;
    size_t len;
    span *spans;
    size_t nspans;
    size_t *out_lines;     /* byte offset of each output line start */
    size_t nout_lines;
    tmpl **tmpls;
    size_t ntmpls;
    size_t *files;         /* indices of tmpls that are files read */
    size_t nfiles;
    size_t *code_at;       /* output offsets of values written as code */
    size_t ncode;
};

/* ----------------------------------------------------------- render state */

typedef struct argframe {          /* a parent tag whose blocks are arguments */
    const tmpl *t;
    size_t tok;
    const struct argframe *outer;
} argframe;

typedef struct inclchain {         /* partial names being included, for errors */
    const char *name;
    const struct inclchain *outer;
} inclchain;

typedef struct rctx {
    size_t ioff;                   /* current indentation: ind.data[ioff..ind.len) */
    size_t strip;                  /* whitespace columns removed at line starts */
    const argframe *args;
    const inclchain *chain;
    int pdepth;                    /* partial/parent inclusion depth */
} rctx;

typedef struct rstate {
    const qr_expand_opts *opts;
    int spec, strict;
    qr_diags *d;
    int errors;
    qr_buf out;
    span *spans;
    size_t nspans, capspans;
    tmpl **tmpls;
    size_t ntmpls, captmpls;
    const cJSON **ctx;
    size_t nctx, capctx;
    qr_buf ind;                    /* indentation stack, see rctx.ioff */
    int skip_indent;               /* next line start takes no indentation */
    int depth;                     /* nested render calls */
    size_t steps;                  /* tokens rendered, EXPAND_MAX_STEPS */
    int over;                      /* a work limit was hit: stop */
    char *root_dir;                /* top-level template's directory */
    char *root_real;               /* its realpath, computed on first use */
    int root_tried;
    size_t tbl_scan, tbl_line;     /* table-row detection over the output */
    size_t fence_scan, fence_line; /* fenced-code detection over the output */
    char fence_char;               /* '`' or '~' inside a fence, else 0 */
    size_t fence_len;
    size_t *code_at;               /* where values were written as code */
    size_t ncode, ccode;
} rstate;

/* ------------------------------------------------------------- utilities */

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_tag_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void build_lines(tmpl *t)
{
    size_t n = 1;
    for (const char *p = t->src, *e = t->src + t->len;
         (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        n++;
    t->lines = qr_xmalloc(n * sizeof *t->lines);
    t->nlines = 0;
    t->lines[t->nlines++] = 0;
    for (const char *p = t->src, *e = t->src + t->len;
         (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        t->lines[t->nlines++] = (uint32_t)(p - t->src + 1);
}

/* 1-based line and character column of byte `off` of t. */
static void tmpl_linecol(const tmpl *t, size_t off, int *line, int *col)
{
    size_t lo = 0, hi = t->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->lines[mid] <= off) lo = mid;
        else hi = mid;
    }
    int c = 1;
    for (size_t i = t->lines[lo]; i < off && i < t->len; i++)
        if (((unsigned char)t->src[i] & 0xC0) != 0x80) c++;
    *line = (int)(lo + 1);
    *col = c;
}

static char *tmpl_line_text(const tmpl *t, int line)
{
    if (line < 1 || (size_t)line > t->nlines) return NULL;
    size_t a = t->lines[line - 1], e = a;
    while (e < t->len && t->src[e] != '\n') e++;
    if (e > a && t->src[e - 1] == '\r') e--;
    return qr_xstrndup(t->src + a, e - a);
}


/* An error at byte `off` of template t, with its source line for the caret. */
static void err_at(rstate *rs, const tmpl *t, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void err_at(rstate *rs, const tmpl *t, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = qr_xvasprintf(fmt, ap);
    va_end(ap);
    int line, col;
    tmpl_linecol(t, off, &line, &col);
    char *src = tmpl_line_text(t, line);
    qr_diag_add(rs->d, QR_ERROR, t->name, line, col, NULL, src, "%s", msg);
    free(src);
    free(msg);
    rs->errors++;
}

/* The same, once per tag however often the tag is rendered. */
static void tag_err(rstate *rs, const tmpl *t, tok *k, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void tag_err(rstate *rs, const tmpl *t, tok *k, const char *fmt, ...)
{
    if (k->reported) {
        rs->errors++;
        return;
    }
    k->reported = 1;
    va_list ap;
    va_start(ap, fmt);
    char *msg = qr_xvasprintf(fmt, ap);
    va_end(ap);
    err_at(rs, t, k->off, "%s", msg);
    free(msg);
}

static void tmpl_free(tmpl *t)
{
    if (!t) return;
    free(t->name);
    free(t->key);
    free(t->real);
    free(t->src);
    free(t->toks);
    free(t->lines);
    free(t);
}

/* ---------------------------------------------------------------- parser */

typedef struct openrec {
    size_t tok;       /* index of the opener in toks */
    uint32_t name, nlen, off;
} openrec;

typedef struct parser {
    rstate *rs;
    tmpl *t;
    const char *s;
    size_t n;
    size_t otag, olen, ctag, clen;  /* delimiters, as source ranges */
    const char *ostr, *cstr;
    size_t line_start;      /* source offset of the current line */
    size_t line_first;      /* index of the first token on the line */
    size_t first_tag;       /* source offset of the line's first tag */
    int line_content;       /* the line holds something that is not standalone */
    int line_tags;          /* standalone-type tags on the line */
    int only_ws;            /* nothing but spaces/tabs so far on the line */
    int pending_bol;
    openrec *stk;
    size_t nstk, capstk;
    int failed;
} parser;

static tok *push_tok(parser *p, int kind)
{
    tmpl *t = p->t;
    QR_GROW(t->toks, t->ntok, t->captok, 64);
    tok *k = &t->toks[t->ntok++];
    memset(k, 0, sizeof *k);
    k->kind = (unsigned char)kind;
    if (kind != T_CLOSE) {
        k->bol = (unsigned char)p->pending_bol;
        p->pending_bol = 0;
    }
    return k;
}

/* Text [a, b) holding at most one newline, at its end. */
static void add_text(parser *p, size_t a, size_t b)
{
    if (a == b) return;
    size_t e = b;
    if (e > a && p->s[e - 1] == '\n') {
        e--;
        if (e > a && p->s[e - 1] == '\r') e--;
    }
    for (size_t i = a; i < e; i++)
        if (!is_ws(p->s[i])) {
            p->line_content = 1;
            p->only_ws = 0;
            break;
        }
    tok *k = push_tok(p, T_TEXT);
    k->off = (uint32_t)a;
    k->len = (uint32_t)(b - a);
}

/* The line ending at `eol` (just past its newline, or the end) is complete:
 * remove it if it was standalone, else merge its first text into the
 * previous text token. */
static void end_line(parser *p, size_t eol)
{
    tmpl *t = p->t;
    if (p->line_tags > 0 && !p->line_content) {
        uint32_t ind = (uint32_t)p->line_start;
        uint32_t indlen = (uint32_t)(p->first_tag - p->line_start);
        size_t w = p->line_first;
        for (size_t i = p->line_first; i < t->ntok; i++) {
            tok k = t->toks[i];
            if (k.kind == T_TEXT) continue;
            k.standalone = 1;
            k.bol = 0;
            if (k.kind == T_PARTIAL || k.kind == T_PARENT ||
                k.kind == T_BLOCK) {
                k.ind = ind;
                k.indlen = indlen;
                k.inline_site = 0;
                k.content = (uint32_t)eol;
            }
            /* Openers on this line recorded their index; it moves. They
             * are the newest entries on the stack. */
            for (size_t j = p->nstk; j-- > 0 && p->stk[j].tok >= p->line_first;)
                if (p->stk[j].tok == i) p->stk[j].tok = w;
            t->toks[w++] = k;
        }
        t->ntok = w;
    } else if (p->line_first < t->ntok && p->line_first > 0) {
        tok *prev = &t->toks[p->line_first - 1];
        tok *cur = &t->toks[p->line_first];
        if (prev->kind == T_TEXT && cur->kind == T_TEXT &&
            prev->off + prev->len == cur->off) {
            prev->len += cur->len;
            memmove(cur, cur + 1,
                    (t->ntok - p->line_first - 1) * sizeof *cur);
            t->ntok--;
            for (size_t j = p->nstk; j-- > 0 && p->stk[j].tok > p->line_first;)
                p->stk[j].tok--;
        }
    }
    p->line_start = eol;
    p->line_first = t->ntok;
    p->line_content = 0;
    p->line_tags = 0;
    p->only_ws = 1;
    p->pending_bol = 1;
}

/* Text [a, b): split at newlines, ending each line. */
static void scan_text(parser *p, size_t a, size_t b)
{
    while (a < b) {
        const char *nl = memchr(p->s + a, '\n', b - a);
        if (!nl) {
            add_text(p, a, b);
            return;
        }
        size_t e = (size_t)(nl - p->s) + 1;
        add_text(p, a, e);
        end_line(p, e);
        a = e;
    }
}

static const char *find(const char *s, size_t n, size_t from, const char *needle,
                        size_t nl)
{
    if (from > n) return NULL;
    return memmem(s + from, n - from, needle, nl);
}

static void trim(const char *s, size_t *a, size_t *b)
{
    while (*a < *b && is_tag_ws(s[*a])) (*a)++;
    while (*b > *a && is_tag_ws(s[*b - 1])) (*b)--;
}

static bool has_ws(const char *s, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (is_tag_ws(s[i])) return true;
    return false;
}

static void perr(parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void perr(parser *p, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = qr_xvasprintf(fmt, ap);
    va_end(ap);
    err_at(p->rs, p->t, off, "%s", msg);
    free(msg);
    p->failed = 1;
}

/* {{=<% %>=}}: content [a, b) between the two '='. False after an error. */
static bool set_delims(parser *p, size_t at, size_t a, size_t b)
{
    trim(p->s, &a, &b);
    size_t m = a;
    while (m < b && !is_tag_ws(p->s[m])) m++;
    size_t o2 = m;
    while (o2 < b && is_tag_ws(p->s[o2])) o2++;
    if (m == a || o2 == b || has_ws(p->s, o2, b) ||
        memchr(p->s + a, '=', m - a) || memchr(p->s + o2, '=', b - o2)) {
        perr(p, at, "bad set-delimiter tag: expected two delimiters "
                    "without spaces or '=', as in {{=<%% %%>=}}");
        return false;
    }
    p->ostr = p->s + a;
    p->olen = m - a;
    p->cstr = p->s + o2;
    p->clen = b - o2;
    return true;
}

static void note_tag(parser *p, size_t at, int standalone_type)
{
    if (standalone_type) {
        if (p->line_tags == 0 && !p->line_content) p->first_tag = at;
        p->line_tags++;
    } else {
        p->line_content = 1;
    }
    p->only_ws = 0;
}

static void parse_tmpl(rstate *rs, tmpl *t)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.rs = rs;
    p.t = t;
    p.s = t->src;
    p.n = t->len;
    p.ostr = "{{";
    p.olen = 2;
    p.cstr = "}}";
    p.clen = 2;
    p.only_ws = 1;
    p.pending_bol = 1;
    size_t pos = 0;
    const char *s = p.s;

    while (!p.failed) {
        const char *o = find(s, p.n, pos, p.ostr, p.olen);
        size_t at = o ? (size_t)(o - s) : p.n;
        scan_text(&p, pos, at);
        if (!o) {
            end_line(&p, p.n);
            break;
        }
        size_t c = at + p.olen;          /* content start */
        char sig = c < p.n ? s[c] : '\0';
        int kind;
        switch (sig) {
        case '{': kind = T_RAW; break;
        case '&': kind = T_RAW; break;
        case '#': kind = T_SECTION; break;
        case '^': kind = T_INVERTED; break;
        case '/': kind = T_CLOSE; break;
        case '>': kind = T_PARTIAL; break;
        case '<': kind = T_PARENT; break;
        case '$': kind = T_BLOCK; break;
        case '!': kind = T_NOP; break;
        case '=': kind = T_NOP; break;
        default: kind = T_VAR; sig = '\0'; break;
        }
        size_t cs = sig ? c + 1 : c;     /* after the sigil */
        size_t ce, tag_end;
        if (sig == '{' || sig == '=') {
            /* The content ends at "}" or "=" followed by the closing
             * delimiter. */
            char closer = sig == '{' ? '}' : '=';
            size_t from = cs;
            const char *q;
            for (;;) {
                q = find(s, p.n, from, p.cstr, p.clen);
                if (!q || ((size_t)(q - s) > cs && q[-1] == closer)) break;
                from = (size_t)(q - s) + 1;
            }
            if (!q) {
                perr(&p, at, "unclosed tag: no '%c%.*s' after '%.*s'", closer,
                     (int)p.clen, p.cstr, (int)p.olen, p.ostr);
                break;
            }
            ce = (size_t)(q - s) - 1;
            tag_end = (size_t)(q - s) + p.clen;
        } else {
            const char *q = find(s, p.n, cs, p.cstr, p.clen);
            if (!q) {
                perr(&p, at, "unclosed tag: no '%.*s' after '%.*s'",
                     (int)p.clen, p.cstr, (int)p.olen, p.ostr);
                break;
            }
            ce = (size_t)(q - s);
            tag_end = ce + p.clen;
        }
        pos = tag_end;

        if (sig == '!') {
            tok *k = push_tok(&p, T_NOP);
            k->off = (uint32_t)at;
            k->len = (uint32_t)(tag_end - at);
            note_tag(&p, at, 1);
            continue;
        }
        if (sig == '=') {
            if (!set_delims(&p, at, cs, ce)) break;
            tok *k = push_tok(&p, T_NOP);
            k->off = (uint32_t)at;
            k->len = (uint32_t)(tag_end - at);
            note_tag(&p, at, 1);
            continue;
        }

        size_t a = cs, b = ce;
        trim(s, &a, &b);
        int dynamic = 0;
        if ((kind == T_PARTIAL || kind == T_PARENT) && a < b && s[a] == '*') {
            dynamic = 1;
            a++;
            trim(s, &a, &b);
        }
        if (a == b) {
            perr(&p, at, "empty tag: a name is needed between '%.*s' and '%.*s'",
                 (int)p.olen, p.ostr, (int)p.clen, p.cstr);
            break;
        }
        if (has_ws(s, a, b)) {
            perr(&p, at, "bad tag name '%.*s': names cannot contain spaces",
                 (int)(b - a), s + a);
            break;
        }

        int was_only_ws = p.only_ws;
        note_tag(&p, at, kind != T_VAR && kind != T_RAW);

        if (kind == T_CLOSE) {
            if (p.nstk == 0) {
                perr(&p, at, "closing '%.*s' but no section is open",
                     (int)(b - a), s + a);
                break;
            }
            openrec *r = &p.stk[p.nstk - 1];
            if (r->nlen != b - a || memcmp(s + r->name, s + a, b - a) != 0) {
                perr(&p, at, "closing '%.*s' but '%.*s' is open",
                     (int)(b - a), s + a, (int)r->nlen, s + r->name);
                break;
            }
            /* A section or block opened and closed on one line leaves
             * that line in place: its content belongs to the line. */
            int kk = t->toks[r->tok].kind;
            if (r->tok >= p.line_first && kk != T_PARENT)
                p.line_content = 1;
            p.nstk--;
        }

        tok *k = push_tok(&p, kind);
        k->off = (uint32_t)at;
        k->len = (uint32_t)(tag_end - at);
        k->name = (uint32_t)a;
        k->nlen = (uint32_t)(b - a);
        k->dynamic = (unsigned char)dynamic;
        if (kind == T_BLOCK) {
            k->inline_site = 1;
            if (was_only_ws) {
                k->ind = (uint32_t)p.line_start;
                k->indlen = (uint32_t)(at - p.line_start);
            }
        }
        if (kind == T_SECTION || kind == T_INVERTED || kind == T_PARENT ||
            kind == T_BLOCK) {
            if (p.nstk >= QR_MAX_SECTION_DEPTH) {
                perr(&p, at, "sections nested deeper than %d",
                     QR_MAX_SECTION_DEPTH);
                break;
            }
            QR_GROW(p.stk, p.nstk, p.capstk, 16);
            openrec *r = &p.stk[p.nstk++];
            r->tok = t->ntok - 1;
            r->name = (uint32_t)a;
            r->nlen = (uint32_t)(b - a);
            r->off = (uint32_t)at;
        }
    }

    if (!p.failed && p.nstk > 0) {
        for (size_t i = p.nstk; i-- > 0;)
            perr(&p, p.stk[i].off, "section '%.*s' opened here is never closed",
                 (int)p.stk[i].nlen, s + p.stk[i].name);
    }
    free(p.stk);
    if (p.failed) {
        t->ok = 0;
        return;
    }

    /* Link openers to their closes; settle block indentation. */
    size_t *stack = qr_xmalloc((QR_MAX_SECTION_DEPTH + 1) * sizeof *stack);
    size_t ns = 0;
    for (size_t i = 0; i < t->ntok; i++) {
        tok *k = &t->toks[i];
        if (k->kind == T_SECTION || k->kind == T_INVERTED ||
            k->kind == T_PARENT || k->kind == T_BLOCK) {
            stack[ns++] = i;
        } else if (k->kind == T_CLOSE) {
            size_t o = stack[--ns];
            tok *op = &t->toks[o];
            op->end = (uint32_t)i;
            if (op->kind == T_BLOCK) {
                if (op->standalone && i > o + 1) {
                    /* Intrinsic indentation: that of the first content
                     * line. */
                    size_t c0 = op->content, c1 = c0;
                    while (c1 < t->len && is_ws(s[c1])) c1++;
                    op->ind = (uint32_t)c0;
                    op->indlen = (uint32_t)(c1 - c0);
                    op->def_indent = op->indlen;
                } else if (op->standalone) {
                    op->def_indent = op->indlen;
                } else {
                    op->def_indent = 0;
                }
            }
        }
    }
    free(stack);
    t->ok = 1;
}

/* Make a template from bytes (taking ownership of src); checks size and
 * UTF-8, parses, registers it. Returns it even when it failed to parse
 * (t->ok = 0) so errors are not repeated. */
static tmpl *add_tmpl(rstate *rs, char *name, char *key, char *src, size_t len,
                      int is_file, const tmpl *from, size_t from_off)
{
    tmpl *t = qr_xcalloc(1, sizeof *t);
    t->name = name;
    t->key = key;
    t->src = src;
    t->len = len;
    t->is_file = is_file;
    build_lines(t);
    QR_GROW(rs->tmpls, rs->ntmpls, rs->captmpls, 8);
    rs->tmpls[rs->ntmpls++] = t;
    if (len > QR_MAX_TEMPLATE_BYTES) {
        if (from)
            err_at(rs, from, from_off, "template '%s' is larger than %u bytes",
                   name, QR_MAX_TEMPLATE_BYTES);
        else {
            /* No source line: it could be the whole oversized file. */
            qr_diag_add(rs->d, QR_ERROR, t->name, 0, 0, NULL, NULL,
                        "template is larger than %u bytes",
                        QR_MAX_TEMPLATE_BYTES);
            rs->errors++;
        }
        return t;
    }
    size_t bad = qr_utf8_check(src, len);
    if (bad != (size_t)-1) {
        err_at(rs, t, bad, "template is not valid UTF-8 (byte offset %zu)",
               bad);
        return t;
    }
    const char *nul = memchr(src, '\0', len);
    if (nul) {
        /* Markdown would show it as U+FFFD: a binary file, or a bad save */
        err_at(rs, t, (size_t)(nul - src), "template holds a NUL byte (byte "
               "offset %zu): is it a text file?", (size_t)(nul - src));
        return t;
    }
    parse_tmpl(rs, t);
    return t;
}

/* ---------------------------------------------------------------- output */

static void add_span(rstate *rs, uint32_t file, size_t src, size_t out,
                     size_t n, int fixed)
{
    if (n == 0) return;
    if (rs->nspans > 0) {
        span *l = &rs->spans[rs->nspans - 1];
        if (l->file == file && l->fixed == fixed && l->out + l->len == out &&
            (fixed ? l->src == src : l->src + l->len == src)) {
            l->len += n;
            return;
        }
    }
    QR_GROW(rs->spans, rs->nspans, rs->capspans, 64);
    span *sp = &rs->spans[rs->nspans++];
    sp->out = out;
    sp->len = n;
    sp->file = file;
    sp->src = (uint32_t)src;
    sp->fixed = fixed;
}

static uint32_t tmpl_index(rstate *rs, const tmpl *t)
{
    /* Templates are few; the most recent is the likeliest. */
    for (size_t i = rs->ntmpls; i-- > 0;)
        if (rs->tmpls[i] == t) return (uint32_t)i;
    return 0;
}

/* Copy template bytes [off, off+n) to the output. */
static void out_copy(rstate *rs, uint32_t fi, const tmpl *t, size_t off,
                     size_t n)
{
    if (n == 0) return;
    add_span(rs, fi, off, rs->out.len, n, 0);
    qr_buf_append(&rs->out, t->src + off, n);
    rs->skip_indent = 0;
}

/* Output already appended from `start` on maps to the tag at src. */
static void out_fixed(rstate *rs, uint32_t fi, size_t src, size_t start)
{
    if (rs->out.len > start) {
        add_span(rs, fi, src, start, rs->out.len - start, 1);
        rs->skip_indent = 0;
    }
}

/* At a template line start: emit the current indentation. */
static void line_start(rstate *rs, uint32_t fi, size_t src, const rctx *rc)
{
    if (rs->skip_indent) {
        rs->skip_indent = 0;
        return;
    }
    size_t n = rs->ind.len - rc->ioff;
    if (n == 0) return;
    size_t start = rs->out.len;
    qr_buf_append(&rs->out, rs->ind.data + rc->ioff, n);
    out_fixed(rs, fi, src, start);
}

static void emit_text(rstate *rs, uint32_t fi, const tmpl *t, const tok *k,
                      const rctx *rc)
{
    size_t p = k->off, end = (size_t)k->off + k->len;
    if (rs->ind.len == rc->ioff && rc->strip == 0) {
        if (k->bol) rs->skip_indent = 0;
        out_copy(rs, fi, t, p, end - p);
        return;
    }
    int at_ls = k->bol;
    while (p < end) {
        const char *nl = memchr(t->src + p, '\n', end - p);
        size_t e = nl ? (size_t)(nl - t->src) + 1 : end;
        if (at_ls) {
            for (size_t s = 0; s < rc->strip && p < e && is_ws(t->src[p]); s++)
                p++;
            /* Empty lines take no indentation (no trailing blanks). */
            int empty = p < e && (t->src[p] == '\n' ||
                                  (t->src[p] == '\r' && p + 1 < e &&
                                   t->src[p + 1] == '\n'));
            if (empty) rs->skip_indent = 0;
            else line_start(rs, fi, p, rc);
        }
        out_copy(rs, fi, t, p, e - p);
        p = e;
        at_ls = 1;
    }
}

/* ---------------------------------------------------------------- values */

static const cJSON *child_named(const cJSON *v, const char *k, size_t n,
                                int allow_index)
{
    if (cJSON_IsObject(v)) {
        for (const cJSON *c = v->child; c; c = c->next)
            /* strnlen, not strncmp: a name may hold NUL bytes */
            if (c->string && strnlen(c->string, n + 1) == n &&
                memcmp(c->string, k, n) == 0)
                return c;
        return NULL;
    }
    if (allow_index && cJSON_IsArray(v) && n > 0 && n <= INDEX_DIGITS_MAX) {
        long idx = 0;
        for (size_t i = 0; i < n; i++) {
            if (k[i] < '0' || k[i] > '9') return NULL;
            idx = idx * 10 + (k[i] - '0');
        }
        const cJSON *c = v->child;
        while (c && idx-- > 0) c = c->next;
        return c;
    }
    return NULL;
}

/* Resolve a (dotted) name against the context stack; NULL if missing. */
static const cJSON *lookup(const rstate *rs, const char *name, size_t n)
{
    if (n == 1 && name[0] == '.') return rs->ctx[rs->nctx - 1];
    const char *dot = memchr(name, '.', n);
    size_t l0 = dot ? (size_t)(dot - name) : n;
    const cJSON *v = NULL;
    for (size_t i = rs->nctx; i-- > 0;) {
        v = child_named(rs->ctx[i], name, l0, 0);
        if (v) break;
    }
    size_t p = l0;
    while (v && p < n) {
        p++;                               /* the '.' */
        const char *seg = name + p;
        const char *d2 = memchr(seg, '.', n - p);
        size_t l = d2 ? (size_t)(d2 - seg) : n - p;
        v = child_named(v, seg, l, 1);
        p += l;
    }
    return v;
}

static bool truthy(const cJSON *v)
{
    if (!v || cJSON_IsFalse(v) || cJSON_IsNull(v)) return false;
    if (cJSON_IsArray(v)) return v->child != NULL;
    /* An empty string is falsey, as in JavaScript Mustache engines: in a
     * committee paper an empty field should not open its heading. */
    if (cJSON_IsString(v)) return v->valuestring && v->valuestring[0];
    return true;
}

static void push_ctx(rstate *rs, const cJSON *v)
{
    QR_GROW(rs->ctx, rs->nctx, rs->capctx, 16);
    rs->ctx[rs->nctx++] = v;
}

/* Shortest text that reads back as the same double; integers without a
 * decimal point. Independent of locale (only "C" exists here anyway). */
static void fmt_number(char *buf, size_t cap, double v)
{
    if (v == 0) {
        snprintf(buf, cap, "0");
        return;
    }
    if (isfinite(v) && v == floor(v) && fabs(v) < INTEGER_TEXT_MAX) {
        snprintf(buf, cap, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

/* The text of a value; *owned set when the caller must free it. NULL for
 * null. */
static const char *value_text(const cJSON *v, char *num, size_t cap,
                              char **owned)
{
    *owned = NULL;
    if (cJSON_IsString(v)) return v->valuestring ? v->valuestring : "";
    if (cJSON_IsNumber(v)) {
        fmt_number(num, cap, v->valuedouble);
        return num;
    }
    if (cJSON_IsTrue(v)) return "true";
    if (cJSON_IsFalse(v)) return "false";
    if (cJSON_IsNull(v)) return NULL;
    *owned = cJSON_PrintUnformatted(v);
    return *owned ? *owned : "";
}

static void html_escape(qr_buf *b, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        default: break;
        }
        if (rep) {
            qr_buf_append(b, s + run, i - run);
            qr_buf_puts(b, rep);
            run = i + 1;
        }
    }
    qr_buf_append(b, s + run, n - run);
}

/* Is the output line being written a table row (starts with '|')? Scans
 * only the bytes written since the last call. */
static bool in_table_row(rstate *rs)
{
    if (rs->out.len > rs->tbl_scan) {
        const char *b = rs->out.data + rs->tbl_scan;
        size_t n = rs->out.len - rs->tbl_scan;
        const char *nl = memrchr(b, '\n', n);
        if (nl) rs->tbl_line = (size_t)(nl - rs->out.data) + 1;
        rs->tbl_scan = rs->out.len;
    }
    size_t i = rs->tbl_line;
    while (i < rs->out.len && is_ws(rs->out.data[i])) i++;
    return i < rs->out.len && rs->out.data[i] == '|';
}

/* One complete output line for fence tracking: CommonMark's fence rules
 * for a fence at the top level (up to three spaces, a run of at least
 * three backticks or tildes; a backtick opener's info string holds no
 * backtick; the closer is the same character, at least as long, and
 * nothing but blanks after it). */
static void fence_step(rstate *rs, const char *l, size_t n)
{
    size_t i = 0;
    while (i < n && i < 3 && l[i] == ' ') i++;
    if (i >= n || (l[i] != '`' && l[i] != '~')) return;
    char c = l[i];
    size_t j = i;
    while (j < n && l[j] == c) j++;
    size_t run = j - i;
    if (run < 3) return;
    if (!rs->fence_char) {
        if (c == '`' && memchr(l + j, '`', n - j)) return;
        rs->fence_char = c;
        rs->fence_len = run;
        return;
    }
    if (c != rs->fence_char || run < rs->fence_len) return;
    while (j < n && (is_ws(l[j]) || l[j] == '\r')) j++;
    if (j == n) rs->fence_char = 0;
}

/* Is the output line being written inside a fenced code block (opened on
 * an earlier line)? Scans each output byte once. The output only grows
 * while a template renders; should it ever shrink, start again. */
static bool in_fenced_code(rstate *rs)
{
    if (rs->out.len < rs->fence_scan) {
        rs->fence_scan = rs->fence_line = 0;
        rs->fence_char = 0;
    }
    const char *d = rs->out.data;
    size_t from = rs->fence_scan;
    while (from < rs->out.len) {
        const char *nl = memchr(d + from, '\n', rs->out.len - from);
        if (!nl) break;
        size_t e = (size_t)(nl - d);
        fence_step(rs, d + rs->fence_line, e - rs->fence_line);
        rs->fence_line = from = e + 1;
    }
    rs->fence_scan = rs->out.len;
    return rs->fence_char != 0;
}

/* A value inside a fenced code block (a chart's title, a point's label):
 * Markdown is not read there, so backslash escapes would print; the only
 * way out of the block is a line that closes the fence, so line breaks
 * become spaces and the value stays on the template's line. */
static void code_escape(qr_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') continue;
        qr_buf_putc(out, s[i] == '\n' || s[i] == '\r' ? ' ' : s[i]);
    }
}

/* --------------------------------------------------------------- markdown */

static bool md_always(char c)
{
    switch (c) {
    case '\\': case '`': case '*': case '_': case '[': case ']': case '<':
    case '>': case '&': case '|': case '~': case '#':
        return true;
    default:
        return false;
    }
}

/* Inside a line, a byte that is written as it is: not escaped, not a line
 * end, and not the ':' or '.' of an autolink trigger. */
static bool plain_byte(char c)
{
    return c != '\n' && c != '\r' && c != ':' && c != '.' && !md_always(c);
}

/* Backslash escapes (CommonMark 2.4) for every character that could start
 * markup. Two GFM autolink triggers are broken too ("://" and "www."):
 * the extension reads a bare URL raw, so escapes after it would show as
 * backslashes inside the link. */
void qr_markdown_escape(struct qr_buf *out, const char *s, size_t n,
                        int in_table)
{
    size_t a = 0, b = n;
    /* Newlines at either end would leave a hard break at a block edge,
     * which Markdown shows as a stray backslash. */
    while (a < b && (s[a] == '\n' || s[a] == '\r')) a++;
    while (b > a && (s[b - 1] == '\n' || s[b - 1] == '\r')) b--;
    /* The same for a blank run holding a newline at either end ("x\n  "):
     * the blanks are invisible and the newline would still become a
     * break at the edge. */
    size_t l = a, r = b;
    while (l < b && (is_ws(s[l]) || s[l] == '\n' || s[l] == '\r')) l++;
    while (r > l && (is_ws(s[r - 1]) || s[r - 1] == '\n' || s[r - 1] == '\r')) r--;
    if (memchr(s + a, '\n', l - a) || memchr(s + a, '\r', l - a)) a = l;
    if (memchr(s + r, '\n', b - r) || memchr(s + r, '\r', b - r)) b = r;
    int ls = 1;                 /* at the start of one of the value's lines */
    int first = 1;
    for (size_t i = a; i < b; i++) {
        char c = s[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < b && s[i + 1] == '\n') i++;
            qr_buf_puts(out, in_table ? " " : "\\\n");
            /* Leading blanks on a continuation line are dropped by Markdown
             * anyway; dropping them here also keeps them from starting an
             * indented code block. */
            while (i + 1 < b && is_ws(s[i + 1])) i++;
            ls = 1;
            first = 0;
            continue;
        }
        if (ls) {
            ls = 0;
            if (first && is_ws(c)) {
                size_t j = i, cols = 0;
                int tab = 0;
                while (j < b && is_ws(s[j])) {
                    tab |= s[j] == '\t';
                    cols++;
                    j++;
                }
                if (tab || cols >= CODE_INDENT) {
                    qr_buf_putc(out, ' ');
                    i = j - 1;
                    ls = 1;            /* what follows still starts the line */
                    first = 0;
                    continue;
                }
                qr_buf_append(out, s + i, j - i);
                i = j - 1;
                ls = 1;
                first = 0;
                continue;
            }
            first = 0;
            char nx = i + 1 < b ? s[i + 1] : ' ';
            if (c == '-' || c == '=' || (c == '+' && (is_ws(nx) || nx == '\n' ||
                                                      nx == '\r'))) {
                qr_buf_putc(out, '\\');
                qr_buf_putc(out, c);
                continue;
            }
            if (c >= '0' && c <= '9') {
                size_t j = i;
                while (j < b && j - i < LIST_DIGITS_MAX && s[j] >= '0' &&
                       s[j] <= '9')
                    j++;
                if (j < b && (s[j] == '.' || s[j] == ')')) {
                    char f = j + 1 < b ? s[j + 1] : ' ';
                    if (is_ws(f) || f == '\n' || f == '\r') {
                        qr_buf_append(out, s + i, j - i);
                        qr_buf_putc(out, '\\');
                        qr_buf_putc(out, s[j]);
                        i = j;
                        continue;
                    }
                }
            }
        }
        if (plain_byte(c)) {
            /* A run that needs no escape is copied whole: byte-at-a-time
             * output was most of expansion's time (by the profile). */
            size_t j = i + 1;
            while (j < b && plain_byte(s[j])) j++;
            qr_buf_append(out, s + i, j - i);
            i = j - 1;
            continue;
        }
        if (md_always(c)) qr_buf_putc(out, '\\');
        else if (c == ':' && i + 2 < b && s[i + 1] == '/' && s[i + 2] == '/')
            qr_buf_putc(out, '\\');
        else if (c == '.' && i >= a + 3 && strncasecmp(s + i - 3, "www", 3) == 0)
            qr_buf_putc(out, '\\');
        qr_buf_putc(out, c);
    }
}

/* ---------------------------------------------------------------- render */

static void render(rstate *rs, const tmpl *t, size_t from, size_t to,
                   const rctx *rc);

static bool name_is(const tmpl *t, const tok *k, const tmpl *t2, const tok *k2)
{
    return k->nlen == k2->nlen &&
           memcmp(t->src + k->name, t2->src + k2->name, k->nlen) == 0;
}

static void interpolate(rstate *rs, uint32_t fi, const tmpl *t, tok *k)
{
    const char *name = t->src + k->name;
    const cJSON *v = lookup(rs, name, k->nlen);
    char num[64];
    char *owned;
    const char *txt = v ? value_text(v, num, sizeof num, &owned) : NULL;
    if (!v) owned = NULL;
    if (!txt) {
        if (rs->strict && !rs->spec)
            tag_err(rs, t, k, "no value for '%.*s'", (int)k->nlen, name);
        return;
    }
    size_t start = rs->out.len;
    size_t n = strlen(txt);
    if (k->kind == T_RAW) qr_buf_append(&rs->out, txt, n);
    else if (rs->spec) html_escape(&rs->out, txt, n);
    else if (in_fenced_code(rs)) {
        code_escape(&rs->out, txt, n);
        if (rs->out.len > start) {
            QR_GROW(rs->code_at, rs->ncode, rs->ccode, 16);
            rs->code_at[rs->ncode++] = start;
        }
    }
    else qr_markdown_escape(&rs->out, txt, n, in_table_row(rs));
    out_fixed(rs, fi, k->off, start);
    if (owned) cJSON_free(owned);
}

/* Is `name` safe below the template directory? Returns an error message
 * (static) or NULL. */
static const char *bad_partial_name(const char *name)
{
    if (!name[0]) return "an empty name is not allowed";
    if (name[0] == '/') return "absolute paths are not allowed";
    const char *p = name;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == 2 && p[0] == '.' && p[1] == '.')
            return "'..' is not allowed in partial names";
        if (!e) break;
        p = e + 1;
    }
    return NULL;
}

static const char *extension(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot : "";
}

static tmpl *find_tmpl(rstate *rs, const char *key, int by_real)
{
    for (size_t i = 0; i < rs->ntmpls; i++) {
        tmpl *t = rs->tmpls[i];
        const char *k = by_real ? t->real : t->key;
        if (k && strcmp(k, key) == 0) return t;
    }
    return NULL;
}

/* The partial file `pname` for tag k of t: under the top-level template's
 * directory, by real path, read once per expansion. NULL as load_partial. */
static tmpl *load_file_partial(rstate *rs, const tmpl *t, tok *k,
                               const char *pname)
{
    const char *why = bad_partial_name(pname);
    if (why) {
        tag_err(rs, t, k, "partial '%s': %s", pname, why);
        return NULL;
    }
    char *path = qr_xasprintf("%s/%s%s", rs->root_dir, pname,
                              extension(t->name));
    tmpl *p = find_tmpl(rs, path, 0);
    if (p) {
        free(path);
        return p->ok ? p : NULL;
    }
    if (!rs->root_tried) {
        rs->root_tried = 1;
        rs->root_real = realpath(rs->root_dir, NULL);
    }
    char *real = realpath(path, NULL);
    if (!real && rs->spec && rs->root_real &&
        (errno == ENOENT || errno == ENOTDIR)) {
        /* the spec: a partial that is not found renders as the empty
         * string; Quire's own mode treats it as the typo it usually is */
        free(path);
        return NULL;
    }
    if (!real || !rs->root_real) {
        if (!real && (errno == ENOENT || errno == ENOTDIR || !rs->root_real))
            tag_err(rs, t, k, "partial '%s' not found: looked for %s", pname,
                    path);
        else
            tag_err(rs, t, k, "cannot read partial '%s' (%s): %s", pname, path,
                    qr_input_strerror(errno));
        goto fail;
    }
    size_t rl = strlen(rs->root_real);
    int inside = strcmp(rs->root_real, "/") == 0 ||
                 (strncmp(real, rs->root_real, rl) == 0 && real[rl] == '/');
    if (!inside) {
        tag_err(rs, t, k,
                "partial '%s' resolves outside the template directory: "
                "%s is %s", pname, path, real);
        goto fail;
    }
    p = find_tmpl(rs, real, 1);
    if (p) {
        free(real);
        free(path);
        return p->ok ? p : NULL;
    }
    size_t len;
    char *src = qr_input_read(real, QR_IN_PARTIAL, &len, QR_MAX_TEMPLATE_BYTES);
    if (!src) {
        if (errno == EFBIG)
            tag_err(rs, t, k, "partial '%s' (%s) is larger than %u bytes",
                    pname, path, QR_MAX_TEMPLATE_BYTES);
        else
            tag_err(rs, t, k, "cannot read partial '%s' (%s): %s", pname, path,
                    qr_input_strerror(errno));
        goto fail;
    }
    p = add_tmpl(rs, qr_xstrdup(path), path, src, len, 1, t, k->off);
    p->real = real;
    return p->ok ? p : NULL;
fail:
    free(real);
    free(path);
    return NULL;
}

/* The partial `pname` included by tag k of t: parsed template, or NULL
 * (missing in memory = empty, or an error was reported). */
static tmpl *load_partial(rstate *rs, const tmpl *t, tok *k,
                          const char *pname)
{
    if (rs->opts->partials) {
        char *key = qr_xasprintf("=%s", pname);
        tmpl *p = find_tmpl(rs, key, 0);
        if (p) {
            free(key);
            return p->ok ? p : NULL;
        }
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(rs->opts->partials,
                                                          pname);
        if (!cJSON_IsString(v) || !v->valuestring) {
            free(key);
            return NULL;
        }
        size_t len = strlen(v->valuestring);
        p = add_tmpl(rs, qr_xstrdup(pname), key,
                     qr_xstrndup(v->valuestring, len), len, 0, t, k->off);
        return p->ok ? p : NULL;
    }
    return load_file_partial(rs, t, k, pname);
}

static void chain_text(qr_buf *b, const inclchain *c)
{
    if (!c) return;
    chain_text(b, c->outer);
    if (b->len) qr_buf_puts(b, " > ");
    qr_buf_puts(b, c->name);
}

/* {{>name}} and {{<name}}...{{/name}} at token index i of t. */
static void include(rstate *rs, const tmpl *t, size_t i, const rctx *rc)
{
    tok *k = &t->toks[i];
    const char *name = t->src + k->name;
    char *pname;
    if (k->dynamic) {
        const cJSON *v = lookup(rs, name, k->nlen);
        if (!cJSON_IsString(v) || !v->valuestring) {
            if (rs->strict && !rs->spec)
                tag_err(rs, t, k, "no value for '%.*s'", (int)k->nlen, name);
            return;
        }
        pname = qr_xstrdup(v->valuestring);
    } else {
        pname = qr_xstrndup(name, k->nlen);
    }
    if (rc->pdepth >= QR_MAX_PARTIAL_DEPTH) {
        qr_buf b;
        qr_buf_init(&b);
        chain_text(&b, rc->chain);
        tag_err(rs, t, k, "partials nested deeper than %d: %s > %s",
                QR_MAX_PARTIAL_DEPTH, b.data ? b.data : "", pname);
        qr_buf_free(&b);
        free(pname);
        /* a recursion that deep is runaway: stop rather than report it
         * again down every branch (which can be exponentially many) */
        rs->over = 1;
        return;
    }
    tmpl *p = load_partial(rs, t, k, pname);
    if (p) {
        inclchain link = {pname, rc->chain};
        argframe frame = {t, i, rc->args};
        rctx n = *rc;
        size_t saved = rs->ind.len;
        if (k->standalone) {
            size_t s = rc->strip < k->indlen ? rc->strip : k->indlen;
            qr_buf_append(&rs->ind, t->src + k->ind + s, k->indlen - s);
        } else {
            /* An inline partial's lines take no indentation from around it,
             * as if the including text had been indented before parsing. */
            n.ioff = rs->ind.len;
        }
        n.strip = 0;
        n.pdepth++;
        n.chain = &link;
        if (k->kind == T_PARENT) n.args = &frame;
        render(rs, p, 0, p->ntok, &n);
        rs->ind.len = saved;
        if (rs->ind.data) rs->ind.data[saved] = '\0';
    }
    free(pname);
}

/* {{$name}}: the outermost argument for it, else its own default. */
static void block(rstate *rs, const tmpl *t, size_t i, const rctx *rc)
{
    const tok *k = &t->toks[i];
    const tmpl *at = NULL;
    size_t ai = 0;
    for (const argframe *f = rc->args; f; f = f->outer) {
        const tok *pt = &f->t->toks[f->tok];
        for (size_t j = f->tok + 1; j < pt->end; j++) {
            const tok *c = &f->t->toks[j];
            if (c->kind == T_BLOCK && name_is(t, k, f->t, c)) {
                at = f->t;
                ai = j;
            }
            if (c->kind == T_SECTION || c->kind == T_INVERTED ||
                c->kind == T_PARENT || c->kind == T_BLOCK)
                j = c->end;
        }
    }
    if (!at) {
        render(rs, t, i + 1, k->end, rc);
        return;
    }
    const tok *a = &at->toks[ai];
    rctx n = *rc;
    size_t saved = rs->ind.len;
    size_t s = rc->strip < k->indlen ? rc->strip : k->indlen;
    qr_buf_append(&rs->ind, t->src + k->ind + s, k->indlen - s);
    n.strip = a->def_indent;
    rs->skip_indent = k->inline_site;
    render(rs, at, ai + 1, a->end, &n);
    rs->skip_indent = 0;
    rs->ind.len = saved;
    if (rs->ind.data) rs->ind.data[saved] = '\0';
}

static void render(rstate *rs, const tmpl *t, size_t from, size_t to,
                   const rctx *rc)
{
    if (++rs->depth > RENDER_DEPTH_MAX) {
        tok *k = from < t->ntok ? &t->toks[from] : NULL;
        if (k) tag_err(rs, t, k, "template nesting deeper than %d levels",
                       RENDER_DEPTH_MAX);
        else err_at(rs, t, 0, "template nesting deeper than %d levels",
                    RENDER_DEPTH_MAX);
        rs->depth--;
        return;
    }
    uint32_t fi = tmpl_index(rs, t);
    for (size_t i = from; i < to && !rs->over; i++) {
        tok *k = &t->toks[i];
        if (++rs->steps > EXPAND_MAX_STEPS || rs->out.len > EXPAND_MAX_OUTPUT) {
            rs->over = 1;
            if (rs->steps > EXPAND_MAX_STEPS)
                tag_err(rs, t, k, "template expansion too large: more than "
                        "%u tags and text pieces rendered (sections or "
                        "partials that repeat each other?)", EXPAND_MAX_STEPS);
            else
                tag_err(rs, t, k, "template expansion too large: more than "
                        "%u bytes of output", EXPAND_MAX_OUTPUT);
            break;
        }
        if (k->kind == T_TEXT) {
            emit_text(rs, fi, t, k, rc);
            continue;
        }
        if (k->bol && !k->standalone && k->kind != T_CLOSE)
            line_start(rs, fi, k->off, rc);
        switch (k->kind) {
        case T_VAR:
        case T_RAW:
            interpolate(rs, fi, t, k);
            break;
        case T_SECTION: {
            const cJSON *v = lookup(rs, t->src + k->name, k->nlen);
            if (truthy(v)) {
                if (cJSON_IsArray(v)) {
                    for (const cJSON *c = v->child; c && !rs->over;
                         c = c->next) {
                        /* an empty body still costs a step per element */
                        if (++rs->steps > EXPAND_MAX_STEPS) {
                            rs->over = 1;
                            tag_err(rs, t, k, "template expansion too large: "
                                    "more than %u tags and text pieces "
                                    "rendered", EXPAND_MAX_STEPS);
                            break;
                        }
                        push_ctx(rs, c);
                        render(rs, t, i + 1, k->end, rc);
                        rs->nctx--;
                    }
                } else {
                    push_ctx(rs, v);
                    render(rs, t, i + 1, k->end, rc);
                    rs->nctx--;
                }
            }
            i = k->end;
            break;
        }
        case T_INVERTED: {
            const cJSON *v = lookup(rs, t->src + k->name, k->nlen);
            if (!truthy(v)) render(rs, t, i + 1, k->end, rc);
            i = k->end;
            break;
        }
        case T_PARTIAL:
            include(rs, t, i, rc);
            break;
        case T_PARENT:
            include(rs, t, i, rc);
            i = k->end;
            break;
        case T_BLOCK:
            block(rs, t, i, rc);
            i = k->end;
            break;
        default:
            break;
        }
    }
    rs->depth--;
}

/* ------------------------------------------------------------- the driver */

static void rstate_free(rstate *rs)
{
    qr_buf_free(&rs->out);
    qr_buf_free(&rs->ind);
    free(rs->code_at);
    free(rs->spans);
    for (size_t i = 0; i < rs->ntmpls; i++) tmpl_free(rs->tmpls[i]);
    free(rs->tmpls);
    free(rs->ctx);
    free(rs->root_dir);
    free(rs->root_real);
}

/* Takes ownership of src. */
static qr_expansion *expand(char *src, size_t len, const char *name,
                            const cJSON *data, const qr_expand_opts *opts,
                            qr_diags *d)
{
    static const qr_expand_opts defaults = {0, 0, NULL};
    rstate rs;
    memset(&rs, 0, sizeof rs);
    rs.opts = opts ? opts : &defaults;
    rs.spec = rs.opts->spec;
    rs.strict = rs.opts->strict && !rs.opts->spec;
    rs.d = d;
    if (!name) name = "<template>";
    rs.root_dir = qr_path_dir(name);
    qr_buf_init(&rs.out);
    qr_buf_init(&rs.ind);
    qr_buf_reserve(&rs.out, len + len / 2 + 16);
    rs.out.data[0] = '\0';

    tmpl *top = add_tmpl(&rs, qr_xstrdup(name), qr_xstrdup(name), src, len, 1,
                         NULL, 0);
    cJSON *empty = NULL;
    if (!data) data = empty = cJSON_CreateObject();
    if (top->ok) {
        push_ctx(&rs, data);
        rctx rc = {0, 0, NULL, NULL, 0};
        render(&rs, top, 0, top->ntok, &rc);
    }
    if (empty) cJSON_Delete(empty);
    if (rs.errors || !top->ok) {
        rstate_free(&rs);
        return NULL;
    }

    qr_expansion *e = qr_xcalloc(1, sizeof *e);
    e->len = rs.out.len;
    e->text = qr_buf_detach(&rs.out, NULL);
    e->spans = rs.spans;
    e->nspans = rs.nspans;
    e->tmpls = rs.tmpls;
    e->ntmpls = rs.ntmpls;
    e->code_at = rs.code_at;
    e->ncode = rs.ncode;
    rs.code_at = NULL;
    rs.spans = NULL;
    rs.tmpls = NULL;
    rs.ntmpls = 0;
    e->files = qr_xmalloc((e->ntmpls ? e->ntmpls : 1) * sizeof *e->files);
    for (size_t i = 0; i < e->ntmpls; i++) {
        tmpl *t = e->tmpls[i];
        free(t->toks);                  /* the source map needs no tokens */
        t->toks = NULL;
        t->ntok = t->captok = 0;
        if (t->is_file) e->files[e->nfiles++] = i;
    }
    size_t nl = 1;
    for (const char *p = e->text, *end = e->text + e->len;
         (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        nl++;
    e->out_lines = qr_xmalloc(nl * sizeof *e->out_lines);
    e->out_lines[e->nout_lines++] = 0;
    for (const char *p = e->text, *end = e->text + e->len;
         (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        e->out_lines[e->nout_lines++] = (size_t)(p - e->text) + 1;
    rstate_free(&rs);
    return e;
}

qr_expansion *qr_expand_string(const char *tpl, size_t len, const char *name,
                               const cJSON *data, const qr_expand_opts *opts,
                               qr_diags *d)
{
    return expand(qr_xstrndup(tpl ? tpl : "", tpl ? len : 0), tpl ? len : 0,
                  name, data, opts, d);
}

qr_expansion *qr_expand_file(const char *path, const cJSON *data,
                             const qr_expand_opts *opts, qr_diags *d)
{
    size_t len;
    char *src = qr_input_read(path, QR_IN_TEMPLATE, &len, QR_MAX_TEMPLATE_BYTES);
    if (!src) {
        if (errno == EFBIG)
            qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                        "template is larger than %u bytes",
                        QR_MAX_TEMPLATE_BYTES);
        else
            qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                        "cannot read template: %s", qr_input_strerror(errno));
        return NULL;
    }
    return expand(src, len, path, data, opts, d);
}

void qr_expansion_free(qr_expansion *e)
{
    if (!e) return;
    free(e->text);
    free(e->code_at);
    free(e->spans);
    for (size_t i = 0; i < e->ntmpls; i++) tmpl_free(e->tmpls[i]);
    free(e->tmpls);
    free(e->files);
    free(e->out_lines);
    free(e);
}

const char *qr_expansion_text(const qr_expansion *e, size_t *len)
{
    if (len) *len = e->len;
    return e->text;
}

bool qr_expansion_origin(const qr_expansion *e, size_t offset,
                         const char **file, int *line, int *col)
{
    if (!e || offset >= e->len || e->nspans == 0) return false;
    size_t lo = 0, hi = e->nspans;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->spans[mid].out <= offset) lo = mid;
        else hi = mid;
    }
    const span *sp = &e->spans[lo];
    if (offset < sp->out || offset >= sp->out + sp->len) return false;
    const tmpl *t = e->tmpls[sp->file];
    size_t src = sp->fixed ? sp->src : sp->src + (offset - sp->out);
    int l, c;
    tmpl_linecol(t, src, &l, &c);
    if (file) *file = t->name;
    if (line) *line = l;
    if (col) *col = c;
    return true;
}

bool qr_expansion_origin_line(const qr_expansion *e, int line,
                              const char **file, int *src_line, int *col)
{
    if (!e || line < 1 || (size_t)line > e->nout_lines) return false;
    return qr_expansion_origin(e, e->out_lines[line - 1], file, src_line, col);
}

size_t qr_expansion_ncode(const qr_expansion *e)
{
    return e ? e->ncode : 0;
}

int qr_expansion_code_line(const qr_expansion *e, size_t i, size_t *offset)
{
    if (!e || i >= e->ncode) return 0;
    size_t off = e->code_at[i];
    if (offset) *offset = off;
    /* the last line start at or before off */
    size_t lo = 0, hi = e->nout_lines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->out_lines[mid] <= off) lo = mid;
        else hi = mid;
    }
    return (int)lo + 1;
}

size_t qr_expansion_nfiles(const qr_expansion *e)
{
    return e ? e->nfiles : 0;
}

const char *qr_expansion_file(const qr_expansion *e, size_t i)
{
    if (!e || i >= e->nfiles) return NULL;
    return e->tmpls[e->files[i]]->name;
}
