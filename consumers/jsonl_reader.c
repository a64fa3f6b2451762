/*
 * jsonl_reader.c - one JSON Lines object (contract §7) into an ew_record.
 *
 * json_scan.c checks the line exactly as jansson did and lays its values
 * out in a flat tape; the record's descriptor (record.c) then says what
 * each member must be, so there is one walk for all seventeen kinds and
 * their sub-records. Strings land in the caller's arena: those without
 * escapes are copied once from the line, decoded ones were decoded there.
 * Every syntax error of the line is reported before any field error, as
 * when a jansson tree was built first.
 *
 * Reading rules, beyond contract §7:
 *   - A leading UTF-8 byte order mark is skipped.
 *   - Duplicate member names are refused (as JSON_REJECT_DUPLICATES did):
 *     with two "status" members which one counts would be up to the parser.
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

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../daemon/ewtime.h"
#include "json_scan.h"

/* Tokens kept on the stack; a typical line needs about a hundred. */
#define TAPE_STACK 256

typedef struct reader {
  ew_arena *arena;
  char *err;
  size_t errsz;
  const ew_jtok *tk;
  /* One arena block for the strings copied from the line, taken at the
   * first copy: str_bytes (json_scan.h) bounds what they need. */
  char *pool, *pool_end;
  size_t pool_size;
} reader;

/* The generic layout every EW_VEC(T) shares. */
typedef struct anyvec {
  void *v;
  size_t n;
} anyvec;

/* ---- descriptors, prepared once ---- */

/* Per descriptor: open addressing over ew_json_key_hash of the field names
 * (slot = field index + 1, 0 = empty), the names' lengths, the required
 * fields as a bit set, and a body at its defaults (ew_rtype_init), copied
 * instead of re-initialized for every record. A descriptor too large for
 * these falls back to the plain walks. */
#define FIDX_SLOTS 128
#define FIDX_FIELDS 64
typedef struct fidx {
  const ew_rtype *t;
  uint64_t required;
  uint8_t slot[FIDX_SLOTS];
  uint8_t nlen[FIDX_FIELDS];
  max_align_t
      init[(sizeof(ew_record) + sizeof(max_align_t) - 1) / sizeof(max_align_t)];
} fidx;

static fidx g_fidx[EW_REC_COUNT + 16];
static size_t g_nfidx;
static pthread_once_t g_fidx_once = PTHREAD_ONCE_INIT;

static void fidx_add(const ew_rtype *t) {
  for (size_t i = 0; i < g_nfidx; i++)
    if (g_fidx[i].t == t)
      return;
  if (g_nfidx == sizeof g_fidx / sizeof g_fidx[0] || t->nfields > FIDX_FIELDS ||
      t->nfields >= FIDX_SLOTS / 2 || t->size > sizeof g_fidx[0].init)
    return;
  for (size_t i = 0; i < t->nfields; i++)
    if (strlen(t->fields[i].name) > UINT8_MAX)
      return;
  fidx *x = &g_fidx[g_nfidx++];
  x->t = t;
  for (size_t i = 0; i < t->nfields; i++) {
    const ew_field *f = &t->fields[i];
    size_t n = strlen(f->name);
    size_t s = ew_json_key_hash(f->name, n) & (FIDX_SLOTS - 1);
    while (x->slot[s])
      s = (s + 1) & (FIDX_SLOTS - 1);
    x->slot[s] = (uint8_t)(i + 1);
    x->nlen[i] = (uint8_t)n;
    if (ew_field_required(f))
      x->required |= 1ull << i;
  }
  ew_rtype_init(t, x->init);
}

static void fidx_build(void) {
  for (int k = 0; k < EW_REC_COUNT; k++) {
    const ew_rtype *t = ew_rtype_of((ew_rkind)k);
    fidx_add(t);
    for (size_t i = 0; i < t->nfields; i++)
      if (t->fields[i].type == EW_FT_RECV)
        fidx_add(t->fields[i].sub);
  }
}

