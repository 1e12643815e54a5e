/* parse.c — the parse stage.
 *
 * In:  expanded Markdown text (UTF-8), a name for messages.
 * Out: a qr_doc: Quire's own document tree in one arena (parse.h), plus
 *      diagnostics (invalid UTF-8 is an error; over-deep nesting a warning).
 * Governing specs: CommonMark 0.29 and the GitHub Flavored Markdown spec
 *      (tables, strikethrough, autolinks, task lists), as implemented by
 *      cmark-gfm 0.29.0.gfm.6. cmark-gfm parses; this file only converts.
 *
 * The conversion walks cmark's tree with its iterator, never by recursion,
 * because hostile input nests lists and quotes thousands deep. Lists and
 * quotes deeper than QR_MAX_MARKDOWN_NESTING are not kept: their content
 * flows into the deepest kept container (one warning per document). Inline
 * nodes flatten into runs: a stack of (flags, url, link) follows emphasis,
 * strong, strikethrough and links; adjacent text with the same style in the
 * same link merges.
 *
 * Dump format (qr_doc_dump, --dump=doc): one node per line, two spaces of
 * indentation per depth; a leaf block's runs are indented under it. Lines:
 *
 *   document
 *   heading level=N line=L
 *   paragraph line=L
 *   list bullet='-' tight=1 line=L
 *   list ordered start=N delim='.' tight=0 line=L
 *   item line=L                   item task checked=0|1 line=L
 *   quote line=L
 *   code info="..." line=L        followed by   literal "..."
 *   table ncols=N align="lcrn" line=L
 *   row header=0|1 line=L
 *   cell line=L
 *   thematic_break line=L
 *   pagebreak [landscape|portrait] line=L
 *   contents line=L
 *   run lines:  text "..." [bicsl] url="..."   (flags and url only if set;
 *               b bold, i italic, c code, s strike, l link)
 *               softbreak | hardbreak | image "alt" url="src"
 *
 * Strings are quoted with \" \\ \n \t and \xNN for other control bytes; all
 * other bytes are written as they are (UTF-8).
 */
#include "quire/parse.h"
#include "quire/util.h"

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Table limits (README.md "Limits"). cmark-gfm pads every row of a table to
 * the header's column count while it parses, so a wide header over many
 * short rows costs columns x rows cells however little text there is (48 KB
 * of Markdown can ask for 40 million cells and 9 GB). The limits are
 * therefore checked on the text, before cmark sees it; past them the
 * document is an error. A printed table wider than 100 columns is
 * unreadable on A4 anyway. */
#define MAX_TABLE_COLUMNS 100
#define MAX_TABLE_ROWS 100000
#define MAX_TABLE_CELLS 500000

/* Exported by libcmark-gfm-extensions but not declared in its headers. */
extern cmark_node_type CMARK_NODE_TABLE, CMARK_NODE_TABLE_ROW,
    CMARK_NODE_TABLE_CELL, CMARK_NODE_STRIKETHROUGH;

struct qr_doc {
    qr_arena *arena;
    qr_block *root;
};

/* One entry per open (non-leaf) cmark block node. */
typedef struct frame {
    qr_block *blk;        /* block made for the node; NULL when flattened */
    qr_block *container;  /* where child blocks go */
    int nests;            /* 1 if blk counts towards list/quote depth */
} frame;

/* One entry per open inline container (emphasis, link, ...). */
typedef struct style {
    unsigned flags;
    const char *url;
    int link;
} style;

typedef struct conv {
    qr_arena *arena;
    const char *name;
    qr_diags *d;
    const char *md;
    size_t len;
    size_t *line_start;   /* byte offset of each line, built on demand */
    size_t nlines;

    frame *frames;
    size_t nframes, frames_cap;
    int nest;             /* kept lists + quotes currently open */
    int warned;

    /* the leaf block collecting runs, NULL outside one */
    qr_block *leaf;
    qr_run *runs;
    size_t nruns, runs_cap;
    qr_buf text;          /* pending text run */
    int text_open;
    unsigned text_flags;
    const char *text_url;
    int text_link;
    int text_line;

    style *styles;
    size_t nstyles, styles_cap;
    unsigned flags;
    const char *url;
    int link;             /* the open link's number in the leaf, 0 none */
    int cur_line;

    size_t bad_links;     /* refused link targets, LINK_REPORTS_MAX located */
    const void *links_leaf; /* the block links are being counted in */
    size_t leaf_links;      /* and how many it has (QR_MAX_BLOCK_LINKS) */
    int image_depth;      /* > 0 inside an image: text goes to alt */
    qr_buf alt;
    const char *image_url;
    int image_line, image_col;
} conv;

