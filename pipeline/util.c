/* util.c — allocation (the one place out-of-memory is handled), buffers,
 * arenas, reading files and writing them atomically, paths, FNV-1a, UTF-8
 * and near-miss names, shared by every stage. No stage-specific knowledge lives
 * here. */
#include "quire/util.h"

#include <cJSON.h>
#include <cmark-gfm.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Out of memory is an output/system error like a full disk: one line and
 * exit status 3, never abort()'s SIGABRT (status 134), which reads as a
 * crash to cron and CI. exit() rather than _exit() so stdio is flushed; a
 * temporary PDF is only renamed into place after a complete write, so the
 * previous output stays as it was. */
void qr_oom(size_t n)
{
    fprintf(stderr, "quire: error: out of memory (%zu bytes)\n", n);
    exit(QR_EOUTPUT);
}

static void oom(size_t n)
{
    qr_oom(n);
}

void *qr_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *qr_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom(size && n > SIZE_MAX / size ? SIZE_MAX : n * size);
    return p;
}

void *qr_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

/* The libraries that allocate on Quire's behalf end the same way when
 * memory runs out: cmark-gfm's own allocator prints a line of its own and
 * calls abort() (status 134), and cJSON returns NULL, which would read as a
 * JSON syntax error (status 1). Both are pointed at Quire's allocator
 * before main() runs, so every caller (the command, tests, fuzz targets)
 * has them. libharu gets its allocator per document (pdf.c). */
static void *lib_calloc(size_t n, size_t size)
{
    return qr_xcalloc(n, size);
}

static void *lib_realloc(void *p, size_t n)
{
    return qr_xrealloc(p, n);
}

static void *lib_malloc(size_t n)
{
    return qr_xmalloc(n);
}

__attribute__((constructor)) static void install_allocators(void)
{
    cmark_mem *mem = cmark_get_default_mem_allocator();
    mem->calloc = lib_calloc;
    mem->realloc = lib_realloc;
    mem->free = free;
    cJSON_Hooks hooks = {lib_malloc, free};
    cJSON_InitHooks(&hooks);
}

char *qr_xstrdup(const char *s)
{
    return qr_xstrndup(s, strlen(s));
}

char *qr_xstrndup(const char *s, size_t n)
{
    char *p = qr_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *qr_xvasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    size_t sz = (size_t)(n > 0 ? n : 0) + 1;
    char *p = qr_xmalloc(sz);
    vsnprintf(p, sz, fmt, ap);
    return p;
}

char *qr_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = qr_xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void qr_strv_free(char **v)
{
    if (!v) return;
    for (char **p = v; *p; p++) free(*p);
    free(v);
}

