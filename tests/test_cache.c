/* Unit tests for Quire's cache (cache.c) and what it holds: the compiled
 * hyphenation image (hyphdict.c) and the font resolution (fonts.c). Every
 * test works in its own temporary cache directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "quire/cache.h"
#include "quire/diag.h"
#include "quire/fonts.h"
#include "quire/style.h"
#include "quire/util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include "../pipeline/hyphdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DICT "/usr/share/hyphen/hyph_en_GB.dic"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/quire-cache-test-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    setenv("QUIRE_CACHE_DIR", dir, 1);
    unsetenv("QUIRE_NO_CACHE");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = qr_xasprintf("rm -rf '%s'", dir);
    int rc = system(cmd);
    free(cmd);
    return rc == 0 ? 0 : -1;
}

static void write_text(const char *path, const char *s)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(s, f);
    fclose(f);
}

/* One more comment line at the end of a dictionary: another size and
 * time, the same patterns. */
static void add_comment(const char *path)
{
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs("% edited\n", f);
    fclose(f);
}

/* ---- the directory ---- */

static void test_where(void **state)
{
    (void)state;
    char *p = qr_cache_path("x");
    char *want = qr_xasprintf("%s/x", dir);
    assert_string_equal(p, want);
    free(p);
    free(want);

    setenv("QUIRE_NO_CACHE", "1", 1);
    assert_null(qr_cache_path("x"));
    assert_false(qr_cache_write("x", "a", 1));
    setenv("QUIRE_NO_CACHE", "0", 1);           /* "0" means on */
    p = qr_cache_path("x");
    assert_non_null(p);
    free(p);
    unsetenv("QUIRE_NO_CACHE");

    /* without QUIRE_CACHE_DIR: $XDG_CACHE_HOME/quire, else ~/.cache/quire */
    unsetenv("QUIRE_CACHE_DIR");
    char *oldx = getenv("XDG_CACHE_HOME") ? qr_xstrdup(getenv("XDG_CACHE_HOME")) : NULL;
    char *oldh = getenv("HOME") ? qr_xstrdup(getenv("HOME")) : NULL;
    setenv("XDG_CACHE_HOME", "/xdg", 1);
    p = qr_cache_path("y");
    assert_string_equal(p, "/xdg/quire/y");
    free(p);
    unsetenv("XDG_CACHE_HOME");
    setenv("HOME", "/home/officer", 1);
    p = qr_cache_path("y");
    assert_string_equal(p, "/home/officer/.cache/quire/y");
    free(p);
    unsetenv("HOME");
    assert_null(qr_cache_path("y"));            /* nowhere to put it */
    if (oldx) setenv("XDG_CACHE_HOME", oldx, 1);
    if (oldh) setenv("HOME", oldh, 1);
    free(oldx);
    free(oldh);
    setenv("QUIRE_CACHE_DIR", dir, 1);
}

