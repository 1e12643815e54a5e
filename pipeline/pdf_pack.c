/* pdf_pack.c — the PDF stage's last pass: from the classic file libharu
 * saves to a compact PDF 1.7 file.
 *
 * In:  the bytes of HPDF_SaveToStream with libharu's compression off:
 *      objects "N 0 obj\n…endobj\n" in number order, each stream as
 *      "<<\n/Length M 0 R\n…>>\nstream\r\n…\nendstream\n" with its length
 *      in object M, then an xref table and the trailer.
 * Out: the same objects. Streams get a direct /Length (the length objects
 *      go) and are deflated; every other object moves into compressed
 *      object streams, indexed by a cross-reference stream.
 * Governing spec: ISO 32000-1 §7.3.8 (streams), §7.4.4 (FlateDecode),
 *      §7.5.7 (object streams), §7.5.8 (cross-reference streams).
 *
 * Why here and not in libharu: deflating is most of the cost of writing a
 * paper. libharu deflates each stream with zlib at its default level, one
 * after another, as it saves. Here every stream and object stream is an
 * independent job for libdeflate (whole-buffer compression: at the same
 * level about twice zlib's speed, and slightly smaller output), run by a
 * few threads taking the biggest jobs first.
 */
#include "pdf_pack.h"
#include "quire/util.h"

#include <libdeflate.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libdeflate 1-12. Level 1 makes streams ~9 % larger than level 6 (zlib's
 * default) and costs less than half the time: on the benchmark report,
 * 59.2 KB for 65.3 M instructions against 54.5 KB for 73.6 M (deflate was a
 * fifth of the whole process). A paper of tens of kilobytes is no burden to
 * publish or keep; the time is paid on every render, preview and build. */
#define DEFLATE_LEVEL 1
#define OBJSTM_MAX 1000             /* objects per compressed object stream */
/* Less to deflate than this and one thread is faster: starting another
 * (its memory arena, its compressor, waking a core) costs about as much as
 * deflating 300 KB. */
#define THREAD_MIN_BYTES (1024 * 1024)
#define MAX_THREADS 8
#define PDF_HEADER "%PDF-1.7\n%\xB7\xBE\xAD\xAA\n"  /* binary marker line */

/* ---- deflating, in parallel ---- */

typedef struct zjob {
    const char *in;
    size_t n;
    char *out;                  /* deflated, when smaller than the input */
    size_t outlen;
    bool done;                  /* out, outlen made already (qr_pdf_zq) */
    bool borrowed;              /* out belongs to the queue, not the job */
} zjob;

typedef struct zpool {
    zjob **order;               /* the jobs, biggest first when shared */
    size_t njobs;
    atomic_size_t next;
} zpool;

/* in[0..n) deflated by c into a new *out when that is smaller (else *out
 * NULL: the stream is kept as it is). False when it could not be tried (no
 * compressor, no memory): the same bytes must then be tried again. */
static bool deflate_one(struct libdeflate_compressor *c, const char *in,
                        size_t n, char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    if (!c) return false;
    size_t bound = libdeflate_zlib_compress_bound(c, n);
    char *o = malloc(bound);
    if (!o) return false;
    size_t got = libdeflate_zlib_compress(c, in, n, o, bound);
    if (got > 0 && got < n) {
        *out = o;
        *outlen = got;
    } else {
        free(o);                    /* kept as it is */
    }
    return true;
}

bool qr_pdf_deflate(const char *data, size_t len, char **z, size_t *zlen)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(DEFLATE_LEVEL);
    bool tried = deflate_one(c, data, len, z, zlen);
    if (c) libdeflate_free_compressor(c);
    return tried;
}

/* The jobs left in zp, with compressor c (NULL: none could be made, the
 * jobs are kept as they are). */
static void run_jobs_with(zpool *zp, struct libdeflate_compressor *c)
{
    for (;;) {
        size_t k = atomic_fetch_add(&zp->next, 1);
        if (k >= zp->njobs) break;
        zjob *j = zp->order[k];
        if (!c || j->n == 0 || j->done) continue;
        deflate_one(c, j->in, j->n, &j->out, &j->outlen);
    }
}