/* ---- tree building ---- */

static qr_block *new_block(conv *c, qr_block_kind kind, int line)
{
    qr_block *b = qr_arena_alloc(c->arena, sizeof *b);
    b->kind = kind;
    b->line = line;
    b->info = "";
    b->literal = "";
    b->align = "";
    return b;
}

static void append_child(qr_block *parent, qr_block *child)
{
    child->parent = parent;
    if (parent->last_child)
        ((qr_block *)parent->last_child)->next = child;
    else
        parent->first_child = child;
    parent->last_child = child;
    parent->nchildren++;
}

static void push_frame(conv *c, qr_block *blk, qr_block *container, int nests)
{
    QR_GROW(c->frames, c->nframes, c->frames_cap, 64);
    c->frames[c->nframes++] = (frame){ blk, container, nests };
}

static qr_block *container(const conv *c)
{
    return c->frames[c->nframes - 1].container;
}

/* ---- source lines (for the bullet character and warnings) ---- */

static void build_lines(conv *c)
{
    if (c->line_start) return;
    size_t n = 1;
    for (size_t i = 0; i < c->len; i++)
        if (c->md[i] == '\n' ||
            (c->md[i] == '\r' && (i + 1 >= c->len || c->md[i + 1] != '\n')))
            n++;
    c->line_start = qr_xmalloc(n * sizeof *c->line_start);
    c->line_start[0] = 0;
    c->nlines = 1;
    for (size_t i = 0; i < c->len; i++)
        if (c->md[i] == '\n' ||
            (c->md[i] == '\r' && (i + 1 >= c->len || c->md[i + 1] != '\n')))
            c->line_start[c->nlines++] = i + 1;
}

/* Byte offset of cmark's (line, column): column is a 1-based byte offset
 * within the line. Clamped into the text. */
static size_t offset_of(conv *c, int line, int col)
{
    build_lines(c);
    if (line < 1) return 0;
    if ((size_t)line > c->nlines) return c->len;
    size_t off = c->line_start[line - 1] + (col > 0 ? (size_t)col - 1 : 0);
    return off < c->len ? off : c->len;
}

static char bullet_char(conv *c, cmark_node *list)
{
    size_t off = offset_of(c, cmark_node_get_start_line(list),
                           cmark_node_get_start_column(list));
    if (off < c->len && (c->md[off] == '-' || c->md[off] == '*' ||
                         c->md[off] == '+'))
        return c->md[off];
    return '-';
}

static void warn_nesting(conv *c, cmark_node *n)
{
    if (c->warned) return;
    c->warned = 1;
    if (!c->d) return;
    size_t off = offset_of(c, cmark_node_get_start_line(n),
                           cmark_node_get_start_column(n));
    qr_diag_at(c->d, QR_WARNING, c->name, c->md, c->len, off,
               "lists and block quotes nested more than %d deep are "
               "flattened into the level above",
               QR_MAX_MARKDOWN_NESTING);
}

/* ---- runs ---- */

static bool same_url(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

static qr_run *add_run(conv *c)
{
    QR_GROW(c->runs, c->nruns, c->runs_cap, 16);
    qr_run *r = &c->runs[c->nruns++];
    memset(r, 0, sizeof *r);
    r->text = "";
    return r;
}

static void flush_text(conv *c)
{
    if (!c->text_open) return;
    qr_run *r = add_run(c);
    r->kind = QR_RUN_TEXT;
    r->flags = c->text_flags;
    r->text = qr_arena_strndup(c->arena, c->text.data, c->text.len);
    r->len = c->text.len;
    r->url = c->text_url;
    r->link = c->text_link;
    r->line = c->text_line;
    c->text.len = 0;
    c->text_open = 0;
}

static void add_text(conv *c, const char *s, size_t n, unsigned flags,
                     int line)
{
    if (c->image_depth > 0) {
        qr_buf_append(&c->alt, s, n);
        return;
    }
    if (n == 0) return;
    if (c->text_open &&
        (c->text_flags != flags || !same_url(c->text_url, c->url) ||
         c->text_link != c->link))
        flush_text(c);
    if (!c->text_open) {
        c->text_open = 1;
        c->text_flags = flags;
        c->text_url = c->url;
        c->text_link = c->link;
        c->text_line = line;
    }
    qr_buf_append(&c->text, s, n);
}

static void add_break(conv *c, qr_run_kind kind, int line)
{
    if (c->image_depth > 0) {
        qr_buf_putc(&c->alt, ' ');
        return;
    }
    flush_text(c);
    qr_run *r = add_run(c);
    r->kind = kind;
    r->flags = c->flags;
    r->url = c->url;
    r->link = c->link;
    r->line = line;
}

static void begin_leaf(conv *c, qr_block *b)
{
    c->leaf = b;
    c->nruns = 0;
    c->text.len = 0;
    c->text_open = 0;
    c->nstyles = 0;
    c->flags = 0;
    c->url = NULL;
    c->link = 0;
    c->image_depth = 0;
    c->cur_line = b->line;
}

static void end_leaf(conv *c)
{
    qr_block *b = c->leaf;
    if (!b) return;
    flush_text(c);
    if (c->nruns) {
        qr_run *runs = qr_arena_alloc(c->arena, c->nruns * sizeof *runs);
        memcpy(runs, c->runs, c->nruns * sizeof *runs);
        b->runs = runs;
        b->nruns = c->nruns;
    }
    c->leaf = NULL;
    c->nruns = 0;
}

static void push_style(conv *c, unsigned add, const char *url)
{
    QR_GROW(c->styles, c->nstyles, c->styles_cap, 16);
    c->styles[c->nstyles++] = (style){ c->flags, c->url, c->link };
    c->flags |= add;
    if (url) c->url = url;
}

static void pop_style(conv *c)
{
    if (c->nstyles == 0) return;
    c->nstyles--;
    c->flags = c->styles[c->nstyles].flags;
    c->url = c->styles[c->nstyles].url;
    c->link = c->styles[c->nstyles].link;
}

/* ---- special blocks ---- */

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' ||
           ch == '\v';
}

