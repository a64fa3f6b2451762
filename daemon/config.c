/*
 * config.c - the configuration file: libconfig 1.5 read through typed key
 * tables.
 *
 * Every key the file may hold has a row in a table below (its offset in
 * ew_config, type, bounds and default), the Redis static_configs[] idea. The
 * loader walks each group of the file and looks every name up in the group's
 * table, so a key the table does not know is refused with its file:line
 * instead of being silently ignored, which is what libconfig does on its
 * own (style-and-idioms §B7). The defaults come from the same rows, so
 * ew_config_defaults, the loader and the startup log cannot disagree.
 *
 * Two groups are not tables of ours: `kafka` is passed through to librdkafka
 * (each value is checked with rd_kafka_conf_set at load time, so a typo is a
 * start-up error with a line number, not a warning at runtime), and `rules`
 * is walked through ew_rule_params[] of rules_config.h.
 *
 * Integers: libconfig 1.5 silently wraps a literal beyond 32 bits that lacks
 * the L suffix (5000000000 reads as 705032704). Every integer is read as
 * 64-bit and range-checked, and a 32-bit setting is compared against its
 * literal in the source line, so a wrapped value is refused with a hint to
 * add the L instead of being used.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <librdkafka/rdkafka.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

/* ---- the key tables ---- */

typedef enum key_type {
  K_STR,      /* char *, required non-empty */
  K_OPTSTR,   /* char *, NULL by default */
  K_TOPIC,    /* char *, a legal Kafka topic name */
  K_INT,      /* int64_t within [min, max] */
  K_LOGLEVEL, /* int, from "error" / "warn" / "info" / "debug" */
  K_GROUP,    /* a nested table */
  K_KAFKA,    /* the librdkafka passthrough group */
  K_RULES     /* the rules group, walked via ew_rule_params[] */
} key_type;

typedef struct key_def {
  const char *name;
  key_type type;
  size_t offset;
  int64_t min, max;
  const char *dflt_str; /* K_STR, K_OPTSTR, K_TOPIC, K_LOGLEVEL */
  int64_t dflt_int;     /* K_INT */
  const struct key_def *sub;
} key_def;

#define OFF(f) offsetof(ew_config, f)
#define STR(n, f, d)                                                           \
  { n, K_STR, OFF(f), 0, 0, d, 0, NULL }
#define OPTSTR(n, f)                                                           \
  { n, K_OPTSTR, OFF(f), 0, 0, NULL, 0, NULL }
#define TOPIC(n, f, d)                                                         \
  { n, K_TOPIC, OFF(f), 0, 0, d, 0, NULL }
#define INT(n, f, lo, hi, d)                                                   \
  { n, K_INT, OFF(f), lo, hi, NULL, d, NULL }
#define GROUP(n, t)                                                            \
  { n, K_GROUP, 0, 0, 0, NULL, 0, t }
#define END                                                                    \
  { NULL, K_STR, 0, 0, 0, NULL, 0, NULL }

static const key_def batch_keys[] = {
    INT("max_records", batch_max_records, 1, 100000, 5000),
    INT("max_ms", batch_max_ms, 1, 60000, 1000),
    END,
};

/* The names are ew_rkind_name() of each kind; test_config checks it. */
static const key_def ref_keys[] = {
    TOPIC("agency", topics.ref[EW_REC_AGENCY], "enforcement.ref.agency"),
    TOPIC("plan", topics.ref[EW_REC_PLAN], "enforcement.ref.plan"),
    TOPIC("approval", topics.ref[EW_REC_APPROVAL], "enforcement.ref.approval"),
    TOPIC("certificate", topics.ref[EW_REC_CERTIFICATE],
          "enforcement.ref.certificate"),
    TOPIC("benchmark", topics.ref[EW_REC_BENCHMARK],
          "enforcement.ref.benchmark"),
    TOPIC("leniency_item", topics.ref[EW_REC_LENIENCY_ITEM],
          "enforcement.ref.leniency_item"),
    TOPIC("sampling_item", topics.ref[EW_REC_SAMPLING_ITEM],
          "enforcement.ref.sampling_item"),
    TOPIC("random_task", topics.ref[EW_REC_RANDOM_TASK],
          "enforcement.ref.random_task"),
    TOPIC("credit_grade", topics.ref[EW_REC_CREDIT_GRADE],
          "enforcement.ref.credit_grade"),
    TOPIC("calendar_day", topics.ref[EW_REC_CALENDAR_DAY],
          "enforcement.ref.calendar_day"),
    END,
};

