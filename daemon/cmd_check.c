/*
 * cmd_check.c - `enforcewatch check`: the offline check of contract §7.
 *
 * JSON Lines files go through the daemon's engine over an in-memory store,
 * and every output the engine emits is written to stdout as one JSON line,
 * in emission order. Same engine, same outputs: only the transport differs.
 *
 * The engine's clock is an input (architecture.md "Time"). The daemon's
 * clock never lags the events it applies, so before each event the clock is
 * moved to that event's time, which fires every deadline due by then in the
 * same place relative to the events as in the daemon; after the last file it
 * moves to --as-of, or to the latest event time of the input.
 *
 * A bad line is reported as "FILE:LINE: reason" and skipped. A file that
 * cannot be opened or read stops the check with exit status 1, since what
 * follows it may depend on it (reference records before the events).
 *
 * --state FILE (issue 7) keeps the store in a state file instead of memory:
 * the daemon's format, so `enforcewatch report --state FILE` reads it and a
 * daemon can start on it. It is the quick way to a state of a province's
 * size (a million enterprises), and the memory stays bounded by SQLite's
 * page cache where an in-memory store holds every page.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#include "arena.h"
#include "config.h"
#include "consumers/jsonl_reader.h"
#include "engine.h"
#include "ewtime.h"
#include "producers/jsonl_writer.h"
#include "record.h"
#include "store.h"

/* Records per SQLite transaction: one commit per line would dominate the
 * run time, one transaction per huge file would hold every page in memory. */
#define CHECK_TXN_RECORDS 10000

static const char check_usage[] =
    "usage: enforcewatch check [--config FILE] [--as-of TIME] [--stats]\n"
    "                          [--state FILE] FILE...\n"
    "\n"
    "Runs the rule engine over JSON Lines files (\"-\" is standard input),\n"
    "read in order, and writes every alert and notice as one JSON line to\n"
    "standard output. Bad lines are reported on standard error as\n"
    "FILE:LINE: reason and skipped.\n"
    "\n"
    "  --config FILE  rule thresholds from this configuration file\n"
    "  --as-of TIME   fire every deadline due by TIME (ISO-8601, or epoch\n"
    "                 milliseconds); default: the latest event time read\n"
    "  --stats        also write the stats stream's values (kind \"stats\"),\n"
    "                 as the daemon emits them: each changed value once per\n"
    "                 transaction of 10000 records, the last line per key\n"
    "                 being its final value\n"
    "  --state FILE   keep the state in this SQLite file instead of memory,\n"
    "                 in the daemon's format: `enforcewatch report --state\n"
    "                 FILE` reads it, enforcewatchd can start on it. A new\n"
    "                 file is created; an existing one is continued (events\n"
    "                 it holds already are duplicates). Not while a daemon\n"
    "                 runs on the file.\n"
    "\n"
    "Exit status: 0 input read whole, 1 a file could not be read,\n"
    "2 bad arguments or configuration.\n";

typedef struct check_ctx {
  ew_config cfg;
  ew_store *store;
  ew_engine *engine;
  int64_t nalerts;
  int emit_errno; /* stdout refused a line: why (0: it did not) */
  int stats;      /* --stats: write the stats records too */
} check_ctx;

static int check_emit(void *ud, const ew_record *out) {
  check_ctx *cx = ud;
  if (out->kind == EW_REC_STATS && !cx->stats)
    return 0;
  errno = 0;
  if (ew_jsonl_write(stdout, out, EW_JSON_TAG_KIND) != 0) {
    cx->emit_errno = errno ? errno : EIO;
    return -1;
  }
  if (out->kind == EW_REC_ALERT)
    cx->nalerts++;
  return 0;
}

/* The replay of ew_check_replay: what it keeps between lines. */
typedef struct replay_ctx {
  ew_replay *r;
  ew_arena arena;
  ew_time clock;     /* what the engine's clock was last advanced to */
  int in_txn;        /* a store transaction is open */
  int64_t txn_count; /* records applied in the open transaction */
} replay_ctx;

static int emit_failed(const replay_ctx *cx) {
  return cx->r->emit_errno && *cx->r->emit_errno;
}

static int check_begin(replay_ctx *cx) {
  if (ew_store_begin(cx->r->store) != 0) {
    fprintf(stderr, "%s: store: %s\n", cx->r->cmd,
            ew_store_errmsg(cx->r->store));
    return -1;
  }
  cx->in_txn = 1;
  cx->txn_count = 0;
  return 0;
}

