/* serve.c — the preview server of `quire watch --serve` (libmicrohttpd).
 *
 * One thread per connection, at most SERVE_CONNECTIONS at once: an
 * /events stream is a request that never ends, so each needs a thread that
 * may wait, and the limit bounds how many there can be. A stream's reader
 * waits on a condition variable for the render generation to move, in
 * short slices so that stopping never waits long for it.
 *
 * The page is put together per request from the last good render and the
 * last failure's diagnostics, under one mutex; the reload script is added
 * here, so the HTML written to disk never has it.
 */
#include "quire/serve.h"

#include "quire/util.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* ---- libmicrohttpd, opened when a server first starts ----
 *
 * Linked, libmicrohttpd would bring GnuTLS and eight more shared objects
 * into every run of quire, most of which never serve anything; so, like
 * libqpdf in appendix.c, it is opened with dlopen and its functions are
 * called through pointers of their own types (filled once, by dlsym).
 * The defines below let the code read as plain calls of the API.
 * QR_MHD_SONAME is the soname of the library built against (Makefile). */
#define QR_MHD_FUNCS(X) \
    X(MHD_add_response_header) X(MHD_create_response_from_buffer) \
    X(MHD_create_response_from_callback) X(MHD_destroy_response) \
    X(MHD_get_daemon_info) X(MHD_queue_response) X(MHD_start_daemon) \
    X(MHD_stop_daemon) X(MHD_get_version)
#define X(f) static __typeof__(f) *dl_##f;
QR_MHD_FUNCS(X)
#undef X
#define MHD_add_response_header dl_MHD_add_response_header
#define MHD_create_response_from_buffer dl_MHD_create_response_from_buffer
#define MHD_create_response_from_callback dl_MHD_create_response_from_callback
#define MHD_destroy_response dl_MHD_destroy_response
#define MHD_get_daemon_info dl_MHD_get_daemon_info
#define MHD_queue_response dl_MHD_queue_response
#define MHD_start_daemon dl_MHD_start_daemon
#define MHD_stop_daemon dl_MHD_stop_daemon
#define MHD_get_version dl_MHD_get_version

static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static const char *mhd_failure;      /* NULL once loaded */
static char mhd_error_text[512];

static void load_mhd_once(void)
{
    void *lib = dlopen(QR_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
    const char *missing = NULL;
    if (lib) {
#define X(f) if (!missing && !(dl_##f = (__typeof__(dl_##f))dlsym(lib, #f))) missing = #f;
        QR_MHD_FUNCS(X)
#undef X
    }
    if (!lib || missing) {
        const char *why = dlerror();
        snprintf(mhd_error_text, sizeof mhd_error_text, "%s%s%s",
                 missing ? "it has no " : "", missing ? missing : "",
                 why && !missing ? why : "");
        mhd_failure = mhd_error_text;
    }
}

/* Load libmicrohttpd once for the process; false after an error naming
 * the library and why when it cannot be loaded. */
static bool load_mhd(qr_diags *d)
{
    pthread_once(&mhd_once, load_mhd_once);
    if (!mhd_failure) return true;
    qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                "watch: cannot load libmicrohttpd (%s), which serves the "
                "preview: %s (Debian: apt-get install libmicrohttpd12)",
                QR_MHD_SONAME, mhd_failure);
    return false;
}

const char *qr_serve_library_version(void)
{
    pthread_once(&mhd_once, load_mhd_once);
    return mhd_failure ? NULL : MHD_get_version();
}

#define SERVE_CONNECTIONS 16       /* open connections at once, streams too */
#define SERVE_TIMEOUT_S 60         /* an idle connection is closed */
#define SLICE_MS 200               /* a stream checks for stopping this often */
#define KEEPALIVE_MS 15000         /* a comment on a quiet stream */

struct qr_server {
    struct MHD_Daemon *mhd;
    unsigned port;
    pthread_mutex_t lock;
    pthread_cond_t moved;
    unsigned long generation;      /* one more per render */
    int stopping;
    char *good;                    /* the last good render, NULL before one */
    char *errors;                  /* the last failure's text, NULL after success */
};

static const char RELOAD_SCRIPT[] =
    "<script>/* quire watch --serve: reload after each render */"
    "new EventSource('/events').addEventListener('reload',"
    "function(){location.reload();});</script>\n";

static const char EMPTY_PAGE[] =
    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>quire watch</title></head><body><p>No render yet.</p></body></html>";

/* ---- the page ---- */

static void put_escaped(qr_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': qr_buf_puts(b, "&amp;"); break;
        case '<': qr_buf_puts(b, "&lt;"); break;
        case '>': qr_buf_puts(b, "&gt;"); break;
        case '"': qr_buf_puts(b, "&quot;"); break;
        default: qr_buf_putc(b, *s);
        }
    }
}

static void put_errors(qr_buf *b, const char *errors)
{
    qr_buf_puts(b, "<section role=\"alert\" style=\"border:3px solid #a00;"
                   "padding:0 1em;margin:1em;background:#fff\">"
                   "<h2 style=\"color:#a00\">Not rendered</h2>"
                   "<pre style=\"white-space:pre-wrap\">");
    put_escaped(b, errors);
    qr_buf_puts(b, "</pre><p>The last good render, if any, follows.</p></section>\n");
}

/* The page served at /: the errors (if any) just inside <body>, the reload
 * script just before </body>. Caller holds the lock and frees. */
