/* fontlib.c — HarfBuzz, its subsetter and fontconfig, opened once with
 * dlopen (fontlib.h says why). */
#define QR_FONTLIB_IMPL
#include "fontlib.h"
#include "quire/cache.h"
#include "quire/util.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The two HarfBuzz libraries once loaded (qr_fontlib_harfbuzz_id). */
static void *hb_lib, *sub_lib;

static void load_harfbuzz(void)
{
    void *hb = hb_lib = open_lib(QR_HB_SONAME, "libharfbuzz0b", hb_text,
                                 &hb_failure);
    void *sub = sub_lib = hb ? open_lib(QR_HB_SUBSET_SONAME, "libharfbuzz-subset0",
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

/* ---- which HarfBuzz, without loading it ----
 *
 * What HarfBuzz measures and makes of a font file (advances, kerning, a
 * subset) is kept in Quire's cache under the identity of the HarfBuzz that
 * made it; hb_version_string() would name it, but only once the library is
 * loaded (with its ten dependencies: 0.5 ms of processor time and a
 * hundred page faults), which a warm render otherwise never needs. So the
 * identity is where the two libraries were loaded from and each file's
 * stamp, kept in the entry "harfbuzz" with the variables that steer the
 * dynamic linker's search: a run under the same variables loads the same
 * files while their stamps hold, and an upgrade replaces the files (a new
 * inode and time under the same name). `quire fonts` ships the entry
 * with the other tables a first run reads, checked the same way. Not
 * seen: a second HarfBuzz installed elsewhere and made the system's by
 * ldconfig while the first stays as it was; stamping /etc/ld.so.cache
 * would see it, but every package install rewrites that file and would
 * make every entry, and the tables `quire fonts` ships, read as stale. */

#define HB_ID_FORMAT 1

static const char *const ld_env[] = {"LD_LIBRARY_PATH", "LD_PRELOAD", NULL};

/* The absolute path lib was loaded from, or NULL. */
static const char *lib_path(void *lib)
{
    struct link_map *lm = NULL;
    if (!lib || dlinfo(lib, RTLD_DI_LINKMAP, &lm) != 0 || !lm ||
        !lm->l_name || lm->l_name[0] != '/')
        return NULL;
    return lm->l_name;
}

/* The entry for the libraries at hb and sub as they are now; false when
 * a path or variable holds a line end (the entry is lines). */
static bool id_entry(qr_buf *e, const char *hb, const char *sub)
{
    qr_buf_printf(e, "quire harfbuzz %d\n", HB_ID_FORMAT);
    for (const char *const *env = ld_env; *env; env++) {
        const char *v = getenv(*env);
        if (v && strpbrk(v, "\n\r")) return false;
        qr_buf_printf(e, "%s=%s\n", *env, v ? v : "");
    }
    if (strpbrk(hb, "\n\r") || strpbrk(sub, "\n\r")) return false;
    qr_cache_stamp(e, hb);
    qr_cache_stamp(e, sub);
    return true;
}

/* Line n (from 0) of data, copied (caller frees), or NULL. */
static char *line_of(const char *data, size_t len, int n)
{
    const char *s = data, *end = data + len;
    for (; n > 0 && s < end; n--) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl) return NULL;
        s = nl + 1;
    }
    const char *nl = s < end ? memchr(s, '\n', (size_t)(end - s)) : NULL;
    return nl ? qr_xstrndup(s, (size_t)(nl - s)) : NULL;
}

static pthread_once_t id_once = PTHREAD_ONCE_INIT;
static char hb_id[32];          /* "harfbuzz " and 16 hex digits, or "" */
static bool id_cached;          /* found in the cache's own entry */

static void set_id(const qr_buf *e)
{
    snprintf(hb_id, sizeof hb_id, "harfbuzz %016llx",
             (unsigned long long)qr_filehash_of(e->data, e->len));
}

/* Whether data[0..len) is the entry of the libraries it names as they
 * are now: made again from its paths, it is the same byte for byte (no
 * checksum needed). */
static bool id_holds(const char *data, size_t len)
{
    int lines = 1 + (int)(sizeof ld_env / sizeof *ld_env) - 1;
    char *hb = data ? line_of(data, len, lines) : NULL;
    char *sub = data ? line_of(data, len, lines + 2) : NULL;
    qr_buf e;
    qr_buf_init(&e);
    bool ok = hb && sub && id_entry(&e, hb, sub) && e.len == len &&
              memcmp(e.data, data, len) == 0;
    if (ok) set_id(&e);
    qr_buf_free(&e);
    free(hb);
    free(sub);
    return ok;
}

bool qr_fontlib_harfbuzz_entry(qr_buf *e)
{
    return qr_fontlib_harfbuzz() && lib_path(hb_lib) && lib_path(sub_lib) &&
           id_entry(e, lib_path(hb_lib), lib_path(sub_lib));
}

static void find_id(void)
{
    size_t len = 0;
    char *data = qr_cache_read(QR_HB_ID_ENTRY, &len);
    id_cached = id_holds(data, len);
    free(data);
    if (!id_cached) {
        /* the shipped one, taken into the cache: a later run finds it
         * there, and knows it is not a first run (qr_fontlib_warm_up) */
        data = qr_cache_read_shipped(QR_HB_ID_ENTRY, &len);
        if (id_holds(data, len)) qr_cache_write_checked(QR_HB_ID_ENTRY, data, len);
        free(data);
    }
    qr_buf e;
    qr_buf_init(&e);
    if (!hb_id[0] && qr_fontlib_harfbuzz_entry(&e)) {
        qr_cache_write_checked(QR_HB_ID_ENTRY, e.data, e.len);
        set_id(&e);
    }
    qr_buf_free(&e);
}

const char *qr_fontlib_harfbuzz_id(void)
{
    pthread_once(&id_once, find_id);
    return hb_id[0] ? hb_id : NULL;
}

void qr_fontlib_warm_up(void)
{
    qr_fontlib_harfbuzz_id();
    if (!id_cached) qr_fontlib_harfbuzz();
}
