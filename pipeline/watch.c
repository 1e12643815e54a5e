/* watch.c — the author's preview loop.
 *
 * In: one paper's data, template and style paths and the PDF to write. Out:
 * the PDF, re-rendered each time one of its inputs is saved, and a line per
 * render (or the diagnostics) on the log.
 *
 * Editors save in different ways: in place (IN_CLOSE_WRITE), or by writing a
 * temporary and renaming it over the file (IN_MOVED_TO), which replaces the
 * inode, so a watch on the file itself would go quiet after the first save.
 * We therefore watch the folders that hold the inputs and filter events by
 * name. The input list comes from the render itself (the partials a
 * template uses, the fonts and images), so it is refreshed after every
 * render; after a failed render the previous list is kept as well, so a fix
 * to a partial is still noticed.
 *
 * Signals: SIGINT and SIGTERM are blocked except while waiting in ppoll, so
 * a render is never cut in half and the loop exits cleanly.
 */
#include "quire/watch.h"

#include "quire/build.h"
#include "quire/diag.h"
#include "quire/render.h"
#include "quire/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WATCH_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY)
#define EVENT_BUF (64 * (sizeof(struct inotify_event) + NAME_MAX + 1))
#define NOTE_MAX 96               /* bytes of the draft note */
#define OPENER "xdg-open"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

/* The folders watched (by watch descriptor) and the files of interest. */
typedef struct watched {
    int fd;
    int *wd;
    char **dir;
    size_t ndirs, dcap;
    char **files;          /* normalised paths, NULL-terminated */
} watched;

static const char *dir_of_wd(const watched *w, int wd)
{
    for (size_t i = 0; i < w->ndirs; i++)
        if (w->wd[i] == wd) return w->dir[i];
    return NULL;
}

static void add_dir(watched *w, const char *dir, FILE *log)
{
    for (size_t i = 0; i < w->ndirs; i++)
        if (strcmp(w->dir[i], dir) == 0) return;
    int wd = inotify_add_watch(w->fd, dir, WATCH_EVENTS);
    if (wd < 0) {
        fprintf(log, "quire: watch: cannot watch '%s': %s\n", dir, strerror(errno));
        return;
    }
    if (w->ndirs == w->dcap) {
        w->dcap = w->dcap ? w->dcap * 2 : 8;
        w->wd = qr_xrealloc(w->wd, w->dcap * sizeof *w->wd);
        w->dir = qr_xrealloc(w->dir, w->dcap * sizeof *w->dir);
    }
    w->wd[w->ndirs] = wd;
    w->dir[w->ndirs++] = qr_xstrdup(dir);
}

static size_t count(char **v)
{
    size_t n = 0;
    while (v && v[n]) n++;
    return n;
}

static int has(char **v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (strcmp(v[i], s) == 0) return 1;
    return 0;
}

/* Replace the file set with `files` (normalised), keeping the old set too
 * when `keep_old` (the render failed before it knew every input). */
static void set_files(watched *w, char **files, int keep_old, FILE *log)
{
    size_t n = count(files) + (keep_old ? count(w->files) : 0);
    char **nv = qr_xcalloc(n + 1, sizeof *nv);
    size_t k = 0;
    for (size_t i = 0; files && files[i]; i++) {
        char *p = qr_path_join(NULL, files[i]);
        if (has(nv, p)) free(p);
        else nv[k++] = p;
    }
    for (size_t i = 0; keep_old && w->files && w->files[i]; i++)
        if (!has(nv, w->files[i])) nv[k++] = qr_xstrdup(w->files[i]);
    qr_build_files_free(w->files);
    w->files = nv;
    for (size_t i = 0; i < k; i++) {
        char *dir = qr_path_dir(nv[i]);
        add_dir(w, dir, log);
        free(dir);
    }
}

static void watched_free(watched *w)
{
    for (size_t i = 0; i < w->ndirs; i++) free(w->dir[i]);
    free(w->dir);
    free(w->wd);
    qr_build_files_free(w->files);
    if (w->fd >= 0) close(w->fd);
}

/* Read the pending events; 1 when one of them is about a watched file. */
static int read_events(watched *w)
{
    _Alignas(struct inotify_event) char buf[EVENT_BUF];
    int relevant = 0;
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n <= 0) break;     /* EAGAIN: nothing more for now */
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            const char *dir = dir_of_wd(w, ev->wd);
            if (dir && ev->len > 0) {
                char *path = qr_path_join(dir, ev->name);
                if (has(w->files, path)) relevant = 1;
                free(path);
            }
            if (ev->mask & IN_Q_OVERFLOW) relevant = 1;
            p += sizeof *ev + ev->len;
        }
    }
    return relevant;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Render once; the input files go into w. Returns the render status. */
