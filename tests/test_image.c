/* Unit tests for images (image.c): where an image may come from (inside
 * its root directory, by real path), reading and decoding once, the
 * messages for a directory or a file that is no image, and the memory
 * budget of one document's images. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "quire/image.h"
#include "quire/input.h"
#include "quire/util.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/quire-image-XXXXXX";
static char *root;      /* dir/tpl: the template's directory */

static char *path_of(const char *name)
{
    return qr_xasprintf("%s/%s", dir, name);
}

/* A w x h PNG (RGBA when alpha) at dir/name. */
static char *png(const char *name, unsigned w, unsigned h, int alpha)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    im.width = w;
    im.height = h;
    im.format = alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_GRAY;
    size_t n = PNG_IMAGE_SIZE(im);
    unsigned char *px = qr_xcalloc(1, n);
    for (size_t i = 0; i < n; i++) px[i] = (unsigned char)(i * 7);
    char *p = path_of(name);
    assert_true(png_image_write_to_file(&im, p, 0, px, 0, NULL));
    free(px);
    return p;
}

static void put(const char *name, const void *bytes, size_t n)
{
    char *p = path_of(name);
    assert_true(qr_write_atomic(p, bytes, n));
    free(p);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir)) return -1;
    root = path_of("tpl");
    if (mkdir(root, 0755) != 0) return -1;
    char *sub = path_of("tpl/figs");
    int rc = mkdir(sub, 0755);
    free(sub);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = qr_xasprintf("rm -rf '%s'", dir);
    int rc = system(cmd);
    free(cmd);
    free(root);
    return rc == 0 ? 0 : -1;
}

static void refused(const char *uri, const char *why)
{
    char *err = NULL;
    char *p = qr_image_resolve(uri, root, &err);
    if (p) fail_msg("'%s' resolved to '%s'", uri, p);
    assert_non_null(err);
    if (!strstr(err, why)) fail_msg("'%s': %s", uri, err);
    free(err);
}

static void test_inside_the_root(void **state)
{
    (void)state;
    free(png("tpl/figs/a.png", 4, 2, 0));
    free(png("secret.png", 4, 2, 0));
    char *secret = path_of("secret.png");
    char *link_out = path_of("tpl/out.png");
    assert_int_equal(symlink(secret, link_out), 0);
    char *link_in = path_of("tpl/in.png");
    assert_int_equal(symlink("figs/a.png", link_in), 0);

    char *err = NULL;
    char *p = qr_image_resolve("figs/a.png", root, &err);
    assert_non_null(p);
    assert_null(err);
    assert_non_null(strstr(p, "/tpl/figs/a.png"));
    free(p);
    /* ".." that stays inside, and a symlink inside the tree, are fine */
    p = qr_image_resolve("figs/../figs/a.png", root, &err);
    assert_non_null(p);
    free(p);
    p = qr_image_resolve("in.png", root, &err);
    assert_non_null(p);
    assert_non_null(strstr(p, "/tpl/figs/a.png"));
    free(p);

    refused(secret, "is an absolute path");
    refused("/etc/hostname", "is an absolute path");
    refused("../secret.png", "is outside the directory");
    refused("figs/../../secret.png", "is outside the directory");
    refused("out.png", "is outside the directory");
    refused("https://example.org/a.png", "is a URL");
    refused("file:///etc/hostname", "is a URL");
    refused("", "has no source");
    refused("missing.png", "No such file or directory");

    free(secret);
    free(link_out);
    free(link_in);
}

