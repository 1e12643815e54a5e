/* fonts.h — fonts resolved by family name through fontconfig and measured
 * from the font files (HarfBuzz), independent of the PDF library.
 *
 * Layout measures text only through the qr_metrics interface below, so tests
 * can substitute a fixed-advance fake and the PDF stage can embed exactly the
 * faces layout used.
 *
 * Failure: qr_fonts_load returns NULL after adding errors; the metrics
 * cannot fail (a glyph a face lacks has has_glyph false and advance 0).
 */
#ifndef QUIRE_FONTS_H
#define QUIRE_FONTS_H

#include <stdbool.h>
#include <stdint.h>
#include "quire/diag.h"
#include "quire/style.h"
#include "quire/util.h"

/* Font slots. Layout asks for a slot; the font set maps it to a face. */
typedef enum qr_font_slot {
    QR_FONT_REGULAR,
    QR_FONT_BOLD,
    QR_FONT_ITALIC,
    QR_FONT_BOLD_ITALIC,
    QR_FONT_MONO,
    QR_FONT_MONO_BOLD,
    QR_FONT_FALLBACK,        /* symbols the body faces lack (DejaVu Sans) */
    QR_FONT_FALLBACK_BOLD,
    QR_FONT_HEADING,         /* bold face of the heading family (default:
                                the body family) */
    QR_FONT_COUNT
} qr_font_slot;

/* The metrics interface. Widths and vertical metrics are in 1/1000 em: a
 * run of size S points is width * S / 1000 points wide. */
typedef struct qr_metrics {
    void *ctx;
    /* Whether the face in `slot` has a glyph for code point cp. */
    bool (*has_glyph)(void *ctx, qr_font_slot slot, uint32_t cp);
    /* Advance of cp in `slot` (1/1000 em); 0 when the glyph is missing. */
    float (*advance)(void *ctx, qr_font_slot slot, uint32_t cp);
    /* Ascender (positive) and descender (negative) of the face. */
    void (*vmetrics)(void *ctx, qr_font_slot slot, float *ascent,
                     float *descent);
    /* Kerning between the adjacent characters left and right set in one
     * face (1/1000 em, negative = closer), added to left's advance; NULL
     * or 0 for none. Layout applies it between two visible characters of
     * one run (no space, no line end between them) and the PDF stage
     * between the same characters of a text item, so what is measured is
     * what is drawn. U+00AD kerns as the hyphen it is drawn with. */
    float (*kern)(void *ctx, qr_font_slot slot, uint32_t left,
                  uint32_t right);
} qr_metrics;

typedef struct qr_fonts qr_fonts;

/* The environment variables fontconfig reads, NULL-terminated: with its
 * configuration files and font folders they decide what a family name
 * resolves to, so the font cache's key and build's identity of the
 * typesetter both record their values. */
extern const char *const qr_fonts_env[];

/* Append to b where fonts come from: the qr_fonts_env values, and the
 * stamp (qr_cache_stamp) of every configuration file fontconfig reads and
 * every font folder it scans (a font installed or removed changes its
 * folder's time), or "no fontconfig". Build records it in its identity of
 * the typesetter: a family can resolve to another file after such a change
 * although no font file a job recorded changed. Not fontconfig's cache
 * folders: fontconfig itself writes them during a build. Cannot fail. */
struct qr_buf;
void qr_fonts_stamp(struct qr_buf *b);

/* On a machine's first run (the cache holds no font resolution at all, or
 * is off), initialise fontconfig now: render calls it on its warm-up
 * thread, so that parsing fontconfig's configuration overlaps preparing
 * the paper and laying it out with guessed fonts (qr_fonts_guess) instead
 * of holding them back. On a first run with what `quire fonts` ships,
 * load HarfBuzz for the subsets it will make. A warm run loads neither.
 * Thread-safe (each load is guarded by pthread_once); cannot fail
 * (qr_fonts_load, or the PDF stage, reports a library that cannot be
 * loaded). */
void qr_fonts_warm_up(void);

/* On a machine's first run, as qr_fonts_warm_up, load fontconfig and read
 * the small configuration qr_fonts_guess guesses with (~1 ms), while the
 * main thread loads HarfBuzz when it asks for its fonts; on any other,
 * find HarfBuzz's identity, under which the cache and the shipped files
 * keep the faces' metrics, kerning and subsets (a warm run needs no
 * library at all). render's warm-up thread calls it first, while the main
 * thread expands and parses the paper. Thread-safe; cannot fail
 * (qr_fonts_load reports a library that cannot be loaded; no guess is
 * made without the configuration). */
