/* input.c — the record of the files a document is made from (input.h).
 *
 * A record is a small array: a paper reads a handful of files, a pack a few
 * dozen, so lookups are linear scans and the order of first reading is kept
 * (build writes it into its state in that order).
 */
#include "quire/input.h"

#include "quire/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct qr_inputs {
    qr_input *v;
    size_t n, cap;
    int changed;
    char **failed;          /* paths whose read failed */
    size_t nfailed, capfailed;
};

static _Thread_local qr_inputs *active;

qr_inputs *qr_inputs_new(void)
{
    return qr_xcalloc(1, sizeof(qr_inputs));
}

void qr_inputs_free(qr_inputs *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) free(r->v[i].path);
    free(r->v);
    for (size_t i = 0; i < r->nfailed; i++) free(r->failed[i]);
    free(r->failed);
    free(r);
}

size_t qr_inputs_count(const qr_inputs *r) { return r ? r->n : 0; }

const qr_input *qr_inputs_get(const qr_inputs *r, size_t i)
{
    return r && i < r->n ? &r->v[i] : NULL;
}

bool qr_inputs_changed(const qr_inputs *r)
{
    if (!r) return false;
    if (r->changed) return true;
    /* the same file under two spellings (a template read again as a
     * partial) with other bytes, or one path that was two files (replaced
     * by a rename between the reads) */
    for (size_t i = 0; i < r->n; i++)
        for (size_t k = 0; k < i; k++) {
            const qr_input *a = &r->v[i], *b = &r->v[k];
            int same = strcmp(a->path, b->path) == 0 ||
                       (a->dev == b->dev && a->ino == b->ino);
            if (same && (a->hash != b->hash || a->size != b->size)) return true;
        }
    return false;
}

size_t qr_inputs_failed_count(const qr_inputs *r)
{
    return r ? r->nfailed : 0;
}

const char *qr_inputs_failed(const qr_inputs *r, size_t i)
{
    return r && i < r->nfailed ? r->failed[i] : NULL;
}

static void add_failed(qr_inputs *r, const char *path)
{
    for (size_t i = 0; i < r->nfailed; i++)
        if (strcmp(r->failed[i], path) == 0) return;
    QR_GROW(r->failed, r->nfailed, r->capfailed, 4);
    r->failed[r->nfailed++] = qr_xstrdup(path);
}

static void add(qr_inputs *r, const qr_input *in)
{
    for (size_t i = 0; i < r->n; i++) {
        qr_input *o = &r->v[i];
        if (o->dev == in->dev && o->ino == in->ino &&
            strcmp(o->path, in->path) == 0) {
            if (o->hash != in->hash || o->size != in->size) r->changed = 1;
            /* a template read again as a partial keeps its first role */
            return;
        }
    }
    QR_GROW(r->v, r->n, r->cap, 8);
    r->v[r->n] = *in;
    r->v[r->n].path = qr_xstrdup(in->path);
    r->n++;
}

void qr_inputs_merge(qr_inputs *to, const qr_inputs *from)
{
    if (!to || !from) return;
    for (size_t i = 0; i < from->n; i++) add(to, &from->v[i]);
    for (size_t i = 0; i < from->nfailed; i++) add_failed(to, from->failed[i]);
    if (from->changed) to->changed = 1;
}

const qr_input *qr_inputs_find_file(const qr_inputs *r, const char *path)
{
    struct stat sb;
    if (!r || !path || stat(path, &sb) != 0) return NULL;
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].dev == sb.st_dev && r->v[i].ino == sb.st_ino)
            return &r->v[i];
    return NULL;
}

qr_inputs *qr_inputs_activate(qr_inputs *r)
{
    qr_inputs *prev = active;
    active = r;
    return prev;
}

qr_inputs *qr_inputs_active(void) { return active; }

static void record(const char *path, qr_input_role role,
                   const struct stat *sb, const void *bytes, size_t len)
{
    if (!active) return;
    qr_input in = {.path = (char *)path,
                   .role = role,
                   .dev = sb->st_dev,
                   .ino = sb->st_ino,
                   .size = len,
                   .hash = qr_filehash_of(bytes, len)};
    add(active, &in);
}

char *qr_input_read(const char *path, qr_input_role role, size_t *len,
                    size_t max_bytes)
{
    struct stat sb;
    size_t n = 0;
    char *text = qr_read_file_stat(path, &n, max_bytes, &sb);
    if (!text) {
        int e = errno;
        if (active) add_failed(active, path);
        errno = e;
        return NULL;
    }
    record(path, role, &sb, text, n);
    if (len) *len = n;
    return text;
}

bool qr_input_note(const char *path, qr_input_role role)
{
    if (!active) return true;
    struct stat sb;
    size_t n = 0;
    char *bytes = qr_read_file_stat(path, &n, 0, &sb);
    if (!bytes) return false;
    record(path, role, &sb, bytes, n);
    free(bytes);
    return true;
}

const char *qr_input_role_name(qr_input_role r)
{
    switch (r) {
    case QR_IN_DATA: return "data file";
    case QR_IN_TEMPLATE: return "template";
    case QR_IN_PARTIAL: return "partial";
    case QR_IN_STYLE: return "style";
    case QR_IN_IMAGE: return "image";
    case QR_IN_MEETING: return "meeting file";
    case QR_IN_MANIFEST: return "manifest";
    case QR_IN_FONT: return "font";
    case QR_IN_EARLIER: return "earlier report";
    case QR_IN_OTHER: break;
    }
    return "file";
}

const char *qr_input_strerror(int e)
{
    switch (e) {
    case EISDIR: return "is a directory";
    case ENODEV: return "is not a regular file (a FIFO, device or socket)";
    case EFBIG: return "is too large";
    default: return strerror(e);
    }
}
