/* appendix.c — PDF appendices, and the only user of libqpdf: open, check
 * and describe one from its bytes (qr_appendix_open), and the imported
 * pages the PDF stage draws onto the pack's placeholders
 * (qr_appendix_imports_new). See appendix.h and docs/architecture.md, "Imported
 * appendices".
 *
 * libqpdf is used through its C API (qpdf/qpdf-c.h). Every handle function
 * of that API reports failure by storing an error in the qpdf_data rather
 * than returning it, so the code below calls the API in short runs and
 * then asks pending_problem; errors are silenced and warnings suppressed
 * so that the library never prints (a stage never prints).
 */
#include "quire/appendix.h"

#include "quire/input.h"
#include "quire/util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qpdf/qpdf-c.h>
#include <dlfcn.h>
#include <pthread.h>
#include <libdeflate.h>
#include <zlib.h>

/* libqpdf is loaded when a pack first imports a PDF, not linked: it is C++
 * and brings libstdc++, GnuTLS, libjpeg and ten more shared objects, whose
 * loading cost every run of quire 4 ms (a quarter of rendering the
 * benchmark report) though only packs with PDF appendices use them. Each
 * qpdf_* name below is a pointer of the function's own type, filled by
 * load_qpdf; the code reads as calls of the C API. QR_QPDF_SONAME is the
 * library's soname, taken from the libqpdf built against (Makefile). */
#define QR_QPDF_FUNCS(X) \
    X(qpdf_cleanup) \
    X(qpdf_oh_get_type_code) \
    X(qpdf_oh_begin_dict_key_iter) \
    X(qpdf_oh_dict_more_keys) \
    X(qpdf_oh_dict_next_key) \
    X(qpdf_oh_get_object_id) \
    X(qpdf_oh_get_name) \
    X(qpdf_oh_get_real_value) \
    X(qpdf_oh_get_int_value) \
    X(qpdf_oh_get_bool_value) \
    X(qpdf_oh_get_binary_string_value) \
    X(qpdf_get_error) \
    X(qpdf_get_error_code) \
    X(qpdf_get_error_file_position) \
    X(qpdf_get_error_filename) \
    X(qpdf_get_error_full_text) \
    X(qpdf_get_error_message_detail) \
    X(qpdf_get_num_pages) \
    X(qpdf_get_page_n) \
    X(qpdf_get_root) \
    X(qpdf_has_error) \
    X(qpdf_init) \
    X(qpdf_is_encrypted) \
    X(qpdf_more_warnings) \
    X(qpdf_next_warning) \
    X(qpdf_oh_get_array_item) \
    X(qpdf_oh_get_array_n_items) \
    X(qpdf_oh_get_dict) \
    X(qpdf_oh_get_int_value_as_int) \
    X(qpdf_oh_get_key) \
    X(qpdf_get_object_by_id) \
    X(qpdf_oh_unparse_resolved) \
    X(qpdf_oh_get_page_content_data) \
    X(qpdf_oh_get_stream_data) \
    X(qpdf_oh_get_value_as_bool) \
    X(qpdf_oh_get_value_as_number) \
    X(qpdf_oh_has_key) \
    X(qpdf_oh_is_array) \
    X(qpdf_oh_is_dictionary) \
    X(qpdf_oh_is_indirect) \
    X(qpdf_oh_is_integer) \
    X(qpdf_oh_is_name_and_equals) \
    X(qpdf_oh_is_stream) \
    X(qpdf_oh_release) \
    X(qpdf_oh_release_all) \
    X(qpdf_push_inherited_attributes_to_page) \
    X(qpdf_read_memory) \
    X(qpdf_set_suppress_warnings) \
    X(qpdf_silence_errors)

#define X(f) static __typeof__(&f) dl_##f;
QR_QPDF_FUNCS(X)
#undef X

#define qpdf_cleanup dl_qpdf_cleanup
#define qpdf_oh_release_all dl_qpdf_oh_release_all
#define qpdf_oh_get_type_code dl_qpdf_oh_get_type_code
#define qpdf_oh_begin_dict_key_iter dl_qpdf_oh_begin_dict_key_iter
#define qpdf_oh_dict_more_keys dl_qpdf_oh_dict_more_keys
#define qpdf_oh_dict_next_key dl_qpdf_oh_dict_next_key
#define qpdf_oh_get_object_id dl_qpdf_oh_get_object_id
#define qpdf_oh_get_name dl_qpdf_oh_get_name
#define qpdf_oh_get_real_value dl_qpdf_oh_get_real_value
#define qpdf_oh_get_int_value dl_qpdf_oh_get_int_value
#define qpdf_oh_get_bool_value dl_qpdf_oh_get_bool_value
#define qpdf_oh_get_binary_string_value dl_qpdf_oh_get_binary_string_value
#define qpdf_get_error dl_qpdf_get_error
#define qpdf_get_error_code dl_qpdf_get_error_code
#define qpdf_get_error_file_position dl_qpdf_get_error_file_position
#define qpdf_get_error_filename dl_qpdf_get_error_filename
#define qpdf_get_error_full_text dl_qpdf_get_error_full_text
#define qpdf_get_error_message_detail dl_qpdf_get_error_message_detail
#define qpdf_get_num_pages dl_qpdf_get_num_pages
#define qpdf_get_page_n dl_qpdf_get_page_n
#define qpdf_get_root dl_qpdf_get_root
#define qpdf_has_error dl_qpdf_has_error
#define qpdf_init dl_qpdf_init
#define qpdf_is_encrypted dl_qpdf_is_encrypted
#define qpdf_more_warnings dl_qpdf_more_warnings
#define qpdf_next_warning dl_qpdf_next_warning
#define qpdf_oh_get_array_item dl_qpdf_oh_get_array_item
#define qpdf_oh_get_array_n_items dl_qpdf_oh_get_array_n_items
#define qpdf_oh_get_dict dl_qpdf_oh_get_dict
#define qpdf_oh_get_int_value_as_int dl_qpdf_oh_get_int_value_as_int
#define qpdf_oh_get_key dl_qpdf_oh_get_key
#define qpdf_get_object_by_id dl_qpdf_get_object_by_id
#define qpdf_oh_unparse_resolved dl_qpdf_oh_unparse_resolved
#define qpdf_oh_get_page_content_data dl_qpdf_oh_get_page_content_data
#define qpdf_oh_get_stream_data dl_qpdf_oh_get_stream_data
#define qpdf_oh_get_value_as_bool dl_qpdf_oh_get_value_as_bool
#define qpdf_oh_get_value_as_number dl_qpdf_oh_get_value_as_number
#define qpdf_oh_has_key dl_qpdf_oh_has_key
#define qpdf_oh_is_array dl_qpdf_oh_is_array
#define qpdf_oh_is_dictionary dl_qpdf_oh_is_dictionary
#define qpdf_oh_is_indirect dl_qpdf_oh_is_indirect
#define qpdf_oh_is_integer dl_qpdf_oh_is_integer
#define qpdf_oh_is_name_and_equals dl_qpdf_oh_is_name_and_equals
#define qpdf_oh_is_stream dl_qpdf_oh_is_stream
#define qpdf_oh_release dl_qpdf_oh_release
#define qpdf_push_inherited_attributes_to_page dl_qpdf_push_inherited_attributes_to_page
#define qpdf_read_memory dl_qpdf_read_memory
#define qpdf_set_suppress_warnings dl_qpdf_set_suppress_warnings
#define qpdf_silence_errors dl_qpdf_silence_errors

static pthread_once_t qpdf_once = PTHREAD_ONCE_INIT;
static const char *qpdf_failure;     /* NULL once loaded */
static char qpdf_error_text[512];

static void load_qpdf_once(void)
{
    void *lib = dlopen(QR_QPDF_SONAME, RTLD_NOW | RTLD_LOCAL);
    const char *missing = NULL;
    if (lib) {
#define X(f) if (!missing && !(dl_##f = (__typeof__(dl_##f))dlsym(lib, #f))) missing = #f;
        QR_QPDF_FUNCS(X)
#undef X
    }
    if (!lib || missing) {
        const char *why = dlerror();
        snprintf(qpdf_error_text, sizeof qpdf_error_text, "%s%s%s",
                 missing ? "it has no " : "", missing ? missing : "",
                 why && !missing ? why : "");
        qpdf_failure = qpdf_error_text;
    }
}

/* Load libqpdf once for the process; false after an error naming `path`
 * (the appendix or pack that needed it) when it cannot be loaded. */
static bool load_qpdf(const char *path, qr_diags *d)
{
    pthread_once(&qpdf_once, load_qpdf_once);
    if (!qpdf_failure) return true;
    qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                "cannot load libqpdf (%s), which reads PDF appendices: %s "
                "(Debian: apt-get install libqpdf29)",
                QR_QPDF_SONAME, qpdf_failure);
    return false;
}

/* What inflating a page's content in one call needs (quick_size). */
typedef struct quick_inflate {
    struct libdeflate_decompressor *z;
    unsigned char *out;    /* QUICK_MAX bytes, written, never read */
} quick_inflate;

/* Content that inflates to at most this is counted in one call of
 * libdeflate; only larger content is counted by zlib 64 KB at a time. A
 * page's content is a few to a few hundred kilobytes. */
#define QUICK_MAX (1024 * 1024)

struct qr_appendix {
    char *path, *who;
    char *bytes;           /* what qpdf reads: must outlive q */
    size_t len;
    qpdf_data q;
    qr_appendix_page *pages;
    size_t npages;
    bool tagged;
    /* a warning libqpdf gave reading the page tree about an object in
     * its object streams that the pages do not use (count_pages): the
     * structure tree is not read past it */
    char *stored_problem;
    quick_inflate quick;   /* while opening */
    /* a tagged file's structure tree, checked and rebuilt (kid.import: a
     * page of this file); none when untagged or it cannot be kept */
    qr_pdf_graft_elem *graft_elems;
    size_t ngraft_elems;
    qr_pdf_graft_kid *graft_kids;
    size_t ngraft_kids;
};

/* The PDF header may follow up to 1,024 bytes of junk (ISO 32000-1
 * 7.5.2 note; readers accept it, and so does libqpdf). */
#define HEADER_WINDOW 1024

/* ---- libqpdf's errors and warnings ---- */

/* The object stream a problem of libqpdf's lies in, or 0: libqpdf places
 * a problem met inside one in the stream's decoded data, which it names
 * as the file "<path> object stream N". */
static int problem_stream(qpdf_data q, qpdf_error e)
{
    static const char tail[] = " object stream ";
    const char *fn = qpdf_get_error_filename(q, e);
    const char *in = NULL;
    for (const char *f = fn; f && (f = strstr(f, tail)); f++) in = f;
    if (!in) return 0;
    in += sizeof tail - 1;
    size_t digits = strspn(in, "0123456789");
    return digits && digits < 10 && !in[digits] ? atoi(in) : 0;
}

/* One of libqpdf's errors or warnings as text: its detail and where in
 * the file (the file itself is named by the caller's message). */
static char *problem_text(qpdf_data q, qpdf_error e)
{
    unsigned long long at = qpdf_get_error_file_position(q, e);
    const char *detail = qpdf_get_error_message_detail(q, e);
    if (!detail || !detail[0]) detail = qpdf_get_error_full_text(q, e);
    int stream = problem_stream(q, e);
    if (stream > 0)
        return qr_xasprintf("%s, at byte %llu of the file's object "
                            "stream %d", detail, at, stream);
    return at ? qr_xasprintf("%s, at byte %llu", detail, at)
              : qr_xstrdup(detail);
}

/* The first pending error or warning of q as text, or NULL: any warning
 * counts as damage, since libqpdf warns when it repairs. */
static char *pending_problem(qpdf_data q)
{
    char *msg = NULL;
    if (qpdf_has_error(q)) msg = problem_text(q, qpdf_get_error(q));
    while (qpdf_more_warnings(q)) {
        qpdf_error w = qpdf_next_warning(q);
        if (!msg) msg = problem_text(q, w);
    }
    return msg;
}

static qpdf_data new_qpdf(void)
{
    qpdf_data q = qpdf_init();
    qpdf_silence_errors(q);
    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    return q;
}

/* ---- opening ---- */

