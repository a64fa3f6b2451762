/*
 * avro_encode.c - an ew_record into Confluent-framed Avro bytes.
 *
 * The record is copied into its schema's cached generic value through the
 * field bindings of schema_registry_int.h, sized with avro_value_sizeof and
 * written straight behind the 5-byte frame header in a buffer the encoder
 * keeps and grows, so steady-state encoding allocates nothing of its own.
 * The encoder refuses what the decoder would refuse (a required field
 * absent or empty, an enum value the schema lacks), so our own outputs
 * never end up on the dead-letter topic.
 */
#include "avro_encode.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../schemas/schema_registry_int.h"

#define EW_ENC_INITIAL_CAP 4096

struct ew_encoder {
  const ew_schemas *sc;
  char *buf;
  size_t cap;
  avro_writer_t writer; /* re-pointed behind the header of buf */
};

typedef struct ctx {
  char *errstr;
  size_t errstr_size;
} ctx;

static int field_err(const ctx *c, const ew_avro_path *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int field_err(const ctx *c, const ew_avro_path *p, const char *fmt,
                     ...) {
  va_list ap;
  va_start(ap, fmt);
  ew_avro_field_errv(c->errstr, c->errstr_size, p, fmt, ap);
  va_end(ap);
  return -1;
}

static int avro_err(const ctx *c, const ew_avro_path *p) {
  return field_err(c, p, "avro-c: %s", avro_strerror());
}

static int present(const ew_field *f, const char *src) {
  switch (f->type) {
  case EW_FT_STR: {
    const char *s;
    memcpy(&s, src, sizeof s);
    return s != NULL;
  }
  case EW_FT_TIME:
  case EW_FT_LONG: {
    int64_t x;
    memcpy(&x, src, sizeof x);
    return x != EW_NONE;
  }
  case EW_FT_BOOL: {
    int8_t x;
    memcpy(&x, src, sizeof x);
    return x != EW_BOOL_NONE;
  }
  case EW_FT_ENUM: {
    int x;
    memcpy(&x, src, sizeof x);
    return x != EW_ENUM_NONE;
  }
  default: /* an empty array or map is a value */
    return 1;
  }
}

static int set_str(const ctx *c, const ew_avro_path *p, avro_value_t *v,
                   const char *s) {
  if (!s)
    return field_err(c, p, "NULL string");
  if (avro_value_set_string(v, s) != 0)
    return avro_err(c, p);
  return 0;
}

static int set_enum(const ctx *c, const ew_avro_path *p, const ew_sfield *sf,
                    avro_value_t *v, int x) {
  const ew_enum *e = sf->f->enm;
  if (x < 0 || x >= e->n)
    return field_err(c, p, "%s value %d is out of range", e->name, x);
  if (sf->val2sym[x] < 0)
    return field_err(c, p, "the schema's %s has no symbol %s",
                     avro_schema_name(sf->enum_schema), e->symbols[x]);
  if (avro_value_set_enum(v, sf->val2sym[x]) != 0)
    return avro_err(c, p);
  return 0;
}

static int put_record(const ctx *c, const ew_avro_path *up, const ew_smap *m,
                      avro_value_t *rv, const char *body);

/* Writes the non-null value of `sf` from `src`; with use_dflt the
 * descriptor default stands in for an absent value. */
static int put_value(const ctx *c, const ew_avro_path *p, const ew_sfield *sf,
                     avro_value_t *v, const char *src, int use_dflt) {
  const ew_field *f = sf->f;
  switch (f->type) {
  case EW_FT_STR: {
    const char *s;
    memcpy(&s, src, sizeof s);
    return set_str(c, p, v, s);
  }
  case EW_FT_TIME:
  case EW_FT_LONG: {
    int64_t x;
    memcpy(&x, src, sizeof x);
    if (use_dflt)
      x = f->dflt;
    if (sf->vtype == AVRO_INT32) {
      if (x < INT32_MIN || x > INT32_MAX)
        return field_err(c, p, "%lld does not fit the schema's int",
                         (long long)x);
      if (avro_value_set_int(v, (int32_t)x) != 0)
        return avro_err(c, p);
    } else if (avro_value_set_long(v, x) != 0) {
      return avro_err(c, p);
    }
    return 0;
  }
  case EW_FT_BOOL: {
    int8_t x;
    memcpy(&x, src, sizeof x);
    if (use_dflt)
      x = (int8_t)f->dflt;
    if (avro_value_set_boolean(v, x != 0) != 0)
      return avro_err(c, p);
    return 0;
  }
  case EW_FT_ENUM: {
    int x;
    memcpy(&x, src, sizeof x);
    return set_enum(c, p, sf, v, use_dflt ? (int)f->dflt : x);
  }
  default:
    break;
  }

  /* Arrays and the map: every EW_VEC is {T *v; size_t n;}. */
  const char *items;
  size_t n;
  memcpy(&items, src, sizeof items);
  memcpy(&n, src + offsetof(ew_strv, n), sizeof n);
  if (n && !items)
    return field_err(c, p, "%zu items but no array", n);
  for (size_t i = 0; i < n; i++) {
    ew_avro_path ip = {p, NULL, i, 1};
    avro_value_t item;
    switch (f->type) {
    case EW_FT_STRV:
      if (avro_value_append(v, &item, NULL) != 0)
        return avro_err(c, &ip);
      if (set_str(c, &ip, &item, ((const char *const *)(const void *)items)[i]))
        return -1;
      break;
    case EW_FT_ENUMV:
      if (avro_value_append(v, &item, NULL) != 0)
        return avro_err(c, &ip);
      if (set_enum(c, &ip, sf, &item, ((const int *)(const void *)items)[i]))
        return -1;
      break;
    case EW_FT_RECV:
      if (avro_value_append(v, &item, NULL) != 0)
        return avro_err(c, &ip);
      if (put_record(c, &ip, sf->sub, &item,
                     items + i * sf->sub->rtype->size) != 0)
        return -1;
      break;
    default: { /* EW_FT_MAP */
      const ew_fact *fact = &((const ew_fact *)(const void *)items)[i];
      if (!fact->key)
        return field_err(c, &ip, "NULL map key");
      ew_avro_path kp = {p, fact->key, 0, 0};
      if (avro_value_add(v, fact->key, &item, NULL, NULL) != 0)
        return avro_err(c, &kp);
      if (set_str(c, &kp, &item, fact->value) != 0)
        return -1;
      break;
    }
    }
  }
  return 0;
}

static int put_record(const ctx *c, const ew_avro_path *up, const ew_smap *m,
                      avro_value_t *rv, const char *body) {
  for (size_t i = 0; i < m->nfields; i++) {
    const ew_sfield *sf = &m->fields[i];
    const ew_field *f = sf->f;
    const char *src = body + f->offset;
    ew_avro_path p = {up, f->name, 0, 0};
    avro_value_t fv, bv;
    int have = present(f, src);
    if (avro_value_get_by_index(rv, i, &fv, NULL) != 0)
      return avro_err(c, &p);
    if (ew_field_required(f)) {
      if (!have)
        return field_err(c, &p, "required but absent");
      const char *s = NULL;
      if (f->type == EW_FT_STR)
        memcpy(&s, src, sizeof s);
      if (s && *s == '\0')
        return field_err(c, &p, "required but empty");
    }
    if (sf->nullable) {
      if (!have) {
        if (avro_value_set_branch(&fv, sf->null_branch, &bv) != 0 ||
            avro_value_set_null(&bv) != 0)
          return avro_err(c, &p);
        continue;
      }
      if (avro_value_set_branch(&fv, sf->value_branch, &bv) != 0)
        return avro_err(c, &p);
      fv = bv;
    } else if (!have && !(f->flags & EW_FF_DFLT)) {
      return field_err(c, &p, "absent but the schema has no null for it");
    }
    if (put_value(c, &p, sf, &fv, src, !have) != 0)
      return -1;
  }
  return 0;
}

int ew_encoder_new(ew_encoder **out, const ew_schemas *sc) {
  ew_encoder *enc = calloc(1, sizeof *enc);
  *out = NULL;
  if (!enc)
    return -1;
  enc->sc = sc;
  enc->cap = EW_ENC_INITIAL_CAP;
  enc->buf = calloc(1, enc->cap); /* avro_writer_memory takes const char * */
  if (!enc->buf)
    goto fail;
  enc->writer = avro_writer_memory(enc->buf, (int64_t)enc->cap);
  if (!enc->writer)
    goto fail;
  *out = enc;
  return 0;
fail:
  ew_encoder_destroy(enc);
  return -1;
}

void ew_encoder_destroy(ew_encoder *enc) {
  if (!enc)
    return;
  if (enc->writer)
    avro_writer_free(enc->writer);
  free(enc->buf);
  free(enc);
}

int ew_encode(ew_encoder *enc, const ew_record *rec, const void **buf,
              size_t *len, char *errstr, size_t errstr_size) {
  ctx c = {errstr, errstr_size};
  size_t n = 0;
  const char *kname = ew_rkind_name(rec->kind);
  int32_t id = ew_schemas_id_of(enc->sc, rec->kind);
  ew_schema_entry *e = id > 0 ? ew_schemas_entry(enc->sc, id) : NULL;
  if (!e) {
    snprintf(errstr, errstr_size, "no schema loaded for %s records",
             kname ? kname : "unknown");
    return -1;
  }
  avro_value_reset(&e->value);
  if (put_record(&c, NULL, &e->map, &e->value, ew_record_body_const(rec)))
    goto fail;
  if (avro_value_sizeof(&e->value, &n) != 0) {
    snprintf(errstr, errstr_size, "avro-c: %s", avro_strerror());
    goto fail;
  }
  if (n > SIZE_MAX - 5) {
    snprintf(errstr, errstr_size, "value of %zu bytes is too large", n);
    goto fail;
  }
  if (5 + n > enc->cap) {
    size_t cap = enc->cap;
    while (cap < 5 + n)
      cap = cap > SIZE_MAX / 2 ? 5 + n : cap * 2;
    char *nb = realloc(enc->buf, cap);
    if (!nb) {
      snprintf(errstr, errstr_size, "out of memory for %zu bytes", 5 + n);
      goto fail;
    }
    enc->buf = nb;
    enc->cap = cap;
  }
  enc->buf[0] = 0;
  enc->buf[1] = (char)(id >> 24);
  enc->buf[2] = (char)(id >> 16);
  enc->buf[3] = (char)(id >> 8);
  enc->buf[4] = (char)id;
  avro_writer_memory_set_dest(enc->writer, enc->buf + 5, (int64_t)n);
  if (avro_value_write(enc->writer, &e->value) != 0) {
    snprintf(errstr, errstr_size, "avro-c: %s", avro_strerror());
    goto fail;
  }
  if ((uint64_t)avro_writer_tell(enc->writer) != n) {
    snprintf(errstr, errstr_size, "avro-c wrote %lld bytes, sized %zu",
             (long long)avro_writer_tell(enc->writer), n);
    goto fail;
  }
  avro_value_reset(&e->value);
  *buf = enc->buf;
  *len = 5 + n;
  return 0;
fail:
  avro_value_reset(&e->value);
  return -1;
}