static void test_write_read(void **state)
{
    (void)state;
    char *nested = qr_xasprintf("%s/a/b", dir);
    setenv("QUIRE_CACHE_DIR", nested, 1);
    assert_true(qr_cache_write("entry", "hello\0world", 11));
    size_t n = 0;
    char *got = qr_cache_read("entry", &n);
    assert_non_null(got);
    assert_int_equal(n, 11);
    assert_memory_equal(got, "hello\0world", 11);
    free(got);
    assert_null(qr_cache_read("absent", &n));
    struct stat sb;
    assert_int_equal(stat(nested, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);  /* private to the user */
    setenv("QUIRE_CACHE_DIR", dir, 1);
    free(nested);
}

static void test_stamp(void **state)
{
    (void)state;
    char *f = qr_xasprintf("%s/source", dir);
    qr_buf a, b, c;
    qr_buf_init(&a);
    qr_buf_init(&b);
    qr_buf_init(&c);
    qr_cache_stamp(&a, f);
    char *absent = qr_xasprintf("%s\n-\n", f);
    assert_string_equal(a.data, absent);
    write_text(f, "one");
    qr_cache_stamp(&b, f);
    assert_string_not_equal(a.data, b.data);
    write_text(f, "three");                     /* another size */
    qr_cache_stamp(&c, f);
    assert_string_not_equal(b.data, c.data);
    qr_buf_free(&a);
    qr_buf_free(&b);
    qr_buf_free(&c);
    free(absent);
    free(f);
}

/* ---- the hyphenation image ---- */

static const char *const words[] = {
    "recommendations", "improvement", "safeguarding", "inspection",
    "children", "independent", "partnership", "accommodation",
    "effectiveness", "requirement", "experiences", "management",
    "contextual", "exploitation", "multiagency", "assessment",
    "practitioners", "supervision", "consistently", "understanding",
};

/* Every word's hyphen vector from a and b is the same, and some word has
 * a hyphenation point at all (the dictionary did something). */
static void same_hyphens(HyphenDict *a, HyphenDict *b)
{
    int points = 0;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        int len = (int)strlen(words[i]);
        char ha[80] = {0}, hb[80] = {0};
        char **rep = NULL;
        int *pos = NULL, *cut = NULL;
        hnj_hyphen_hyphenate2(a, words[i], len, ha, NULL, &rep, &pos, &cut);
        free(rep);
        free(pos);
        free(cut);
        rep = NULL;
        pos = cut = NULL;
        hnj_hyphen_hyphenate2(b, words[i], len, hb, NULL, &rep, &pos, &cut);
        free(rep);
        free(pos);
        free(cut);
        assert_memory_equal(ha, hb, (size_t)len);
        for (int k = 0; k < len; k++) points += ha[k] & 1;
    }
    assert_true(points > 10);
}

static void test_hyph_image(void **state)
{
    (void)state;
    qr_hyph first, second;
    qr_hyph_load(&first, DICT);
    assert_non_null(first.dict);
    assert_int_equal(first.from, QR_HYPH_COMPILED);
    qr_hyph_load(&second, DICT);
    assert_non_null(second.dict);
    assert_int_equal(second.from, QR_HYPH_CACHE);
    same_hyphens(first.dict, second.dict);

    /* off: the dictionary file every time, nothing read */
    setenv("QUIRE_NO_CACHE", "1", 1);
    qr_hyph third;
    qr_hyph_load(&third, DICT);
    assert_int_equal(third.from, QR_HYPH_COMPILED);
    same_hyphens(first.dict, third.dict);
    unsetenv("QUIRE_NO_CACHE");

    /* the image is the same bytes every time it is made (no padding or
     * unset fields from libhyphen's heap) */
    size_t n1 = 0, n2 = 0;
    char *img1 = qr_cache_read("hyph_en_GB.dic.image", &n1);
    char *other = qr_xasprintf("%s/again", dir);
    setenv("QUIRE_CACHE_DIR", other, 1);
    qr_hyph fourth;
    qr_hyph_load(&fourth, DICT);
    assert_int_equal(fourth.from, QR_HYPH_COMPILED);
    char *img2 = qr_cache_read("hyph_en_GB.dic.image", &n2);
    assert_non_null(img1);
    assert_non_null(img2);
    assert_int_equal(n1, n2);
    assert_memory_equal(img1, img2, n1);
    setenv("QUIRE_CACHE_DIR", dir, 1);
    free(img1);
    free(img2);
    free(other);
    qr_hyph_free(&fourth);
    qr_hyph_free(&first);
    qr_hyph_free(&second);
    qr_hyph_free(&third);
}

/* Damage one byte of the cached image at a time: never used, never a
 * crash (the checksum and bounds checks), and rebuilt. */
static void test_hyph_image_damaged(void **state)
{
    (void)state;
    qr_hyph h;
    qr_hyph_load(&h, DICT);
    qr_hyph_free(&h);
    size_t n = 0;
    char *img = qr_cache_read("hyph_en_GB.dic.image", &n);
    assert_non_null(img);
    assert_true(n > 100000);
    size_t at[] = {0, 40, n / 3, n / 2, n - 9, n - 1};
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        char *bad = qr_xmalloc(n);
        memcpy(bad, img, n);
        bad[at[i]] ^= 0x5A;
        assert_true(qr_cache_write("hyph_en_GB.dic.image", bad, n));
        free(bad);
        qr_hyph d;
        qr_hyph_load(&d, DICT);
        assert_non_null(d.dict);
        assert_int_equal(d.from, QR_HYPH_COMPILED);
        qr_hyph_free(&d);
        /* and the rebuilt image is good again */
        qr_hyph_load(&d, DICT);
        assert_int_equal(d.from, QR_HYPH_CACHE);
        qr_hyph_free(&d);
    }
    /* truncated */
    assert_true(qr_cache_write("hyph_en_GB.dic.image", img, n / 2));
    qr_hyph_load(&h, DICT);
    assert_int_equal(h.from, QR_HYPH_COMPILED);
    qr_hyph_free(&h);
    free(img);
}

