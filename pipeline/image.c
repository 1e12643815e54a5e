/* image.c — images found, read and decoded once (image.h).
 *
 * PNG goes through libpng's simplified API from memory: every PNG flavour
 * (palette, grey, 16-bit, interlaced, with or without alpha) comes out as
 * 8-bit RGB plus a separate alpha plane when there is transparency, which
 * is what the PDF stage embeds (an image and its soft mask). A JPEG is not
 * decoded at all: PDF readers decode it (DCTDecode), so its bytes are kept
 * and its frame header read for the size, components and precision.
 */
#include "quire/image.h"

#include "quire/input.h"
#include "quire/util.h"

#include <errno.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

#define MB (1024u * 1024u)

struct qr_image_rec {
    qr_image pub;               /* first: a qr_image * is a rec * */
    int refs;
    unsigned char *owned[2];    /* bytes or pixels, and alpha */
    char *path;
};

typedef struct qr_image_rec rec;

qr_image *qr_image_ref(qr_image *im)
{
    if (im) __atomic_add_fetch(&((rec *)im)->refs, 1, __ATOMIC_RELAXED);
    return im;
}

void qr_image_unref(qr_image *im)
{
    if (!im) return;
    rec *r = (rec *)im;
    if (__atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) != 0) return;
    free(r->owned[0]);
    free(r->owned[1]);
    free(r->path);
    free(r);
}

/* ---- where an image may come from ---- */

