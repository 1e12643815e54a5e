/* build.c — the build orchestrator: the monthly, unattended rebuild.
 *
 * In: a manifest (docs/build.md) of papers, globs of data files and agenda
 * packs. Out: one PDF per job under the output folder (with "html", its
 * HTML copy beside it, made by the same entry point as `render -o x.html`
 * or `pack --html`), the incremental
 * state file OUT/.quire-state.json, a log (a live progress line on a
 * terminal, else one line per job) and a summary.
 *
 * Each job runs in its own forked process, at most N at once. A process per
 * job keeps the stages' caches (fonts) out of any thread-safety question,
 * and a crash or leak in one paper cannot reach another. Each worker's
 * stderr and its result (status, input files and their hashes) come back
 * over two pipes and are printed whole when the job ends, so diagnostics of
 * parallel jobs never interleave.
 *
 * Councils publish the output without reading every page, so a skipped job
 * must really be current. A job is skipped only when all of this holds:
 * - its key (kind, inputs named in the manifest, every option that changes
 *   the PDF, SOURCE_DATE_EPOCH) is the one recorded;
 * - the state was written by the same typesetter: quire's version, the
 *   hashes of its executable, its shared libraries and the hyphenation
 *   dictionary, and a stamp of fontconfig's configuration and font folders
 *   (a rebuilt quire, an updated library or a newly installed font may
 *   typeset differently under the same version string);
 * - every file its last build read still has the bytes that build read.
 *   The worker runs with an input record active (input.h), which hashes
 *   the bytes as they are read, so an edit during the build can only cause
 *   a rebuild next time, never a wrong skip; a job that saw a file change
 *   under it is not recorded at all;
 * - the output is the file that build wrote (its hash): a PDF replaced,
 *   truncated or left by a killed build of other options is rebuilt; so is
 *   the HTML copy of a job that asks for one (a pack's: all its pages).
 * The entries of the jobs about to be built leave the state on disk before
 * any worker starts, and a job's new entry is written only after its output
 * is, so a build killed at any moment leaves no entry vouching for an output
 * it did not make. One build at a time writes a folder (flock on
 * OUT/.quire-build.lock); the others wait. Files are hashed with
 * qr_filehash (util.h): change detection, not security.
 */
#include "quire/build.h"
#include "quire/style.h"

#include "quire/fonts.h"
#include "quire/layout.h"
#include "quire/load.h"
#include "quire/pack.h"
#include "quire/proceedings.h"
#include "quire/pdf.h"
#include "quire/util.h"

#include "quire/cache.h"
#include "quire/input.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HASH_CHUNK 65536           /* bytes read at a time when hashing */
#define PIPE_CHUNK 65536           /* bytes read at a time from a worker */
#define DEFAULT_OUT "out"
#define GLOB_DEFAULT_OUTPUT "{name}.pdf"
#define NAME_FIELD "{name}"
#define PUBLIC_SUFFIX "-public"
#define HTML_SUFFIX ".html"        /* a paper's HTML copy: x.pdf → x.html */
#define HTML_DIR_SUFFIX "-html"    /* a pack's pages, when its output has
                                      no extension to drop */
#define TERM_WIDTH_DEFAULT 80      /* columns when the terminal won't say */
#define STATE_FORMAT 3             /* version of the state file's layout
                                      (3: files hashed by qr_filehash) */

/* ---- hashing ---- */

uint64_t qr_hash_file(const char *path)
{
    /* O_NONBLOCK and regular files only: a FIFO or a link to /dev/zero
     * would block or never end */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return 0;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        errno = ENODEV;
        return 0;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    unsigned char *buf = qr_xmalloc(HASH_CHUNK);
    qr_filehash fh;
    qr_filehash_init(&fh);
    int bad = 0;
    for (;;) {
        ssize_t n = read(fd, buf, HASH_CHUNK);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) bad = 1;
        if (n <= 0) break;
        qr_filehash_feed(&fh, buf, (size_t)n);
    }
    close(fd);
    free(buf);
    uint64_t h = qr_filehash_end(&fh);
    /* 0 stands for "unreadable"; a real hash of 0 is vanishingly rare and
     * would only cause a rebuild */
    return bad ? 0 : h;
}

bool qr_job_in_shard(const char *name, int k, int n)
{
    if (n <= 1) return true;
    uint64_t h = qr_fnv64(QR_FNV64_INIT, name, strlen(name));
    return (int)(h % (uint64_t)n) == k - 1;
}

/* ---- string vectors ---- */

typedef struct strvec {
    char **v;
    size_t n, cap;
} strvec;

static bool sv_has(const strvec *s, const char *x)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], x) == 0) return true;
    return false;
}

/* Append a copy of x unless present. */
static void sv_add(strvec *s, const char *x)
{
    if (!x || !*x || sv_has(s, x)) return;
    QR_GROW(s->v, s->n + 1, s->cap, 16);
    s->v[s->n++] = qr_xstrdup(x);
    s->v[s->n] = NULL;
}

/* The NULL-terminated array (never NULL itself). */
static char **sv_detach(strvec *s)
{
    if (!s->v) {
        s->v = qr_xcalloc(1, sizeof *s->v);
    }
    char **v = s->v;
    memset(s, 0, sizeof *s);
    return v;
}



/* ---- the manifest ---- */

typedef struct job_rec {
    qr_job pub;
    uint64_t key;          /* hash of everything the manifest says about it */
} job_rec;

struct qr_manifest {
    char *out_dir;
    job_rec *jobs;
    size_t njobs, cap;
    strvec strings;        /* owns every string the jobs point at */
};

typedef struct mloader {
    qr_manifest *m;
    const qr_data *data;
    qr_diags *d;
    char *dir;             /* the manifest's folder */
    int errors;
    const qr_inputs *self; /* the manifest as read: no job may write it */
} mloader;

/* Take ownership of s (freed with the manifest) and return it. Not sv_add:
 * that copies and skips duplicates, and jobs need this very pointer. */
static const char *keep(mloader *L, char *s)
{
    strvec *sv = &L->m->strings;
    QR_GROW(sv->v, sv->n + 1, sv->cap, 32);
    sv->v[sv->n++] = s;
    sv->v[sv->n] = NULL;
    return s;
}

static void merr(mloader *L, const char *ptr, const char *fmt, const char *a,
                 const char *b)
{
    qr_data_diag(L->data, L->d, QR_ERROR, ptr, fmt, a, b);
    L->errors++;
}

/* A string member: *out = the value, NULL when absent or null. Returns
 * false on a wrong type (after an error). */
static bool get_str(mloader *L, const cJSON *obj, const char *key,
                   const char *ptr, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v)) return true;
    if (!cJSON_IsString(v) || !*v->valuestring) {
        char *p = qr_xasprintf("%s/%s", ptr, key);
        merr(L, p, "'%s' must be a non-empty string%s", key, "");
        free(p);
        return false;
    }
    *out = v->valuestring;
    return true;
}

static int get_bool(mloader *L, const cJSON *obj, const char *key,
                    const char *ptr, int dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return dflt;
    if (!cJSON_IsBool(v)) {
        char *p = qr_xasprintf("%s/%s", ptr, key);
        merr(L, p, "'%s' must be true or false%s", key, "");
        free(p);
        return dflt;
    }
    return cJSON_IsTrue(v);
}

/* An unknown key is an error: a misspelt "public" or "draft" would quietly
 * build something other than what the manifest says. A near miss is named
 * ("did you mean 'public'?"); a key of `elsewhere` (the top level's
 * "html", which belongs in "defaults") says where it goes. */
static void check_keys_in(mloader *L, const cJSON *obj, const char *ptr,
                          const char *const *known,
                          const char *const *elsewhere)
{
    size_t unknown = 0;
    for (const cJSON *c = obj ? obj->child : NULL; c; c = c->next) {
        int found = 0;
        for (const char *const *k = known; *k; k++)
            if (strcmp(*k, c->string) == 0) found = 1;
        if (found) continue;
        L->errors++;
        if (++unknown > QR_UNKNOWN_KEYS_SHOWN) continue;
        qr_buf p, list;
        qr_buf_init(&p);
        qr_buf_init(&list);
        qr_buf_puts(&p, ptr);
        qr_jptr_push_key(&p, c->string);
        for (const char *const *k = known; *k; k++)
            qr_buf_printf(&list, "%s%s", k == known ? "" : ", ", *k);
        int moved = 0;
        for (const char *const *k = elsewhere; k && *k; k++)
            if (strcmp(*k, c->string) == 0) moved = 1;
        const char *hint = qr_did_you_mean(c->string, known, SIZE_MAX);
        if (moved)
            qr_data_diag(L->data, L->d, QR_ERROR, p.data,
                         "unknown key '%s' here: put it in \"defaults\" to "
                         "apply it to every job (known: %s)",
                         c->string, list.data);
        else if (hint)
            qr_data_diag(L->data, L->d, QR_ERROR, p.data,
                         "unknown key '%s': did you mean '%s'? (known: %s)",
                         c->string, hint, list.data);
        else
            qr_data_diag(L->data, L->d, QR_ERROR, p.data,
                         "unknown key '%s' (known: %s)", c->string,
                         list.data);
        qr_buf_free(&list);
        qr_buf_free(&p);
    }
    if (unknown > QR_UNKNOWN_KEYS_SHOWN)
        qr_data_diag(L->data, L->d, QR_ERROR, ptr,
                     "%zu more unknown keys not shown",
                     unknown - QR_UNKNOWN_KEYS_SHOWN);
}