static void fail(qr_diags *d, const qr_appendix *a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(qr_diags *d, const qr_appendix *a, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    qr_diag_add(d, QR_ERROR, a->path, 0, 0, NULL, NULL, "%s (%s): %s",
                a->who, a->path, msg);
}

static void quick_done(quick_inflate *qi)
{
    if (qi->z) libdeflate_free_decompressor(qi->z);
    free(qi->out);
    qi->z = NULL;
    qi->out = NULL;
}

/* What a rebuilt element owns: its text entries and attributes. */
static void free_graft_elem(qr_pdf_graft_elem *x)
{
    for (int t = 0; t < QR_GRAFT_NTEXT; t++) free((char *)x->text[t].s);
    for (size_t i = 0; i < x->nattrs; i++) {
        free((char *)x->attrs[i].key);
        free((char *)x->attrs[i].str.s);
    }
    free((qr_pdf_attr *)x->attrs);
}

void qr_appendix_free(qr_appendix *a)
{
    if (!a) return;
    if (a->q) qpdf_cleanup(&a->q);
    quick_done(&a->quick);
    for (size_t e = 0; e < a->ngraft_elems; e++)
        free_graft_elem(&a->graft_elems[e]);
    free(a->graft_elems);
    free(a->graft_kids);
    free(a->pages);
    free(a->stored_problem);
    free(a->bytes);
    free(a->path);
    free(a->who);
    free(a);
}

static bool read_bytes(qr_appendix *a, qr_diags *d)
{
    a->bytes = qr_input_read(a->path, QR_IN_OTHER, &a->len,
                             QR_APPENDIX_MAX_BYTES);
    if (a->bytes) return true;
    if (errno == EFBIG)
        fail(d, a, "the file is larger than %u MB, the most an appendix "
                   "may be", QR_APPENDIX_MAX_BYTES / (1024u * 1024u));
    else
        fail(d, a, "cannot read the file: %s", qr_input_strerror(errno));
    return false;
}

static bool is_pdf(const qr_appendix *a)
{
    size_t n = a->len < HEADER_WINDOW ? a->len : HEADER_WINDOW;
    return memmem(a->bytes, n, "%PDF-", 5) != NULL;
}

/* A number from array element i, into *v; false if it is none. */
static bool array_number(qpdf_data q, qpdf_oh arr, int i, double *v)
{
    qpdf_oh x = qpdf_oh_get_array_item(q, arr, i);
    bool ok = qpdf_oh_get_value_as_number(q, x, v);
    qpdf_oh_release(q, x);
    return ok && isfinite(*v);
}

/* A rectangle [x0 y0 x1 y1] under `key` of page, normalised; false if the
 * key is absent or is not four numbers. */
static bool page_box(qpdf_data q, qpdf_oh page, const char *key, double r[4])
{
    qpdf_oh box = qpdf_oh_get_key(q, page, key);
    bool ok = qpdf_oh_is_array(q, box) &&
              qpdf_oh_get_array_n_items(q, box) == 4;
    for (int i = 0; ok && i < 4; i++) ok = array_number(q, box, i, &r[i]);
    qpdf_oh_release(q, box);
    if (!ok) return false;
    if (r[0] > r[2]) { double t = r[0]; r[0] = r[2]; r[2] = t; }
    if (r[1] > r[3]) { double t = r[1]; r[1] = r[3]; r[3] = t; }
    return true;
}

/* ---- content size, bounded ---- */

/* Inflate a zlib stream only to count its bytes, 64 KB at a time, giving
 * up past `cap`. Returns the count, cap + 1 past the cap, or (size_t)-1
 * when zlib cannot read it (libqpdf's own decoding then reports it).
 * *clean: the stream ended, every byte of it read, with no error. */
static size_t inflated_size(const unsigned char *in, size_t n, size_t cap,
                            bool *clean)
{
    static unsigned char sink[65536];   /* written, never read */
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) return (size_t)-1;
    size_t total = 0;
    int rc = Z_OK;
    z.next_in = (unsigned char *)in;
    while (n > 0 || rc == Z_OK) {
        uInt step = n > 1u << 30 ? 1u << 30 : (uInt)n;
        z.avail_in += step;
        n -= step;
        do {
            z.next_out = sink;
            z.avail_out = sizeof sink;
            rc = inflate(&z, Z_NO_FLUSH);
            total += sizeof sink - z.avail_out;
        } while (rc == Z_OK && z.avail_out == 0 && total <= cap);
        if (rc != Z_OK || total > cap || (n == 0 && z.avail_in == 0)) break;
    }
    *clean = rc == Z_STREAM_END && n == 0 && z.avail_in == 0 && total <= cap;
    inflateEnd(&z);
    if (total > cap) return cap + 1;
    return rc == Z_STREAM_END || rc == Z_OK || rc == Z_BUF_ERROR ? total
                                                                 : (size_t)-1;
}

/* inflated_size in one call of libdeflate (a third of zlib's
 * instructions: counting 100 pages' content was a sixth of what a
 * 100-page appendix cost) when the stream inflates to at most QUICK_MAX
 * and is whole and sound; otherwise false, and zlib counts it. */
static bool quick_size(quick_inflate *qi, const unsigned char *in, size_t n,
                       size_t cap, size_t *size, bool *clean)
{
    if (!qi->z) qi->z = libdeflate_alloc_decompressor();
    if (!qi->out) qi->out = qr_xmalloc(QUICK_MAX);
    size_t used = 0, got = 0;
    if (!qi->z || libdeflate_zlib_decompress_ex(qi->z, in, n, qi->out,
                                                QUICK_MAX, &used, &got) !=
                      LIBDEFLATE_SUCCESS)
        return false;
    *clean = used == n && got <= cap;
    *size = got > cap ? cap + 1 : got;
    return true;
}

/* Is the stream's filter /FlateDecode alone? */
static bool flate_only(qpdf_data q, qpdf_oh stream)
{
    qpdf_oh dict = qpdf_oh_get_dict(q, stream);
    qpdf_oh f = qpdf_oh_get_key(q, dict, "/Filter");
    if (qpdf_oh_is_array(q, f) && qpdf_oh_get_array_n_items(q, f) == 1)
        f = qpdf_oh_get_array_item(q, f, 0);
    return qpdf_oh_is_name_and_equals(q, f, "/FlateDecode");
}

/* The decompressed size of a content stream, without decompressing it
 * into memory: its length when unfiltered, counted when Flate alone. Other
 * filters (rare in content) are left to libqpdf: 0. *clean: the stream is
 * known to decode — unfiltered, or Flate alone without parameters that
 * zlib read to its end without error — so libqpdf need not decode it
 * again to look for damage (its reading the stored bytes, here, is what
 * reports a wrong /Length). */
static size_t stream_size(qpdf_data q, quick_inflate *qi, qpdf_oh stream,
                          size_t cap, bool *clean)
{
    *clean = false;
    if (!qpdf_oh_is_stream(q, stream)) return 0;
    qpdf_oh dict = qpdf_oh_get_dict(q, stream);
    int unfiltered = !qpdf_oh_has_key(q, dict, "/Filter");
    int flate = !unfiltered && flate_only(q, stream);
    if (!unfiltered && !flate) return 0;
    int params = qpdf_oh_has_key(q, dict, "/DecodeParms");
    unsigned char *raw = NULL;
    size_t len = 0;
    QPDF_BOOL filtered = QPDF_FALSE;
    bool inflated = false;
    qpdf_oh_get_stream_data(q, stream, qpdf_dl_none, &filtered, &raw, &len);
    size_t size = len;
    if (!unfiltered && !quick_size(qi, raw, len, cap, &size, &inflated))
        size = inflated_size(raw, len, cap, &inflated);
    free(raw);
    *clean = !params && (unfiltered ? size <= cap : inflated);
    return size == (size_t)-1 ? 0 : size;
}

/* Is the page's content at most QR_APPENDIX_MAX_CONTENT decompressed? */
/* *clean: every content stream is known to decode (stream_size). */
static bool content_bounded(qpdf_data q, quick_inflate *qi, qpdf_oh page,
                            bool *clean)
{
    qpdf_oh c = qpdf_oh_get_key(q, page, "/Contents");
    size_t cap = QR_APPENDIX_MAX_CONTENT, total = 0;
    bool one;
    *clean = true;
    if (qpdf_oh_is_array(q, c)) {
        int n = qpdf_oh_get_array_n_items(q, c);
        for (int i = 0; i < n && total <= cap; i++) {
            total += stream_size(q, qi, qpdf_oh_get_array_item(q, c, i),
                                 cap - total, &one);
            *clean = *clean && one;
        }
    } else {
        total = stream_size(q, qi, c, cap, &one);
        *clean = one;
    }
    return total <= cap;
}

/* One page's box, rotation and content; the content is decoded only to
 * find damage a reader would otherwise meet at display time. */
static bool check_page(qr_appendix *a, size_t i, qr_diags *d)
{
    qpdf_data q = a->q;
    qpdf_oh page = qpdf_get_page_n(q, i);
    qr_appendix_page *pg = &a->pages[i];
    double mb[4], cb[4];
    bool ok = page_box(q, page, "/MediaBox", mb);
    if (ok && page_box(q, page, "/CropBox", cb)) {
        /* what a viewer shows is the crop box within the media box */
        mb[0] = fmax(mb[0], cb[0]);
        mb[1] = fmax(mb[1], cb[1]);
        mb[2] = fmin(mb[2], cb[2]);
        mb[3] = fmin(mb[3], cb[3]);
    }
    if (!ok || mb[2] - mb[0] < 1 || mb[3] - mb[1] < 1 ||
        mb[2] - mb[0] > QR_APPENDIX_MAX_SIDE ||
        mb[3] - mb[1] > QR_APPENDIX_MAX_SIDE) {
        fail(d, a, "page %zu has no usable MediaBox (it must be four "
                   "numbers, each side 1 to %.0f points)",
             i + 1, QR_APPENDIX_MAX_SIDE);
        qpdf_oh_release(q, page);
        return false;
    }
    pg->x0 = mb[0], pg->y0 = mb[1], pg->x1 = mb[2], pg->y1 = mb[3];
    qpdf_oh rot = qpdf_oh_get_key(q, page, "/Rotate");
    int r = 0;
    if (qpdf_oh_is_integer(q, rot)) r = qpdf_oh_get_int_value_as_int(q, rot);
    qpdf_oh_release(q, rot);
    if (r % 90 != 0) {
        fail(d, a, "page %zu has /Rotate %d, which is not a multiple of 90",
             i + 1, r);
        qpdf_oh_release(q, page);
        return false;
    }
    pg->rotate = ((r % 360) + 360) % 360;
    bool clean;
    if (!content_bounded(q, &a->quick, page, &clean)) {
        fail(d, a, "page %zu's content is larger than %u MB once "
                   "decompressed (a decompression bomb, or no document a "
                   "pack can hold)",
             i + 1, QR_APPENDIX_MAX_CONTENT / (1024u * 1024u));
        qpdf_oh_release(q, page);
        return false;
    }
    if (!clean) {
        /* decoded by libqpdf: any warning is damage */
        unsigned char *buf = NULL;
        size_t len = 0;
        qpdf_oh_get_page_content_data(q, page, &buf, &len);
        free(buf);
    }
    qpdf_oh_release(q, page);
    char *problem = pending_problem(q);
    if (problem) {
        fail(d, a, "the PDF is damaged at page %zu (%s); repair or re-save "
                   "it and check every page", i + 1, problem);
        free(problem);
        return false;
    }
    return true;
}

static bool check_tagged(qpdf_data q)
{
    qpdf_oh root = qpdf_get_root(q);
    qpdf_oh mi = qpdf_oh_get_key(q, root, "/MarkInfo");
    qpdf_oh marked = qpdf_oh_get_key(q, mi, "/Marked");
    QPDF_BOOL yes = QPDF_FALSE;
    bool tagged = qpdf_oh_get_value_as_bool(q, marked, &yes) && yes &&
                 qpdf_oh_has_key(q, root, "/StructTreeRoot");
    qpdf_oh_release(q, marked);
    qpdf_oh_release(q, mi);
    qpdf_oh_release(q, root);
    free(pending_problem(q));      /* a missing key is no damage */
    return tagged;
}

/* A set of object ids (positive), by open addressing. */
typedef struct id_set {
    int *v;
    size_t cap, n;
} id_set;

/* Where id is in s, or the empty slot it would take. */
static size_t id_slot(const id_set *s, int id)
{
    size_t h = ((size_t)id * 2654435761u) & (s->cap - 1);
    while (s->v[h] && s->v[h] != id) h = (h + 1) & (s->cap - 1);
    return h;
}

static bool id_has(const id_set *s, int id)
{
    return s->cap && s->v[id_slot(s, id)] == id;
}

/* Is `id` in s? Adds it. */
static bool id_seen(id_set *s, int id)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t old = s->cap;
        int *was = s->v;
        s->cap = old ? old * 2 : 256;
        s->v = qr_xcalloc(s->cap, sizeof *s->v);
        s->n = 0;
        for (size_t i = 0; i < old; i++)
            if (was[i]) (void)id_seen(s, was[i]);
        free(was);
    }
    size_t h = id_slot(s, id);
    if (s->v[h] == id) return true;
    s->v[h] = id;
    s->n++;
    return false;
}

/* ---- the page tree, and objects that share its object streams ----
 *
 * libqpdf reads an object stream whole, the first time any object in it
 * is needed, in object-number order (libqpdf 11's
 * QPDF::resolveObjectsInStream), so a problem met while the page tree is
 * read may lie in any object that shares a stream with it (a structure
 * element, the outline). Two kinds differ:
 *
 * - A warning placed in the stream's data (libqpdf names it as the file
 *   "<path> object stream N") about an object it read all the same (a
 *   stray '#' in a name). Every object is read; the pages are whole
 *   unless they use the object it names.
 * - An object it cannot parse at all (an integer past 64 bits) ends the
 *   reading of the stream: one warning, "object T/G: error reading
 *   object: …", naming the object asked for (T, read), not the broken
 *   one nor the stream, and every object after the broken one then reads
 *   as null, silently. The pages cannot be vouched for: libqpdf hides a
 *   dictionary entry whose value reads as null, so a page's font lost
 *   this way is not seen (its /Font << /F1 6 0 R >> reads as << >>), and
 *   the page would be drawn without it. The file is refused, saying so. */

enum { TP_NONE, TP_NAMED, TP_CUT, TP_TREE };

/* What libqpdf's reading of the page tree met: the first problem that
 * fails the file (TP_CUT, TP_TREE), else the first TP_NAMED. */
typedef struct tree_problems {
    char *text;
    int kind;             /* TP_* */
    id_set named;         /* objects TP_NAMED problems name */
    bool reading_pages;   /* problems from here on are met reading the
                           * objects the pages use, not the page tree */
    bool in_pages;        /* the kept one was */
} tree_problems;

/* The object (id, gen) reads as something, not null. */
static bool readable(qpdf_data q, int id, int gen)
{
    qpdf_oh oh = qpdf_get_object_by_id(q, id, gen);
    bool yes = qpdf_oh_get_type_code(q, oh) != ot_null;
    qpdf_oh_release(q, oh);
    return yes;
}