static bool has_scheme(const char *u)
{
    if (!((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z')))
        return false;
    size_t k = 1;
    while ((u[k] >= 'a' && u[k] <= 'z') || (u[k] >= 'A' && u[k] <= 'Z') ||
           (u[k] >= '0' && u[k] <= '9') || u[k] == '+' || u[k] == '-' ||
           u[k] == '.')
        k++;
    return u[k] == ':';
}

/* Is real (a real path) the directory root (a real path) or below it? */
static bool inside(const char *real, const char *root)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/') return real[0] == '/';
    return strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

char *qr_image_resolve(const char *uri, const char *root, char **err)
{
    *err = NULL;
    if (!uri || !*uri) {
        *err = qr_xstrdup("an image has no source (![alt]() names no file)");
        return NULL;
    }
    if (has_scheme(uri)) {
        *err = qr_xasprintf("image '%s' is a URL: an image must be a file "
                            "beside the template (or the style), named by a "
                            "relative path", uri);
        return NULL;
    }
    if (uri[0] == '/') {
        *err = qr_xasprintf("image '%s' is an absolute path: an image must be "
                            "a file beside the template (or the style), named "
                            "by a relative path", uri);
        return NULL;
    }
    const char *dir = root && *root ? root : ".";
    char *root_real = realpath(dir, NULL);
    if (!root_real) {
        *err = qr_xasprintf("cannot read image '%s': its directory '%s': %s",
                            uri, dir, strerror(errno));
        return NULL;
    }
    char *joined = qr_xasprintf("%s/%s", dir, uri);
    char *real = realpath(joined, NULL);
    if (!real) {
        *err = qr_xasprintf("cannot read image '%s': %s", joined,
                            qr_input_strerror(errno));
    } else if (!inside(real, root_real)) {
        *err = qr_xasprintf("image '%s' is outside the directory '%s' (it "
                            "leads to '%s'): an image must be a file in that "
                            "directory or below it", uri, dir, real);
        free(real);
        real = NULL;
    }
    free(joined);
    free(root_real);
    return real;
}

/* ---- reading ---- */

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
           (unsigned long)p[2] << 8 | p[3];
}

static char *too_many_pixels(const char *path, unsigned long w,
                             unsigned long h)
{
    return qr_xasprintf("image '%s' is %lu x %lu pixels: more than the limit "
                        "of %llu megapixels", path, w, h,
                        QR_MAX_IMAGE_PIXELS / 1000000);
}

/* The frame header of a JPEG: size, and that PDF can show it (8-bit
 * samples; grey, RGB or CMYK). */
static bool jpeg_frame(const unsigned char *p, size_t n, const char *path,
                       unsigned *w, unsigned *h, char **err)
{
    size_t i = 2;
    while (i + 4 <= n) {
        if (p[i] != 0xFF) {
            *err = qr_xasprintf("cannot read JPEG image '%s': damaged marker "
                                "at byte %zu", path, i);
            return false;
        }
        unsigned char mk = p[i + 1];
        if (mk == 0xFF) {               /* fill byte */
            i++;
            continue;
        }
        if (mk == 0x01 || (mk >= 0xD0 && mk <= 0xD7)) {   /* no length */
            i += 2;
            continue;
        }
        if (mk == 0xD9 || mk == 0xDA) break;   /* end, or scan before frame */
        size_t seg = be16(p + i + 2);
        int sof = mk >= 0xC0 && mk <= 0xCF && mk != 0xC4 && mk != 0xC8 &&
                  mk != 0xCC;
        if (sof) {
            if (i + 10 > n || seg < 8) break;
            unsigned prec = p[i + 4], comps = p[i + 9];
            *h = be16(p + i + 5);
            *w = be16(p + i + 7);
            if (!*w || !*h) break;
            if (prec != 8 || (comps != 1 && comps != 3 && comps != 4)) {
                *err = qr_xasprintf("cannot read JPEG image '%s': %u-bit "
                                    "samples in %u components (PDF shows "
                                    "8-bit grey, RGB or CMYK)", path, prec,
                                    comps);
                return false;
            }
            return true;
        }
        if (seg < 2) {
            *err = qr_xasprintf("cannot read JPEG image '%s': damaged marker "
                                "at byte %zu", path, i);
            return false;
        }
        i += 2 + seg;
    }
    *err = qr_xasprintf("cannot read JPEG image '%s': no frame header "
                        "(truncated or damaged file)", path);
    return false;
}

/* Read and decode; cap: most bytes the image may hold (0: no cap), else
 * NULL with *need set to what it would hold and no message. */
static qr_image *load(const char *path, size_t cap, size_t *need, char **err)
{
    *err = NULL;
    if (need) *need = 0;
    size_t n = 0;
    unsigned char *buf = (unsigned char *)qr_input_read(path, QR_IN_IMAGE, &n,
                                                        QR_MAX_IMAGE_FILE);
    if (!buf) {
        if (errno == EFBIG)
            *err = qr_xasprintf("image '%s' is larger than %u MB", path,
                                QR_MAX_IMAGE_FILE / MB);
        else if (errno == EISDIR || errno == ENODEV)
            *err = qr_xasprintf("image '%s' %s", path,
                                qr_input_strerror(errno));
        else
            *err = qr_xasprintf("cannot read image '%s': %s", path,
                                qr_input_strerror(errno));
        return NULL;
    }
    rec *r = qr_xcalloc(1, sizeof *r);
    r->refs = 1;
    r->path = qr_xstrdup(path);
    r->pub.path = r->path;
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', 13, 10, 26, 10};
    if (n >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF) {
        unsigned w = 0, h = 0;
        if (!jpeg_frame(buf, n, path, &w, &h, err)) goto fail;
        if ((unsigned long long)w * h > QR_MAX_IMAGE_PIXELS) {
            *err = too_many_pixels(path, w, h);
            goto fail;
        }
        if (cap && n > cap) {
            *need = n;
            goto fail;
        }
        r->pub.kind = QR_IMAGE_JPEG;
        r->pub.width = w;
        r->pub.height = h;
        r->pub.bytes = buf;
        r->pub.nbytes = n;
        r->pub.cost = n;
        r->owned[0] = buf;
        return &r->pub;
    }
    if (n < 8 || memcmp(buf, sig, 8) != 0) {
        *err = qr_xasprintf("image '%s' is neither JPEG nor PNG", path);
        goto fail;
    }
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&im, buf, n)) {
        *err = qr_xasprintf("cannot read PNG image '%s': %s", path, im.message);
        goto fail;
    }
    /* the size from IHDR before libpng allocates anything for the pixels */
    unsigned long w = n >= 24 ? be32(buf + 16) : im.width;
    unsigned long h = n >= 24 ? be32(buf + 20) : im.height;
    if ((unsigned long long)im.width * im.height > QR_MAX_IMAGE_PIXELS ||
        (unsigned long long)w * h > QR_MAX_IMAGE_PIXELS) {
        *err = too_many_pixels(path, im.width, im.height);
        png_image_free(&im);
        goto fail;
    }
    int alpha = (im.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    size_t px = (size_t)im.width * im.height;
    size_t cost = px * 3 + (alpha ? px : 0);
    if (cap && cost > cap) {
        *need = cost;
        png_image_free(&im);
        goto fail;
    }
    im.format = alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    unsigned char *pix = qr_xmalloc(PNG_IMAGE_SIZE(im));
    if (!png_image_finish_read(&im, NULL, pix, 0, NULL)) {
        *err = qr_xasprintf("cannot decode PNG image '%s': %s", path,
                            im.message);
        free(pix);
        png_image_free(&im);
        goto fail;
    }
    unsigned char *a = NULL;
    if (alpha) {
        /* RGBA to RGB in place (each pixel moves down) plus an alpha plane:
         * five bytes a pixel at the peak, not eight */
        a = qr_xmalloc(px);
        for (size_t i = 0; i < px; i++) {
            unsigned char *s = pix + 4 * i;
            a[i] = s[3];
            memmove(pix + 3 * i, s, 3);
        }
        unsigned char *shrunk = realloc(pix, px * 3);
        if (shrunk) pix = shrunk;
    }
    free(buf);
    r->pub.kind = QR_IMAGE_PNG;
    r->pub.width = im.width;
    r->pub.height = im.height;
    r->pub.pixels = pix;
    r->pub.alpha = a;
    r->pub.cost = cost;
    r->owned[0] = pix;
    r->owned[1] = a;
    return &r->pub;
fail:
    free(buf);
    qr_image_unref(&r->pub);
    return NULL;
}

qr_image *qr_image_load(const char *path, char **err)
{
    return load(path, 0, NULL, err);
}

/* ---- a document's images ---- */

struct qr_image_set {
    qr_image **v;
    size_t n, cap;
    size_t cost, budget;
};

qr_image_set *qr_image_set_new(size_t budget)
{
    qr_image_set *s = qr_xcalloc(1, sizeof *s);
    s->budget = budget ? budget : QR_MAX_IMAGE_MEMORY;
    return s;
}

void qr_image_set_free(qr_image_set *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) qr_image_unref(s->v[i]);
    free(s->v);
    free(s);
}

