/* diag.h — located diagnostics shared by every stage.
 *
 * A stage returns its product plus diagnostics in a qr_diags list; it never
 * prints and never exits. main.c prints the list once, in the form
 *
 *     file:line:col: error: message
 *      12 | the offending source line
 *         |        ^
 *
 * Data errors also carry a JSON pointer ("/action_plan/actions/3/due").
 *
 * Failure: A function that can fail returns false (or NULL for a product)
 * after adding at least one error to the caller's list
 * (docs/architecture.md, "How a function reports failure"). Nothing in this
 * header fails.
 */
#ifndef QUIRE_DIAG_H
#define QUIRE_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef enum qr_severity { QR_NOTE, QR_WARNING, QR_ERROR } qr_severity;

typedef struct qr_diag {
    qr_severity severity;
    char *file;      /* may be NULL */
    int line, col;   /* 1-based; 0 when unknown. col counts characters */
    char *path;      /* JSON pointer for data errors, else NULL */
    char *message;
    char *source;    /* the offending source line without newline, or NULL */
} qr_diag;

typedef struct qr_diags qr_diags;

qr_diags *qr_diags_new(void);
void qr_diags_free(qr_diags *d);              /* NULL is a no-op */

/* Add a diagnostic; strings are copied. file, path and source may be NULL. */
void qr_diag_add(qr_diags *d, qr_severity sev, const char *file, int line,
                 int col, const char *path, const char *source,
                 const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* Add a diagnostic located at byte `offset` of text[0..len): computes line,
 * column (in characters) and the source line. */
void qr_diag_at(qr_diags *d, qr_severity sev, const char *file,
                const char *text, size_t len, size_t offset,
                const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Compute 1-based line and character column of byte `offset` in text. */
void qr_text_linecol(const char *text, size_t len, size_t offset,
                     int *line, int *col);
/* Copy of line number `line` (1-based) of text, without newline; NULL if
 * there is no such line. Caller frees. */
char *qr_text_line(const char *text, size_t len, int line);

size_t qr_diags_len(const qr_diags *d);
const qr_diag *qr_diags_get(const qr_diags *d, size_t i);  /* borrowed */
size_t qr_diags_count(const qr_diags *d, qr_severity sev);
/* Move every diagnostic of src to the end of dst; src becomes empty. */
void qr_diags_move(qr_diags *dst, qr_diags *src);

/* Print every diagnostic in order to f, in the form above. */
void qr_diags_print(const qr_diags *d, FILE *f);
/* Format one diagnostic as its first line only ("file:line:col: error: m"). */
char *qr_diag_format(const qr_diag *g);

#endif
