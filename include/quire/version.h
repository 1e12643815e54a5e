/* version.h — the versions of the libraries Quire was built with and runs
 * with, for `quire --version` and bug reports: a paper that renders
 * differently on two machines is often two versions of HarfBuzz or
 * fontconfig.
 *
 * "Built with" is what the headers said when Quire was compiled; "running
 * with" is what the loaded shared library reports now. Two libraries carry
 * no version in their headers (libunibreak 1.x, libhyphen): theirs comes
 * from pkg-config and from the Debian package when Quire is built (the
 * Makefile passes it in), and is marked so. Three have no run-time query
 * (libunibreak, libhyphen, libdeflate).
 *
 * Failure: Nothing here fails: a version a library cannot tell is an empty
 * string.
 */
#ifndef QUIRE_VERSION_H
#define QUIRE_VERSION_H

#include <stdio.h>

#define QR_NLIBS 10
#define QR_LIB_VERSION_MAX 32

typedef struct qr_lib_version {
    const char *name;                 /* "HarfBuzz" */
    char built[QR_LIB_VERSION_MAX];   /* "" when unknown */
    char running[QR_LIB_VERSION_MAX]; /* "" when the library cannot say */
    const char *built_from;           /* "headers", "pkg-config" or
                                         "Debian package" */
} qr_lib_version;

/* Fill out[0..QR_NLIBS) in a fixed order: libharu, cJSON, cmark-gfm,
 * HarfBuzz, fontconfig, libpng, libunibreak, libhyphen, libdeflate,
 * libmicrohttpd. */
void qr_lib_versions(qr_lib_version out[QR_NLIBS]);

/* Print "quire VERSION" on the first line, then a table of the libraries:
 * name, built with, running with. */
void qr_version_print(FILE *f, const char *quire_version);

#endif