size_t qr_image_set_cost(const qr_image_set *s) { return s ? s->cost : 0; }

static qr_image *set_load(qr_image_set *s, const char *real,
                          const char *shown, char **err)
{
    /* a paper shows a handful of images: a linear search is enough */
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i]->path, real) == 0) return s->v[i];
    size_t left = s->budget > s->cost ? s->budget - s->cost : 0;
    size_t need = 0;
    qr_image *im = load(real, left ? left : 1, &need, err);
    if (!im && need) {
        *err = qr_xasprintf("image '%s' would hold %zu MB: with the document's "
                            "other images (%zu MB) more than the limit of %u "
                            "MB for the images of one document", shown,
                            (need + MB - 1) / MB, s->cost / MB,
                            (unsigned)(s->budget / MB));
    }
    if (!im) return NULL;
    QR_GROW(s->v, s->n, s->cap, 8);
    s->v[s->n++] = im;
    s->cost += im->cost;
    return im;
}

qr_image *qr_image_set_get(qr_image_set *s, const char *uri, const char *root,
                           char **err)
{
    char *real = qr_image_resolve(uri, root, err);
    if (!real) return NULL;
    qr_image *im = set_load(s, real, uri, err);
    free(real);
    return im;
}

qr_image *qr_image_set_get_checked(qr_image_set *s, const char *path,
                                   char **err)
{
    *err = NULL;
    char *real = realpath(path, NULL);
    if (!real) {
        *err = qr_xasprintf("cannot read image '%s': %s", path,
                            qr_input_strerror(errno));
        return NULL;
    }
    qr_image *im = set_load(s, real, path, err);
    free(real);
    return im;
}
