/* build.h — the monthly build: a manifest (docs/build.md) of papers, globs
 * and packs in; every output (and, with "html", its HTML copy beside it)
 * under one folder, built on parallel worker
 * processes, skipped when none of its inputs changed since its last
 * successful build (content hashes in OUT/.quire-state.json), optionally a
 * stable shard of the jobs, with a progress line or one line per job and a
 * summary.
 *
 * Failure: qr_manifest_load returns NULL after adding errors; qr_build_run
 * returns a qr_status, the exit status of `quire build`. qr_job_in_shard is
 * a yes/no question; qr_hash_file's 0 means a file it could not read.
 */
#ifndef QUIRE_BUILD_H
#define QUIRE_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "quire/diag.h"
#include "quire/render.h"
#include "quire/util.h"

/* The state file's name inside the output folder. */
#define QR_BUILD_STATE ".quire-state.json"
/* The lock file inside the output folder: one build at a time writes it. */
#define QR_BUILD_LOCK ".quire-build.lock"

typedef enum qr_job_kind {
    QR_JOB_PAPER,
    QR_JOB_PACK,
    QR_JOB_MINUTES,     /* quire minutes (public_pack: --public) */
    QR_JOB_DECISIONS    /* quire decisions */
} qr_job_kind;

/* One job of a manifest: one output file. Paths are as the build opens
 * them (manifest-relative paths joined to the manifest's folder; output
 * joined to the output folder). */
typedef struct qr_job {
    qr_job_kind kind;
    const char *output;     /* the PDF; unique within a manifest */
    const char *name;       /* output relative to the output folder */
    /* The HTML copy beside the PDF ("html": true; docs/build.md): a
     * paper's, minutes' or record's NAME.html, written as `quire render
     * -o NAME.html` writes it; a pack's folder of pages (the PDF's name
     * without .pdf), as `quire pack --html` writes it. NULL: none. */
    const char *html;       /* joined to the output folder */
    const char *html_name;  /* relative to the output folder */
    /* papers */
    const char *data;       /* NULL: a plain Markdown paper */
    const char *template_path;
    const char *style;      /* NULL: the built-in style */
    int strict;             /* missing template names are errors (1) */
    /* packs, minutes and decisions */
    const char *meeting;
    int public_pack;    /* a public pack, or public minutes */
    int draft;              /* stamp DRAFT (no build time: reproducible) */
} qr_job;

typedef struct qr_manifest qr_manifest;

/* Load the manifest at `path`. `out_dir` overrides the manifest's "out"
 * (NULL: the manifest's, relative to its folder; else "out" in the current
 * folder). Globs are expanded now, in sorted order. Every problem found is
 * added to d (located at the manifest's line:col); returns NULL when there
 * was any error. Free with qr_manifest_free. */
qr_manifest *qr_manifest_load(const char *path, const char *out_dir,
                              qr_diags *d);
void qr_manifest_free(qr_manifest *m);          /* NULL is a no-op */
const char *qr_manifest_out_dir(const qr_manifest *m);
size_t qr_manifest_njobs(const qr_manifest *m);
const qr_job *qr_manifest_job(const qr_manifest *m, size_t i); /* borrowed */

/* True when the job named `name` (its output relative to the output folder)
 * belongs to shard k of n (1 <= k <= n): FNV-1a 64 of the name mod n ==
 * k - 1, so shards 1..n partition any job list, and a job stays in its shard
 * when other jobs come and go. n <= 1 selects everything. */
bool qr_job_in_shard(const char *name, int k, int n);

/* qr_filehash of a whole file's contents (as qr_input_read records it); 0 when it cannot be read or is not
 * a regular file (opened without blocking: a FIFO never hangs it). */
uint64_t qr_hash_file(const char *path);

/* s for one line of the log: control characters as \n, \t, \r or \xHH,
 * a backslash doubled, bytes that are not UTF-8 as \xHH, so that a file
 * name cannot break or forge a line. Caller frees. */
char *qr_build_escape(const char *s);


typedef enum qr_progress {
    QR_PROGRESS_AUTO,    /* a live line when the log is a terminal */
    QR_PROGRESS_LINE,    /* one live line, redrawn with \r */
    QR_PROGRESS_PLAIN    /* one line per job */
} qr_progress;

typedef struct qr_build_opts {
    const char *manifest_path;
    const char *out_dir;     /* NULL: from the manifest */
    int jobs;                /* worker processes; <= 0: the number of CPUs */
    int shard_k, shard_n;    /* build shard k of n; n <= 1: every job */
    int force;               /* rebuild even when unchanged */
    qr_progress progress;
    FILE *log;               /* progress, per-job lines, failures, summary */
    const char *version;     /* quire's version; with the hash of the running
                                executable, part of every job's inputs */
} qr_build_opts;

/* Counts of the last run. */
typedef struct qr_build_stats {
    size_t total, built, skipped, failed;
    double seconds;
} qr_build_stats;

/* Run the build. A failing job never stops the others; its previous output
 * is left as it was and its diagnostics are written to the log in full,
 * once. While another build holds the output folder's lock, waits for it
 * (saying so in the log). Manifest problems go into d. Returns QR_OK when
 * every job was built or skipped, QR_EINPUT when the manifest is bad or any
 * job failed, QR_EOUTPUT when the output folder, its lock or the state file
 * cannot be used (a state that is not a regular file included). stats may
 * be NULL. */
qr_status qr_build_run(const qr_build_opts *o, qr_diags *d,
                       qr_build_stats *stats);

#endif