/* Trim s[0..*n) of surrounding white space; returns the new start. */
static const char *trim(const char *s, size_t *n)
{
    while (*n && is_space(*s)) s++, (*n)--;
    while (*n && is_space(s[*n - 1])) (*n)--;
    return s;
}

/* The layout directives: a raw HTML block holding only one of these
 * comments, any case, any white space inside the comment. The first three
 * start a new page, "landscape" and "portrait" also turning the pages
 * that follow; "contents" is where the table of contents goes. */
static const struct {
    const char *word;
    qr_block_kind kind;
    qr_orient orient;
} page_directives[] = {
    {"pagebreak", QR_BLK_PAGEBREAK, QR_ORIENT_SAME},
    {"landscape", QR_BLK_PAGEBREAK, QR_ORIENT_LANDSCAPE},
    {"portrait", QR_BLK_PAGEBREAK, QR_ORIENT_PORTRAIT},
    {"contents", QR_BLK_CONTENTS, QR_ORIENT_SAME},
};

/* The index in page_directives of the comment s[0..n), or -1. */
static int page_directive(const char *s, size_t n)
{
    s = trim(s, &n);
    if (n < 7 || memcmp(s, "<!--", 4) != 0 || memcmp(s + n - 3, "-->", 3) != 0)
        return -1;
    const char *body = s + 4;
    size_t bn = n - 7;
    body = trim(body, &bn);
    for (size_t i = 0; i < sizeof page_directives / sizeof *page_directives;
         i++) {
        const char *w = page_directives[i].word;
        if (bn == strlen(w) && strncasecmp(body, w, bn) == 0) return (int)i;
    }
    return -1;
}

static bool is_newpage_paragraph(const qr_block *b)
{
    if (b->kind != QR_BLK_PARAGRAPH || b->nruns != 1) return false;
    const qr_run *r = &b->runs[0];
    if (r->kind != QR_RUN_TEXT || r->flags) return false;
    size_t n = r->len;
    const char *s = trim(r->text, &n);
    return n == 8 && memcmp(s, "\\newpage", 8) == 0;
}

/* Raw HTML blocks are shown as text: one paragraph, one text run per
 * source line with hard breaks between them, so layout never meets '\n'. */
static void html_block(conv *c, cmark_node *n, int line)
{
    const char *lit = cmark_node_get_literal(n);
    size_t len = lit ? strlen(lit) : 0;
    int dir = page_directive(lit ? lit : "", len);
    if (dir >= 0) {
        qr_block *pb = new_block(c, page_directives[dir].kind, line);
        pb->orient = page_directives[dir].orient;
        append_child(container(c), pb);
        return;
    }
    while (len && (lit[len - 1] == '\n' || lit[len - 1] == '\r')) len--;
    qr_block *p = new_block(c, QR_BLK_PARAGRAPH, line);
    append_child(container(c), p);
    begin_leaf(c, p);
    size_t i = 0;
    int l = line;
    while (i <= len) {
        size_t j = i;
        while (j < len && lit[j] != '\n') j++;
        size_t e = j;
        if (e > i && lit[e - 1] == '\r') e--;
        add_text(c, lit + i, e - i, 0, l);
        if (j >= len) break;
        add_break(c, QR_RUN_HARDBREAK, l);
        l++;
        i = j + 1;
    }
    end_leaf(c);
}

