/* replay.c — runs a fuzz target without libFuzzer: every file kept in
 * tests/regress/<target>/ (inputs that once crashed or hung) and
 * tests/fuzz/seeds/<target>/ is fed to LLVMFuzzerTestOneInput once. A
 * crash, sanitizer report or valgrind error fails the run; so does an input
 * that takes longer than REPLAY_SECONDS (a hang that came back).
 *
 * Built by tests/fuzz/fuzz.mk as build/tests/test_fuzz_<target> with
 * FUZZ_TARGET="<target>"; prints cmocka's summary so tests/run.sh counts
 * one test per input.
 *
 * Replaying nothing proves nothing: the run fails when the seeds folder is
 * missing, unreadable or holds no input (as when run from outside the
 * repository root), or when a folder cannot be read. tests/regress/<target>/
 * may be absent: a target that never crashed has no regression inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fuzz_common.h"
#include "quire/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET must name the target (fuzz.mk sets it)"
#endif

/* Generous even under valgrind; a regression that hangs takes far longer. */
#define REPLAY_SECONDS 60.0

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

typedef struct input {
    char path[512];
} input;

static void replay_one(void **state)
{
    const input *in = *state;
    size_t len;
    char *buf = qr_read_file(in->path, &len, 0);
    assert_non_null(buf);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(LLVMFuzzerTestOneInput((const uint8_t *)buf, len), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (s > REPLAY_SECONDS) fail_msg("%s took %.1f s", in->path, s);
    free(buf);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const input *)a)->path, ((const input *)b)->path);
}

/* Append every file of dir to the list; returns how many, or -1 (with a
 * message) when dir cannot be read. A missing dir is 0 when optional. */
static long collect(const char *dir, input **v, size_t *n, size_t *cap,
                    int optional)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        if (optional && errno == ENOENT) return 0;
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    long found = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.') continue;
        if (strcmp(e->d_name, "README.md") == 0) continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            *v = qr_xrealloc(*v, *cap * sizeof **v);
        }
        snprintf((*v)[*n].path, sizeof (*v)[*n].path, "%s/%s", dir, e->d_name);
        (*n)++;
        found++;
    }
    closedir(dp);
    return found;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    input *in = NULL;
    size_t n = 0, cap = 0;
    if (argc < 2) {
        long r = collect("tests/regress/" FUZZ_TARGET, &in, &n, &cap, 1);
        long s = collect("tests/fuzz/seeds/" FUZZ_TARGET, &in, &n, &cap, 0);
        if (s == 0)
            fprintf(stderr, "replay: tests/fuzz/seeds/" FUZZ_TARGET
                            " holds no input\n");
        if (r < 0 || s <= 0) {
            /* the line tests/run.sh counts as one failure */
            printf("[  FAILED  ] 1 test(s), listed below:\n"
                   "[  FAILED  ] replay corpus of " FUZZ_TARGET "\n");
            free(in);
            return 1;
        }
    }
    for (int i = 1; i < argc; i++) {  /* or the files named */
        if (i == 1) n = 0;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            in = qr_xrealloc(in, cap * sizeof *in);
        }
        snprintf(in[n].path, sizeof in[n].path, "%s", argv[i]);
        n++;
    }
    qsort(in, n, sizeof *in, by_name);
    struct CMUnitTest *t = qr_xcalloc(n ? n : 1, sizeof *t);
    for (size_t i = 0; i < n; i++) {
        t[i].name = in[i].path;
        t[i].test_func = replay_one;
        t[i].initial_state = &in[i];
    }
    int rc = _cmocka_run_group_tests("fuzz_" FUZZ_TARGET, t, n, NULL, NULL);
    free(t);
    free(in);
    return rc;
}
