/*
 * cli.h - the subcommands of the `enforcewatch` tool and what they share.
 *
 * Each subcommand has main()'s signature with argv[0] the command's name
 * ("check"), so enforcewatch.c only dispatches and the unit tests call a
 * subcommand directly. A subcommand returns the process exit status.
 */
#ifndef EW_CLI_H
#define EW_CLI_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "config.h"
#include "engine.h"
#include "ewtime.h"
#include "schemas/schema_registry.h"

enum {
  EW_EXIT_OK = 0,   /* did everything asked */
  EW_EXIT_FAIL = 1, /* a file, a record or the broker failed */
  EW_EXIT_USAGE = 2 /* bad arguments or a bad configuration file */
};

/* `enforcewatch check [--config FILE] [--as-of TIME] FILE...` */
int ew_cmd_check(int argc, char **argv);
/* `enforcewatch send [--config FILE] FILE...` */
int ew_cmd_send(int argc, char **argv);
/* `enforcewatch tail [--config FILE] [--from-beginning] [--max N]
 * [--timeout-ms MS] [--follow] TOPIC` */
int ew_cmd_tail(int argc, char **argv);
/* `enforcewatch topics create|list [--config FILE]` */
int ew_cmd_topics(int argc, char **argv);
/* `enforcewatch sample --period P [--seed N] [--agency USCC] [--rate R]
 * [--min N] [--max N] [--format text|csv|json] [--out FILE]
 * (--state FILE | [--config FILE] FILE...)` (cmd_sample.c) */
int ew_cmd_sample(int argc, char **argv);
/* `enforcewatch report --period P [--agency USCC] [--format html|csv|json]
 * [--out FILE] (--state FILE | [--config FILE] [--as-of TIME] FILE...)`
 * (cmd_report.c) */
int ew_cmd_report(int argc, char **argv);

/* ---- option parsing shared by the subcommands ---- */

/* One long option: `--name VALUE`, `--name=VALUE`, or a flag `--name`. */
typedef struct ew_cli_opt {
  const char *name; /* without the dashes: "config" */
  const char **arg; /* receives VALUE; NULL for a flag */
  int *flag;        /* set to 1 by a flag */
} ew_cli_opt;

#define EW_CLI_HELP (-2)

/* Parses the options of argv[1..argc-1]. Options and operands may be mixed;
 * "--" ends the options and "-" is an operand (standard input). The operands
 * are moved to argv[1..n] in their order and n is returned. Returns
 * EW_CLI_HELP for -h/--help, or -1 after printing "CMD: reason" to stderr
 * for an unknown option or a missing value. */
int ew_cli_parse(int argc, char **argv, const ew_cli_opt *opts, size_t nopts);

/* Parses a decimal integer within [min, max]. Returns 0, or -1 after
 * printing "CMD: --OPT: reason" to stderr. */
int ew_cli_int(const char *cmd, const char *opt, const char *s, int64_t min,
               int64_t max, int64_t *out);

/* Fills `cfg` with the defaults and reads `path` (NULL: none) over them.
 * Returns 0, or -1 after printing "CMD: file:line: reason" to stderr; then
 * `cfg` holds nothing to free. */
int ew_cli_config(ew_config *cfg, const char *cmd, const char *path);

/* Loads the schemas of cfg->schemas_dir, else of ew_schemas_default_dir().
 * Returns 0, or -1 after printing "CMD: schemas: reason" to stderr. */
int ew_cli_schemas(const ew_config *cfg, const char *cmd, ew_schemas **out);

/* Receives one line of a JSON Lines file, without its line end; `s` is
 * valid only during the call. `name` is what messages call the file. Returns
 * 0 to go on, or -1 to stop reading. */
typedef int (*ew_cli_line_fn)(void *ud, const char *name, int64_t lineno,
                              const char *s, size_t len);

/* Calls `fn` for each line of the file `path` ("-": standard input, named
 * "<stdin>"), with its "\n" or "\r\n" removed. A byte order mark is passed
 * on: ew_jsonl_parse skips it. `name` outlives the call (it is `path` or a
 * literal), so a callback may keep it. Returns 0 after the last line, or -1
 * when `fn` stopped, or after printing "CMD: FILE: reason" to stderr when the
 * file cannot be opened or read. */
int ew_cli_each_line(const char *cmd, const char *path, ew_cli_line_fn fn,
                     void *ud);

/* Reports a line that is skipped as "FILE:LINE: reason" on stderr (contract
 * §7) and counts it in *nbad. */
void ew_cli_bad_line(const char *name, int64_t lineno, const char *reason,
                     int64_t *nbad);

/* A librdkafka configuration for a client of the CLI: the name/value pairs
 * of `pre`, then what ew_config_kafka_conf sets (bootstrap.servers,
 * client.id, the `kafka` passthrough group), then client.id
 * "<client_id>-CMD" so that the broker tells the CLI from the daemon, then
 * `post`. `pre` holds defaults the passthrough may override; `post` holds
 * what the command cannot work without. Both are NULL-terminated lists of
 * name/value pairs. Returns the configuration (the caller owns it), or NULL
 * after printing the reason to stderr. */
rd_kafka_conf_t *ew_cli_kafka_conf(const ew_config *cfg, const char *cmd,
                                   const char *const *pre,
                                   const char *const *post);

/* ---- added for `enforcewatch report` (issue 5): check's replay ---- */

/* JSON Lines files through the engine exactly as `check` runs them (the
 * clock moved to each event's time, then to as_of), for a command that
 * wants the engine's state rather than its outputs. */
typedef struct ew_replay {
  const char *cmd; /* what messages start with: "check" */
  ew_store *store; /* the engine's store */
  ew_engine *engine;
  /* The clock after the last file; EW_NONE: the latest event time read. */
  ew_time as_of;
  /* NULL-able: set to an errno by the engine's emit callback when its
   * output is gone, which stops the replay ("CMD: stdout: reason"). */
  const int *emit_errno;
  int64_t nrecords, nbad; /* out: records applied, bad lines skipped */
  ew_time latest;         /* out: the latest event time read */
} ew_replay;

/* Reads `files` in order ("-": standard input) in transactions of the
 * store, bad lines reported as "FILE:LINE: reason" and skipped. Returns 0
 * when every file was read whole, -1 (reported on stderr) when a file could
 * not be read or the store or engine failed. */
int ew_check_replay(ew_replay *r, char **files, int nfiles);
/* A time as --as-of takes it: ISO-8601 (contract §1) or epoch ms. */
int ew_check_parse_time(const char *s, ew_time *out);

#endif /* EW_CLI_H */
