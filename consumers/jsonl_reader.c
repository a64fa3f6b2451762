/*
 * jsonl_reader.c - one JSON Lines object (contract §7) into an ew_record.
 *
 * jansson parses the line into a tree; the record's descriptor (record.c)
 * then says what each member must be, so there is one walk for all
 * seventeen kinds and their sub-records. Every string and array is copied
 * into the caller's arena, which lets the tree be freed before returning.
 *
 * Reading rules, beyond contract §7:
 *   - A leading UTF-8 byte order mark is skipped.
 *   - Duplicate member names are refused (JSON_REJECT_DUPLICATES): with two
 *     "status" members which one counts would be up to the parser.
 *   - Unknown member names are refused, so a typo ("cert_shwon") is an
 *     error instead of a silently defaulted field.
 *   - null and absent are the same: the descriptor's default.
 *   - Required strings must be non-empty (contract §1: ids are non-empty).
 *   - Longs must be JSON integers; 5.0 and "5" are refused, because a real
 *     number of fen or days is a producer bug worth hearing about.
 *   - Times are ISO-8601 strings (ewtime.c) or integers of epoch ms.
 *   - A reference record may carry "deleted": true (a tombstone, as on the
 *     compacted topics); then only its id is required and kept, the other
 *     members are still checked so a malformed line is not accepted.
 *   - A line may name its kind with "kind" instead of "type": that is the
 *     form `enforcewatch check` writes for alerts and notices (contract §7),
 *     and jsonl_writer writes for any kind when asked, so every line the
 *     writer produces reads back. "kind" is the tag only when "type" is
 *     absent and its value is a record kind, because leniency_item has a
 *     field called "kind" (the writer tags leniency_item with "type").
 */
#include "jsonl_reader.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../daemon/ewtime.h"

typedef struct reader {
  ew_arena *arena;
  char *err;
  size_t errsz;
} reader;

/* The generic layout every EW_VEC(T) shares. */
typedef struct anyvec {
  void *v;
  size_t n;
} anyvec;

/* How many bytes of `s` to quote in a message: at most `max`, cut at a
 * UTF-8 character boundary so the message stays valid UTF-8. */
static int quote_len(const char *s, size_t len, size_t max) {
  if (len <= max)
    return (int)len;
  while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
    max--;
  return (int)max;
}

#define QUOTE_MAX 64
#define QUOTE(s, len) quote_len((s), (len), QUOTE_MAX), (s)

/* Writes `field "<prefix>.<name>": <message>` and returns -1. The message
 * must stay one line, so control bytes that came from the input (a key or a
 * value with an escaped newline) are replaced. */
static int fail(reader *r, const char *prefix, const char *name,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(reader *r, const char *prefix, const char *name,
                const char *fmt, ...) {
  if (!r->err || r->errsz == 0)
    return -1;
  int n = 0;
  if (name)
    n = snprintf(r->err, r->errsz, "field \"%s%s%.*s\": ", prefix,
                 *prefix ? "." : "", QUOTE(name, strlen(name)));
  if (n >= 0 && (size_t)n < r->errsz) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errsz - (size_t)n, fmt, ap);
    va_end(ap);
  }
  for (char *p = r->err; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = '?';
  return -1;
}

static int oom(reader *r) {
  return fail(r, "", NULL, "out of memory");
}

static const ew_field *field_named(const ew_rtype *t, const char *name) {
  for (size_t i = 0; i < t->nfields; i++)
    if (strcmp(t->fields[i].name, name) == 0)
      return &t->fields[i];
  return NULL;
}

static const char *json_type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
    return "an integer";
  case JSON_REAL:
    return "a real number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  case JSON_NULL:
    return "null";
  }
  return "?";
}

static int decode_members(reader *r, const ew_rtype *t, json_t *obj, void *body,
                          const char *prefix, const char *skip1,
                          const char *skip2, int check_required);

static int decode_str(reader *r, const ew_field *f, json_t *v, void *dst,
                      const char *prefix, const char *name) {
  if (!json_is_string(v))
    return fail(r, prefix, name, "expected a string, got %s",
                json_type_name(v));
  size_t n = json_string_length(v);
  if (n == 0 && f && ew_field_required(f))
    return fail(r, prefix, name, "must not be empty");
  char *p = ew_arena_strndup(r->arena, json_string_value(v), n);
  if (!p)
    return oom(r);
  memcpy(dst, &p, sizeof p);
  return 0;
}

static int decode_enum(reader *r, const ew_enum *e, json_t *v, int *out,
                       const char *prefix, const char *name) {
  if (!json_is_string(v))
    return fail(r, prefix, name, "expected a %s string, got %s", e->name,
                json_type_name(v));
  const char *s = json_string_value(v);
  size_t n = json_string_length(v);
  int val = ew_enum_parse(e, s, n);
  if (val < 0)
    return fail(r, prefix, name, "unknown %s value \"%.*s\"", e->name,
                QUOTE(s, n));
  *out = val;
  return 0;
}

