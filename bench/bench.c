/* bench.c — the timing driver behind `make bench`.
 *
 * In:  a command line (after "--") and how to run it.
 * Out: one JSON object on stdout: median/min/max wall time of the whole
 *      process over several runs, the median CPU time (user + system, all
 *      threads), peak RSS, the exit status, and (with -T)
 *      the median of each "quire: timing: STAGE N ms" line the command
 *      printed to stderr with QUIRE_TIMING=1.
 *
 * Why a driver of our own: fork/exec + wait4 gives the child's own peak RSS
 * (ru_maxrss) and CPU time and clock_gettime(CLOCK_MONOTONIC) the wall time
 * with no shell in between, and nothing needs installing. CPU time moves
 * less than wall time when other jobs share the cores (the process waits
 * for a core without being charged), so it is reported beside it.
 *
 * Usage: bench [-n RUNS] [-w WARMUP] [-r REPEAT] [-j JOBS] [-t SECS] [-T]
 *              -- CMD ARGS
 *   -n RUNS    measured runs (default 7); the median is reported
 *   -w WARMUP  unmeasured runs first (default 1): page cache, dynamic loader
 *   -r REPEAT  one run = REPEAT executions of CMD (default 1), JOBS at a
 *              time (default 1); "{}" in an argument becomes the execution's
 *              index, so each can write its own file
 *   -t SECS    kill an execution after SECS seconds (SIGALRM, exit 142)
 *   -T         set QUIRE_TIMING=1 and collect the stage lines
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000
#define MAX_STAGES 16
#define STAGE_NAME 16
#define INDEX_MARK "{}"
#define TIMING_PREFIX "quire: timing:"
#define STDERR_KEEP 4096        /* bytes of a failing command's stderr shown */

typedef struct stage {
    char name[STAGE_NAME];
    double ms[MAX_RUNS];
    int n;
} stage;

static stage stages[MAX_STAGES];
static int nstages;
static unsigned limit_s;        /* -t: seconds an execution may run */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    if (n <= 0) return 0;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* argv with "{}" replaced by idx in every argument that holds it. */
static char **with_index(char **argv, int argc, int idx)
{
    char **out = calloc((size_t)argc + 1, sizeof *out);
    if (!out) exit(3);
    for (int i = 0; i < argc; i++) {
        const char *mark = strstr(argv[i], INDEX_MARK);
        if (!mark) {
            out[i] = argv[i];
            continue;
        }
        size_t need = strlen(argv[i]) + 16;
        out[i] = malloc(need);
        if (!out[i]) exit(3);
        snprintf(out[i], need, "%.*s%d%s", (int)(mark - argv[i]), argv[i], idx,
                 mark + strlen(INDEX_MARK));
    }
    return out;
}

static void free_index(char **argv, char **orig, int argc)
{
    for (int i = 0; i < argc; i++)
        if (argv[i] != orig[i]) free(argv[i]);
    free(argv);
}

/* Start CMD with stderr into err_fd (or /dev/null when < 0). */
static pid_t spawn(char **argv, int err_fd)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench: fork");
        exit(3);
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(err_fd >= 0 ? err_fd : null, 2);
        }
        /* A pending alarm survives exec: a runaway input is killed. */
        if (limit_s) alarm(limit_s);
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static void add_stage(const char *name, double ms)
{
    int i = 0;
    while (i < nstages && strcmp(stages[i].name, name) != 0) i++;
    if (i == nstages) {
        if (nstages == MAX_STAGES) return;
        snprintf(stages[i].name, sizeof stages[i].name, "%s", name);
        nstages++;
    }
    if (stages[i].n < MAX_RUNS) stages[i].ms[stages[i].n++] = ms;
}

/* Read the captured stderr: keep stage lines, remember the rest for a
 * failure report. */
static void read_stderr(FILE *f, int want_stages, char *tail, size_t cap)
{
    char line[512];
    size_t used = 0;
    rewind(f);
    while (fgets(line, sizeof line, f)) {
        char name[STAGE_NAME];
        double ms;
        if (want_stages &&
            sscanf(line, TIMING_PREFIX " %15s %lf ms", name, &ms) == 2) {
            add_stage(name, ms);
            continue;
        }
        size_t n = strlen(line);
        if (used + n < cap) {
            memcpy(tail + used, line, n);
            used += n;
        }
    }
    tail[used] = '\0';
}