static const fidx *fidx_of(const ew_rtype *t) {
  for (size_t i = 0; i < g_nfidx; i++)
    if (g_fidx[i].t == t)
      return &g_fidx[i];
  return NULL;
}

static void init_body(const fidx *x, const ew_rtype *t, void *body) {
  if (x)
    memcpy(body, x->init, t->size);
  else
    ew_rtype_init(t, body);
}

/* n bytes of a and b are equal (field names are short). */
static inline int same_bytes(const char *a, const char *b, size_t n) {
  uint64_t x, y;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      memcpy(&x, a + i, 8);
      memcpy(&y, b + i, 8);
      if (x != y)
        return 0;
    }
    memcpy(&x, a + n - 8, 8);
    memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i])
      return 0;
  return 1;
}

/* `name` (NUL-terminated) equals the n bytes of `key`, which hold no NUL. */
static int name_is(const char *name, const char *key, size_t n) {
  return strncmp(name, key, n) == 0 && name[n] == '\0';
}

static const ew_field *field_lookup(const fidx *x, const ew_rtype *t,
                                    const ew_jtok *key) {
  if (!x) {
    for (size_t i = 0; i < t->nfields; i++)
      if (name_is(t->fields[i].name, key->u.s, key->n))
        return &t->fields[i];
    return NULL;
  }
  for (size_t s = key->hash & (FIDX_SLOTS - 1);;
       s = (s + 1) & (FIDX_SLOTS - 1)) {
    unsigned i = x->slot[s];
    if (!i)
      return NULL;
    if (x->nlen[i - 1] == key->n &&
        same_bytes(t->fields[i - 1].name, key->u.s, key->n))
      return &t->fields[i - 1];
  }
}

static const ew_field *field_named(const ew_rtype *t, const char *name) {
  for (size_t i = 0; i < t->nfields; i++)
    if (strcmp(t->fields[i].name, name) == 0)
      return &t->fields[i];
  return NULL;
}

static int key_is(const ew_jtok *key, const char *name, size_t n) {
  return key->n == n && memcmp(key->u.s, name, n) == 0;
}

/* ew_enum_parse and ew_rkind_parse without a strlen per symbol: most
 * symbols differ in their first byte. */
static int symbol_is(const char *y, const char *s, size_t n) {
  size_t j = 0;
  while (j < n && y[j] == s[j])
    j++;
  return j == n && y[j] == '\0';
}

static int enum_parse(const ew_enum *e, const char *s, size_t n) {
  for (int i = 0; i < e->n; i++)
    if (symbol_is(e->symbols[i], s, n))
      return i;
  return -1;
}

static int rkind_parse(const char *s, size_t n) {
  for (int k = 0; k < EW_REC_COUNT; k++)
    if (symbol_is(ew_rkind_name((ew_rkind)k), s, n))
      return k;
  return -1;
}

/* ---- messages ---- */

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

/* Where a member sits: NULL at the top level, else the element `index` of
 * the sub-record array `name`. Spelt out ("officers[2]") only for a
 * message, with the limits the messages always had. */
typedef struct path {
  const struct path *up;
  const char *name;
  size_t index;
} path;

static const char *path_str(const path *p, char *buf, size_t size) {
  const path *chain[8];
  size_t n = 0, off = 0;
  for (; p && n < sizeof chain / sizeof chain[0]; p = p->up)
    chain[n++] = p;
  buf[0] = '\0';
  while (n-- > 0 && off < size) {
    int w = snprintf(buf + off, size - off, "%s%s[%zu]", off ? "." : "",
                     chain[n]->name, chain[n]->index);
    if (w < 0)
      break;
    off += (size_t)w;
  }
  return buf;
}

/* The name of a value in a message: a field, an element "name[i]", or a
 * map member "name.key". */
typedef struct vname {
  const char *name;
  size_t len;      /* of name; SIZE_MAX when NUL-terminated */
  const char *key; /* map member */
  size_t keylen;
  size_t index; /* element, when key is NULL and has_index */
  int has_index;
} vname;