static void check_keys(mloader *L, const cJSON *obj, const char *ptr,
                       const char *const *known)
{
    check_keys_in(L, obj, ptr, known, NULL);
}

/* A manifest path: joined to the manifest's folder. */
static const char *mpath(mloader *L, const char *rel)
{
    return rel ? keep(L, qr_path_join(L->dir, rel)) : NULL;
}

/* The defaults every entry starts from. */
typedef struct defaults {
    const char *template_path, *style;
    int style_set;        /* "style": null in an entry means built-in */
    int strict, draft;
    int html;             /* write the HTML copy beside each PDF */
} defaults;

static uint64_t key_str(uint64_t h, const char *s)
{
    /* the NUL separates fields, and a NULL differs from "" */
    if (!s) return qr_fnv64(h, "\1", 1);
    return qr_fnv64(h, s, strlen(s) + 1);
}

/* The pointer of an entry's "output", or of the entry when it has none
 * (a default output name). Caller frees. */
static char *output_ptr(mloader *L, const char *ptr)
{
    char *p = qr_xasprintf("%s/output", ptr);
    int line, col;
    if (qr_data_locate(L->data, p, &line, &col)) return p;
    free(p);
    return qr_xstrdup(ptr);
}

/* Whether two outputs relative to the output folder clash: the same
 * name, or one inside the other when that one is a folder (a pack's HTML
 * pages). */
static bool clashes(const char *a, int a_dir, const char *b, int b_dir)
{
    if (strcmp(a, b) == 0) return true;
    size_t na = strlen(a), nb = strlen(b);
    if (a_dir && nb > na && strncmp(a, b, na) == 0 && b[na] == '/') return true;
    if (b_dir && na > nb && strncmp(a, b, nb) == 0 && a[nb] == '/') return true;
    return false;
}

/* The name of the HTML copy beside the output `name`: "x.pdf" → "x.html"
 * for a paper (minutes, decisions), "x.pdf" → the folder "x" for a pack.
 * A name with no extension gets ".html" (a paper) or "-html" (a pack). */
static char *html_name_of(const char *name, qr_job_kind kind)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - name) : strlen(name);
    if (kind == QR_JOB_PACK) {
        /* "a/..pdf" would make the folder "a/." */
        size_t b = (size_t)(base - name);
        int dots = (n - b == 1 && base[0] == '.') ||
                   (n - b == 2 && base[0] == '.' && base[1] == '.');
        return n < strlen(name) && !dots
                   ? qr_xstrndup(name, n)
                   : qr_xasprintf("%s%s", name, HTML_DIR_SUFFIX);
    }
    return qr_xasprintf("%.*s%s", (int)n, name, HTML_SUFFIX);
}

/* The "html" member of an entry: *html = its value, or the default's;
 * *given = whether the entry says. */
static void get_html(mloader *L, const cJSON *e, const char *ptr,
                     const defaults *df, int *html, int *given)
{
    *given = cJSON_GetObjectItemCaseSensitive(e, "html") != NULL;
    *html = get_bool(L, e, "html", ptr, df->html);
}

/* Add a job. html: write its HTML copy too; html_given: the entry itself
 * asked (an error when its output is HTML already), not the defaults. */
static void add_job(mloader *L, const qr_job *j, const char *ptr, int html,
                    int html_given)
{
    qr_manifest *m = L->m;
    /* the output must stay inside the output folder */
    const char *name = j->name;
    int bad = name[0] == '/' || strcmp(name, "..") == 0 ||
              strncmp(name, "../", 3) == 0 || strcmp(name, ".") == 0 ||
              strcmp(name, QR_BUILD_STATE) == 0;
    if (bad) {
        char *p = output_ptr(L, ptr);
        merr(L, p, "output '%s' must be a file inside the output folder%s",
             name, "");
        free(p);
        return;
    }
    /* the HTML copy: none for an output that is HTML already */
    char *hname = NULL;
    if (html && j->kind != QR_JOB_PACK &&
        qr_format_of(name) == QR_FORMAT_HTML) {
        if (html_given) {
            char *p = qr_xasprintf("%s/html", ptr);
            merr(L, p, "'html' writes an HTML copy beside a PDF, but the "
                       "output '%s' is HTML already%s", name, "");
            free(p);
            return;
        }
    } else if (html) {
        hname = html_name_of(name, j->kind);
        if (strcmp(hname, QR_BUILD_STATE) == 0 ||
            strcmp(hname, QR_BUILD_LOCK) == 0) {
            char *p = output_ptr(L, ptr);
            merr(L, p, "the HTML copy of '%s' would be '%s', the build's own "
                       "file: give another output", name, hname);
            free(p);
            free(hname);
            return;
        }
    }
    /* no two jobs write one file, nor a file in a pack's HTML folder */
    const char *mine[2] = {name, hname};
    int mine_dir[2] = {0, j->kind == QR_JOB_PACK};
    for (size_t i = 0; i < m->njobs; i++) {
        const qr_job *o = &m->jobs[i].pub;
        const char *theirs[2] = {o->name, o->html_name};
        int theirs_dir[2] = {0, o->kind == QR_JOB_PACK};
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
                if (!mine[a] || !theirs[b] ||
                    !clashes(mine[a], mine_dir[a], theirs[b], theirs_dir[b]))
                    continue;
                char *p = a == 1 && html_given ? qr_xasprintf("%s/html", ptr)
                                               : output_ptr(L, ptr);
                if (strcmp(mine[a], theirs[b]) == 0)
                    merr(L, p, "two jobs write '%s'; give each its own "
                               "output%s", mine[a],
                         a == 1 ? " (here, its HTML copy)" : "");
                else
                    merr(L, p, "'%s' and '%s' overlap: one is the folder of "
                               "a pack's HTML pages; give each its own output",
                         mine[a], theirs[b]);
                free(p);
                free(hname);
                return;
            }
        }
    }
    char *out = qr_path_join(m->out_dir, name);
    char *hout = hname ? qr_path_join(m->out_dir, hname) : NULL;
    const char *self = qr_inputs_find_file(L->self, out) ? out
                       : hout && qr_inputs_find_file(L->self, hout) ? hout
                                                                    : NULL;
    if (self) {
        char *p = output_ptr(L, ptr);
        merr(L, p, "output '%s' is the manifest itself: refusing to "
                   "overwrite an input%s", self, "");
        free(p);
        free(out);
        free(hout);
        free(hname);
        return;
    }
    QR_GROW(m->jobs, m->njobs, m->cap, 16);
    job_rec *r = &m->jobs[m->njobs++];
    memset(r, 0, sizeof *r);
    r->pub = *j;
    r->pub.output = keep(L, out);
    r->pub.html = hout ? keep(L, hout) : NULL;
    r->pub.html_name = hname ? keep(L, hname) : NULL;
    /* "html" is not part of the key: turning it on finds no record of the
     * HTML copy and rebuilds the job; turning it off keeps the PDF */
    uint64_t h = QR_FNV64_INIT;
    char kind = (char)('0' + j->kind);
    h = qr_fnv64(h, &kind, 1);
    h = key_str(h, j->data);
    h = key_str(h, j->template_path);
    h = key_str(h, j->style);
    h = key_str(h, j->meeting);
    char flags[4] = {(char)('0' + j->strict), (char)('0' + j->public_pack),
                     (char)('0' + j->draft), 0};
    h = key_str(h, flags);
    r->key = h;
}

/* Basename of path without its extension. */
static char *stem(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    return dot && dot != b ? qr_xstrndup(b, (size_t)(dot - b)) : qr_xstrdup(b);
}

/* pattern with every {name} replaced by name. */
static char *fill_name(const char *pattern, const char *name)
{
    qr_buf b;
    qr_buf_init(&b);
    for (const char *s = pattern; *s;) {
        if (strncmp(s, NAME_FIELD, strlen(NAME_FIELD)) == 0) {
            qr_buf_puts(&b, name);
            s += strlen(NAME_FIELD);
        } else {
            qr_buf_putc(&b, *s++);
        }
    }
    return qr_buf_detach(&b, NULL);
}

/* The fields shared by papers and globs. */
static bool paper_fields(mloader *L, const cJSON *e, const char *ptr,
                        const defaults *df, qr_job *j)
{
    const char *tpl, *style;
    if (!get_str(L, e, "template", ptr, &tpl)) return false;
    if (!get_str(L, e, "style", ptr, &style)) return false;
    memset(j, 0, sizeof *j);
    j->kind = QR_JOB_PAPER;
    j->template_path = tpl ? mpath(L, tpl) : df->template_path;
    if (cJSON_GetObjectItemCaseSensitive(e, "style")) j->style = mpath(L, style);
    else j->style = df->style;
    j->strict = get_bool(L, e, "strict", ptr, df->strict);
    j->draft = get_bool(L, e, "draft", ptr, df->draft);
    if (!j->template_path) {
        merr(L, ptr, "this paper has no template: give \"template\" here or "
                     "in \"defaults\"%s%s", "", "");
        return false;
    }
    return true;
}