/* ---- the walk ---- */

static void enter_block(conv *c, cmark_node *n, cmark_node_type t, int line)
{
    qr_block *cont = container(c);
    qr_block *b = NULL;

    if (t == CMARK_NODE_BLOCK_QUOTE || t == CMARK_NODE_LIST) {
        if (c->nest >= QR_MAX_MARKDOWN_NESTING) {
            warn_nesting(c, n);
            push_frame(c, NULL, cont, 0);
            return;
        }
        if (t == CMARK_NODE_BLOCK_QUOTE) {
            b = new_block(c, QR_BLK_QUOTE, line);
        } else {
            b = new_block(c, QR_BLK_LIST, line);
            b->ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
            b->tight = cmark_node_get_list_tight(n);
            if (b->ordered) {
                b->start = cmark_node_get_list_start(n);
                b->delim = cmark_node_get_list_delim(n) == CMARK_PAREN_DELIM
                               ? ')' : '.';
            } else {
                b->delim = bullet_char(c, n);
            }
        }
        append_child(cont, b);
        c->nest++;
        push_frame(c, b, b, 1);
        return;
    }
    if (t == CMARK_NODE_ITEM) {
        /* An item of a flattened list is flattened too. */
        if (c->frames[c->nframes - 1].blk == NULL ||
            cont->kind != QR_BLK_LIST) {
            push_frame(c, NULL, cont, 0);
            return;
        }
        b = new_block(c, QR_BLK_ITEM, line);
        const char *ts = cmark_node_get_type_string(n);
        if (ts && strcmp(ts, "tasklist") == 0) {
            b->task = 1;
            b->checked = cmark_gfm_extensions_get_tasklist_item_checked(n);
        }
        append_child(cont, b);
        push_frame(c, b, b, 0);
        return;
    }
    if (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING) {
        b = new_block(c, t == CMARK_NODE_HEADING ? QR_BLK_HEADING
                                                 : QR_BLK_PARAGRAPH, line);
        if (t == CMARK_NODE_HEADING) b->level = cmark_node_get_heading_level(n);
        append_child(cont, b);
        push_frame(c, b, cont, 0);
        begin_leaf(c, b);
        return;
    }
    if (t == CMARK_NODE_TABLE) {
        b = new_block(c, QR_BLK_TABLE, line);
        int ncols = cmark_gfm_extensions_get_table_columns(n);
        const uint8_t *al = cmark_gfm_extensions_get_table_alignments(n);
        char *align = qr_arena_alloc(c->arena, (size_t)ncols + 1);
        for (int i = 0; i < ncols; i++) {
            uint8_t a = al ? al[i] : 0;
            align[i] = a == 'l' || a == 'c' || a == 'r' ? (char)a : 'n';
        }
        b->ncols = ncols;
        b->align = align;
        append_child(cont, b);
        push_frame(c, b, b, 0);
        return;
    }
    if (t == CMARK_NODE_TABLE_ROW) {
        b = new_block(c, QR_BLK_TABLE_ROW, line);
        b->header = cmark_gfm_extensions_get_table_row_is_header(n) != 0;
        if (cont->kind == QR_BLK_TABLE) append_child(cont, b);
        push_frame(c, b, b, 0);
        return;
    }
    if (t == CMARK_NODE_TABLE_CELL) {
        b = new_block(c, QR_BLK_TABLE_CELL, line);
        /* A row keeps exactly ncols cells: extra cells are not attached. */
        const qr_block *table = cont->parent;
        if (cont->kind == QR_BLK_TABLE_ROW && table &&
            cont->nchildren < (size_t)table->ncols)
            append_child(cont, b);
        push_frame(c, b, cont, 0);
        begin_leaf(c, b);
        return;
    }
    /* DOCUMENT is pushed by the caller; anything else (footnotes, custom
     * blocks) is transparent: its children flow into the container. */
    push_frame(c, NULL, cont, 0);
}

static void exit_block(conv *c, cmark_node_type t)
{
    if (c->nframes <= 1) return;   /* never pop the document */
    frame f = c->frames[--c->nframes];
    if (!f.blk) return;
    if (f.nests) c->nest--;
    qr_block *b = f.blk;
    if (b == c->leaf) {
        end_leaf(c);
        if (is_newpage_paragraph(b)) {
            b->kind = QR_BLK_PAGEBREAK;
            b->runs = NULL;
            b->nruns = 0;
        }
    }
    if (t == CMARK_NODE_TABLE_ROW && b->parent) {
        /* pad short rows so every row has exactly ncols cells */
        while (b->nchildren < (size_t)b->parent->ncols)
            append_child(b, new_block(c, QR_BLK_TABLE_CELL, b->line));
    }
}

