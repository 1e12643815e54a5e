/* html.h — the HTML back end: the parsed document tree (parse.h) and the
 * house style in, one self-contained HTML5 page out — the accessible copy
 * of a paper, for the web and for screen readers.
 *
 * It is fed what the PDF is fed (the same expanded, parsed document, the
 * same chart blocks parsed by the chart stage, the same images read once
 * through image.h), never the PDF's display list: HTML has its own flow,
 * so it keeps the document's structure rather than reconstructing it from
 * positioned text. What the PDF numbers, HTML numbers the same way
 * (sections and council paragraph numbers when the style asks); what the
 * PDF draws as page furniture (running heads, page numbers) HTML leaves
 * out.
 *
 * Everything from the document is escaped: text and attributes are
 * written through qr_html_escape, and a link's target only when
 * qr_html_href_allowed says so (the schemes a paper may use), so no value
 * from the data can add a tag, an attribute or a script.
 *
 * Failure: qr_html_render returns false after adding an error (the page
 * is still made, for the caller to drop); escaping cannot fail and
 * qr_html_href_allowed is a question.
 */
#ifndef QUIRE_HTML_H
#define QUIRE_HTML_H

#include <stddef.h>
#include "quire/diag.h"
#include "quire/parse.h"
#include "quire/style.h"

typedef struct qr_html_meta {
    const char *title;     /* <title>; NULL or "" = the first heading's text */
    const char *lang;      /* <html lang>; NULL = the style's */
    const char *subject;   /* the meeting, <meta name="description">; NULL */
    const char *author;    /* <meta name="author">; NULL */
    int exempt;            /* NOT FOR PUBLICATION above the paper; noindex */
    int draft;             /* DRAFT above the paper */
    const char *base_dir;  /* images resolve here and must stay inside it
                              (image.h); NULL = the working directory */
    const char *mark;      /* the mark above the paper; NULL: NOT FOR
                              PUBLICATION when exempt, else none */
    /* Links to places the page does not hold (an agenda's items, each on a
     * page of its own): an href equal to links_from[i] ("#item-5") is
     * written as links_to[i] ("item-5.html"). The targets are the
     * caller's, not the document's: they are written as given. */
    const char *const *links_from, *const *links_to;
    size_t nlinks;
    /* A second document put after the first, inside <main>, without
     * section or paragraph numbers (the paper's style numbers the paper,
     * not what the caller adds): an agenda pack's list of an item's
     * appendices, or a paper appendix's link back to its item. NULL: none.
     * Its links are looked up in links_from as the first's are. */
    const qr_doc *after;
} qr_html_meta;

/* Write the page for doc into *out (caller frees; *len its length).
 * Diagnostics of chart blocks and images carry lines of `md_name`, as
 * layout's do, for the caller to relocate. Returns true, or false after
 * adding an error (a chart block that does not parse, an image refused or
 * unreadable): the page is still made (the block as code, the image left
 * out), but the caller must not publish it. */
bool qr_html_render(const qr_doc *doc, const qr_style *style,
                    const qr_html_meta *meta, const char *md_name,
                    qr_diags *d, char **out, size_t *len);

/* Append s[0..n) escaped for HTML text and for a quoted attribute value:
 * & < > " ' as character references; control characters other than tab
 * and line ends, which HTML forbids, as U+FFFD. */
struct qr_buf;
void qr_html_escape(struct qr_buf *b, const char *s, size_t n);

/* True when a link to url may be written as an href: http:, https:, mailto:
 * (any case) or #name — judged as a browser reads the attribute, so
 * "java\tscript:" or " javascript:" (tabs and newlines removed, leading
 * spaces and controls skipped) is refused. */
bool qr_html_href_allowed(const char *url);

/* The WCAG contrast ratio of two colours (1 to 21). */
double qr_html_contrast(qr_rgb a, qr_rgb b);

#endif