/* Warning w's kind; its text into *text. */
static int problem_kind(qpdf_data q, qpdf_error w, char **text,
                        id_set *named)
{
    const char *fn = qpdf_get_error_filename(q, w);
    const char *full = qpdf_get_error_full_text(q, w);
    const char *m = qpdf_get_error_message_detail(q, w);
    size_t fl = fn ? strlen(fn) : 0;
    int id = 0, gen = 0, at = 0;
    *text = problem_text(q, w);
    if (problem_stream(q, w)) {
        if (!full || strncmp(full, fn, fl) != 0 ||
            sscanf(full + fl, " (object %d %d", &id, &gen) != 2 ||
            id <= 0 || !readable(q, id, gen))
            return TP_CUT;            /* it stopped at that object */
        (void)id_seen(named, id);
        return TP_NAMED;
    }
    if (m && sscanf(m, "object %d/%d: error reading object: %n", &id, &gen,
                    &at) == 2 && at && readable(q, id, gen)) {
        free(*text);
        *text = qr_xstrdup(m + at);   /* object T was read: not its fault */
        return TP_CUT;
    }
    return TP_TREE;
}

/* Take problem e (error: libqpdf gave up, the page tree's own) into p. */
static void take_problem(qpdf_data q, qpdf_error e, bool error,
                         tree_problems *p)
{
    char *text = NULL;
    int kind = TP_TREE;
    if (error) text = problem_text(q, e);
    else kind = problem_kind(q, e, &text, &p->named);
    if (p->kind == TP_NONE || (p->kind == TP_NAMED && kind != TP_NAMED)) {
        free(p->text);
        p->text = text;
        p->kind = kind;
        p->in_pages = p->reading_pages;
    } else {
        free(text);
    }
}

/* Take q's pending problems into p, warnings first: libqpdf warns of
 * what it met before it gives up. */
static void take_problems(qpdf_data q, tree_problems *p)
{
    while (qpdf_more_warnings(q))
        take_problem(q, qpdf_next_warning(q), false, p);
    if (qpdf_has_error(q)) take_problem(q, qpdf_get_error(q), true, p);
}

/* Read every object the pages use, each once, into *seen (defined with
 * the parser of object text it uses, below). */
static void read_page_objects(qpdf_data q, size_t npages, id_set *seen);

/* The first object of `named` that is in `used`, or 0. */
static int first_used(const id_set *named, const id_set *used)
{
    for (size_t i = 0; i < named->cap; i++)
        if (named->v[i] && id_has(used, named->v[i])) return named->v[i];
    return 0;
}

static bool has_structure(qpdf_data q)
{
    qpdf_oh root = qpdf_get_root(q);
    bool yes = qpdf_oh_has_key(q, root, "/StructTreeRoot");
    qpdf_oh_release(q, root);
    return yes;
}

/* Tell why the pages cannot be used, after take_problems. */
static void pages_failed(qr_appendix *a, const tree_problems *p, int used,
                         qr_diags *d)
{
    if (p->kind == TP_CUT)
        fail(d, a, "the PDF is damaged: an object stream that holds its "
                   "pages cannot be read past a broken object (%s), and "
                   "libqpdf reads every object after it as nothing; "
                   "repair or re-save it and check every page", p->text);
    else if (used)
        fail(d, a, "the PDF is damaged in object %d, which its pages use "
                   "(%s); repair or re-save it and check every page",
             used, p->text);
    else if (p->in_pages)
        fail(d, a, "the PDF is damaged in what its pages use (%s); repair "
                   "or re-save it and check every page", p->text);
    else
        fail(d, a, "the PDF's page tree is damaged (%s)", p->text);
}

/* The page tree, read by libqpdf's counting of n pages, and then, when
 * there is a problem or a structure tree, every object the pages use:
 * false after an error when they cannot be used. Read first, the pages'
 * objects cannot be lost by a later reading of the structure tree that
 * stops an object stream short. Warnings about objects that share their
 * object streams but that the pages do not use are kept
 * (a->stored_problem): the structure tree may be such an object, and is
 * then not read. */
static bool count_pages(qr_appendix *a, int n, qr_diags *d)
{
    tree_problems p = {0};
    take_problems(a->q, &p);
    bool counted = n > 0 && n <= QR_APPENDIX_MAX_PAGES;
    if (counted) {
        /* every page then carries its own MediaBox, Rotate and
         * Resources, as the import copies them page by page */
        qpdf_push_inherited_attributes_to_page(a->q);
        take_problems(a->q, &p);
    }
    id_set used = {0};
    if (counted && (p.kind != TP_NONE || has_structure(a->q))) {
        read_page_objects(a->q, (size_t)n, &used);
        p.reading_pages = true;
        take_problems(a->q, &p);
    }
    int hit = p.kind == TP_NAMED ? first_used(&p.named, &used) : 0;
    bool ok = counted && !hit && (p.kind == TP_NONE || p.kind == TP_NAMED);
    if (!ok && (p.text || n < 0)) {
        if (!p.text) p.text = qr_xstrdup("no pages");
        pages_failed(a, &p, hit, d);
    } else if (n == 0) {
        fail(d, a, "the PDF has no pages");
    } else if (n > QR_APPENDIX_MAX_PAGES) {
        fail(d, a, "the PDF has %d pages; an appendix may have at most %d",
             n, QR_APPENDIX_MAX_PAGES);
    }
    if (ok) a->stored_problem = p.text;
    else free(p.text);
    free(p.named.v);
    free(used.v);
    return ok;
}

/* Parse the bytes and check what the file as a whole says. */
static bool check_document(qr_appendix *a, qr_diags *d)
{
    a->q = new_qpdf();
    QPDF_ERROR_CODE rc = qpdf_read_memory(a->q, a->path, a->bytes, a->len, "");
    if (rc & QPDF_ERRORS) {
        qpdf_error e = qpdf_get_error(a->q);
        if (qpdf_get_error_code(a->q, e) == qpdf_e_password)
            fail(d, a, "the PDF is encrypted with a password; ask for an "
                       "unencrypted copy");
        else
        {
            char *why = problem_text(a->q, e);
            fail(d, a, "the PDF is damaged and cannot be read (%s)", why);
            free(why);
        }
        return false;
    }
    char *problem = pending_problem(a->q);
    if (problem) {
        fail(d, a, "the PDF is damaged (%s); repair or re-save it and check "
                   "every page", problem);
        free(problem);
        return false;
    }
    if (qpdf_is_encrypted(a->q)) {
        fail(d, a, "the PDF is encrypted (it opens without a password but "
                   "carries its owner's restrictions); ask for an "
                   "unencrypted copy");
        return false;
    }
    int n = qpdf_get_num_pages(a->q);
    if (!count_pages(a, n, d)) return false;
    a->npages = (size_t)n;
    a->pages = qr_xcalloc(a->npages, sizeof *a->pages);
    bool ok = true;
    for (size_t i = 0; ok && i < a->npages; i++) ok = check_page(a, i, d);
    quick_done(&a->quick);       /* a megabyte: not kept for the merge */
    if (!ok) return false;
    a->tagged = check_tagged(a->q);
    return true;
}

/* ---- the structure tree of a tagged file ----
 *
 * A tagged appendix keeps its structure: its tree is walked here, checked
 * against the marked content of every page, and rebuilt as plain data
 * (qr_pdf_graft) that the PDF stage turns into elements under the item's
 * section, each marked-content reference pointing into the page's form
 * (docs/architecture.md, "Keeping a tagged appendix's structure"). The
 * elements are rebuilt rather than copied: copying one with its
 * references would bring the appendix's StructTreeRoot (/P) and pages
 * (/Pg) into the pack. Anything the walk cannot vouch for leaves the file
 * tagged as it is for an untagged one, with a warning. The walk is bounded
 * (depth, elements, kids, MCIDs) and visits each element once, so a
 * hostile tree costs time and memory linear in its size, within limits. */

/* Real trees are a dozen levels deep; Word's and Quire's far less. */
#define GRAFT_MAX_DEPTH 100
#define GRAFT_MAX_ELEMS 200000
/* libharu's arrays hold at most 8,191 entries: an element's /K and a
 * form's ParentTree array (indexed by MCID) must fit in one. */
#define GRAFT_MAX_KIDS 8000
#define GRAFT_MAX_MCID 8000
/* The tree's top elements join the kids of the item's Sect, which must
 * stay within that array limit too (a real tree has one, its Document). */
#define GRAFT_MAX_TOP 1000
/* Attributes kept of an element: a table's /Scope, a figure's /BBox, a
 * list's /ListNumbering are a few entries each; past these bounds the
 * rest is left out (an attribute is a hint, not content). */
#define GRAFT_MAX_ATTR_OBJS 8
#define GRAFT_MAX_ATTR_KEYS 32
#define GRAFT_MAX_ATTR_ITEMS 32
#define GRAFT_MAX_ATTR_STRING 4096
/* libharu's names stop at 127 bytes */
#define GRAFT_MAX_NAME 127
/* libharu refuses a real beyond ±32,767 (HPDF_LIMIT_MAX_REAL), and the
 * refusal fails the whole pack; pdf.c writes a whole number below 2e9 as
 * an integer instead (attr_value), so only other numbers are bounded. */
#define GRAFT_MAX_REAL 32767.0
/* How many /RoleMap steps a type may take to reach a standard one. */
#define GRAFT_MAX_ROLES 16
/* The text of the tree's objects the walk may read in all. Each element
 * is read once, but a value elements share (a /K array, an attribute
 * object, a class) is read again for each, so a small file could keep
 * the walk reading for hours. A real element reads as 50 to 150 bytes,
 * so the largest tree within the bounds above (GRAFT_MAX_ELEMS) fits. */
#define GRAFT_MAX_TEXT_MB 32

/* PDF 1.7's standard structure types (ISO 32000-1 §14.8.4). */
static const char *const STANDARD_TYPES[] = {
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption",
    "TOC", "TOCI", "Index", "NonStruct", "Private", "P", "H", "H1", "H2",
    "H3", "H4", "H5", "H6", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH",
    "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note", "Reference",
    "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT", "RP",
    "Warichu", "WT", "WP", "Figure", "Formula", "Form", NULL};

/* ---- an object of the tree, read from its text ----
 *
 * The walk reads each object of the tree in one call of libqpdf, as the
 * text qpdf_oh_unparse_resolved gives, and parses that text here, rather
 * than asking for its type, keys and values one call at a time: every
 * call of the C API goes through its handle table and error trap (a
 * thousand instructions or more each, and a new handle for each value
 * asked for), and a tagged page has dozens of elements. The text is
 * libqpdf's own writing of an object it has parsed, so it is well formed:
 * a dictionary's keys in order, without those whose value is null (as
 * libqpdf's own key iteration has them); names with #xx escapes; strings
 * with \ escapes or in hex; references as "N G R", read in turn when a
 * value of theirs is needed. */

enum { PV_NULL = 'z', PV_BOOL = 'b', PV_INT = 'i', PV_REAL = 'r',
       PV_NAME = 'n', PV_STRING = 's', PV_ARRAY = 'a', PV_DICT = 'd',
       PV_REF = 'R', PV_OTHER = 'x' };

/* Parsed objects nest no deeper than libqpdf's parser lets them. */
#define PV_MAX_NEST 1000

typedef struct pval {
    char t;               /* PV_* */
    int next;             /* the next item of its array or dictionary, -1 */
    int first;            /* PV_ARRAY, PV_DICT: the first item, -1 */
    int n;                /* PV_ARRAY, PV_DICT: items */
    long long i;          /* PV_INT; PV_REF: object id; PV_BOOL: 0 or 1 */
    int gen;              /* PV_REF */
    double num;           /* PV_INT, PV_REAL */
    size_t s, len;        /* PV_NAME (no slash), PV_STRING: bytes in str */
    size_t key, klen;     /* an item of a dictionary: its key in str */
} pval;

typedef struct pobj {
    pval *v;
    size_t n, cap;
    char *str;            /* decoded names and strings, each NUL-ended */
    size_t slen;
} pobj;

static void pobj_free(pobj *o)
{
    free(o->v);
    free(o->str);
    memset(o, 0, sizeof *o);
}

typedef struct pparse {
    const char *s;
    size_t i, n;
    pobj *o;
} pparse;

static bool pv_space(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' ||
           c == 0;
}

static bool pv_regular(char c)
{
    return !pv_space(c) && !strchr("()<>[]{}/%", c);
}

static void pv_skip(pparse *p)
{
    while (p->i < p->n && pv_space(p->s[p->i])) p->i++;
}