/* A helper thread: a compressor of its own. */
static void *run_jobs(void *arg)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(DEFLATE_LEVEL);
    run_jobs_with(arg, c);
    if (c) libdeflate_free_compressor(c);
    return NULL;
}

static int bigger_first(const void *a, const void *b)
{
    size_t x = (*(zjob *const *)a)->n, y = (*(zjob *const *)b)->n;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The calling thread deflates with `own`, shared by the pass's two calls:
 * a level-6 compressor is a few hundred KB of fresh pages, and making a
 * second one for the cross-reference stream alone faulted them all in
 * again. */
static void deflate_all(zjob *jobs, size_t n, int threads,
                        struct libdeflate_compressor *own)
{
    if (!n) return;
    zpool zp = {.njobs = n};
    atomic_init(&zp.next, 0);
    zp.order = qr_xmalloc(n * sizeof *zp.order);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        zp.order[i] = &jobs[i];
        if (!jobs[i].done) total += jobs[i].n;
    }
    if (total < THREAD_MIN_BYTES) threads = 1;
    if ((size_t)threads > n) threads = (int)n;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    /* threads share best when the big jobs go first */
    if (threads > 1) qsort(zp.order, n, sizeof *zp.order, bigger_first);
    pthread_t tid[MAX_THREADS];
    int started = 0;
    for (int t = 1; t < threads; t++)
        if (pthread_create(&tid[started], NULL, run_jobs, &zp) == 0) started++;
    run_jobs_with(&zp, own);
    for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
    free(zp.order);
}

/* ---- deflating ahead, on a helper thread (pdf_pack.h) ---- */

typedef struct zq_entry {
    const char *in;
    size_t n;
    char *out;
    size_t outlen;
    bool done;                  /* out, outlen are deflate_one's */
} zq_entry;

struct qr_pdf_zq {
    pthread_mutex_t mu;
    pthread_cond_t more;        /* an entry added, or closing */
    zq_entry *e;                /* under mu: the helper holds no pointer
                                   into it while it deflates */
    size_t n, cap, next;        /* next: the first entry nobody took */
    bool closing, finished;
    bool cancel;                /* the PDF failed: nothing more to deflate */
    pthread_t helper;
};

/* Entries from q, first queued first, until it closes and none is left.
 * With mu held; c may be NULL (entries then stay not done). */
static void zq_drain(qr_pdf_zq *q, struct libdeflate_compressor *c)
{
    while (q->next < q->n) {
        if (q->cancel) {
            q->next = q->n;
            break;
        }
        size_t k = q->next++;
        const char *in = q->e[k].in;
        size_t n = q->e[k].n;
        pthread_mutex_unlock(&q->mu);
        char *out;
        size_t outlen;
        bool done = deflate_one(c, in, n, &out, &outlen);
        pthread_mutex_lock(&q->mu);
        q->e[k].out = out;
        q->e[k].outlen = outlen;
        q->e[k].done = done;
    }
}