static int check_commit(replay_ctx *cx) {
  if (!cx->in_txn)
    return 0;
  cx->in_txn = 0;
  /* The stats the transaction changed, as the daemon's batch emits them
   * (written by check --stats, dropped otherwise). */
  if (ew_engine_flush_stats(cx->r->engine) != 0) {
    fprintf(stderr, "%s: %s: %s\n", cx->r->cmd,
            emit_failed(cx) ? "stdout" : "engine",
            emit_failed(cx) ? strerror(*cx->r->emit_errno)
                            : ew_engine_errmsg(cx->r->engine));
    ew_store_rollback(cx->r->store);
    return -1;
  }
  if (ew_store_commit(cx->r->store) != 0) {
    fprintf(stderr, "%s: store: %s\n", cx->r->cmd,
            ew_store_errmsg(cx->r->store));
    return -1;
  }
  return 0;
}

/* Fatal engine failures are those the next line would hit as well: stdout
 * is gone, or the clock (not one record) could not be moved. */
/* Called before every event and once at the end, even when `t` does not
 * move the clock: what the last records armed in the past is due now, as
 * the daemon's next tick would fire it. */
static int check_advance(replay_ctx *cx, ew_time t) {
  if (t == EW_NONE)
    return 0;
  if (ew_engine_advance(cx->r->engine, t) != 0) {
    fprintf(stderr, "%s: %s: %s\n", cx->r->cmd,
            emit_failed(cx) ? "stdout" : "engine",
            emit_failed(cx) ? strerror(*cx->r->emit_errno)
                            : ew_engine_errmsg(cx->r->engine));
    return -1;
  }
  if (t > cx->clock)
    cx->clock = t;
  return 0;
}

/* Applies one line (an ew_cli_line_fn). Returns 0 (also for a bad line,
 * which is reported and counted) or -1 when the check cannot go on. */
static int check_line(void *ud, const char *name, int64_t lineno,
                      const char *line, size_t len) {
  replay_ctx *cx = ud;
  ew_replay *r = cx->r;
  char errstr[512];
  ew_record rec;
  int tombstone = 0, rc;

  ew_arena_reset(&cx->arena);
  rc = ew_jsonl_parse(line, len, &rec, &tombstone, &cx->arena, errstr,
                      sizeof errstr);
  if (rc == 1)
    return 0;
  if (rc != 0) {
    ew_cli_bad_line(name, lineno, errstr, &r->nbad);
    return 0;
  }
  if (!ew_rkind_is_event(rec.kind) && !ew_rkind_is_ref(rec.kind)) {
    snprintf(errstr, sizeof errstr, "%s is an output, not an input record",
             ew_rkind_name(rec.kind));
    ew_cli_bad_line(name, lineno, errstr, &r->nbad);
    return 0;
  }
  if (tombstone) {
    rc = ew_engine_delete_ref(r->engine, rec.kind, ew_record_id(&rec));
  } else {
    ew_time t = ew_record_event_time(&rec);
    if (t != EW_NONE && t > r->latest)
      r->latest = t;
    if (check_advance(cx, t) != 0)
      return -1;
    ew_origin origin = {"jsonl", 0, lineno};
    rc = ew_engine_apply(r->engine, &rec, &origin);
  }
  if (rc != 0) {
    if (emit_failed(cx)) {
      fprintf(stderr, "%s: stdout: %s\n", r->cmd, strerror(*r->emit_errno));
      return -1;
    }
    snprintf(errstr, sizeof errstr, "engine: %s", ew_engine_errmsg(r->engine));
    ew_cli_bad_line(name, lineno, errstr, &r->nbad);
    return 0;
  }
  r->nrecords++;
  if (++cx->txn_count >= CHECK_TXN_RECORDS &&
      (check_commit(cx) != 0 || check_begin(cx) != 0))
    return -1;
  return 0;
}

/* Reads one file in one transaction (or one per CHECK_TXN_RECORDS records).
 * Returns 0, or -1 when the file cannot be read or the check cannot go on. */
static int check_file(replay_ctx *cx, const char *path) {
  if (check_begin(cx) != 0)
    return -1;
  int rc = ew_cli_each_line(cx->r->cmd, path, check_line, cx);
  if (check_commit(cx) != 0)
    rc = -1;
  return rc;
}

