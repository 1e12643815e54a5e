/* hyphdict.c — libhyphen's dictionary, loaded from a compiled image.
 *
 * hnj_hyphen_load parses the 14,000 patterns of hyph_en_GB.dic into a state
 * machine: about 5 ms and 40 million instructions on every run, the largest
 * single cost of rendering a short paper (by callgrind). The machine is plain
 * data (hyphen.h: HyphenDict -> HyphenState -> HyphenTrans, and strings),
 * so after the first load it is written to Quire's cache (cache.h) as one
 * relocatable image with every pointer stored as an offset; later runs read
 * the image and turn the offsets back into pointers, and libhyphen's
 * hyphenation functions use it as if they had built it.
 *
 * The image is checked throughout before use: a checksum over all of it,
 * then every offset inside it and aligned, every string terminated, every
 * state number in range. Its key names the format, the struct sizes and
 * the dictionary file's size, modification time and inode, so a damaged or
 * stale image is rebuilt, never used. The key can be made alone
 * (qr_hyph_key): linebreak.c checks its memo of hyphenated words against
 * it and reads the image only for a word the memo lacks.
 *
 * So that even a first run need not compile the dictionary, `quire
 * hyphenation` writes the same image at build and install time (make, make
 * install), and a run that finds no good image in its cache reads that one
 * (qr_cache_shipped_path) through the very same checks: the machine and
 * the dictionary it is read with need not be the ones it was made with.
 */
#include "hyphdict.h"
#include "quire/cache.h"
#include "quire/util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IMAGE_FORMAT 2
#define MAX_LEVELS 4                /* libhyphen makes two */
#define ALIGN 8
#define IMAGE_MAX_BYTES (64u * 1024 * 1024)   /* larger is not ours */

static size_t align_up(size_t n)
{
    return (n + ALIGN - 1) / ALIGN * ALIGN;
}

#ifndef QR_HYPHEN_BUILT_VERSION
#define QR_HYPHEN_BUILT_VERSION "unknown"
#endif

/* The image copies libhyphen's private structs, so its key names the
 * library's version (libhyphen has no version call: the package version
 * at build time) and the struct sizes, then the dictionary by its stamps
 * and the hash of its bytes: a dictionary edited in place to the same size
 * and time is still a new dictionary. The one definition of the key, for
 * qr_hyph_key, qr_hyph_load and qr_hyph_write_image alike. false when the
 * dictionary cannot be read (its hash is then written as 0). */
static bool build_cache_key(qr_buf *cache_key, const char *path)
{
    qr_buf_printf(cache_key, "quire hyphenation image %d\nlibhyphen %s\n"
                  "%zu %zu %zu %zu\n", IMAGE_FORMAT, QR_HYPHEN_BUILT_VERSION,
                  sizeof(HyphenDict), sizeof(HyphenState),
                  sizeof(HyphenTrans), sizeof(void *));
    qr_cache_stamp(cache_key, path);
    size_t n = 0;
    char *dic = qr_read_file(path, &n, 0);
    /* the word-at-a-time checksum: qr_fnv64's byte loop over the 100 KB
     * dictionary was a quarter of loading the image */
    qr_buf_printf(cache_key, "dictionary %016llx\n",
                  dic ? (unsigned long long)qr_filehash_of(dic, n) : 0ULL);
    bool read = dic != NULL;
    free(dic);
    return read;
}

/* ---- writing: offsets from the image start, plus one (0 is NULL) ---- */

static size_t put_aligned(qr_buf *b, const void *p, size_t n, size_t align)
{
    while (b->len % align) qr_buf_putc(b, 0);
    size_t at = b->len;
    qr_buf_append(b, p, n);
    return at;
}

static void *enc(size_t at, size_t base)
{
    return (void *)(uintptr_t)(at - base + 1);
}

static size_t put_str(qr_buf *b, const char *s)
{
    return put_aligned(b, s, strlen(s) + 1, 1);
}

