/* expand.h — the expand stage: a Mustache engine over cJSON producing
 * Markdown text plus a source map back to template file:line:col.
 *
 * Governed by the Mustache spec (tests/spec/mustache/): interpolation,
 * dotted names, sections, inverted sections, comments, partials,
 * set-delimiter, and the optional inheritance and dynamic names. Lambdas
 * cannot run in C.
 *
 * Two modes:
 *   - Quire mode (spec = 0): {{x}} escapes the value for Markdown so that it
 *     appears literally in the PDF; {{{x}}} and {{&x}} insert Markdown as is.
 *     With strict = 1 a name that resolves to nothing is an error
 *     "template.md:LINE:COL: error: no value for 'a.b'".
 *   - Spec mode (spec = 1): exactly the spec — {{x}} HTML-escapes, missing
 *     names render empty.
 * Sections: false, null, [] and "" are falsey (the spec leaves "" to the
 * host language; an empty field should not open its heading); 0 is truthy.
 * Dotted names may index arrays ("dates.0").
 * Partials: {{>name}} is the file `name` + the including template's
 * extension, looked up under the top-level template's directory; escapes
 * from that tree (.., absolute paths, symlinks) are errors; recursion is
 * capped at QR_MAX_PARTIAL_DEPTH. A partial file that does not exist is an
 * error in Quire mode and renders empty in spec mode, as the spec says.
 *
 * Failure: qr_expand_file and qr_expand_string return NULL after adding
 * errors; the source-map lookups return false when an offset has no known
 * origin.
 */
#ifndef QUIRE_EXPAND_H
#define QUIRE_EXPAND_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "quire/diag.h"

#define QR_MAX_PARTIAL_DEPTH 32     /* partial inclusion depth */
#define QR_MAX_SECTION_DEPTH 256    /* nested sections */
#define QR_MAX_TEMPLATE_BYTES (16u * 1024u * 1024u)

typedef struct qr_expand_opts {
    int spec;     /* 1: follow the Mustache spec exactly (see above) */
    int strict;   /* 1: missing names are errors (ignored when spec = 1) */
    /* Partials given in memory, an object of name -> template string (the
     * spec's "partials"; honoured in either mode, a missing name renders
     * empty); NULL to read partials from files. */
    const cJSON *partials;
} qr_expand_opts;

typedef struct qr_expansion qr_expansion;

/* Expand the template file at `path` against `data` (any JSON value; NULL
 * means an empty object). Returns NULL after adding errors. */
qr_expansion *qr_expand_file(const char *path, const cJSON *data,
                             const qr_expand_opts *opts, qr_diags *d);

/* Expand a template held in memory; `name` is the file name used in messages
 * and, for file partials, the path whose directory is the partial root. */
qr_expansion *qr_expand_string(const char *tpl, size_t len, const char *name,
                               const cJSON *data, const qr_expand_opts *opts,
                               qr_diags *d);

void qr_expansion_free(qr_expansion *e);    /* NULL is a no-op */

/* The expanded text (NUL-terminated), borrowed; *len may be NULL. */
const char *qr_expansion_text(const qr_expansion *e, size_t *len);

/* Source map: where byte `offset` of the expanded text came from. Returns
 * true and sets *file (borrowed), *line, *col for text copied from a template
 * or a value interpolated at a tag; false if unknown. */
bool qr_expansion_origin(const qr_expansion *e, size_t offset,
                         const char **file, int *line, int *col);

/* The same for a whole line of the expanded text (1-based), as reported by
 * later stages: the origin of the line's first byte. */
bool qr_expansion_origin_line(const qr_expansion *e, int line,
                              const char **file, int *src_line, int *col);

/* Values written inside what the expander took for a fenced code block
 * (line breaks made spaces, no backslash escapes): how many, and the
 * offset and 1-based line of value i in the expanded text (0: no such
 * value). The expander finds fences line by line; whoever parses the text
 * checks that each such value really is inside a code block, since a
 * value written as code anywhere else would be read as Markdown. */
size_t qr_expansion_ncode(const qr_expansion *e);
int qr_expansion_code_line(const qr_expansion *e, size_t i, size_t *offset);

/* Every template file read (the top-level one and each partial), for watch
 * and build. Borrowed strings. */
size_t qr_expansion_nfiles(const qr_expansion *e);
const char *qr_expansion_file(const qr_expansion *e, size_t i);

/* Escape a value for Markdown so that it renders literally (Quire mode's
 * {{x}}), appending to out. Every character that could start markup is
 * backslash-escaped ('|' always: harmless outside tables); list, heading
 * and setext markers at line starts too; "://" and "www." are broken so GFM
 * does not autolink. Newlines at either end are dropped; inner newlines
 * become hard line breaks, or spaces when `in_table` (a GFM cell cannot
 * span lines; the expander sets it when the output line starts with '|').
 * A leading blank run that would open a code block shrinks to one space. */
struct qr_buf;
void qr_markdown_escape(struct qr_buf *out, const char *s, size_t n,
                        int in_table);

#endif
