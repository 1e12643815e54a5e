/* pack.h — the agenda pack orchestrator: a meeting file (docs/meeting.md)
 * in; one PDF out with a front sheet (summons), an agenda whose page numbers
 * match the pack (a bounded fixed point), every paper laid out by the same
 * pipeline as render, continuous page numbers and labels, and a bookmark
 * per item. With `public`, exempt items (Local Government Act 1972,
 * Schedule 12A) are replaced by a notice page and nothing of theirs reaches
 * the file. With html_dir the same pack is written as HTML pages (html.h):
 * the front sheet and agenda as index.html, linking each item's page.
 *
 * Failure: qr_pack_build returns a qr_status: it is the exit status of
 * `quire pack`.
 */
#ifndef QUIRE_PACK_H
#define QUIRE_PACK_H

#include <stdbool.h>
#include <stdio.h>
#include "quire/diag.h"
#include "quire/util.h"

typedef struct qr_pack_req {
    const char *meeting_path;   /* the meeting JSON */
    const char *out_path;       /* the PDF, written atomically; NULL with
                                   dump_pages: write nothing */
    int public_pack;            /* withhold exempt items */
    int draft;                  /* stamp DRAFT on every page */
    FILE *dump_pages;           /* print the pack's display list here
                                   (--dump=pages); NULL = no */
    const char *html_dir;       /* instead of the PDF: the pack as HTML
                                   pages in this folder (index.html, the
                                   agenda, and one page per paper) */
    int supplement;             /* n > 0: supplementary agenda n, the items
                                   published late for it, numbered on from
                                   the main pack; 0 = the main pack */
} qr_pack_req;

/* Build the pack. Returns QR_OK, QR_EINPUT (bad meeting file or a broken
 * item: the message names the item and its file; in a public pack, an open
 * item that reads an exempt item's files (docs/meeting.md); an output that
 * is an input or not a regular file — no PDF written in any case) or
 * QR_EOUTPUT. A full pack with an exempt item is written mode 0600. Every
 * input file read, images included, is appended to `files` (may be NULL)
 * for build and watch: a NULL-terminated array the caller frees with
 * qr_pack_files_free. */
qr_status qr_pack_build(const qr_pack_req *req, qr_diags *d, char ***files);
void qr_pack_files_free(char **files);

/* Whether `name`, a file in a pack's HTML folder, is of the kind the pack
 * writes there and so manages: its pages (index.html, item-*.html) and
 * copies of PDF appendices (item-*-appendix-*.pdf). Once the pack has
 * written its folder, every such file it did not write this time (an item
 * or appendix withdrawn, or now exempt) is removed, so that it does not
 * stay published beside the current ones; other files are left alone.
 * Build hashes the same set. */
bool qr_pack_html_file(const char *name);

#endif
