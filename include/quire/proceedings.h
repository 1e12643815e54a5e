/* proceedings.h — the record of a meeting: its minutes, and for an
 * executive body the record of decisions, made from the `proceedings` block
 * of the meeting file (docs/meeting.md, "Minutes and decisions").
 *
 * The meeting file is loaded with the shared loader and every problem of
 * the proceedings is reported at file:line:col with its JSON pointer. The
 * document itself is a template (templates/minutes.md,
 * templates/decisions.md) rendered by qr_paper_render from a view of the
 * meeting: the view is the only data the template sees, so what it leaves
 * out — a private minute's text in public minutes — never reaches layout.
 *
 * Failure: qr_record_build is a command entry point and returns the exit
 * status (qr_status), after adding the errors it reports.
 */
#ifndef QUIRE_PROCEEDINGS_H
#define QUIRE_PROCEEDINGS_H

#include "quire/diag.h"
#include "quire/util.h"

typedef enum qr_record_kind {
    QR_RECORD_MINUTES,      /* quire minutes */
    QR_RECORD_DECISIONS     /* quire decisions */
} qr_record_kind;

typedef struct qr_record_req {
    qr_record_kind kind;
    const char *meeting_path;   /* the meeting JSON with `proceedings` */
    const char *template_path;  /* NULL: the one the meeting file names */
    const char *out_path;       /* the PDF, written atomically */
    int public_record;          /* minutes: withhold private items' text */
    int draft;                  /* stamp DRAFT on every page */
} qr_record_req;

/* Validate the proceedings and write the document. Returns QR_OK,
 * QR_EINPUT (bad meeting file or proceedings, template errors, an output
 * that is an input; nothing written) or QR_EOUTPUT. Minutes holding a
 * private item in full are marked NOT FOR PUBLICATION and written mode
 * 0600. *files (may be NULL) gets a NULL-terminated list of every file
 * read, freed with qr_strv_free. A command entry point: its result is the
 * exit status (docs/architecture.md). */
qr_status qr_record_build(const qr_record_req *req, qr_diags *d,
                          char ***files);

#endif
