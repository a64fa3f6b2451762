/*
 * alert.c - alert ids, fingerprints and the arena-backed alert builder.
 *
 * Fact and evidence arrays grow by doubling inside the arena: the old array
 * is simply abandoned there, which costs a little arena space but no free(),
 * and an alert rarely holds more than a dozen facts.
 */
#include "alert.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FNV_PRIME UINT64_C(0x100000001b3)

uint64_t ew_fnv1a64(uint64_t h, const void *p, size_t n) {
  const unsigned char *c = p;
  for (size_t i = 0; i < n; i++) {
    h ^= c[i];
    h *= FNV_PRIME;
  }
  return h;
}

static uint64_t hash_str(uint64_t h, const char *s) {
  return s ? ew_fnv1a64(h, s, strlen(s)) : h;
}

char *ew_alert_id_format(char *buf, const char *rule_id, int subject_type,
                         const char *subject_id, const char *discriminator) {
  const char *st = ew_enum_name(&ew_enum_subject_type, subject_type);
  uint64_t h = EW_FNV1A64_INIT;
  h = hash_str(h, rule_id);
  h = ew_fnv1a64(h, "\x1f", 1);
  h = hash_str(h, st ? st : "");
  h = ew_fnv1a64(h, "\x1f", 1);
  h = hash_str(h, subject_id);
  h = ew_fnv1a64(h, "\x1f", 1);
  h = hash_str(h, discriminator);
  snprintf(buf, EW_ALERT_ID_BUFSZ, "EW-%.15s-%016" PRIx64, rule_id, h);
  return buf;
}

uint64_t ew_alert_fingerprint(const ew_alert *a) {
  /* Separators keep ("ab","c") and ("a","bc") apart. */
  unsigned char sev = (unsigned char)a->severity;
  uint64_t h = ew_fnv1a64(EW_FNV1A64_INIT, &sev, 1);
  for (size_t i = 0; i < a->facts.n; i++) {
    h = hash_str(h, a->facts.v[i].key);
    h = ew_fnv1a64(h, "\x1f", 1);
    h = hash_str(h, a->facts.v[i].value);
    h = ew_fnv1a64(h, "\x1e", 1);
  }
  h = ew_fnv1a64(h, "\x1d", 1);
  return hash_str(h, a->message);
}

static const char *dup(ew_alert_builder *b, const char *s) {
  if (!s)
    return NULL;
  const char *c = ew_arena_strdup(b->arena, s);
  if (!c)
    b->oom = 1;
  return c;
}

int ew_alert_begin(ew_alert_builder *b, ew_arena *arena, const char *rule_id,
                   int subject_type, const char *subject_id,
                   const char *discriminator, int severity) {
  char id[EW_ALERT_ID_BUFSZ];
  memset(b, 0, sizeof *b);
  b->arena = arena;
  ew_rtype_init(ew_rtype_of(EW_REC_ALERT), &b->alert);
  ew_alert_id_format(id, rule_id, subject_type, subject_id, discriminator);
  b->alert.alert_id = dup(b, id);
  b->alert.rule_id = dup(b, rule_id);
  b->alert.subject_type = subject_type;
  b->alert.subject_id = dup(b, subject_id);
  b->alert.severity = severity;
  b->alert.status = EW_AST_OPEN;
  return b->oom ? -1 : 0;
}

/* Makes room for one more element of an arena array. */
static void *grow(ew_alert_builder *b, void *v, size_t n, size_t *cap,
                  size_t elem) {
  if (n < *cap)
    return v;
  size_t ncap = *cap ? *cap * 2 : 8;
  void *nv = ew_arena_alloc(b->arena, ncap * elem);
  if (!nv) {
    b->oom = 1;
    return NULL;
  }
  if (n)
    memcpy(nv, v, n * elem);
  *cap = ncap;
  return nv;
}

int ew_alert_fact(ew_alert_builder *b, const char *key, const char *fmt, ...) {
  ew_fact *v =
      grow(b, b->alert.facts.v, b->alert.facts.n, &b->facts_cap, sizeof *v);
  if (!v)
    return -1;
  b->alert.facts.v = v;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *val = n < 0 ? NULL : ew_arena_alloc(b->arena, (size_t)n + 1);
  const char *k = dup(b, key);
  if (!val || !k) {
    b->oom = 1;
    return -1;
  }
  va_start(ap, fmt);
  vsnprintf(val, (size_t)n + 1, fmt, ap);
  va_end(ap);
  v[b->alert.facts.n].key = k;
  v[b->alert.facts.n].value = val;
  b->alert.facts.n++;
  return 0;
}

int ew_alert_evidence(ew_alert_builder *b, const char *event_id) {
  if (!event_id)
    return 0;
  for (size_t i = 0; i < b->alert.evidence_event_ids.n; i++)
    if (strcmp(b->alert.evidence_event_ids.v[i], event_id) == 0)
      return 0;
  const char **v =
      grow(b, b->alert.evidence_event_ids.v, b->alert.evidence_event_ids.n,
           &b->evidence_cap, sizeof *v);
  const char *c = v ? dup(b, event_id) : NULL;
  if (!c)
    return -1;
  b->alert.evidence_event_ids.v = v;
  v[b->alert.evidence_event_ids.n++] = c;
  return 0;
}

int ew_alert_message(ew_alert_builder *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *m = n < 0 ? NULL : ew_arena_alloc(b->arena, (size_t)n + 1);
  if (!m) {
    b->oom = 1;
    return -1;
  }
  va_start(ap, fmt);
  vsnprintf(m, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->alert.message = m;
  return 0;
}

int ew_alert_set(ew_alert_builder *b, const char **field, const char *s) {
  *field = dup(b, s);
  return s && !*field ? -1 : 0;
}

const char *ew_alert_fact_get(const ew_alert *a, const char *key) {
  for (size_t i = 0; i < a->facts.n; i++)
    if (strcmp(a->facts.v[i].key, key) == 0)
      return a->facts.v[i].value;
  return NULL;
}