/* Why a link target cannot be in a published paper, or NULL when it can.
 * A paper is a PDF that councils publish and send by email: a link may go
 * to the web (http, https), to an email address (mailto) or to a place in
 * the paper itself (#name). Any other scheme would reach into the reader's
 * machine (file:, smb:), run something (javascript:) or carry content of
 * its own (data:); a target with no scheme is relative to wherever the PDF
 * happens to be, which for an emailed PDF is nowhere. */
#define LINK_REPORTS_MAX 20

static const char *link_refusal(const char *u)
{
    if (u[0] == '#') return NULL;
    size_t k = 0;
    if ((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z')) {
        k = 1;
        while ((u[k] >= 'a' && u[k] <= 'z') || (u[k] >= 'A' && u[k] <= 'Z') ||
               (u[k] >= '0' && u[k] <= '9') || u[k] == '+' || u[k] == '-' ||
               u[k] == '.')
            k++;
        if (u[k] != ':') k = 0;
    }
    if (k == 0)
        return u[0] ? "has no scheme: a relative link cannot work in a PDF "
                      "that is published or emailed; write the full address "
                      "(https://...) or #name for a heading of this paper"
                    : "is empty";
    if ((k == 4 && strncasecmp(u, "http", 4) == 0) ||
        (k == 5 && strncasecmp(u, "https", 5) == 0) ||
        (k == 6 && strncasecmp(u, "mailto", 6) == 0))
        return NULL;
    return "uses a scheme that is not allowed: a paper may link only to "
           "http:, https: and mailto: addresses and #name places in itself";
}

/* A refused link is an error at its place in the Markdown, and its text
 * stays as plain text, so no stage after this one ever sees the target. */
static bool link_allowed(conv *c, cmark_node *n, const char *u)
{
    const char *why = link_refusal(u);
    if (!why) {
        /* every link is a Link element under its paragraph's element in
         * the structure tree, and the PDF writer cannot hold an element
         * with more children than its array limit; past the limit the
         * paragraph is an error at the first link over it, once */
        if (c->links_leaf != c->leaf) {
            c->links_leaf = c->leaf;
            c->leaf_links = 0;
        }
        if (++c->leaf_links <= QR_MAX_BLOCK_LINKS) return true;
        if (c->d && c->leaf_links == QR_MAX_BLOCK_LINKS + 1) {
            size_t off = offset_of(c, cmark_node_get_start_line(n),
                                   cmark_node_get_start_column(n));
            qr_diag_at(c->d, QR_ERROR, c->name, c->md, c->len, off,
                       "more than %d links in one paragraph, heading or "
                       "table cell: split it", QR_MAX_BLOCK_LINKS);
        }
        return false;
    }
    if (c->d && c->bad_links++ < LINK_REPORTS_MAX) {
        size_t off = offset_of(c, cmark_node_get_start_line(n),
                               cmark_node_get_start_column(n));
        size_t n = strlen(u);
        qr_diag_at(c->d, QR_ERROR, c->name, c->md, c->len, off,
                   "link to '%.*s%s' %s", (int)(n > 80 ? 80 : n), u,
                   n > 80 ? "..." : "", why);
    }
    return false;
}

static void inline_enter(conv *c, cmark_node *n, cmark_node_type t, int line)
{
    const char *lit;
    if (t == CMARK_NODE_TEXT) {
        lit = cmark_node_get_literal(n);
        if (lit) add_text(c, lit, strlen(lit), c->flags, line);
    } else if (t == CMARK_NODE_CODE) {
        lit = cmark_node_get_literal(n);
        if (lit) add_text(c, lit, strlen(lit), c->flags | QR_RUN_CODE, line);
    } else if (t == CMARK_NODE_HTML_INLINE) {
        /* shown literally; a tag may span lines: newlines become spaces */
        lit = cmark_node_get_literal(n);
        if (lit) {
            for (const char *p = lit; *p;) {
                size_t k = strcspn(p, "\r\n");
                add_text(c, p, k, c->flags, line);
                p += k;
                if (*p) {
                    add_text(c, " ", 1, c->flags, line);
                    p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
                }
            }
        }
    } else if (t == CMARK_NODE_SOFTBREAK) {
        add_break(c, QR_RUN_SOFTBREAK, c->cur_line);
        c->cur_line++;
    } else if (t == CMARK_NODE_LINEBREAK) {
        add_break(c, QR_RUN_HARDBREAK, c->cur_line);
        c->cur_line++;
    } else if (t == CMARK_NODE_EMPH) {
        push_style(c, QR_RUN_ITALIC, NULL);
    } else if (t == CMARK_NODE_STRONG) {
        push_style(c, QR_RUN_BOLD, NULL);
    } else if (t == CMARK_NODE_STRIKETHROUGH) {
        push_style(c, QR_RUN_STRIKE, NULL);
    } else if (t == CMARK_NODE_LINK) {
        const char *u = cmark_node_get_url(n);
        if (!u) u = "";
        if (link_allowed(c, n, u)) {
            push_style(c, QR_RUN_LINK, qr_arena_strdup(c->arena, u));
            c->link = (int)c->leaf_links;   /* counted by link_allowed */
        } else
            push_style(c, 0, NULL);
    } else if (t == CMARK_NODE_IMAGE) {
        push_style(c, 0, NULL);
        if (c->image_depth++ == 0) {
            const char *u = cmark_node_get_url(n);
            c->image_url = qr_arena_strdup(c->arena, u ? u : "");
            c->image_line = line;
            c->image_col = cmark_node_get_start_line(n) == line
                               ? cmark_node_get_start_column(n) : 0;
            c->alt.len = 0;
        }
    } else {
        /* unknown inline container (footnote reference, custom): no style */
        push_style(c, 0, NULL);
    }
}

static void inline_exit(conv *c, cmark_node_type t)
{
    if (t == CMARK_NODE_IMAGE && c->image_depth > 0 && --c->image_depth == 0) {
        /* inside a link the image keeps the link flag; url is the source */
        unsigned flags = c->flags;
        flush_text(c);
        qr_run *r = add_run(c);
        r->kind = QR_RUN_IMAGE;
        r->flags = flags;
        r->text = qr_arena_strndup(c->arena, c->alt.data ? c->alt.data : "",
                                   c->alt.len);
        r->len = c->alt.len;
        r->url = c->image_url;
        r->link = c->link;
        r->line = c->image_line;
        r->col = c->image_col;
    }
    pop_style(c);
}

static bool is_leaf_type(cmark_node_type t)
{
    /* cmark's iterator gives these an ENTER event only */
    return t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_THEMATIC_BREAK ||
           t == CMARK_NODE_CODE_BLOCK || t == CMARK_NODE_TEXT ||
           t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK ||
           t == CMARK_NODE_CODE || t == CMARK_NODE_HTML_INLINE;
}

static void convert(conv *c, cmark_node *root)
{
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(n);
        if (t == CMARK_NODE_DOCUMENT) continue;
        int line = cmark_node_get_start_line(n);
        int is_inline = (t & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_INLINE;

        if (is_inline) {
            if (!c->leaf) continue;   /* cannot happen with cmark's trees */
            if (line > 0) c->cur_line = line;
            else line = c->cur_line;
            if (ev == CMARK_EVENT_ENTER)
                inline_enter(c, n, t, line);
            else
                inline_exit(c, t);
            continue;
        }
        if (ev == CMARK_EVENT_EXIT) {
            exit_block(c, t);
            continue;
        }
        if (t == CMARK_NODE_CODE_BLOCK) {
            qr_block *b = new_block(c, QR_BLK_CODE, line);
            const char *info = cmark_node_get_fence_info(n);
            const char *lit = cmark_node_get_literal(n);
            b->info = qr_arena_strdup(c->arena, info ? info : "");
            b->literal = qr_arena_strdup(c->arena, lit ? lit : "");
            b->literal_len = strlen(b->literal);
            append_child(container(c), b);
        } else if (t == CMARK_NODE_THEMATIC_BREAK) {
            append_child(container(c),
                         new_block(c, QR_BLK_THEMATIC_BREAK, line));
        } else if (t == CMARK_NODE_HTML_BLOCK) {
            html_block(c, n, line);
        } else if (!is_leaf_type(t)) {
            enter_block(c, n, t, line);
        }
    }
    cmark_iter_free(it);
}

/* ---- table limits, on the text ---- */

/* Line s[0..n) without container prefixes (blanks and '>' of quotes) and
 * trailing blanks. */
static void strip_line(const char **s, size_t *n)
{
    const char *p = *s, *e = *s + *n;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '>')) p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
    *s = p;
    *n = (size_t)(e - p);
}