static const cJSON *get_array(mloader *L, const cJSON *root, const char *key)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!a) return NULL;
    if (!cJSON_IsArray(a)) {
        char *p = qr_xasprintf("/%s", key);
        merr(L, p, "'%s' must be an array%s", key, "");
        free(p);
        return NULL;
    }
    return a;
}

static void load_papers(mloader *L, const cJSON *root, const defaults *df)
{
    static const char *const KEYS[] = {"data", "template", "style", "output",
                                       "strict", "draft", "html", NULL};
    const cJSON *a = get_array(L, root, "papers");
    int i = 0;
    for (const cJSON *e = a ? a->child : NULL; e; e = e->next, i++) {
        char *ptr = qr_xasprintf("/papers/%d", i);
        qr_job j;
        const char *data, *out;
        if (!cJSON_IsObject(e)) {
            merr(L, ptr, "a paper must be an object%s%s", "", "");
        } else if (get_str(L, e, "data", ptr, &data) &&
                   get_str(L, e, "output", ptr, &out) &&
                   paper_fields(L, e, ptr, df, &j)) {
            check_keys(L, e, ptr, KEYS);
            int html, html_given;
            get_html(L, e, ptr, df, &html, &html_given);
            j.data = mpath(L, data);
            char *name;
            if (out) {
                name = qr_path_join(NULL, out);
            } else {
                char *s = stem(data ? data : j.template_path);
                name = qr_xasprintf("%s.pdf", s);
                free(s);
            }
            j.name = keep(L, name);
            add_job(L, &j, ptr, html, html_given);
        }
        free(ptr);
    }
}

static void load_globs(mloader *L, const cJSON *root, const defaults *df)
{
    static const char *const KEYS[] = {"data", "template", "style", "output",
                                       "strict", "draft", "html", NULL};
    const cJSON *a = get_array(L, root, "globs");
    int i = 0;
    for (const cJSON *e = a ? a->child : NULL; e; e = e->next, i++) {
        char *ptr = qr_xasprintf("/globs/%d", i);
        qr_job j;
        const char *pattern, *out;
        if (!cJSON_IsObject(e)) {
            merr(L, ptr, "a glob must be an object%s%s", "", "");
        } else if (get_str(L, e, "data", ptr, &pattern) &&
                   get_str(L, e, "output", ptr, &out) &&
                   paper_fields(L, e, ptr, df, &j)) {
            check_keys(L, e, ptr, KEYS);
            int html, html_given;
            get_html(L, e, ptr, df, &html, &html_given);
            if (!pattern) {
                merr(L, ptr, "a glob needs \"data\": a pattern such as "
                             "\"progress-*.json\"%s%s", "", "");
            } else {
                if (!out) out = GLOB_DEFAULT_OUTPUT;
                char *full = qr_path_join(L->dir, pattern);
                glob_t g;
                int rc = glob(full, 0, NULL, &g);
                if (rc == GLOB_NOMATCH || (rc == 0 && g.gl_pathc == 0)) {
                    char *p = qr_xasprintf("%s/data", ptr);
                    qr_data_diag(L->data, L->d, QR_WARNING, p,
                                 "'%s' matches no file", pattern);
                    free(p);
                } else if (rc != 0) {
                    char *p = qr_xasprintf("%s/data", ptr);
                    merr(L, p, "cannot expand '%s'%s", pattern, "");
                    free(p);
                }
                for (size_t k = 0; rc == 0 && k < g.gl_pathc; k++) {
                    qr_job jj = j;
                    jj.data = keep(L, qr_xstrdup(g.gl_pathv[k]));
                    char *s = stem(g.gl_pathv[k]);
                    char *filled = fill_name(out, s);
                    jj.name = keep(L, qr_path_join(NULL, filled));
                    free(filled);
                    free(s);
                    add_job(L, &jj, ptr, html, html_given);
                }
                if (rc == 0) globfree(&g);
                free(full);
            }
        }
        free(ptr);
    }
}

/* Jobs made from a meeting file: agenda packs ("packs"), minutes
 * ("minutes", full and public like packs) and records of decisions
 * ("decisions", always public: no "public" key). */
static void load_packs(mloader *L, const cJSON *root, const defaults *df,
                       const char *array, qr_job_kind kind)
{
    static const char *const KEYS[] = {"meeting", "output", "public",
                                       "public_output", "draft", "html", NULL};
    static const char *const DECISION_KEYS[] = {"meeting", "output", "draft",
                                                "html", NULL};
    const cJSON *a = get_array(L, root, array);
    int i = 0;
    for (const cJSON *e = a ? a->child : NULL; e; e = e->next, i++) {
        char *ptr = qr_xasprintf("/%s/%d", array, i);
        const char *meeting, *out, *pout;
        if (!cJSON_IsObject(e)) {
            merr(L, ptr, "a job of '%s' must be an object%s", array, "");
        } else if (get_str(L, e, "meeting", ptr, &meeting) &&
                   get_str(L, e, "output", ptr, &out) &&
                   get_str(L, e, "public_output", ptr, &pout)) {
            check_keys(L, e, ptr, kind == QR_JOB_DECISIONS ? DECISION_KEYS
                                                           : KEYS);
            const cJSON *pub = cJSON_GetObjectItemCaseSensitive(e, "public");
            int want_full = 1, want_public = 0;
            if (cJSON_IsTrue(pub)) {
                want_full = 0;
                want_public = 1;
            } else if (cJSON_IsString(pub) && strcmp(pub->valuestring, "both") == 0) {
                want_public = 1;
            } else if (pub && !cJSON_IsFalse(pub)) {
                char *p = qr_xasprintf("%s/public", ptr);
                merr(L, p, "'public' must be true, false or \"both\"%s%s", "", "");
                free(p);
            }
            if (!meeting) {
                merr(L, ptr, "a job of '%s' needs \"meeting\": the meeting "
                     "file%s", array, "");
            } else {
                qr_job j = {0};
                j.kind = kind;
                j.meeting = mpath(L, meeting);
                j.draft = get_bool(L, e, "draft", ptr, df->draft);
                int html, html_given;
                get_html(L, e, ptr, df, &html, &html_given);
                char *s = stem(meeting);
                /* "m.pdf" for a pack, "m-minutes.pdf", "m-decisions.pdf" */
                char *full = out ? qr_path_join(NULL, out)
                             : qr_xasprintf("%s%s.pdf", s,
                                            kind == QR_JOB_PACK ? ""
                                            : kind == QR_JOB_MINUTES ? "-minutes"
                                                                     : "-decisions");
                if (want_full) {
                    j.name = keep(L, qr_xstrdup(full));
                    add_job(L, &j, ptr, html, html_given);
                }
                if (want_public) {
                    char *pname;
                    if (pout) {
                        pname = qr_path_join(NULL, pout);
                    } else if (!want_full) {
                        pname = qr_xstrdup(full);
                    } else {
                        /* "x.pdf" → "x-public.pdf" */
                        const char *dot = strrchr(full, '.');
                        size_t n = dot && !strchr(dot, '/') ? (size_t)(dot - full)
                                                            : strlen(full);
                        pname = qr_xasprintf("%.*s%s%s", (int)n, full,
                                             PUBLIC_SUFFIX, full + n);
                    }
                    j.name = keep(L, pname);
                    j.public_pack = 1;
                    add_job(L, &j, ptr, html, html_given);
                }
                free(full);
                free(s);
            }
        }
        free(ptr);
    }
}

qr_manifest *qr_manifest_load(const char *path, const char *out_dir,
                              qr_diags *d)
{
    static const char *const TOP_KEYS[] = {"defaults", "papers", "globs",
                                           "packs", "minutes", "decisions",
                                           NULL};
    static const char *const DEFAULT_KEYS[] = {"template", "style", "out",
                                               "strict", "draft", "html",
                                               NULL};
    qr_inputs *self = qr_inputs_new();
    qr_inputs *outer = qr_inputs_activate(self);
    qr_data *data = qr_data_load(path, d);
    qr_inputs_activate(outer);
    qr_inputs_merge(outer, self);
    if (!data) {
        qr_inputs_free(self);
        return NULL;
    }
    qr_manifest *m = qr_xcalloc(1, sizeof *m);
    mloader L = {.m = m, .data = data, .d = d, .dir = qr_path_dir(path),
                 .self = self};
    const cJSON *root = qr_data_root(data);
    check_keys_in(&L, root, "", TOP_KEYS, DEFAULT_KEYS);

    defaults df = {.strict = 1};
    const cJSON *dj = cJSON_GetObjectItemCaseSensitive(root, "defaults");
    const char *dout = NULL;
    if (dj && !cJSON_IsObject(dj)) {
        merr(&L, "/defaults", "'defaults' must be an object%s%s", "", "");
    } else if (dj) {
        check_keys(&L, dj, "/defaults", DEFAULT_KEYS);
        const char *tpl, *style;
        get_str(&L, dj, "template", "/defaults", &tpl);
        get_str(&L, dj, "style", "/defaults", &style);
        get_str(&L, dj, "out", "/defaults", &dout);
        df.template_path = mpath(&L, tpl);
        df.style = mpath(&L, style);
        df.strict = get_bool(&L, dj, "strict", "/defaults", 1);
        df.draft = get_bool(&L, dj, "draft", "/defaults", 0);
        df.html = get_bool(&L, dj, "html", "/defaults", 0);
    }
    if (out_dir) m->out_dir = qr_path_join(NULL, out_dir);
    else if (dout) m->out_dir = qr_path_join(L.dir, dout);
    else m->out_dir = qr_xstrdup(DEFAULT_OUT);

    load_papers(&L, root, &df);
    load_globs(&L, root, &df);
    load_packs(&L, root, &df, "packs", QR_JOB_PACK);
    load_packs(&L, root, &df, "minutes", QR_JOB_MINUTES);
    load_packs(&L, root, &df, "decisions", QR_JOB_DECISIONS);
    free(L.dir);
    qr_inputs_free(self);
    qr_data_free(data);
    if (L.errors) {
        qr_manifest_free(m);
        return NULL;
    }
    return m;
}

