/*
 * enforcewatch.c - main() of the `enforcewatch` command-line tool.
 *
 * Only dispatch lives here: the subcommands are in cmd_*.c, inside the core
 * library, so the unit tests run them without a process of their own.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <sqlite3.h>

#include "cli.h"
#include "log.h"

#ifndef EW_VERSION
#define EW_VERSION "unknown"
#endif

typedef struct ew_command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} ew_command;

static const ew_command commands[] = {
    {"check", ew_cmd_check, "run the rules over JSON Lines files, offline"},
    {"send", ew_cmd_send, "produce JSON Lines files to their Kafka topics"},
    {"tail", ew_cmd_tail, "print the records of a topic as JSON Lines"},
    {"topics", ew_cmd_topics, "create or list the configured topics"},
    {"sample", ew_cmd_sample, "draw the follow-up survey sample"},
    {"report", ew_cmd_report, "write the period report (HTML, CSV, JSON)"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *fp) {
  fputs("usage: enforcewatch <command> [options] [arguments]\n"
        "       enforcewatch help [command]\n"
        "       enforcewatch --version\n"
        "\ncommands:\n",
        fp);
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fputs("\n`enforcewatch <command> --help` describes a command.\n"
        "EW_LOG_LEVEL=error|warn|info|debug sets the log level (warn).\n",
        fp);
}

static const ew_command *find_command(const char *name) {
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

int main(int argc, char **argv) {
  const char *level = getenv("EW_LOG_LEVEL");
  /* The engine's info lines are for the daemon's operators; on a terminal
   * they would bury the output. */
  ew_log_level = EW_LOG_WARN;
  if (level && *level) {
    int l = ew_log_level_parse(level);
    if (l < 0) {
      fprintf(stderr, "enforcewatch: EW_LOG_LEVEL: unknown level \"%s\"\n",
              level);
      return EW_EXIT_USAGE;
    }
    ew_log_level = l;
  }

  if (argc < 2) {
    usage(stderr);
    return EW_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 ||
      strcmp(cmd, "version") == 0) {
    printf("enforcewatch %s (librdkafka %s, SQLite %s)\n", EW_VERSION,
           rd_kafka_version_str(), sqlite3_libversion());
    return EW_EXIT_OK;
  }
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
      strcmp(cmd, "-h") == 0) {
    if (argc > 2) {
      const ew_command *c = find_command(argv[2]);
      if (!c) {
        fprintf(stderr, "enforcewatch: unknown command \"%s\"\n", argv[2]);
        usage(stderr);
        return EW_EXIT_USAGE;
      }
      char *help_argv[] = {(char *)c->name, "--help", NULL};
      return c->run(2, help_argv);
    }
    usage(stdout);
    return EW_EXIT_OK;
  }
  const ew_command *c = find_command(cmd);
  if (!c) {
    fprintf(stderr, "enforcewatch: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return EW_EXIT_USAGE;
  }
  return c->run(argc - 1, argv + 1);
}
