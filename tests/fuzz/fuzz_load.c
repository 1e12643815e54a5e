/* fuzz_load.c — libFuzzer target: JSON data load, validation, derive, and
 * locating values by JSON pointer; the same bytes also go through the house
 * style loader (the same reader, then its own key tables).
 *
 * Input: any bytes, taken as a data file "fuzz.json".
 */
#include "fuzz_common.h"

#include "quire/derive.h"
#include "quire/load.h"
#include "quire/style.h"
#include "quire/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define LOCATE_MAX 200      /* pointers looked up per input */

typedef struct walk {
    const qr_data *data;
    int left;
} walk;

/* Append a JSON pointer token (RFC 6901: ~ as ~0, / as ~1). */
static void put_token(qr_buf *b, const char *s)
{
    qr_buf_putc(b, '/');
    for (; *s; s++) {
        if (*s == '~') qr_buf_puts(b, "~0");
        else if (*s == '/') qr_buf_puts(b, "~1");
        else qr_buf_putc(b, *s);
    }
}

/* Locate every value (up to LOCATE_MAX); a value that came from the source
 * must be found. */
static void locate_all(walk *w, const cJSON *node, qr_buf *path)
{
    if (w->left-- <= 0) return;
    int line, col;
    if (qr_data_locate(w->data, path->len ? path->data : "", &line, &col) &&
        (line < 1 || col < 1))
        abort();
    size_t keep = path->len;
    int i = 0;
    for (const cJSON *c = node->child; c && w->left > 0; c = c->next, i++) {
        if (cJSON_IsObject(node) && c->string) {
            put_token(path, c->string);
        } else {
            char num[32];
            snprintf(num, sizeof num, "%d", i);
            put_token(path, num);
        }
        locate_all(w, c, path);
        path->len = keep;
        path->data[keep] = '\0';
    }
}

static void style_from_memory(const uint8_t *d, size_t n)
{
    int fd = memfd_create("fuzz-style", 0);
    if (fd < 0) return;
    size_t off = 0;
    while (off < n) {
        ssize_t k = write(fd, d + off, n - off);
        if (k <= 0) break;
        off += (size_t)k;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    qr_style s;
    qr_style_default(&s);
    qr_diags *diags = qr_diags_new();
    bool ok = qr_style_load(path, &s, diags);
    if (!ok && qr_diags_count(diags, QR_ERROR) == 0) abort();
    qr_diags_free(diags);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    qr_diags *diags = qr_diags_new();
    qr_data *data = qr_data_parse((const char *)d, n, "fuzz.json", diags);
    if (!data) {
        /* a failed load always says why */
        if (qr_diags_count(diags, QR_ERROR) == 0) abort();
    } else {
        qr_buf path;
        qr_buf_init(&path);
        qr_buf_puts(&path, "");
        walk w = {data, LOCATE_MAX};
        locate_all(&w, qr_data_root(data), &path);
        qr_buf_free(&path);
        if (qr_data_validate(data, diags)) qr_derive_run(data, diags);
    }
    /* formatting every message exercises the located-source code */
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
        qr_diags_print(diags, devnull);
        fclose(devnull);
    }
    qr_data_free(data);
    qr_diags_free(diags);
    style_from_memory(d, n);
    return 0;
}
