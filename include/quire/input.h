/* input.h — the files a document is made from: read once, never blocking,
 * and recorded.
 *
 * Every file Quire reads to make an output (data, template, partial, style,
 * image, meeting file, manifest, the earlier report a paper follows) is read
 * through qr_input_read. It opens the
 * file without blocking and refuses anything that is not a regular file: a
 * FIFO or device would block or never end, a directory is a mistake to name
 * plainly. It reads the whole file and, when a record is active on the
 * calling thread, adds the file to that record with the hash of the very
 * bytes that were read (qr_filehash_of).
 *
 * The record is what the fail-closed decisions rest on:
 * - build skips an output only when the bytes it was made from (hashed as
 *   they were read, not by a second read afterwards that could see a newer
 *   file) are still the bytes on disk;
 * - a public pack refuses an open item that reads a file an exempt item
 *   reads (shared house templates, partials and styles aside);
 * - every command refuses an output path that is one of its inputs (the
 *   same device and inode), so a typo cannot overwrite the data it read.
 *
 * Why a per-thread "active record" rather than a parameter: inputs are read
 * deep inside stages (a partial four levels into an expansion, an image in
 * layout) whose interfaces know nothing of the build or the pack, and the
 * record belongs to whoever asked for the document. Activating a record is
 * the orchestrator's business (render, pack, build, watch); the stages only
 * call qr_input_read.
 *
 * Failure: qr_input_read returns NULL and qr_input_note false, with errno
 * set; they add no diagnostics (qr_input_strerror words errno for the
 * caller's message).
 */
#ifndef QUIRE_INPUT_H
#define QUIRE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum qr_input_role {
    QR_IN_DATA,       /* a paper's JSON data */
    QR_IN_TEMPLATE,   /* the template named on the command line or manifest */
    QR_IN_PARTIAL,    /* a partial included by a template */
    QR_IN_STYLE,      /* a house style */
    QR_IN_IMAGE,      /* an image a paper shows (and the style's logo) */
    QR_IN_MEETING,    /* a meeting file (packs) */
    QR_IN_MANIFEST,   /* a build manifest */
    QR_IN_FONT,       /* a font file, read by the font library */
    QR_IN_EARLIER,    /* the data of an earlier report a paper follows */
    QR_IN_OTHER
} qr_input_role;

typedef struct qr_input {
    char *path;           /* as opened */
    qr_input_role role;
    dev_t dev;            /* identity of the file read */
    ino_t ino;
    uint64_t size;        /* bytes read */
    uint64_t hash;        /* qr_filehash_of the bytes read */
} qr_input;

/* A record of inputs, in the order first read. A file read twice (the same
 * path, device and inode) is recorded once, with the hash of its first
 * read; a second read that found other bytes marks the record changed. */
typedef struct qr_inputs qr_inputs;

qr_inputs *qr_inputs_new(void);
void qr_inputs_free(qr_inputs *r);                     /* NULL is a no-op */
size_t qr_inputs_count(const qr_inputs *r);
const qr_input *qr_inputs_get(const qr_inputs *r, size_t i);
/* True when the record cannot vouch for one version of every file: a file read
 * twice with different bytes (also under two spellings of its path), or one
 * path that was two files (replaced between the reads): an edit while Quire
 * was working, so the output may mix old and new. */
bool qr_inputs_changed(const qr_inputs *r);
/* Paths an input read was refused or failed for (a FIFO, a directory, a
 * file that could not be opened), in order, each once: not inputs, since
 * nothing was read, but where a fix will appear, so watch watches them. */
size_t qr_inputs_failed_count(const qr_inputs *r);
const char *qr_inputs_failed(const qr_inputs *r, size_t i);
/* Add every entry of `from` to `to` (as if read again). */
void qr_inputs_merge(qr_inputs *to, const qr_inputs *from);
/* The input that is the file at `path` (same device and inode, symlinks
 * followed), or NULL when path does not exist or is no input. */
const qr_input *qr_inputs_find_file(const qr_inputs *r, const char *path);

/* Make r the active record of this thread and return the one it replaces
 * (NULL: none); restore that one with another call when done. NULL stops
 * recording. */
qr_inputs *qr_inputs_activate(qr_inputs *r);
qr_inputs *qr_inputs_active(void);

/* Read a whole input file and record it in the active record. Returns a
 * NUL-terminated buffer the caller frees and sets *len; NULL with errno set
 * on failure: EFBIG past max_bytes (0 = no limit), EISDIR for a directory,
 * ENODEV for anything else that is not a regular file (FIFO, device,
 * socket), or open's and read's own errors. */
char *qr_input_read(const char *path, qr_input_role role, size_t *len,
                    size_t max_bytes);

/* Record a file that a library reads itself (a font): its identity and the
 * hash of its contents now. Returns false with errno set when it cannot be
 * read. No-op (true) when no record is active. */
bool qr_input_note(const char *path, qr_input_role role);

/* What a role is called in messages: "data file", "template", … */
const char *qr_input_role_name(qr_input_role role);

/* Why an input could not be read, for messages: "is a directory", "is not
 * a regular file (a FIFO, device or socket)", else strerror(e). */
const char *qr_input_strerror(int e);

#endif