/* The cell count of a GFM delimiter row ("| --- | :-: |"), 0 if the line
 * is not one. A row with no pipe is a setext underline or a rule. */
static size_t delimiter_cells(const char *s, size_t n)
{
    int pipe = 0, dash = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '|') pipe = 1;
        else if (c == '-') dash = 1;
        else if (c != ':' && c != ' ' && c != '\t') return 0;
    }
    if (!pipe || !dash) return 0;
    size_t a = 0, b = n, cells = 1;
    if (s[a] == '|') a++;
    if (b > a && s[b - 1] == '|') b--;
    for (size_t i = a; i < b; i++) cells += s[i] == '|';
    return cells;
}

/* Check every table-like run of lines against the limits: a delimiter row
 * and the non-blank lines after it (an upper bound on the table's body:
 * cmark may end it earlier). Linear: each line is looked at once or twice.
 * Returns false after adding an error. */
static bool check_tables(const char *md, size_t len, const char *name,
                        qr_diags *d)
{
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(md + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - md) : len;
        const char *s = md + pos;
        size_t n = end - pos;
        strip_line(&s, &n);
        size_t cols = n ? delimiter_cells(s, n) : 0;
        size_t at = pos;
        pos = nl ? end + 1 : len;
        if (!cols) continue;
        if (cols > MAX_TABLE_COLUMNS) {
            if (d)
                qr_diag_at(d, QR_ERROR, name, md, len, at,
                           "table has %zu columns: more than the limit of %d",
                           cols, MAX_TABLE_COLUMNS);
            return false;
        }
        size_t rows = 1;                       /* the header row */
        while (pos < len) {
            nl = memchr(md + pos, '\n', len - pos);
            end = nl ? (size_t)(nl - md) : len;
            s = md + pos;
            n = end - pos;
            strip_line(&s, &n);
            if (!n) break;                     /* a blank line ends a table */
            rows++;
            pos = nl ? end + 1 : len;
        }
        if (rows > MAX_TABLE_ROWS || rows * cols > MAX_TABLE_CELLS) {
            if (d)
                qr_diag_at(d, QR_ERROR, name, md, len, at,
                           "table has %zu rows of %zu columns: more than the "
                           "limit of %d rows or %d cells", rows, cols,
                           MAX_TABLE_ROWS, MAX_TABLE_CELLS);
            return false;
        }
    }
    return true;
}

