/* util.h — memory, buffers, arenas, files, paths and UTF-8: the small tools
 * every stage shares.
 *
 * Out of memory ends the process in exactly one place (qr_oom, called by
 * qr_xmalloc and friends and by the allocator the PDF stage hands libharu):
 * one line on stderr and exit status 3. No other function in Quire checks
 * for a NULL from an allocator.
 *
 * Failure: Functions that can fail and have no qr_diags to report to
 * (reading and writing files) return NULL or false with errno set. qr_status
 * is for the command entry points only (below).
 */
#ifndef QUIRE_UTIL_H
#define QUIRE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit codes of the command line (docs/architecture.md). Only the command
 * entry points return one (qr_render, qr_paper_render, qr_pack_build,
 * qr_build_run, qr_watch_run and qr_pdf_write): their result is the exit
 * status, and it must tell bad input from a failed output. Every other
 * function that can fail returns bool or a pointer. */
typedef enum qr_status {
    QR_OK = 0,      /* success */
    QR_EINPUT = 1,  /* bad data, template, style or meeting file */
    QR_EUSAGE = 2,  /* bad command line */
    QR_EOUTPUT = 3  /* output or system error */
} qr_status;

/* Allocation. Never return NULL: on failure print one line and exit(3). */
/* "quire: error: out of memory (N bytes)" on stderr, then exit(QR_EOUTPUT). */
void qr_oom(size_t n) __attribute__((noreturn));
void *qr_xmalloc(size_t n);
void *qr_xcalloc(size_t n, size_t size);
void *qr_xrealloc(void *p, size_t n);
char *qr_xstrdup(const char *s);
char *qr_xstrndup(const char *s, size_t n);
/* printf into a new string the caller frees. */
char *qr_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *qr_xvasprintf(const char *fmt, va_list ap);

/* Room for element n of a growable array: when n has reached cap, the
 * array doubles (to `first` elements when empty). The one growth rule of
 * every array in Quire; cap may be any integer type. */
#define QR_GROW(arr, n, cap, first)                                          \
    do {                                                                     \
        if ((n) >= (cap)) {                                                  \
            (cap) = (cap) ? (cap) * 2 : (first);                             \
            (arr) = qr_xrealloc((arr), (size_t)(cap) * sizeof *(arr));       \
        }                                                                    \
    } while (0)

/* Free a NULL-terminated array of strings and the strings (NULL: no-op). */
void qr_strv_free(char **v);

/* A growable byte buffer. Always NUL-terminated after any append, so
 * `data` can be used as a C string when the content holds no NUL. */
typedef struct qr_buf {
    char *data;
    size_t len;
    size_t cap;
} qr_buf;

void qr_buf_init(qr_buf *b);
void qr_buf_free(qr_buf *b);               /* frees data, leaves b empty */
void qr_buf_reserve(qr_buf *b, size_t extra);
void qr_buf_append(qr_buf *b, const void *p, size_t n);
void qr_buf_puts(qr_buf *b, const char *s);
void qr_buf_putc(qr_buf *b, char c);
/* v in decimal: into d (room for 20 digits; not terminated), returning
 * its length, or appended to b. Without printf: object numbers, offsets
 * and references are most of what the PDF stage writes. */
