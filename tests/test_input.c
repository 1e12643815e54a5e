/* Unit tests for the input record (input.c): non-regular files refused
 * without blocking, the bytes read hashed and recorded, an edit between two
 * reads noticed, and a file found again by identity. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "quire/input.h"
#include "quire/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/quire-input-XXXXXX";

static char *put(const char *name, const char *text)
{
    char *p = qr_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static void test_records_bytes_read(void **state)
{
    (void)state;
    char *a = put("a.json", "{\"x\": 1}");
    qr_inputs *r = qr_inputs_new();
    assert_null(qr_inputs_activate(r));
    size_t n;
    char *t = qr_input_read(a, QR_IN_DATA, &n, 0);
    assert_non_null(t);
    assert_int_equal(n, 8);
    assert_int_equal(qr_inputs_count(r), 1);
    const qr_input *in = qr_inputs_get(r, 0);
    assert_string_equal(in->path, a);
    assert_int_equal(in->role, QR_IN_DATA);
    assert_int_equal(in->size, 8);
    assert_true(in->hash == qr_filehash_of(t, n));
    free(t);
    /* the same file again, unchanged: one entry, not changed */
    free(qr_input_read(a, QR_IN_DATA, &n, 0));
    assert_int_equal(qr_inputs_count(r), 1);
    assert_false(qr_inputs_changed(r));
    /* edited between two reads: the record knows */
    free(put("a.json", "{\"x\": 2}"));
    free(qr_input_read(a, QR_IN_DATA, &n, 0));
    assert_true(qr_inputs_changed(r));
    assert_ptr_equal(qr_inputs_find_file(r, a), qr_inputs_get(r, 0));
    char *b = put("b.json", "{}");
    assert_null(qr_inputs_find_file(r, b));
    /* nothing is recorded once the record is put away */
    assert_ptr_equal(qr_inputs_activate(NULL), r);
    free(qr_input_read(b, QR_IN_DATA, &n, 0));
    assert_int_equal(qr_inputs_count(r), 1);
    qr_inputs *all = qr_inputs_new();
    qr_inputs_merge(all, r);
    assert_int_equal(qr_inputs_count(all), 1);
    assert_true(qr_inputs_changed(all));
    qr_inputs_free(all);
    qr_inputs_free(r);
    unlink(a);
    unlink(b);
    free(a);
    free(b);
}

static void test_refuses_what_is_not_a_file(void **state)
{
    (void)state;
    size_t n;
    errno = 0;
    assert_null(qr_input_read(dir, QR_IN_DATA, &n, 0));
    assert_int_equal(errno, EISDIR);
    assert_string_equal(qr_input_strerror(EISDIR), "is a directory");
    /* a FIFO with no writer: refused at once, never waited on */
    char *fifo = qr_xasprintf("%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    errno = 0;
    qr_inputs *r = qr_inputs_new();
    qr_inputs_activate(r);
    assert_null(qr_input_read(fifo, QR_IN_IMAGE, &n, 0));
    assert_int_equal(errno, ENODEV);
    /* not an input, but remembered as where a fix will appear */
    assert_int_equal(qr_inputs_count(r), 0);
    assert_int_equal(qr_inputs_failed_count(r), 1);
    assert_string_equal(qr_inputs_failed(r, 0), fifo);
    qr_inputs_activate(NULL);
    qr_inputs_free(r);
    assert_null(qr_read_file(fifo, &n, 0));
    assert_int_equal(errno, ENODEV);
    unlink(fifo);
    free(fifo);
    errno = 0;
    assert_null(qr_input_read("/dev/zero", QR_IN_DATA, &n, 0));
    assert_int_equal(errno, ENODEV);
    char *big = put("big", "0123456789");
    assert_null(qr_input_read(big, QR_IN_DATA, &n, 9));
    assert_int_equal(errno, EFBIG);
    char *t = qr_input_read(big, QR_IN_DATA, &n, 10);
    assert_non_null(t);
    assert_string_equal(t, "0123456789");
    free(t);
    unlink(big);
    free(big);
}

static void test_note_and_empty(void **state)
{
    (void)state;
    char *e = put("empty", "");
    size_t n = 99;
    char *t = qr_input_read(e, QR_IN_DATA, &n, 0);
    assert_non_null(t);
    assert_int_equal(n, 0);
    assert_string_equal(t, "");
    free(t);
    qr_inputs *r = qr_inputs_new();
    assert_true(qr_input_note(e, QR_IN_FONT)); /* no record: no-op */
    qr_inputs_activate(r);
    assert_true(qr_input_note(e, QR_IN_FONT));
    assert_int_equal(qr_inputs_count(r), 1);
    assert_int_equal(qr_inputs_get(r, 0)->role, QR_IN_FONT);
    assert_false(qr_input_note("/nonexistent/x", QR_IN_FONT));
    qr_inputs_activate(NULL);
    qr_inputs_free(r);
    unlink(e);
    free(e);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_bytes_read),
        cmocka_unit_test(test_refuses_what_is_not_a_file),
        cmocka_unit_test(test_note_and_empty),
    };
    int rc = cmocka_run_group_tests_name("input", tests, NULL, NULL);
    rmdir(dir);
    return rc;
}