static void *zq_helper(void *arg)
{
    qr_pdf_zq *q = arg;
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(DEFLATE_LEVEL);
    pthread_mutex_lock(&q->mu);
    for (;;) {
        zq_drain(q, c);
        if (q->closing) break;
        pthread_cond_wait(&q->more, &q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    if (c) libdeflate_free_compressor(c);
    return NULL;
}

qr_pdf_zq *qr_pdf_zq_start(void)
{
    qr_pdf_zq *q = qr_xcalloc(1, sizeof *q);
    if (pthread_mutex_init(&q->mu, NULL) != 0) {
        free(q);
        return NULL;
    }
    if (pthread_cond_init(&q->more, NULL) != 0) {
        pthread_mutex_destroy(&q->mu);
        free(q);
        return NULL;
    }
    if (pthread_create(&q->helper, NULL, zq_helper, q) != 0) {
        pthread_cond_destroy(&q->more);
        pthread_mutex_destroy(&q->mu);
        free(q);
        return NULL;
    }
    return q;
}

void qr_pdf_zq_add(qr_pdf_zq *q, const char *data, size_t len)
{
    if (!q || !data || len == 0) return;
    pthread_mutex_lock(&q->mu);
    if (!q->closing) {
        QR_GROW(q->e, q->n + 1, q->cap, 64);
        q->e[q->n++] = (zq_entry){.in = data, .n = len};
        pthread_cond_signal(&q->more);
    }
    pthread_mutex_unlock(&q->mu);
}

void qr_pdf_zq_finish(qr_pdf_zq *q)
{
    if (!q || q->finished) return;
    pthread_mutex_lock(&q->mu);
    q->closing = true;
    pthread_cond_signal(&q->more);
    /* what the helper has not reached, here: when its core is busy the
     * main thread must not wait for it */
    if (q->next < q->n) {
        struct libdeflate_compressor *c =
            libdeflate_alloc_compressor(DEFLATE_LEVEL);
        zq_drain(q, c);
        if (c) libdeflate_free_compressor(c);
    }
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->helper, NULL);  /* and the entries it was on */
    q->finished = true;
}

void qr_pdf_zq_fill(const qr_pdf_zq *q, qr_pdf_subst *sub)
{
    if (!q || !q->finished) return;
    for (size_t k = 0; k < q->n; k++) {
        const zq_entry *e = &q->e[k];
        if (e->in != sub->data || e->n != sub->len) continue;
        if (e->done) {
            sub->zdone = true;
            sub->z = e->out;
            sub->zlen = e->outlen;
        }
        return;
    }
}

void qr_pdf_zq_free(qr_pdf_zq *q)
{
    if (!q) return;
    if (!q->finished) {
        pthread_mutex_lock(&q->mu);
        q->cancel = true;
        pthread_mutex_unlock(&q->mu);
        qr_pdf_zq_finish(q);
    }
    for (size_t k = 0; k < q->n; k++) free(q->e[k].out);
    free(q->e);
    pthread_cond_destroy(&q->more);
    pthread_mutex_destroy(&q->mu);
    free(q);
}

/* ---- numbers, by hand ----
 *
 * Every object's "N 0 obj" header was formatted three times by snprintf
 * and its object-stream index entry by qr_buf_printf: 2.5 % of the
 * instructions of a 110-page render, for writing decimal numbers: now
 * qr_put_dec (util.h), which the structure tree's text uses too. */

/* "N 0 obj\n" into head (at least 32 bytes), terminated; its length. */
static size_t obj_head(char *head, size_t i)
{
    size_t n = qr_put_dec(head, i);
    memcpy(head + n, " 0 obj\n", 8);          /* with the NUL */
    return n + 7;
}

/* The length of obj_head's "N 0 obj\n" for object i. */
static size_t head_len(size_t i)
{
    size_t n = 1;
    for (; i >= 10; i /= 10) n++;
    return n + 7;
}

/* ---- reading libharu's layout ---- */

static bool parse_num(const char *s, size_t n, size_t *pos, size_t *v)
{
    size_t i = *pos, x = 0;
    if (i >= n || s[i] < '0' || s[i] > '9') return false;
    while (i < n && s[i] >= '0' && s[i] <= '9') x = x * 10 + (size_t)(s[i++] - '0');
    *pos = i;
    *v = x;
    return true;
}

static bool starts(const char *s, size_t n, size_t pos, const char *lit)
{
    size_t l = strlen(lit);
    return pos <= n && n - pos >= l && memcmp(s + pos, lit, l) == 0;
}

/* v big-endian in bytes bytes at o; returns the end. */
static char *put_be(char *o, size_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--) *o++ = (char)((v >> (8 * i)) & 0xFF);
    return o;
}

/* A stream object, taken apart. */
typedef struct stream_obj {
    size_t dict, dict_end;      /* "<<\n" … up to the ">>" line */
    size_t len_line, len_end;   /* its "/Length …\n" line */
    size_t body, body_len;
    const char *data;           /* the content: in + body, or a substitute */
    size_t job;                 /* index into the deflate jobs, or SIZE_MAX */
    bool whole;                 /* a plain object: data is all of it */
    bool flate;                 /* data is deflated already */
    const qr_pdf_obj *ext;      /* an extra stream: its dictionary */
    const qr_pdf_subst *pre;    /* its substitute, deflated already */
} stream_obj;

static const char STREAM_KW[] = ">>\nstream\r\n", ENDOBJ[] = "endobj\n",
                  ENDSTREAM[] = "\nendstream\n";