static const key_def topic_keys[] = {
    TOPIC("inspections", topics.inspections, "enforcement.inspections"),
    TOPIC("complaints", topics.complaints, "enforcement.complaints"),
    TOPIC("penalties", topics.penalties, "enforcement.penalties"),
    TOPIC("feedback", topics.feedback, "enforcement.feedback"),
    GROUP("ref", ref_keys),
    TOPIC("alerts", topics.alerts, "enforcement.alerts"),
    TOPIC("notices", topics.notices, "enforcement.notices"),
    TOPIC("stats", topics.stats, "enforcement.stats"),
    TOPIC("deadletter", topics.deadletter, "enforcement.deadletter"),
    TOPIC("progress", topics.progress, "enforcewatch.progress"),
    END,
};

static const key_def txn_keys[] = {
    INT("max_rows", transaction_max_rows, 1, 1000000, 10000),
    /* Kafka's transaction.max.timeout.ms caps it at 15 min by default. */
    INT("timeout_ms", transaction_timeout_ms, 1000, 900000, 60000),
    END,
};

static const key_def top_keys[] = {
    STR("brokers", brokers, "127.0.0.1:9092"),
    STR("group_id", group_id, "enforcewatch"),
    STR("client_id", client_id, "enforcewatchd"),
    STR("instance_id", instance_id, "enforcewatchd-1"),
    STR("state_path", state_path, "enforcewatch-state.db"),
    OPTSTR("schemas_dir", schemas_dir),
    {"log_level", K_LOGLEVEL, OFF(log_level), 0, 0, "info", 0, NULL},
    /* Kafka's own default message.max.bytes is about 1 MB; above 1 GiB a
     * single record is a mistake, not data. */
    INT("max_message_bytes", max_message_bytes, 64, 1073741824, 1000000),
    GROUP("batch", batch_keys),
    INT("tick_ms", tick_ms, 10, 3600000, 1000),
    INT("shutdown_timeout_ms", shutdown_timeout_ms, 100, 600000, 10000),
    GROUP("transaction", txn_keys),
    GROUP("topics", topic_keys),
    INT("topic_partitions", topic_partitions, 1, 100000, 3),
    INT("topic_replication", topic_replication, 1, 32767, 1),
    {"kafka", K_KAFKA, 0, 0, 0, NULL, 0, NULL},
    {"rules", K_RULES, 0, 0, 0, NULL, 0, NULL},
    END,
};

/* librdkafka properties that enforcewatch sets itself: overriding them would
 * break the delivery guarantees or duplicate a key of ours. */
static const struct {
  const char *name, *why;
} reserved_props[] = {
    {"bootstrap.servers", "use the top-level 'brokers' key"},
    {"metadata.broker.list", "use the top-level 'brokers' key"},
    {"group.id", "use the top-level 'group_id' key"},
    {"client.id", "use the top-level 'client_id' key"},
    {"enable.auto.commit", "offsets are committed after delivery"},
    {"enable.auto.offset.store", "offsets are stored after delivery"},
    {"auto.offset.reset", "a new partition is read from the beginning"},
    {"isolation.level", "only committed input is read"},
    {"enable.idempotence", "the producer is always idempotent"},
    {"transactional.id", "use the top-level 'instance_id' key"},
    {"group.instance.id", "use the top-level 'instance_id' key"},
    {"transaction.timeout.ms", "use 'transaction.timeout_ms'"},
    {"enable.partition.eof", "the reference bootstrap relies on it"},
    {"message.timeout.ms",
     "outputs are retried until delivered, so one key's outputs keep their "
     "order"},
    {"partition.assignment.strategy",
     "the rebalance handling is built for cooperative-sticky"},
};

/* ---- field access ---- */

static char **str_at(ew_config *cfg, const key_def *k) {
  return (char **)((char *)cfg + k->offset);
}
static int64_t *int_at(ew_config *cfg, const key_def *k) {
  return (int64_t *)((char *)cfg + k->offset);
}
static int *intfield_at(ew_config *cfg, const key_def *k) {
  return (int *)((char *)cfg + k->offset);
}

static void free_strings(ew_config *cfg, const key_def *keys) {
  for (const key_def *k = keys; k->name; k++) {
    if (k->type == K_GROUP)
      free_strings(cfg, k->sub);
    else if (k->type == K_STR || k->type == K_OPTSTR || k->type == K_TOPIC) {
      free(*str_at(cfg, k));
      *str_at(cfg, k) = NULL;
    }
  }
}

