/*
 * enforcewatchd.c - main(): options, configuration, then the daemon loop.
 *
 * Exit codes: 0 stopped by a signal (or --check-config passed), 1 a runtime
 * failure (the state file cannot be opened, a fatal Kafka error: a restart
 * may help), 2 a usage or configuration error (a restart cannot help; the
 * systemd unit does not restart on it).
 */
#include <getopt.h>
#include <libconfig.h>
#include <librdkafka/rdkafka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "rules_config.h"
#include "schemas/schema_registry.h"

#ifndef EW_VERSION
#define EW_VERSION "0.0.0"
#endif
/* avro-c has no run-time version call; the build may pass the one it found
 * (pkg-config --modversion avro-c). */
#ifndef EW_AVRO_VERSION
#define EW_AVRO_VERSION "1.11 (as packaged)"
#endif

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static void usage(FILE *out) {
  fprintf(out,
          "usage: enforcewatchd -c FILE [--check-config]\n"
          "       enforcewatchd -h | --version\n"
          "\n"
          "  -c, --config FILE   configuration file (deploy/enforcewatch.cfg "
          "shows every key)\n"
          "      --check-config  read the configuration and the schemas, "
          "print the\n"
          "                      effective values, exit 0 if valid, 2 if not\n"
          "  -h, --help          this text\n"
          "      --version       the version and the libraries in use\n");
}

static void print_version(void) {
  printf("enforcewatchd %s (librdkafka %s, avro-c %s, SQLite %s, libconfig "
         "%d.%d.%d)\n",
         EW_VERSION, rd_kafka_version_str(), EW_AVRO_VERSION,
         sqlite3_libversion(), LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR,
         LIBCONFIG_VER_REVISION);
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"config", required_argument, NULL, 'c'},
      {"check-config", no_argument, NULL, 'k'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0},
  };
  const char *path = NULL;
  int check_only = 0, opt, code = EXIT_RUNTIME;
  ew_config cfg;
  ew_daemon *d = NULL;
  char err[1024];

  while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
    switch (opt) {
    case 'c':
      path = optarg;
      break;
    case 'k':
      check_only = 1;
      break;
    case 'h':
      usage(stdout);
      return 0;
    case 'V':
      print_version();
      return 0;
    default:
      usage(stderr);
      return EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "enforcewatchd: unexpected argument '%s'\n", argv[optind]);
    usage(stderr);
    return EXIT_USAGE;
  }
  if (!path) {
    fprintf(stderr, "enforcewatchd: -c FILE is required\n");
    usage(stderr);
    return EXIT_USAGE;
  }

  if (ew_config_defaults(&cfg) != 0) {
    fprintf(stderr, "enforcewatchd: out of memory\n");
    return EXIT_RUNTIME;
  }
  if (ew_config_load(&cfg, path, err, sizeof err) != 0) {
    fprintf(stderr, "enforcewatchd: %s\n", err);
    code = EXIT_USAGE;
    goto out;
  }
  ew_log_level = cfg.log_level;
  ew_info("enforcewatchd %s starting: config %s; librdkafka %s, avro-c %s, "
          "SQLite %s, libconfig %d.%d",
          EW_VERSION, path, rd_kafka_version_str(), EW_AVRO_VERSION,
          sqlite3_libversion(), LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR);
  ew_config_log(&cfg);
  ew_rules_config_log(&cfg.rules);

  if (check_only) {
    ew_schemas *sc = NULL;
    const char *dir =
        cfg.schemas_dir ? cfg.schemas_dir : ew_schemas_default_dir();
    if (ew_schemas_load(&sc, dir, err, sizeof err) != 0) {
      fprintf(stderr, "enforcewatchd: schemas: %s\n", err);
      code = EXIT_USAGE;
      goto out;
    }
    ew_schemas_destroy(sc);
    printf("%s: configuration OK\n", path);
    code = 0;
    goto out;
  }

  if (ew_daemon_install_signals() != 0) {
    ew_err("installing signal handlers failed");
    goto out;
  }
  if (ew_daemon_new(&d, &cfg, err, sizeof err) != 0) {
    ew_err("%s", err);
    goto out;
  }
  code = ew_daemon_run(d);
out:
  ew_daemon_destroy(d);
  ew_config_free(&cfg);
  return code;
}
