/* version.c — library versions for `quire --version` (version.h).
 *
 * The one module besides pdf.c that includes hpdf.h: it asks libharu for
 * its version string and nothing else. HarfBuzz and fontconfig are asked
 * through fontlib.h, which opens them. */
#include "quire/version.h"

#include "quire/serve.h"
#include "fontlib.h"

#include <cjson/cJSON.h>
#include <cmark-gfm.h>
#include <hpdf.h>
#include <libdeflate.h>
#include <microhttpd.h>
#include <png.h>
#include <string.h>

/* Set by the Makefile from pkg-config and dpkg-query when Quire is built;
 * empty when built some other way (the fuzz targets, for one). */
#ifndef QR_UNIBREAK_BUILT_VERSION
#define QR_UNIBREAK_BUILT_VERSION ""
#endif
#ifndef QR_HYPHEN_BUILT_VERSION
#define QR_HYPHEN_BUILT_VERSION ""
#endif

static void put(qr_lib_version *v, const char *name, const char *built,
                const char *running, const char *from)
{
    v->name = name;
    snprintf(v->built, sizeof v->built, "%s", built ? built : "");
    snprintf(v->running, sizeof v->running, "%s", running ? running : "");
    v->built_from = from;
}

/* fontconfig's FcGetVersion and FC_VERSION are major*10000 + minor*100 +
 * revision. */
static void fc_string(int v, char *out, size_t n)
{
    snprintf(out, n, "%d.%d.%d", v / 10000, v / 100 % 100, v % 100);
}

void qr_lib_versions(qr_lib_version out[QR_NLIBS])
{
    char b[QR_LIB_VERSION_MAX], r[QR_LIB_VERSION_MAX];
    int i = 0;
    put(&out[i++], "libharu", HPDF_VERSION_TEXT, HPDF_GetVersion(), "headers");
    snprintf(b, sizeof b, "%d.%d.%d", CJSON_VERSION_MAJOR, CJSON_VERSION_MINOR,
             CJSON_VERSION_PATCH);
    put(&out[i++], "cJSON", b, cJSON_Version(), "headers");
    put(&out[i++], "cmark-gfm", CMARK_GFM_VERSION_STRING,
        cmark_version_string(), "headers");
    /* opened on first use too (fontlib.c) */
    put(&out[i++], "HarfBuzz", HB_VERSION_STRING,
        qr_fontlib_harfbuzz() ? hb_version_string() : "not loadable",
        "headers");
    fc_string(FC_VERSION, b, sizeof b);
    bool fc = qr_fontlib_fontconfig();
    if (fc) fc_string(FcGetVersion(), r, sizeof r);
    put(&out[i++], "fontconfig", b, fc ? r : "not loadable", "headers");
    put(&out[i++], "libpng", PNG_LIBPNG_VER_STRING, png_get_libpng_ver(NULL),
        "headers");
    put(&out[i++], "libunibreak", QR_UNIBREAK_BUILT_VERSION, NULL,
        "pkg-config");
    put(&out[i++], "libhyphen", QR_HYPHEN_BUILT_VERSION, NULL,
        "Debian package");
    put(&out[i++], "libdeflate", LIBDEFLATE_VERSION_STRING, NULL, "headers");
    /* MHD_VERSION is 0xMMmmpp00 in hex digits that read as the version */
    snprintf(b, sizeof b, "%x.%x.%x", (unsigned)(MHD_VERSION >> 24) & 0xff,
             (unsigned)(MHD_VERSION >> 16) & 0xff,
             (unsigned)(MHD_VERSION >> 8) & 0xff);
    /* opened on first use (serve.c): NULL here says it cannot be loaded */
    const char *mhd = qr_serve_library_version();
    put(&out[i++], "libmicrohttpd", b, mhd ? mhd : "not loadable", "headers");
}

void qr_version_print(FILE *f, const char *quire_version)
{
    qr_lib_version v[QR_NLIBS];
    qr_lib_versions(v);
    fprintf(f, "quire %s\n", quire_version);
    fprintf(f, "%-13s %-26s %s\n", "library", "built with", "running with");
    for (int i = 0; i < QR_NLIBS; i++) {
        const char *built = v[i].built[0] ? v[i].built : "unknown";
        char note[64] = "";
        if (strcmp(v[i].built_from, "headers") != 0)
            snprintf(note, sizeof note, " (%s)", v[i].built_from);
        char col[QR_LIB_VERSION_MAX + sizeof note];
        snprintf(col, sizeof col, "%s%s", built, note);
        fprintf(f, "%-13s %-26s %s\n", v[i].name, col,
                v[i].running[0] ? v[i].running : "(no run-time query)");
    }
}