void qr_fonts_warm_up_guess(void);

/* Load HarfBuzz and fontconfig now (build: before it reads its own map of
 * shared objects, whose hashes are part of its identity of the
 * typesetter). Cannot fail (qr_fonts_load reports a library that cannot
 * be loaded). */
void qr_fonts_load_libraries(void);

/* Resolve the style's families (body, mono, fallback; bold/italic faces)
 * through fontconfig and open them. "Arial" resolves to Liberation Sans. A
 * family that resolves to nothing usable is an error. Free with
 * qr_fonts_free. */
qr_fonts *qr_fonts_load(const qr_style *style, qr_diags *d);
void qr_fonts_free(qr_fonts *f);            /* NULL is a no-op */
/* What qr_fonts_free does for the cache, without freeing: a guess's check
 * finished (its thread joined, fontconfig's answer stored) and the kerning
 * pairs learned saved. For a process about to exit, which need not unmap
 * the font files and free the tables one by one. f stays usable; NULL is
 * a no-op. */
void qr_fonts_finish(qr_fonts *f);

/* `quire fonts --out DIR`: what a first run reads (qr_cache_shipped_path)
 * until its cache has its own, each under its cache entry's name and key,
 * synced: fontconfig's resolution of the default house style's families,
 * the full way (DIR/fonts, with the stamps that check it), and for each
 * kerned face, every pair of the common characters (printable ASCII,
 * dashes, curly quotes, the pound sign …) shaped (DIR/kern-*). QR_EINPUT
 * when the fonts cannot be resolved or loaded, QR_EOUTPUT when a file
 * cannot be written. */
qr_status qr_fonts_write_shipped(const char *dir, qr_diags *d);

/* qr_fonts_load, except when the cache holds no resolution (a machine's
 * first run): then the faces are a guess from a small configuration of
 * fontconfig's (the standard font folders and the metric-compatible
 * aliases), made only when every face is of the family asked for, and a
 * thread resolves them the full way meanwhile. Nothing may be written
 * with a guessed set before qr_fonts_confirm. */
qr_fonts *qr_fonts_guess(const qr_style *style, qr_diags *d);

/* Whether f is a guess not confirmed yet. */
bool qr_fonts_pending(const qr_fonts *f);

/* True when f is fontconfig's own answer: loaded, or guessed and now found
 * right (waiting for the check if need be). False when the guess was
 * wrong or fontconfig failed: whatever was measured with f is not the
 * paper; free it and load again (qr_fonts_load then reports what failed,
 * or finds the full answer in the cache). */
bool qr_fonts_confirm(qr_fonts *f);

/* Make f (from qr_fonts_load) the process's shared fonts: qr_fonts_load of
 * the same families, in this process or a fork of it, returns f itself
 * (with the warnings its load gave) instead of loading them again, and
 * qr_fonts_free of it only saves what was learned. For a process that
 * forks workers with the fonts already loaded (build). NULL frees the
 * shared fonts and shares none. Not thread-safe: call it while no other
 * thread loads fonts. */
void qr_fonts_share(qr_fonts *f);

/* Borrowed metrics valid while f lives. */
const qr_metrics *qr_fonts_metrics(const qr_fonts *f);

/* The file and face index of a slot, for embedding. Borrowed. */
const char *qr_fonts_file(const qr_fonts *f, qr_font_slot slot);
int qr_fonts_index(const qr_fonts *f, qr_font_slot slot);
/* The family name fontconfig matched for a slot ("Liberation Sans"). */
const char *qr_fonts_family(const qr_fonts *f, qr_font_slot slot);

/* A fixed-advance fake for tests: every glyph is `advance` wide (1/1000 em),
 * has_glyph is true except for the code points in `missing` (0-terminated,
 * may be NULL), which only the QR_FONT_FALLBACK* slots have; ascent 800,
 * descent -200. The returned metrics point at `fake`, which must outlive
 * them. */
typedef struct qr_fake_font {
    float advance;
    const uint32_t *missing;
} qr_fake_font;
qr_metrics qr_metrics_fake(qr_fake_font *fake);

#endif