void qr_buf_init(qr_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void qr_buf_free(qr_buf *b)
{
    free(b->data);
    qr_buf_init(b);
}

void qr_buf_reserve(qr_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    b->data = qr_xrealloc(b->data, cap);
    b->cap = cap;
}

void qr_buf_append(qr_buf *b, const void *p, size_t n)
{
    qr_buf_reserve(b, n);
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void qr_buf_puts(qr_buf *b, const char *s)
{
    qr_buf_append(b, s, strlen(s));
}

/* The expander's escaping writes most of its output a byte at a time: keep
 * the common case (room left) free of calls (by the profile). */
void qr_buf_putc(qr_buf *b, char c)
{
    if (b->len + 2 > b->cap) qr_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

size_t qr_put_dec(char *d, size_t v)
{
    /* the digits counted first, then written in place from the end; in
     * 32 bits, cheaper to divide, when the number fits (object numbers
     * and offsets always do) */
    size_t n = 1;
    for (size_t x = v; x >= 10; x /= 10) n++;
    char *q = d + n;
    if (v <= UINT32_MAX) {
        uint32_t w = (uint32_t)v;
        do *--q = (char)('0' + w % 10); while ((w /= 10) > 0);
    } else {
        do *--q = (char)('0' + v % 10); while ((v /= 10) > 0);
    }
    return n;
}

void qr_buf_put_dec(qr_buf *b, size_t v)
{
    char d[24];
    qr_buf_append(b, d, qr_put_dec(d, v));
}

void qr_buf_printf(qr_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        qr_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

char *qr_buf_detach(qr_buf *b, size_t *len)
{
    if (!b->data) qr_buf_reserve(b, 0), b->data[0] = '\0';
    char *p = b->data;
    if (len) *len = b->len;
    qr_buf_init(b);
    return p;
}

/* ---- arena ---- */

enum { ARENA_CHUNK = 64 * 1024, ARENA_ALIGN = 16 };

struct chunk {
    struct chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char mem[];
};

struct qr_arena {
    struct chunk *head;
};

qr_arena *qr_arena_new(void)
{
    return qr_xcalloc(1, sizeof(qr_arena));
}

void qr_arena_free(qr_arena *a)
{
    if (!a) return;
    struct chunk *c = a->head;
    while (c) {
        struct chunk *n = c->next;
        free(c);
        c = n;
    }
    free(a);
}

void *qr_arena_alloc(qr_arena *a, size_t n)
{
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (n == 0) n = ARENA_ALIGN;
    struct chunk *c = a->head;
    if (!c || c->used + n > c->size) {
        size_t size = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
        struct chunk *nc = qr_xmalloc(sizeof(struct chunk) + size);
        nc->used = 0;
        nc->size = size;
        if (c && size == n && c->used + ARENA_CHUNK / 4 < c->size) {
            /* a big one-off block: keep filling the current chunk */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->head = nc;
        }
        c = nc;
    }
    void *p = c->mem + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *qr_arena_strndup(qr_arena *a, const char *s, size_t n)
{
    char *p = qr_arena_alloc(a, n + 1);
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *qr_arena_strdup(qr_arena *a, const char *s)
{
    return qr_arena_strndup(a, s, strlen(s));
}

/* ---- files ---- */

/* Read from fd to end of file into b, in chunks of the remaining size hint
 * first (a regular file is read straight into a buffer of its size), then
 * whatever a file that grew meanwhile still holds. */
static bool read_fd(int fd, qr_buf *b, size_t hint, size_t max_bytes)
{
    qr_buf_reserve(b, hint + 1);
    for (;;) {
        if (b->cap - b->len < 2) qr_buf_reserve(b, b->len < 65536 ? 65536 : b->len);
        ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) break;
        b->len += (size_t)n;
        if (max_bytes && b->len > max_bytes) {
            errno = EFBIG;
            return false;
        }
    }
    b->data[b->len] = '\0';
    return true;
}

char *qr_read_file_stat(const char *path, size_t *len, size_t max_bytes,
                        struct stat *st)
{
    /* O_NONBLOCK: opening a FIFO with no writer would otherwise wait for
     * ever; it is refused below like every other non-regular file */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat sb;
    int e = 0;
    if (fstat(fd, &sb) != 0) e = errno;
    else if (S_ISDIR(sb.st_mode)) e = EISDIR;
    else if (!S_ISREG(sb.st_mode)) e = ENODEV;
    else if (max_bytes && (uint64_t)sb.st_size > max_bytes) e = EFBIG;
    if (e) {
        close(fd);
        errno = e;
        return NULL;
    }
    /* back to blocking reads: a regular file never waits, and a network
     * file system may answer EAGAIN to a non-blocking one */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    qr_buf b;
    qr_buf_init(&b);
    if (!read_fd(fd, &b, (size_t)sb.st_size, max_bytes)) {
        e = errno;
        close(fd);
        qr_buf_free(&b);
        errno = e;
        return NULL;
    }
    close(fd);
    if (st) *st = sb;
    return qr_buf_detach(&b, len);
}

char *qr_read_file(const char *path, size_t *len, size_t max_bytes)
{
    return qr_read_file_stat(path, len, max_bytes, NULL);
}

/* The process's umask, read without changing it: umask(2) can only be read
 * by setting it, and a build writes from several threads at once, so the
 * classic "set and restore" would let another thread create a file under
 * the wrong mask for a moment. Linux shows it in /proc/self/status. */
static mode_t current_umask(void)
{
    char *st = qr_read_file("/proc/self/status", NULL, 1 << 16);
    const char *u = st ? strstr(st, "\nUmask:") : NULL;
    if (u) {
        char *end;
        long m = strtol(u + 7, &end, 8);
        free(st);
        if (end != u + 7 && m >= 0 && m <= 0777) return (mode_t)m;
    } else {
        free(st);
    }
    mode_t m = umask(022);
    umask(m);
    return m;
}

/* The mode of a new output. A public output is 0666 less the umask, like
 * any file the user creates; an output holding exempt information is 0600
 * whatever the umask, so only its owner can read it. Either way a file
 * being replaced that was stricter keeps its strictness: an owner who made
 * a pack private with chmod must not find it readable after a rebuild. */
static mode_t output_mode(const char *path, int exempt)
{
    mode_t mode = exempt ? 0600 : (0666 & ~current_umask());
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
        mode &= sb.st_mode & 0777;
    return mode;
}

static bool write_atomic(const char *path, const void *data, size_t len,
                         int exempt, bool sync);

bool qr_write_atomic(const char *path, const void *data, size_t len)
{
    return write_atomic(path, data, len, 0, true);
}

bool qr_write_atomic_nosync(const char *path, const void *data, size_t len)
{
    return write_atomic(path, data, len, 0, false);
}

bool qr_write_atomic_mode(const char *path, const void *data, size_t len,
                          int exempt)
{
    return write_atomic(path, data, len, exempt, true);
}

static bool write_atomic(const char *path, const void *data, size_t len,
                         int exempt, bool sync)
{
    mode_t mode = output_mode(path, exempt);
    /* mkstemp makes the temporary 0600: never wider than the final mode
     * while the bytes are being written */
    char *tmp = qr_xasprintf("%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        errno = e;
        return false;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            goto fail;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fchmod(fd, mode) != 0) goto fail;
    if (sync && fsync(fd) != 0) goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) goto fail;
    free(tmp);
    return true;
fail:;
    int e = errno;
    if (fd >= 0) close(fd);
    unlink(tmp);
    free(tmp);
    errno = e;
    return false;
}

/* ---- paths ---- */

bool qr_make_dirs(const char *dir, mode_t mode)
{
    char *p = qr_xstrdup(dir);
    bool ok = true;
    for (char *s = p[0] ? p + 1 : p; ok; s++) {
        if (*s != '/' && *s != '\0') continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, mode) != 0 && errno != EEXIST) ok = false;
        *s = c;
        if (c == '\0') break;
    }
    struct stat st;
    if (ok && (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))) {
        if (errno == 0) errno = ENOTDIR;
        ok = false;
    }
    free(p);
    return ok;
}

/* dir/rel with "." and "dir/.." folded lexically, so messages and the
 * state file show "templates/x.md" rather than "samples/../templates/x.md". */
char *qr_path_join(const char *dir, const char *rel)
{
    char *raw = (rel[0] == '/' || !dir || !*dir || strcmp(dir, ".") == 0)
                    ? qr_xstrdup(rel)
                    : qr_xasprintf("%s/%s", dir, rel);
    int absolute = raw[0] == '/';
    size_t n = 0, cap = 8;
    char **parts = qr_xmalloc(cap * sizeof *parts);
    for (char *save = NULL, *t = strtok_r(raw, "/", &save); t;
         t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0) continue;
        if (strcmp(t, "..") == 0 && n > 0 && strcmp(parts[n - 1], "..") != 0) {
            n--;
            continue;
        }
        if (strcmp(t, "..") == 0 && absolute && n == 0) continue;
        if (n == cap) parts = qr_xrealloc(parts, (cap *= 2) * sizeof *parts);
        parts[n++] = t;
    }
    qr_buf b;
    qr_buf_init(&b);
    if (absolute) qr_buf_putc(&b, '/');
    for (size_t i = 0; i < n; i++) {
        if (i) qr_buf_putc(&b, '/');
        qr_buf_puts(&b, parts[i]);
    }
    if (b.len == 0) qr_buf_putc(&b, '.');
    free(parts);
    free(raw);
    return qr_buf_detach(&b, NULL);
}

