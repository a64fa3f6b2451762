/*
 * record_blob.c - descriptor-walking binary encoder, decoder and deep copy.
 *
 * One function per direction walks the field table; sub-records (RECV)
 * recurse with their own descriptor, so a new contract field needs no code
 * here. Values are read and written with memcpy at the field's offset,
 * because the descriptor gives offsets, not typed members.
 */
#include "record_blob.h"

#include <stdlib.h>
#include <string.h>

#define STR_NULL 0xFFFFFFFFu

void ew_blob_free(ew_blob *b) {
  if (!b)
    return;
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

/* ---- encoding ---- */

static int reserve(ew_blob *b, size_t n) {
  if (b->cap - b->len >= n)
    return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap - b->len < n) {
    if (cap > SIZE_MAX / 2)
      return -1;
    cap *= 2;
  }
  unsigned char *p = realloc(b->p, cap);
  if (!p)
    return -1;
  b->p = p;
  b->cap = cap;
  return 0;
}

static int put_u(ew_blob *b, uint64_t v, size_t width) {
  if (reserve(b, width) < 0)
    return -1;
  for (size_t i = 0; i < width; i++)
    b->p[b->len++] = (unsigned char)(v >> (8 * i));
  return 0;
}

static int put_str(ew_blob *b, const char *s) {
  if (!s)
    return put_u(b, STR_NULL, 4);
  size_t n = strlen(s);
  if (n >= STR_NULL || put_u(b, n, 4) < 0 || reserve(b, n) < 0)
    return -1;
  memcpy(b->p + b->len, s, n);
  b->len += n;
  return 0;
}

/* An EW_VEC of any element type, as stored in a struct. */
typedef struct vec {
  void *v;
  size_t n;
} vec;

static int encode_body(ew_blob *b, const ew_rtype *t, const char *body) {
  if (t->nfields > 0xFFFF || put_u(b, t->nfields, 2) < 0)
    return -1;
  for (size_t i = 0; i < t->nfields; i++) {
    const ew_field *f = &t->fields[i];
    const char *at = body + f->offset;
    if (put_u(b, (uint64_t)f->type, 1) < 0)
      return -1;
    switch (f->type) {
    case EW_FT_STR: {
      const char *s;
      memcpy(&s, at, sizeof s);
      if (put_str(b, s) < 0)
        return -1;
      break;
    }
    case EW_FT_TIME:
    case EW_FT_LONG: {
      int64_t v;
      memcpy(&v, at, sizeof v);
      if (put_u(b, (uint64_t)v, 8) < 0)
        return -1;
      break;
    }
    case EW_FT_BOOL: {
      int8_t v;
      memcpy(&v, at, sizeof v);
      if (put_u(b, (uint8_t)v, 1) < 0)
        return -1;
      break;
    }
    case EW_FT_ENUM: {
      int v;
      memcpy(&v, at, sizeof v);
      if (put_u(b, (uint32_t)v, 4) < 0)
        return -1;
      break;
    }
    case EW_FT_STRV:
    case EW_FT_ENUMV:
    case EW_FT_RECV:
    case EW_FT_MAP: {
      vec v;
      memcpy(&v, at, sizeof v);
      if (v.n >= STR_NULL || put_u(b, v.n, 4) < 0)
        return -1;
      for (size_t j = 0; j < v.n; j++) {
        int rc = 0;
        if (f->type == EW_FT_STRV)
          rc = put_str(b, ((const char *const *)v.v)[j]);
        else if (f->type == EW_FT_ENUMV)
          rc = put_u(b, (uint32_t)((const int *)v.v)[j], 4);
        else if (f->type == EW_FT_MAP)
          rc = put_str(b, ((const ew_fact *)v.v)[j].key) < 0
                   ? -1
                   : put_str(b, ((const ew_fact *)v.v)[j].value);
        else
          rc = encode_body(b, f->sub, (const char *)v.v + j * f->sub->size);
        if (rc < 0)
          return -1;
      }
      break;
    }
    }
  }
  return 0;
}

int ew_blob_encode(ew_blob *b, const ew_rtype *t, const void *body) {
  size_t start = b->len;
  if (put_u(b, EW_BLOB_VERSION, 1) < 0 || encode_body(b, t, body) < 0) {
    b->len = start;
    return -1;
  }
  return 0;
}

/* ---- decoding ---- */

typedef struct reader {
  const unsigned char *p;
  size_t left;
  ew_arena *a;
} reader;

static int get_u(reader *r, size_t width, uint64_t *out) {
  if (r->left < width)
    return -1;
  uint64_t v = 0;
  for (size_t i = 0; i < width; i++)
    v |= (uint64_t)r->p[i] << (8 * i);
  r->p += width;
  r->left -= width;
  *out = v;
  return 0;
}

static int get_str(reader *r, const char **out) {
  uint64_t n;
  if (get_u(r, 4, &n) < 0)
    return -1;
  if (n == STR_NULL) {
    *out = NULL;
    return 0;
  }
  if (r->left < n)
    return -1;
  char *s = ew_arena_strndup(r->a, (const char *)r->p, (size_t)n);
  if (!s)
    return -1;
  r->p += n;
  r->left -= n;
  *out = s;
  return 0;
}

static size_t elem_size(const ew_field *f) {
  switch (f->type) {
  case EW_FT_STRV:
    return sizeof(const char *);
  case EW_FT_ENUMV:
    return sizeof(int);
  case EW_FT_MAP:
    return sizeof(ew_fact);
  default:
    return f->sub->size;
  }
}

static int decode_body(reader *r, const ew_rtype *t, char *body);

