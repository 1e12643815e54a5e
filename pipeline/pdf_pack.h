/* pdf_pack.h — private to the PDF stage: the last pass over the file
 * libharu saves (pdf_pack.c). Only pdf.c and its tests include it.
 *
 * Failure: qr_pdf_pack returns false, adding nothing, when its input is not
 * in the layout it reads; the PDF stage reports that as its own error.
 */
#ifndef QUIRE_PDF_PACK_H
#define QUIRE_PDF_PACK_H

#include <hpdf_version.h>

/* pdf.c reaches into libharu's structures and pdf_pack.c reads the exact
 * bytes libharu 2.3 writes. Another libharu may lay either out otherwise,
 * and the result would be a garbled PDF or a refused one at run time: so
 * building against any other version stops here, until both files have
 * been checked against it (and QR_LIBHARU_CHECKED raised to match). */
#define QR_LIBHARU_CHECKED_MAJOR 2
#define QR_LIBHARU_CHECKED_MINOR 3
#if HPDF_MAJOR_VERSION != QR_LIBHARU_CHECKED_MAJOR || \
    HPDF_MINOR_VERSION != QR_LIBHARU_CHECKED_MINOR
#error "libharu is not 2.3: check pdf.c and pdf_pack.c against it first"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "quire/pdf.h"
#include "quire/util.h"

/* ---- the PDF stage's appends, in line ----
 *
 * A page's content stream, the structure tree's text and the packed file
 * are written a few bytes at a time: an operator, a space, a key, a
 * number. qr_buf_puts and qr_buf_putc are calls into util.c (strlen, a
 * reserve, memcpy: each three calls more), about 70 instructions for
 * "Tm\n", which made them a tenth of the PDF stage's own work. These are
 * the same appends in line: for a literal the length is a constant and
 * the copy a store or two. The buffer stays terminated, as qr_buf's own
 * appends leave it. */
static inline __attribute__((always_inline)) void put_bytes(qr_buf *b,
                                                            const char *s,
                                                            size_t n)
{
    if (b->len + n + 1 > b->cap) qr_buf_reserve(b, n);
    if (n) memcpy(b->data + b->len, s, n);      /* s may be NULL when 0 */
    b->len += n;
    b->data[b->len] = '\0';
}

static inline __attribute__((always_inline)) void put_str(qr_buf *b,
                                                          const char *s)
{
    put_bytes(b, s, strlen(s));     /* a constant where s is a literal */
}

static inline __attribute__((always_inline)) void put_ch(qr_buf *b, char c)
{
    if (b->len + 2 > b->cap) qr_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

/* v in decimal (qr_put_dec) written straight into b. */
static inline void put_dec(qr_buf *b, size_t v)
{
    if (b->len + 24 > b->cap) qr_buf_reserve(b, 24);
    b->len += qr_put_dec(b->data + b->len, v);
    b->data[b->len] = '\0';
}

/* Data for a stream object that libharu wrote empty: a page's content,
 * which the PDF stage writes itself. */
typedef struct qr_pdf_subst {
    size_t obj;                 /* object number */
    const char *data;
    size_t len;
    bool flate;                 /* data is Flate-compressed already: written
                                   with /Filter /FlateDecode, as it is */
    bool zdone;                 /* z, zlen: data deflated already, as the
                                   pass would (qr_pdf_zq, qr_pdf_deflate),
                                   for the pass to use when it deflates
                                   this stream */
    const char *z;              /* NULL: deflating does not shrink it */
    size_t zlen;
} qr_pdf_subst;

/* data[0..len) deflated exactly as the pass deflates a stream (its
 * libdeflate level, kept only when smaller), for a stream whose deflated
 * bytes are kept beyond one render: qr_pdf_subst's z (malloc'd, the
 * caller's), and NULL when deflating does not shrink it. False when it
 * could not be tried (no memory): the pass must then deflate the stream
 * itself. */
bool qr_pdf_deflate(const char *data, size_t len, char **z, size_t *zlen);

/* Deflating streams on another core while the rest of the PDF is made.
 *
 * Deflate is a fifth of a render's instructions, and until now it all ran
 * at the end, in the pass, after every page was drawn, while the second
 * core sat idle. A stream's bytes are final long before: a font program
 * once embedded, a page's contents once the page is drawn. Queued then,
 * one helper thread deflates them while the main thread draws the next
 * pages, builds the structure tree and saves; qr_pdf_zq_finish deflates
 * what the helper has not started on the calling thread, and waits for the
 * rest. The bytes are those the pass would make itself (the same
 * libdeflate level over the same bytes, kept only when smaller): the
 * output does not change, only when it is computed. Data queued must stay
 * as it is until the queue is freed. */
typedef struct qr_pdf_zq qr_pdf_zq;
qr_pdf_zq *qr_pdf_zq_start(void);   /* NULL: no thread (then no queue) */
void qr_pdf_zq_add(qr_pdf_zq *q, const char *data, size_t len);
void qr_pdf_zq_finish(qr_pdf_zq *q);
/* After finish: sub->z/zlen/zdone from the entry queued with sub's data and
 * length, if any. */
void qr_pdf_zq_fill(const qr_pdf_zq *q, qr_pdf_subst *sub);
void qr_pdf_zq_free(qr_pdf_zq *q);

/* Objects libharu never saw, written by the pass after libharu's own and
 * numbered from libharu's object count: an imported appendix's fonts,
 * images and the rest (pdf.h, qr_pdf_obj). A plain object that libharu
 * wrote as a placeholder (an empty dictionary, or null) may also be given
 * its whole text through qr_pdf_subst (the object is not a stream and
 * data is its body). */
typedef struct qr_pdf_extra {
    size_t base;                /* the number of objs[0]: libharu's count */
    const qr_pdf_obj *objs;
    size_t n;
    size_t raw_below;           /* streams shorter than this are not
                                   deflated (0: all are) */
} qr_pdf_extra;

/* Rewrite a classic PDF as libharu 2.3.0 lays it out (every object plain,
 * numbered in order, an xref table) into a compact PDF 1.7 file:
 *  - every stream without a /Filter (libharu writes them raw: pdf.c turns
 *    its compression off) is deflated, except XMP metadata, which stays
 *    readable; a stream that would not shrink is kept as it is;
 *  - every other object goes into compressed object streams, with a
 *    cross-reference stream (ISO 32000-1 §7.5.7–7.5.8).
 *  - stream object subst[k].obj gets subst[k].data as its content (it must
 *    be empty in the input); a plain object gets it as its whole text;
 *  - extra->objs (NULL: none) become objects extra->base, base + 1, …,
 *    before the object streams; extra->base must be the input's object
 *    count, or the pass fails;
 * Deflation runs on up to `threads` threads (1 = none started).
 * Returns true with *out (malloc'd) and *outlen set, or false when the input
 * is not in libharu's layout: the PDF stage then fails, as libharu's file
 * lacks the contents the pass puts in. */
bool qr_pdf_pack(const char *in, size_t n, const qr_pdf_subst *subst,
                 size_t nsubst, const qr_pdf_extra *extra, int threads,
                 char **out, size_t *outlen);

/* The pass the PDF stage calls: qr_pdf_pack. A seam for the unit tests,
 * which point it at a failing pass to check that the stage fails closed;
 * nothing else changes it. */
typedef bool (*qr_pdf_pack_func)(const char *in, size_t n,
                                 const qr_pdf_subst *subst, size_t nsubst,
                                 const qr_pdf_extra *extra, int threads,
                                 char **out, size_t *outlen);
extern qr_pdf_pack_func qr_pdf_pack_fn;

#endif
