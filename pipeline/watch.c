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
 * A folder can be replaced too (a checkout, an editor's rename-on-save of a
 * whole directory): the kernel's watch follows the old inode, now under
 * another name or deleted. So each watched folder's inode is remembered and
 * checked after every batch of events; a folder that is gone or is another
 * inode is watched afresh (its nearest existing ancestor is watched
 * meanwhile, to see it come back) and the paper is rendered again.
 *
 * Each render runs in a child process, and a large paper can take long:
 * the loop itself never blocks, so a signal always ends watch at once and
 * a new save abandons a render that is still running. Inputs that are not
 * regular files (a FIFO, a device) never stall a render: the pipeline's
 * reader (input.h) refuses them without blocking, at the template line
 * that names them. The data, template and style are checked before the
 * render starts, so watch can name a symlink's target.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP are blocked except while waiting in
 * ppoll; on one, a running render is killed, its temporary PDF removed, and
 * watch returns QR_OK.
 */
#include "quire/watch.h"

#include "quire/build.h"
#include "quire/diag.h"
#include "quire/render.h"
#include "quire/input.h"
#include "quire/serve.h"
#include "quire/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WATCH_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | \
                      IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define EVENT_BUF (64 * (sizeof(struct inotify_event) + NAME_MAX + 1))
#define NOTE_MAX 96               /* bytes of the draft note */
#define OPENER "xdg-open"
#define ARM_TRIES 3               /* a folder replaced while we add its watch */
#define ANCESTOR_MAX 64           /* levels walked up to an existing folder */
#define CHANGED_SHOWN 3           /* changed files named on a render line */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSTOP (sizeof stop_signals / sizeof stop_signals[0])

/* ---- string sets ---- */

static size_t count(char **v)
{
    size_t n = 0;
    while (v && v[n]) n++;
    return n;
}

static bool has(char **v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (strcmp(v[i], s) == 0) return true;
    return false;
}

/* Append a copy of s to the NULL-terminated *v unless it is there. */
static void add_unique(char ***v, const char *s)
{
    if (!s || has(*v, s)) return;
    size_t n = count(*v);
    *v = qr_xrealloc(*v, (n + 2) * sizeof **v);
    (*v)[n] = qr_xstrdup(s);
    (*v)[n + 1] = NULL;
}

/* ---- the watched folders ---- */

typedef struct wdir {
    char *path;
    int wd;                /* -1: not watched now (gone, replaced, not yet) */
    dev_t dev;             /* the inode watched, to notice a replacement */
    ino_t ino;
    int aux;               /* watched only to see a missing folder return */
    int lost;              /* was watched, then went: say so when back */
    int warned;            /* a watch error other than "gone" was shown */
} wdir;

typedef struct watched {
    int fd;
    wdir *d;
    size_t nd, dcap;
    char **files;          /* normalised paths, NULL-terminated */
    char **changed;        /* inputs saved since the last render line */
    char **rearmed;        /* folders replaced and watched again, to say */
    qr_buf said;           /* the current render's diagnostics, as printed */
} watched;

static wdir *find_dir(watched *w, const char *path)
{
    for (size_t i = 0; i < w->nd; i++)
        if (strcmp(w->d[i].path, path) == 0) return &w->d[i];
    return NULL;
}