static int decode_vec(reader *r, const ew_field *f, char *at) {
  uint64_t n;
  if (get_u(r, 4, &n) < 0)
    return -1;
  vec v = {NULL, 0};
  if (n > 0) {
    /* Each element takes at least one byte, so a count beyond the bytes
     * left is corrupt: refuse it before allocating for it. */
    if (n > r->left)
      return -1;
    v.v = ew_arena_calloc(r->a, (size_t)n, elem_size(f));
    if (!v.v)
      return -1;
    v.n = (size_t)n;
  }
  for (size_t j = 0; j < v.n; j++) {
    int rc;
    if (f->type == EW_FT_STRV) {
      rc = get_str(r, &((const char **)v.v)[j]);
    } else if (f->type == EW_FT_ENUMV) {
      uint64_t e = 0;
      rc = get_u(r, 4, &e);
      if (rc == 0)
        ((int *)v.v)[j] = (int)(int32_t)(uint32_t)e;
    } else if (f->type == EW_FT_MAP) {
      ew_fact *kv = &((ew_fact *)v.v)[j];
      rc = get_str(r, &kv->key) < 0 ? -1 : get_str(r, &kv->value);
    } else {
      char *elem = (char *)v.v + j * f->sub->size;
      ew_rtype_init(f->sub, elem);
      rc = decode_body(r, f->sub, elem);
    }
    if (rc < 0)
      return -1;
  }
  memcpy(at, &v, sizeof v);
  return 0;
}

static int decode_body(reader *r, const ew_rtype *t, char *body) {
  uint64_t nf;
  if (get_u(r, 2, &nf) < 0 || nf > t->nfields)
    return -1;
  for (size_t i = 0; i < nf; i++) {
    const ew_field *f = &t->fields[i];
    char *at = body + f->offset;
    uint64_t tag, u;
    if (get_u(r, 1, &tag) < 0 || tag != (uint64_t)f->type)
      return -1;
    switch (f->type) {
    case EW_FT_STR: {
      const char *s;
      if (get_str(r, &s) < 0)
        return -1;
      memcpy(at, &s, sizeof s);
      break;
    }
    case EW_FT_TIME:
    case EW_FT_LONG: {
      if (get_u(r, 8, &u) < 0)
        return -1;
      int64_t v = (int64_t)u;
      memcpy(at, &v, sizeof v);
      break;
    }
    case EW_FT_BOOL: {
      if (get_u(r, 1, &u) < 0)
        return -1;
      int8_t v = (int8_t)(uint8_t)u;
      memcpy(at, &v, sizeof v);
      break;
    }
    case EW_FT_ENUM: {
      if (get_u(r, 4, &u) < 0)
        return -1;
      int v = (int)(int32_t)(uint32_t)u;
      memcpy(at, &v, sizeof v);
      break;
    }
    default:
      if (decode_vec(r, f, at) < 0)
        return -1;
      break;
    }
  }
  return 0;
}

int ew_blob_decode(const ew_rtype *t, const void *data, size_t len, void *body,
                   ew_arena *a) {
  reader r = {data, len, a};
  uint64_t version;
  ew_rtype_init(t, body);
  if (get_u(&r, 1, &version) < 0 || version != EW_BLOB_VERSION)
    return -1;
  if (decode_body(&r, t, body) < 0)
    return -1;
  return r.left == 0 ? 0 : -1;
}

/* ---- deep copy ---- */

static const char *copy_str(ew_arena *a, const char *s, int *failed) {
  if (!s)
    return NULL;
  const char *c = ew_arena_strdup(a, s);
  if (!c)
    *failed = 1;
  return c;
}

static int copy_body(const ew_rtype *t, char *dst, const char *src,
                     ew_arena *a) {
  int failed = 0;
  memcpy(dst, src, t->size);
  for (size_t i = 0; i < t->nfields && !failed; i++) {
    const ew_field *f = &t->fields[i];
    char *at = dst + f->offset;
    if (f->type == EW_FT_STR) {
      const char *s;
      memcpy(&s, at, sizeof s);
      s = copy_str(a, s, &failed);
      memcpy(at, &s, sizeof s);
      continue;
    }
    if (f->type != EW_FT_STRV && f->type != EW_FT_ENUMV &&
        f->type != EW_FT_RECV && f->type != EW_FT_MAP)
      continue;
    vec v;
    memcpy(&v, at, sizeof v);
    if (v.n == 0) {
      v.v = NULL;
      memcpy(at, &v, sizeof v);
      continue;
    }
    size_t es = elem_size(f);
    void *nv = ew_arena_alloc(a, v.n * es);
    if (!nv)
      return -1;
    memcpy(nv, v.v, v.n * es);
    for (size_t j = 0; j < v.n && !failed; j++) {
      if (f->type == EW_FT_STRV) {
        const char **s = &((const char **)nv)[j];
        *s = copy_str(a, *s, &failed);
      } else if (f->type == EW_FT_MAP) {
        ew_fact *kv = &((ew_fact *)nv)[j];
        kv->key = copy_str(a, kv->key, &failed);
        kv->value = copy_str(a, kv->value, &failed);
      } else if (f->type == EW_FT_RECV) {
        char *elem = (char *)nv + j * es;
        if (copy_body(f->sub, elem, (const char *)v.v + j * es, a) < 0)
          failed = 1;
      }
    }
    v.v = nv;
    memcpy(at, &v, sizeof v);
  }
  return failed ? -1 : 0;
}

int ew_blob_copy(const ew_rtype *t, void *dst, const void *src, ew_arena *a) {
  return copy_body(t, dst, src, a);
}