static int set_defaults(ew_config *cfg, const key_def *keys) {
  for (const key_def *k = keys; k->name; k++) {
    switch (k->type) {
    case K_STR:
    case K_OPTSTR:
    case K_TOPIC:
      free(*str_at(cfg, k));
      *str_at(cfg, k) = NULL;
      if (k->dflt_str && !(*str_at(cfg, k) = strdup(k->dflt_str)))
        return -1;
      break;
    case K_INT:
      *int_at(cfg, k) = k->dflt_int;
      break;
    case K_LOGLEVEL:
      *intfield_at(cfg, k) = ew_log_level_parse(k->dflt_str);
      break;
    case K_GROUP:
      if (set_defaults(cfg, k->sub) != 0)
        return -1;
      break;
    case K_KAFKA:
    case K_RULES:
      break;
    }
  }
  return 0;
}

int ew_config_defaults(ew_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  ew_rules_config_defaults(&cfg->rules);
  if (set_defaults(cfg, top_keys) != 0) {
    ew_config_free(cfg);
    return -1;
  }
  return 0;
}

static void free_kafka(ew_config *cfg) {
  for (size_t i = 0; i < cfg->nkafka; i++) {
    free(cfg->kafka[i].name);
    free(cfg->kafka[i].value);
    /* A property set in an @include'd file owns a copy of that file name. */
    if (cfg->kafka[i].file != cfg->path)
      free((char *)cfg->kafka[i].file);
  }
  free(cfg->kafka);
  cfg->kafka = NULL;
  cfg->nkafka = 0;
}

void ew_config_free(ew_config *cfg) {
  if (!cfg)
    return;
  free_strings(cfg, top_keys);
  free_kafka(cfg);
  free(cfg->path);
  cfg->path = NULL;
  ew_rules_config_free(&cfg->rules);
}

/* ---- the loader ---- */

typedef struct loader {
  ew_config *cfg;
  const char *path;
  char *errstr;
  size_t errstr_size;
  rd_kafka_conf_t *probe; /* validates kafka properties */
  char incdir[4096];      /* the folder @include paths are relative to */
} loader;

/* The file `s` was read from, as a path usable from the current folder:
 * libconfig records an @include'd file by the name written in the
 * directive, relative to the include folder. */
static const char *source_file(const loader *L, const config_setting_t *s,
                               char *buf, size_t n) {
  const char *f = s ? config_setting_source_file(s) : NULL;
  if (!f)
    return L->path;
  if (strcmp(f, L->path) == 0 || f[0] == '/' || !L->incdir[0])
    return f;
  snprintf(buf, n, "%s/%s", L->incdir, f);
  return buf;
}

static int vfail_at(loader *L, const char *file, int line, const char *fmt,
                    va_list ap) {
  int n = snprintf(L->errstr, L->errstr_size, "%s:%d: ", file, line);
  if (n >= 0 && (size_t)n < L->errstr_size)
    vsnprintf(L->errstr + n, L->errstr_size - (size_t)n, fmt, ap);
  return -1;
}