static wdir *new_dir(watched *w, const char *path, int aux)
{
    if (w->nd == w->dcap) {
        w->dcap = w->dcap ? w->dcap * 2 : 8;
        w->d = qr_xrealloc(w->d, w->dcap * sizeof *w->d);
    }
    wdir *e = &w->d[w->nd++];
    *e = (wdir){.path = qr_xstrdup(path), .wd = -1, .aux = aux};
    return e;
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Stop watching e; the kernel watch goes only when no other entry (another
 * path to the same folder) still uses it. */
static void drop(watched *w, wdir *e)
{
    int wd = e->wd;
    if (wd < 0) return;
    e->wd = -1;
    e->lost = 1;
    for (size_t i = 0; i < w->nd; i++)
        if (w->d[i].wd == wd) return;
    inotify_rm_watch(w->fd, wd);
}

/* Watch e's folder; false when it is not there (or cannot be watched:
 * said once). The inode is read before and after adding the watch, so a
 * folder replaced meanwhile is not recorded under the wrong inode. */
static bool arm(watched *w, wdir *e, FILE *log)
{
    for (int t = 0; t < ARM_TRIES; t++) {
        struct stat a, b;
        if (stat(e->path, &a) != 0 || !S_ISDIR(a.st_mode)) return false;
        int wd = inotify_add_watch(w->fd, e->path, WATCH_EVENTS);
        if (wd < 0) {
            if (errno != ENOENT && errno != ENOTDIR && !e->warned) {
                fprintf(log, "quire: watch: cannot watch '%s': %s\n", e->path,
                        strerror(errno));
                e->warned = 1;
            }
            return false;
        }
        if (stat(e->path, &b) == 0 && same_inode(&a, &b)) {
            e->wd = wd;
            e->dev = b.st_dev;
            e->ino = b.st_ino;
            return true;
        }
        /* replaced between the two looks: the watch may be on the old one */
        int used = 0;
        for (size_t i = 0; i < w->nd; i++) used |= w->d[i].wd == wd;
        if (!used) inotify_rm_watch(w->fd, wd);
    }
    return false;
}

/* Watch the folder of an input (once). */
static void add_dir(watched *w, const char *dir, FILE *log)
{
    wdir *e = find_dir(w, dir);
    if (!e) e = new_dir(w, dir, 0);
    e->aux = 0;
    if (e->wd < 0) arm(w, e, log);
}

/* Check every watched folder against its path: one that is gone or is now
 * another inode is watched afresh; while one is missing, its nearest
 * existing ancestor is watched so that its return is an event. Folders
 * watched again are noted in w->rearmed (said when the render starts, so a
 * tree copied in several steps is one line). Returns how many input
 * folders (not ancestors) began to be watched: their files may all have
 * changed. */
static int verify(watched *w, FILE *log)
{
    for (size_t i = 0; i < w->nd; i++) {
        wdir *e = &w->d[i];
        struct stat st;
        if (e->wd >= 0 && (stat(e->path, &st) != 0 || !S_ISDIR(st.st_mode) ||
                           st.st_dev != e->dev || st.st_ino != e->ino))
            drop(w, e);
    }
    int armed = 0;
    for (size_t i = 0; i < w->nd; i++) {
        wdir *e = &w->d[i];
        if (e->wd >= 0 || !arm(w, e, log) || e->aux) continue;
        armed++;
        if (e->lost) add_unique(&w->rearmed, e->path);
        e->lost = 0;
    }
    for (size_t i = 0; i < w->nd; i++) {
        if (w->d[i].wd >= 0 || w->d[i].aux) continue;
        char *p = qr_xstrdup(w->d[i].path);
        for (int up = 0; up < ANCESTOR_MAX; up++) {
            char *parent = qr_path_dir(p);
            int top = strcmp(parent, p) == 0;
            free(p);
            p = parent;
            if (top) break;
            struct stat st;
            if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
            wdir *a = find_dir(w, p);
            if (!a) a = new_dir(w, p, 1);   /* may move w->d: no e kept */
            if (a->wd < 0) arm(w, a, log);
            break;
        }
        free(p);
    }
    return armed;
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
    qr_strv_free(w->files);
    w->files = nv;
    for (size_t i = 0; i < k; i++) {
        char *dir = qr_path_dir(nv[i]);
        add_dir(w, dir, log);
        free(dir);
    }
}

static void clear_changed(watched *w)
{
    qr_strv_free(w->changed);
    w->changed = NULL;
}

static void watched_free(watched *w)
{
    for (size_t i = 0; i < w->nd; i++) free(w->d[i].path);
    free(w->d);
    qr_strv_free(w->files);
    qr_strv_free(w->rearmed);
    clear_changed(w);
    qr_buf_free(&w->said);
    if (w->fd >= 0) close(w->fd);
}

/* Read the pending events; true when one of them is about a watched file
 * (which is noted in w->changed). */
static bool read_events(watched *w)
{
    _Alignas(struct inotify_event) char buf[EVENT_BUF];
    bool relevant = false;
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n <= 0) break;     /* EAGAIN: nothing more for now */
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            /* several paths may lead to one folder: try each */
            for (size_t i = 0; ev->len > 0 && i < w->nd; i++) {
                if (w->d[i].wd != ev->wd) continue;
                char *path = qr_path_join(w->d[i].path, ev->name);
                if (has(w->files, path)) {
                    relevant = true;
                    add_unique(&w->changed, path);
                }
                free(path);
            }
            if (ev->mask & IN_Q_OVERFLOW) relevant = true;
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

/* ---- inputs that are not regular files ---- */

static const char *kind_of(mode_t m)
{
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISDIR(m)) return "a directory";
    if (S_ISSOCK(m)) return "a socket";
    return "a special file";
}