char *qr_path_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return qr_xstrdup(".");
    if (slash == path) return qr_xstrdup("/");
    return qr_xstrndup(path, (size_t)(slash - path));
}

/* ---- hashing ---- */

#define FNV64_PRIME 0x100000001b3ULL

uint64_t qr_fnv64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= FNV64_PRIME;
    }
    return h;
}

void qr_filehash_init(qr_filehash *fh)
{
    memset(fh, 0, sizeof *fh);
    for (int k = 0; k < 4; k++) fh->lane[k] = QR_FNV64_INIT + (uint64_t)k;
}

static void filehash_block(uint64_t lane[4], const unsigned char *b)
{
    for (int k = 0; k < 4; k++) {
        uint64_t w;
        memcpy(&w, b + 8 * k, 8);
        uint64_t h = (lane[k] ^ w) * FNV64_PRIME;
        lane[k] = h ^ (h >> 29);
    }
}

void qr_filehash_feed(qr_filehash *fh, const void *p, size_t n)
{
    const unsigned char *c = p;
    fh->total += n;
    if (fh->ntail) {
        size_t take = sizeof fh->tail - fh->ntail;
        if (take > n) take = n;
        memcpy(fh->tail + fh->ntail, c, take);
        fh->ntail += take;
        c += take;
        n -= take;
        if (fh->ntail < sizeof fh->tail) return;
        filehash_block(fh->lane, fh->tail);
        fh->ntail = 0;
    }
    for (; n >= 32; c += 32, n -= 32) filehash_block(fh->lane, c);
    memcpy(fh->tail, c, n);
    fh->ntail = n;
}

