/*
 * avro_decode.c - Confluent-framed Avro bytes into an ew_record.
 *
 * The order of checks is the order of cost and of trust: size cap, frame,
 * schema id, record kind, then the allocation-free pre-validator, and only
 * then avro-c reads the body into the schema's cached generic value. The
 * value is walked through the field bindings worked out at schema load
 * (schema_registry_int.h), copying strings and arrays into the caller's
 * arena, so nothing of avro-c's outlives the call. Enums travel by symbol
 * name, so a writer schema may order its symbols differently; a symbol this
 * build does not know is bad input (contract §6), not a crash.
 */
#include "avro_decode.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../schemas/schema_registry_int.h"
#include "avro_prevalidate.h"

struct ew_decoder {
  const ew_schemas *sc;
  size_t max_bytes;
  avro_reader_t reader; /* re-pointed at each body */
};

typedef struct ctx {
  ew_arena *arena;
  char *errstr;
  size_t errstr_size;
} ctx;

static const char *const codes[] = {
    [EW_DECODE_OK] = "OK",
    [EW_DECODE_TOO_LARGE] = "TOO_LARGE",
    [EW_DECODE_BAD_FRAME] = "BAD_FRAME",
    [EW_DECODE_UNKNOWN_SCHEMA] = "UNKNOWN_SCHEMA",
    [EW_DECODE_WRONG_TYPE] = "WRONG_TYPE",
    [EW_DECODE_MALFORMED] = "MALFORMED",
    [EW_DECODE_MISSING_FIELD] = "MISSING_FIELD",
    [EW_DECODE_BAD_VALUE] = "BAD_VALUE",
    [EW_DECODE_NOMEM] = "NOMEM",
};

const char *ew_decode_error_code(ew_decode_error err) {
  return (unsigned)err < sizeof codes / sizeof codes[0] ? codes[err]
                                                        : "UNKNOWN";
}

