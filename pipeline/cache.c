/* cache.c — the cache directory (cache.h). */
#include "quire/cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAX_BYTES (64u * 1024 * 1024)    /* larger is not ours */

/* QUIRE_NO_CACHE=1: no cache entry and no shipped image is read, so that
 * every run compiles what it needs afresh (the tests' reference). */
static bool cache_off(void)
{
    const char *off = getenv("QUIRE_NO_CACHE");
    return off && *off && strcmp(off, "0") != 0;
}

/* The directory, without creating it; NULL when off. Caller frees. */
static char *cache_dir(void)
{
    if (cache_off()) return NULL;
    const char *dir = getenv("QUIRE_CACHE_DIR");
    if (dir && *dir) return qr_xstrdup(dir);
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && xdg[0] == '/') return qr_xasprintf("%s/quire", xdg);
    const char *home = getenv("HOME");
    if (home && home[0] == '/') return qr_xasprintf("%s/.cache/quire", home);
    return NULL;
}

char *qr_cache_path(const char *name)
{
    char *dir = cache_dir();
    if (!dir) return NULL;
    char *p = qr_xasprintf("%s/%s", dir, name);
    free(dir);
    return p;
}

char *qr_cache_read(const char *name, size_t *len)
{
    char *p = qr_cache_path(name);
    if (!p) return NULL;
    char *data = qr_read_file(p, len, CACHE_MAX_BYTES);
    free(p);
    return data;
}

/* The folder quire's executable is in, symbolic links resolved (so that
 * /usr/bin/quire linked to /opt/quire/bin/quire finds /opt/quire/share);
 * NULL when /proc is not mounted. Found once and kept for the process
 * (the executable a process runs does not move under it): realpath is
 * eight readlink calls, and a run looks for half a dozen shipped files. */
static pthread_once_t exe_once = PTHREAD_ONCE_INIT;
static char *exe_folder;

static void find_exe_dir(void)
{
    char *exe = realpath("/proc/self/exe", NULL);
    if (!exe) return;
    exe_folder = qr_path_dir(exe);
    free(exe);
}

static const char *exe_dir(void)
{
    pthread_once(&exe_once, find_exe_dir);
    return exe_folder;
}

char *qr_cache_shipped_path(const char *name)
{
    if (cache_off()) return NULL;
    const char *bin = exe_dir();
    if (!bin) return NULL;
    char *beside = qr_path_join(bin, name);
    if (access(beside, F_OK) == 0) return beside;
    free(beside);
    char *share = qr_path_join(bin, QR_SHIPPED_DIR);
    char *installed = qr_path_join(share, name);
    free(share);
    return installed;
}

char *qr_cache_read_shipped(const char *name, size_t *len)
{
    char *p = qr_cache_shipped_path(name);
    char *data = p ? qr_read_file(p, len, CACHE_MAX_BYTES) : NULL;
    free(p);
    return data;
}

static bool cache_write(const char *name, const void *data, size_t len,
                        bool sync)
{
    char *dir = cache_dir();
    if (!dir) return false;
    char *p = qr_xasprintf("%s/%s", dir, name);
    bool (*put)(const char *, const void *, size_t) =
        sync ? qr_write_atomic : qr_write_atomic_nosync;
    /* the folder made only when the write finds it missing: a run writes
     * a dozen entries, and made each time it was two to four mkdir calls
     * each */
    bool ok = put(p, data, len);
    if (!ok && errno == ENOENT && qr_make_dirs(dir, 0700))  /* the user's own */
        ok = put(p, data, len);
    free(p);
    free(dir);
    return ok;
}

bool qr_cache_write(const char *name, const void *data, size_t len)
{
    return cache_write(name, data, len, true);
}

bool qr_cache_write_checked(const char *name, const void *data, size_t len)
{
    return cache_write(name, data, len, false);
}

void qr_cache_stamp(qr_buf *key, const char *path)
{
    struct stat sb;
    qr_buf_puts(key, path);
    if (stat(path, &sb) != 0) {
        qr_buf_puts(key, "\n-\n");
        return;
    }
    qr_buf_printf(key, "\n%lld %lld.%09ld %llu\n", (long long)sb.st_size,
                  (long long)sb.st_mtim.tv_sec, (long)sb.st_mtim.tv_nsec,
                  (unsigned long long)sb.st_ino);
}
