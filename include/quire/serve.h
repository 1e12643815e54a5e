/* serve.h — the preview server of `quire watch --serve`: the current HTML
 * render at /, and a server-sent-events stream at /events that tells the
 * page to reload after each render. Bound to 127.0.0.1 only: a draft may
 * be exempt, and nothing on the network should reach it.
 *
 * Failure: qr_serve_start returns NULL after adding a diagnostic.
 */
#ifndef QUIRE_SERVE_H
#define QUIRE_SERVE_H

#include <stddef.h>
#include "quire/diag.h"

#define QR_SERVE_PORT 8787         /* the default port */

typedef struct qr_server qr_server;

/* Listen on 127.0.0.1:port (0: a free port, read back with qr_serve_port).
 * Its threads inherit the caller's signal mask. */
qr_server *qr_serve_start(unsigned port, qr_diags *d);
unsigned qr_serve_port(const qr_server *s);

/* A render succeeded: `html` (len bytes, copied) is the page from now on,
 * any error shown is cleared, and every open /events stream gets `reload`. */
void qr_serve_good(qr_server *s, const char *html, size_t len);

/* A render failed: `errors` (the located diagnostics, as printed; copied)
 * is shown, escaped, above the last good render, and the streams get
 * `reload` too, so that the page shows them. */
void qr_serve_failed(qr_server *s, const char *errors, size_t len);

/* The running libmicrohttpd's version, loading it if need be (it is
 * opened on first use, not linked); NULL when it cannot be loaded. */
const char *qr_serve_library_version(void);

/* Stop listening, end the open streams and free; NULL is a no-op. */
void qr_serve_stop(qr_server *s);

#endif