void qr_manifest_free(qr_manifest *m)
{
    if (!m) return;
    free(m->out_dir);
    free(m->jobs);
    qr_strv_free(m->strings.v);
    free(m);
}

const char *qr_manifest_out_dir(const qr_manifest *m) { return m->out_dir; }
size_t qr_manifest_njobs(const qr_manifest *m) { return m->njobs; }
const qr_job *qr_manifest_job(const qr_manifest *m, size_t i)
{
    return i < m->njobs ? &m->jobs[i].pub : NULL;
}

/* ---- the hash cache: each file is hashed at most once per build ---- */

/* Hashes taken by the build process for the skip decision, so that a file
 * many jobs share (a partial, a style) is read once. Workers inherit it and
 * use it only for files a library reads itself (fonts): such a hash was
 * taken before the fork, so before the worker read the file, and an edit in
 * between can only cause a rebuild next time, never a wrong skip. */
typedef struct hcache {
    char **path;
    uint64_t *hash;
    size_t n, cap;
} hcache;

static bool cache_lookup(const hcache *c, const char *path, uint64_t *h)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->path[i], path) == 0) {
            *h = c->hash[i];
            return true;
        }
    }
    return false;
}

static uint64_t cached_hash(hcache *c, const char *path)
{
    uint64_t h;
    if (cache_lookup(c, path, &h)) return h;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->path = qr_xrealloc(c->path, c->cap * sizeof *c->path);
        c->hash = qr_xrealloc(c->hash, c->cap * sizeof *c->hash);
    }
    c->path[c->n] = qr_xstrdup(path);
    c->hash[c->n] = qr_hash_file(path);
    return c->hash[c->n++];
}

static void hcache_free(hcache *c)
{
    for (size_t i = 0; i < c->n; i++) free(c->path[i]);
    free(c->path);
    free(c->hash);
}

static void hex64(char out[17], uint64_t h)
{
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* ---- names in the log ---- */

char *qr_build_escape(const char *s)
{
    qr_buf b;
    qr_buf_init(&b);
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            uint32_t cp;
            int k = qr_utf8_decode(s + i, n - i, &cp);
            /* C1 controls (U+0080-U+009F) steer terminals like C0 ones */
            if (k > 0 && !(cp >= 0x80 && cp <= 0x9f)) {
                qr_buf_append(&b, s + i, (size_t)k);
                i += (size_t)k;
                continue;
            }
            if (k <= 0) k = 1;
            for (int t = 0; t < k; t++)
                qr_buf_printf(&b, "\\x%02x", (unsigned char)s[i + (size_t)t]);
            i += (size_t)k;
            continue;
        }
        switch (c) {
        case '\n': qr_buf_puts(&b, "\\n"); break;
        case '\r': qr_buf_puts(&b, "\\r"); break;
        case '\t': qr_buf_puts(&b, "\\t"); break;
        case '\\': qr_buf_puts(&b, "\\\\"); break;
        default:
            if (c < 0x20 || c == 0x7f) qr_buf_printf(&b, "\\x%02x", c);
            else qr_buf_putc(&b, (char)c);
        }
        i++;
    }
    return qr_buf_detach(&b, NULL);
}

/* fprintf of one log line whose %s arguments are escaped names: a file
 * called "a\nbuilt x.pdf" must not print a line of its own. */
static void log_name(FILE *f, const char *fmt, const char *name,
                     const char *more)
{
    char *e = qr_build_escape(name);
    fprintf(f, fmt, e, more ? more : "");
    free(e);
}

/* fprintf of a job's log line: fmt's first %s is the job's outputs — its
 * PDF, and " and " its HTML copy when it makes one (a pack's folder with a
 * "/") — escaped as names are; the second is `more`. */
static void log_job(FILE *f, const char *fmt, const qr_job *j,
                    const char *more)
{
    char *e = qr_build_escape(j->output);
    if (j->html) {
        char *h = qr_build_escape(j->html);
        char *both = qr_xasprintf("%s and %s%s", e, h,
                                  j->kind == QR_JOB_PACK ? "/" : "");
        free(h);
        free(e);
        e = both;
    }
    fprintf(f, fmt, e, more ? more : "");
    free(e);
}

/* ---- the identity of the typesetter ---- */

/* The hyphenation dictionary linebreak.c loads (its HYPH_DICT_PATH): it
 * decides where words break, so it is part of how quire typesets. */
#define HYPH_DICT "/usr/share/hyphen/hyph_en_GB.dic"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What typesets, read once per build: quire's version and the hash of its
 * own executable (a rebuilt quire may typeset differently under the same
 * version string), of every shared library mapped into it (a Debian update
 * of libharu or HarfBuzz changes PDFs too), of the hyphenation dictionary
 * and of where fonts come from. NULL when the executable cannot be read. */
static void *fonts_stamp(void *buf)
{
    qr_fonts_stamp(buf);
    return NULL;
}

static char *program_identity(const char *version)
{
    uint64_t h = qr_hash_file("/proc/self/exe");
    if (!h) return NULL;
    /* HarfBuzz and fontconfig are opened on first use (fontlib.c), not
     * linked: opened now, so that they and what they load are mapped, and
     * so in the identity, before the map is read (the workers need them
     * anyway) */
    qr_fonts_load_libraries();
    strvec files = {0};
    char *maps = qr_read_file("/proc/self/maps", NULL, 0);
    for (char *line = maps, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        else next = line + strlen(line);
        const char *path = strchr(line, '/');
        if (path && strstr(path, ".so")) sv_add(&files, path);
    }
    free(maps);
    /* The fonts' stamp initialises fontconfig (~8 ms of parsing its
     * configuration), which the workers need anyway: on another core while
     * this one hashes the libraries, both before the first worker starts.
     * Joined before anything forks. */
    qr_buf fonts;
    qr_buf_init(&fonts);
    pthread_t stamper;
    int stamping = pthread_create(&stamper, NULL, fonts_stamp, &fonts) == 0;
    sv_add(&files, HYPH_DICT);
    qsort(files.v, files.n, sizeof *files.v, cmp_str);
    for (size_t i = 0; i < files.n; i++) {
        /* a library replaced since it was mapped reads as 0 or as the new
         * file: either way another identity than the last build's */
        uint64_t fh = qr_hash_file(files.v[i]);
        h = qr_fnv64(h, files.v[i], strlen(files.v[i]) + 1);
        h = qr_fnv64(h, &fh, sizeof fh);
    }
    qr_strv_free(sv_detach(&files));
    if (stamping) pthread_join(stamper, NULL);
    else qr_fonts_stamp(&fonts);
    h = qr_fnv64(h, fonts.data ? fonts.data : "", fonts.len);
    qr_buf_free(&fonts);
    char hex[17];
    hex64(hex, h);
    return qr_xasprintf("%s exe:%s", version, hex);
}

/* The job's key for this run: what the manifest says about it, and what
 * else changes its PDF — SOURCE_DATE_EPOCH dates papers whose data has no
 * date of its own. */
static uint64_t run_key(const job_rec *j)
{
    return key_str(j->key, getenv("SOURCE_DATE_EPOCH"));
}

/* ---- the state file ---- */

static char *state_path(const char *out_dir)
{
    return qr_xasprintf("%s/%s", out_dir, QR_BUILD_STATE);
}

static cJSON *state_new(const char *identity)
{
    cJSON *st = cJSON_CreateObject();
    cJSON_AddNumberToObject(st, "format", STATE_FORMAT);
    cJSON_AddStringToObject(st, "quire", identity ? identity : "");
    cJSON_AddObjectToObject(st, "jobs");
    return st;
}

/* Load the state into *out. A missing or unparsable state, one of another
 * layout or one written by another quire (identity NULL: unknown, which
 * matches nothing) is an empty state: everything is rebuilt. A state that
 * is not a regular file (a FIFO would block the build for ever) or cannot
 * be read is an error: false, after adding it (the build's exit status is
 * then QR_EOUTPUT). */