/* The NOHYPHEN list: nohyphenl + 1 strings, one after another (libhyphen
 * turns its commas into NULs). Its length in bytes. */
static size_t nohyphen_len(const char *s, int count)
{
    size_t n = 0;
    for (int k = 0; k <= count; k++) n += strlen(s + n) + 1;
    return n;
}

/* Zero-filled space for n structs of size sz, aligned: the image must not
 * carry the uninitialised padding of libhyphen's structs (it would differ
 * from run to run and leak heap bytes into a file). */
static size_t put_zero(qr_buf *b, size_t n, size_t sz, size_t align)
{
    while (b->len % align) qr_buf_putc(b, 0);
    size_t at = b->len;
    qr_buf_reserve(b, n * sz);
    memset(b->data + at, 0, n * sz);
    b->len += n * sz;
    b->data[b->len] = '\0';
    return at;
}

static size_t put_dict(qr_buf *b, size_t base, const HyphenDict *d, int depth)
{
    size_t at = put_zero(b, 1, sizeof *d, ALIGN);
    size_t nohy = d->nohyphen && d->nohyphenl >= 0
                      ? put_aligned(b, d->nohyphen,
                                    nohyphen_len(d->nohyphen, d->nohyphenl), 1)
                      : 0;
    size_t n = d->num_states > 0 ? (size_t)d->num_states : 0;
    size_t st = n ? put_zero(b, n, sizeof(HyphenState), ALIGN) : 0;
    for (size_t i = 0; i < n; i++) {
        const HyphenState *s = &d->states[i];
        size_t m = s->match ? put_str(b, s->match) : 0;
        size_t r = s->repl ? put_str(b, s->repl) : 0;
        size_t nt = s->trans && s->num_trans > 0 ? (size_t)s->num_trans : 0;
        size_t t = nt ? put_zero(b, nt, sizeof(HyphenTrans), _Alignof(HyphenTrans)) : 0;
        HyphenTrans *tw = (HyphenTrans *)(b->data + t);
        for (size_t k = 0; k < nt; k++) {
            tw[k].ch = s->trans[k].ch;
            tw[k].new_state = s->trans[k].new_state;
        }
        HyphenState *w = (HyphenState *)(b->data + st) + i;
        w->match = m ? enc(m, base) : NULL;
        w->repl = r ? enc(r, base) : NULL;
        /* libhyphen sets these only for a state with a pattern */
        w->replindex = s->match ? s->replindex : 0;
        w->replcut = s->match ? s->replcut : 0;
        w->fallback_state = s->fallback_state;
        w->num_trans = (int)nt;
        w->trans = t ? enc(t, base) : NULL;
    }
    size_t next = d->nextlevel && depth + 1 < MAX_LEVELS
                      ? put_dict(b, base, d->nextlevel, depth + 1)
                      : 0;
    HyphenDict *w = (HyphenDict *)(b->data + at);
    w->lhmin = d->lhmin;
    w->rhmin = d->rhmin;
    w->clhmin = d->clhmin;
    w->crhmin = d->crhmin;
    w->nohyphen = nohy ? enc(nohy, base) : NULL;
    w->nohyphenl = d->nohyphenl;
    w->num_states = d->num_states;
    memcpy(w->cset, d->cset, sizeof w->cset);
    w->utf8 = d->utf8;
    w->states = st ? enc(st, base) : NULL;
    w->nextlevel = next ? enc(next, base) : NULL;
    return at;
}

/* ---- reading ---- */

typedef struct image {
    char *p;
    size_t len;
    int ok;
} image;

/* The address of an encoded offset with `need` bytes after it; NULL for a
 * NULL pointer; clears ok when out of bounds. */
static void *image_addr(image *im, void *field, size_t need, size_t align)
{
    uintptr_t v = (uintptr_t)field;
    if (!v) return NULL;
    v--;
    if (v > im->len || im->len - v < need || v % align) {
        im->ok = 0;
        return NULL;
    }
    return im->p + v;
}