/* Sets errstr to "field <path>: <what>" and returns err. */
static ew_decode_error field_err(const ctx *c, ew_decode_error err,
                                 const ew_avro_path *p, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static ew_decode_error field_err(const ctx *c, ew_decode_error err,
                                 const ew_avro_path *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ew_avro_field_errv(c->errstr, c->errstr_size, p, fmt, ap);
  va_end(ap);
  return err;
}

static ew_decode_error avro_err(const ctx *c, const ew_avro_path *p) {
  return field_err(c, EW_DECODE_MALFORMED, p, "avro-c: %s", avro_strerror());
}

/* RFC 3629 UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. The
 * JSON writer and SQLite both expect valid text, so bad bytes are refused
 * at the boundary. */
static int utf8_valid(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t k;
    uint32_t cp, min;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      k = 1, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      k = 2, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      k = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return 0;
    }
    if (n - i <= k)
      return 0;
    for (size_t j = 1; j <= k; j++) {
      if ((s[i + j] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i + j] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return 0;
    i += k + 1;
  }
  return 1;
}

/* Copies an Avro string into the arena. */
static ew_decode_error get_str(const ctx *c, const ew_avro_path *p,
                               avro_value_t *v, const char **out) {
  const char *s;
  size_t size;
  if (avro_value_get_string(v, &s, &size) != 0)
    return avro_err(c, p);
  size_t len = size ? size - 1 : 0; /* avro-c counts the NUL (§B4) */
  if (memchr(s, '\0', len))
    return field_err(c, EW_DECODE_BAD_VALUE, p, "string contains a NUL byte");
  if (!utf8_valid((const unsigned char *)s, len))
    return field_err(c, EW_DECODE_BAD_VALUE, p, "string is not valid UTF-8");
  char *copy = ew_arena_strndup(c->arena, s, len);
  if (!copy)
    return field_err(c, EW_DECODE_NOMEM, p, "out of memory");
  *out = copy;
  return EW_DECODE_OK;
}

static ew_decode_error get_enum(const ctx *c, const ew_avro_path *p,
                                const ew_sfield *sf, avro_value_t *v,
                                int *out) {
  int idx;
  if (avro_value_get_enum(v, &idx) != 0)
    return avro_err(c, p);
  int nsym = avro_schema_enum_number_of_symbols(sf->enum_schema);
  if (idx < 0 || idx >= nsym)
    return field_err(c, EW_DECODE_MALFORMED, p, "enum index %d out of range",
                     idx);
  if (sf->sym2val[idx] < 0)
    return field_err(c, EW_DECODE_BAD_VALUE, p, "unknown %s symbol %s",
                     sf->f->enm->name,
                     avro_schema_enum_get(sf->enum_schema, idx));
  *out = sf->sym2val[idx];
  return EW_DECODE_OK;
}

/* An arena array for an Avro array/map of n items; NULL for none. */
static ew_decode_error alloc_items(const ctx *c, const ew_avro_path *p,
                                   size_t n, size_t size, void **out) {
  *out = NULL;
  if (n == 0)
    return EW_DECODE_OK;
  *out = ew_arena_calloc(c->arena, n, size);
  return *out ? EW_DECODE_OK
              : field_err(c, EW_DECODE_NOMEM, p, "out of memory");
}

static void put_vec(char *dst, void *v, size_t n) {
  /* Every EW_VEC is {T *v; size_t n;}. */
  memcpy(dst, &v, sizeof v);
  memcpy(dst + offsetof(ew_strv, n), &n, sizeof n);
}

static ew_decode_error fill_record(const ctx *c, const ew_avro_path *up,
                                   const ew_smap *m, avro_value_t *rv,
                                   char *body);

#define TRY(expr)                                                              \
  do {                                                                         \
    ew_decode_error rc_ = (expr);                                              \
    if (rc_ != EW_DECODE_OK)                                                   \
      return rc_;                                                              \
  } while (0)

static ew_decode_error fill_value(const ctx *c, const ew_avro_path *p,
                                  const ew_sfield *sf, avro_value_t *v,
                                  char *dst) {
  const ew_field *f = sf->f;
  size_t n = 0;
  void *items;
  switch (f->type) {
  case EW_FT_STR: {
    const char *s;
    TRY(get_str(c, p, v, &s));
    memcpy(dst, &s, sizeof s);
    return EW_DECODE_OK;
  }
  case EW_FT_TIME:
  case EW_FT_LONG: {
    int64_t x;
    if (sf->vtype == AVRO_INT32) {
      int32_t i;
      if (avro_value_get_int(v, &i) != 0)
        return avro_err(c, p);
      x = i;
    } else if (avro_value_get_long(v, &x) != 0) {
      return avro_err(c, p);
    }
    memcpy(dst, &x, sizeof x);
    return EW_DECODE_OK;
  }
  case EW_FT_BOOL: {
    int b;
    if (avro_value_get_boolean(v, &b) != 0)
      return avro_err(c, p);
    int8_t x = b != 0;
    memcpy(dst, &x, sizeof x);
    return EW_DECODE_OK;
  }
  case EW_FT_ENUM: {
    int x;
    TRY(get_enum(c, p, sf, v, &x));
    memcpy(dst, &x, sizeof x);
    return EW_DECODE_OK;
  }
  default:
    break;
  }

  /* Arrays and the map. */
  if (avro_value_get_size(v, &n) != 0)
    return avro_err(c, p);
  size_t isize = f->type == EW_FT_STRV    ? sizeof(const char *)
                 : f->type == EW_FT_ENUMV ? sizeof(int)
                 : f->type == EW_FT_RECV  ? sf->sub->rtype->size
                                          : sizeof(ew_fact);
  TRY(alloc_items(c, p, n, isize, &items));
  for (size_t i = 0; i < n; i++) {
    ew_avro_path ip = {p, NULL, i, 1};
    avro_value_t item;
    const char *key = NULL;
    if (avro_value_get_by_index(v, i, &item, &key) != 0)
      return avro_err(c, &ip);
    char *slot = (char *)items + i * isize;
    switch (f->type) {
    case EW_FT_STRV:
      TRY(get_str(c, &ip, &item, (const char **)(void *)slot));
      break;
    case EW_FT_ENUMV:
      TRY(get_enum(c, &ip, sf, &item, (int *)(void *)slot));
      break;
    case EW_FT_RECV:
      ew_rtype_init(sf->sub->rtype, slot);
      TRY(fill_record(c, &ip, sf->sub, &item, slot));
      break;
    default: { /* EW_FT_MAP */
      ew_fact *fact = (ew_fact *)(void *)slot;
      ew_avro_path kp = {p, key, 0, 0};
      char *k = ew_arena_strdup(c->arena, key ? key : "");
      if (!k)
        return field_err(c, EW_DECODE_NOMEM, p, "out of memory");
      if (!utf8_valid((const unsigned char *)k, strlen(k)))
        return field_err(c, EW_DECODE_BAD_VALUE, p,
                         "map key is not valid UTF-8");
      fact->key = k;
      TRY(get_str(c, &kp, &item, &fact->value));
      break;
    }
    }
  }
  put_vec(dst, items, n);
  return EW_DECODE_OK;
}

static ew_decode_error fill_record(const ctx *c, const ew_avro_path *up,
                                   const ew_smap *m, avro_value_t *rv,
                                   char *body) {
  for (size_t i = 0; i < m->nfields; i++) {
    const ew_sfield *sf = &m->fields[i];
    ew_avro_path p = {up, sf->f->name, 0, 0};
    avro_value_t fv, bv;
    if (avro_value_get_by_index(rv, i, &fv, NULL) != 0)
      return avro_err(c, &p);
    if (sf->nullable) {
      int d;
      if (avro_value_get_discriminant(&fv, &d) != 0)
        return avro_err(c, &p);
      if (d == sf->null_branch) {
        if (ew_field_required(sf->f))
          return field_err(c, EW_DECODE_MISSING_FIELD, &p, "required but null");
        continue; /* ew_rtype_init left it absent */
      }
      if (avro_value_get_current_branch(&fv, &bv) != 0)
        return avro_err(c, &p);
      fv = bv;
    }
    TRY(fill_value(c, &p, sf, &fv, body + sf->f->offset));
  }

  const ew_rtype *rt = m->rtype;
  const ew_field *miss = ew_rtype_missing(rt, body);
  if (miss) {
    ew_avro_path p = {up, miss->name, 0, 0};
    return field_err(c, EW_DECODE_MISSING_FIELD, &p, "required but missing");
  }
  for (size_t i = 0; i < rt->nfields; i++) {
    const ew_field *f = &rt->fields[i];
    const char *s;
    if (f->type != EW_FT_STR || !ew_field_required(f))
      continue;
    memcpy(&s, body + f->offset, sizeof s);
    if (*s == '\0') {
      ew_avro_path p = {up, f->name, 0, 0};
      return field_err(c, EW_DECODE_BAD_VALUE, &p, "required but empty");
    }
  }
  return EW_DECODE_OK;
}

int ew_decoder_new(ew_decoder **out, const ew_schemas *sc, size_t max_bytes) {
  static const char none[1];
  ew_decoder *d = calloc(1, sizeof *d);
  *out = NULL;
  if (!d)
    return -1;
  d->sc = sc;
  d->max_bytes = max_bytes;
  d->reader = avro_reader_memory(none, 0);
  if (!d->reader) {
    free(d);
    return -1;
  }
  *out = d;
  return 0;
}

void ew_decoder_destroy(ew_decoder *d) {
  if (!d)
    return;
  avro_reader_free(d->reader);
  free(d);
}

ew_decode_error ew_decode(ew_decoder *d, const void *buf, size_t len,
                          ew_rkind expect, ew_record *rec, ew_arena *arena,
                          char *errstr, size_t errstr_size) {
  const uint8_t *p = buf;
  ctx c = {arena, errstr, errstr_size};
  char why[256];

  if (d->max_bytes && len > d->max_bytes) {
    ew_schemas_seterr(errstr, errstr_size,
                      "value of %zu bytes exceeds the limit of %zu", len,
                      d->max_bytes);
    return EW_DECODE_TOO_LARGE;
  }
  if (len < 5) {
    ew_schemas_seterr(
        errstr, errstr_size,
        "value of %zu bytes is shorter than the 5-byte frame header", len);
    return EW_DECODE_BAD_FRAME;
  }
  if (p[0] != 0) {
    /* Magic 1 (GUID ids) and header-carried ids are other framings (§B5). */
    ew_schemas_seterr(errstr, errstr_size,
                      "magic byte %u is not 0 (Confluent framing)", p[0]);
    return EW_DECODE_BAD_FRAME;
  }
  uint32_t uid = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 8 | (uint32_t)p[4];
  ew_schema_entry *e =
      uid <= INT32_MAX ? ew_schemas_entry(d->sc, (int32_t)uid) : NULL;
  if (!e) {
    ew_schemas_seterr(errstr, errstr_size, "schema id %u is not known", uid);
    return EW_DECODE_UNKNOWN_SCHEMA;
  }
  if ((unsigned)expect < EW_REC_COUNT && e->kind != expect) {
    ew_schemas_seterr(errstr, errstr_size,
                      "schema id %u (%s) is for %s records, not %s", uid,
                      e->file, ew_rkind_name(e->kind), ew_rkind_name(expect));
    return EW_DECODE_WRONG_TYPE;
  }
  if (ew_avro_prevalidate(e->schema, p + 5, len - 5, why, sizeof why) != 0) {
    ew_schemas_seterr(errstr, errstr_size,
                      "malformed Avro body (schema id %u): %s", uid, why);
    return EW_DECODE_MALFORMED;
  }

  avro_reader_memory_set_source(d->reader, (const char *)p + 5,
                                (int64_t)(len - 5));
  avro_value_reset(&e->value);
  if (avro_value_read(d->reader, &e->value) != 0) {
    ew_schemas_seterr(errstr, errstr_size,
                      "malformed Avro body (schema id %u): %s", uid,
                      avro_strerror());
    avro_value_reset(&e->value);
    return EW_DECODE_MALFORMED;
  }

  rec->kind = e->kind;
  ew_rtype_init(e->map.rtype, ew_record_body(rec));
  ew_decode_error rc =
      fill_record(&c, NULL, &e->map, &e->value, ew_record_body(rec));
  /* Free the body's strings now rather than keep them until the next record
   * of this schema. */
  avro_value_reset(&e->value);
  return rc;
}
