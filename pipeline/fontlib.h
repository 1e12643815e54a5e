/* fontlib.h — private to the font stages (fonts.c, pdf.c, version.c):
 * HarfBuzz, its subsetter and fontconfig, opened with dlopen rather than
 * linked.
 *
 * Linked, they are loaded before main on every run, with what they load in
 * turn (GLib and PCRE2, FreeType, Graphite, Brotli, Expat: ten shared
 * objects), about 0.6 ms of a 9 ms render measured on this project's
 * machines, and HTML output and most commands never typeset anything. Opened
 * here, render's warm-up thread loads them while the main thread expands and
 * parses the paper, and a command that sets no type never loads them.
 *
 * The code calls them as the plain API: each function named below is a
 * pointer of the function's own type (filled once by dlsym), and a define
 * gives the pointer the function's name. A file includes this header and
 * calls qr_fontlib_harfbuzz() or qr_fontlib_fontconfig() (pthread_once)
 * before the library's first call; a caller that cannot load one says so
 * with qr_fontlib_error(). The sonames are those built against (Makefile).
 */
#ifndef QUIRE_FONTLIB_H
#define QUIRE_FONTLIB_H

#include <fontconfig/fontconfig.h>
#include <hb-ot.h>
#include <hb-subset.h>
#include <hb.h>
#include <stdbool.h>
#include "quire/util.h"

#define QR_HB_FUNCS(X) \
    X(hb_blob_create) X(hb_blob_create_from_file_or_fail) \
    X(hb_blob_destroy) X(hb_blob_get_data) X(hb_blob_get_length) \
    X(hb_buffer_add_utf32) X(hb_buffer_clear_contents) X(hb_buffer_create) \
    X(hb_buffer_destroy) X(hb_buffer_get_glyph_infos) \
    X(hb_buffer_get_glyph_positions) X(hb_buffer_set_segment_properties) \
    X(hb_face_create) X(hb_face_destroy) X(hb_face_get_glyph_count) \
    X(hb_face_get_upem) X(hb_face_reference) X(hb_face_reference_blob) \
    X(hb_face_reference_table) X(hb_font_create) X(hb_font_destroy) \
    X(hb_font_get_glyph_h_advance) X(hb_font_get_h_extents) \
    X(hb_font_get_nominal_glyph) X(hb_font_set_scale) \
    X(hb_language_from_string) X(hb_ot_layout_get_glyph_class) \
    X(hb_ot_name_get_utf8) X(hb_set_add) X(hb_shape) X(hb_version_string)

#define QR_HB_SUBSET_FUNCS(X) \
    X(hb_subset_input_create_or_fail) X(hb_subset_input_destroy) \
    X(hb_subset_input_set) X(hb_subset_input_set_flags) \
    X(hb_subset_input_unicode_set) X(hb_subset_or_fail)

#define QR_FC_FUNCS(X) \
    X(FcConfigBuildFonts) X(FcConfigCreate) X(FcConfigDestroy) \
    X(FcConfigGetConfigFiles) \
    X(FcConfigGetFontDirs) X(FcConfigParseAndLoadFromMemory) \
    X(FcConfigSubstitute) X(FcDefaultSubstitute) X(FcFontMatch) \
    X(FcFontRenderPrepare) X(FcFontSetDestroy) X(FcFontSort) \
    X(FcGetVersion) X(FcInit) X(FcPatternBuild) X(FcPatternDestroy) \
    X(FcPatternGetInteger) X(FcPatternGetString) X(FcPatternGetWithBinding) \
    X(FcStrListDone) X(FcStrListNext)

#define QR_FONTLIB_DECLARE(f) extern __typeof__(f) *qr_dl_##f;
QR_HB_FUNCS(QR_FONTLIB_DECLARE)
QR_HB_SUBSET_FUNCS(QR_FONTLIB_DECLARE)
QR_FC_FUNCS(QR_FONTLIB_DECLARE)
#undef QR_FONTLIB_DECLARE

/* Load fontconfig, or HarfBuzz with its subsetter, once for the process
 * (every caller after the first returns at once, or waits for the first
 * to finish); false when the library cannot be loaded or lacks a function,
 * and then none of its functions may be called. Apart because a warm run
 * needs only HarfBuzz (the font resolution comes from the cache), and a
 * first run guesses its fonts with fontconfig on one thread while the
 * other loads HarfBuzz. */
bool qr_fontlib_fontconfig(void);
bool qr_fontlib_harfbuzz(void);
/* The identity of the HarfBuzz libraries a run loads ("harfbuzz" and a
 * hash of their paths and stamps), for the keys of what the cache keeps
 * of their answers: read from the cache's entry without loading them when
 * it holds, else found by loading them. NULL when they cannot be loaded,
 * or their paths cannot be written into the entry (then nothing they
 * make is worth keeping). Thread-safe (pthread_once). */
const char *qr_fontlib_harfbuzz_id(void);
/* The cache entry of HarfBuzz's identity. */
#define QR_HB_ID_ENTRY "harfbuzz"
/* The entry qr_fontlib_harfbuzz_id keeps, for the libraries loaded now
 * (loaded if need be), appended to e: what `quire fonts` ships. False
 * when they cannot be loaded or named. */