static void test_read_once_decoded(void **state)
{
    (void)state;
    char *a = png("rgba.png", 5, 3, 1);
    qr_inputs *rec = qr_inputs_new();
    qr_inputs *outer = qr_inputs_activate(rec);
    char *err = NULL;
    qr_image *im = qr_image_load(a, &err);
    assert_non_null(im);
    assert_int_equal(im->kind, QR_IMAGE_PNG);
    assert_int_equal(im->width, 5);
    assert_int_equal(im->height, 3);
    assert_non_null(im->pixels);
    assert_non_null(im->alpha);
    assert_int_equal(im->cost, 5 * 3 * 4);
    /* the alpha plane is the file's alpha */
    assert_int_equal(im->alpha[1], (unsigned char)(7 * 7));
    assert_int_equal(im->pixels[3], (unsigned char)(4 * 7));
    /* read through the input record, once */
    assert_int_equal(qr_inputs_count(rec), 1);
    assert_int_equal(qr_inputs_get(rec, 0)->role, QR_IN_IMAGE);
    qr_image_unref(im);

    /* a set reads each file once, whatever the path says */
    qr_image_set *s = qr_image_set_new(0);
    qr_image *x = qr_image_set_get(s, "rgba.png", dir, &err);
    qr_image *y = qr_image_set_get(s, "tpl/../rgba.png", dir, &err);
    assert_non_null(x);
    assert_ptr_equal(x, y);
    assert_int_equal(qr_image_set_cost(s), 5 * 3 * 4);
    qr_image_set_free(s);
    qr_inputs_activate(outer);
    qr_inputs_free(rec);

    /* a 4x2 JPEG is kept as it is, sized from its frame header */
    static const unsigned char jpeg[] = {
        0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00,
        0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x02, 0x00, 0x04, 0x03,
        0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xd9};
    put("p.jpg", jpeg, sizeof jpeg);
    char *j = path_of("p.jpg");
    im = qr_image_load(j, &err);
    assert_non_null(im);
    assert_int_equal(im->kind, QR_IMAGE_JPEG);
    assert_int_equal(im->width, 4);
    assert_int_equal(im->height, 2);
    assert_int_equal(im->nbytes, sizeof jpeg);
    assert_memory_equal(im->bytes, jpeg, sizeof jpeg);
    qr_image_unref(im);
    free(j);
    free(a);
}

static void test_messages(void **state)
{
    (void)state;
    char *d = path_of("tpl/figs");
    char *err = NULL;
    assert_null(qr_image_load(d, &err));
    assert_non_null(strstr(err, "is a directory"));
    free(err);
    put("text.png", "hello", 5);
    char *t = path_of("text.png");
    assert_null(qr_image_load(t, &err));
    assert_non_null(strstr(err, "is neither JPEG nor PNG"));
    free(err);
    put("cut.jpg", "\xff\xd8\xff\xe0\x00\x10JFIF", 10);
    char *c = path_of("cut.jpg");
    assert_null(qr_image_load(c, &err));
    assert_non_null(strstr(err, "no frame header"));
    free(err);
    free(c);
    free(t);
    free(d);
}

/* Decoded pixels count against one budget for the document: six images,
 * each within the per-image limit, cannot take gigabytes together. */
static void test_budget(void **state)
{
    (void)state;
    free(png("b1.png", 300, 300, 0));     /* 270,000 bytes as RGB */
    free(png("b2.png", 300, 300, 0));
    free(png("b3.png", 300, 300, 0));
    qr_image_set *s = qr_image_set_new(600000);
    char *err = NULL;
    assert_non_null(qr_image_set_get(s, "b1.png", dir, &err));
    assert_non_null(qr_image_set_get(s, "b2.png", dir, &err));
    /* the same image again costs nothing more */
    assert_non_null(qr_image_set_get(s, "b1.png", dir, &err));
    assert_int_equal(qr_image_set_cost(s), 540000);
    assert_null(qr_image_set_get(s, "b3.png", dir, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "image 'b3.png' would hold 1 MB"));
    assert_non_null(strstr(err, "for the images of one document"));
    free(err);
    assert_int_equal(qr_image_set_cost(s), 540000);
    qr_image_set_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inside_the_root),
        cmocka_unit_test(test_read_once_decoded),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_budget),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