typedef struct outcome {
    double ms;
    double cpu_ms;              /* user + system of every execution */
    long rss_kb;
    int status;                 /* worst exit status (or 128+signal) */
} outcome;

static int exit_code(int st)
{
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return 255;
}

/* One run: REPEAT executions, JOBS at a time. */
static outcome run_once(char **argv, int argc, int repeat, int jobs,
                        int stages_on, int record, char *errbuf, size_t cap)
{
    outcome o = {0, 0, 0, 0};
    FILE *err = tmpfile();
    if (!err) {
        perror("bench: tmpfile");
        exit(3);
    }
    int started = 0, running = 0;
    double t0 = now_ms();
    while (started < repeat || running > 0) {
        while (started < repeat && running < jobs) {
            char **av = with_index(argv, argc, started);
            spawn(av, fileno(err));
            free_index(av, argv, argc);
            started++;
            running++;
        }
        int st;
        struct rusage ru;
        pid_t pid = wait4(-1, &st, 0, &ru);
        if (pid < 0) {
            if (errno == EINTR) continue;
            perror("bench: wait4");
            exit(3);
        }
        running--;
        o.cpu_ms += (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
        if (ru.ru_maxrss > o.rss_kb) o.rss_kb = ru.ru_maxrss;
        int code = exit_code(st);
        if (code > o.status) o.status = code;
    }
    o.ms = now_ms() - t0;
    fflush(err);
    read_stderr(err, stages_on && record, errbuf, cap);
    fclose(err);
    return o;
}

static void usage(void)
{
    fputs("usage: bench [-n RUNS] [-w WARMUP] [-r REPEAT] [-j JOBS] [-t SECS] "
          "[-T] -- "
          "CMD [ARGS]\n",
          stderr);
    exit(2);
}

static int int_arg(const char *s, int lo, int hi)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < lo || v > hi) usage();
    return (int)v;
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

int main(int argc, char **argv)
{
    int runs = 7, warmup = 1, repeat = 1, jobs = 1, stages_on = 0;
    int opt;
    while ((opt = getopt(argc, argv, "+n:w:r:j:t:T")) != -1) {
        switch (opt) {
        case 'n': runs = int_arg(optarg, 1, MAX_RUNS); break;
        case 'w': warmup = int_arg(optarg, 0, MAX_RUNS); break;
        case 'r': repeat = int_arg(optarg, 1, 100000); break;
        case 'j': jobs = int_arg(optarg, 1, 1024); break;
        case 't': limit_s = (unsigned)int_arg(optarg, 1, 86400); break;
        case 'T': stages_on = 1; break;
        default: usage();
        }
    }
    if (optind >= argc) usage();
    char **cmd = argv + optind;
    int cmdc = argc - optind;
    if (stages_on) setenv("QUIRE_TIMING", "1", 1);

    static double ms[MAX_RUNS], cpu[MAX_RUNS];
    static char errbuf[STDERR_KEEP];
    long rss = 0;
    int status = 0;
    for (int i = 0; i < warmup + runs; i++) {
        int record = i >= warmup;
        outcome o = run_once(cmd, cmdc, repeat, jobs, stages_on, record,
                             errbuf, sizeof errbuf);
        if (o.status > status) status = o.status;
        if (!record) continue;
        ms[i - warmup] = o.ms;
        cpu[i - warmup] = o.cpu_ms;
        if (o.rss_kb > rss) rss = o.rss_kb;
    }
    if (status != 0 && errbuf[0]) {
        fprintf(stderr, "bench: %s exited with status %d:\n%s", cmd[0],
                status, errbuf);
    }
    double lo = ms[0], hi = ms[0];
    for (int i = 1; i < runs; i++) {
        if (ms[i] < lo) lo = ms[i];
        if (ms[i] > hi) hi = ms[i];
    }
    printf("{\"runs\": %d, \"repeat\": %d, \"jobs\": %d, \"median_ms\": %.3f, "
           "\"min_ms\": %.3f, \"max_ms\": %.3f, \"median_cpu_ms\": %.3f, "
           "\"peak_rss_kb\": %ld, \"exit\": %d",
           runs, repeat, jobs, median(ms, runs), lo, hi, median(cpu, runs),
           rss, status);
    if (nstages > 0) {
        printf(", \"stages_ms\": {");
        for (int i = 0; i < nstages; i++) {
            printf(i ? ", " : "");
            json_string(stages[i].name);
            printf(": %.3f", median(stages[i].ms, stages[i].n));
        }
        printf("}");
    }
    printf("}\n");
    return 0;
}
