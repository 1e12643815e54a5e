/* image.h — the images a paper shows: found, read and decoded once, by this
 * module only.
 *
 * Layout asks for an image when it meets one (its size sets the figure's
 * box) and hangs the loaded image on the display-list item; the PDF stage
 * embeds that very image. One read of the file (through qr_input_read, so
 * it is recorded and a FIFO or directory is refused without blocking), one
 * parser: a later stage never opens the path again, so it cannot see
 * another file than the one that was measured.
 *
 * Where an image may come from: a path relative to a root directory (the
 * template's directory for a paper's images), whose real path (symlinks
 * and ".." resolved) is inside the root's real path. An absolute path, a
 * URL, or a path that leads out of the root (by "..", or by a symlink) is
 * refused. The style's logo is checked the same way against the style
 * file's directory when the style is loaded (style.c).
 *
 * What an image may cost: at most QR_MAX_IMAGE_PIXELS pixels each, and the
 * bytes held for a document's images (decoded PNG samples, JPEG files as
 * they are embedded) at most QR_MAX_IMAGE_MEMORY in all (qr_image_budget).
 *
 * Failure: Functions that can fail return NULL with a message in *err
 * (caller frees) and add no diagnostics: the calling stage knows where the
 * image was named and locates the message there.
 */
#ifndef QUIRE_IMAGE_H
#define QUIRE_IMAGE_H

#include <stddef.h>

/* Largest image, in pixels: a decoded 50-megapixel RGBA image is 200 MB;
 * larger is a mistake (or an attack) in a committee paper. */
#define QR_MAX_IMAGE_PIXELS 50000000ull
/* Largest image file read. */
#define QR_MAX_IMAGE_FILE (128u << 20)
/* Bytes all the images of one document may hold (decoded PNG samples and
 * JPEG files): six small PNGs of 50 megapixels each would otherwise take
 * gigabytes. */
#define QR_MAX_IMAGE_MEMORY (200u << 20)

typedef enum qr_image_kind { QR_IMAGE_PNG, QR_IMAGE_JPEG } qr_image_kind;

typedef struct qr_image {
    qr_image_kind kind;
    unsigned width, height;     /* pixels */
    /* JPEG: the file's bytes, embedded as they are (PDF's DCTDecode) */
    const unsigned char *bytes;
    size_t nbytes;
    /* PNG: 8-bit RGB samples, row by row, and an alpha plane (1 byte a
     * pixel) when the image has transparency, else NULL */
    const unsigned char *pixels;
    const unsigned char *alpha;
    size_t cost;                /* bytes held, counted against the budget */
    const char *path;           /* as read (the resolved real path) */
} qr_image;

/* Resolve `uri` (an image's source as written) against `root`: the real
 * path of root/uri, which must be inside the real path of root (NULL root:
 * the working directory). Returns the path (caller frees), or NULL and sets
 * *err (caller frees) to a message: an empty source, a URL, an absolute
 * path, a path outside the root, or why the file cannot be found. */
char *qr_image_resolve(const char *uri, const char *root, char **err);

/* Read and decode the image at path (already resolved). NULL on failure
 * with *err set to a message naming the path (caller frees): not a file
 * (a directory, FIFO ...), neither PNG nor JPEG, truncated or corrupt,
 * more than QR_MAX_IMAGE_PIXELS. A PNG is checked and decoded here, whole;
 * a JPEG's frame header gives its size. The result is shared by reference
 * (qr_image_ref/unref; thread-safe counts). */
qr_image *qr_image_load(const char *path, char **err);
qr_image *qr_image_ref(qr_image *im);
void qr_image_unref(qr_image *im);               /* NULL is a no-op */

/* A document's images: loaded once each (by real path) and counted
 * against QR_MAX_IMAGE_MEMORY. */
typedef struct qr_image_set qr_image_set;
qr_image_set *qr_image_set_new(size_t budget);   /* 0: QR_MAX_IMAGE_MEMORY */
void qr_image_set_free(qr_image_set *s);         /* NULL is a no-op */
/* The image at uri under root, loaded on first use (borrowed: the set
 * holds a reference). NULL with *err set (caller frees) when it cannot be
 * resolved or read, or would take the set past its budget. */
qr_image *qr_image_set_get(qr_image_set *s, const char *uri, const char *root,
                           char **err);
/* The same for a path that was checked when it was named (the style's
 * logo, against the style's directory: style.c). */
qr_image *qr_image_set_get_checked(qr_image_set *s, const char *path,
                                   char **err);
size_t qr_image_set_cost(const qr_image_set *s);

#endif
