/* cache.h — Quire's cache directory: compiled forms of system data that are
 * slow to read on every run (the hyphenation dictionary, font resolution,
 * kerning, each face's last subset).
 *
 * Where: $QUIRE_CACHE_DIR, else $XDG_CACHE_HOME/quire, else
 * $HOME/.cache/quire. QUIRE_NO_CACHE=1 turns the cache off, and with it
 * the read-only copies made at build or install time
 * (qr_cache_shipped_path). Every entry
 * starts with a key describing exactly what it was made from (format
 * version, struct sizes, and the size and modification time of each source
 * file or directory); a reader rebuilds the entry when the key differs, so
 * the directory can be deleted at any time and a stale or damaged entry is
 * never used. Writing is best effort: a read-only home costs speed, never a
 * failure.
 *
 * Failure: qr_cache_path and qr_cache_read return NULL and qr_cache_write
 * false, with errno set when a file operation failed; none adds diagnostics,
 * since a cache that cannot be used costs time, not the output.
 */
#ifndef QUIRE_CACHE_H
#define QUIRE_CACHE_H

#include <stddef.h>
#include "quire/util.h"

/* The path of cache entry `name` (caller frees), or NULL when caching is
 * off or there is no home to put it in. */
char *qr_cache_path(const char *name);

/* The bytes of entry `name` (caller frees; NUL-terminated), or NULL. */
char *qr_cache_read(const char *name, size_t *len);

/* Replace entry `name` atomically, creating the directory; false when the
 * cache is off or the entry cannot be written. */
bool qr_cache_write(const char *name, const void *data, size_t len);
/* The same for an entry whose reader checks a checksum over all of it:
 * written without an fsync (qr_write_atomic_nosync). */
bool qr_cache_write_checked(const char *name, const void *data, size_t len);

/* Where an image made at build or install time is shipped, relative to the
 * folder of quire's executable: the Makefile's install layout, with the
 * templates, PREFIX/bin/quire beside PREFIX/share/quire/. */
#define QR_SHIPPED_DIR "../share/quire"

/* The path of the read-only copy of entry `name` made when quire was built
 * or installed (caller frees): NAME beside the executable when there is
 * one (the build tree: make writes build/NAME after build/quire), else
 * QR_SHIPPED_DIR/NAME from the executable's folder (make install), whether
 * it exists or not. NULL when caching is off (QUIRE_NO_CACHE) or the
 * executable cannot be found. Its reader must check it exactly as it
 * checks a cache entry: the machine it is used on may not be the one it
 * was made on, and the files it was made from may have changed since. */
char *qr_cache_shipped_path(const char *name);
/* The bytes of that copy (caller frees), as qr_cache_read reads an entry;
 * NULL when there is none or it cannot be read. */
char *qr_cache_read_shipped(const char *name, size_t *len);

/* Append the stamp of one file or directory to a key: its path, then its
 * size and modification time, or a mark that it does not exist. */
void qr_cache_stamp(qr_buf *key, const char *path);

#endif
