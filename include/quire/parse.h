/* parse.h — the parse stage: Markdown (CommonMark + GFM tables,
 * strikethrough, autolinks, task lists) into Quire's own document tree, so
 * that later stages never see cmark types.
 *
 * The tree is plain data owned by one arena: block nodes with children, and
 * leaf blocks (headings, paragraphs, table cells) holding a flat array of
 * inline runs, each run one style. Raw HTML is kept as literal text, except
 * the page directives: a line holding only <!-- pagebreak --> (also
 * \newpage), <!-- landscape --> or <!-- portrait --> becomes a
 * QR_BLK_PAGEBREAK, the last two with the orientation of the pages that
 * follow; <!-- contents --> becomes a QR_BLK_CONTENTS, where layout puts
 * the table of contents.
 *
 * Failure: qr_parse_markdown returns NULL after adding an error; the rest
 * cannot fail.
 */
#ifndef QUIRE_PARSE_H
#define QUIRE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "quire/diag.h"

#define QR_MAX_BLOCK_LINKS 5000     /* links in one paragraph, heading or cell */
#define QR_MAX_MARKDOWN_NESTING 64  /* nested lists/quotes kept; deeper is flattened with a warning */

typedef enum qr_block_kind {
    QR_BLK_DOCUMENT,
    QR_BLK_HEADING,      /* level 1-6; runs */
    QR_BLK_PARAGRAPH,    /* runs */
    QR_BLK_LIST,         /* ordered, start, tight; children are ITEMs */
    QR_BLK_ITEM,         /* task/checked; children are blocks */
    QR_BLK_QUOTE,        /* children are blocks */
    QR_BLK_CODE,         /* info, literal (fenced or indented) */
    QR_BLK_TABLE,        /* ncols, align; children are ROWs, header first */
    QR_BLK_TABLE_ROW,    /* header; children are CELLs */
    QR_BLK_TABLE_CELL,   /* runs */
    QR_BLK_THEMATIC_BREAK,
    QR_BLK_PAGEBREAK,
    QR_BLK_CONTENTS      /* the table of contents goes here */
} qr_block_kind;

/* PAGEBREAK: how the pages after the break are turned. */
typedef enum qr_orient {
    QR_ORIENT_SAME,      /* as the page before */
    QR_ORIENT_PORTRAIT,  /* the long side down the page */
    QR_ORIENT_LANDSCAPE  /* the long side across the page */
} qr_orient;

typedef enum qr_run_kind {
    QR_RUN_TEXT,         /* text in the run's style */
    QR_RUN_SOFTBREAK,    /* a line ending inside a paragraph: a space */
    QR_RUN_HARDBREAK,    /* a forced line break */
    QR_RUN_IMAGE         /* url = source, text = alt text */
} qr_run_kind;

/* Style flags of a run; a link also sets url and link. */
enum {
    QR_RUN_BOLD = 1u << 0,
    QR_RUN_ITALIC = 1u << 1,
    QR_RUN_CODE = 1u << 2,
    QR_RUN_STRIKE = 1u << 3,
    QR_RUN_LINK = 1u << 4
};

typedef struct qr_run {
    qr_run_kind kind;
    unsigned flags;
    const char *text;    /* UTF-8, NUL-terminated, never NULL */
    size_t len;
    const char *url;     /* link target or image source, else NULL */
    int link;            /* LINK: the link's number in its block (1, 2, ...
                            in source order), shared by all its runs: two
                            links to one target stay two links. Else 0 */
    int line;            /* source line in the Markdown (1-based), 0 unknown */
    int col;             /* IMAGE: its column on that line, 0 unknown */
} qr_run;

typedef struct qr_block {
    qr_block_kind kind;
    int line;            /* first source line in the Markdown (1-based) */
    int level;           /* HEADING: 1-6 */
    /* LIST */
    int ordered, start, tight;
    char delim;          /* ordered: '.' or ')'; bullet: '-', '*', '+' */
    /* ITEM */
    int task, checked;   /* task list item and its state */
    /* CODE */
    const char *info;    /* fence info string ("chart", "c", ...), "" if none */
    const char *literal; /* code text, ends with '\n' unless empty */
    size_t literal_len;
    /* TABLE */
    int ncols;
    const char *align;   /* ncols chars: 'l', 'c', 'r' or 'n' (none) */
    /* TABLE_ROW */
    int header;
    /* PAGEBREAK */
    qr_orient orient;
    /* HEADING, PARAGRAPH, TABLE_CELL */
    const qr_run *runs;
    size_t nruns;
    /* tree */
    const struct qr_block *parent, *first_child, *last_child, *next;
    size_t nchildren;
} qr_block;

typedef struct qr_doc qr_doc;

/* Parse md[0..len). `name` names the text in messages. Every Markdown text
 * is a document; returns NULL only after adding an error when the text is
 * not valid UTF-8 (with the byte offset) or a table exceeds the table
 * limits (README "Limits"). A link whose target is not http:, https:,
 * mailto: or #name is an error at its line and column, and its text is kept
 * as plain text (no run carries the target). Free with qr_doc_free. */
qr_doc *qr_parse_markdown(const char *md, size_t len, const char *name,
                          qr_diags *d);
void qr_doc_free(qr_doc *doc);               /* NULL is a no-op */

const qr_block *qr_doc_root(const qr_doc *doc);  /* the DOCUMENT, borrowed */

/* Is the run blank on the page: a line break, or text of only spaces and
 * tabs? Layout and the HTML back end both skip such runs when they ask
 * whether a block has text a reader sees. */
bool qr_run_blank(const qr_run *r);
/* Does the block have text a reader sees, not only images and blank runs?
 * Only such a paragraph is tagged and numbered, in the PDF and in HTML. */
bool qr_block_has_text(const qr_block *b);

/* Plain text of a leaf block's runs (for outlines, tests); appended to out. */
struct qr_buf;
void qr_block_text(const qr_block *b, struct qr_buf *out);

/* Stable text dump of the tree (--dump=doc), one node per line. */
void qr_doc_dump(const qr_doc *doc, FILE *f);

#endif