/* The value of object k when it is a plain integer ("k 0 obj\nV\nendobj\n"). */
static bool int_object(const char *in, const size_t *off, size_t k, size_t *v)
{
    size_t pos = off[k], end = off[k + 1], num;
    if (!parse_num(in, end, &pos, &num) || num != k ||
        !starts(in, end, pos, " 0 obj\n"))
        return false;
    pos += 7;
    if (!parse_num(in, end, &pos, v) || !starts(in, end, pos, "\n")) return false;
    return true;
}

/* Take stream object i apart; marks its length object free in kind[].
 * Returns false when it is not laid out as expected. */
static bool split_stream(const char *in, const size_t *off, int *kind,
                         size_t nobj, size_t i, size_t hl, stream_obj *s)
{
    size_t start = off[i] + hl, end = off[i + 1] - (sizeof ENDOBJ - 1);
    if (!starts(in, end, start, "<<\n")) return false;
    const char *kw = memmem(in + start, end - start, STREAM_KW, sizeof STREAM_KW - 1);
    if (!kw) return false;
    s->dict = start;
    s->dict_end = (size_t)(kw - in);
    s->body = s->dict_end + sizeof STREAM_KW - 1;
    size_t tail = end - (sizeof ENDSTREAM - 1);
    if (tail < s->body || memcmp(in + tail, ENDSTREAM, sizeof ENDSTREAM - 1) != 0)
        return false;
    s->body_len = tail - s->body;
    /* "/Length M 0 R" (libharu's form) or a direct "/Length N". */
    const char *ln = memmem(in + start + 2, s->dict_end - start - 2, "\n/Length ", 9);
    if (!ln) return false;
    s->len_line = (size_t)(ln - in) + 1;
    size_t pos = s->len_line + 8, v, len;
    if (!parse_num(in, s->dict_end, &pos, &v)) return false;
    if (starts(in, s->dict_end, pos, " 0 R\n")) {
        if (v == 0 || v >= nobj || kind[v] != 1 || !int_object(in, off, v, &len))
            return false;
        kind[v] = 0;                /* the length goes into the dict */
        pos += 5;
    } else if (starts(in, s->dict_end, pos, "\n")) {
        len = v;
        pos++;
    } else {
        return false;
    }
    s->len_end = pos;
    return len == s->body_len;
}

/* 1 when stream s is to be deflated: nothing filters it yet, and it is not
 * XMP metadata (left readable, as PDF/A readers expect). */
static bool wants_deflate(const char *in, const stream_obj *s)
{
    size_t n = s->dict_end - s->dict;
    return !memmem(in + s->dict, n, "\n/Filter", 8) &&
           !memmem(in + s->dict, n, "\n/Type /Metadata", 16);
}

/* /Filter (when deflated) and /Length, each followed by sep, then the
 * dict's end and the stream itself. */
static void put_body(qr_buf *res, const char *data, size_t n, const zjob *j,
                     char sep)
{
    /* by hand: qr_buf_printf was 1,500 instructions a stream */
    if (j && j->out) {
        put_str(res, "/Filter /FlateDecode");
        put_ch(res, sep);
        data = j->out;
        n = j->outlen;
    }
    put_str(res, "/Length ");
    put_dec(res, n);
    put_ch(res, sep);
    put_str(res, ">>\nstream\n");
    qr_buf_append(res, data, n);
    put_str(res, "\nendstream\nendobj\n");
}

static void put_stream(qr_buf *res, size_t num, const char *in,
                       const stream_obj *s, const zjob *j)
{
    put_dec(res, num);
    put_str(res, " 0 obj\n");
    if (s->ext) {
        qr_buf_puts(res, "<<\n");
        qr_buf_append(res, s->ext->text, s->ext->len);
        qr_buf_putc(res, '\n');
        put_body(res, s->data, s->body_len, j, '\n');
        return;
    }
    /* the dict without its /Length line */
    qr_buf_append(res, in + s->dict, s->len_line - s->dict);
    qr_buf_append(res, in + s->len_end, s->dict_end - s->len_end);
    /* libharu drops a /Filter it did not apply itself */
    if (s->flate) qr_buf_puts(res, "/Filter /FlateDecode\n");
    put_body(res, s->data, s->body_len, j, '\n');
}

