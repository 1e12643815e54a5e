/* fontlib.c — HarfBuzz, its subsetter and fontconfig, opened once with
 * dlopen (fontlib.h says why). */
#define QR_FONTLIB_IMPL
#include "fontlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define QR_FONTLIB_DEFINE(f) __typeof__(f) *qr_dl_##f;
QR_HB_FUNCS(QR_FONTLIB_DEFINE)
QR_HB_SUBSET_FUNCS(QR_FONTLIB_DEFINE)
QR_FC_FUNCS(QR_FONTLIB_DEFINE)
#undef QR_FONTLIB_DEFINE

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *failure;         /* NULL once loaded */
static char failure_text[512];

/* Open soname (RTLD_LAZY: its own calls bind as a linked library's would,
 * when first made); on failure say which library and why, naming the
 * Debian package that provides it. */
static void *open_lib(const char *soname, const char *package)
{
    void *lib = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(failure_text, sizeof failure_text,
                 "cannot load %s: %s (Debian: apt-get install %s)", soname,
                 why ? why : "not found", package);
        failure = failure_text;
    }
    return lib;
}

static void missing(const char *soname, const char *f)
{
    snprintf(failure_text, sizeof failure_text, "%s has no %s", soname, f);
    failure = failure_text;
}

static void load_once(void)
{
    void *fc = open_lib(QR_FC_SONAME, "libfontconfig1");
    void *hb = fc ? open_lib(QR_HB_SONAME, "libharfbuzz0b") : NULL;
    void *sub = hb ? open_lib(QR_HB_SUBSET_SONAME, "libharfbuzz-subset0")
                   : NULL;
    if (!sub) return;
    /* each function of each list from its own library */
#define SYM(lib, soname, f)                                                  \
    if (!failure && !(qr_dl_##f = (__typeof__(qr_dl_##f))dlsym(lib, #f)))    \
        missing(soname, #f);
#define FROM_HB(f) SYM(hb, QR_HB_SONAME, f)
#define FROM_SUB(f) SYM(sub, QR_HB_SUBSET_SONAME, f)
#define FROM_FC(f) SYM(fc, QR_FC_SONAME, f)
    QR_HB_FUNCS(FROM_HB)
    QR_HB_SUBSET_FUNCS(FROM_SUB)
    QR_FC_FUNCS(FROM_FC)
#undef FROM_HB
#undef FROM_SUB
#undef FROM_FC
#undef SYM
}

bool qr_fontlib_load(void)
{
    pthread_once(&once, load_once);
    return !failure;
}

const char *qr_fontlib_error(void)
{
    pthread_once(&once, load_once);
    return failure;
}