static int pv_new(pparse *p, char t)
{
    pobj *o = p->o;
    QR_GROW(o->v, o->n + 1, o->cap, 16);
    pval *v = &o->v[o->n];
    memset(v, 0, sizeof *v);
    v->t = t;
    v->next = v->first = -1;
    return (int)o->n++;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A name at p->s[p->i] ('/' read) into str, decoded; its offset. */
static size_t pv_name(pparse *p, size_t *len)
{
    pobj *o = p->o;
    size_t at = o->slen;
    while (p->i < p->n && pv_regular(p->s[p->i])) {
        char c = p->s[p->i++];
        if (c == '#' && p->i + 1 < p->n && hexval(p->s[p->i]) >= 0 &&
            hexval(p->s[p->i + 1]) >= 0) {
            c = (char)(hexval(p->s[p->i]) * 16 + hexval(p->s[p->i + 1]));
            p->i += 2;
        }
        o->str[o->slen++] = c;
    }
    *len = o->slen - at;
    o->str[o->slen++] = 0;
    return at;
}

static int pv_value(pparse *p, int depth);

/* The items of an array or dictionary up to `end`, linked under x. */
static bool pv_items(pparse *p, int x, bool dict, char end, int depth)
{
    int last = -1;
    for (;;) {
        pv_skip(p);
        if (p->i >= p->n) return false;
        if (p->s[p->i] == end) {
            p->i += dict ? 2 : 1;
            return true;
        }
        size_t key = 0, klen = 0;
        if (dict) {
            if (p->s[p->i] != '/') return false;
            p->i++;
            key = pv_name(p, &klen);
        }
        int v = pv_value(p, depth + 1);
        if (v < 0) return false;
        p->o->v[v].key = key;
        p->o->v[v].klen = klen;
        if (last < 0) p->o->v[x].first = v;
        else p->o->v[last].next = v;
        last = v;
        p->o->v[x].n++;
    }
}

/* One value of the text; its index, or -1 when the text is not one. */
static int pv_value(pparse *p, int depth)
{
    pv_skip(p);
    if (p->i >= p->n || depth > PV_MAX_NEST) return -1;
    const char *s = p->s;
    char c = s[p->i];
    int x;
    if (c == '<' && p->i + 1 < p->n && s[p->i + 1] == '<') {
        p->i += 2;
        x = pv_new(p, PV_DICT);
        if (!pv_items(p, x, true, '>', depth)) return -1;
        if (p->s[p->i - 1] != '>' || p->s[p->i - 2] != '>') return -1;
        return x;
    }
    if (c == '[') {
        p->i++;
        x = pv_new(p, PV_ARRAY);
        return pv_items(p, x, false, ']', depth) ? x : -1;
    }
    if (c == '/') {
        p->i++;
        x = pv_new(p, PV_NAME);
        p->o->v[x].s = pv_name(p, &p->o->v[x].len);
        return x;
    }
    if (c == '<') {                       /* a string in hex */
        x = pv_new(p, PV_STRING);
        pobj *o = p->o;
        size_t at = o->slen;
        int hi = -1;
        for (p->i++; p->i < p->n && s[p->i] != '>'; p->i++) {
            int h = hexval(s[p->i]);
            if (h < 0) {
                if (pv_space(s[p->i])) continue;
                return -1;
            }
            if (hi < 0) hi = h;
            else o->str[o->slen++] = (char)(hi * 16 + h), hi = -1;
        }
        if (p->i >= p->n) return -1;
        p->i++;
        if (hi >= 0) o->str[o->slen++] = (char)(hi * 16);
        o->v[x].s = at;
        o->v[x].len = o->slen - at;
        o->str[o->slen++] = 0;
        return x;
    }
    if (c == '(') {                       /* a literal string */
        x = pv_new(p, PV_STRING);
        pobj *o = p->o;
        size_t at = o->slen;
        int open = 1;
        for (p->i++; p->i < p->n; p->i++) {
            char ch = s[p->i];
            if (ch == '\\' && p->i + 1 < p->n) {
                char e = s[++p->i];
                if (e >= '0' && e <= '7') {
                    int v = 0;
                    for (int k = 0; k < 3 && p->i < p->n && s[p->i] >= '0' &&
                                    s[p->i] <= '7'; k++, p->i++)
                        v = v * 8 + (s[p->i] - '0');
                    p->i--;
                    ch = (char)v;
                } else if (e == '\r' || e == '\n') {
                    if (e == '\r' && p->i + 1 < p->n && s[p->i + 1] == '\n')
                        p->i++;
                    continue;                 /* a line continued */
                } else {
                    ch = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t'
                       : e == 'b' ? '\b' : e == 'f' ? '\f' : e;
                }
            } else if (ch == '(') {
                open++;
            } else if (ch == ')' && --open == 0) {
                break;
            }
            o->str[o->slen++] = ch;
        }
        if (p->i >= p->n) return -1;
        p->i++;
        o->v[x].s = at;
        o->v[x].len = o->slen - at;
        o->str[o->slen++] = 0;
        return x;
    }
    size_t j = p->i;
    while (j < p->n && pv_regular(s[j])) j++;
    size_t len = j - p->i;
    if (len == 0) return -1;
    char tok[64];
    if (len >= sizeof tok) return -1;
    memcpy(tok, s + p->i, len);
    tok[len] = 0;
    p->i = j;
    if (strcmp(tok, "null") == 0) return pv_new(p, PV_NULL);
    if (strcmp(tok, "true") == 0 || strcmp(tok, "false") == 0) {
        x = pv_new(p, PV_BOOL);
        p->o->v[x].i = tok[0] == 't';
        return x;
    }
    if (!strchr("+-.0123456789", tok[0])) return -1;
    bool real = strchr(tok, '.') != NULL;
    x = pv_new(p, real ? PV_REAL : PV_INT);
    pval *v = &p->o->v[x];
    /* as libqpdf reads them: an integer by its value, a real by atof */
    if (real) {
        v->num = strtod(tok, NULL);
        return x;
    }
    v->i = strtoll(tok, NULL, 10);
    v->num = (double)v->i;
    /* "N G R": a reference */
    size_t save = p->i;
    pv_skip(p);
    size_t g0 = p->i;
    while (p->i < p->n && s[p->i] >= '0' && s[p->i] <= '9') p->i++;
    size_t g1 = p->i;
    pv_skip(p);
    if (g1 > g0 && g1 - g0 < 10 && p->i < p->n && s[p->i] == 'R' &&
        (p->i + 1 == p->n || !pv_regular(s[p->i + 1])) && v->i > 0 &&
        v->i <= INT32_MAX) {
        p->i++;
        v->t = PV_REF;
        v->gen = atoi(s + g0);
        return x;
    }
    p->i = save;
    return x;
}

/* Parse text into *o (emptied first): the index of its value, -1 when
 * it is not one value. */
static int pv_parse(const char *text, pobj *o)
{
    pobj_free(o);
    size_t n = text ? strlen(text) : 0;
    o->str = qr_xmalloc(n + 1);     /* decoded text is never longer */
    pparse p = {text, 0, n, o};
    int x = n ? pv_value(&p, 0) : -1;
    pv_skip(&p);
    return x >= 0 && p.i == n ? x : -1;
}


/* MCIDs of a page's content: per MCID, these bits. */
#define MC_IN_CONTENT 1
#define MC_OWNED 2

typedef struct mc_page {
    unsigned char *mc;         /* by MCID */
    int n;                     /* 1 + the largest MCID in the content */
} mc_page;

typedef struct graft_walk {
    qr_appendix *a;
    qpdf_data q;
    qpdf_oh rolemap, classmap;
    bool rolemap_read, classmap_read;
    pobj rm, cm;               /* the maps once read (read_map) */
    struct map_key *rm_keys, *cm_keys;   /* their entries by key */
    int rm_n, cm_n;
    int rm_at, cm_at;
    struct libdeflate_decompressor *z;   /* for page_content */
    int *page_ids;             /* object id of page i */
    size_t *page_order;        /* pages by object id, for page_of */
    mc_page *mc;               /* per page */
    id_set seen;               /* element object ids walked */
    qr_pdf_graft_elem *elems;
    size_t nelems, celems;
    bool *content;             /* per element: marked content under it */
    qr_pdf_graft_kid *kids;
    size_t nkids, ckids;
    char *why;                 /* the first problem; NULL: none */
    size_t text;               /* bytes of object text read (read_obj) */
} graft_walk;

static bool bad(graft_walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool bad(graft_walk *w, const char *fmt, ...)
{
    if (w->why) return false;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    w->why = qr_xstrdup(msg);
    return false;
}

static const graft_walk *order_walk;   /* for by_page_id; one walk at a time */
static int by_page_id(const void *x, const void *y)
{
    int a = order_walk->page_ids[*(const size_t *)x];
    int b = order_walk->page_ids[*(const size_t *)y];
    return (a > b) - (a < b);
}

/* The page value x of o refers to, as an index, or -1 when it is none of
 * the appendix's pages (or no reference). */
static long page_of(graft_walk *w, const pobj *o, int x)
{
    int id = o->v[x].t == PV_REF ? (int)o->v[x].i : 0;
    size_t lo = 0, hi = w->a->npages;
    while (id > 0 && lo < hi) {
        size_t mid = (lo + hi) / 2, p = w->page_order[mid];
        if (w->page_ids[p] == id) return (long)p;
        if (w->page_ids[p] < id) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

/* A switch, not strchr: the scan asks this of every byte of every page's
 * content. NUL counts, as it did for strchr, which finds the string's end. */
static bool is_delim(unsigned char c)
{
    switch (c) {
    case '(': case ')': case '<': case '>': case '[': case ']': case '{':
    case '}': case '/': case '%': case 0:
        return true;
    default:
        return false;
    }
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' ||
           c == 0;
}

/* The MCIDs of marked-content sequences in content s (`/Tag <</MCID n>>
 * BDC`), into pm. A small lexer: strings, comments and inline image data
 * are skipped so that their bytes are not read as operators. An MCID
 * given through a named property list (/Properties) is not seen, so the
 * tree naming it fails the check: the fallback, not a wrong tree. */
static bool scan_mcids(graft_walk *w, const unsigned char *s, size_t n,
                       size_t page, mc_page *pm)
{
    long pend = -1;             /* an MCID waiting for its BDC */
    bool after_key = false;     /* the last token was /MCID */
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (is_space(c)) {
            i++;
        } else if (c == '%') {
            while (i < n && s[i] != '\n' && s[i] != '\r') i++;
        } else if (c == '(') {
            int depth = 0;
            for (; i < n; i++) {
                if (s[i] == '\\') i++;
                else if (s[i] == '(') depth++;
                else if (s[i] == ')' && --depth == 0) break;
            }
            i++;
            after_key = false;
        } else if (c == '<' && i + 1 < n && s[i + 1] == '<') {
            i += 2;
        } else if (c == '<') {
            while (i < n && s[i] != '>') i++;
            i++;
            after_key = false;
        } else if (c == ')' || c == '>' || c == '[' || c == ']' || c == '{' ||
                   c == '}') {
            /* a delimiter alone; every one must be stepped over here, as
             * the token branch below reads none and would not advance */
            i++;
            after_key = false;
        } else if (c == '/') {
            size_t j = i + 1;
            while (j < n && !is_space(s[j]) && !is_delim(s[j])) j++;
            after_key = j - i == 5 && memcmp(s + i, "/MCID", 5) == 0;
            i = j;
        } else {
            size_t j = i;
            while (j < n && !is_space(s[j]) && !is_delim(s[j])) j++;
            const unsigned char *t = s + i;
            size_t len = j - i;
            i = j;
            if (strchr("+-.0123456789", t[0])) {
                if (after_key) {
                    long v = 0;
                    bool digits = len > 0;
                    for (size_t k = 0; k < len && digits; k++) {
                        digits = t[k] >= '0' && t[k] <= '9';
                        if (digits && v <= GRAFT_MAX_MCID)
                            v = v * 10 + (t[k] - '0');
                    }
                    pend = digits ? v : -1;
                }
                after_key = false;
                continue;
            }
            after_key = false;
            if ((len == 4 && memcmp(t, "true", 4) == 0) ||
                (len == 5 && memcmp(t, "false", 5) == 0) ||
                (len == 4 && memcmp(t, "null", 4) == 0))
                continue;                 /* values, not operators */
            if (len == 3 && memcmp(t, "BDC", 3) == 0 && pend >= 0) {
                if (pend > GRAFT_MAX_MCID)
                    return bad(w, "page %zu has an MCID above %d", page + 1,
                               GRAFT_MAX_MCID);
                if (pend >= pm->n) {
                    int m = (int)pend + 1;
                    pm->mc = qr_xrealloc(pm->mc, (size_t)m);
                    memset(pm->mc + pm->n, 0, (size_t)(m - pm->n));
                    pm->n = m;
                }
                if (pm->mc[pend] & MC_IN_CONTENT)
                    return bad(w, "page %zu uses MCID %ld twice", page + 1,
                               pend);
                pm->mc[pend] |= MC_IN_CONTENT;
            } else if (len == 2 && memcmp(t, "ID", 2) == 0) {
                /* inline image data: binary, up to whitespace EI */
                for (i++; i + 1 < n; i++)
                    if (is_space(s[i - 1]) && s[i] == 'E' && s[i + 1] == 'I' &&
                        (i + 2 == n || is_space(s[i + 2]) ||
                         is_delim(s[i + 2])))
                        break;
                i += 2;
            }
            pend = -1;
        }
    }
    return true;
}

/* A kid naming MCID mcid of page pg: there in the content, not yet owned. */
static bool claim(graft_walk *w, long pg, long long mcid)
{
    if (pg < 0) return bad(w, "marked content is named with no page");
    mc_page *pm = &w->mc[pg];
    if (mcid < 0 || mcid >= pm->n || !(pm->mc[mcid] & MC_IN_CONTENT))
        return bad(w, "the tree names MCID %lld on page %ld, which its "
                      "content does not have", mcid, pg + 1);
    if (pm->mc[mcid] & MC_OWNED)
        return bad(w, "MCID %lld on page %ld belongs to two elements", mcid,
                   pg + 1);
    pm->mc[mcid] |= MC_OWNED;
    return true;
}

/* Object oh, read as text into *o: the index of its value, or -1 after
 * bad() when the text cannot be read. */
static int read_obj(graft_walk *w, qpdf_oh oh, pobj *o)
{
    /* past the bound nothing more is read, so that a walk that goes on
     * after bad() (an element's attributes) stops reading too */
    if (w->text > (size_t)GRAFT_MAX_TEXT_MB << 20) {
        pobj_free(o);
        return bad(w, "its objects come to more than %d MB of text, "
                      "values shared by many elements read for each",
                   GRAFT_MAX_TEXT_MB), -1;
    }
    const char *text = qpdf_oh_unparse_resolved(w->q, oh);
    w->text += text ? strlen(text) : 0;
    int x = pv_parse(text, o);
    if (x < 0) bad(w, "an object of its tree cannot be read");
    return x;
}

/* Value x of o, read when it is a reference (into *into, which the
 * caller frees); *in: the object it now lies in. -1 for no value, and
 * for a reference to a stream (libqpdf writes a stream as a reference to
 * itself), which no part of the tree may be. */
static int deref(graft_walk *w, const pobj *o, int x, pobj *into,
                 const pobj **in)
{
    *in = o;
    if (x < 0 || o->v[x].t != PV_REF) return x;
    qpdf_oh oh = qpdf_get_object_by_id(w->q, (int)o->v[x].i, o->v[x].gen);
    int r = read_obj(w, oh, into);
    qpdf_oh_release(w->q, oh);
    *in = into;
    return r >= 0 && into->v[r].t == PV_REF ? -1 : r;
}

/* The type of value x of o once read (PV_OTHER: none, or a stream). */
static char type_of(graft_walk *w, const pobj *o, int x)
{
    pobj r = {0};
    const pobj *in;
    int v = deref(w, o, x, &r, &in);
    char t = v < 0 ? PV_OTHER : in->v[v].t;
    pobj_free(&r);
    return t;
}

/* The value under `key` (no slash) of dictionary d of o; -1 if none. */
static int dict_get(const pobj *o, int d, const char *key)
{
    if (d < 0 || o->v[d].t != PV_DICT) return -1;
    for (int x = o->v[d].first; x >= 0; x = o->v[x].next)
        if (strcmp(o->str + o->v[x].key, key) == 0) return x;
    return -1;
}

/* ---- the objects the pages use, read before anything else ---- */

/* Resource categories a page's content can use: what the import
 * (qr_appendix_imports) copies of a page. Nothing else of the imported
 * page is taken: what runs code or carries files (annotations, actions,
 * JavaScript, embedded files) lives outside a page's resources. */
static const char *const RESOURCE_KEYS[] = {
    "/Font", "/XObject", "/ExtGState", "/ColorSpace", "/Pattern",
    "/Shading", "/Properties", "/ProcSet", NULL};

/* Dictionaries never copied, wherever a resource refers to them: pages
 * and the catalogue (their trees would bring outlines, /OpenAction,
 * names), annotations, actions and file specifications. Written as null. */
static const char *const REFUSED_TYPES[] = {
    "/Page", "/Pages", "/Catalog", "/Annot", "/Action", "/Filespec",
    "/EmbeddedFile", "/Outlines", NULL};


/* A reference to read: object id and generation; res: the object is a
 * page's resource dictionary. */
typedef struct obj_ref {
    int id, gen;
    bool res;
} obj_ref;

typedef struct ref_list {
    obj_ref *v;
    size_t n, cap;
} ref_list;

/* Is dictionary d of o one the import refuses (refused_dict), as far as
 * its text says? */
static bool refused_text(const pobj *o, int d)
{
    int s = dict_get(o, d, "S"), t = dict_get(o, d, "Type");
    if (dict_get(o, d, "JS") >= 0 ||
        (s >= 0 && o->v[s].t == PV_NAME &&
         strcmp(o->str + o->v[s].s, "JavaScript") == 0))
        return true;
    for (const char *const *k = REFUSED_TYPES;
         t >= 0 && o->v[t].t == PV_NAME && *k; k++)
        if (strcmp(o->str + o->v[t].s, *k + 1) == 0) return true;
    return false;
}

/* The references the import follows within value x of o: of a page's
 * resource dictionary (res), those of RESOURCE_KEYS' entries only, and
 * none in a dictionary it refuses. */
static void refs_in(const pobj *o, int x, bool res, ref_list *l, int depth)
{
    if (x < 0 || depth > PV_MAX_NEST) return;
    const pval *v = &o->v[x];
    if (v->t == PV_REF) {
        QR_GROW(l->v, l->n + 1, l->cap, 64);
        l->v[l->n++] = (obj_ref){(int)v->i, v->gen, res};
    } else if (v->t == PV_DICT && refused_text(o, x)) {
        return;
    } else if (v->t == PV_DICT && res) {
        for (const char *const *k = RESOURCE_KEYS; *k; k++)
            refs_in(o, dict_get(o, x, *k + 1), false, l, depth + 1);
    } else {
        for (int k = v->first; k >= 0; k = o->v[k].next)
            refs_in(o, k, false, l, depth + 1);
    }
}

/* Object oh (a stream: its dictionary) as text, parsed into *o: the
 * index of its value, or -1. */
static int parse_object(qpdf_data q, qpdf_oh oh, pobj *o)
{
    qpdf_oh dict = qpdf_oh_is_stream(q, oh) ? qpdf_oh_get_dict(q, oh) : oh;
    int x = pv_parse(qpdf_oh_unparse_resolved(q, dict), o);
    if (dict != oh) qpdf_oh_release(q, dict);
    return x;
}

/* Every object the pages use, from each page's values that the pack
 * takes (what check_page reads, what the import copies: refs_in), read
 * once: as
 * text in one call each, as the walk reads the tree (asking libqpdf for
 * each value of a font's widths cost a tagged pack 6% more), and from a
 * list rather than by recursion, as a chain of objects can be long. Once
 * read, an object stays read, whatever a later reading meets. */
static void read_page_objects(qpdf_data q, size_t npages, id_set *seen)
{
    static const char *const keys[] = {"Contents", "MediaBox", "CropBox",
                                       "Rotate"};
    ref_list todo = {0};
    pobj o = {0};
    for (size_t i = 0; i < npages; i++) {
        qpdf_oh page = qpdf_get_page_n(q, i);
        int id = qpdf_oh_get_object_id(q, page);
        if (id > 0) (void)id_seen(seen, id);
        int x = parse_object(q, page, &o);
        for (size_t k = 0; x >= 0 && k < sizeof keys / sizeof *keys; k++)
            refs_in(&o, dict_get(&o, x, keys[k]), false, &todo, 0);
        if (x >= 0) refs_in(&o, dict_get(&o, x, "Resources"), true, &todo, 0);
        qpdf_oh_release(q, page);
    }
    while (todo.n) {
        obj_ref r = todo.v[--todo.n];
        if (id_seen(seen, r.id)) continue;
        qpdf_oh oh = qpdf_get_object_by_id(q, r.id, r.gen);
        int x = parse_object(q, oh, &o);
        qpdf_oh_release(q, oh);
        if (x >= 0) refs_in(&o, x, r.res, &todo, 0);
    }
    pobj_free(&o);
    free(todo.v);
}

/* Is value x of o, once read, the name `name` (no slash)? */
static bool is_name(graft_walk *w, const pobj *o, int x, const char *name)
{
    pobj r = {0};
    const pobj *in;
    int v = deref(w, o, x, &r, &in);
    bool yes = v >= 0 && in->v[v].t == PV_NAME &&
               strcmp(in->str + in->v[v].s, name) == 0;
    pobj_free(&r);
    return yes;
}

/* The tree's /RoleMap or /ClassMap (handle h), read once when first
 * needed: the index of its dictionary in *o, or -1 when it is none. The
 * handle is asked whether it is a dictionary before it is read, as
 * libqpdf warns (damage) at a key asked of what is not one. */
typedef struct map_key {
    const char *key;
    int x;                     /* its value in the map's pobj */
} map_key;

static int by_key(const void *a, const void *b)
{
    return strcmp(((const map_key *)a)->key, ((const map_key *)b)->key);
}

/* The value under `key` of a map read by read_map; -1 if none. A binary
 * search: a type is looked up once per element and /RoleMap step, and a
 * linear search of a map of 100,000 entries for each of thousands of
 * elements took minutes. */
static int map_get(const map_key *k, int n, const char *key)
{
    map_key want = {key, -1};
    const map_key *hit =
        n ? bsearch(&want, k, (size_t)n, sizeof *k, by_key) : NULL;
    return hit ? hit->x : -1;
}

static int read_map(graft_walk *w, qpdf_oh h, bool *done, pobj *o, int *at,
                    map_key **keys, int *nkeys)
{
    if (!*done) {
        *done = true;
        *at = qpdf_oh_is_dictionary(w->q, h) ? read_obj(w, h, o) : -1;
        if (*at >= 0 && o->v[*at].t != PV_DICT) *at = -1;
        if (*at >= 0) {
            *keys = qr_xmalloc(((size_t)o->v[*at].n + 1) * sizeof **keys);
            for (int x = o->v[*at].first; x >= 0; x = o->v[x].next)
                (*keys)[(*nkeys)++] = (map_key){o->str + o->v[x].key, x};
            qsort(*keys, (size_t)*nkeys, sizeof **keys, by_key);
        }
    }
    return *at;
}

/* The standard type a structure type stands for, through the /RoleMap:
 * a type that reaches none is NonStruct, whose content counts as its
 * parent's (§14.8.4.2). Kept where the pack changes its meaning: a
 * Document inside the pack's section is a Part (as Quire nests a paper),
 * and a Link or Annot whose annotation is not copied is only text. */
static const char *standard_type(graft_walk *w, const char *name)
{
    char cur[256];
    snprintf(cur, sizeof cur, "%s", name);
    for (int hop = 0; hop < GRAFT_MAX_ROLES; hop++) {
        for (const char *const *t = STANDARD_TYPES; *t; t++) {
            if (strcmp(cur, *t) != 0) continue;
            if (strcmp(*t, "Document") == 0) return "Part";
            if (strcmp(*t, "Link") == 0 || strcmp(*t, "Annot") == 0)
                return "Span";
            if (strcmp(*t, "Form") == 0) return "Div";
            return *t;
        }
        int rm = read_map(w, w->rolemap, &w->rolemap_read, &w->rm, &w->rm_at,
                          &w->rm_keys, &w->rm_n);
        if (rm < 0) break;
        pobj r = {0};
        const pobj *in;
        int v = deref(w, &w->rm, map_get(w->rm_keys, w->rm_n, cur), &r, &in);
        bool next = v >= 0 && in->v[v].t == PV_NAME;
        if (next) snprintf(cur, sizeof cur, "%s", in->str + in->v[v].s);
        pobj_free(&r);
        if (!next) break;
    }
    return "NonStruct";
}

static const char *const TEXT_KEYS[QR_GRAFT_NTEXT] = {
    [QR_GRAFT_ALT] = "Alt", [QR_GRAFT_ACTUAL] = "ActualText",
    [QR_GRAFT_E] = "E", [QR_GRAFT_LANG] = "Lang", [QR_GRAFT_T] = "T"};

static int walk_elem(graft_walk *w, const pobj *o, int el, int id,
                     int parent, long pg, int depth);

/* Can name (or key) s, len bytes, be written into the pack as it is?
 * Within libharu's length, no NUL, and no space: libharu escapes the
 * PDF delimiters in a name but writes a space as it is, which would
 * split the name in two and break the dictionary around it. */
static bool writable_name(const char *s, size_t len)
{
    return len > 0 && len <= GRAFT_MAX_NAME && strlen(s) == len &&
           !memchr(s, ' ', len);
}

/* A plain value (name, number, boolean, string) as an attribute entry;
 * false for anything else, or one past the bounds. */
static bool attr_scalar(graft_walk *w, const pobj *o, int x,
                        qr_pdf_attr *out)
{
    pobj r = {0};
    const pobj *in;
    int v = deref(w, o, x, &r, &in);
    bool ok = v >= 0;
    const pval *p = ok ? &in->v[v] : NULL;
    switch (ok ? p->t : PV_OTHER) {
    case PV_NAME:
        ok = writable_name(in->str + p->s, p->len);
        if (ok) {
            out->type = 'n';
            out->str = (qr_pdf_bytes){qr_xstrdup(in->str + p->s), p->len};
        }
        break;
    case PV_INT:
    case PV_REAL:
        out->type = 'r';
        out->num = p->num;
        ok = isfinite(out->num) &&
             ((out->num == floor(out->num) && fabs(out->num) < 2e9) ||
              fabs(out->num) <= GRAFT_MAX_REAL);
        break;
    case PV_BOOL:
        out->type = 'b';
        out->num = p->i ? 1 : 0;
        break;
    case PV_STRING: {
        ok = p->len <= GRAFT_MAX_ATTR_STRING;
        if (!ok) break;
        char *copy = qr_xmalloc(p->len + 1);
        if (p->len) memcpy(copy, in->str + p->s, p->len);
        copy[p->len] = 0;
        out->type = 's';
        out->str = (qr_pdf_bytes){copy, p->len};
        break;
    }
    default:
        ok = false;
        break;
    }
    pobj_free(&r);
    return ok;
}

static void attr_push(qr_pdf_attr **v, size_t *n, size_t *cap, qr_pdf_attr a)
{
    QR_GROW(*v, *n + 1, *cap, 8);
    (*v)[(*n)++] = a;
}

/* Attribute object x of o (it must be a dictionary naming its owner, /O)
 * into the element's list as object number *obj; entries other than
 * plain values and arrays of them are left out, as is /Headers, which
 * names elements by the /ID that is not kept. */
static void attr_object(graft_walk *w, const pobj *o, int x, int *obj,
                        qr_pdf_attr **v, size_t *n, size_t *cap)
{
    if (*obj >= GRAFT_MAX_ATTR_OBJS) return;
    pobj r = {0};
    const pobj *in;
    int d = deref(w, o, x, &r, &in);
    if (d < 0 || in->v[d].t != PV_DICT ||
        type_of(w, in, dict_get(in, d, "O")) != PV_NAME) {
        pobj_free(&r);
        return;
    }
    size_t before = *n, nk = 0;
    for (int e = in->v[d].first; e >= 0 && nk < GRAFT_MAX_ATTR_KEYS;
         e = in->v[e].next, nk++) {
        const char *key = in->str + in->v[e].key;
        size_t klen = in->v[e].klen;
        qr_pdf_attr a = {.obj = *obj};
        pobj ar = {0};
        const pobj *ain;
        int val = deref(w, in, e, &ar, &ain);
        if (!writable_name(key, klen) || strcmp(key, "Headers") == 0) {
            /* left out */
        } else if (val >= 0 && ain->v[val].t == PV_ARRAY) {
            int items = ain->v[val].n;
            size_t at = *n;
            bool plain = items <= GRAFT_MAX_ATTR_ITEMS;
            a.key = qr_xstrdup(key);
            a.type = '[';
            a.n = plain ? (size_t)items : 0;
            attr_push(v, n, cap, a);
            for (int j = plain ? ain->v[val].first : -1; plain && j >= 0;
                 j = ain->v[j].next) {
                qr_pdf_attr it = {.obj = *obj};
                plain = attr_scalar(w, ain, j, &it);
                if (plain) attr_push(v, n, cap, it);
            }
            if (!plain) {                   /* the array is left out */
                for (size_t k = at; k < *n; k++) {
                    free((char *)(*v)[k].key);
                    free((char *)(*v)[k].str.s);
                }
                *n = at;
            }
        } else if (attr_scalar(w, in, e, &a)) {
            a.key = qr_xstrdup(key);
            attr_push(v, n, cap, a);
        }
        pobj_free(&ar);
    }
    if (*n > before) (*obj)++;
    pobj_free(&r);
}

/* An element's attribute objects: /A (a dictionary, or an array of them
 * with revision numbers) and, through the /ClassMap, those of its classes
 * (/C, a name or an array of names). */
static void walk_attrs(graft_walk *w, const pobj *o, int el,
                       qr_pdf_graft_elem *x)
{
    qr_pdf_attr *v = NULL;
    size_t n = 0, cap = 0;
    int obj = 0;
    pobj ar = {0};
    const pobj *ain;
    int a = deref(w, o, dict_get(o, el, "A"), &ar, &ain);
    if (a >= 0 && ain->v[a].t == PV_ARRAY) {
        int i = 0;
        for (int j = ain->v[a].first; j >= 0 && i < 2 * GRAFT_MAX_ATTR_OBJS;
             j = ain->v[j].next, i++)
            attr_object(w, ain, j, &obj, &v, &n, &cap);
    } else if (a >= 0) {
        attr_object(w, ain, a, &obj, &v, &n, &cap);
    }
    pobj_free(&ar);
    pobj cr = {0};
    const pobj *cin;
    int c = deref(w, o, dict_get(o, el, "C"), &cr, &cin);
    bool arr = c >= 0 && cin->v[c].t == PV_ARRAY;
    int nc = arr ? cin->v[c].n : 1;
    int item = arr ? cin->v[c].first : c;
    for (int i = 0; i < nc && i < 2 * GRAFT_MAX_ATTR_OBJS &&
                    read_map(w, w->classmap, &w->classmap_read, &w->cm,
                             &w->cm_at, &w->cm_keys, &w->cm_n) >= 0;
         i++, item = arr && item >= 0 ? cin->v[item].next : item) {
        pobj nr = {0};
        const pobj *nin;
        int nm = deref(w, cin, item, &nr, &nin);
        if (nm < 0 || nin->v[nm].t != PV_NAME) {
            pobj_free(&nr);
            continue;
        }
        pobj kr = {0};
        const pobj *kin;
        int cls = deref(w, &w->cm,
                        map_get(w->cm_keys, w->cm_n, nin->str + nin->v[nm].s),
                        &kr, &kin);
        pobj_free(&nr);
        if (cls >= 0 && kin->v[cls].t == PV_ARRAY) {
            int j = 0;
            for (int k = kin->v[cls].first;
                 k >= 0 && j < 2 * GRAFT_MAX_ATTR_OBJS;
                 k = kin->v[k].next, j++)
                attr_object(w, kin, k, &obj, &v, &n, &cap);
        } else if (cls >= 0) {
            attr_object(w, kin, cls, &obj, &v, &n, &cap);
        }
        pobj_free(&kr);
    }
    pobj_free(&cr);
    x->attrs = v;
    x->nattrs = n;
}

/* One kid of element e (whose page is pg) into *lk: an MCID, a
 * marked-content reference, a child element (kept when it has content)
 * or an object reference (dropped: annotations are never copied). The
 * kid as read: value v of in (-1: none, or a stream); id its object id
 * (0 when it is direct). */
static bool kid_value(graft_walk *w, const pobj *in, int v, int id, int e,
                      long pg, int depth, qr_pdf_graft_kid **lk, size_t *n,
                      size_t *cap)
{
    qr_pdf_graft_kid k = {-1, 0, 0};
    char t = v < 0 ? PV_OTHER : in->v[v].t;
    bool ok = true, keep = true;
    if (w->why) {
        ok = false;                     /* the kid could not be read */
    } else if (t == PV_INT) {
        long long m = in->v[v].i;
        ok = claim(w, pg, m);
        k.import = (size_t)pg;
        k.mcid = (int)m;
    } else if (t == PV_DICT) {
        int type = dict_get(in, v, "Type");
        if (type >= 0 && is_name(w, in, type, "OBJR")) {
            keep = false;
        } else if (type >= 0 && is_name(w, in, type, "MCR")) {
            long mpg = pg;
            int mpgv = dict_get(in, v, "Pg");
            int mc = dict_get(in, v, "MCID");
            pobj mr = {0};
            const pobj *min;
            int m = -1;
            if (dict_get(in, v, "Stm") >= 0)
                ok = bad(w, "it refers to marked content in a form of its "
                            "own (/Stm), which is not kept");
            else if (mpgv >= 0 && (mpg = page_of(w, in, mpgv)) < 0)
                ok = bad(w, "a marked-content reference's /Pg is not one "
                            "of its pages");
            else if ((m = deref(w, in, mc, &mr, &min)) < 0 ||
                     min->v[m].t != PV_INT)
                ok = bad(w, "a marked-content reference has no /MCID");
            else
                ok = claim(w, mpg, min->v[m].i);
            if (ok) {
                k.import = (size_t)mpg;
                k.mcid = (int)min->v[m].i;
            }
            pobj_free(&mr);
        } else {
            int c = walk_elem(w, in, v, id, e, pg, depth + 1);
            ok = c >= 0;
            keep = ok && w->content[c];   /* else nothing to read */
            k.elem = c;
        }
    } else if (t == PV_NULL) {
        keep = false;
    } else {
        ok = bad(w, "an element has a kid that is no element, MCID or "
                    "reference");
    }
    if (!ok || !keep) return ok;
    if (*n >= GRAFT_MAX_KIDS)
        return bad(w, "an element has more than %d kids", GRAFT_MAX_KIDS);
    QR_GROW(*lk, *n + 1, *cap, 8);
    (*lk)[(*n)++] = k;
    w->content[e] = true;
    return true;
}

/* Kid x of o, read first when it is a reference. */
static bool walk_kid(graft_walk *w, const pobj *o, int x, int e, long pg,
                     int depth, qr_pdf_graft_kid **lk, size_t *n,
                     size_t *cap)
{
    int id = o->v[x].t == PV_REF ? (int)o->v[x].i : 0;
    pobj r = {0};
    const pobj *in;
    int v = deref(w, o, x, &r, &in);
    bool ok = kid_value(w, in, v, id, e, pg, depth, lk, n, cap);
    pobj_free(&r);
    return ok;
}

/* Element el of o (object id: 0 when it is direct) and everything under
 * it; its index, or -1 after bad(). Its kids are added after its
 * descendants' so that each element's kids lie together
 * (qr_pdf_graft_elem.kid). pg: the page its MCIDs are on when it names
 * none of its own (its parent's). */
static int walk_elem(graft_walk *w, const pobj *o, int el, int id,
                     int parent, long pg, int depth)
{
    if (depth > GRAFT_MAX_DEPTH)
        return bad(w, "the tree is nested deeper than %d levels",
                   GRAFT_MAX_DEPTH), -1;
    if (id > 0 && id_seen(&w->seen, id))
        return bad(w, "element %d is reached twice: a cycle, or an element "
                      "with two parents", id), -1;
    if (w->nelems >= GRAFT_MAX_ELEMS)
        return bad(w, "it has more than %d elements", GRAFT_MAX_ELEMS), -1;
    pobj sr = {0};
    const pobj *sin;
    int s = deref(w, o, dict_get(o, el, "S"), &sr, &sin);
    if (s < 0 || sin->v[s].t != PV_NAME) {
        pobj_free(&sr);
        return bad(w, "an element has no /S"), -1;
    }
    size_t old = w->celems;
    QR_GROW(w->elems, w->nelems + 1, w->celems, 64);
    if (w->celems != old) {
        w->content = qr_xrealloc(w->content, w->celems * sizeof *w->content);
        memset(w->content + old, 0, (w->celems - old) * sizeof *w->content);
    }
    int e = (int)w->nelems++;
    qr_pdf_graft_elem *x = &w->elems[e];
    memset(x, 0, sizeof *x);
    x->parent = parent;
    x->type = standard_type(w, sin->str + sin->v[s].s);
    pobj_free(&sr);
    for (int t = 0; t < QR_GRAFT_NTEXT; t++) {
        pobj tr = {0};
        const pobj *tin;
        int v = deref(w, o, dict_get(o, el, TEXT_KEYS[t]), &tr, &tin);
        if (v >= 0 && tin->v[v].t == PV_STRING) {
            size_t len = tin->v[v].len;
            char *copy = qr_xmalloc(len ? len : 1);
            if (len) memcpy(copy, tin->str + tin->v[v].s, len);
            w->elems[e].text[t] = (qr_pdf_bytes){copy, len};
        }
        pobj_free(&tr);
    }
    if (dict_get(o, el, "A") >= 0 || dict_get(o, el, "C") >= 0)
        walk_attrs(w, o, el, &w->elems[e]);
    int pgv = dict_get(o, el, "Pg");
    if (pgv >= 0) {
        pg = page_of(w, o, pgv);
        if (pg < 0)
            return bad(w, "an element's /Pg is not one of its pages"), -1;
    }
    qr_pdf_graft_kid *lk = NULL;
    size_t n = 0, cap = 0;
    bool ok = !w->why;
    int kv = dict_get(o, el, "K");
    pobj kr = {0};
    const pobj *kin = o;
    int k = kv >= 0 && ok ? deref(w, o, kv, &kr, &kin) : -1;
    if (kv < 0 || !ok) {
        /* no kids */
    } else if (k >= 0 && kin->v[k].t == PV_ARRAY) {
        for (int i = kin->v[k].first; ok && i >= 0; i = kin->v[i].next)
            ok = walk_kid(w, kin, i, e, pg, depth, &lk, &n, &cap);
    } else {                            /* one kid, read once */
        ok = kid_value(w, kin, k, o->v[kv].t == PV_REF ? (int)o->v[kv].i : 0,
                       e, pg, depth, &lk, &n, &cap);
    }
    pobj_free(&kr);
    if (ok) {
        QR_GROW(w->kids, w->nkids + n, w->ckids, 256);
        if (n) memcpy(w->kids + w->nkids, lk, n * sizeof *lk);
        w->elems[e].kid = w->nkids;
        w->elems[e].nkids = n;
        w->nkids += n;
    }
    free(lk);
    return ok ? e : -1;
}

/* Keep only elements with content, renumbered in the same order (a parent
 * of one with content has content, and kids name only those). */
static void drop_empty(graft_walk *w)
{
    int *to = qr_xmalloc((w->nelems ? w->nelems : 1) * sizeof *to);
    size_t n = 0;
    for (size_t e = 0; e < w->nelems; e++) {
        to[e] = w->content[e] ? (int)n : -1;
        if (!w->content[e]) {
            free_graft_elem(&w->elems[e]);
            continue;
        }
        qr_pdf_graft_elem x = w->elems[e];
        x.parent = x.parent >= 0 ? to[x.parent] : -1;
        w->elems[n++] = x;
    }
    for (size_t i = 0; i < w->nkids; i++)
        if (w->kids[i].elem >= 0) w->kids[i].elem = to[w->kids[i].elem];
    w->nelems = n;
    free(to);
}

static void graft_walk_free(graft_walk *w)
{
    for (size_t e = 0; e < w->nelems; e++)
        free_graft_elem(&w->elems[e]);
    free(w->elems);
    free(w->kids);
    free(w->content);
    free(w->seen.v);
    free(w->page_ids);
    free(w->page_order);
    for (size_t p = 0; w->mc && p < w->a->npages; p++) free(w->mc[p].mc);
    if (w->z) libdeflate_free_decompressor(w->z);
    free(w->mc);
    free(w->why);
    pobj_free(&w->rm);
    pobj_free(&w->cm);
    free(w->rm_keys);
    free(w->cm_keys);
}

static unsigned char *stored_flate(qpdf_data src, qpdf_oh spage,
                                   size_t *len);

/* A page's content for the MCID scan. One stream, Flate alone (what
 * stored_flate takes) is inflated here by libdeflate from its stored
 * bytes: libqpdf's decoding through its pipelines cost five times the
 * instructions. check_page has bounded its size and seen it decode
 * without a warning; anything else, or a stream libdeflate does not read
 * to its end, is decoded by libqpdf as before. */
static unsigned char *page_content(qpdf_data q,
                                   struct libdeflate_decompressor **z,
                                   qpdf_oh page, size_t *len)
{
    size_t rawlen = 0;
    unsigned char *raw = stored_flate(q, page, &rawlen);
    if (raw && !*z) *z = libdeflate_alloc_decompressor();
    size_t cap = rawlen * 4 + 4096;
    while (raw && *z) {
        if (cap > QR_APPENDIX_MAX_CONTENT) cap = QR_APPENDIX_MAX_CONTENT;
        unsigned char *out = qr_xmalloc(cap);
        size_t used = 0, got = 0;
        enum libdeflate_result r = libdeflate_zlib_decompress_ex(
            *z, raw, rawlen, out, cap, &used, &got);
        if (r == LIBDEFLATE_SUCCESS && used == rawlen) {
            free(raw);
            *len = got;
            return out;
        }
        free(out);
        if (r != LIBDEFLATE_INSUFFICIENT_SPACE ||
            cap >= QR_APPENDIX_MAX_CONTENT)
            break;
        cap *= 2;
    }
    free(raw);
    unsigned char *buf = NULL;
    *len = 0;
    qpdf_oh_get_page_content_data(q, page, &buf, len);
    return buf;
}

/* Walk and check a's structure tree: on success a->graft holds it; false
 * (and *why, for the caller's warning) when it cannot be kept. */
static bool walk_structure(qr_appendix *a, char **why)
{
    graft_walk w = {.a = a, .q = a->q};
    qpdf_data q = a->q;
    size_t np = a->npages;
    w.page_ids = qr_xcalloc(np, sizeof *w.page_ids);
    w.page_order = qr_xcalloc(np, sizeof *w.page_order);
    w.mc = qr_xcalloc(np, sizeof *w.mc);
    bool ok = true;
    for (size_t p = 0; ok && p < np; p++) {
        qpdf_oh page = qpdf_get_page_n(q, p);
        w.page_ids[p] = qpdf_oh_get_object_id(q, page);
        w.page_order[p] = p;
        size_t len = 0;
        unsigned char *buf = page_content(q, &w.z, page, &len);
        ok = scan_mcids(&w, buf, buf ? len : 0, p, &w.mc[p]);
        free(buf);
    }
    order_walk = &w;
    qsort(w.page_order, np, sizeof *w.page_order, by_page_id);
    qpdf_oh root = qpdf_get_root(q);
    qpdf_oh tree = qpdf_oh_get_key(q, root, "/StructTreeRoot");
    if (ok && !qpdf_oh_is_dictionary(q, tree))
        ok = bad(&w, "its /StructTreeRoot is not a dictionary");
    w.rolemap = ok ? qpdf_oh_get_key(q, tree, "/RoleMap") : tree;
    w.classmap = ok ? qpdf_oh_get_key(q, tree, "/ClassMap") : tree;
    qpdf_oh k = ok ? qpdf_oh_get_key(q, tree, "/K") : tree;
    int nk = qpdf_oh_is_array(q, k) ? qpdf_oh_get_array_n_items(q, k)
             : qpdf_oh_is_dictionary(q, k) ? 1 : 0;
    if (ok && nk > GRAFT_MAX_TOP)
        ok = bad(&w, "its root has more than %d elements", GRAFT_MAX_TOP);
    for (int i = 0; ok && i < nk; i++) {
        qpdf_oh el = qpdf_oh_is_array(q, k) ? qpdf_oh_get_array_item(q, k, i)
                                            : k;
        if (!qpdf_oh_is_dictionary(q, el)) {
            ok = bad(&w, "its root has a kid that is no element");
            continue;
        }
        pobj o = {0};
        int x = read_obj(&w, el, &o);
        ok = x >= 0 && walk_elem(&w, &o, x, qpdf_oh_get_object_id(q, el),
                                 -1, -1, 1) >= 0;
        pobj_free(&o);
    }
    for (size_t p = 0; ok && p < np; p++)
        for (int m = 0; ok && m < w.mc[p].n; m++)
            if (w.mc[p].mc[m] == MC_IN_CONTENT)
                ok = bad(&w, "marked content MCID %d on page %zu belongs to "
                             "no element", m, p + 1);
    if (ok && w.nelems) {
        drop_empty(&w);
        if (!w.nelems) ok = bad(&w, "no element has content");
    } else if (ok) {
        ok = bad(&w, "it has no elements");
    }
    /* libqpdf's reading problems while walking are a damaged tree, and
     * the reason given before what the walk made of them: an object
     * libqpdf could not read reads as null (a kid gone, an MCID owned by
     * no element) */
    char *problem = pending_problem(q);
    if (problem) {
        free(w.why);
        w.why = NULL;
        ok = bad(&w, "%s", problem);
    }
    free(problem);
    if (ok) {
        a->graft_elems = w.elems;
        a->graft_kids = w.kids;
        a->ngraft_elems = w.nelems;
        a->ngraft_kids = w.nkids;
        w.elems = NULL;
        w.kids = NULL;
        w.nelems = 0;
    }
    *why = w.why;
    w.why = NULL;
    graft_walk_free(&w);
    qpdf_oh_release_all(q);
    return ok;
}

/* A kept tree's figures and formulas without alternative text: PDF/UA
 * asks for /Alt or /ActualText on each (an empty one says nothing), and a
 * screen reader passes over an element with neither. The tree is kept all
 * the same (its headings, lists and tables still read), with one warning
 * for the file that counts them, since the author can fix them all. */
static void warn_no_alt(const qr_appendix *a, qr_diags *d)
{
    size_t fig = 0, form = 0;
    for (size_t e = 0; e < a->ngraft_elems; e++) {
        const qr_pdf_graft_elem *x = &a->graft_elems[e];
        if (x->text[QR_GRAFT_ALT].len || x->text[QR_GRAFT_ACTUAL].len)
            continue;
        if (strcmp(x->type, "Figure") == 0) fig++;
        else if (strcmp(x->type, "Formula") == 0) form++;
    }
    if (!fig && !form) return;
    char figs[40] = "", forms[40] = "";
    if (fig)
        snprintf(figs, sizeof figs, "%zu figure%s", fig, fig > 1 ? "s" : "");
    if (form)
        snprintf(forms, sizeof forms, "%zu formula%s", form,
                 form > 1 ? "s" : "");
    bool one = fig + form == 1;
    qr_diag_add(d, QR_WARNING, a->path, 0, 0, NULL, NULL,
                "%s (%s): %s%s%s in the PDF ha%s no alternative text (/Alt), "
                "so screen readers skip %s; ask for a copy with alternative "
                "text", a->who, a->path, figs, fig && form ? " and " : "",
                forms, one ? "s" : "ve", one ? "it" : "them");
}

qr_appendix *qr_appendix_open(const char *path, const char *who, qr_diags *d)
{
    qr_appendix *a = qr_xcalloc(1, sizeof *a);
    a->path = qr_xstrdup(path);
    a->who = qr_xstrdup(who);
    if (!read_bytes(a, d)) goto bad;
    if (!load_qpdf(path, d)) goto bad;
    if (!is_pdf(a)) {
        fail(d, a, "the file is not a PDF (no %%PDF- header)");
        goto bad;
    }
    if (!check_document(a, d)) goto bad;
    if (!a->tagged)
        qr_diag_add(d, QR_WARNING, a->path, 0, 0, NULL, NULL,
                    "%s (%s): the PDF is not tagged, so screen readers "
                    "cannot follow its pages as they can the rest of the "
                    "pack; ask for a tagged (accessible) copy",
                    a->who, a->path);
    /* the tree is not walked past a warning about an object stored with
     * the pages (count_pages): it may be an element, and libqpdf, having
     * read it, will not warn of it again while the tree is walked */
    char *why = a->stored_problem
                ? qr_xasprintf("an object stored in one object stream "
                               "with its pages is damaged: %s",
                               a->stored_problem)
                : NULL;
    if (a->tagged && (why || !walk_structure(a, &why)))
        qr_diag_add(d, QR_WARNING, a->path, 0, 0, NULL, NULL,
                    "%s (%s): the PDF is tagged, but its structure tree "
                    "cannot be kept (%s), so its pages are read as figures "
                    "with alternative text only; ask for a re-saved tagged "
                    "copy", a->who, a->path, why ? why : "it is damaged");
    else if (a->tagged)
        warn_no_alt(a, d);
    free(why);
    return a;
bad:
    qr_appendix_free(a);
    return NULL;
}

size_t qr_appendix_npages(const qr_appendix *a) { return a->npages; }

const qr_appendix_page *qr_appendix_page_at(const qr_appendix *a, size_t i)
{
    return i < a->npages ? &a->pages[i] : NULL;
}

bool qr_appendix_tagged(const qr_appendix *a) { return a->tagged; }

void qr_appendix_page_size(const qr_appendix *a, size_t i, double *w,
                           double *h)
{
    const qr_appendix_page *p = &a->pages[i];
    double pw = p->x1 - p->x0, ph = p->y1 - p->y0;
    int turned = p->rotate == 90 || p->rotate == 270;
    *w = turned ? ph : pw;
    *h = turned ? pw : ph;
}

/* ---- the imported pages ----
 *
 * Each imported page becomes a Form XObject that the PDF stage draws on
 * its placeholder while it writes the pack (qr_pdf_render_imports): this
 * file gives it the page's content and, once the stage knows where its
 * own objects end, writes the page's resources and every object they
 * reach, renumbered after the pack's. libqpdf only reads the appendix;
 * the pack is written once, by Quire, and never parsed again. */

/* The objects of one appendix already given numbers in the pack. */
typedef struct numbering {
    const qr_appendix *a;
    size_t *num;             /* by object id: pack number, 0 = none yet */
    size_t cap;
} numbering;

struct qr_appendix_imports {
    qr_pdf_imports pdf;
    qr_pdf_import *v;
    const qr_appendix_place *pl;
    unsigned char **data;    /* each import's content, owned */
    numbering *nums;
    size_t nnums;
    /* the walk, while the stage saves */
    size_t base;
    qpdf_oh *queue;          /* referred to, not yet written */
    const qr_appendix **queue_from;
    size_t nqueue, cqueue;
    const char *name;
    /* per tagged appendix whose tree is kept, its tree with each kid's
     * page turned into the import that draws it */
    qr_pdf_graft *grafts;
    qr_pdf_graft_kid **graft_kids;   /* owned, one array per graft */
    size_t ngrafts;
};

static bool refused_dict(qpdf_data q, qpdf_oh dict)
{
    if (qpdf_oh_has_key(q, dict, "/JS")) return true;
    qpdf_oh s = qpdf_oh_get_key(q, dict, "/S");
    bool js = qpdf_oh_is_name_and_equals(q, s, "/JavaScript");
    qpdf_oh_release(q, s);
    qpdf_oh t = qpdf_oh_get_key(q, dict, "/Type");
    for (const char *const *k = REFUSED_TYPES; !js && *k; k++)
        js = qpdf_oh_is_name_and_equals(q, t, *k);
    qpdf_oh_release(q, t);
    return js;
}

/* A name as a PDF token: '#' and every byte outside the regular
 * characters escaped (libqpdf hands names back decoded). */
static void put_name(qr_buf *b, const char *n)
{
    qr_buf_putc(b, '/');
    for (const unsigned char *c = (const unsigned char *)n + 1; *c; c++) {
        if (*c < 0x21 || *c > 0x7E || strchr("()<>[]{}/%#", *c))
            qr_buf_printf(b, "#%02X", *c);
        else
            qr_buf_putc(b, (char)*c);
    }
}

static void put_hex_string(qr_buf *b, const char *s, size_t n)
{
    static const char HEX[] = "0123456789ABCDEF";
    qr_buf_putc(b, '<');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        qr_buf_putc(b, HEX[c >> 4]);
        qr_buf_putc(b, HEX[c & 15]);
    }
    qr_buf_putc(b, '>');
}

static numbering *numbering_of(qr_appendix_imports *x, const qr_appendix *a)
{
    for (size_t i = 0; i < x->nnums; i++)
        if (x->nums[i].a == a) return &x->nums[i];
    x->nums = qr_xrealloc(x->nums, (x->nnums + 1) * sizeof *x->nums);
    x->nums[x->nnums] = (numbering){a, NULL, 0};
    return &x->nums[x->nnums++];
}

/* The pack's number for indirect object oh of appendix a, queued to be
 * written when it is new; 0 when it must not be copied. */
static size_t number_of(qr_appendix_imports *x, const qr_appendix *a,
                        qpdf_oh oh)
{
    qpdf_data q = a->q;
    int id = qpdf_oh_get_object_id(q, oh);
    if (id <= 0) return 0;
    numbering *nb = numbering_of(x, a);
    if ((size_t)id >= nb->cap) {
        size_t cap = (size_t)id * 2 + 16;
        nb->num = qr_xrealloc(nb->num, cap * sizeof *nb->num);
        memset(nb->num + nb->cap, 0, (cap - nb->cap) * sizeof *nb->num);
        nb->cap = cap;
    }
    if (nb->num[id]) return nb->num[id];
    int type = qpdf_oh_get_type_code(q, oh);
    qpdf_oh dict = type == ot_stream ? qpdf_oh_get_dict(q, oh) : oh;
    if ((type == ot_stream || type == ot_dictionary) && refused_dict(q, dict))
        return 0;
    if (type != ot_stream && type != ot_dictionary && type != ot_array &&
        type != ot_integer && type != ot_real && type != ot_string &&
        type != ot_name && type != ot_boolean)
        return 0;                       /* null, or a missing object */
    QR_GROW(x->queue, x->nqueue + 1, x->cqueue, 64);
    x->queue_from = qr_xrealloc(x->queue_from, x->cqueue *
                                sizeof *x->queue_from);
    x->queue[x->nqueue] = oh;
    x->queue_from[x->nqueue] = a;
    nb->num[id] = x->base + x->nqueue++;
    return nb->num[id];
}

static void put_value(qr_appendix_imports *x, const qr_appendix *a,
                      qpdf_oh oh, qr_buf *b, bool top);

/* A stream's keys that are not copied: /Length is the pack's to write;
 * /F, /FFilter and /FDecodeParms would take its data from another file;
 * a form's or image's /StructParents or /StructParent is a key of the
 * appendix's ParentTree, which would name another entry of the pack's. */
static const char *const STREAM_SKIP[] = {"/Length", "/F", "/FFilter",
                                          "/FDecodeParms", "/StructParents",
                                          "/StructParent", NULL};

static bool skipped(const char *key, const char *const *skip)
{
    for (; skip && *skip; skip++)
        if (strcmp(key, *skip) == 0) return true;
    return false;
}

/* A dictionary's entries, each "/Key value" on its own line, but those in
 * `skip` (NULL: none). The keys are collected first: libqpdf has one key
 * iterator per document, and a value may be a dictionary too. */
static void put_entries(qr_appendix_imports *x, const qr_appendix *a,
                        qpdf_oh dict, const char *const *skip, qr_buf *b)
{
    qpdf_data q = a->q;
    char **keys = NULL;
    size_t n = 0, cap = 0;
    qpdf_oh_begin_dict_key_iter(q, dict);
    while (qpdf_oh_dict_more_keys(q)) {
        QR_GROW(keys, n + 1, cap, 16);
        keys[n++] = qr_xstrdup(qpdf_oh_dict_next_key(q));
    }
    for (size_t i = 0; i < n; i++) {
        if (!skipped(keys[i], skip)) {
            qr_buf_putc(b, '\n');
            put_name(b, keys[i]);
            qr_buf_putc(b, ' ');
            put_value(x, a, qpdf_oh_get_key(q, dict, keys[i]), b, false);
        }
        free(keys[i]);
    }
    free(keys);
}

/* Value oh of appendix a as PDF text, its references renumbered (null
 * for what is never copied). `top`: oh is the object being written, not a
 * reference to it. */
static void put_value(qr_appendix_imports *x, const qr_appendix *a,
                      qpdf_oh oh, qr_buf *b, bool top)
{
    qpdf_data q = a->q;
    if (!top && qpdf_oh_is_indirect(q, oh)) {
        size_t num = number_of(x, a, oh);
        if (num) qr_buf_printf(b, "%zu 0 R", num);
        else qr_buf_puts(b, "null");
        return;
    }
    size_t len = 0;
    const char *str;
    switch (qpdf_oh_get_type_code(q, oh)) {
    case ot_boolean:
        qr_buf_puts(b, qpdf_oh_get_bool_value(q, oh) ? "true" : "false");
        break;
    case ot_integer:
        qr_buf_printf(b, "%lld", qpdf_oh_get_int_value(q, oh));
        break;
    case ot_real:
        qr_buf_puts(b, qpdf_oh_get_real_value(q, oh));
        break;
    case ot_string:
        str = qpdf_oh_get_binary_string_value(q, oh, &len);
        put_hex_string(b, str ? str : "", str ? len : 0);
        break;
    case ot_name:
        put_name(b, qpdf_oh_get_name(q, oh));
        break;
    case ot_array: {
        int n = qpdf_oh_get_array_n_items(q, oh);
        qr_buf_putc(b, '[');
        for (int i = 0; i < n; i++) {
            if (i) qr_buf_putc(b, ' ');
            put_value(x, a, qpdf_oh_get_array_item(q, oh, i), b, false);
        }
        qr_buf_putc(b, ']');
        break;
    }
    case ot_dictionary:
        if (refused_dict(q, oh)) {
            qr_buf_puts(b, "null");
            break;
        }
        qr_buf_puts(b, "<<");
        put_entries(x, a, oh, NULL, b);
        qr_buf_puts(b, "\n>>");
        break;
    default:
        qr_buf_puts(b, "null");      /* a direct stream cannot be */
        break;
    }
}

/* Queued object k as a pack object: a stream keeps its data as stored
 * (never decoded: an image's LZW could inflate without bound) and its
 * filters (STREAM_SKIP aside). */
static void write_object(qr_appendix_imports *x, size_t k, qr_pdf_obj *o)
{
    const qr_appendix *a = x->queue_from[k];
    qpdf_data q = a->q;
    qpdf_oh oh = x->queue[k];
    qr_buf b;
    qr_buf_init(&b);
    memset(o, 0, sizeof *o);
    if (qpdf_oh_get_type_code(q, oh) == ot_stream) {
        qpdf_oh dict = qpdf_oh_get_dict(q, oh);
        put_entries(x, a, dict, STREAM_SKIP, &b);
        o->deflate = !qpdf_oh_has_key(q, dict, "/Filter");
        unsigned char *raw = NULL;
        size_t len = 0;
        qpdf_oh_get_stream_data(q, oh, qpdf_dl_none, NULL, &raw, &len);
        o->data = raw ? (char *)raw : qr_xstrdup("");
        o->data_len = raw ? len : 0;
    } else {
        put_value(x, a, oh, &b, true);
    }
    o->text = qr_buf_detach(&b, &o->len);
}

/* Import k's /Resources: the page's, filtered to RESOURCE_KEYS. */
static void put_resources(qr_appendix_imports *x, size_t k, qr_buf *b)
{
    const qr_appendix *a = x->pl[k].from;
    qpdf_data q = a->q;
    qpdf_oh page = qpdf_get_page_n(q, x->pl[k].page);
    qpdf_oh res = qpdf_oh_get_key(q, page, "/Resources");
    qr_buf_puts(b, "<<");
    bool dict = qpdf_oh_is_dictionary(q, res);
    for (const char *const *key = RESOURCE_KEYS; dict && *key; key++) {
        if (!qpdf_oh_has_key(q, res, *key)) continue;
        qr_buf_putc(b, '\n');
        put_name(b, *key);
        qr_buf_putc(b, ' ');
        put_value(x, a, qpdf_oh_get_key(q, res, *key), b, false);
    }
    qr_buf_puts(b, "\n>>");
}

/* qr_pdf_imports.objects: every import's resources, then every object
 * they reach, breadth first (so the same input numbers them alike). */
static bool import_objects(void *ctx, size_t base, qr_buf *res,
                           qr_pdf_obj **objs, size_t *nobjs, qr_diags *d)
{
    qr_appendix_imports *x = ctx;
    x->base = base;
    for (size_t k = 0; k < x->pdf.n; k++) put_resources(x, k, &res[k]);
    qr_pdf_obj *out = NULL;
    size_t cap = 0;
    for (size_t k = 0; k < x->nqueue; k++) {   /* the queue grows */
        QR_GROW(out, k + 1, cap, 64);
        write_object(x, k, &out[k]);
    }
    *objs = out;
    *nobjs = x->nqueue;
    for (size_t i = 0; i < x->nnums; i++) {
        /* an appendix's own warnings while copying are damage too */
        char *problem = pending_problem(x->nums[i].a->q);
        if (!problem) continue;
        qr_diag_add(d, QR_ERROR, x->name, 0, 0, NULL, NULL,
                    "cannot add the PDF appendices to the pack: %s (%s)",
                    problem, x->nums[i].a->path);
        free(problem);
        return false;
    }
    return true;
}

/* The matrix that shows the imported page upright, as a viewer would with
 * its /Rotate, in a placeholder of the page's shown size with its origin
 * at 0 0 (the placeholder is laid out that way, with no /Rotate of its
 * own, so the pack's footer reads the right way up). */
static void upright(const qr_appendix_page *pg, double m[6])
{
    double w = pg->x1 - pg->x0, h = pg->y1 - pg->y0;
    static const double id[6] = {1, 0, 0, 1, 0, 0};
    memcpy(m, id, sizeof id);
    switch (pg->rotate) {
    case 90:  m[0] = 0, m[1] = -1, m[2] = 1, m[3] = 0, m[5] = w; break;
    case 180: m[0] = -1, m[3] = -1, m[4] = w, m[5] = h; break;
    case 270: m[0] = 0, m[1] = 1, m[2] = -1, m[3] = 0, m[4] = h; break;
    default: break;
    }
}

/* The page's content as stored when it is one stream, Flate alone with
 * no parameters (the common case: what Quire, LibreOffice and Word
 * write): the form keeps those bytes compressed, as the file had them.
 * qr_appendix_open has decoded the same stream without a warning and
 * bounded its size, so its bytes are known to inflate. NULL otherwise. */
static unsigned char *stored_flate(qpdf_data src, qpdf_oh spage, size_t *len)
{
    qpdf_oh c = qpdf_oh_get_key(src, spage, "/Contents");
    if (qpdf_oh_is_array(src, c) && qpdf_oh_get_array_n_items(src, c) == 1)
        c = qpdf_oh_get_array_item(src, c, 0);
    if (!qpdf_oh_is_stream(src, c) || !flate_only(src, c) ||
        qpdf_oh_has_key(src, qpdf_oh_get_dict(src, c), "/DecodeParms"))
        return NULL;
    unsigned char *raw = NULL;
    *len = 0;
    if (qpdf_oh_get_stream_data(src, c, qpdf_dl_none, NULL, &raw, len) &
        QPDF_ERRORS) {
        free(raw);
        return NULL;
    }
    return raw;
}

/* Import k: the imported page's content (as stored, or decoded and
 * concatenated: the pack pass then deflates it), box and placement. */
static void prepare_import(qr_appendix_imports *x, size_t k)
{
    const qr_appendix_place *pl = &x->pl[k];
    qpdf_data src = pl->from->q;
    qpdf_oh spage = qpdf_get_page_n(src, pl->page);
    qr_pdf_import *im = &x->v[k];
    size_t len = 0;
    unsigned char *buf = stored_flate(src, spage, &len);
    im->flate = buf != NULL;
    if (!buf) qpdf_oh_get_page_content_data(src, spage, &buf, &len);
    x->data[k] = buf;
    im->data = buf ? (const char *)buf : "";
    im->len = buf ? len : 0;
    im->page = pl->pack_page;
    const qr_appendix_page *pg = &pl->from->pages[pl->page];
    im->bbox[0] = pg->x0, im->bbox[1] = pg->y0;
    im->bbox[2] = pg->x1, im->bbox[3] = pg->y1;
    upright(pg, im->matrix);
    qpdf_oh_release(src, spage);
}

/* Give the imports of each appendix whose structure tree is kept that
 * tree, its kids naming imports instead of pages. Every page must be
 * drawn exactly once (as every pack does today); otherwise the tree is
 * not kept, with a warning, and the pages are figures. */
static void add_grafts(qr_appendix_imports *x, size_t npl, qr_diags *d)
{
    for (size_t k = 0; k < npl; k++) {
        const qr_appendix *a = x->pl[k].from;
        if (!a->ngraft_elems || (k > 0 && x->pl[k - 1].from == a)) continue;
        bool done = false;
        for (size_t g = 0; g < x->ngrafts && !done; g++)
            done = x->grafts[g].elems == a->graft_elems;
        if (done) continue;
        size_t *imp = qr_xmalloc(a->npages * sizeof *imp);
        for (size_t p = 0; p < a->npages; p++) imp[p] = SIZE_MAX;
        bool once = true;
        for (size_t j = k; j < npl; j++) {
            if (x->pl[j].from != a) continue;
            once = once && imp[x->pl[j].page] == SIZE_MAX;
            imp[x->pl[j].page] = j;
        }
        for (size_t p = 0; once && p < a->npages; p++)
            once = imp[p] != SIZE_MAX;
        if (!once) {
            qr_diag_add(d, QR_WARNING, a->path, 0, 0, NULL, NULL,
                        "%s (%s): its structure tree is not kept, as the "
                        "pack does not hold each of its pages once; its "
                        "pages are read as figures", a->who, a->path);
            free(imp);
            continue;
        }
        qr_pdf_graft_kid *kids = qr_xmalloc((a->ngraft_kids ? a->ngraft_kids
                                                            : 1) *
                                            sizeof *kids);
        for (size_t i = 0; i < a->ngraft_kids; i++) {
            kids[i] = a->graft_kids[i];
            if (kids[i].elem < 0) kids[i].import = imp[kids[i].import];
        }
        free(imp);
        x->grafts = qr_xrealloc(x->grafts, (x->ngrafts + 1) *
                                               sizeof *x->grafts);
        x->graft_kids = qr_xrealloc(x->graft_kids, (x->ngrafts + 1) *
                                                       sizeof *x->graft_kids);
        x->graft_kids[x->ngrafts] = kids;
        x->grafts[x->ngrafts] = (qr_pdf_graft){a->graft_elems,
                                               a->ngraft_elems, kids,
                                               a->ngraft_kids};
        x->ngrafts++;
    }
    /* the pointers, once the array no longer moves */
    for (size_t g = 0; g < x->ngrafts; g++)
        for (size_t k = 0; k < npl; k++)
            if (x->pl[k].from->graft_elems == x->grafts[g].elems)
                x->v[k].graft = &x->grafts[g];
}

/* A hash of every appendix's bytes, for the pack's /ID. */
static uint64_t sources_hash(const qr_appendix_place *pl, size_t npl)
{
    uint64_t h = QR_FNV64_INIT;
    for (size_t k = 0; k < npl; k++)
        if (k == 0 || pl[k].from != pl[k - 1].from)
            h = qr_fnv64(h, pl[k].from->bytes, pl[k].from->len);
    return h;
}

qr_appendix_imports *qr_appendix_imports_new(const qr_appendix_place *pl,
                                             size_t npl, const char *name,
                                             qr_diags *d)
{
    for (size_t k = 0; k < npl; k++)
        if (pl[k].page >= pl[k].from->npages) {
            qr_diag_add(d, QR_ERROR, name, 0, 0, NULL, NULL,
                        "cannot add the PDF appendices to the pack: %s has "
                        "no page %zu", pl[k].from->path, pl[k].page + 1);
            return NULL;
        }
    qr_appendix_imports *x = qr_xcalloc(1, sizeof *x);
    x->pl = pl;
    x->name = name;
    x->v = qr_xcalloc(npl ? npl : 1, sizeof *x->v);
    x->data = qr_xcalloc(npl ? npl : 1, sizeof *x->data);
    for (size_t k = 0; k < npl; k++) prepare_import(x, k);
    add_grafts(x, npl, d);
    x->pdf = (qr_pdf_imports){.v = x->v, .n = npl,
                              .id = sources_hash(pl, npl),
                              .objects = import_objects, .ctx = x};
    return x;
}

const qr_pdf_imports *qr_appendix_imports_pdf(const qr_appendix_imports *x)
{
    return &x->pdf;
}

void qr_appendix_imports_free(qr_appendix_imports *x)
{
    if (!x) return;
    for (size_t k = 0; k < x->pdf.n; k++) free(x->data[k]);
    free(x->data);
    free(x->v);
    for (size_t i = 0; i < x->nnums; i++) {
        free(x->nums[i].num);
        qpdf_oh_release_all(x->nums[i].a->q);
    }
    free(x->nums);
    free(x->queue);
    free(x->queue_from);
    for (size_t g = 0; g < x->ngrafts; g++) free(x->graft_kids[g]);
    free(x->graft_kids);
    free(x->grafts);
    free(x);
}
