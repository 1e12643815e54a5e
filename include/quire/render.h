/* render.h — the paper orchestrator: runs the stages in order for one paper
 * (load → validate → derive → expand → parse → layout → pdf) and maps later
 * stages' diagnostics back to template lines through the source map.
 * Only this module, main.c and the pack/build orchestrators know the order
 * of stages.
 */
#ifndef QUIRE_RENDER_H
#define QUIRE_RENDER_H

#include <stdio.h>
#include "quire/diag.h"

typedef enum qr_dump {
    QR_DUMP_NONE,
    QR_DUMP_MD,      /* the expanded Markdown */
    QR_DUMP_DOC,     /* the document tree */
    QR_DUMP_PAGES    /* the display list */
} qr_dump;

typedef enum qr_stop {
    QR_STOP_PDF,     /* render: write the PDF */
    QR_STOP_EXPAND,  /* check: validate and expand only */
    QR_STOP_LAYOUT   /* lay out, write nothing */
} qr_stop;

typedef struct qr_render_req {
    const char *data_path;      /* NULL: no data (a plain Markdown file) */
    const char *template_path;  /* required */
    const char *style_path;     /* NULL: the default house style */
    const char *out_path;       /* required for QR_STOP_PDF */
    int strict;                 /* missing template names are errors */
    qr_stop stop;
    qr_dump dump;               /* print this product to dump_to */
    FILE *dump_to;
} qr_render_req;

/* Render one paper. Returns QR_OK, QR_EINPUT (bad data/template/style, with
 * errors in d) or QR_EOUTPUT (cannot write; the previous output is left as
 * it was). Warnings may be added on success. */
int qr_render(const qr_render_req *req, qr_diags *d);

/* The creation time for output: SOURCE_DATE_EPOCH when set and valid, else
 * `fallback` (e.g. a date from the data; -1 = none). */
long long qr_source_epoch(long long fallback);

#endif