static bool state_load(const char *out_dir, const char *identity, cJSON **out,
                      qr_diags *d)
{
    char *p = state_path(out_dir);
    size_t len;
    errno = 0;
    char *text = qr_read_file(p, &len, 0);
    if (!text && errno != ENOENT) {
        char *e = qr_build_escape(p);
        int bad = errno == ENODEV || errno == EISDIR;
        qr_diag_add(d, QR_ERROR, e, 0, 0, NULL, NULL,
                    "cannot read the build state: %s%s",
                    bad ? "it " : "", qr_input_strerror(errno));
        free(e);
        free(p);
        *out = NULL;
        return false;
    }
    free(p);
    cJSON *st = text ? cJSON_ParseWithLength(text, len) : NULL;
    free(text);
    const cJSON *v = st ? cJSON_GetObjectItemCaseSensitive(st, "quire") : NULL;
    const cJSON *f = st ? cJSON_GetObjectItemCaseSensitive(st, "format") : NULL;
    if (!identity || !st || !cJSON_IsObject(st) || !cJSON_IsString(v) ||
        strcmp(v->valuestring, identity) != 0 || !cJSON_IsNumber(f) ||
        f->valueint != STATE_FORMAT ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(st, "jobs"))) {
        /* another quire may typeset differently: start afresh */
        cJSON_Delete(st);
        st = state_new(identity);
    }
    *out = st;
    return true;
}

/* fsync a folder: a rename in it is durable only then. False with errno
 * set when it cannot be done. */
static bool sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    int rc = fsync(fd);
    /* some file systems cannot sync a folder; there is nothing more to do */
    if (rc != 0 && errno == EINVAL) rc = 0;
    int e = errno;
    close(fd);
    errno = e;
    return rc == 0;
}

/* Write the state atomically and durably; false after adding an error. */
static bool state_save(const char *out_dir, const cJSON *st, qr_diags *d)
{
    char *text = cJSON_Print(st);
    char *p = state_path(out_dir);
    bool ok = true;
    if (!text || !qr_write_atomic(p, text, strlen(text)) ||
        !sync_dir(out_dir)) {
        char *e = qr_build_escape(p);
        qr_diag_add(d, QR_ERROR, e, 0, 0, NULL, NULL,
                    "cannot write the build state: %s", strerror(errno));
        free(e);
        ok = false;
    }
    free(p);
    cJSON_free(text);
    return ok;
}

/* FNV-1a 64 of a pack's HTML folder as it is on disk: the name and hash
 * of every page and appendix copy in it (qr_pack_html_file), sorted.
 * 0 when the folder, its index.html or any file cannot be read (or is no
 * regular file). A file deleted, added or edited by hand changes it. */
static uint64_t hash_html_dir(const char *dir)
{
    DIR *dh = opendir(dir);
    if (!dh) return 0;
    strvec names = {0};
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        if (qr_pack_html_file(e->d_name)) sv_add(&names, e->d_name);
    }
    closedir(dh);
    qsort(names.v, names.n, sizeof *names.v, cmp_str);
    uint64_t h = QR_FNV64_INIT;
    int index = 0;
    for (size_t i = 0; i < names.n && h; i++) {
        char *p = qr_path_join(dir, names.v[i]);
        uint64_t fh = qr_hash_file(p);
        free(p);
        if (!fh) h = 0;
        if (strcmp(names.v[i], "index.html") == 0) index = 1;
        h = qr_fnv64(h, names.v[i], strlen(names.v[i]) + 1);
        h = qr_fnv64(h, &fh, sizeof fh);
    }
    qr_strv_free(sv_detach(&names));
    return index ? h : 0;
}

/* The hash of a job's HTML copy as it is on disk (0: unreadable). */
static uint64_t hash_html(const qr_job *j)
{
    return j->kind == QR_JOB_PACK ? hash_html_dir(j->html)
                                  : qr_hash_file(j->html);
}

/* Whether the job's record says its output is current: same key, the output
 * is the very file the record was made for (its hash), so is its HTML copy
 * when the job asks for one, and every file the
 * output was made from still has the bytes that were read. Only regular
 * files are hashed, without blocking: anything else never matches. */
static bool up_to_date(const cJSON *jobs, const job_rec *j, uint64_t key,
                      hcache *c)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(jobs, j->pub.name);
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(r, "key");
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(r, "output");
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(r, "files");
    char hex[17];
    hex64(hex, key);
    if (!cJSON_IsString(k) || strcmp(k->valuestring, hex) != 0 ||
        !cJSON_IsString(o) || !cJSON_IsObject(files) || !files->child)
        return false;
    uint64_t oh = qr_hash_file(j->pub.output);
    hex64(hex, oh);
    if (!oh || strcmp(hex, o->valuestring) != 0) return false;
    if (j->pub.html) {
        /* the HTML copy too: none recorded (the option just turned on, or
         * the last build made none) or another file there rebuilds */
        const cJSON *hr = cJSON_GetObjectItemCaseSensitive(r, "html");
        uint64_t hh = hash_html(&j->pub);
        hex64(hex, hh);
        if (!cJSON_IsString(hr) || !hh || strcmp(hex, hr->valuestring) != 0)
            return false;
    }
    for (const cJSON *f = files->child; f; f = f->next) {
        if (!cJSON_IsString(f)) return false;
        uint64_t h = cached_hash(c, f->string);
        hex64(hex, h);
        if (!h || strcmp(hex, f->valuestring) != 0) return false;
    }
    return true;
}

/* ---- the output folder's lock and leftovers ---- */

/* Lock the output folder for the whole build, waiting while another build
 * holds it. flock(2), not a pid file: the kernel drops the lock when its
 * last holder dies, however it dies. Workers inherit it (the same open file),
 * so a worker orphaned by a killed build keeps the folder locked until it
 * is gone, and cannot write over what the next build makes. Returns the
 * descriptor, or -1 after an error. */
static int lock_out_dir(const char *out_dir, FILE *log, qr_diags *d)
{
    char *p = qr_xasprintf("%s/%s", out_dir, QR_BUILD_LOCK);
    int fd = open(p, O_RDWR | O_CREAT | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC |
                         O_NOCTTY, 0644);
    int e = 0;
    struct stat sb;
    if (fd < 0) e = errno;
    else if (fstat(fd, &sb) != 0) e = errno;
    else if (!S_ISREG(sb.st_mode)) e = S_ISDIR(sb.st_mode) ? EISDIR : ENODEV;
    if (!e && flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            log_name(log, "waiting for another build into %s to finish%s\n",
                     out_dir, NULL);
            fflush(log);
            while (flock(fd, LOCK_EX) != 0) {
                if (errno != EINTR) {
                    e = errno;
                    break;
                }
            }
        } else {
            e = errno;
        }
    }
    if (e) {
        char *ep = qr_build_escape(p);
        int bad = e == ENODEV || e == EISDIR;
        qr_diag_add(d, QR_ERROR, ep, 0, 0, NULL, NULL,
                    "cannot lock the output folder: %s%s",
                    bad ? "the lock file " : "", qr_input_strerror(e));
        free(ep);
        if (fd >= 0) close(fd);
        fd = -1;
    }
    free(p);
    return fd;
}

#define TEMP_MARK ".tmp."
#define TEMP_RANDOM 6          /* mkstemp's XXXXXX */

/* The length of the output name in `name` when it is a temporary file of
 * qr_write_atomic ("<name>.tmp.XXXXXX"), else 0. */
static size_t temp_prefix(const char *name)
{
    size_t n = strlen(name), tail = strlen(TEMP_MARK) + TEMP_RANDOM;
    if (n <= tail) return 0;
    const char *t = name + n - tail;
    if (strncmp(t, TEMP_MARK, strlen(TEMP_MARK)) != 0) return 0;
    for (size_t i = strlen(TEMP_MARK); i < tail; i++)
        if (!isalnum((unsigned char)t[i])) return 0;
    return n - tail;
}

/* Whether `path` is one of the manifest's outputs: a job's PDF, a paper's
 * HTML copy, or a file a pack manages in its HTML folder. */
static bool managed_output(const qr_manifest *m, const char *path)
{
    for (size_t i = 0; i < m->njobs; i++) {
        const qr_job *j = &m->jobs[i].pub;
        if (strcmp(path, j->output) == 0) return true;
        if (!j->html) continue;
        if (j->kind != QR_JOB_PACK) {
            if (strcmp(path, j->html) == 0) return true;
            continue;
        }
        size_t n = strlen(j->html);
        if (strncmp(path, j->html, n) == 0 && path[n] == '/' &&
            !strchr(path + n + 1, '/') && qr_pack_html_file(path + n + 1))
            return true;
    }
    return false;
}

/* Remove what killed builds left: temporary files of this manifest's
 * outputs (HTML copies and pages too) and of the state, and nothing else (the folder may hold other
 * people's files). Called with the lock held, so no build is writing them.
 * Returns how many were removed. */