qr_doc *qr_parse_markdown(const char *md, size_t len, const char *name,
                          qr_diags *d)
{
    if (!md) len = 0;
    size_t bad = md ? qr_utf8_check(md, len) : (size_t)-1;
    if (bad != (size_t)-1) {
        if (d)
            qr_diag_at(d, QR_ERROR, name, md, len, bad,
                       "invalid UTF-8 at byte %zu: Markdown text must be "
                       "UTF-8", bad);
        return NULL;
    }
    if (md && !check_tables(md, len, name, d)) return NULL;

    cmark_gfm_core_extensions_ensure_registered();
    cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
    static const char *const exts[] = { "table", "strikethrough", "autolink",
                                        "tasklist" };
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);
        if (e) cmark_parser_attach_syntax_extension(p, e);
    }
    if (len) cmark_parser_feed(p, md, len);
    cmark_node *root = cmark_parser_finish(p);

    qr_doc *doc = qr_xcalloc(1, sizeof *doc);
    doc->arena = qr_arena_new();

    conv c;
    memset(&c, 0, sizeof c);
    c.arena = doc->arena;
    c.name = name;
    c.d = d;
    c.md = md ? md : "";
    c.len = len;
    qr_buf_init(&c.text);
    qr_buf_init(&c.alt);
    doc->root = new_block(&c, QR_BLK_DOCUMENT, 1);
    push_frame(&c, doc->root, doc->root, 0);

    convert(&c, root);
    end_leaf(&c);   /* defensive: a leaf left open by an odd tree */
    if (d && c.bad_links > LINK_REPORTS_MAX)
        qr_diag_add(d, QR_ERROR, name, 0, 0, NULL, NULL,
                    "%zu more links with a target that is not allowed",
                    c.bad_links - LINK_REPORTS_MAX);

    free(c.frames);
    free(c.runs);
    free(c.styles);
    free(c.line_start);
    qr_buf_free(&c.text);
    qr_buf_free(&c.alt);
    cmark_node_free(root);
    cmark_parser_free(p);
    return doc;
}

void qr_doc_free(qr_doc *doc)
{
    if (!doc) return;
    qr_arena_free(doc->arena);
    free(doc);
}

const qr_block *qr_doc_root(const qr_doc *doc)
{
    return doc ? doc->root : NULL;
}

bool qr_run_blank(const qr_run *r)
{
    if (r->kind == QR_RUN_SOFTBREAK || r->kind == QR_RUN_HARDBREAK) return true;
    if (r->kind != QR_RUN_TEXT) return false;
    for (size_t i = 0; i < r->len; i++)
        if (r->text[i] != ' ' && r->text[i] != '\t') return false;
    return true;
}