/* An error on `path` when it exists and is not a regular file (following
 * symlinks: a link to /dev/zero is a device). Opening a FIFO waits for a
 * writer and a device may never end, so such a file is never opened.
 * Returns false when refused (after adding the error). */
static bool regular_input(const char *path, qr_diags *d)
{
    struct stat st, lst;
    if (!path || stat(path, &st) != 0 || S_ISREG(st.st_mode)) return true;
    char *target = NULL;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
        target = realpath(path, NULL);
    qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                "%s%s%s%s, not a regular file; watch reads only regular files",
                kind_of(st.st_mode), target ? " (a symlink to " : "",
                target ? target : "", target ? ")" : "");
    free(target);
    return false;
}

/* ---- the render, in a child process ---- */

typedef struct render_job {
    pid_t pid;             /* 0: none running */
    int fd;                /* the child's report, read to EOF */
    qr_buf report;
    double t0;
    char **tmp_before;     /* temporaries beside the PDF before it began */
} render_job;

/* The temporaries the PDF writer makes beside `out` (qr_write_atomic's
 * "OUT.tmp.XXXXXX") that exist now. */
static char **tmp_list(const char *out)
{
    char *dir = qr_path_dir(out);
    const char *slash = strrchr(out, '/');
    char *prefix = qr_xasprintf("%s.tmp.", slash ? slash + 1 : out);
    size_t plen = strlen(prefix);
    char **v = qr_xcalloc(1, sizeof *v);
    DIR *dp = opendir(dir);
    for (struct dirent *de; dp && (de = readdir(dp));) {
        if (strncmp(de->d_name, prefix, plen) != 0) continue;
        char *p = qr_path_join(dir, de->d_name);
        add_unique(&v, p);
        free(p);
    }
    if (dp) closedir(dp);
    free(prefix);
    free(dir);
    return v;
}

/* Kill a running render and remove the temporary PDF it may have left. */
static void job_kill(render_job *j, const char *out)
{
    if (!j->pid) return;
    kill(j->pid, SIGKILL);
    while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR) {
    }
    char **now = tmp_list(out);
    for (size_t i = 0; now[i]; i++)
        if (!has(j->tmp_before, now[i])) unlink(now[i]);
    qr_strv_free(now);
    qr_strv_free(j->tmp_before);
    j->tmp_before = NULL;
    close(j->fd);
    qr_buf_free(&j->report);
    j->pid = 0;
}

/* All n bytes to fd; false (errno set) when they cannot be written. */
static bool write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* The child: render, then report "STATUS DIAGBYTES\n", the diagnostics as
 * printed, and every input file, each ended by a NUL. Never returns. */
static void child_render(const qr_watch_opts *o, int out_fd, int inotify_fd,
                         pid_t parent)
{
    /* a terminal's Ctrl-C reaches the whole process group: the render
     * should die of it like any program, and with watch if watch dies */
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&dfl.sa_mask);
    for (size_t i = 0; i < NSTOP; i++) sigaction(stop_signals[i], &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);   /* watch died before the line above */
    close(inotify_fd);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        close(devnull);
    }

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
                         .stop = QR_STOP_PDF,
                         .draft = o->draft,
                         .draft_note = o->draft ? note : NULL,
                         .format = qr_format_of(o->out_path)};
    qr_diags *d = qr_diags_new();
    /* every file the paper read, and the paths whose read was refused (a
     * partial that is a FIFO): watched too, since a fix will appear there */
    char **files = NULL;
    qr_status status = qr_paper_render(&req, d, &files);
    char *text = NULL;
    size_t tlen = 0;
    FILE *m = open_memstream(&text, &tlen);
    if (m) {
        qr_diags_print(d, m);
        fclose(m);
    }
    qr_buf out;
    qr_buf_init(&out);
    qr_buf_printf(&out, "%d %zu\n", (int)status, text ? tlen : 0);
    if (text) qr_buf_append(&out, text, tlen);
    for (char **p = files; p && *p; p++) qr_buf_append(&out, *p, strlen(*p) + 1);
    write_all(out_fd, out.data, out.len);
    /* freed so that a leak checker run over watch finds nothing here */
    qr_buf_free(&out);
    free(text);
    qr_strv_free(files);
    qr_diags_free(d);
    /* _exit: the parent's stdio buffers and atexit handlers are not ours */
    _exit(0);
}