size_t qr_put_dec(char *d, size_t v);
void qr_buf_put_dec(qr_buf *b, size_t v);
void qr_buf_printf(qr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the bytes to the caller (who frees them); b becomes empty. */
char *qr_buf_detach(qr_buf *b, size_t *len);

/* A bump arena: a product (tree, page list) allocates from one arena and is
 * freed whole with qr_arena_free. Memory is zeroed and aligned for any type. */
typedef struct qr_arena qr_arena;

qr_arena *qr_arena_new(void);
void qr_arena_free(qr_arena *a);           /* NULL is a no-op */
void *qr_arena_alloc(qr_arena *a, size_t n);
char *qr_arena_strdup(qr_arena *a, const char *s);
char *qr_arena_strndup(qr_arena *a, const char *s, size_t n);

/* Read a whole regular file. Returns a NUL-terminated buffer the caller
 * frees and sets *len; NULL with errno set on failure. Files larger than
 * max_bytes fail with errno = EFBIG (0 = no limit); a directory with
 * EISDIR; a FIFO, device or socket with ENODEV, without blocking. Inputs
 * of a document are read through qr_input_read (input.h), which records
 * them; this is for everything else (caches, source lines for messages). */
char *qr_read_file(const char *path, size_t *len, size_t max_bytes);
/* The same, and the file's status as read (st may be NULL). */
struct stat;
char *qr_read_file_stat(const char *path, size_t *len, size_t max_bytes,
                        struct stat *st);

/* Write bytes to `path` atomically: a temporary file in the same directory,
 * fsync, then rename over `path`. On any failure the previous file at `path`
 * is untouched, the temporary is removed, errno is set and false returned. */
bool qr_write_atomic(const char *path, const void *data, size_t len);
/* The same, with the output's mode chosen for what it holds: 0666 less the
 * umask, or with `exempt` (information not for publication) 0600 whatever
 * the umask. A stricter mode of the file being replaced is kept (the new
 * mode is narrowed to it). qr_write_atomic is exempt = 0. */
bool qr_write_atomic_mode(const char *path, const void *data, size_t len,
                          int exempt);
/* qr_write_atomic without the fsync, for a file whose reader checks it
 * whole (a cache entry with a checksum): after a crash the file may be
 * missing or damaged, which that check refuses, but never a mix of old and
 * new. A sync costs a few milliseconds, more than most such files save. */
bool qr_write_atomic_nosync(const char *path, const void *data, size_t len);

/* mkdir -p: make dir and each missing folder above it with `mode` (less
 * the umask). False with errno set when one cannot be made or dir is not
 * a folder. */
bool qr_make_dirs(const char *dir, mode_t mode);
/* dir/rel with "." and "x/.." folded lexically ("samples/../templates/a.md"
 * → "templates/a.md"); rel as is when absolute or dir is NULL, "" or ".".
 * Caller frees. */
char *qr_path_join(const char *dir, const char *rel);
/* The folder part of path ("." when none, "/" for a file in the root).
 * Caller frees. */
char *qr_path_dir(const char *path);

/* FNV-1a 64 over bytes, continuing from h (start with QR_FNV64_INIT). A
 * change detector (build) and table key (line breaker), not a cryptographic hash: it guards against accidental
 * change, not against someone forging a file. */
#define QR_FNV64_INIT 0xcbf29ce484222325ULL
uint64_t qr_fnv64(uint64_t h, const void *p, size_t n);

/* The fast hash: of a file's contents that a build records and compares
 * (the executable and its libraries, fonts, inputs, outputs), and the
 * checksum of the cache entries and images read back on every run
 * (hyphenation image, font resolution, kerning, font subsets), whose
 * damage it must detect. Four words at a time in four independent lanes,
 * so that the multiplies overlap, where qr_fnv64 waits for one multiply
 * per byte: a build hashes ~20 MB before its first worker starts
 * (qr_fnv64: ~30 ms of one core). Fed in pieces of any size, the same
 * value as all at once. A change detector, like qr_fnv64; not for keys
 * written into output, which keep qr_fnv64. */
typedef struct qr_filehash {
    uint64_t lane[4];
    uint64_t total;             /* bytes fed */
    unsigned char tail[32];     /* bytes short of a whole block */
    size_t ntail;
} qr_filehash;
void qr_filehash_init(qr_filehash *fh);
void qr_filehash_feed(qr_filehash *fh, const void *p, size_t n);
uint64_t qr_filehash_end(const qr_filehash *fh);
/* all of p at once */
uint64_t qr_filehash_of(const void *p, size_t n);

/* UTF-8. qr_utf8_decode reads one code point from s[0..n); returns its byte
 * length (1..4) and stores it in *cp, or returns 0 for an invalid or
 * truncated sequence (and *cp = 0xFFFD). */
int qr_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encode cp into out (at least 4 bytes); returns the byte count. */
int qr_utf8_encode(uint32_t cp, char *out);
/* Offset of the first invalid byte, or (size_t)-1 when s[0..n) is valid. */
size_t qr_utf8_check(const char *s, size_t n);

/* "Did you mean": how near a misspelt name is to a known one, for hints on
 * unknown keys. 1 = the same word in another case ("Exempt" for "exempt"),
 * 2 = one edit away (a character inserted, deleted or replaced, or two
 * neighbours swapped; characters, not bytes, and ASCII letters compared
 * without case), 0 = neither, or the names are identical. Names longer than
 * 64 characters are never near. */
int qr_near_miss(const char *word, const char *known);
/* The nearest of names[0..n) (stopping early at a NULL) by qr_near_miss: a
 * case-only difference beats an edit, then the first in the list wins.
 * NULL when none is near. */
const char *qr_did_you_mean(const char *word, const char *const *names,
                            size_t n);
/* Unknown keys reported one by one per object; the rest are counted in one
 * more message. Each located message costs a pass over the file, so an
 * object of 100,000 unknown keys must not get 100,000 of them. */
#define QR_UNKNOWN_KEYS_SHOWN 10

#endif