static char *compose(const qr_server *s, size_t *len)
{
    const char *page = s->good ? s->good : EMPTY_PAGE;
    const char *body = strstr(page, "<body");
    const char *after = body ? strchr(body, '>') : NULL;
    const char *end = strstr(page, "</body>");
    qr_buf b;
    qr_buf_init(&b);
    size_t head = after ? (size_t)(after + 1 - page) : 0;
    qr_buf_append(&b, page, head);
    if (s->errors) put_errors(&b, s->errors);
    const char *rest = page + head;
    size_t mid = end && end >= rest ? (size_t)(end - rest) : strlen(rest);
    qr_buf_append(&b, rest, mid);
    qr_buf_puts(&b, RELOAD_SCRIPT);
    qr_buf_puts(&b, rest + mid);
    return qr_buf_detach(&b, len);
}

/* ---- the event stream ---- */

typedef struct stream {
    qr_server *s;
    unsigned long seen;
    int sent_hello;
} stream;

static void deadline_in(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_nsec += ms * 1000000L;
    ts->tv_sec += ts->tv_nsec / 1000000000L;
    ts->tv_nsec %= 1000000000L;
}

/* Block until the generation moves (one `reload` event), a keep-alive is
 * due (a comment) or the server stops (the end). */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream *st = cls;
    qr_server *s = st->s;
    if (!st->sent_hello) {   /* tells the client the stream is open */
        st->sent_hello = 1;
        return snprintf(buf, max, ": quire watch\n\n");
    }
    pthread_mutex_lock(&s->lock);
    for (long waited = 0; !s->stopping && s->generation == st->seen &&
                          waited < KEEPALIVE_MS; waited += SLICE_MS) {
        struct timespec ts;
        deadline_in(&ts, SLICE_MS);
        pthread_cond_timedwait(&s->moved, &s->lock, &ts);
    }
    int stopping = s->stopping, moved = s->generation != st->seen;
    st->seen = s->generation;
    pthread_mutex_unlock(&s->lock);
    if (stopping) return MHD_CONTENT_READER_END_OF_STREAM;
    if (moved) return snprintf(buf, max, "event: reload\ndata: %lu\n\n", st->seen);
    return snprintf(buf, max, ": keep-alive\n\n");
}

static struct MHD_Response *events_response(qr_server *s, int head)
{
    struct MHD_Response *r;
    if (head) {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else {
        stream *st = qr_xcalloc(1, sizeof *st);
        st->s = s;
        pthread_mutex_lock(&s->lock);
        st->seen = s->generation;
        pthread_mutex_unlock(&s->lock);
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256, stream_read,
                                              st, free);
    }
    if (r) {
        MHD_add_response_header(r, "Content-Type", "text/event-stream");
        MHD_add_response_header(r, "Cache-Control", "no-store");
    }
    return r;
}

/* ---- requests ---- */

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned code,
                                  const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    if (code == MHD_HTTP_METHOD_NOT_ALLOWED) MHD_add_response_header(r, "Allow", "GET, HEAD");
    enum MHD_Result ok = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result reply_page(qr_server *s, struct MHD_Connection *c)
{
    size_t len;
    pthread_mutex_lock(&s->lock);
    char *page = compose(s, &len);
    pthread_mutex_unlock(&s->lock);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, page, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(page);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_len, void **con_cls)
{
    (void)version;
    (void)upload;
    (void)con_cls;
    qr_server *s = cls;
    *upload_len = 0;   /* a body is never read: the answer does not need it */
    int page = strcmp(url, "/") == 0, events = strcmp(url, "/events") == 0;
    if (!page && !events) return reply_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
    int head = strcmp(method, "HEAD") == 0;
    if (!head && strcmp(method, "GET") != 0)
        return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    if (page) return reply_page(s, c);
    struct MHD_Response *r = events_response(s, head);
    if (!r) return MHD_NO;
    enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ok;
}

/* ---- the server ---- */

qr_server *qr_serve_start(unsigned port, qr_diags *d)
{
    if (port > 65535) {
        qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                    "watch: port %u is not a TCP port (0 to 65535)", port);
        return NULL;
    }
    if (!load_mhd(d)) return NULL;
    qr_server *s = qr_xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->moved, NULL);
    /* 127.0.0.1 and nothing else: the address is fixed, not an option */
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->mhd = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
        (uint16_t)port, NULL, NULL, on_request, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVE_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_TIMEOUT_S,
        MHD_OPTION_END);
    if (!s->mhd) {
        qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                    "watch: cannot serve on 127.0.0.1:%u: %s", port,
                    errno ? strerror(errno) : "the server did not start");
        qr_serve_stop(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : port;
    return s;
}

unsigned qr_serve_port(const qr_server *s) { return s->port; }

/* Replace the page's parts and wake every stream. */
static void update(qr_server *s, char *good, char *errors)
{
    pthread_mutex_lock(&s->lock);
    if (good) {
        free(s->good);
        s->good = good;
    }
    free(s->errors);
    s->errors = errors;
    s->generation++;
    pthread_cond_broadcast(&s->moved);
    pthread_mutex_unlock(&s->lock);
}

static char *copy_text(const char *p, size_t len)
{
    char *c = qr_xmalloc(len + 1);
    memcpy(c, p, len);
    c[len] = '\0';
    return c;
}

void qr_serve_good(qr_server *s, const char *html, size_t len)
{
    update(s, copy_text(html, len), NULL);
}

void qr_serve_failed(qr_server *s, const char *errors, size_t len)
{
    update(s, NULL, copy_text(errors, len));
}

void qr_serve_stop(qr_server *s)
{
    if (!s) return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->moved);
    pthread_mutex_unlock(&s->lock);
    if (s->mhd) MHD_stop_daemon(s->mhd);
    pthread_cond_destroy(&s->moved);
    pthread_mutex_destroy(&s->lock);
    free(s->good);
    free(s->errors);
    free(s);
}
