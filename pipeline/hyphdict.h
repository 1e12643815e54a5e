/* hyphdict.h — private to layout: libhyphen's dictionary, loaded through
 * Quire's cache (hyphdict.c).
 *
 * Failure: loading cannot fail; a dictionary that cannot be read leaves
 * key and dict NULL, and the paper is set without hyphenation.
 */
#ifndef QUIRE_HYPHDICT_H
#define QUIRE_HYPHDICT_H

#include <hyphen.h>
#include <stdbool.h>

/* Where the machine came from. */
typedef enum qr_hyph_source {
    QR_HYPH_COMPILED,           /* hnj_hyphen_load, just now */
    QR_HYPH_CACHE,              /* the image in Quire's cache */
    QR_HYPH_SHIPPED             /* the image made at build or install time */
} qr_hyph_source;

typedef struct qr_hyph {
    HyphenDict *dict;           /* NULL: the dictionary could not be read,
                                   or is not loaded (qr_hyph_key) */
    void *image;                /* the one block it lives in, from an image */
    qr_hyph_source from;
    char *key;                  /* the image's key: libhyphen's version and
                                   the dictionary's stamp and hash, for
                                   entries made from the dictionary's
                                   answers (NULL when the dictionary
                                   cannot be read) */
} qr_hyph;

/* Load the dictionary at path: from a compiled image made from this very
 * file — the cache's, else the one shipped with quire
 * (qr_cache_shipped_path) — else with hnj_hyphen_load, then writing the
 * image to the cache for next time. key and dict both set, or both NULL. */
void qr_hyph_load(qr_hyph *h, const char *path);
/* The same with the shipped image at `shipped` (NULL: none), which the
 * tests name. */
void qr_hyph_load_from(qr_hyph *h, const char *path, const char *shipped);

/* Only the key of the dictionary at path, as qr_hyph_load makes it, into
 * h (zeroed first; dict NULL): what the entries made from the
 * dictionary's answers are checked against (the hyphenation memo), so
 * that a run whose words are all remembered never reads the 900 KB image.
 * false, key NULL, when the dictionary cannot be read: no hyphenation. */
bool qr_hyph_key(qr_hyph *h, const char *path);
/* Load the dictionary into h as qr_hyph_load does, under the key
 * qr_hyph_key made earlier (not made afresh: a dictionary changed since
 * then must not be mixed with the answers read under the old key). key
 * is kept even when dict stays NULL (the file has gone, or is not a
 * dictionary). Nothing without a key, or with a dictionary already. */
void qr_hyph_load_keyed(qr_hyph *h, const char *path);

/* Free the dictionary, its image and key; h is left zeroed. */
void qr_hyph_free(qr_hyph *h);

/* The name of the image of the dictionary at path, in the cache and where
 * it is shipped: "hyph_en_GB.dic.image". Caller frees. */
char *qr_hyph_image_name(const char *path);

/* Compile the dictionary at path and write its image to `out`
 * (atomically, synced), byte for byte what qr_hyph_load reads. false with
 * errno set when the dictionary cannot be read or the file written. */
bool qr_hyph_write_image(const char *path, const char *out);

#endif