static const char *vname_str(const vname *v, char *buf, size_t size,
                             size_t *len) {
  int n;
  if (v->key)
    n = snprintf(buf, size, "%s.%.*s", v->name, (int)v->keylen, v->key);
  else if (v->has_index)
    n = snprintf(buf, size, "%s[%zu]", v->name, v->index);
  else {
    *len = v->len == SIZE_MAX ? strlen(v->name) : v->len;
    return v->name;
  }
  *len = n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
  return buf;
}

/* Writes `field "<prefix>.<name>": <message>` and returns -1. The message
 * must stay one line, so control bytes that came from the input (a key or a
 * value with an escaped newline) are replaced. */
static int fail(reader *r, const path *prefix, const vname *name,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(reader *r, const path *prefix, const vname *name,
                const char *fmt, ...) {
  if (!r->err || r->errsz == 0)
    return -1;
  int n = 0;
  if (name) {
    char pre[256], elem[160];
    size_t len;
    const char *nm = vname_str(name, elem, sizeof elem, &len);
    path_str(prefix, pre, sizeof pre);
    n = snprintf(r->err, r->errsz, "field \"%s%s%.*s\": ", pre, *pre ? "." : "",
                 QUOTE(nm, len));
  }
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
  return fail(r, NULL, NULL, "out of memory");
}

/* A field's name for fail(). */
static vname fname(const char *name) {
  vname v = {name, SIZE_MAX, NULL, 0, 0, 0};
  return v;
}

static const char *json_type_name(const ew_jtok *v) {
  switch ((ew_jtype)v->type) {
  case EW_JT_OBJECT:
    return "an object";
  case EW_JT_ARRAY:
    return "an array";
  case EW_JT_STRING:
    return "a string";
  case EW_JT_INTEGER:
    return "an integer";
  case EW_JT_REAL:
    return "a real number";
  case EW_JT_TRUE:
  case EW_JT_FALSE:
    return "a boolean";
  case EW_JT_NULL:
    return "null";
  }
  return "?";
}

/* ---- values ---- */

/* The string of a STRING token, NUL-terminated in the arena. */
static const char *tok_str(reader *r, const ew_jtok *v) {
  if (v->owned)
    return v->u.s;
  if (!r->pool) {
    r->pool = ew_arena_alloc(r->arena, r->pool_size);
    if (!r->pool)
      return NULL;
    r->pool_end = r->pool + r->pool_size;
  }
  if ((size_t)(r->pool_end - r->pool) <= v->n)
    return ew_arena_strndup(r->arena, v->u.s, v->n);
  char *p = r->pool;
  memcpy(p, v->u.s, v->n);
  p[v->n] = '\0';
  r->pool += v->n + 1;
  return p;
}

static int decode_members(reader *r, const ew_rtype *t, const fidx *x,
                          size_t obj, void *body, const path *prefix,
                          size_t skip1, size_t skip2, int check_required);

static int decode_str(reader *r, const ew_field *f, const ew_jtok *v, void *dst,
                      const path *prefix, const vname *name) {
  if (v->type != EW_JT_STRING)
    return fail(r, prefix, name, "expected a string, got %s",
                json_type_name(v));
  if (v->n == 0 && f && ew_field_required(f))
    return fail(r, prefix, name, "must not be empty");
  const char *p = tok_str(r, v);
  if (!p)
    return oom(r);
  memcpy(dst, &p, sizeof p);
  return 0;
}

static int decode_enum(reader *r, const ew_enum *e, const ew_jtok *v, int *out,
                       const path *prefix, const vname *name) {
  if (v->type != EW_JT_STRING)
    return fail(r, prefix, name, "expected a %s string, got %s", e->name,
                json_type_name(v));
  int val = enum_parse(e, v->u.s, v->n);
  if (val < 0)
    return fail(r, prefix, name, "unknown %s value \"%.*s\"", e->name,
                QUOTE(v->u.s, v->n));
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

static int decode_field(reader *r, const ew_field *f, size_t vi, void *body,
                        const path *prefix) {
  const ew_jtok *tk = r->tk, *v = &tk[vi];
  char *dst = (char *)body + f->offset;
  vname nm = fname(f->name);
  anyvec vec;
  size_t i, j;

  /* null is the default, which ew_rtype_init has already put there. */
  if (v->type == EW_JT_NULL)
    return 0;

  switch (f->type) {
  case EW_FT_STR:
    return decode_str(r, f, v, dst, prefix, &nm);

  case EW_FT_TIME: {
    ew_time t;
    if (v->type == EW_JT_INTEGER) {
      t = v->u.i;
      if (t == EW_NONE)
        return fail(r, prefix, &nm, "time out of range");
    } else if (v->type == EW_JT_STRING) {
      if (ew_time_parse(v->u.s, v->n, &t) < 0)
        return fail(r, prefix, &nm,
                    "expected an ISO-8601 time such as "
                    "2025-03-04T09:30:00+08:00, got \"%.*s\"",
                    QUOTE(v->u.s, v->n));
    } else {
      return fail(r, prefix, &nm,
                  "expected an ISO-8601 time string or epoch milliseconds, "
                  "got %s",
                  json_type_name(v));
    }
    memcpy(dst, &t, sizeof t);
    return 0;
  }

  case EW_FT_LONG: {
    if (v->type != EW_JT_INTEGER)
      return fail(r, prefix, &nm, "expected an integer, got %s",
                  json_type_name(v));
    int64_t l = v->u.i;
    if (l == EW_NONE)
      return fail(r, prefix, &nm, "integer out of range");
    memcpy(dst, &l, sizeof l);
    return 0;
  }

  case EW_FT_BOOL: {
    if (v->type != EW_JT_TRUE && v->type != EW_JT_FALSE)
      return fail(r, prefix, &nm, "expected true or false");
    int8_t b = v->type == EW_JT_TRUE ? 1 : 0;
    memcpy(dst, &b, sizeof b);
    return 0;
  }

  case EW_FT_ENUM: {
    int e;
    if (decode_enum(r, f->enm, v, &e, prefix, &nm) < 0)
      return -1;
    memcpy(dst, &e, sizeof e);
    return 0;
  }

  case EW_FT_STRV:
    if (v->type != EW_JT_ARRAY)
      return fail(r, prefix, &nm, "expected an array of strings, got %s",
                  json_type_name(v));
    if (alloc_vec(r, v->n, sizeof(char *), &vec) < 0)
      return -1;
    nm.has_index = 1;
    for (i = 0, j = vi + 1; i < v->n; i++, j = ew_jtok_after(tk, j)) {
      nm.index = i;
      if (decode_str(r, NULL, &tk[j], (char **)vec.v + i, prefix, &nm) < 0)
        return -1;
    }
    memcpy(dst, &vec, sizeof vec);
    return 0;

  case EW_FT_ENUMV:
    if (v->type != EW_JT_ARRAY)
      return fail(r, prefix, &nm, "expected an array of %s, got %s",
                  f->enm->name, json_type_name(v));
    if (alloc_vec(r, v->n, sizeof(int), &vec) < 0)
      return -1;
    nm.has_index = 1;
    for (i = 0, j = vi + 1; i < v->n; i++, j = ew_jtok_after(tk, j)) {
      nm.index = i;
      if (decode_enum(r, f->enm, &tk[j], (int *)vec.v + i, prefix, &nm) < 0)
        return -1;
    }
    memcpy(dst, &vec, sizeof vec);
    return 0;

  case EW_FT_RECV: {
    if (v->type != EW_JT_ARRAY)
      return fail(r, prefix, &nm, "expected an array of objects, got %s",
                  json_type_name(v));
    if (alloc_vec(r, v->n, f->sub->size, &vec) < 0)
      return -1;
    const fidx *x = fidx_of(f->sub);
    path sub_prefix = {prefix, f->name, 0};
    for (i = 0, j = vi + 1; i < v->n; i++, j = ew_jtok_after(tk, j)) {
      void *sub = (char *)vec.v + i * f->sub->size;
      sub_prefix.index = i;
      init_body(x, f->sub, sub);
      if (tk[j].type != EW_JT_OBJECT) {
        char buf[256];
        vname whole = fname(path_str(&sub_prefix, buf, sizeof buf));
        return fail(r, NULL, &whole, "expected an object, got %s",
                    json_type_name(&tk[j]));
      }
      if (decode_members(r, f->sub, x, j, sub, &sub_prefix, SIZE_MAX, SIZE_MAX,
                         1) < 0)
        return -1;
    }
    memcpy(dst, &vec, sizeof vec);
    return 0;
  }

  case EW_FT_MAP: {
    if (v->type != EW_JT_OBJECT)
      return fail(r, prefix, &nm, "expected an object of strings, got %s",
                  json_type_name(v));
    if (alloc_vec(r, v->n, sizeof(ew_fact), &vec) < 0)
      return -1;
    ew_fact *facts = vec.v;
    /* The tape keeps members in document order, so facts keep theirs. */
    for (i = 0, j = vi + 1; i < v->n; i++) {
      const ew_jtok *key = &tk[j];
      nm.key = key->u.s;
      nm.keylen = key->n;
      facts[i].key = tok_str(r, key);
      if (!facts[i].key)
        return oom(r);
      if (decode_str(r, NULL, &tk[j + 1], &facts[i].value, prefix, &nm) < 0)
        return -1;
      j = ew_jtok_after(tk, j + 1);
    }
    memcpy(dst, &vec, sizeof vec);
    return 0;
  }
  }
  return fail(r, prefix, &nm, "unsupported field type");
}

/* Decodes every member of the object at token `obj` into `body` (already at
 * its defaults), then checks that the required fields are there. The
 * members whose keys are the tokens skip1 and skip2 (the tag and
 * "deleted") belong to the caller. */
static int decode_members(reader *r, const ew_rtype *t, const fidx *x,
                          size_t obj, void *body, const path *prefix,
                          size_t skip1, size_t skip2, int check_required) {
  const ew_jtok *tk = r->tk;
  size_t n = tk[obj].n, j = obj + 1;
  /* A required field is missing exactly when no member gave it a value:
   * a given value is never the absent one (refused: empty id strings,
   * EW_NONE longs and times). */
  uint64_t given = 0;
  for (size_t i = 0; i < n; i++, j = ew_jtok_after(tk, j + 1)) {
    const ew_jtok *key = &tk[j];
    if (j == skip1 || j == skip2)
      continue;
    const ew_field *f = field_lookup(x, t, key);
    if (!f) {
      vname kn = {key->u.s, key->n, NULL, 0, 0, 0};
      return fail(r, prefix, &kn, "unknown field of %s", t->name);
    }
    if (decode_field(r, f, j + 1, body, prefix) < 0)
      return -1;
    if (x && tk[j + 1].type != EW_JT_NULL)
      given |= 1ull << (f - t->fields);
  }
  if (check_required) {
    const ew_field *miss;
    if (x) {
      uint64_t m = x->required & ~given;
      miss = m ? &t->fields[__builtin_ctzll(m)] : NULL;
    } else {
      miss = ew_rtype_missing(t, body);
    }
    if (miss) {
      vname mn = fname(miss->name);
      return fail(r, prefix, &mn, "required field is missing or null");
    }
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
  reader r = {arena, errstr, errstr_size, NULL, NULL, NULL, 0};
  ew_jtok stack[TAPE_STACK];
  ew_json_tape tape;
  char jtext[EW_JSON_TEXT_MAX];
  int jcol;
  const ew_jtok *tk, *tv = NULL, *kv = NULL, *del = NULL;
  size_t type_key = SIZE_MAX, kind_key = SIZE_MAX, del_key = SIZE_MAX, tag_key;
  vname tag = fname("type"), deleted_name = fname("deleted");
  const ew_rtype *t;
  const fidx *x;
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

  pthread_once(&g_fidx_once, fidx_build);
  ew_json_tape_init(&tape, stack, TAPE_STACK);
  int jrc = ew_json_scan(line, len, &tape, arena, jtext, &jcol);
  if (jrc == -2) {
    oom(&r);
    goto fail;
  }
  if (jrc != 0) {
    fail(&r, NULL, NULL, "invalid JSON at column %d: %s", jcol, jtext);
    goto fail;
  }
  tk = r.tk = tape.tok;
  r.pool_size = tape.str_bytes;
  if (tk[0].type != EW_JT_OBJECT) {
    fail(&r, NULL, NULL, "expected a JSON object, got %s",
         json_type_name(&tk[0]));
    goto fail;
  }

  /* The tag and "deleted" may come anywhere among the members. */
  for (size_t i = 0, j = 1; i < tk[0].n; i++, j = ew_jtok_after(tk, j + 1)) {
    const ew_jtok *key = &tk[j];
    if (key_is(key, "type", 4))
      type_key = j;
    else if (key_is(key, "kind", 4))
      kind_key = j;
    else if (key_is(key, "deleted", 7))
      del_key = j;
  }
  tag_key = type_key;
  if (type_key != SIZE_MAX) {
    tv = &tk[type_key + 1];
  } else {
    kv = kind_key != SIZE_MAX ? &tk[kind_key + 1] : NULL;
    if (kv && kv->type == EW_JT_STRING && rkind_parse(kv->u.s, kv->n) >= 0) {
      tag = fname("kind");
      tag_key = kind_key;
      tv = kv;
    }
    if (!tv) {
      fail(&r, NULL, NULL, "missing \"type\"");
      goto fail;
    }
  }
  if (tv->type != EW_JT_STRING) {
    fail(&r, NULL, &tag, "expected a record type string, got %s",
         json_type_name(tv));
    goto fail;
  }
  k = rkind_parse(tv->u.s, tv->n);
  if (k < 0) {
    fail(&r, NULL, &tag, "unknown record type \"%.*s\"", QUOTE(tv->u.s, tv->n));
    goto fail;
  }

  t = ew_rtype_of((ew_rkind)k);
  x = fidx_of(t);
  if (del_key != SIZE_MAX) {
    del = &tk[del_key + 1];
    if (!ew_rkind_is_ref((ew_rkind)k)) {
      fail(&r, NULL, &deleted_name, "only reference records can be deleted");
      goto fail;
    }
    if (del->type != EW_JT_TRUE && del->type != EW_JT_FALSE &&
        del->type != EW_JT_NULL) {
      fail(&r, NULL, &deleted_name, "expected true or false");
      goto fail;
    }
    deleted = del->type == EW_JT_TRUE;
    if (deleted && !tombstone) {
      fail(&r, NULL, &deleted_name, "a tombstone is not accepted here");
      goto fail;
    }
  }

  rec->kind = (ew_rkind)k;
  body = ew_record_body(rec);
  init_body(x, t, body);
  if (decode_members(&r, t, x, 0, body, NULL, tag_key, del_key, !deleted) < 0)
    goto fail;
  if (deleted) {
    /* A tombstone is its id; the rest was checked but is not kept. */
    const ew_field *idf = field_named(t, t->id_field);
    const char *id;
    memcpy(&id, (char *)body + idf->offset, sizeof id);
    if (!id) {
      vname idn = fname(idf->name);
      fail(&r, NULL, &idn, "required field is missing or null");
      goto fail;
    }
    init_body(x, t, body);
    memcpy((char *)body + idf->offset, &id, sizeof id);
    *tombstone = 1;
  }
  rc = 0;

fail:
  ew_json_tape_free(&tape);
  return rc;
}