/* An image made from one dictionary file is not used for it once the file
 * changes. */
static void test_hyph_image_stale(void **state)
{
    (void)state;
    char *copy = qr_xasprintf("%s/hyph_en_GB.dic", dir);
    size_t n = 0;
    char *dic = qr_read_file(DICT, &n, 0);
    assert_non_null(dic);
    assert_true(qr_write_atomic(copy, dic, n));
    qr_hyph h;
    qr_hyph_load(&h, copy);
    qr_hyph_free(&h);
    qr_hyph_load(&h, copy);
    assert_int_equal(h.from, QR_HYPH_CACHE);
    qr_hyph_free(&h);
    /* another size and time */
    add_comment(copy);
    qr_hyph_load(&h, copy);
    assert_int_equal(h.from, QR_HYPH_COMPILED);
    qr_hyph_free(&h);
    /* edited in place to the same size, its time put back: the bytes
     * differ, so the image made from the old ones is not used */
    qr_hyph_load(&h, copy);
    assert_int_equal(h.from, QR_HYPH_CACHE);
    qr_hyph_free(&h);
    struct stat before;
    assert_int_equal(stat(copy, &before), 0);
    FILE *f = fopen(copy, "r+");
    assert_non_null(f);
    assert_int_equal(fseek(f, -3, SEEK_END), 0);
    fputs("ed2", f);  /* the last three bytes, same size */
    fclose(f);
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, copy, times, 0), 0);
    qr_hyph_load(&h, copy);
    assert_int_equal(h.from, QR_HYPH_COMPILED);
    qr_hyph_free(&h);
    free(dic);
    free(copy);
}

/* ---- the image shipped with quire (made by make and make install) ---- */

/* Where the shipped image is looked for: beside the executable when there
 * is one there, else ../share/quire from the executable's folder; nowhere
 * when the cache is off. */
static void test_shipped_path(void **state)
{
    (void)state;
    char *exe = realpath("/proc/self/exe", NULL);
    assert_non_null(exe);
    char *bin = qr_path_dir(exe);
    char *prefix = qr_path_dir(bin);
    char *want = qr_xasprintf("%s/share/quire/no-such.image", prefix);
    char *p = qr_cache_shipped_path("no-such.image");
    assert_string_equal(p, want);
    free(p);
    /* a file of that name beside the executable (this test binary) wins */
    char *beside = qr_xasprintf("%s/shipped-%d.image", bin, (int)getpid());
    char *name = qr_xasprintf("shipped-%d.image", (int)getpid());
    write_text(beside, "x");
    p = qr_cache_shipped_path(name);
    assert_string_equal(p, beside);
    free(p);
    unlink(beside);
    setenv("QUIRE_NO_CACHE", "1", 1);
    assert_null(qr_cache_shipped_path("no-such.image"));
    unsetenv("QUIRE_NO_CACHE");
    free(name);
    free(beside);
    free(want);
    free(prefix);
    free(bin);
    free(exe);
}

/* The image quire hyphenation writes, in dir/shipped (caller frees). */
static char *write_shipped(const char *dict)
{
    char *path = qr_xasprintf("%s/shipped.image", dir);
    assert_true(qr_hyph_write_image(dict, path));
    return path;
}

/* An empty cache and a good shipped image: the image is used, the cache
 * is not written, and it hyphenates as the compiled dictionary does. */