/* Allocates the array of an EW_VEC field; an empty JSON array stays
 * {NULL, 0}, like an absent one, so the two compare equal. */
static int alloc_vec(reader *r, size_t n, size_t elem, anyvec *out) {
  out->n = n;
  out->v = NULL;
  if (n == 0)
    return 0;
  out->v = ew_arena_calloc(r->arena, n, elem);
  return out->v ? 0 : oom(r);
}

static int decode_field(reader *r, const ew_field *f, json_t *v, void *body,
                        const char *prefix) {
  char *dst = (char *)body + f->offset;
  char elem[160];
  anyvec vec;
  size_t i;
  json_t *item;

  /* null is the default, which ew_rtype_init has already put there. */
  if (json_is_null(v))
    return 0;

  switch (f->type) {
  case EW_FT_STR:
    return decode_str(r, f, v, dst, prefix, f->name);

  case EW_FT_TIME: {
    ew_time t;
    if (json_is_integer(v)) {
      t = json_integer_value(v);
      if (t == EW_NONE)
        return fail(r, prefix, f->name, "time out of range");
    } else if (json_is_string(v)) {
      const char *s = json_string_value(v);
      size_t n = json_string_length(v);
      if (ew_time_parse(s, n, &t) < 0)
        return fail(r, prefix, f->name,
                    "expected an ISO-8601 time such as "
                    "2025-03-04T09:30:00+08:00, got \"%.*s\"",
                    QUOTE(s, n));
    } else {
      return fail(r, prefix, f->name,
                  "expected an ISO-8601 time string or epoch milliseconds, "
                  "got %s",
                  json_type_name(v));
    }
    memcpy(dst, &t, sizeof t);
    return 0;
  }

  case EW_FT_LONG: {
    if (!json_is_integer(v))
      return fail(r, prefix, f->name, "expected an integer, got %s",
                  json_type_name(v));
    int64_t l = json_integer_value(v);
    if (l == EW_NONE)
      return fail(r, prefix, f->name, "integer out of range");
    memcpy(dst, &l, sizeof l);
    return 0;
  }

  case EW_FT_BOOL: {
    if (!json_is_boolean(v))
      return fail(r, prefix, f->name, "expected true or false");
    int8_t b = json_is_true(v) ? 1 : 0;
    memcpy(dst, &b, sizeof b);
    return 0;
  }

  case EW_FT_ENUM: {
    int e;
    if (decode_enum(r, f->enm, v, &e, prefix, f->name) < 0)
      return -1;
    memcpy(dst, &e, sizeof e);
    return 0;
  }

  case EW_FT_STRV:
    if (!json_is_array(v))
      return fail(r, prefix, f->name, "expected an array of strings, got %s",
                  json_type_name(v));
    if (alloc_vec(r, json_array_size(v), sizeof(char *), &vec) < 0)
      return -1;
    json_array_foreach(v, i, item) {
      snprintf(elem, sizeof elem, "%s[%zu]", f->name, i);
      if (decode_str(r, NULL, item, (char **)vec.v + i, prefix, elem) < 0)
        return -1;
    }
    memcpy(dst, &vec, sizeof vec);
    return 0;

  case EW_FT_ENUMV:
    if (!json_is_array(v))
      return fail(r, prefix, f->name, "expected an array of %s, got %s",
                  f->enm->name, json_type_name(v));
    if (alloc_vec(r, json_array_size(v), sizeof(int), &vec) < 0)
      return -1;
    json_array_foreach(v, i, item) {
      snprintf(elem, sizeof elem, "%s[%zu]", f->name, i);
      if (decode_enum(r, f->enm, item, (int *)vec.v + i, prefix, elem) < 0)
        return -1;
    }
    memcpy(dst, &vec, sizeof vec);
    return 0;

  case EW_FT_RECV: {
    char sub_prefix[256];
    if (!json_is_array(v))
      return fail(r, prefix, f->name, "expected an array of objects, got %s",
                  json_type_name(v));
    if (alloc_vec(r, json_array_size(v), f->sub->size, &vec) < 0)
      return -1;
    json_array_foreach(v, i, item) {
      snprintf(sub_prefix, sizeof sub_prefix, "%s%s%s[%zu]", prefix,
               *prefix ? "." : "", f->name, i);
      void *sub = (char *)vec.v + i * f->sub->size;
      ew_rtype_init(f->sub, sub);
      if (!json_is_object(item))
        return fail(r, "", sub_prefix, "expected an object, got %s",
                    json_type_name(item));
      if (decode_members(r, f->sub, item, sub, sub_prefix, NULL, NULL, 1) < 0)
        return -1;
    }
    memcpy(dst, &vec, sizeof vec);
    return 0;
  }

  case EW_FT_MAP: {
    const char *key;
    if (!json_is_object(v))
      return fail(r, prefix, f->name, "expected an object of strings, got %s",
                  json_type_name(v));
    if (alloc_vec(r, json_object_size(v), sizeof(ew_fact), &vec) < 0)
      return -1;
    ew_fact *facts = vec.v;
    i = 0;
    /* jansson keeps members in document order, so facts keep theirs. */
    json_object_foreach(v, key, item) {
      snprintf(elem, sizeof elem, "%s.%s", f->name, key);
      facts[i].key = ew_arena_strdup(r->arena, key);
      if (!facts[i].key)
        return oom(r);
      if (decode_str(r, NULL, item, &facts[i].value, prefix, elem) < 0)
        return -1;
      i++;
    }
    memcpy(dst, &vec, sizeof vec);
    return 0;
  }
  }
  return fail(r, prefix, f->name, "unsupported field type");
}

