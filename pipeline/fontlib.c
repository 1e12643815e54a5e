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

/* Each library's first failure, NULL once loaded (or not yet tried). */
static const char *fc_failure, *hb_failure;
static char fc_text[512], hb_text[512];

/* Open soname (RTLD_LAZY: its own calls bind as a linked library's would,
 * when first made); on failure say which library and why, naming the
 * Debian package that provides it, in text (*failure points to it). */
static void *open_lib(const char *soname, const char *package, char *text,
                      const char **failure)
{
    void *lib = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(text, 512, "cannot load %s: %s (Debian: apt-get install %s)",
                 soname, why ? why : "not found", package);
        *failure = text;
    }
    return lib;
}

/* each function of each list from its own library, or the first missing
 * one named */
#define SYM(lib, soname, f, text, failure)                                   \
    if (!failure && !(qr_dl_##f = (__typeof__(qr_dl_##f))dlsym(lib, #f))) { \
        snprintf(text, 512, "%s has no %s", soname, #f);                     \
        failure = text;                                                      \
    }

static void load_fontconfig(void)
{
    void *fc = open_lib(QR_FC_SONAME, "libfontconfig1", fc_text, &fc_failure);
    if (!fc) return;
#define FROM_FC(f) SYM(fc, QR_FC_SONAME, f, fc_text, fc_failure)
    QR_FC_FUNCS(FROM_FC)
#undef FROM_FC
}

static void load_harfbuzz(void)
{
    void *hb = open_lib(QR_HB_SONAME, "libharfbuzz0b", hb_text, &hb_failure);
    void *sub = hb ? open_lib(QR_HB_SUBSET_SONAME, "libharfbuzz-subset0",
                              hb_text, &hb_failure)
                   : NULL;
    if (!sub) return;
#define FROM_HB(f) SYM(hb, QR_HB_SONAME, f, hb_text, hb_failure)
#define FROM_SUB(f) SYM(sub, QR_HB_SUBSET_SONAME, f, hb_text, hb_failure)
    QR_HB_FUNCS(FROM_HB)
    QR_HB_SUBSET_FUNCS(FROM_SUB)
#undef FROM_HB
#undef FROM_SUB
}
#undef SYM

static pthread_once_t fc_once = PTHREAD_ONCE_INIT;
static pthread_once_t hb_once = PTHREAD_ONCE_INIT;

bool qr_fontlib_fontconfig(void)
{
    pthread_once(&fc_once, load_fontconfig);
    return !fc_failure;
}

bool qr_fontlib_harfbuzz(void)
{
    pthread_once(&hb_once, load_harfbuzz);
    return !hb_failure;
}

bool qr_fontlib_load(void)
{
    bool hb = qr_fontlib_harfbuzz();
    return qr_fontlib_fontconfig() && hb;
}

const char *qr_fontlib_error(void)
{
    return hb_failure ? hb_failure : fc_failure;
}