static size_t remove_stale_temps(const qr_manifest *m)
{
    strvec dirs = {0};
    char *sp = state_path(m->out_dir);
    char *spn = qr_path_join(NULL, sp);
    sv_add(&dirs, m->out_dir);
    for (size_t i = 0; i < m->njobs; i++) {
        char *dir = qr_path_dir(m->jobs[i].pub.output);
        sv_add(&dirs, dir);
        free(dir);
        /* a paper's HTML copy is beside its PDF; a pack's pages are in
         * their folder */
        if (m->jobs[i].pub.kind == QR_JOB_PACK) sv_add(&dirs, m->jobs[i].pub.html);
    }
    size_t removed = 0;
    for (size_t k = 0; k < dirs.n; k++) {
        DIR *dh = opendir(dirs.v[k]);
        if (!dh) continue;
        struct dirent *e;
        while ((e = readdir(dh)) != NULL) {
            size_t pl = temp_prefix(e->d_name);
            if (!pl) continue;
            char *prefix = qr_xstrndup(e->d_name, pl);
            char *target = qr_path_join(dirs.v[k], prefix);
            int managed = strcmp(target, spn) == 0 ||
                          managed_output(m, target);
            struct stat sb;
            if (managed &&
                fstatat(dirfd(dh), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
                S_ISREG(sb.st_mode) && unlinkat(dirfd(dh), e->d_name, 0) == 0)
                removed++;
            free(target);
            free(prefix);
        }
        closedir(dh);
    }
    qr_strv_free(sv_detach(&dirs));
    free(spn);
    free(sp);
    return removed;
}

/* ---- workers ---- */

typedef struct slot {
    pid_t pid;             /* 0: free */
    size_t job;
    int res_fd, err_fd;    /* -1 once at end of file */
    qr_buf res, err;
    double t0;
} slot;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static bool recorded_path(const qr_inputs *r, const char *path)
{
    for (size_t i = 0; i < qr_inputs_count(r); i++)
        if (strcmp(qr_inputs_get(r, i)->path, path) == 0) return true;
    return qr_inputs_find_file(r, path) != NULL;
}

static void add_file(cJSON *files, const char *path, uint64_t h)
{
    char hex[17];
    hex64(hex, h);
    cJSON *pair = cJSON_CreateArray();
    cJSON_AddItemToArray(pair, cJSON_CreateString(path));
    cJSON_AddItemToArray(pair, cJSON_CreateString(hex));
    cJSON_AddItemToArray(files, pair);
}

/* Diagnostics with every file name and message escaped for the log (a
 * message quotes names and values). */
static qr_diags *escaped(const qr_diags *d)
{
    qr_diags *e = qr_diags_new();
    for (size_t i = 0; i < qr_diags_len(d); i++) {
        const qr_diag *g = qr_diags_get(d, i);
        char *file = g->file ? qr_build_escape(g->file) : NULL;
        char *path = g->path ? qr_build_escape(g->path) : NULL;
        char *msg = qr_build_escape(g->message);
        qr_diag_add(e, g->severity, file, g->line, g->col, path, g->source,
                    "%s", msg);
        free(file);
        free(path);
        free(msg);
    }
    return e;
}

/* Make one output of a job: its PDF at `out`, or its HTML copy (out =
 * j->html), the way render, pack, minutes and decisions make it. Returns
 * the status of the command entry point it calls, unchanged (the worker
 * reports it to the build as main.c would exit with it). */
static qr_status make_output(const qr_job *j, const char *out, qr_diags *d,
                             char ***files)
{
    int html = out == j->html;
    if (j->kind == QR_JOB_PAPER) {
        qr_render_req req = {.data_path = j->data,
                             .template_path = j->template_path,
                             .style_path = j->style,
                             .out_path = out,
                             .strict = j->strict,
                             .stop = QR_STOP_PDF,
                             .format = html ? QR_FORMAT_HTML
                                            : qr_format_of(out)};
        req.draft = j->draft;
        /* a worker ends with _exit once its job is done */
        req.exiting = 1;
        return qr_paper_render(&req, d, files);
    }
    if (j->kind == QR_JOB_PACK) {
        qr_pack_req req = {.meeting_path = j->meeting,
                           .out_path = html ? NULL : out,
                           .html_dir = html ? out : NULL,
                           .public_pack = j->public_pack,
                           .draft = j->draft};
        return qr_pack_build(&req, d, files);
    }
    qr_record_req req = {.kind = j->kind == QR_JOB_MINUTES
                                     ? QR_RECORD_MINUTES
                                     : QR_RECORD_DECISIONS,
                         .meeting_path = j->meeting,
                         .out_path = out,
                         .public_record = j->public_pack,
                         .draft = j->draft};
    return qr_record_build(&req, d, files);
}

/* Move the diagnostics of `from` to `to`, but for warnings `to` has
 * already (the HTML copy warns of what the PDF warned of). */
static void merge_diags(qr_diags *to, qr_diags *from)
{
    size_t had = qr_diags_len(to);
    for (size_t i = 0; i < qr_diags_len(from); i++) {
        const qr_diag *g = qr_diags_get(from, i);
        int dup = 0;
        for (size_t k = 0; g->severity != QR_ERROR && !dup && k < had; k++) {
            const qr_diag *o = qr_diags_get(to, k);
            dup = o->severity == g->severity && o->line == g->line &&
                  o->col == g->col && strcmp(o->message, g->message) == 0 &&
                  (o->file == g->file ||
                   (o->file && g->file && strcmp(o->file, g->file) == 0));
        }
        if (!dup)
            qr_diag_add(to, g->severity, g->file, g->line, g->col, g->path,
                        g->source, "%s", g->message);
    }
}

/* The files of a and of b, each once (both NULL-terminated lists of
 * qr_strv_free; both are consumed). */
static char **merge_files(char **a, char **b)
{
    strvec v = {0};
    for (char **p = a; p && *p; p++) sv_add(&v, *p);
    for (char **p = b; p && *p; p++) sv_add(&v, *p);
    qr_strv_free(a);
    qr_strv_free(b);
    return sv_detach(&v);
}

/* Records in res[key] the hash of an output just written (h, 0 when it
 * could not be read back, errno saying why). */
static bool record_written(cJSON *res, const char *key, const char *path,
                           uint64_t h, const char *what, qr_diags *d)
{
    if (!h) {
        qr_diag_add(d, QR_ERROR, path, 0, 0, NULL, NULL,
                    "cannot read back the %s just written: %s", what,
                    strerror(errno));
        return false;
    }
    char hex[17];
    hex64(hex, h);
    cJSON_AddStringToObject(res, key, hex);
    return true;
}

/* In the worker process: run one job with an input record active, so that
 * every file it reads is recorded with the hash of the bytes it read; print
 * its diagnostics to stderr (a pipe to the build) and send the result down
 * res_fd as JSON: status, the files (path and hash) and the hash of the
 * output as written. Never returns. */
static void worker(const job_rec *j, int res_fd, const hcache *c,
                   pid_t parent)
{
    /* die with the build: a worker left running after the build was
     * killed would write its output later, over what the next build made */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    qr_diags *d = qr_diags_new();
    qr_inputs *rec = qr_inputs_new();
    qr_inputs_activate(rec);
    char **files = NULL;
    int status;
    char *dir = qr_path_dir(j->pub.output);
    if (!qr_make_dirs(dir, 0777)) {
        qr_diag_add(d, QR_ERROR, dir, 0, 0, NULL, NULL,
                    "cannot create the folder: %s", strerror(errno));
        status = QR_EOUTPUT;
    } else {
        status = make_output(&j->pub, j->pub.output, d, &files);
    }
    free(dir);
    if (status == QR_OK && j->pub.html) {
        /* the HTML copy, by the code path of `quire render -o x.html` or
         * `quire pack --html`, after the PDF: a job whose PDF fails writes
         * neither. Its files join the PDF's; a file that changed between
         * the two reads marks the record changed (below). Warnings both
         * made are shown once. */
        qr_diags *hd = qr_diags_new();
        char **hfiles = NULL;
        status = make_output(&j->pub, j->pub.html, hd, &hfiles);
        merge_diags(d, hd);
        files = merge_files(files, hfiles);
        qr_diags_free(hd);
    }
    qr_inputs_activate(NULL);

    cJSON *res = cJSON_CreateObject();
    cJSON *fl = cJSON_AddArrayToObject(res, "files");
    for (size_t i = 0; i < qr_inputs_count(rec); i++)
        add_file(fl, qr_inputs_get(rec, i)->path, qr_inputs_get(rec, i)->hash);
    /* files a library read itself (fonts; the PDF/A colour profile) */
    for (char **p = files; p && *p; p++) {
        if (recorded_path(rec, *p)) continue;
        uint64_t h;
        if (!cache_lookup(c, *p, &h)) h = qr_hash_file(*p);
        add_file(fl, *p, h);
    }
    int changed = qr_inputs_changed(rec);
    if (status == QR_OK && changed) {
        qr_diag_add(d, QR_ERROR, NULL, 0, 0, NULL, NULL,
                    "an input file changed while this job read it, so the "
                    "output may mix old and new contents; build again");
        status = QR_EINPUT;
    }
    /* the outputs as they are on disk now, for the next build to check */
    if (status == QR_OK &&
        !record_written(res, "output", j->pub.output,
                        qr_hash_file(j->pub.output), "PDF", d))
        status = QR_EOUTPUT;
    if (status == QR_OK && j->pub.html &&
        !record_written(res, "html", j->pub.html, hash_html(&j->pub), "HTML",
                        d))
        status = QR_EOUTPUT;
    cJSON_AddNumberToObject(res, "status", status);
    cJSON_AddBoolToObject(res, "changed", changed);
    qr_diags *e = escaped(d);
    qr_diags_print(e, stderr);
    fflush(stderr);
    char *text = cJSON_PrintUnformatted(res);
    if (text) write_all(res_fd, text, strlen(text));
    close(res_fd);
    cJSON_free(text);
    cJSON_Delete(res);
    qr_strv_free(files);
    qr_inputs_free(rec);
    qr_diags_free(e);
    qr_diags_free(d);
    /* _exit: the parent's stdio buffers and atexit handlers are not ours */
    _exit(0);
}

/* A worker per processor: none is left for a render's helper thread. */
static bool workers_fill_cpus;

static bool start_job(slot *s, size_t ji, const job_rec *j, const hcache *c,
                     FILE *log)
{
    int res[2], err[2];
    if (pipe(res) != 0) return false;
    if (pipe(err) != 0) {
        close(res[0]);
        close(res[1]);
        return false;
    }
    fflush(log);
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(res[0]);
        close(res[1]);
        close(err[0]);
        close(err[1]);
        return false;
    }
    if (pid == 0) {
        close(res[0]);
        close(err[0]);
        dup2(err[1], STDERR_FILENO);
        close(err[1]);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO);
            close(devnull);
        }
        if (workers_fill_cpus) qr_pdf_set_deflate_ahead(false);
        worker(j, res[1], c, parent);
    }
    close(res[1]);
    close(err[1]);
    s->pid = pid;
    s->job = ji;
    s->res_fd = res[0];
    s->err_fd = err[0];
    qr_buf_init(&s->res);
    qr_buf_init(&s->err);
    s->t0 = now_s();
    return true;
}