/* Decodes every member of `obj` into `body` (already at its defaults),
 * then checks that the required fields are there. Members named skip1 or
 * skip2 (the tag and "deleted") belong to the caller. */
static int decode_members(reader *r, const ew_rtype *t, json_t *obj, void *body,
                          const char *prefix, const char *skip1,
                          const char *skip2, int check_required) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    if ((skip1 && strcmp(key, skip1) == 0) ||
        (skip2 && strcmp(key, skip2) == 0))
      continue;
    const ew_field *f = field_named(t, key);
    if (!f)
      return fail(r, prefix, key, "unknown field of %s", t->name);
    if (decode_field(r, f, v, body, prefix) < 0)
      return -1;
  }
  if (check_required) {
    const ew_field *miss = ew_rtype_missing(t, body);
    if (miss)
      return fail(r, prefix, miss->name, "required field is missing or null");
  }
  return 0;
}

static int is_blank(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
      return 0;
  return 1;
}

int ew_jsonl_parse(const char *line, size_t len, ew_record *rec, int *tombstone,
                   ew_arena *arena, char *errstr, size_t errstr_size) {
  reader r = {arena, errstr, errstr_size};
  json_t *root = NULL, *tv, *del;
  json_error_t jerr;
  const char *tag = "type";
  const ew_rtype *t;
  void *body;
  int k = -1, deleted = 0, rc = -1;

  if (tombstone)
    *tombstone = 0;
  if (errstr && errstr_size)
    errstr[0] = '\0';
  /* Editors on Windows start UTF-8 files with a byte order mark; it is not
   * data, and refusing the first line for an invisible reason helps no one. */
  if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
    line += 3;
    len -= 3;
  }
  if (is_blank(line, len))
    return 1;

  root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) {
    fail(&r, "", NULL, "invalid JSON at column %d: %s", jerr.column, jerr.text);
    goto fail;
  }
  if (!json_is_object(root)) {
    fail(&r, "", NULL, "expected a JSON object, got %s", json_type_name(root));
    goto fail;
  }

  tv = json_object_get(root, "type");
  if (!tv) {
    json_t *kv = json_object_get(root, "kind");
    if (json_is_string(kv) &&
        ew_rkind_parse(json_string_value(kv), json_string_length(kv)) >= 0) {
      tag = "kind";
      tv = kv;
    }
    if (!tv) {
      fail(&r, "", NULL, "missing \"type\"");
      goto fail;
    }
  }
  if (!json_is_string(tv)) {
    fail(&r, "", tag, "expected a record type string, got %s",
         json_type_name(tv));
    goto fail;
  }
  k = ew_rkind_parse(json_string_value(tv), json_string_length(tv));
  if (k < 0) {
    fail(&r, "", tag, "unknown record type \"%.*s\"",
         QUOTE(json_string_value(tv), json_string_length(tv)));
    goto fail;
  }

  t = ew_rtype_of((ew_rkind)k);
  del = json_object_get(root, "deleted");
  if (del) {
    if (!ew_rkind_is_ref((ew_rkind)k)) {
      fail(&r, "", "deleted", "only reference records can be deleted");
      goto fail;
    }
    if (!json_is_boolean(del) && !json_is_null(del)) {
      fail(&r, "", "deleted", "expected true or false");
      goto fail;
    }
    deleted = json_is_true(del);
    if (deleted && !tombstone) {
      fail(&r, "", "deleted", "a tombstone is not accepted here");
      goto fail;
    }
  }

  rec->kind = (ew_rkind)k;
  body = ew_record_body(rec);
  ew_rtype_init(t, body);
  if (decode_members(&r, t, root, body, "", tag, del ? "deleted" : NULL,
                     !deleted) < 0)
    goto fail;
  if (deleted) {
    /* A tombstone is its id; the rest was checked but is not kept. */
    const ew_field *idf = field_named(t, t->id_field);
    const char *id;
    memcpy(&id, (char *)body + idf->offset, sizeof id);
    if (!id) {
      fail(&r, "", idf->name, "required field is missing or null");
      goto fail;
    }
    ew_rtype_init(t, body);
    memcpy((char *)body + idf->offset, &id, sizeof id);
    *tombstone = 1;
  }
  rc = 0;

fail:
  json_decref(root);
  return rc;
}
