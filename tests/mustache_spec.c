/* mustache_spec.c — runs the official Mustache spec files against the
 * expand stage in spec mode.
 *
 * Usage: mustache_spec SPEC_DIR
 * Loads every *.json in SPEC_DIR (sorted by name), expands each test's
 * template with its data and in-memory partials (opts.spec = 1), compares
 * with "expected", and prints one line per file plus the failing tests with
 * what was expected and what came out. The last line is always
 *     total: N passed, N failed, N skipped
 * Tests whose data holds a lambda are skipped (lambdas cannot run in C),
 * each on a line "  SKIP name: reason" that tests/run.sh counts. A test
 * without a string "template" and "expected" is not one this runner can
 * check: it fails. So does a file of the spec (SPEC_FILES) that is missing
 * from SPEC_DIR: a lost file would otherwise just be fewer tests.
 * Exit status 0 only when nothing failed.
 */
#include "quire/expand.h"
#include "quire/diag.h"
#include "quire/util.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every file of the spec version kept in tests/spec/mustache/ (see its
 * README); each must be there. */
static const char *const SPEC_FILES[] = {
    "comments.json", "delimiters.json", "interpolation.json",
    "inverted.json", "partials.json", "sections.json",
    "~dynamic-names.json", "~inheritance.json", "~lambdas.json",
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The spec marks lambdas as {"__tag__": "code", ...}. */
static int has_lambda(const cJSON *v)
{
    if (!v) return 0;
    if (cJSON_IsObject(v)) {
        const cJSON *tag = cJSON_GetObjectItemCaseSensitive(v, "__tag__");
        if (cJSON_IsString(tag) && strcmp(tag->valuestring, "code") == 0)
            return 1;
    }
    for (const cJSON *c = v->child; c; c = c->next)
        if (has_lambda(c)) return 1;
    return 0;
}

/* Print a string with its control characters made visible. */
static void show(const char *label, const char *s, size_t n)
{
    printf("    %s: \"", label);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') fputs("\\n", stdout);
        else if (c == '\r') fputs("\\r", stdout);
        else if (c == '\t') fputs("\\t", stdout);
        else if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\x%02x", c);
        else putchar(c);
    }
    fputs("\"\n", stdout);
}

/* Stands in for a test without "partials". */
static cJSON *no_partials;

typedef struct counts {
    int passed, failed, skipped;
} counts;

static void run_file(const char *dir, const char *name, counts *total)
{
    char *path = qr_xasprintf("%s/%s", dir, name);
    size_t len;
    char *text = qr_read_file(path, &len, 0);
    counts c = {0, 0, 0};
    if (!text) {
        printf("%s: cannot read: %s\n", name, strerror(errno));
        total->failed++;
        free(path);
        return;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    const cJSON *tests = cJSON_GetObjectItemCaseSensitive(root, "tests");
    if (!cJSON_IsArray(tests)) {
        printf("%s: not a spec file (no \"tests\" array)\n", name);
        total->failed++;
        cJSON_Delete(root);
        free(text);
        free(path);
        return;
    }
    int lambdas_file = strstr(name, "lambdas") != NULL;
    const cJSON *t;
    cJSON_ArrayForEach(t, tests)
    {
        const cJSON *tn = cJSON_GetObjectItemCaseSensitive(t, "name");
        const cJSON *tpl = cJSON_GetObjectItemCaseSensitive(t, "template");
        const cJSON *exp = cJSON_GetObjectItemCaseSensitive(t, "expected");
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(t, "data");
        const cJSON *partials = cJSON_GetObjectItemCaseSensitive(t, "partials");
        const char *tname = cJSON_IsString(tn) ? tn->valuestring : "?";
        if (lambdas_file || has_lambda(data)) {
            c.skipped++;
            printf("  SKIP %s: lambdas cannot run in C\n", tname);
            continue;
        }
        if (!cJSON_IsString(tpl) || !cJSON_IsString(exp)) {
            c.failed++;
            printf("  FAIL %s: no string \"template\" and \"expected\"\n", tname);
            continue;
        }
        qr_expand_opts o = {.spec = 1, .strict = 0, .partials = partials};
        if (!o.partials) {
            /* Spec tests never read files: an empty object keeps a
             * partial tag from touching the disk. */
            if (!no_partials) no_partials = cJSON_CreateObject();
            o.partials = no_partials;
        }
        qr_diags *d = qr_diags_new();
        qr_expansion *e = qr_expand_string(tpl->valuestring,
                                           strlen(tpl->valuestring), name,
                                           data, &o, d);
        size_t olen = 0;
        const char *out = e ? qr_expansion_text(e, &olen) : NULL;
        if (out && olen == strlen(exp->valuestring) &&
            memcmp(out, exp->valuestring, olen) == 0) {
            c.passed++;
        } else {
            c.failed++;
            fflush(stdout);
            printf("  FAIL %s\n", tname);
            show("template", tpl->valuestring, strlen(tpl->valuestring));
            show("expected", exp->valuestring, strlen(exp->valuestring));
            if (out) {
                show("got     ", out, olen);
            } else {
                printf("    got an error:\n");
                for (size_t i = 0; i < qr_diags_len(d); i++) {
                    char *m = qr_diag_format(qr_diags_get(d, i));
                    printf("      %s\n", m);
                    free(m);
                }
            }
        }
        qr_expansion_free(e);
        qr_diags_free(d);
    }
    printf("%s: %d passed, %d failed, %d skipped\n", name, c.passed, c.failed,
           c.skipped);
    total->passed += c.passed;
    total->failed += c.failed;
    total->skipped += c.skipped;
    cJSON_Delete(root);
    free(text);
    free(path);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SPEC_DIR\n", argv[0]);
        printf("total: 0 passed, 1 failed, 0 skipped\n");
        return 2;
    }
    DIR *dir = opendir(argv[1]);
    if (!dir) {
        fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
        printf("total: 0 passed, 1 failed, 0 skipped\n");
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 5, ".json") != 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = qr_xrealloc(names, cap * sizeof *names);
        }
        names[n++] = qr_xstrdup(de->d_name);
    }
    closedir(dir);
    if (n) qsort(names, n, sizeof *names, cmp_names);
    counts total = {0, 0, 0};
    for (size_t k = 0; k < sizeof SPEC_FILES / sizeof SPEC_FILES[0]; k++) {
        size_t i = 0;
        while (i < n && strcmp(names[i], SPEC_FILES[k]) != 0) i++;
        if (i == n) {
            printf("%s: missing from %s\n", SPEC_FILES[k], argv[1]);
            total.failed++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        run_file(argv[1], names[i], &total);
        free(names[i]);
    }
    free(names);
    cJSON_Delete(no_partials);
    printf("total: %d passed, %d failed, %d skipped\n", total.passed,
           total.failed, total.skipped);
    return total.failed ? 1 : 0;
}