/* Read what is there; close the fd at end of file. */
static void drain(int *fd, qr_buf *b)
{
    char tmp[PIPE_CHUNK];
    ssize_t n = read(*fd, tmp, sizeof tmp);
    if (n > 0) {
        qr_buf_append(b, tmp, (size_t)n);
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(*fd);
        *fd = -1;
    }
}

/* ---- the log ---- */

typedef struct logger {
    FILE *f;
    int live;              /* a terminal: one line, redrawn */
    int width;
    size_t total, done, failed;
    const char *current;
} logger;

static void clear_line(logger *g)
{
    if (g->live) fputs("\r\033[K", g->f);
}

static void draw(logger *g)
{
    if (!g->live) return;
    char line[512];
    int n = snprintf(line, sizeof line, "[%zu/%zu]", g->done, g->total);
    if (g->failed)
        n += snprintf(line + n, sizeof line - (size_t)n, " %zu failed", g->failed);
    if (g->current && g->done < g->total) {
        char *e = qr_build_escape(g->current);
        snprintf(line + n, sizeof line - (size_t)n, " building %s", e);
        free(e);
    }
    int max = g->width > 1 ? g->width - 1 : TERM_WIDTH_DEFAULT - 1;
    if ((int)strlen(line) > max) line[max] = '\0';
    fprintf(g->f, "\r\033[K%s", line);
    fflush(g->f);
}

/* The first line of the worker's stderr that is an error, for the FAILED
 * line; the full text follows it. */
static char *first_error(const char *err)
{
    const char *e = err ? strstr(err, ": error: ") : NULL;
    if (!e) return err && *err ? qr_xstrndup(err, strcspn(err, "\n")) : NULL;
    const char *bol = e;
    while (bol > err && bol[-1] != '\n') bol--;
    return qr_xstrndup(bol, strcspn(bol, "\n"));
}

/* Parse a worker's result into a state record (NULL when it failed or
 * cannot vouch for its output). */
static cJSON *parse_result(const char *res, uint64_t key, int *status)
{
    *status = QR_EOUTPUT;
    cJSON *r = res ? cJSON_Parse(res) : NULL;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "status");
    if (!cJSON_IsNumber(s)) {
        cJSON_Delete(r);
        return NULL;
    }
    *status = s->valueint;
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(r, "output");
    const cJSON *fl = cJSON_GetObjectItemCaseSensitive(r, "files");
    if (*status != QR_OK || !cJSON_IsString(o) || !cJSON_IsArray(fl) ||
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "changed"))) {
        cJSON_Delete(r);
        return NULL;
    }
    cJSON *rec = cJSON_CreateObject();
    char hex[17];
    hex64(hex, key);
    cJSON_AddStringToObject(rec, "key", hex);
    cJSON_AddStringToObject(rec, "output", o->valuestring);
    const cJSON *html = cJSON_GetObjectItemCaseSensitive(r, "html");
    if (cJSON_IsString(html))
        cJSON_AddStringToObject(rec, "html", html->valuestring);
    cJSON *files = cJSON_AddObjectToObject(rec, "files");
    int vouch = 1;
    for (const cJSON *p = fl->child; p; p = p->next) {
        const cJSON *path = cJSON_GetArrayItem(p, 0), *h = cJSON_GetArrayItem(p, 1);
        if (!cJSON_IsString(path) || !cJSON_IsString(h) ||
            strcmp(h->valuestring, "0000000000000000") == 0) {
            /* an input vanished or is no regular file */
            vouch = 0;
            break;
        }
        if (!cJSON_GetObjectItemCaseSensitive(files, path->valuestring))
            cJSON_AddStringToObject(files, path->valuestring, h->valuestring);
    }
    cJSON_Delete(r);
    if (!vouch || !files->child) {
        cJSON_Delete(rec);
        return NULL;
    }
    return rec;
}

static void report_job(logger *g, const job_rec *j, slot *s, int wstatus,
                       uint64_t key, cJSON **record, qr_build_stats *st)
{
    int status;
    *record = parse_result(s->res.data, key, &status);
    double ms = (now_s() - s->t0) * 1e3;
    int crashed = !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0;
    if (crashed) status = QR_EOUTPUT;
    g->done++;
    clear_line(g);
    if (status == QR_OK && !crashed) {
        st->built++;
        if (!g->live) {
            char more[32];
            snprintf(more, sizeof more, " (%.0f ms)", ms);
            log_job(g->f, "built %s%s\n", &j->pub, more);
        }
        if (s->err.len) fputs(s->err.data, g->f); /* warnings */
    } else {
        st->failed++;
        g->failed++;
        cJSON_Delete(*record);
        *record = NULL;
        char *why;
        if (WIFSIGNALED(wstatus))
            why = qr_xasprintf("the worker was killed by signal %d",
                               WTERMSIG(wstatus));
        else if (crashed)
            why = qr_xasprintf("the worker exited with status %d",
                               WEXITSTATUS(wstatus));
        else
            why = first_error(s->err.data);
        char *more = qr_xasprintf(": %s", why ? why : "failed (no message)");
        log_job(g->f, "FAILED %s%s\n", &j->pub, more);
        free(more);
        free(why);
        if (s->err.len) {
            fputs(s->err.data, g->f);
            if (s->err.data[s->err.len - 1] != '\n') fputc('\n', g->f);
        }
    }
    /* the caller redraws the progress line once the slot is free */
}

static int count_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Work every worker would otherwise repeat, done once before forking so
 * that each inherits it: the typesetter's set-up (the hyphenation
 * dictionary too, which a single render skips when the cache remembers
 * its words; each worker would load it for its first new word),
 * fontconfig's initialisation, the house style's fonts, loaded and shared
 * (qr_fonts_share: a worker whose paper asks for the same families uses
 * them rather than loading its own), and the hashes of their files (which
 * every job lists among its inputs). */
static void prefork_warm_up(hcache *cache)
{
    qr_layout_init_full();
    qr_style style;
    qr_style_default(&style);
    qr_diags *d = qr_diags_new();
    qr_fonts *fonts = qr_fonts_load(&style, d);
    for (int s = 0; fonts && s < QR_FONT_COUNT; s++) {
        const char *file = qr_fonts_file(fonts, (qr_font_slot)s);
        if (file) cached_hash(cache, file);
    }
    qr_fonts_share(fonts);
    qr_diags_free(d);
}

/* Record a finished job in the state (or drop its entry). */
static void state_put(cJSON *state, const char *name, cJSON *rec)
{
    cJSON *jobs = cJSON_GetObjectItemCaseSensitive(state, "jobs");
    cJSON_DeleteItemFromObjectCaseSensitive(jobs, name);
    if (rec) cJSON_AddItemToObject(jobs, name, rec);
}

#define CHECKPOINT_S 1.0   /* save finished jobs' records at most this often */