/* An object stream or the xref stream: dict keys in head (without /Length
 * or /Filter), the data deflated when that is smaller. */
static void put_packed(qr_buf *res, const char *head, const char *data,
                       size_t n, const zjob *j)
{
    qr_buf_puts(res, head);
    qr_buf_putc(res, ' ');
    put_body(res, data, n, j, ' ');
}

/* Substitute k: a stream's empty content, or a plain object's text. */
static bool take_subst(stream_obj *so, const int *kind, size_t nobj,
                       const qr_pdf_subst *sub)
{
    size_t i = sub->obj;
    if (i == 0 || i >= nobj) return false;
    if (kind[i] == 2 && so[i].body_len != 0) return false;
    if (kind[i] != 1 && kind[i] != 2) return false;
    so[i].whole = kind[i] == 1;
    so[i].flate = kind[i] == 2 && sub->flate;
    so[i].data = sub->data;
    so[i].body_len = sub->len;
    so[i].pre = sub->zdone ? sub : NULL;
    return true;
}

/* The extra objects, numbered from nobj: streams (kind 2) or plain. */
static void take_extra(stream_obj *so, int *kind, size_t nobj,
                       const qr_pdf_extra *ex)
{
    for (size_t k = 0; ex && k < ex->n; k++) {
        const qr_pdf_obj *o = &ex->objs[k];
        size_t i = nobj + k;
        kind[i] = o->data ? 2 : 1;
        so[i].job = SIZE_MAX;
        so[i].whole = !o->data;
        so[i].ext = o->data ? o : NULL;
        so[i].data = o->data ? o->data : o->text;
        so[i].body_len = o->data ? o->data_len : o->len;
    }
}