int ew_check_replay(ew_replay *r, char **files, int nfiles) {
  replay_ctx cx;
  int rc = -1;

  memset(&cx, 0, sizeof cx);
  cx.r = r;
  cx.clock = EW_NONE;
  r->nrecords = r->nbad = 0;
  r->latest = EW_NONE;
  for (int i = 0; i < nfiles; i++)
    if (check_file(&cx, files[i]) != 0)
      goto out;
  ew_time as_of = r->as_of != EW_NONE ? r->as_of : r->latest;
  if (as_of != EW_NONE) {
    if (check_begin(&cx) != 0 || check_advance(&cx, as_of) != 0 ||
        check_commit(&cx) != 0)
      goto out;
  }
  rc = 0;
out:
  if (cx.in_txn)
    ew_store_rollback(r->store);
  ew_arena_free(&cx.arena);
  return rc;
}

/* --as-of: ISO-8601 as in contract §1, or epoch milliseconds. */
int ew_check_parse_time(const char *s, ew_time *out) {
  const char *p = s + (*s == '-');
  if (*p && strspn(p, "0123456789") == strlen(p)) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v == EW_NONE)
      return -1;
    *out = v;
    return 0;
  }
  return ew_time_parse(s, strlen(s), out);
}

int ew_cmd_check(int argc, char **argv) {
  const char *config_path = NULL, *as_of_arg = NULL, *state_path = NULL;
  check_ctx cx;
  memset(&cx, 0, sizeof cx);
  const ew_cli_opt opts[] = {{"config", &config_path, NULL},
                             {"as-of", &as_of_arg, NULL},
                             {"stats", NULL, &cx.stats},
                             {"state", &state_path, NULL}};
  ew_replay replay;
  char errstr[512];
  ew_time as_of = EW_NONE;
  int rc = EW_EXIT_FAIL, nfiles;

  memset(&replay, 0, sizeof replay);
  nfiles = ew_cli_parse(argc, argv, opts, sizeof opts / sizeof opts[0]);
  if (nfiles == EW_CLI_HELP) {
    fputs(check_usage, stdout);
    return EW_EXIT_OK;
  }
  if (nfiles == 0)
    fprintf(stderr, "check: no input file (use - for standard input)\n");
  if (as_of_arg && ew_check_parse_time(as_of_arg, &as_of) != 0) {
    fprintf(stderr, "check: --as-of: not a time: \"%s\"\n", as_of_arg);
    nfiles = -1;
  }
  if (state_path && (!*state_path || strcmp(state_path, ":memory:") == 0)) {
    fprintf(stderr, "check: --state: not a file name: \"%s\"\n", state_path);
    nfiles = -1;
  }
  if (nfiles <= 0) {
    fputs(check_usage, stderr);
    return EW_EXIT_USAGE;
  }
  if (ew_cli_config(&cx.cfg, "check", config_path) != 0)
    return EW_EXIT_USAGE;

  if (ew_store_open(&cx.store, state_path ? state_path : ":memory:", errstr,
                    sizeof errstr) != 0) {
    if (state_path)
      fprintf(stderr, "check: state file %s: %s\n", state_path, errstr);
    else
      fprintf(stderr, "check: store: %s\n", errstr);
    goto out;
  }
  if (ew_engine_new(&cx.engine, cx.store, &cx.cfg.rules, check_emit, &cx,
                    errstr, sizeof errstr) != 0) {
    fprintf(stderr, "check: engine: %s\n", errstr);
    goto out;
  }
  replay.cmd = "check";
  replay.store = cx.store;
  replay.engine = cx.engine;
  replay.as_of = as_of;
  replay.emit_errno = &cx.emit_errno;
  if (ew_check_replay(&replay, argv + 1, nfiles) != 0)
    goto out;
  rc = EW_EXIT_OK;

out:
  errno = 0;
  if (fflush(stdout) != 0 || ferror(stdout)) {
    if (!cx.emit_errno) /* else reported where it happened */
      fprintf(stderr, "check: stdout: %s\n", strerror(errno ? errno : EIO));
    rc = EW_EXIT_FAIL;
  }
  fprintf(stderr,
          "check: %" PRId64 " records, %" PRId64 " bad lines, %" PRId64
          " alerts\n",
          replay.nrecords, replay.nbad, cx.nalerts);
  ew_engine_destroy(cx.engine);
  ew_store_close(cx.store);
  ew_config_free(&cx.cfg);
  return rc;
}