/* The build's own allocations while workers run. A worker is a fork of the
 * build that ends in _exit with a copy of them, and the compiler need not
 * keep the build's pointers anywhere a leak checker looks (a function that
 * never returns may reuse the registers that held them): kept here they
 * stay reachable, and `make valgrind` reports only real leaks. */
static struct {
    qr_manifest *m;
    cJSON *state;
    void *mine, *keys, *todo, *slots, *pfd, *identity;
    hcache *cache;
} live;

qr_status qr_build_run(const qr_build_opts *o, qr_diags *d,
                       qr_build_stats *stats)
{
    double t0 = now_s();
    qr_build_stats st = {0};
    const char *version = o->version ? o->version : "";
    FILE *log = o->log ? o->log : stderr;
    qr_manifest *m = qr_manifest_load(o->manifest_path, o->out_dir, d);
    if (!m) {
        if (stats) *stats = st;
        return QR_EINPUT;
    }
    if (!qr_make_dirs(m->out_dir, 0777)) {
        qr_diag_add(d, QR_ERROR, m->out_dir, 0, 0, NULL, NULL,
                    "cannot create the output folder: %s", strerror(errno));
        qr_manifest_free(m);
        if (stats) *stats = st;
        return QR_EOUTPUT;
    }
    int lock = lock_out_dir(m->out_dir, log, d);
    if (lock < 0) {
        qr_manifest_free(m);
        if (stats) *stats = st;
        return QR_EOUTPUT;
    }
    char *identity = program_identity(version);
    if (!identity)
        qr_diag_add(d, QR_WARNING, NULL, 0, 0, NULL, NULL,
                    "cannot read quire's own executable (/proc/self/exe): "
                    "every job is rebuilt");
    cJSON *state = NULL;
    if (!state_load(m->out_dir, identity, &state, d)) {
        free(identity);
        close(lock);
        qr_manifest_free(m);
        if (stats) *stats = st;
        return QR_EOUTPUT;
    }
    size_t stale = remove_stale_temps(m);
    if (stale)
        fprintf(log, "removed %zu temporary file%s left by an interrupted "
                     "build\n", stale, stale == 1 ? "" : "s");

    /* this shard's jobs */
    size_t *mine = qr_xcalloc(m->njobs + 1, sizeof *mine);
    size_t nmine = 0;
    for (size_t i = 0; i < m->njobs; i++)
        if (qr_job_in_shard(m->jobs[i].pub.name, o->shard_k, o->shard_n))
            mine[nmine++] = i;
    st.total = nmine;
    uint64_t *keys = qr_xcalloc(m->njobs + 1, sizeof *keys);
    for (size_t i = 0; i < m->njobs; i++) keys[i] = run_key(&m->jobs[i]);

    hcache cache = {0};
    logger g = {.f = log, .total = nmine, .width = TERM_WIDTH_DEFAULT};
    g.live = o->progress == QR_PROGRESS_LINE ||
             (o->progress == QR_PROGRESS_AUTO && isatty(fileno(log)));
    struct winsize ws;
    if (g.live && ioctl(fileno(log), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        g.width = ws.ws_col;

    /* Which jobs to build. Their entries leave the state on disk before any
     * of their outputs is replaced: a build killed at any moment leaves no
     * entry that vouches for an output it did not check. */
    size_t *todo = qr_xcalloc(nmine + 1, sizeof *todo);
    size_t ntodo = 0;
    const cJSON *jobs = cJSON_GetObjectItemCaseSensitive(state, "jobs");
    for (size_t i = 0; i < nmine; i++) {
        const job_rec *j = &m->jobs[mine[i]];
        if (identity && !o->force && up_to_date(jobs, j, keys[mine[i]], &cache)) {
            st.skipped++;
            g.done++;
            if (!g.live) log_job(log, "skipped %s (unchanged)%s\n", &j->pub, NULL);
            continue;
        }
        todo[ntodo++] = mine[i];
        state_put(state, j->pub.name, NULL);
    }
    int rc = QR_OK, sys_error = 0;
    if (ntodo && !state_save(m->out_dir, state, d)) {
        /* build nothing: the state on disk may still vouch for the old
         * outputs, and must not be left doing so for new ones */
        for (size_t i = 0; i < ntodo; i++) {
            log_job(log, "FAILED %s: not built: the build state cannot be "
                         "written%s\n", &m->jobs[todo[i]].pub, NULL);
            st.failed++;
        }
        rc = QR_EOUTPUT;
        sys_error = 1;
        ntodo = 0;
    }

    prefork_warm_up(&cache);
    int nworkers = o->jobs > 0 ? o->jobs : count_cpus();
    workers_fill_cpus = nworkers >= count_cpus();
    slot *slots = qr_xcalloc((size_t)nworkers, sizeof *slots);
    struct pollfd *pfd = qr_xcalloc((size_t)nworkers * 2, sizeof *pfd);
    live.m = m;
    live.state = state;
    live.mine = mine;
    live.keys = keys;
    live.todo = todo;
    live.slots = slots;
    live.pfd = pfd;
    live.identity = identity;
    live.cache = &cache;
    /* a worker that dies must not kill the build through SIGPIPE */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
    sigaction(SIGPIPE, &ign, &old_pipe);

    size_t next = 0;
    int running = 0, dirty = 0;
    double saved = now_s();
    draw(&g);
    while (next < ntodo || running > 0) {
        /* start jobs while there are free workers */
        while (next < ntodo && running < nworkers) {
            const job_rec *j = &m->jobs[todo[next]];
            int free_slot = 0;
            while (slots[free_slot].pid) free_slot++;
            if (!start_job(&slots[free_slot], todo[next], j, &cache, log)) {
                clear_line(&g);
                log_job(log, "FAILED %s: cannot start a worker: %s\n",
                        &j->pub, strerror(errno));
                st.failed++;
                g.failed++;
                g.done++;
                sys_error = 1;
                next++;
                draw(&g);
                continue;
            }
            g.current = j->pub.name;
            running++;
            next++;
            draw(&g);
        }
        if (running == 0) continue;
        /* wait for output from any worker */
        nfds_t n = 0;
        for (int i = 0; i < nworkers; i++) {
            if (!slots[i].pid) continue;
            if (slots[i].res_fd >= 0) pfd[n++] = (struct pollfd){slots[i].res_fd, POLLIN, 0};
            if (slots[i].err_fd >= 0) pfd[n++] = (struct pollfd){slots[i].err_fd, POLLIN, 0};
        }
        if (n > 0 && poll(pfd, n, -1) < 0 && errno != EINTR) {
            sys_error = 1;
            break;
        }
        for (int i = 0; i < nworkers; i++) {
            slot *s = &slots[i];
            if (!s->pid) continue;
            for (nfds_t k = 0; k < n; k++) {
                if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                if (pfd[k].fd == s->res_fd && s->res_fd >= 0) drain(&s->res_fd, &s->res);
                else if (pfd[k].fd == s->err_fd && s->err_fd >= 0) drain(&s->err_fd, &s->err);
            }
            if (s->res_fd >= 0 || s->err_fd >= 0) continue;
            int ws_;
            while (waitpid(s->pid, &ws_, 0) < 0 && errno == EINTR) {
            }
            cJSON *rec = NULL;
            const job_rec *j = &m->jobs[s->job];
            report_job(&g, j, s, ws_, keys[s->job], &rec, &st);
            if (rec) {
                state_put(state, j->pub.name, rec);
                dirty = 1;
            }
            qr_buf_free(&s->res);
            qr_buf_free(&s->err);
            s->pid = 0;
            running--;
            /* the progress line names a job that is still running */
            g.current = NULL;
            for (int k = 0; k < nworkers; k++)
                if (slots[k].pid) g.current = m->jobs[slots[k].job].pub.name;
            draw(&g);
        }
        /* keep finished jobs' records from time to time, so that a build
         * killed late does not redo them all */
        if (dirty && now_s() - saved >= CHECKPOINT_S) {
            if (!state_save(m->out_dir, state, d)) rc = QR_EOUTPUT;
            dirty = 0;
            saved = now_s();
        }
    }
    sigaction(SIGPIPE, &old_pipe, NULL);
    clear_line(&g);

    if (dirty && !state_save(m->out_dir, state, d)) rc = QR_EOUTPUT;
    /* every worker has been reaped: nothing of this build writes any more */
    close(lock);
    st.seconds = now_s() - t0;
    fprintf(log, "%zu built, %zu skipped, %zu failed in %.1f s", st.built,
            st.skipped, st.failed, st.seconds);
    if (o->shard_n > 1)
        fprintf(log, " (shard %d/%d: %zu of %zu jobs)", o->shard_k, o->shard_n,
                nmine, m->njobs);
    fputc('\n', log);
    fflush(log);
    if (rc == QR_OK && st.failed) rc = sys_error ? QR_EOUTPUT : QR_EINPUT;

    memset(&live, 0, sizeof live);
    cJSON_Delete(state);
    free(identity);
    qr_fonts_share(NULL);
    hcache_free(&cache);
    free(slots);
    free(pfd);
    free(todo);
    free(keys);
    free(mine);
    qr_manifest_free(m);
    if (stats) *stats = st;
    return rc;
}
