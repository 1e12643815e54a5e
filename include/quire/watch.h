/* watch.h — the author's preview: render one paper, then watch (inotify)
 * every file it was made from — data, template, each partial, the style,
 * fonts and images — and render again whenever one is saved. A failed
 * render prints its diagnostics at file:line:col and leaves the last good
 * PDF in place (the write is atomic and a failed render writes nothing).
 *
 * Failure: qr_watch_run returns a qr_status, the exit status of `quire
 * watch`.
 */
#ifndef QUIRE_WATCH_H
#define QUIRE_WATCH_H

#include <stdio.h>
#include "quire/util.h"

/* Quiet time after the last change before rendering: editors save in
 * several steps (write a temporary, rename it over the file). */
#define QR_WATCH_DEBOUNCE_MS 50

typedef struct qr_watch_opts {
    const char *data_path;      /* NULL: a plain Markdown paper */
    const char *template_path;  /* required */
    const char *style_path;     /* NULL: the built-in style */
    const char *out_path;       /* required */
    int strict;                 /* missing template names are errors */
    int draft;                  /* DRAFT mark and the build time (1 in watch) */
    int open;                   /* open the PDF once with xdg-open, if any */
    int max_renders;            /* stop after this many renders (tests); 0 never */
    int debounce_ms;            /* 0: QR_WATCH_DEBOUNCE_MS */
    int serve;                  /* preview the HTML output on 127.0.0.1 */
    unsigned port;              /* with serve: 0 picks a free port */
    FILE *log;                  /* NULL: stderr */
} qr_watch_opts;

/* Render, then watch until SIGINT, SIGTERM or SIGHUP (or max_renders
 * renders). Each render runs in a child process, so a signal ends watch at
 * once even while a render is blocked (the render is killed and its
 * temporary PDF removed). A data, template or style that is not a regular
 * file is refused without being opened; a folder replaced (renamed away,
 * deleted and made again) is watched afresh and the paper re-rendered.
 * Diagnostics and one line per render go to the log. Returns QR_OK when
 * stopped by a signal; after max_renders, the status of the last render
 * (QR_OK, QR_EINPUT, QR_EOUTPUT); QR_EOUTPUT when inotify is unavailable. */
qr_status qr_watch_run(const qr_watch_opts *o);

#endif