bool qr_fontlib_harfbuzz_entry(qr_buf *e);
/* For render's warm-up thread: HarfBuzz's identity found (qr_fontlib_
 * harfbuzz_id); then, unless it came from the cache's own entry (a first
 * run here, which will measure or subset with it), HarfBuzz loaded too,
 * while the main thread goes on with the identity. Thread-safe. */
void qr_fontlib_warm_up(void);
/* Both (build, before it reads which shared objects make the typesetter). */
bool qr_fontlib_load(void);
/* Why loading one failed, naming the library, or NULL. */
const char *qr_fontlib_error(void);

/* fontlib.c fills the pointers and must see the names undefined */
#ifndef QR_FONTLIB_IMPL
#define hb_blob_create qr_dl_hb_blob_create
#define hb_blob_create_from_file_or_fail qr_dl_hb_blob_create_from_file_or_fail
#define hb_blob_destroy qr_dl_hb_blob_destroy
#define hb_blob_get_data qr_dl_hb_blob_get_data
#define hb_blob_get_length qr_dl_hb_blob_get_length
#define hb_buffer_add_utf32 qr_dl_hb_buffer_add_utf32
#define hb_buffer_clear_contents qr_dl_hb_buffer_clear_contents
#define hb_buffer_create qr_dl_hb_buffer_create
#define hb_buffer_destroy qr_dl_hb_buffer_destroy
#define hb_buffer_get_glyph_infos qr_dl_hb_buffer_get_glyph_infos
#define hb_buffer_get_glyph_positions qr_dl_hb_buffer_get_glyph_positions
#define hb_buffer_set_segment_properties qr_dl_hb_buffer_set_segment_properties
#define hb_face_create qr_dl_hb_face_create
#define hb_face_destroy qr_dl_hb_face_destroy
#define hb_face_get_glyph_count qr_dl_hb_face_get_glyph_count
#define hb_face_get_upem qr_dl_hb_face_get_upem
#define hb_face_reference qr_dl_hb_face_reference
#define hb_face_reference_blob qr_dl_hb_face_reference_blob
#define hb_face_reference_table qr_dl_hb_face_reference_table
#define hb_font_create qr_dl_hb_font_create
#define hb_font_destroy qr_dl_hb_font_destroy
#define hb_font_get_glyph_h_advance qr_dl_hb_font_get_glyph_h_advance
#define hb_font_get_h_extents qr_dl_hb_font_get_h_extents
#define hb_font_get_nominal_glyph qr_dl_hb_font_get_nominal_glyph
#define hb_font_set_scale qr_dl_hb_font_set_scale
#define hb_language_from_string qr_dl_hb_language_from_string
#define hb_ot_layout_get_glyph_class qr_dl_hb_ot_layout_get_glyph_class
#define hb_ot_name_get_utf8 qr_dl_hb_ot_name_get_utf8
#define hb_set_add qr_dl_hb_set_add
#define hb_shape qr_dl_hb_shape
#define hb_version_string qr_dl_hb_version_string
#define hb_subset_input_create_or_fail qr_dl_hb_subset_input_create_or_fail
#define hb_subset_input_destroy qr_dl_hb_subset_input_destroy
#define hb_subset_input_set qr_dl_hb_subset_input_set
#define hb_subset_input_set_flags qr_dl_hb_subset_input_set_flags
#define hb_subset_input_unicode_set qr_dl_hb_subset_input_unicode_set
#define hb_subset_or_fail qr_dl_hb_subset_or_fail
#define FcConfigBuildFonts qr_dl_FcConfigBuildFonts
#define FcConfigCreate qr_dl_FcConfigCreate
#define FcConfigDestroy qr_dl_FcConfigDestroy
#define FcConfigGetConfigFiles qr_dl_FcConfigGetConfigFiles
#define FcConfigGetFontDirs qr_dl_FcConfigGetFontDirs
#define FcConfigParseAndLoadFromMemory qr_dl_FcConfigParseAndLoadFromMemory
#define FcConfigSubstitute qr_dl_FcConfigSubstitute
#define FcDefaultSubstitute qr_dl_FcDefaultSubstitute
#define FcFontMatch qr_dl_FcFontMatch
#define FcFontRenderPrepare qr_dl_FcFontRenderPrepare
#define FcFontSetDestroy qr_dl_FcFontSetDestroy
#define FcFontSort qr_dl_FcFontSort
#define FcGetVersion qr_dl_FcGetVersion
#define FcInit qr_dl_FcInit
#define FcPatternBuild qr_dl_FcPatternBuild
#define FcPatternDestroy qr_dl_FcPatternDestroy
#define FcPatternGetInteger qr_dl_FcPatternGetInteger
#define FcPatternGetString qr_dl_FcPatternGetString
#define FcPatternGetWithBinding qr_dl_FcPatternGetWithBinding
#define FcStrListDone qr_dl_FcStrListDone
#define FcStrListNext qr_dl_FcStrListNext
#endif

#endif
