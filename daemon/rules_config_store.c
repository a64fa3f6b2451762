/*
 * rules_config_store.c - the diff between this start's rule configuration
 * and the last start's, and its record in the state file.
 *
 * The configuration is kept as text, one row per ew_rule_params[] entry,
 * in the form the startup log prints: a row means what an operator read in
 * the log, it survives a build that reorders struct members, and a
 * parameter added or removed by a new build shows up as such instead of
 * breaking a binary comparison. Both sides are small (about a hundred
 * rows), so they are compared by name with a linear search.
 */
#include "rules_config_store.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "log.h"

typedef struct param_row {
  const char *name;
  const char *value;
  int seen; /* matched by a current parameter */
} param_row;

typedef struct row_list {
  param_row *v;
  size_t n, cap;
  ew_arena *arena;
  int oom;
} row_list;

static int row_add(row_list *l, const char *name, const char *value) {
  if (l->n == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 128;
    param_row *nv = ew_arena_alloc(l->arena, ncap * sizeof *nv);
    if (!nv)
      return -1;
    if (l->n)
      memcpy(nv, l->v, l->n * sizeof *nv);
    l->v = nv;
    l->cap = ncap;
  }
  param_row *r = &l->v[l->n];
  r->name = ew_arena_strdup(l->arena, name);
  r->value = ew_arena_strdup(l->arena, value);
  r->seen = 0;
  if (!r->name || !r->value)
    return -1;
  l->n++;
  return 0;
}

static int collect_row(void *ud, const char *name, const char *value) {
  row_list *l = ud;
  if (row_add(l, name, value) < 0) {
    l->oom = 1;
    return 1;
  }
  return 0;
}

/* The current configuration as rows, in ew_rule_params[] order. */
static int current_rows(const ew_rules_config *cfg, row_list *cur) {
  char small[256];
  for (size_t i = 0; i < ew_rule_params_count; i++) {
    const ew_rule_param *p = &ew_rule_params[i];
    char *value = small;
    int len = ew_rules_config_format_param(p, cfg, small, sizeof small);
    if (len < 0)
      return -1;
    if ((size_t)len >= sizeof small) {
      /* A long list: format again into a buffer that holds all of it. */
      if (!(value = ew_arena_alloc(cur->arena, (size_t)len + 1)))
        return -1;
      ew_rules_config_format_param(p, cfg, value, (size_t)len + 1);
    }
    const char *name = ew_arena_printf(cur->arena, "%s.%s", p->rule, p->key);
    if (!name || row_add(cur, name, value) < 0)
      return -1;
  }
  return 0;
}

static param_row *find(row_list *l, const char *name) {
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->v[i].name, name) == 0)
      return &l->v[i];
  return NULL;
}

static void log_diff(row_list *prev, row_list *cur) {
  if (prev->n == 0) {
    ew_info("rules: no configuration recorded by an earlier start; "
            "recording these %zu parameters",
            cur->n);
    return;
  }
  for (size_t i = 0; i < cur->n; i++) {
    const param_row *c = &cur->v[i];
    param_row *p = find(prev, c->name);
    if (!p) {
      ew_info("rules: %s=%s is new since the last start", c->name, c->value);
      continue;
    }
    p->seen = 1;
    if (strcmp(p->value, c->value) != 0)
      ew_info("rules: %s changed %s -> %s since the last start", c->name,
              p->value, c->value);
  }
  for (size_t i = 0; i < prev->n; i++)
    if (!prev->v[i].seen)
      ew_info("rules: %s (was %s) is no longer a parameter", prev->v[i].name,
              prev->v[i].value);
}

static int save(ew_store *s, const row_list *cur) {
  if (ew_store_begin(s) < 0)
    return -1;
  if (ew_store_rule_params_clear(s) < 0)
    goto fail;
  for (size_t i = 0; i < cur->n; i++)
    if (ew_store_rule_param_put(s, cur->v[i].name, cur->v[i].value) < 0)
      goto fail;
  if (ew_store_commit(s) < 0)
    goto fail;
  return 0;
fail:
  ew_store_rollback(s);
  return -1;
}

int ew_rules_config_diff_and_save(ew_store *s, const ew_rules_config *cfg) {
  ew_arena arena = EW_ARENA_INIT;
  row_list prev = {NULL, 0, 0, &arena, 0}, cur = {NULL, 0, 0, &arena, 0};
  int rc = -1;
  if (ew_store_rule_params_scan(s, collect_row, &prev) < 0)
    goto out;
  if (prev.oom || current_rows(cfg, &cur) < 0) {
    ew_err("rules: out of memory comparing the rule configuration");
    goto out;
  }
  log_diff(&prev, &cur);
  rc = save(s, &cur);
out:
  ew_arena_free(&arena);
  return rc;
}
