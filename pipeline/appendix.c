/* appendix.c — PDF appendices, and the only user of libqpdf: open, check
 * and describe one from its bytes (qr_appendix_open), and the final pass
 * that draws imported pages onto the pack's placeholders
 * (qr_appendix_merge). See appendix.h and docs/architecture.md, "Imported
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qpdf/qpdf-c.h>
#include <dlfcn.h>
#include <pthread.h>
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
    X(qpdf_get_buffer) \
    X(qpdf_get_buffer_length) \
    X(qpdf_get_error) \
    X(qpdf_get_error_code) \
    X(qpdf_get_error_file_position) \
    X(qpdf_get_error_full_text) \
    X(qpdf_get_error_message_detail) \
    X(qpdf_get_num_pages) \
    X(qpdf_get_page_n) \
    X(qpdf_get_root) \
    X(qpdf_has_error) \
    X(qpdf_init) \
    X(qpdf_init_write_memory) \
    X(qpdf_is_encrypted) \
    X(qpdf_make_indirect_object) \
    X(qpdf_more_warnings) \
    X(qpdf_next_warning) \
    X(qpdf_oh_copy_foreign_object) \
    X(qpdf_oh_get_array_item) \
    X(qpdf_oh_get_array_n_items) \
    X(qpdf_oh_get_dict) \
    X(qpdf_oh_get_int_value_as_int) \
    X(qpdf_oh_get_key) \
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
    X(qpdf_oh_new_dictionary) \
    X(qpdf_oh_new_name) \
    X(qpdf_oh_new_null) \
    X(qpdf_oh_new_stream) \
    X(qpdf_oh_parse) \
    X(qpdf_oh_release) \
    X(qpdf_oh_release_all) \
    X(qpdf_oh_replace_key) \
    X(qpdf_oh_replace_stream_data) \
    X(qpdf_push_inherited_attributes_to_page) \
    X(qpdf_read_memory) \
    X(qpdf_set_decode_level) \
    X(qpdf_set_deterministic_ID) \
    X(qpdf_set_object_stream_mode) \
    X(qpdf_set_suppress_warnings) \
    X(qpdf_silence_errors) \
    X(qpdf_write)

#define X(f) static __typeof__(&f) dl_##f;
QR_QPDF_FUNCS(X)
#undef X

#define qpdf_cleanup dl_qpdf_cleanup
#define qpdf_get_buffer dl_qpdf_get_buffer
#define qpdf_get_buffer_length dl_qpdf_get_buffer_length
#define qpdf_get_error dl_qpdf_get_error
#define qpdf_get_error_code dl_qpdf_get_error_code
#define qpdf_get_error_file_position dl_qpdf_get_error_file_position
#define qpdf_get_error_full_text dl_qpdf_get_error_full_text
#define qpdf_get_error_message_detail dl_qpdf_get_error_message_detail
#define qpdf_get_num_pages dl_qpdf_get_num_pages
#define qpdf_get_page_n dl_qpdf_get_page_n
#define qpdf_get_root dl_qpdf_get_root
#define qpdf_has_error dl_qpdf_has_error
#define qpdf_init dl_qpdf_init
#define qpdf_init_write_memory dl_qpdf_init_write_memory
#define qpdf_is_encrypted dl_qpdf_is_encrypted
#define qpdf_make_indirect_object dl_qpdf_make_indirect_object
#define qpdf_more_warnings dl_qpdf_more_warnings
#define qpdf_next_warning dl_qpdf_next_warning
#define qpdf_oh_copy_foreign_object dl_qpdf_oh_copy_foreign_object
#define qpdf_oh_get_array_item dl_qpdf_oh_get_array_item
#define qpdf_oh_get_array_n_items dl_qpdf_oh_get_array_n_items
#define qpdf_oh_get_dict dl_qpdf_oh_get_dict
#define qpdf_oh_get_int_value_as_int dl_qpdf_oh_get_int_value_as_int
#define qpdf_oh_get_key dl_qpdf_oh_get_key
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
#define qpdf_oh_new_dictionary dl_qpdf_oh_new_dictionary
#define qpdf_oh_new_name dl_qpdf_oh_new_name
#define qpdf_oh_new_null dl_qpdf_oh_new_null
#define qpdf_oh_new_stream dl_qpdf_oh_new_stream
#define qpdf_oh_parse dl_qpdf_oh_parse
#define qpdf_oh_release dl_qpdf_oh_release
#define qpdf_oh_release_all dl_qpdf_oh_release_all
#define qpdf_oh_replace_key dl_qpdf_oh_replace_key
#define qpdf_oh_replace_stream_data dl_qpdf_oh_replace_stream_data
#define qpdf_push_inherited_attributes_to_page dl_qpdf_push_inherited_attributes_to_page
#define qpdf_read_memory dl_qpdf_read_memory
#define qpdf_set_decode_level dl_qpdf_set_decode_level
#define qpdf_set_deterministic_ID dl_qpdf_set_deterministic_ID
#define qpdf_set_object_stream_mode dl_qpdf_set_object_stream_mode
#define qpdf_set_suppress_warnings dl_qpdf_set_suppress_warnings
#define qpdf_silence_errors dl_qpdf_silence_errors
#define qpdf_write dl_qpdf_write

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

struct qr_appendix {
    char *path, *who;
    char *bytes;           /* what qpdf reads: must outlive q */
    size_t len;
    qpdf_data q;
    qr_appendix_page *pages;
    size_t npages;
    bool tagged;
};