uint64_t qr_filehash_end(const qr_filehash *fh)
{
    /* the lanes, the last bytes and the length, one after another */
    uint64_t h = QR_FNV64_INIT;
    for (int k = 0; k < 4; k++) h = (h ^ fh->lane[k]) * FNV64_PRIME;
    h = qr_fnv64(h, fh->tail, fh->ntail);
    h = (h ^ fh->total) * FNV64_PRIME;
    return h ^ (h >> 29);
}

uint64_t qr_filehash_of(const void *p, size_t n)
{
    qr_filehash fh;
    qr_filehash_init(&fh);
    qr_filehash_feed(&fh, p, n);
    return qr_filehash_end(&fh);
}

/* ---- UTF-8 ---- */

int qr_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    *cp = 0xFFFD;
    if (n == 0) return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) len = 2, v = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) len = 3, v = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0) len = 4, v = c & 0x07, min = 0x10000;
    else return 0;
    if ((size_t)len > n) return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return len;
}

int qr_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t qr_utf8_check(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        int k = qr_utf8_decode(s + i, n - i, &cp);
        if (k == 0) return i;
        i += (size_t)k;
    }
    return (size_t)-1;
}

/* ---- did you mean ---- */

/* Names worth suggesting are short; a longer word is not compared. */
#define NEAR_MAX_CHARS 64

/* s as code points with ASCII letters lowered, into out[0..NEAR_MAX_CHARS);
 * returns the count, or NEAR_MAX_CHARS + 1 when s is longer. A byte that is
 * not UTF-8 counts as one character of its own. */
static size_t near_fold(const char *s, uint32_t *out)
{
    size_t n = 0;
    while (*s) {
        if (n == NEAR_MAX_CHARS) return NEAR_MAX_CHARS + 1;
        uint32_t cp;
        int k = qr_utf8_decode(s, strnlen(s, 4), &cp);
        if (k <= 0) {
            cp = 0x110000u + (unsigned char)*s;   /* never a real char */
            k = 1;
        }
        if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
        out[n++] = cp;
        s += k;
    }
    return n;
}

static bool same_cps(const uint32_t *a, const uint32_t *b, size_t n)
{
    return n == 0 || memcmp(a, b, n * sizeof *a) == 0;
}

/* At most one edit apart: insertion, deletion, substitution or a swap of
 * two neighbours. Linear: one scan to the first difference, then one
 * comparison of the rests. */
static bool one_edit(const uint32_t *a, size_t na, const uint32_t *b,
                     size_t nb)
{
    if (na < nb) {
        const uint32_t *t = a;
        a = b;
        b = t;
        size_t tn = na;
        na = nb;
        nb = tn;
    }
    if (na - nb > 1) return false;
    size_t i = 0;
    while (i < nb && a[i] == b[i]) i++;
    if (i == nb) return true;                  /* equal, or one appended */
    if (na > nb) return same_cps(a + i + 1, b + i, nb - i);   /* deleted */
    if (same_cps(a + i + 1, b + i + 1, na - i - 1)) return true; /* replaced */
    return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           same_cps(a + i + 2, b + i + 2, na - i - 2);        /* swapped */
}

int qr_near_miss(const char *word, const char *known)
{
    if (!word || !known || strcmp(word, known) == 0) return 0;
    uint32_t a[NEAR_MAX_CHARS], b[NEAR_MAX_CHARS];
    size_t na = near_fold(word, a), nb = near_fold(known, b);
    if (na > NEAR_MAX_CHARS || nb > NEAR_MAX_CHARS) return 0;
    if (na == nb && same_cps(a, b, na)) return 1;
    /* one edit away from a one-letter name is any one letter: no hint */
    if (nb < 2) return 0;
    return one_edit(a, na, b, nb) ? 2 : 0;
}

const char *qr_did_you_mean(const char *word, const char *const *names,
                            size_t n)
{
    const char *best = NULL;
    int best_rank = 0;
    for (size_t i = 0; i < n && names[i]; i++) {
        int r = qr_near_miss(word, names[i]);
        if (r && (!best || r < best_rank)) {
            best = names[i];
            best_rank = r;
        }
    }
    return best;
}