static int fail_at(loader *L, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail_at(loader *L, const char *file, int line, const char *fmt,
                   ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail_at(L, file, line, fmt, ap);
  va_end(ap);
  return -1;
}

static int fail(loader *L, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes "file:line: message" into the loader's errstr; returns -1. */
static int fail(loader *L, const config_setting_t *s, const char *fmt, ...) {
  char buf[4200];
  va_list ap;
  va_start(ap, fmt);
  vfail_at(L, source_file(L, s, buf, sizeof buf),
           s ? (int)config_setting_source_line(s) : 0, fmt, ap);
  va_end(ap);
  return -1;
}

static const char *type_name(int type) {
  switch (type) {
  case CONFIG_TYPE_GROUP:
    return "a group";
  case CONFIG_TYPE_INT:
  case CONFIG_TYPE_INT64:
    return "an integer";
  case CONFIG_TYPE_FLOAT:
    return "a float";
  case CONFIG_TYPE_STRING:
    return "a string";
  case CONFIG_TYPE_BOOL:
    return "a boolean";
  case CONFIG_TYPE_ARRAY:
    return "an array";
  case CONFIG_TYPE_LIST:
    return "a list";
  default:
    return "nothing";
  }
}

static int want_type(loader *L, const config_setting_t *s, const char *name,
                     int type) {
  int t = config_setting_type(s);
  if (t == type || (type == CONFIG_TYPE_INT &&
                    (t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_INT)))
    return 0;
  return fail(L, s, "'%s' must be %s, not %s", name, type_name(type),
              type_name(t));
}

/* Reads line `lineno` (1-based) of `file` into buf. */
static int read_line(const char *file, int lineno, char *buf, size_t n) {
  FILE *f = fopen(file, "r");
  if (!f)
    return -1;
  int rc = -1;
  for (int i = 1; fgets(buf, (int)n, f); i++) {
    size_t len = strlen(buf);
    int whole = len > 0 && buf[len - 1] == '\n';
    if (i == lineno) {
      rc = 0;
      break;
    }
    /* A line longer than buf continues in the next fgets: not a new line. */
    while (!whole && fgets(buf, (int)n, f)) {
      len = strlen(buf);
      whole = len > 0 && buf[len - 1] == '\n';
    }
  }
  fclose(f);
  return rc;
}

static int is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*';
}

/* The line of array element `e` (a string `text`) of array `arr`. libconfig
 * stamps an element with the line of the token after it, so the last
 * element of an array closed on a later line is attributed to that line;
 * look back for the line that holds the literal. */
static int element_line(const char *file, const config_setting_t *arr,
                        const config_setting_t *e, const char *text) {
  int line = (int)config_setting_source_line(e);
  int first = (int)config_setting_source_line(arr);
  char want[300], buf[1024];
  snprintf(want, sizeof want, "\"%s\"", text);
  for (int l = line; l >= first && l > 0; l--)
    if (read_line(file, l, buf, sizeof buf) == 0 && strstr(buf, want))
      return l;
  return line;
}

/* Finds the integer literal written for setting `s` in its source line.
 * Returns 0 with the literal's text (sign, digits, no suffix) in lit, or -1
 * when it cannot be found (the check is then skipped). */
static int source_literal(const loader *L, const config_setting_t *s, char *lit,
                          size_t n) {
  char buf[4200];
  const char *file = source_file(L, s, buf, sizeof buf);
  const char *name = config_setting_name(s);
  char line[1024];
  if (!name || config_setting_source_line(s) == 0 ||
      read_line(file, config_setting_source_line(s), line, sizeof line) != 0)
    return -1;
  size_t nlen = strlen(name);
  for (const char *p = strstr(line, name); p; p = strstr(p + 1, name)) {
    if ((p > line && is_name_char(p[-1])) || is_name_char(p[nlen]))
      continue;
    const char *q = p + nlen;
    while (*q == ' ' || *q == '\t')
      q++;
    if (*q != '=' && *q != ':')
      continue;
    q++;
    while (*q == ' ' || *q == '\t')
      q++;
    size_t i = 0;
    if (*q == '-' || *q == '+')
      lit[i++] = *q++;
    while (i + 1 < n && (isxdigit((unsigned char)*q) || *q == 'x' || *q == 'X'))
      lit[i++] = *q++;
    lit[i] = '\0';
    return i > 0 ? 0 : -1;
  }
  return -1;
}

/* Reads an integer setting as 64-bit, refusing a wrapped 32-bit literal and
 * anything outside [min, max]. */
static int get_int(loader *L, const config_setting_t *s, const char *name,
                   int64_t min, int64_t max, int64_t *out) {
  if (want_type(L, s, name, CONFIG_TYPE_INT) != 0)
    return -1;
  long long v = config_setting_get_int64(s);
  char lit[64];
  if (config_setting_type(s) == CONFIG_TYPE_INT &&
      source_literal(L, s, lit, sizeof lit) == 0) {
    const char *digits = lit + (lit[0] == '-' || lit[0] == '+');
    int hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
    char *end;
    errno = 0;
    long long written = strtoll(lit, &end, hex ? 16 : 10);
    if (*end == '\0' && (errno == ERANGE || written != v))
      return fail(L, s,
                  "'%s' = %s does not fit in 32 bits and libconfig wrapped it "
                  "to %lld; write 64-bit integers with an L suffix (%sL)",
                  name, lit, v, lit);
  }
  if (v < min || v > max)
    return fail(L, s, "'%s' = %lld is out of range [%lld, %lld]", name, v,
                (long long)min, (long long)max);
  *out = v;
  return 0;
}

static int get_string(loader *L, const config_setting_t *s, const char *name,
                      const char **out) {
  if (want_type(L, s, name, CONFIG_TYPE_STRING) != 0)
    return -1;
  *out = config_setting_get_string(s);
  if (!*out || !**out)
    return fail(L, s, "'%s' must not be empty", name);
  return 0;
}

static int replace_str(loader *L, const config_setting_t *s, char **dst,
                       const char *v) {
  char *copy = strdup(v);
  if (!copy)
    return fail(L, s, "out of memory");
  free(*dst);
  *dst = copy;
  return 0;
}

/* Kafka's own rule: 1..249 characters of [a-zA-Z0-9._-], not "." or "..". */
static int topic_name_ok(const char *t) {
  size_t n = strlen(t);
  if (n == 0 || n > 249 || strcmp(t, ".") == 0 || strcmp(t, "..") == 0)
    return 0;
  for (const char *p = t; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
      return 0;
  return 1;
}

static void join_name(char *buf, size_t n, const char *group,
                      const char *name) {
  if (group && *group)
    snprintf(buf, n, "%s.%s", group, name);
  else
    snprintf(buf, n, "%s", name);
}

static int unknown_key(loader *L, const config_setting_t *s, const char *group,
                       const char *name) {
  if (group && *group)
    return fail(L, s, "unknown key '%s' in group '%s'", name, group);
  return fail(L, s, "unknown key '%s' at top level", name);
}

/* ---- kafka passthrough ---- */

static int load_kafka(loader *L, const config_setting_t *grp) {
  int n = config_setting_length(grp);
  for (int i = 0; i < n; i++) {
    const config_setting_t *s = config_setting_get_elem(grp, i);
    const char *key = config_setting_name(s);
    char name[256], value[64], qual[300];
    const char *v = value;
    snprintf(name, sizeof name, "%s", key);
    for (char *p = name; *p; p++)
      if (*p == '_')
        *p = '.';
    snprintf(qual, sizeof qual, "kafka.%s", key);
    for (size_t r = 0; r < sizeof reserved_props / sizeof reserved_props[0];
         r++)
      if (strcmp(name, reserved_props[r].name) == 0)
        return fail(L, s, "kafka property '%s' is set by enforcewatch (%s)",
                    name, reserved_props[r].why);
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_STRING:
      v = config_setting_get_string(s);
      break;
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: {
      int64_t iv;
      if (get_int(L, s, qual, INT64_MIN, INT64_MAX, &iv) != 0)
        return -1;
      snprintf(value, sizeof value, "%lld", (long long)iv);
      break;
    }
    case CONFIG_TYPE_BOOL:
      v = config_setting_get_bool(s) ? "true" : "false";
      break;
    default:
      return fail(L, s,
                  "'%s' must be a string, an integer or a boolean, not %s",
                  qual, type_name(config_setting_type(s)));
    }
    char rderr[256];
    if (rd_kafka_conf_set(L->probe, name, v, rderr, sizeof rderr) !=
        RD_KAFKA_CONF_OK)
      return fail(L, s, "kafka property '%s' (from '%s'): %s", name, qual,
                  rderr);

    ew_kafka_prop *grown =
        realloc(L->cfg->kafka, (L->cfg->nkafka + 1) * sizeof *grown);
    if (!grown)
      return fail(L, s, "out of memory");
    L->cfg->kafka = grown;
    ew_kafka_prop *p = &grown[L->cfg->nkafka];
    char buf[4200];
    const char *file = source_file(L, s, buf, sizeof buf);
    p->name = strdup(name);
    p->value = strdup(v);
    p->file = strcmp(file, L->cfg->path) == 0 ? L->cfg->path : strdup(file);
    p->line = (int)config_setting_source_line(s);
    L->cfg->nkafka++;
    if (!p->name || !p->value || !p->file)
      return fail(L, s, "out of memory");
  }
  return 0;
}

/* ---- rules ---- */

static int load_enumset(loader *L, const config_setting_t *s, const char *name,
                        const ew_enum *enm, uint32_t *out) {
  int t = config_setting_type(s);
  if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
    return fail(L, s, "'%s' must be an array of strings, not %s", name,
                type_name(t));
  uint32_t set = 0;
  int n = config_setting_length(s);
  for (int i = 0; i < n; i++) {
    const config_setting_t *e = config_setting_get_elem(s, i);
    if (config_setting_type(e) != CONFIG_TYPE_STRING)
      return fail(L, e, "'%s' must be an array of strings, not of %s", name,
                  type_name(config_setting_type(e)));
    const char *sym = config_setting_get_string(e);
    int v = ew_enum_parse(enm, sym, strlen(sym));
    if (v < 0 || v >= 32) {
      char buf[4200];
      const char *file = source_file(L, e, buf, sizeof buf);
      return fail_at(L, file, element_line(file, s, e, sym),
                     "'%s': '%s' is not a %s symbol", name, sym, enm->name);
    }
    set |= 1u << v;
  }
  *out = set;
  return 0;
}

static int load_strlist(loader *L, const config_setting_t *s, const char *name,
                        ew_strlist *out) {
  int t = config_setting_type(s);
  if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
    return fail(L, s, "'%s' must be an array of strings, not %s", name,
                type_name(t));
  int n = config_setting_length(s);
  if (n > EW_RULE_MAX_LIST)
    return fail(L, s, "'%s' has %d entries, at most %d are allowed", name, n,
                EW_RULE_MAX_LIST);
  ew_strlist fresh = {{NULL}, 0};
  for (int i = 0; i < n; i++) {
    const config_setting_t *e = config_setting_get_elem(s, i);
    const char *v;
    if (config_setting_type(e) != CONFIG_TYPE_STRING ||
        !(v = config_setting_get_string(e)) || !*v) {
      for (size_t j = 0; j < fresh.n; j++)
        free(fresh.v[j]);
      if (config_setting_type(e) != CONFIG_TYPE_STRING)
        return fail(L, e, "'%s' must be an array of non-empty strings", name);
      char buf[4200];
      const char *file = source_file(L, e, buf, sizeof buf);
      return fail_at(L, file, element_line(file, s, e, ""),
                     "'%s' must be an array of non-empty strings", name);
    }
    if (!(fresh.v[fresh.n] = strdup(v))) {
      for (size_t j = 0; j < fresh.n; j++)
        free(fresh.v[j]);
      return fail(L, e, "out of memory");
    }
    fresh.n++;
  }
  for (size_t j = 0; j < out->n; j++)
    free(out->v[j]);
  *out = fresh;
  return 0;
}

static int load_rule_param(loader *L, const config_setting_t *s,
                           const ew_rule_param *p, const char *name) {
  char *base = (char *)&L->cfg->rules + p->offset;
  switch (p->type) {
  case EW_PT_BOOL:
    if (want_type(L, s, name, CONFIG_TYPE_BOOL) != 0)
      return -1;
    *(int *)base = config_setting_get_bool(s) ? 1 : 0;
    return 0;
  case EW_PT_INT:
    return get_int(L, s, name, p->min, p->max, (int64_t *)base);
  case EW_PT_ENUM: {
    const char *v;
    if (get_string(L, s, name, &v) != 0)
      return -1;
    int sym = ew_enum_parse(p->enm, v, strlen(v));
    if (sym < 0) {
      char list[512];
      size_t len = 0;
      list[0] = '\0';
      for (int i = 0; i < p->enm->n && len + 2 < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                                i ? ", " : "", p->enm->symbols[i]);
      return fail(L, s, "'%s' = \"%s\" is not one of %s", name, v, list);
    }
    *(int *)base = sym;
    return 0;
  }
  case EW_PT_ENUMSET:
    return load_enumset(L, s, name, p->enm, (uint32_t *)base);
  case EW_PT_STRLIST:
    return load_strlist(L, s, name, (ew_strlist *)base);
  }
  return fail(L, s, "'%s': parameter type %d not handled", name, (int)p->type);
}

static int load_rules(loader *L, const config_setting_t *grp) {
  int n = config_setting_length(grp);
  for (int i = 0; i < n; i++) {
    const config_setting_t *r = config_setting_get_elem(grp, i);
    const char *rule = config_setting_name(r);
    int known = 0;
    for (size_t j = 0; j < ew_rule_params_count && !known; j++)
      known = strcmp(ew_rule_params[j].rule, rule) == 0;
    if (!known)
      return fail(L, r, "unknown rule '%s' in group 'rules'", rule);
    char rname[64];
    snprintf(rname, sizeof rname, "rules.%s", rule);
    if (want_type(L, r, rname, CONFIG_TYPE_GROUP) != 0)
      return -1;
    int m = config_setting_length(r);
    for (int k = 0; k < m; k++) {
      const config_setting_t *s = config_setting_get_elem(r, k);
      const char *key = config_setting_name(s);
      const ew_rule_param *p = NULL;
      for (size_t j = 0; j < ew_rule_params_count && !p; j++)
        if (strcmp(ew_rule_params[j].rule, rule) == 0 &&
            strcmp(ew_rule_params[j].key, key) == 0)
          p = &ew_rule_params[j];
      if (!p)
        return unknown_key(L, s, rname, key);
      char qual[160];
      join_name(qual, sizeof qual, rname, key);
      if (load_rule_param(L, s, p, qual) != 0)
        return -1;
    }
  }
  return 0;
}

/* ---- the tables ---- */

static int load_group(loader *L, const config_setting_t *grp,
                      const key_def *keys, const char *gname) {
  int n = config_setting_length(grp);
  for (int i = 0; i < n; i++) {
    const config_setting_t *s = config_setting_get_elem(grp, i);
    const char *name = config_setting_name(s);
    const key_def *k = keys;
    while (k->name && strcmp(k->name, name) != 0)
      k++;
    if (!k->name)
      return unknown_key(L, s, gname, name);
    char qual[128];
    join_name(qual, sizeof qual, gname, name);
    const char *sv;
    switch (k->type) {
    case K_STR:
    case K_OPTSTR:
      if (get_string(L, s, qual, &sv) != 0 ||
          replace_str(L, s, str_at(L->cfg, k), sv) != 0)
        return -1;
      break;
    case K_TOPIC:
      if (get_string(L, s, qual, &sv) != 0)
        return -1;
      if (!topic_name_ok(sv))
        return fail(L, s,
                    "'%s' = \"%s\" is not a Kafka topic name (1-249 of "
                    "a-z A-Z 0-9 . _ -)",
                    qual, sv);
      if (replace_str(L, s, str_at(L->cfg, k), sv) != 0)
        return -1;
      break;
    case K_INT:
      if (get_int(L, s, qual, k->min, k->max, int_at(L->cfg, k)) != 0)
        return -1;
      break;
    case K_LOGLEVEL: {
      if (get_string(L, s, qual, &sv) != 0)
        return -1;
      int lvl = ew_log_level_parse(sv);
      if (lvl < 0)
        return fail(L, s,
                    "'%s' = \"%s\" is not a log level (error, warn, info, "
                    "debug)",
                    qual, sv);
      *intfield_at(L->cfg, k) = lvl;
      break;
    }
    case K_GROUP:
      if (want_type(L, s, qual, CONFIG_TYPE_GROUP) != 0 ||
          load_group(L, s, k->sub, qual) != 0)
        return -1;
      break;
    case K_KAFKA:
      if (want_type(L, s, qual, CONFIG_TYPE_GROUP) != 0 ||
          load_kafka(L, s) != 0)
        return -1;
      break;
    case K_RULES:
      if (want_type(L, s, qual, CONFIG_TYPE_GROUP) != 0 ||
          load_rules(L, s) != 0)
        return -1;
      break;
    }
  }
  return 0;
}

/* Two kinds on one topic would make ew_config_kind_of_topic ambiguous and
 * feed alerts back in as input. */
static int check_topics_distinct(loader *L, const config_t *c) {
  /* Every record kind, the dead letters and the progress topic. */
  char qual[EW_REC_COUNT + 2][64];
  const char *names[EW_REC_COUNT + 2];
  size_t n = 0;
  for (const key_def *k = topic_keys; k->name; k++) {
    const key_def *r = k->type == K_GROUP ? k->sub : k;
    for (; r->name; r++) {
      snprintf(qual[n], sizeof qual[n], "topics.%s%s%s",
               k->type == K_GROUP ? k->name : "", k->type == K_GROUP ? "." : "",
               r->name);
      names[n++] = *str_at(L->cfg, r);
      if (k->type != K_GROUP)
        break;
    }
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      if (strcmp(names[i], names[j]) == 0) {
        const config_setting_t *s = config_lookup(c, qual[i]);
        if (!s)
          s = config_lookup(c, qual[j]);
        return fail(L, s, "topic \"%s\" is configured for both '%s' and '%s'",
                    names[i], qual[j], qual[i]);
      }
  return 0;
}

int ew_config_load(ew_config *cfg, const char *path, char *errstr,
                   size_t errstr_size) {
  config_t c;
  loader L = {cfg, path, errstr, errstr_size, NULL, ""};
  int rc = -1;
  struct stat st;

  config_init(&c);
  /* Not fopen: glibc opens a directory for reading without complaint, and
   * libconfig reports I/O errors with neither file nor errno (§B7). */
  if (stat(path, &st) != 0) {
    snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
    goto done;
  }
  if (S_ISDIR(st.st_mode)) {
    snprintf(errstr, errstr_size, "%s: %s", path, strerror(EISDIR));
    goto done;
  }
  {
    /* @include paths are relative to the including file's folder. */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
      *slash = '\0';
      snprintf(L.incdir, sizeof L.incdir, "%s", slash == dir ? "/" : dir);
      config_set_include_dir(&c, L.incdir);
    }
  }
  if (config_read_file(&c, path) != CONFIG_TRUE) {
    if (config_error_type(&c) == CONFIG_ERR_FILE_IO) {
      int e = errno ? errno : EIO;
      snprintf(errstr, errstr_size, "%s: %s", path, strerror(e));
    } else {
      snprintf(errstr, errstr_size, "%s:%d: %s",
               config_error_file(&c) ? config_error_file(&c) : path,
               config_error_line(&c), config_error_text(&c));
    }
    goto done;
  }
  free_kafka(cfg);
  free(cfg->path);
  if (!(cfg->path = strdup(path))) {
    snprintf(errstr, errstr_size, "%s: out of memory", path);
    goto done;
  }
  L.probe = rd_kafka_conf_new();
  if (!L.probe) {
    snprintf(errstr, errstr_size, "%s: out of memory", path);
    goto done;
  }
  if (load_group(&L, config_root_setting(&c), top_keys, "") != 0 ||
      check_topics_distinct(&L, &c) != 0)
    goto done;
  rc = 0;
done:
  if (L.probe)
    rd_kafka_conf_destroy(L.probe);
  config_destroy(&c);
  return rc;
}

/* ---- topics ---- */

const char *ew_config_topic_of(const ew_config *cfg, ew_rkind kind) {
  switch (kind) {
  case EW_REC_INSPECTION:
    return cfg->topics.inspections;
  case EW_REC_COMPLAINT:
    return cfg->topics.complaints;
  case EW_REC_PENALTY:
    return cfg->topics.penalties;
  case EW_REC_FEEDBACK:
    return cfg->topics.feedback;
  case EW_REC_ALERT:
    return cfg->topics.alerts;
  case EW_REC_NOTICE:
    return cfg->topics.notices;
  case EW_REC_STATS:
    return cfg->topics.stats;
  default:
    if (ew_rkind_is_ref(kind))
      return cfg->topics.ref[kind];
    return NULL;
  }
}

int ew_config_kind_of_topic(const ew_config *cfg, const char *topic) {
  if (!topic)
    return -1;
  for (int k = 0; k < EW_REC_COUNT; k++) {
    const char *t = ew_config_topic_of(cfg, (ew_rkind)k);
    if (t && strcmp(t, topic) == 0)
      return k;
  }
  return -1;
}

/* ---- librdkafka ---- */

int ew_config_kafka_conf(const ew_config *cfg, struct rd_kafka_conf_s *conf,
                         char *errstr, size_t errstr_size) {
  char rderr[256];
  if (rd_kafka_conf_set(conf, "bootstrap.servers", cfg->brokers, rderr,
                        sizeof rderr) != RD_KAFKA_CONF_OK) {
    snprintf(errstr, errstr_size, "brokers: %s", rderr);
    return -1;
  }
  if (rd_kafka_conf_set(conf, "client.id", cfg->client_id, rderr,
                        sizeof rderr) != RD_KAFKA_CONF_OK) {
    snprintf(errstr, errstr_size, "client_id: %s", rderr);
    return -1;
  }
  for (size_t i = 0; i < cfg->nkafka; i++) {
    const ew_kafka_prop *p = &cfg->kafka[i];
    if (rd_kafka_conf_set(conf, p->name, p->value, rderr, sizeof rderr) !=
        RD_KAFKA_CONF_OK) {
      snprintf(errstr, errstr_size, "%s:%d: kafka property '%s': %s",
               p->file ? p->file : "(config)", p->line, p->name, rderr);
      return -1;
    }
  }
  return 0;
}

/* ---- startup log ---- */

static int is_secret(const char *name) {
  static const char *const marks[] = {"password", "secret", "pem", "jaas",
                                      "token"};
  for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
    if (strstr(name, marks[i]))
      return 1;
  return 0;
}

static void log_group(const ew_config *cfg, const key_def *keys,
                      const char *gname) {
  ew_config *c = (ew_config *)cfg; /* the accessors are not const-typed */
  for (const key_def *k = keys; k->name; k++) {
    char qual[128];
    join_name(qual, sizeof qual, gname, k->name);
    switch (k->type) {
    case K_STR:
    case K_OPTSTR:
    case K_TOPIC:
      ew_info("config: %s = \"%s\"", qual,
              *str_at(c, k) ? *str_at(c, k) : "(default)");
      break;
    case K_INT:
      ew_info("config: %s = %lld", qual, (long long)*int_at(c, k));
      break;
    case K_LOGLEVEL: {
      static const char *const lv[] = {"error", "warn", "info", "debug"};
      int v = *intfield_at(c, k);
      ew_info("config: %s = \"%s\"", qual, v >= 0 && v < 4 ? lv[v] : "?");
      break;
    }
    case K_GROUP:
      log_group(cfg, k->sub, qual);
      break;
    case K_KAFKA:
      for (size_t i = 0; i < cfg->nkafka; i++)
        ew_info("config: kafka %s = \"%s\"", cfg->kafka[i].name,
                is_secret(cfg->kafka[i].name) ? "***" : cfg->kafka[i].value);
      break;
    case K_RULES:
      break;
    }
  }
}

void ew_config_log(const ew_config *cfg) {
  ew_info("config: file %s", cfg->path ? cfg->path : "(none, defaults)");
  log_group(cfg, top_keys, "");
}

int64_t ew_config_deadletter_max_bytes(const ew_config *cfg) {
  const int64_t kafka_default = 1048588; /* broker message.max.bytes */
  int64_t in = cfg->max_message_bytes > kafka_default ? cfg->max_message_bytes
                                                      : kafka_default;
  return in + 65536;
}