static void test_hyph_shipped(void **state)
{
    (void)state;
    char *shipped = write_shipped(DICT);
    qr_hyph h, compiled;
    qr_hyph_load_from(&h, DICT, shipped);
    assert_non_null(h.dict);
    assert_int_equal(h.from, QR_HYPH_SHIPPED);
    size_t n = 0;
    assert_null(qr_cache_read("hyph_en_GB.dic.image", &n));
    setenv("QUIRE_NO_CACHE", "1", 1);
    qr_hyph_load_from(&compiled, DICT, NULL);
    unsetenv("QUIRE_NO_CACHE");
    assert_int_equal(compiled.from, QR_HYPH_COMPILED);
    same_hyphens(h.dict, compiled.dict);
    qr_hyph_free(&h);
    qr_hyph_free(&compiled);

    /* byte for byte the image a first run writes to the cache */
    qr_hyph_load_from(&h, DICT, NULL);
    assert_int_equal(h.from, QR_HYPH_COMPILED);
    qr_hyph_free(&h);
    size_t ns = 0;
    char *a = qr_cache_read("hyph_en_GB.dic.image", &n);
    char *b = qr_read_file(shipped, &ns, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(n, ns);
    assert_memory_equal(a, b, n);
    /* and with a good image in the cache too, the cache's is taken */
    qr_hyph_load_from(&h, DICT, shipped);
    assert_int_equal(h.from, QR_HYPH_CACHE);
    qr_hyph_free(&h);
    free(a);
    free(b);
    free(shipped);
}

/* A damaged shipped image is never used (nor a crash): the dictionary is
 * compiled, its image goes to the cache, and the next run reads that. */
static void test_hyph_shipped_damaged(void **state)
{
    (void)state;
    char *shipped = write_shipped(DICT);
    size_t n = 0;
    char *img = qr_read_file(shipped, &n, 0);
    assert_non_null(img);
    size_t at[] = {0, 40, n / 3, n / 2, n - 9, n - 1};
    char *cached = qr_cache_path("hyph_en_GB.dic.image");
    for (size_t i = 0; i <= sizeof at / sizeof *at; i++) {
        unlink(cached);
        char *bad = qr_xmalloc(n);
        memcpy(bad, img, n);
        size_t len = n;
        if (i < sizeof at / sizeof *at) bad[at[i]] ^= 0x5A;
        else len = n / 2;                       /* last: truncated */
        assert_true(qr_write_atomic(shipped, bad, len));
        free(bad);
        qr_hyph h;
        qr_hyph_load_from(&h, DICT, shipped);
        assert_non_null(h.dict);
        assert_int_equal(h.from, QR_HYPH_COMPILED);
        qr_hyph_free(&h);
        qr_hyph_load_from(&h, DICT, shipped);
        assert_int_equal(h.from, QR_HYPH_CACHE);
        qr_hyph_free(&h);
    }
    free(cached);
    free(img);
    free(shipped);
}

/* A shipped image made from the dictionary before an upgrade (here: the
 * same bytes, a new time; then a new inode) is stale: compiled, cached. */
static void test_hyph_shipped_stale(void **state)
{
    (void)state;
    char *copy = qr_xasprintf("%s/hyph_en_GB.dic", dir);
    size_t n = 0;
    char *dic = qr_read_file(DICT, &n, 0);
    assert_non_null(dic);
    assert_true(qr_write_atomic(copy, dic, n));
    char *shipped = write_shipped(copy);
    qr_hyph h;
    qr_hyph_load_from(&h, copy, shipped);
    assert_int_equal(h.from, QR_HYPH_SHIPPED);
    qr_hyph_free(&h);
    struct timespec times[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
    assert_int_equal(utimensat(AT_FDCWD, copy, times, 0), 0);
    qr_hyph_load_from(&h, copy, shipped);
    assert_int_equal(h.from, QR_HYPH_COMPILED);
    qr_hyph_free(&h);
    qr_hyph_load_from(&h, copy, shipped);
    assert_int_equal(h.from, QR_HYPH_CACHE);
    qr_hyph_free(&h);
    /* reinstalled as a package manager does (dpkg writes a new file and
     * renames it: a new inode and time): the image made before is stale */
    free(shipped);
    shipped = write_shipped(copy);
    assert_true(qr_write_atomic(copy, dic, n));
    char *cached = qr_cache_path("hyph_en_GB.dic.image");
    unlink(cached);
    qr_hyph_load_from(&h, copy, shipped);
    assert_int_equal(h.from, QR_HYPH_COMPILED);
    qr_hyph_free(&h);
    free(cached);
    free(shipped);
    free(dic);
    free(copy);
}

/* The key alone (qr_hyph_key) is the key qr_hyph_load makes, without the
 * dictionary; loading later under it (qr_hyph_load_keyed) gives the same
 * machine and keeps that key, even when the file changed in between: the
 * image made under the old key is taken, not one for the new file. */
static void test_hyph_key(void **state)
{
    (void)state;
    qr_hyph full, k;
    qr_hyph_load(&full, DICT);
    assert_non_null(full.dict);
    assert_true(qr_hyph_key(&k, DICT));
    assert_null(k.dict);
    assert_null(k.image);
    assert_non_null(k.key);
    assert_string_equal(k.key, full.key);
    const char *key = k.key;
    qr_hyph_load_keyed(&k, DICT);
    assert_non_null(k.dict);
    assert_int_equal(k.from, QR_HYPH_CACHE);
    assert_ptr_equal(k.key, key);
    same_hyphens(full.dict, k.dict);
    /* loaded already: nothing more */
    HyphenDict *d = k.dict;
    qr_hyph_load_keyed(&k, DICT);
    assert_ptr_equal(k.dict, d);
    qr_hyph_free(&k);
    qr_hyph_free(&full);

    char *copy = qr_xasprintf("%s/keyed.dic", dir);
    size_t n = 0;
    char *dic = qr_read_file(DICT, &n, 0);
    assert_non_null(dic);
    assert_true(qr_write_atomic(copy, dic, n));
    qr_hyph_load(&full, copy);              /* its image, in the cache */
    assert_int_equal(full.from, QR_HYPH_COMPILED);
    assert_true(qr_hyph_key(&k, copy));
    assert_string_equal(k.key, full.key);
    add_comment(copy);
    qr_hyph_load_keyed(&k, copy);
    assert_int_equal(k.from, QR_HYPH_CACHE);
    assert_string_equal(k.key, full.key);
    same_hyphens(full.dict, k.dict);
    qr_hyph_free(&k);
    /* made afresh, the key is the edited file's */
    assert_true(qr_hyph_key(&k, copy));
    assert_string_not_equal(k.key, full.key);
    qr_hyph_free(&k);
    qr_hyph_free(&full);

    /* no dictionary: no key, and nothing to load under it */
    char *absent = qr_xasprintf("%s/absent.dic", dir);
    assert_false(qr_hyph_key(&k, absent));
    assert_null(k.key);
    qr_hyph_load_keyed(&k, absent);
    assert_null(k.dict);
    qr_hyph_free(&k);
    free(absent);
    free(dic);
    free(copy);
}

/* No dictionary: no image written, and loading it is no hyphenation. */
static void test_hyph_write_missing(void **state)
{
    (void)state;
    char *absent = qr_xasprintf("%s/absent.dic", dir);
    char *out = qr_xasprintf("%s/absent.image", dir);
    assert_false(qr_hyph_write_image(absent, out));
    assert_int_equal(access(out, F_OK), -1);
    qr_hyph h;
    qr_hyph_load_from(&h, absent, out);
    assert_null(h.dict);
    qr_hyph_free(&h);
    free(out);
    free(absent);
}

/* ---- the font resolution ---- */

static qr_fonts *load_default(qr_diags *d)
{
    qr_style st;
    qr_style_default(&st);
    return qr_fonts_load(&st, d);
}

/* The last line of the font entry, "sum HEX\n", and its checksum: the
 * same as fonts.c's, so that a test can forge a well-made entry. */
#define FONT_SUM_LINE 21


static void test_font_cache(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    qr_fonts *cold = load_default(d);
    assert_non_null(cold);
    size_t n = 0;
    char *entry = qr_cache_read("fonts", &n);
    assert_non_null(entry);
    assert_non_null(strstr(entry, "/etc/fonts/fonts.conf\n"));   /* stamped */
    qr_fonts *warm = load_default(d);
    assert_non_null(warm);
    for (int s = 0; s < QR_FONT_COUNT; s++) {
        assert_string_equal(qr_fonts_file(cold, (qr_font_slot)s),
                            qr_fonts_file(warm, (qr_font_slot)s));
        assert_string_equal(qr_fonts_family(cold, (qr_font_slot)s),
                            qr_fonts_family(warm, (qr_font_slot)s));
    }
    assert_int_equal(qr_diags_count(d, QR_WARNING), 0);
    qr_fonts_free(warm);

    /* The cache is what is read: an entry naming DejaVu for the body is
     * believed while its stamps hold and its checksum is right. */
    const char *lib = qr_fonts_file(cold, QR_FONT_REGULAR);
    char *p = strstr(entry, lib);
    assert_non_null(p);
    assert_true(n > FONT_SUM_LINE);
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_append(&b, entry, (size_t)(p - entry));
    qr_buf_puts(&b, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    qr_buf_append(&b, p + strlen(lib),
                  (size_t)(entry + n - FONT_SUM_LINE - (p + strlen(lib))));
    size_t body = b.len;
    qr_buf_printf(&b, "sum %016llx\n", (unsigned long long)qr_filehash_of(b.data, body));
    assert_true(qr_cache_write("fonts", b.data, b.len));
    qr_fonts *forged = load_default(d);
    assert_non_null(forged);
    assert_non_null(strstr(qr_fonts_file(forged, QR_FONT_REGULAR), "DejaVuSans.ttf"));
    qr_fonts_free(forged);

    /* The same change with the old checksum, as a crash might leave an
     * entry written without fsync: well formed, but refused. */
    b.len = body;
    qr_buf_append(&b, entry + n - FONT_SUM_LINE, FONT_SUM_LINE);
    assert_true(qr_cache_write("fonts", b.data, b.len));
    qr_fonts *torn = load_default(d);
    assert_non_null(torn);
    assert_string_equal(qr_fonts_file(torn, QR_FONT_REGULAR), lib);
    qr_fonts_free(torn);

    /* A damaged entry is not: fontconfig is asked again. */
    b.len = 0;
    qr_buf_append(&b, entry, n / 2);
    qr_buf_puts(&b, "0\tx\tnot a path\n");
    assert_true(qr_cache_write("fonts", b.data, b.len));
    qr_fonts *again = load_default(d);
    assert_non_null(again);
    assert_string_equal(qr_fonts_file(again, QR_FONT_REGULAR), lib);
    qr_fonts_free(again);
    qr_buf_free(&b);
    free(entry);
    qr_fonts_free(cold);
    qr_diags_free(d);
}

/* A new font directory where a user adds fonts changes the stamps: the
 * entry is made again. */
static void test_font_cache_stale(void **state)
{
    (void)state;
    char *oldh = getenv("HOME") ? qr_xstrdup(getenv("HOME")) : NULL;
    char *oldx = getenv("XDG_DATA_HOME") ? qr_xstrdup(getenv("XDG_DATA_HOME")) : NULL;
    unsetenv("XDG_DATA_HOME");
    char *home = qr_xasprintf("%s/home", dir);
    assert_int_equal(mkdir(home, 0700), 0);
    setenv("HOME", home, 1);
    qr_diags *d = qr_diags_new();
    qr_fonts *f = load_default(d);
    assert_non_null(f);
    qr_fonts_free(f);
    char *fonts_dir = qr_xasprintf("%s/.fonts", home);
    char *absent = qr_xasprintf("%s\n-\n", fonts_dir);
    char *entry = qr_cache_read("fonts", NULL);
    assert_non_null(strstr(entry, absent));
    free(entry);
    assert_int_equal(mkdir(fonts_dir, 0700), 0);
    f = load_default(d);
    assert_non_null(f);
    qr_fonts_free(f);
    entry = qr_cache_read("fonts", NULL);
    assert_null(strstr(entry, absent));          /* stamped anew */
    assert_non_null(strstr(entry, fonts_dir));
    free(entry);
    free(absent);
    free(fonts_dir);
    free(home);
    qr_diags_free(d);
    if (oldh) setenv("HOME", oldh, 1);
    else unsetenv("HOME");
    if (oldx) setenv("XDG_DATA_HOME", oldx, 1);
    free(oldh);
    free(oldx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_where, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hyph_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hyph_image_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hyph_image_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shipped_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hyph_shipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hyph_shipped_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hyph_shipped_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hyph_write_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hyph_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_font_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_font_cache_stale, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
