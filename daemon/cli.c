/*
 * cli.c - what the subcommands of `enforcewatch` share: option parsing,
 * configuration and schema loading, reading JSON Lines files and the
 * librdkafka configuration of a CLI client.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/types.h>

int ew_cli_parse(int argc, char **argv, const ew_cli_opt *opts, size_t nopts) {
  int n = 0, only_operands = 0;
  for (int i = 1; i < argc; i++) {
    char *a = argv[i];
    if (only_operands || a[0] != '-' || a[1] == '\0') {
      argv[++n] = a;
      continue;
    }
    if (strcmp(a, "--") == 0) {
      only_operands = 1;
      continue;
    }
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
      return EW_CLI_HELP;
    const ew_cli_opt *o = NULL;
    const char *name = a + 2, *eq = strchr(a, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    for (size_t j = 0; a[1] == '-' && j < nopts; j++)
      if (strlen(opts[j].name) == len && memcmp(opts[j].name, name, len) == 0)
        o = &opts[j];
    if (!o) {
      fprintf(stderr, "%s: unknown option %s\n", argv[0], a);
      return -1;
    }
    if (!o->arg) {
      if (eq) {
        fprintf(stderr, "%s: option --%s takes no value\n", argv[0], o->name);
        return -1;
      }
      *o->flag = 1;
    } else if (eq) {
      *o->arg = eq + 1;
    } else if (i + 1 < argc) {
      *o->arg = argv[++i];
    } else {
      fprintf(stderr, "%s: option --%s needs a value\n", argv[0], o->name);
      return -1;
    }
  }
  return n;
}

int ew_cli_int(const char *cmd, const char *opt, const char *s, int64_t min,
               int64_t max, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end != '\0' || v < min || v > max) {
    fprintf(stderr,
            "%s: --%s: expected an integer from %" PRId64 " to %" PRId64
            ", got \"%s\"\n",
            cmd, opt, min, max, s);
    return -1;
  }
  *out = v;
  return 0;
}

int ew_cli_config(ew_config *cfg, const char *cmd, const char *path) {
  char errstr[512];
  if (ew_config_defaults(cfg) != 0) { /* it freed what it had set */
    fprintf(stderr, "%s: cannot set the default configuration\n", cmd);
    return -1;
  }
  if (path && ew_config_load(cfg, path, errstr, sizeof errstr) != 0) {
    fprintf(stderr, "%s: %s\n", cmd, errstr);
    ew_config_free(cfg);
    return -1;
  }
  return 0;
}

int ew_cli_schemas(const ew_config *cfg, const char *cmd, ew_schemas **out) {
  char errstr[512];
  const char *dir =
      cfg->schemas_dir ? cfg->schemas_dir : ew_schemas_default_dir();
  if (ew_schemas_load(out, dir, errstr, sizeof errstr) != 0) {
    fprintf(stderr, "%s: schemas: %s\n", cmd, errstr);
    return -1;
  }
  return 0;
}

int ew_cli_each_line(const char *cmd, const char *path, ew_cli_line_fn fn,
                     void *ud) {
  int is_stdin = strcmp(path, "-") == 0, rc = 0, err = 0;
  const char *name = is_stdin ? "<stdin>" : path;
  FILE *fp = is_stdin ? stdin : fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int64_t lineno = 0;

  if (!fp) {
    fprintf(stderr, "%s: %s: %s\n", cmd, name, strerror(errno));
    return -1;
  }
  for (;;) {
    errno = 0;
    n = getline(&line, &cap, fp);
    if (n < 0) {
      err = errno; /* end of file, or why the read failed */
      break;
    }
    size_t len = (size_t)n;
    if (len > 0 && line[len - 1] == '\n')
      len--;
    if (len > 0 && line[len - 1] == '\r')
      len--;
    if (fn(ud, name, ++lineno, line, len) != 0) {
      rc = -1;
      break;
    }
  }
  if (rc == 0 && ferror(fp)) {
    fprintf(stderr, "%s: %s: %s\n", cmd, name, strerror(err ? err : EIO));
    rc = -1;
  }
  free(line);
  /* Standard input stays open; clearing its end-of-file and error flags
   * lets a later "-" operand read it afresh. */
  if (is_stdin)
    clearerr(stdin);
  else
    fclose(fp);
  return rc;
}

void ew_cli_bad_line(const char *name, int64_t lineno, const char *reason,
                     int64_t *nbad) {
  fprintf(stderr, "%s:%" PRId64 ": %s\n", name, lineno, reason);
  (*nbad)++;
}

static int ew_cli_conf_set_pairs(rd_kafka_conf_t *conf, const char *const *kv,
                                 char *errstr, size_t errstr_size) {
  for (size_t i = 0; kv && kv[i]; i += 2)
    if (rd_kafka_conf_set(conf, kv[i], kv[i + 1], errstr, errstr_size) !=
        RD_KAFKA_CONF_OK)
      return -1;
  return 0;
}

rd_kafka_conf_t *ew_cli_kafka_conf(const ew_config *cfg, const char *cmd,
                                   const char *const *pre,
                                   const char *const *post) {
  char errstr[512], client_id[256];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  snprintf(client_id, sizeof client_id, "%s-%s",
           cfg->client_id ? cfg->client_id : "enforcewatch", cmd);
  if (ew_cli_conf_set_pairs(conf, pre, errstr, sizeof errstr) != 0 ||
      ew_config_kafka_conf(cfg, conf, errstr, sizeof errstr) != 0 ||
      rd_kafka_conf_set(conf, "client.id", client_id, errstr, sizeof errstr) !=
          RD_KAFKA_CONF_OK ||
      ew_cli_conf_set_pairs(conf, post, errstr, sizeof errstr) != 0) {
    fprintf(stderr, "%s: kafka: %s\n", cmd, errstr);
    rd_kafka_conf_destroy(conf);
    return NULL;
  }
  return conf;
}