static int render(const qr_watch_opts *o, watched *w, FILE *log)
{
    char note[NOTE_MAX] = "";
    if (o->draft) {
        /* the build time is the point of the note: the clock is right here */
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(note, sizeof note, "Draft built %Y-%m-%d %H:%M:%S", &tm);
    }
    qr_render_req req = {.data_path = o->data_path,
                         .template_path = o->template_path,
                         .style_path = o->style_path,
                         .out_path = o->out_path,
                         .strict = o->strict,
                         .stop = QR_STOP_PDF};
    qr_diags *d = qr_diags_new();
    char **files = NULL;
    double t0 = now_ms();
    int status = qr_build_render_paper(&req, o->draft, o->draft ? note : NULL,
                                       d, &files);
    double ms = now_ms() - t0;
    qr_diags_print(d, log);
    qr_diags_free(d);
    set_files(w, files, status != QR_OK, log);
    qr_build_files_free(files);
    if (status == QR_OK)
        fprintf(log, "rendered %s (%.0f ms); watching %zu files\n",
                o->out_path, ms, count(w->files));
    else
        fprintf(log, "not rendered: %s left as it was; watching %zu files\n",
                o->out_path, count(w->files));
    fflush(log);
    return status;
}

/* The opener on PATH, or NULL. Caller frees. */
static char *find_opener(void)
{
    const char *path = getenv("PATH");
    if (!path) return NULL;
    char *copy = qr_xstrdup(path), *save = NULL, *found = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir && !found;
         dir = strtok_r(NULL, ":", &save)) {
        char *p = qr_xasprintf("%s/%s", *dir ? dir : ".", OPENER);
        if (access(p, X_OK) == 0) found = p;
        else free(p);
    }
    free(copy);
    return found;
}

/* Open the PDF in the desktop's viewer, detached (double fork, so no
 * zombie); never fatal. */
static void open_pdf(const char *pdf, FILE *log)
{
    char *opener = find_opener();
    if (!opener) {
        fprintf(log, "quire: watch: %s not found; open %s yourself\n", OPENER, pdf);
        return;
    }
    fflush(log);
    pid_t pid = fork();
    if (pid == 0) {
        if (fork() == 0) {
            setsid();
            int devnull = open("/dev/null", O_RDWR);
            if (devnull >= 0) {
                dup2(devnull, STDIN_FILENO);
                dup2(devnull, STDOUT_FILENO);
                dup2(devnull, STDERR_FILENO);
            }
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, NULL);
            execl(opener, OPENER, pdf, (char *)NULL);
            _exit(127);
        }
        _exit(0);
    }
    if (pid > 0) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    free(opener);
}

int qr_watch_run(const qr_watch_opts *o)
{
    FILE *log = o->log ? o->log : stderr;
    int debounce = o->debounce_ms > 0 ? o->debounce_ms : QR_WATCH_DEBOUNCE_MS;
    watched w = {.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)};
    if (w.fd < 0) {
        fprintf(log, "quire: watch: inotify is not available: %s\n", strerror(errno));
        return QR_EOUTPUT;
    }

    stop_signal = 0;
    struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigset_t block, wait_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &wait_mask);
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGTERM);

    int renders = 1;
    int status = render(o, &w, log);
    int opened = 0;
    if (o->open && status == QR_OK) {
        open_pdf(o->out_path, log);
        opened = 1;
    }
    struct pollfd pfd = {.fd = w.fd, .events = POLLIN};
    while (!stop_signal && (o->max_renders <= 0 || renders < o->max_renders)) {
        int r = ppoll(&pfd, 1, NULL, &wait_mask);
        if (r < 0 && errno != EINTR) break;
        if (stop_signal) break;
        if (r <= 0 || !read_events(&w)) continue;
        /* debounce: wait until the files have been quiet for a moment */
        struct timespec quiet = {debounce / 1000, (long)(debounce % 1000) * 1000000L};
        while (!stop_signal && ppoll(&pfd, 1, &quiet, &wait_mask) > 0)
            read_events(&w);
        if (stop_signal) break;
        renders++;
        status = render(o, &w, log);
        if (o->open && !opened && status == QR_OK) {
            open_pdf(o->out_path, log);
            opened = 1;
        }
    }
    int stopped = stop_signal != 0;
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    watched_free(&w);
    if (stopped) {
        fprintf(log, "quire: watch: stopped\n");
        return QR_OK;
    }
    return status;
}