static char *str(image *im, void *field)
{
    char *s = image_addr(im, field, 1, 1);
    if (s && !memchr(s, '\0', im->len - (size_t)(s - im->p))) {
        im->ok = 0;
        return NULL;
    }
    return s;
}

static HyphenDict *fix_dict(image *im, void *field, int depth)
{
    if (depth >= MAX_LEVELS) {
        im->ok = 0;
        return NULL;
    }
    HyphenDict *d = image_addr(im, field, sizeof *d, ALIGN);
    if (!d || d->num_states < 0) {
        im->ok = 0;
        return NULL;
    }
    size_t n = (size_t)d->num_states;
    if (d->nohyphen) {
        if (d->nohyphenl < 0) im->ok = 0;
        char *list = str(im, d->nohyphen), *s = list;
        /* every one of its nohyphenl + 1 strings ends inside the image */
        for (int k = 0; s && im->ok && k < d->nohyphenl; k++) {
            s += strlen(s) + 1;
            if (s >= im->p + im->len || !memchr(s, '\0', im->len - (size_t)(s - im->p)))
                im->ok = 0;
        }
        d->nohyphen = list;
    }
    if (n > im->len / sizeof(HyphenState)) {
        im->ok = 0;
        return NULL;
    }
    d->states = image_addr(im, d->states, n * sizeof(HyphenState), ALIGN);
    if (n && !d->states) im->ok = 0;
    for (size_t i = 0; im->ok && i < n; i++) {
        HyphenState *s = &d->states[i];
        s->match = str(im, s->match);
        s->repl = str(im, s->repl);
        if (s->num_trans < 0 || (size_t)s->num_trans > im->len / sizeof(HyphenTrans) ||
            s->fallback_state < -1 || s->fallback_state >= d->num_states) {
            im->ok = 0;
            break;
        }
        s->trans = image_addr(im, s->trans,
                              (size_t)s->num_trans * sizeof(HyphenTrans),
                              _Alignof(HyphenTrans));
        if (s->num_trans && !s->trans) im->ok = 0;
        for (int k = 0; im->ok && k < s->num_trans; k++)
            if (s->trans[k].new_state < 0 || s->trans[k].new_state >= d->num_states)
                im->ok = 0;
    }
    if (im->ok && d->nextlevel) d->nextlevel = fix_dict(im, d->nextlevel, depth + 1);
    return im->ok ? d : NULL;
}

char *qr_hyph_image_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return qr_xasprintf("%s.image", slash ? slash + 1 : path);
}

/* Take the image in data[0..n) when it was made under exactly this key
 * and is whole: the key, NUL, padding, checksum, then the machine, every
 * offset of which is checked and turned back into a pointer. true when h
 * now owns data; false leaves data to the caller. */
static bool adopt_image(qr_hyph *h, char *data, size_t n, const char *key)
{
    size_t klen = strlen(key);
    size_t sum_at = align_up(klen + 1);
    size_t start = sum_at + sizeof(uint64_t);
    if (!data || n <= start || memcmp(data, key, klen + 1) != 0)
        return false;
    uint64_t sum;
    memcpy(&sum, data + sum_at, sizeof sum);
    if (sum != qr_filehash_of(data + start, n - start)) return false;
    image im = {data + start, n - start, 1};
    HyphenDict *d = fix_dict(&im, (void *)(uintptr_t)1, 0);
    if (!d) return false;
    h->dict = d;
    h->image = data;
    return true;
}

/* Read the image at path (NULL: none) and take it when it is good. */
static bool adopt_file(qr_hyph *h, const char *path, const char *key)
{
    if (!path) return false;
    size_t n = 0;
    char *data = qr_read_file(path, &n, IMAGE_MAX_BYTES);
    if (adopt_image(h, data, n, key)) return true;
    free(data);
    return false;
}

