/* hyphdict.h — private to layout: libhyphen's dictionary, loaded through
 * Quire's cache (hyphdict.c).
 *
 * Failure: loading cannot fail; a dictionary that cannot be read leaves
 * dict NULL, and the paper is set without hyphenation.
 */
#ifndef QUIRE_HYPHDICT_H
#define QUIRE_HYPHDICT_H

#include <hyphen.h>

typedef struct qr_hyph {
    HyphenDict *dict;           /* NULL: the dictionary could not be read */
    void *image;                /* the one block it lives in, when cached */
    int from_cache;             /* 1 when read from a compiled image */
} qr_hyph;

/* Load the dictionary at path: from the cache's compiled image when that
 * was made from this very file, else with hnj_hyphen_load (then writing
 * the image for next time). */
void qr_hyph_load(qr_hyph *h, const char *path);
void qr_hyph_free(qr_hyph *h);

#endif