/* Start a render; false (errno set) when no child could be made. */
static bool job_start(render_job *j, const qr_watch_opts *o, int inotify_fd,
                      FILE *log)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return false;
    j->tmp_before = tmp_list(o->out_path);
    fflush(log);
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        qr_strv_free(j->tmp_before);
        j->tmp_before = NULL;
        errno = e;
        return false;
    }
    if (pid == 0) {
        close(p[0]);
        child_render(o, p[1], inotify_fd, parent);
    }
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    j->pid = pid;
    j->fd = p[0];
    qr_buf_init(&j->report);
    return true;
}

/* Read what the child has sent; true at EOF (the render is over). */
static bool job_read(render_job *j)
{
    char buf[16384];
    for (;;) {
        ssize_t n = read(j->fd, buf, sizeof buf);
        if (n > 0) {
            qr_buf_append(&j->report, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return n == 0;
    }
}

/* ---- the render lines ---- */

static void say_changed(const watched *w, FILE *log)
{
    size_t n = count(w->changed);
    if (n == 0) return;
    fprintf(log, " after %s", n == 1 ? "a change to " : "changes to ");
    for (size_t i = 0; i < n && i < CHANGED_SHOWN; i++)
        fprintf(log, "%s%s", i ? ", " : "", w->changed[i]);
    if (n > CHANGED_SHOWN) fprintf(log, " and %zu more", n - CHANGED_SHOWN);
}

/* Print a render's outcome and take `files` as the inputs to watch. */
static void report(const qr_watch_opts *o, watched *w, qr_status status,
                   char **files, double ms, FILE *log)
{
    set_files(w, files, status != QR_OK, log);
    /* an input's folder that does not exist yet gets its nearest existing
     * ancestor watched, so that creating it is an event */
    verify(w, log);
    if (status == QR_OK) {
        fprintf(log, "rendered %s (%.0f ms)", o->out_path, ms);
        say_changed(w, log);
        fprintf(log, "; watching %zu files\n", count(w->files));
    } else {
        fprintf(log, "not rendered: %s left as it was; watching %zu files\n",
                o->out_path, count(w->files));
    }
    fflush(log);
    clear_changed(w);
}

/* The inputs every render reads, known before it starts. */
static char **request_files(const qr_watch_opts *o)
{
    char **v = qr_xcalloc(1, sizeof *v);
    add_unique(&v, o->data_path);
    add_unique(&v, o->template_path);
    add_unique(&v, o->style_path);
    return v;
}

/* A render that could not run or did not finish: the diagnostics, the line,
 * and the inputs known (plus `extra`, a file found to be at fault). */
static qr_status report_failure(const qr_watch_opts *o, watched *w,
                                qr_diags *d, qr_status status,
                                const char *extra, double t0, FILE *log)
{
    qr_diags_print(d, log);
    char *text = NULL;
    size_t tlen = 0;
    FILE *m = open_memstream(&text, &tlen);
    if (m) {
        qr_diags_print(d, m);
        fclose(m);
        qr_buf_append(&w->said, text, tlen);
    }
    free(text);
    char **files = request_files(o);
    add_unique(&files, extra);
    report(o, w, status, files, now_ms() - t0, log);
    qr_strv_free(files);
    return status;
}

/* The child's report is complete: print it. Returns the render's status,
 * qr_paper_render's (or QR_EOUTPUT when the child ended without a report),
 * which qr_watch_run passes on as its own. */
static qr_status job_finish(render_job *j, const qr_watch_opts *o,
                            watched *w, FILE *log)
{
    int wstatus = 0;
    while (waitpid(j->pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    j->pid = 0;
    close(j->fd);
    qr_strv_free(j->tmp_before);
    j->tmp_before = NULL;
    double ms = now_ms() - j->t0;
    int status = QR_EOUTPUT;       /* as the child wrote it */
    size_t tlen = 0;
    qr_buf_putc(&j->report, '\0');   /* a guard for sscanf and the names */
    const char *r = j->report.data;
    size_t rlen = j->report.len - 1;
    const char *nl = memchr(r, '\n', rlen);
    /* a complete report stands whatever the exit status: a checker run over
     * watch (valgrind) may set the status of a child that did its work */
    int whole = nl && sscanf(r, "%d %zu", &status, &tlen) == 2 &&
                tlen <= rlen - (size_t)(nl + 1 - r);
    if (!whole) {
        qr_diags *d = qr_diags_new();
        if (WIFSIGNALED(wstatus))
            qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                        "the render ended abnormally: %s",
                        strsignal(WTERMSIG(wstatus)));
        else
            qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                        "the render ended abnormally (exit status %d)",
                        WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
        qr_buf_free(&j->report);
        report_failure(o, w, d, QR_EOUTPUT, NULL, j->t0, log);
        qr_diags_free(d);
        return QR_EOUTPUT;
    }
    const char *text = nl + 1;
    fwrite(text, 1, tlen, log);
    qr_buf_append(&w->said, text, tlen);
    char **files = qr_xcalloc(1, sizeof *files);
    for (const char *p = text + tlen; p < r + rlen; p += strlen(p) + 1)
        add_unique(&files, p);
    report(o, w, (qr_status)status, files, ms, log);
    qr_strv_free(files);
    qr_buf_free(&j->report);
    return (qr_status)status;
}

/* ---- opening the PDF ---- */

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

/* Open the PDF (or, with --serve, the preview's URL) in the desktop's
 * viewer, detached (double fork, so no
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
            struct sigaction dfl = {.sa_handler = SIG_DFL};
            sigemptyset(&dfl.sa_mask);
            for (size_t i = 0; i < NSTOP; i++) sigaction(stop_signals[i], &dfl, NULL);
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

/* ---- the preview server ---- */

/* Start the server (after the stop signals are blocked, so its threads
 * never take them) and say where it is; NULL when not serving or it could
 * not start (*failed set, the reason on the log). */
static qr_server *serve_begin(const qr_watch_opts *o, int *failed, FILE *log)
{
    if (!o->serve) return NULL;
    qr_diags *d = qr_diags_new();
    qr_server *srv = qr_serve_start(o->port, d);
    qr_diags_print(d, log);
    qr_diags_free(d);
    if (!srv) *failed = 1;
    else fprintf(log, "quire: watch: serving %s at http://127.0.0.1:%u/\n",
                 o->out_path, qr_serve_port(srv));
    fflush(log);
    return srv;
}

/* Give the server the render just finished: the HTML written, or the
 * diagnostics (shown above the last good page). */
static void serve_publish(qr_server *srv, const qr_watch_opts *o,
                          const watched *w, qr_status status)
{
    if (!srv) return;
    size_t len = 0;
    char *html = status == QR_OK ? qr_read_file(o->out_path, &len, 0) : NULL;
    if (html) qr_serve_good(srv, html, len);
    else if (w->said.len) qr_serve_failed(srv, w->said.data, w->said.len);
    else qr_serve_failed(srv, "not rendered\n", 13);
    free(html);
}

/* ---- the loop ---- */

/* Begin a render: refused at once when the data, template or style is not
 * a regular file (returns true, the render finished, with *status set),
 * else started in a child (returns false; a child that cannot be made is
 * reported like a refusal). */
static bool begin_render(render_job *j, const qr_watch_opts *o, watched *w,
                         qr_status *status, FILE *log)
{
    double t0 = now_ms();
    if (w->rearmed) {
        fprintf(log, "quire: watch: ");
        for (size_t i = 0; w->rearmed[i]; i++)
            fprintf(log, "%s%s", i ? ", " : "", w->rearmed[i]);
        fprintf(log, " replaced; watching again\n");
        qr_strv_free(w->rearmed);
        w->rearmed = NULL;
    }
    qr_buf_free(&w->said);
    qr_diags *d = qr_diags_new();
    int refused = !regular_input(o->data_path, d) +
                  !regular_input(o->template_path, d) +
                  !regular_input(o->style_path, d);
    if (refused) {
        *status = report_failure(o, w, d, QR_EINPUT, NULL, t0, log);
        qr_diags_free(d);
        return true;
    }
    if (!job_start(j, o, w->fd, log)) {
        qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                    "watch: cannot start a render: %s", strerror(errno));
        *status = report_failure(o, w, d, QR_EOUTPUT, NULL, t0, log);
        qr_diags_free(d);
        return true;
    }
    j->t0 = t0;
    qr_diags_free(d);
    return false;
}

qr_status qr_watch_run(const qr_watch_opts *o)
{
    FILE *log = o->log ? o->log : stderr;
    int debounce = o->debounce_ms > 0 ? o->debounce_ms : QR_WATCH_DEBOUNCE_MS;
    watched w = {.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)};
    if (w.fd < 0) {
        fprintf(log, "quire: watch: inotify is not available: %s\n", strerror(errno));
        return QR_EOUTPUT;
    }
    stop_signal = 0;
    struct sigaction sa = {.sa_handler = on_signal}, old[NSTOP];
    sigemptyset(&sa.sa_mask);
    sigset_t block, wait_mask, old_mask;
    sigemptyset(&block);
    for (size_t i = 0; i < NSTOP; i++) {
        sigaction(stop_signals[i], &sa, &old[i]);
        sigaddset(&block, stop_signals[i]);
    }
    sigprocmask(SIG_BLOCK, &block, &old_mask);
    wait_mask = old_mask;
    for (size_t i = 0; i < NSTOP; i++) sigdelset(&wait_mask, stop_signals[i]);

    render_job job = {0};
    qr_status status = QR_OK;
    int renders = 0, opened = 0, unserved = 0;
    qr_server *srv = serve_begin(o, &unserved, log);
    if (unserved) status = QR_EOUTPUT;
    int pending = 1;               /* a render is due at `due` */
    double due = now_ms();
    while (!unserved && !stop_signal && (o->max_renders <= 0 || renders < o->max_renders)) {
        bool finished = false;
        if (pending && !job.pid && now_ms() >= due) {
            pending = 0;
            finished = begin_render(&job, o, &w, &status, log);
        }
        if (!finished) {
            double wait = -1;
            if (!job.pid && pending) wait = due - now_ms();
            if (wait < 0 && (job.pid || pending)) wait = 0;
            long long ms = (long long)(wait + 0.999);   /* never wake early */
            struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
            struct pollfd pfd[2] = {{.fd = w.fd, .events = POLLIN},
                                    {.fd = job.pid ? job.fd : -1, .events = POLLIN}};
            int r = ppoll(pfd, 2, wait < 0 ? NULL : &ts, &wait_mask);
            if (r < 0 && errno != EINTR) {
                fprintf(log, "quire: watch: %s\n", strerror(errno));
                status = QR_EOUTPUT;
                break;
            }
            if (stop_signal) break;
            if (r > 0 && (pfd[0].revents & POLLIN)) {
                bool relevant = read_events(&w);
                if (verify(&w, log) > 0 || relevant) {
                    /* wait for a quiet moment; a render still running was
                     * made from files that have changed since */
                    pending = 1;
                    due = now_ms() + debounce;
                    job_kill(&job, o->out_path);
                }
            }
            if (job.pid && r > 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
                if (job_read(&job)) {
                    status = job_finish(&job, o, &w, log);
                    finished = true;
                }
            }
        }
        if (finished) {
            renders++;
            serve_publish(srv, o, &w, status);
            if (o->open && !opened && status == QR_OK) {
                /* when serving, the browser opens the page that reloads */
                char *url = srv ? qr_xasprintf("http://127.0.0.1:%u/",
                                               qr_serve_port(srv)) : NULL;
                open_pdf(url ? url : o->out_path, log);
                free(url);
                opened = 1;
            }
        }
    }
    int stopped = stop_signal != 0;
    job_kill(&job, o->out_path);
    qr_serve_stop(srv);   /* ends the streams; within a stream's slice */
    /* the mask goes back first: a second Ctrl-C still pending lands in our
     * handler, not the default one, so the exit stays clean */
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    for (size_t i = 0; i < NSTOP; i++) sigaction(stop_signals[i], &old[i], NULL);
    watched_free(&w);
    if (stopped) {
        fprintf(log, "quire: watch: stopped\n");
        return QR_OK;
    }
    return status;
}