bool qr_block_has_text(const qr_block *b)
{
    for (size_t i = 0; i < b->nruns; i++)
        if (b->runs[i].kind != QR_RUN_IMAGE && !qr_run_blank(&b->runs[i]))
            return true;
    return false;
}

void qr_block_text(const qr_block *b, qr_buf *out)
{
    if (!b) return;
    for (size_t i = 0; i < b->nruns; i++) {
        const qr_run *r = &b->runs[i];
        if (r->kind == QR_RUN_TEXT || r->kind == QR_RUN_IMAGE)
            qr_buf_append(out, r->text, r->len);
        else
            qr_buf_putc(out, ' ');
    }
}

/* ---- dump ---- */

static void dump_str(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch == '\n') fputs("\\n", f);
        else if (ch == '\t') fputs("\\t", f);
        else if (ch < 0x20 || ch == 0x7f) fprintf(f, "\\x%02x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

static void indent(FILE *f, int depth)
{
    for (int i = 0; i < depth; i++) fputs("  ", f);
}

static void dump_runs(FILE *f, const qr_block *b, int depth)
{
    static const char letters[] = "bicsl";  /* order of the QR_RUN_ flags */
    for (size_t i = 0; i < b->nruns; i++) {
        const qr_run *r = &b->runs[i];
        indent(f, depth);
        switch (r->kind) {
        case QR_RUN_SOFTBREAK: fputs("softbreak", f); break;
        case QR_RUN_HARDBREAK: fputs("hardbreak", f); break;
        case QR_RUN_IMAGE: fputs("image ", f); dump_str(f, r->text, r->len); break;
        case QR_RUN_TEXT: fputs("text ", f); dump_str(f, r->text, r->len); break;
        }
        if (r->kind == QR_RUN_TEXT && r->flags) {
            fputs(" [", f);
            for (unsigned k = 0; letters[k]; k++)
                if (r->flags & (1u << k)) fputc(letters[k], f);
            fputc(']', f);
        }
        if (r->url && (r->kind == QR_RUN_TEXT || r->kind == QR_RUN_IMAGE)) {
            fputs(" url=", f);
            dump_str(f, r->url, strlen(r->url));
        }
        fputc('\n', f);
    }
}

static void dump_block(FILE *f, const qr_block *b, int depth)
{
    indent(f, depth);
    switch (b->kind) {
    case QR_BLK_DOCUMENT: fputs("document\n", f); return;
    case QR_BLK_HEADING: fprintf(f, "heading level=%d", b->level); break;
    case QR_BLK_PARAGRAPH: fputs("paragraph", f); break;
    case QR_BLK_LIST:
        if (b->ordered)
            fprintf(f, "list ordered start=%d delim='%c' tight=%d", b->start,
                    b->delim, b->tight);
        else
            fprintf(f, "list bullet='%c' tight=%d", b->delim, b->tight);
        break;
    case QR_BLK_ITEM:
        if (b->task) fprintf(f, "item task checked=%d", b->checked);
        else fputs("item", f);
        break;
    case QR_BLK_QUOTE: fputs("quote", f); break;
    case QR_BLK_CODE:
        fputs("code info=", f);
        dump_str(f, b->info, strlen(b->info));
        break;
    case QR_BLK_TABLE:
        fprintf(f, "table ncols=%d align=\"%s\"", b->ncols, b->align);
        break;
    case QR_BLK_TABLE_ROW: fprintf(f, "row header=%d", b->header); break;
    case QR_BLK_TABLE_CELL: fputs("cell", f); break;
    case QR_BLK_THEMATIC_BREAK: fputs("thematic_break", f); break;
    case QR_BLK_PAGEBREAK:
        fputs("pagebreak", f);
        if (b->orient == QR_ORIENT_LANDSCAPE) fputs(" landscape", f);
        if (b->orient == QR_ORIENT_PORTRAIT) fputs(" portrait", f);
        break;
    case QR_BLK_CONTENTS: fputs("contents", f); break;
    }
    fprintf(f, " line=%d\n", b->line);
    if (b->kind == QR_BLK_CODE) {
        indent(f, depth + 1);
        fputs("literal ", f);
        dump_str(f, b->literal, b->literal_len);
        fputc('\n', f);
    }
    dump_runs(f, b, depth + 1);
}

void qr_doc_dump(const qr_doc *doc, FILE *f)
{
    const qr_block *b = qr_doc_root(doc);
    int depth = 0;
    /* pre-order walk through parent links: no recursion */
    while (b) {
        dump_block(f, b, depth);
        if (b->first_child) {
            b = b->first_child;
            depth++;
            continue;
        }
        while (b && !b->next) {
            b = b->parent;
            depth--;
        }
        if (b) b = b->next;
    }
}