/* The PDF header may follow up to 1,024 bytes of junk (ISO 32000-1
 * 7.5.2 note; readers accept it, and so does libqpdf). */
#define HEADER_WINDOW 1024

/* ---- libqpdf's errors and warnings ---- */

/* One of libqpdf's errors or warnings as text: its detail and where in
 * the file (the file itself is named by the caller's message). */
static char *problem_text(qpdf_data q, qpdf_error e)
{
    unsigned long long at = qpdf_get_error_file_position(q, e);
    const char *detail = qpdf_get_error_message_detail(q, e);
    if (!detail || !detail[0]) detail = qpdf_get_error_full_text(q, e);
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

void qr_appendix_free(qr_appendix *a)
{
    if (!a) return;
    if (a->q) qpdf_cleanup(&a->q);
    free(a->pages);
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
static size_t stream_size(qpdf_data q, qpdf_oh stream, size_t cap,
                          bool *clean)
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
    size_t size = unfiltered ? len : inflated_size(raw, len, cap, &inflated);
    free(raw);
    *clean = !params && (unfiltered ? size <= cap : inflated);
    return size == (size_t)-1 ? 0 : size;
}

/* Is the page's content at most QR_APPENDIX_MAX_CONTENT decompressed? */
/* *clean: every content stream is known to decode (stream_size). */
static bool content_bounded(qpdf_data q, qpdf_oh page, bool *clean)
{
    qpdf_oh c = qpdf_oh_get_key(q, page, "/Contents");
    size_t cap = QR_APPENDIX_MAX_CONTENT, total = 0;
    bool one;
    *clean = true;
    if (qpdf_oh_is_array(q, c)) {
        int n = qpdf_oh_get_array_n_items(q, c);
        for (int i = 0; i < n && total <= cap; i++) {
            total += stream_size(q, qpdf_oh_get_array_item(q, c, i),
                                 cap - total, &one);
            *clean = *clean && one;
        }
    } else {
        total = stream_size(q, c, cap, &one);
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
    if (!content_bounded(q, page, &clean)) {
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
    problem = pending_problem(a->q);
    if (n < 0 || problem) {
        fail(d, a, "the PDF's page tree is damaged (%s)",
             problem ? problem : "no pages");
        free(problem);
        return false;
    }
    if (n == 0) {
        fail(d, a, "the PDF has no pages");
        return false;
    }
    if (n > QR_APPENDIX_MAX_PAGES) {
        fail(d, a, "the PDF has %d pages; an appendix may have at most %d",
             n, QR_APPENDIX_MAX_PAGES);
        return false;
    }
    /* every page then carries its own MediaBox, Rotate and Resources,
     * as the merge copies them page by page */
    qpdf_push_inherited_attributes_to_page(a->q);
    problem = pending_problem(a->q);
    if (problem) {
        fail(d, a, "the PDF's page tree is damaged (%s)", problem);
        free(problem);
        return false;
    }
    a->npages = (size_t)n;
    a->pages = qr_xcalloc(a->npages, sizeof *a->pages);
    for (size_t i = 0; i < a->npages; i++)
        if (!check_page(a, i, d)) return false;
    a->tagged = check_tagged(a->q);
    return true;
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

/* ---- the final pass ---- */

/* Resource categories a page's content can use. Nothing else of the
 * imported page is taken: what runs code or carries files (annotations,
 * actions, JavaScript, embedded files) lives outside a page's resources. */
static const char *const RESOURCE_KEYS[] = {
    "/Font", "/XObject", "/ExtGState", "/ColorSpace", "/Pattern",
    "/Shading", "/Properties", "/ProcSet", NULL};

/* The imported page's resources, copied into the pack and filtered to
 * RESOURCE_KEYS. libqpdf copies only indirect objects between files, so a
 * direct dictionary is made indirect in the appendix first (in memory). */
static qpdf_oh copy_resources(qpdf_data p, qpdf_data src, qpdf_oh spage)
{
    qpdf_oh out = qpdf_oh_new_dictionary(p);
    qpdf_oh res = qpdf_oh_get_key(src, spage, "/Resources");
    if (!qpdf_oh_is_dictionary(src, res)) return out;
    if (!qpdf_oh_is_indirect(src, res)) {
        res = qpdf_make_indirect_object(src, res);
        qpdf_oh_replace_key(src, spage, "/Resources", res);
    }
    qpdf_oh copy = qpdf_oh_copy_foreign_object(p, src, res);
    for (const char *const *k = RESOURCE_KEYS; *k; k++)
        if (qpdf_oh_has_key(p, copy, *k))
            qpdf_oh_replace_key(p, out, *k, qpdf_oh_get_key(p, copy, *k));
    return out;
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
 * Decoded, the final write would deflate every imported page again, which
 * was most of what an appendix cost (zlib's deflate: about 200 ms for 100
 * pages). qr_appendix_open has decoded the same stream without a warning
 * and bounded its size, so its bytes are known to inflate. NULL
 * otherwise. */
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

/* The imported page as a Form XObject of the pack: its content as stored
 * (stored_flate), or decoded and concatenated; clipped to its shown box. */
static qpdf_oh page_form(qpdf_data p, const qr_appendix *a, size_t i)
{
    qpdf_data src = a->q;
    qpdf_oh spage = qpdf_get_page_n(src, i);
    size_t len = 0;
    unsigned char *buf = stored_flate(src, spage, &len);
    qpdf_oh form = qpdf_oh_new_stream(p);
    if (buf) {
        qpdf_oh_replace_stream_data(p, form, buf, len,
                                    qpdf_oh_new_name(p, "/FlateDecode"),
                                    qpdf_oh_new_null(p));
    } else {
        qpdf_oh_get_page_content_data(src, spage, &buf, &len);
        qpdf_oh_replace_stream_data(p, form, buf ? buf : (unsigned char *)"",
                                    buf ? len : 0, qpdf_oh_new_null(p),
                                    qpdf_oh_new_null(p));
    }
    free(buf);
    const qr_appendix_page *pg = &a->pages[i];
    char bbox[160];
    snprintf(bbox, sizeof bbox, "[%.4f %.4f %.4f %.4f]", pg->x0, pg->y0,
             pg->x1, pg->y1);
    qpdf_oh dict = qpdf_oh_get_dict(p, form);
    qpdf_oh_replace_key(p, dict, "/Type", qpdf_oh_new_name(p, "/XObject"));
    qpdf_oh_replace_key(p, dict, "/Subtype", qpdf_oh_new_name(p, "/Form"));
    qpdf_oh_replace_key(p, dict, "/BBox", qpdf_oh_parse(p, bbox));
    qpdf_oh_replace_key(p, dict, "/Resources", copy_resources(p, src, spage));
    return form;
}

/* A dictionary member of dict, created empty when missing. */
static qpdf_oh sub_dict(qpdf_data p, qpdf_oh dict, const char *key)
{
    qpdf_oh v = qpdf_oh_get_key(p, dict, key);
    if (qpdf_oh_is_dictionary(p, v)) return v;
    v = qpdf_oh_new_dictionary(p);
    qpdf_oh_replace_key(p, dict, key, v);
    return v;
}

/* The placeholder's content with `ops` (drawing the imported page) put
 * where it belongs. The pack marks the spot: a placeholder's first item is
 * an empty rectangle tagged as a Figure whose alternative text names the
 * appendix and page, so the drawing goes inside that marked-content
 * sequence — tagged, in the item's place in the structure tree, and under
 * everything else on the page. Without the mark (a placeholder made
 * otherwise) the drawing goes first, untagged. */
static qpdf_oh with_import(qpdf_data p, qpdf_oh page, const char *ops,
                           size_t n)
{
    static const char MARK[] = "/Figure <</MCID ";
    unsigned char *cur = NULL;
    size_t len = 0;
    qpdf_oh_get_page_content_data(p, page, &cur, &len);
    const char *m = cur ? memmem(cur, len, MARK, sizeof MARK - 1) : NULL;
    const char *bdc = m ? memmem(m, len - (size_t)(m - (char *)cur),
                                 "BDC\n", 4) : NULL;
    size_t at = bdc ? (size_t)(bdc + 4 - (char *)cur) : 0;
    qr_buf b;
    qr_buf_init(&b);
    if (cur) qr_buf_append(&b, cur, at);
    qr_buf_append(&b, ops, n);
    if (cur) qr_buf_append(&b, cur + at, len - at);
    free(cur);
    qpdf_oh s = qpdf_oh_new_stream(p);
    qpdf_oh_replace_stream_data(p, s, (const unsigned char *)b.data, b.len,
                                qpdf_oh_new_null(p), qpdf_oh_new_null(p));
    qr_buf_free(&b);
    return s;
}

/* Draw imported page `pl` on its placeholder. */
static void place(qpdf_data p, const qr_appendix_place *pl)
{
    qpdf_oh page = qpdf_get_page_n(p, pl->pack_page);
    char name[48], ops[256];
    snprintf(name, sizeof name, "/QrAppendix%zu", pl->pack_page + 1);
    qpdf_oh xobjects = sub_dict(p, sub_dict(p, page, "/Resources"),
                                "/XObject");
    qpdf_oh_replace_key(p, xobjects, name, page_form(p, pl->from, pl->page));

    const qr_appendix_page *pg = &pl->from->pages[pl->page];
    double m[6];
    upright(pg, m);
    int n = snprintf(ops, sizeof ops,
                     "q %g %g %g %g %g %g cm 1 0 0 1 %.4f %.4f cm %s Do Q\n",
                     m[0], m[1], m[2], m[3], m[4], m[5], -pg->x0, -pg->y0,
                     name);
    qpdf_oh_replace_key(p, page, "/Contents", with_import(p, page, ops,
                                                          (size_t)n));
    qpdf_oh_release_all(p);
}

bool qr_appendix_merge(const char *in, size_t n, const qr_appendix_place *pl,
                      size_t npl, const char *name, char **out,
                      size_t *outlen, qr_diags *d)
{
    *out = NULL;
    *outlen = 0;
    if (!load_qpdf(name, d)) return false;
    qpdf_data p = new_qpdf();
    char *problem = NULL;
    bool ok = false;
    if (qpdf_read_memory(p, name, in, n, "") & QPDF_ERRORS) goto done;
    int npages = qpdf_get_num_pages(p);
    for (size_t i = 0; i < npl && !qpdf_has_error(p); i++) {
        if (npages < 0 || pl[i].pack_page >= (size_t)npages ||
            pl[i].page >= pl[i].from->npages) {
            problem = qr_xasprintf("placeholder page %zu is not in the pack",
                                   pl[i].pack_page + 1);
            goto done;
        }
        place(p, &pl[i]);
        /* an appendix's own warnings while copying are damage too */
        if ((problem = pending_problem(pl[i].from->q))) goto done;
    }
    if ((problem = pending_problem(p))) goto done;
    qpdf_init_write_memory(p);
    /* streams are copied as they are: never decoded (an image's LZW could
     * inflate without bound), only what is unfiltered gets compressed */
    qpdf_set_decode_level(p, qpdf_dl_none);
    qpdf_set_object_stream_mode(p, qpdf_o_generate);
    /* identical input, identical bytes: the /ID is a hash of the content */
    qpdf_set_deterministic_ID(p, QPDF_TRUE);
    qpdf_write(p);
    if ((problem = pending_problem(p))) goto done;
    *outlen = qpdf_get_buffer_length(p);
    *out = qr_xmalloc(*outlen ? *outlen : 1);
    memcpy(*out, qpdf_get_buffer(p), *outlen);
    ok = true;
done:
    if (!ok) {
        if (!problem) problem = pending_problem(p);
        qr_diag_add(d, QR_ERROR, name, 0, 0, NULL, NULL,
                    "cannot add the PDF appendices to the pack: %s",
                    problem ? problem : "libqpdf failed");
    }
    free(problem);
    qpdf_cleanup(&p);
    return ok;
}