bool qr_pdf_pack(const char *in, size_t n, const qr_pdf_subst *subst,
                 size_t nsubst, const qr_pdf_extra *extra, int threads,
                 char **out, size_t *outlen)
{
    enum { W1 = 1, W2 = 4, W3 = 2 };        /* xref stream field widths */
    /* libharu's table entries: "nnnnnnnnnn ggggg n\r\n". */
    enum { ENTRY = 20, ENTRY_TYPE = 17 };
    static const char STARTXREF[] = "startxref\n", XREF[] = "xref\n0 ",
                      TRAILER[] = "trailer\n<<\n";
    const size_t LSX = sizeof STARTXREF - 1, LEO = sizeof ENDOBJ - 1;
    /* startxref N %%EOF at the very end. */
    size_t tail = n > 64 ? n - 64 : 0, sx = 0, found = 0;
    for (size_t i = tail; i + LSX <= n; i++)
        if (memcmp(in + i, STARTXREF, LSX) == 0) sx = i, found = 1;
    if (!found) return false;
    size_t pos = sx + LSX, xoff, nobj;
    if (!parse_num(in, n, &pos, &xoff) || !starts(in, n, xoff, XREF))
        return false;
    pos = xoff + sizeof XREF - 1;
    if (!parse_num(in, n, &pos, &nobj) || !starts(in, n, pos, "\n") ||
        nobj < 2)
        return false;
    pos++;
    if (n - pos < nobj * ENTRY) return false;
    size_t nex = extra ? extra->n : 0, total = nobj + nex;
    if (nex && extra->base != nobj) return false;
    size_t *off = qr_xcalloc(nobj + 1, sizeof *off);
    int *kind = qr_xcalloc(total, sizeof *kind);    /* 0 free, 1 obj, 2 stream */
    size_t *slot = qr_xcalloc(total, sizeof *slot);  /* new offset / index */
    stream_obj *so = qr_xcalloc(total, sizeof *so);
    zjob *jobs = NULL;
    struct libdeflate_compressor *zc = NULL;
    size_t njobs = 0, nstm = 0, *stm_off = NULL, *stm_job = NULL;
    qr_buf res, *stm = NULL;
    char **stm_head = NULL;
    qr_buf_init(&res);
    bool written = false;
    for (size_t i = 0; i < nobj; i++) {
        size_t p = pos + i * ENTRY, v;
        if (!parse_num(in, n, &p, &v)) goto done;
        off[i] = v;
        kind[i] = in[pos + i * ENTRY + ENTRY_TYPE] == 'n';
    }
    size_t tr = pos + nobj * ENTRY;
    if (!starts(in, n, tr, TRAILER)) goto done;
    tr += sizeof TRAILER - 1;
    /* Objects are written in number order; each ends at the next. */
    off[nobj] = xoff;
    for (size_t i = 1; i < nobj; i++) {
        if (!kind[i] || off[i] >= off[i + 1]) goto done;
        char head[32];
        size_t hl = obj_head(head, i);
        size_t end = off[i + 1];
        if (!starts(in, n, off[i], head) || end - off[i] < hl + LEO ||
            memcmp(in + end - LEO, ENDOBJ, LEO) != 0)
            goto done;
        size_t blen = end - LEO - off[i] - hl;
        size_t les = sizeof ENDSTREAM - 2;          /* "endstream\n" */
        if (blen >= les && memcmp(in + end - LEO - les, ENDSTREAM + 1, les) == 0)
            kind[i] = 2;
    }
    /* Streams: taken apart (their length objects freed), deflate jobs. */
    jobs = qr_xcalloc(total + total / OBJSTM_MAX + 2, sizeof *jobs);
    for (size_t i = 1; i < nobj; i++) {
        if (kind[i] != 2) continue;
        size_t hl = head_len(i);
        if (!split_stream(in, off, kind, nobj, i, hl, &so[i])) goto done;
        so[i].job = SIZE_MAX;
        so[i].data = in + so[i].body;
    }
    for (size_t k = 0; k < nsubst; k++)
        if (!take_subst(so, kind, nobj, &subst[k])) goto done;
    take_extra(so, kind, nobj, extra);
    size_t raw_below = extra ? extra->raw_below : 0;
    for (size_t i = 1; i < total; i++) {
        if (kind[i] != 2 || so[i].body_len < raw_below) continue;
        if (so[i].ext ? so[i].ext->deflate
                      : !so[i].flate && wants_deflate(in, &so[i])) {
            so[i].job = njobs;
            jobs[njobs++] = (zjob){.in = so[i].data, .n = so[i].body_len};
            const qr_pdf_subst *pre = so[i].pre;
            if (pre && so[i].body_len > 0) {
                zjob *j = &jobs[njobs - 1];
                j->out = (char *)pre->z;
                j->outlen = pre->z ? pre->zlen : 0;
                j->done = j->borrowed = true;
            }
        }
    }
    /* Object streams: numbers total, total+1, ...; the xref stream last. */
    for (size_t i = 1; i < total;) {
        qr_buf idx, body;
        qr_buf_init(&idx);
        qr_buf_init(&body);
        size_t cnt = 0;
        for (; i < total && cnt < OBJSTM_MAX; i++) {
            if (kind[i] != 1) continue;
            put_dec(&idx, i);
            put_ch(&idx, ' ');
            put_dec(&idx, body.len);
            put_ch(&idx, ' ');
            if (so[i].whole) {
                put_bytes(&body, so[i].data, so[i].body_len);
                put_ch(&body, '\n');
            } else {
                size_t hl = head_len(i);
                put_bytes(&body, in + off[i] + hl,
                          off[i + 1] - LEO - off[i] - hl);
            }
            slot[i] = cnt++;
            kind[i] = (int)(3 + nstm);      /* which object stream holds it */
        }
        if (!cnt) {
            qr_buf_free(&idx);
            qr_buf_free(&body);
            break;
        }
        qr_buf_putc(&idx, '\n');
        size_t first = idx.len;
        qr_buf_append(&idx, body.data, body.len);
        qr_buf_free(&body);
        stm = qr_xrealloc(stm, (nstm + 1) * sizeof *stm);
        stm_head = qr_xrealloc(stm_head, (nstm + 1) * sizeof *stm_head);
        stm_job = qr_xrealloc(stm_job, (nstm + 1) * sizeof *stm_job);
        stm[nstm] = idx;
        stm_head[nstm] = qr_xasprintf("%zu 0 obj\n<< /Type /ObjStm /N %zu /First %zu",
                                      total + nstm, cnt, first);
        stm_job[nstm] = njobs;
        jobs[njobs++] = (zjob){.in = idx.data, .n = idx.len};
        nstm++;
    }
    zc = libdeflate_alloc_compressor(DEFLATE_LEVEL);
    deflate_all(jobs, njobs, threads, zc);

    qr_buf_puts(&res, PDF_HEADER);
    for (size_t i = 1; i < total; i++) {
        if (kind[i] != 2) continue;
        slot[i] = res.len;
        put_stream(&res, i, in, &so[i], so[i].job == SIZE_MAX ? NULL : &jobs[so[i].job]);
    }
    stm_off = qr_xcalloc(nstm + 1, sizeof *stm_off);
    for (size_t k = 0; k < nstm; k++) {
        stm_off[k] = res.len;
        put_packed(&res, stm_head[k], stm[k].data, stm[k].len, &jobs[stm_job[k]]);
    }
    size_t xref_no = total + nstm, size = xref_no + 1, xref_at = res.len;
    if (xref_at > 0xFFFFFFFFu) goto done;   /* beyond W2's four bytes */
    qr_buf tbl;
    qr_buf_init(&tbl);
    qr_buf_reserve(&tbl, size * (W1 + W2 + W3));
    char *o = tbl.data;
    for (size_t j = 0; j < size; j++) {
        if (j == 0) {
            o = put_be(o, 0, W1), o = put_be(o, 0, W2), o = put_be(o, 0xFFFF, W3);
        } else if (j >= total) {
            size_t at = j == xref_no ? xref_at : stm_off[j - total];
            o = put_be(o, 1, W1), o = put_be(o, at, W2), o = put_be(o, 0, W3);
        } else if (kind[j] == 2) {
            o = put_be(o, 1, W1), o = put_be(o, slot[j], W2), o = put_be(o, 0, W3);
        } else if (kind[j] >= 3) {
            o = put_be(o, 2, W1);
            o = put_be(o, total + (size_t)(kind[j] - 3), W2);
            o = put_be(o, slot[j], W3);
        } else {
            o = put_be(o, 0, W1), o = put_be(o, 0, W2), o = put_be(o, 0, W3);
        }
    }
    tbl.len = (size_t)(o - tbl.data);
    tbl.data[tbl.len] = '\0';
    zjob xj = {.in = tbl.data, .n = tbl.len};
    deflate_all(&xj, 1, 1, zc);
    qr_buf head;
    qr_buf_init(&head);
    qr_buf_printf(&head, "%zu 0 obj\n<< /Type /XRef /Size %zu /W [ %d %d %d ]\n",
                  xref_no, size, W1, W2, W3);
    /* The trailer's /Root, /Info and /ID lines move into the stream dict. */
    int ok = 1;
    while (tr < sx && !starts(in, n, tr, ">>\n")) {
        const char *nl = memchr(in + tr, '\n', sx - tr);
        if (!nl) {
            ok = 0;
            break;
        }
        size_t l = (size_t)(nl - (in + tr)) + 1;
        if (!starts(in, n, tr, "/Size ")) qr_buf_append(&head, in + tr, l);
        tr += l;
    }
    if (ok) {
        put_packed(&res, head.data, tbl.data, tbl.len, &xj);
        qr_buf_printf(&res, "startxref\n%zu\n%%%%EOF\n", xref_at);
        *out = qr_buf_detach(&res, outlen);
        written = true;
    }
    free(xj.out);
    qr_buf_free(&head);
    qr_buf_free(&tbl);
done:
    if (zc) libdeflate_free_compressor(zc);
    for (size_t j = 0; j < njobs; j++)
        if (!jobs[j].borrowed) free(jobs[j].out);
    for (size_t k = 0; k < nstm; k++) {
        qr_buf_free(&stm[k]);
        free(stm_head[k]);
    }
    free(stm);
    free(stm_head);
    free(stm_job);
    free(stm_off);
    free(jobs);
    free(so);
    free(off);
    free(kind);
    free(slot);
    qr_buf_free(&res);
    return written;
}

qr_pdf_pack_func qr_pdf_pack_fn = qr_pdf_pack;