/* The whole image of dictionary d under key, as qr_hyph_load reads it. */
static void make_image(qr_buf *img, const char *key, const HyphenDict *d)
{
    qr_buf_append(img, key, strlen(key) + 1);
    while (img->len % ALIGN) qr_buf_putc(img, 0);
    size_t sum_at = img->len;
    uint64_t sum = 0;
    qr_buf_append(img, &sum, sizeof sum);
    put_dict(img, img->len, d, 0);
    sum = qr_filehash_of(img->data + sum_at + sizeof sum,
                   img->len - sum_at - sizeof sum);
    memcpy(img->data + sum_at, &sum, sizeof sum);
}

bool qr_hyph_key(qr_hyph *h, const char *path)
{
    memset(h, 0, sizeof *h);
    qr_buf key;
    qr_buf_init(&key);
    if (build_cache_key(&key, path)) h->key = qr_xstrndup(key.data, key.len);
    qr_buf_free(&key);
    return h->key != NULL;
}

/* Load the dictionary at path under h->key (set), from an image made
 * under exactly that key, else compiled. */
static void load_keyed(qr_hyph *h, const char *path, const char *shipped)
{
    char *name = qr_hyph_image_name(path);
    char *cached = qr_cache_path(name);
    /* the cache first: after a dictionary upgrade the shipped image is
     * stale for good, and the one compiled on the first run is here */
    if (adopt_file(h, cached, h->key)) {
        h->from = QR_HYPH_CACHE;
    } else if (adopt_file(h, shipped, h->key)) {
        h->from = QR_HYPH_SHIPPED;
    } else {
        h->from = QR_HYPH_COMPILED;
        h->dict = hnj_hyphen_load(path);
        if (h->dict) {
            qr_buf img;
            qr_buf_init(&img);
            make_image(&img, h->key, h->dict);
            qr_cache_write_checked(name, img.data, img.len);
            qr_buf_free(&img);
        }
    }
    free(cached);
    free(name);
}

void qr_hyph_load_from(qr_hyph *h, const char *path, const char *shipped)
{
    if (qr_hyph_key(h, path)) load_keyed(h, path, shipped);
    if (!h->dict) {
        free(h->key);
        h->key = NULL;
    }
}

/* The image shipped with quire for the dictionary at path (NULL: none);
 * caller frees. */
static char *shipped_image(const char *path)
{
    char *name = qr_hyph_image_name(path);
    char *shipped = qr_cache_shipped_path(name);
    free(name);
    return shipped;
}

void qr_hyph_load(qr_hyph *h, const char *path)
{
    char *shipped = shipped_image(path);
    qr_hyph_load_from(h, path, shipped);
    free(shipped);
}

void qr_hyph_load_keyed(qr_hyph *h, const char *path)
{
    if (!h->key || h->dict) return;
    char *shipped = shipped_image(path);
    load_keyed(h, path, shipped);
    free(shipped);
}

bool qr_hyph_write_image(const char *path, const char *out)
{
    qr_buf key;
    qr_buf_init(&key);
    /* unread, the dictionary fails to load below with errno set */
    (void)build_cache_key(&key, path);
    errno = 0;
    HyphenDict *d = hnj_hyphen_load(path);
    if (!d) {
        if (!errno) errno = EINVAL;     /* read, but not a dictionary */
        qr_buf_free(&key);
        return false;
    }
    qr_buf img;
    qr_buf_init(&img);
    make_image(&img, key.data, d);
    hnj_hyphen_free(d);
    /* synced: unlike a cache entry it is made once and read for years */
    bool ok = qr_write_atomic(out, img.data, img.len);
    qr_buf_free(&img);
    qr_buf_free(&key);
    return ok;
}

void qr_hyph_free(qr_hyph *h)
{
    if (h->image) free(h->image);
    else if (h->dict) hnj_hyphen_free(h->dict);
    free(h->key);
    memset(h, 0, sizeof *h);
}
