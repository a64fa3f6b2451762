/*
 * avro_prevalidate.c - walk an Avro binary body against its writer schema
 * without allocating, rejecting anything avro-c 1.11.1 would mishandle.
 *
 * The rules follow the Avro 1.11 binary encoding: varints of at most 10
 * bytes (an int must also fit 32 bits), booleans 0/1, string/bytes lengths
 * and fixed sizes within the remaining bytes, union and enum indexes in
 * range, array/map blocks with a count (negative: followed by the block's
 * byte size, which must match), and no bytes left over. A block's item count
 * is bounded by the bytes left divided by the smallest encoding of one item,
 * so the work and whatever avro-c later allocates stay proportional to the
 * input; zero-size items are capped by EW_AVRO_MAX_EMPTY_ITEMS instead, and
 * all items of a body by EW_AVRO_MAX_ITEMS, because avro-c's cost per item
 * is far above its one input byte.
 */
#include "avro_prevalidate.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct pv {
  const uint8_t *p;
  size_t len;
  size_t off;
  size_t empty_items; /* zero-size items accepted so far */
  size_t items;       /* array items and map entries accepted so far */
  char *errstr;
  size_t errstr_size;
} pv;

static int fail(pv *v, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(pv *v, size_t at, const char *fmt, ...) {
  if (v->errstr && v->errstr_size) {
    int n = snprintf(v->errstr, v->errstr_size, "at body byte %zu: ", at);
    if (n >= 0 && (size_t)n < v->errstr_size) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(v->errstr + n, v->errstr_size - (size_t)n, fmt, ap);
      va_end(ap);
    }
  }
  return -1;
}

static size_t left(const pv *v) {
  return v->len - v->off;
}

static avro_schema_t resolve(avro_schema_t s) {
  while (s && is_avro_link(s))
    s = avro_schema_link_target(s);
  return s;
}

/* A zigzag varint as avro-c reads it, but refusing a 10th byte with bits
 * beyond the 64th -- which also refuses an 11th byte. */
static int read_long(pv *v, int64_t *out, const char *what) {
  size_t at = v->off;
  uint64_t u = 0;
  for (int i = 0;; i++) {
    if (v->off >= v->len)
      return fail(v, at, "%s: truncated varint", what);
    uint8_t b = v->p[v->off++];
    if (i == 9 && b > 1)
      return fail(v, at, "%s: varint exceeds 64 bits", what);
    u |= (uint64_t)(b & 0x7f) << (7 * i);
    if (!(b & 0x80))
      break;
  }
  *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
  return 0;
}

static int skip(pv *v, int64_t n, const char *what) {
  if (n < 0)
    return fail(v, v->off, "%s: negative length %" PRId64, what, n);
  if ((uint64_t)n > left(v))
    return fail(v, v->off, "%s: length %" PRId64 " exceeds the %zu bytes left",
                what, n, left(v));
  v->off += (size_t)n;
  return 0;
}

static int skip_lenprefixed(pv *v, const char *what) {
  int64_t n;
  if (read_long(v, &n, what) != 0)
    return -1;
  return skip(v, n, what);
}

/* avro-c hands map keys on as C strings: a NUL would cut the key short. */
static int map_key(pv *v) {
  int64_t n;
  if (read_long(v, &n, "map key") != 0)
    return -1;
  size_t at = v->off;
  if (skip(v, n, "map key") != 0)
    return -1;
  if (memchr(v->p + at, '\0', (size_t)n))
    return fail(v, at, "map key contains a NUL byte");
  return 0;
}

static size_t add_sat(size_t a, size_t b) {
  return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* The fewest bytes any value of `s` encodes to. Unions, arrays and maps
 * count their 1-byte index/terminator without looking inside, which keeps
 * this finite for recursive schemas. */
static size_t min_size(avro_schema_t s, int depth) {
  s = resolve(s);
  if (!s || depth > EW_AVRO_MAX_DEPTH)
    return 0;
  switch (avro_typeof(s)) {
  case AVRO_NULL:
    return 0;
  case AVRO_FLOAT:
    return 4;
  case AVRO_DOUBLE:
    return 8;
  case AVRO_FIXED: {
    int64_t n = avro_schema_fixed_size(s);
    return n <= 0 ? 0 : (uint64_t)n > SIZE_MAX ? SIZE_MAX : (size_t)n;
  }
  case AVRO_RECORD: {
    size_t sum = 0, n = avro_schema_record_size(s);
    for (size_t i = 0; i < n; i++)
      sum = add_sat(sum,
                    min_size(avro_schema_record_field_get_by_index(s, (int)i),
                             depth + 1));
    return sum;
  }
  default: /* boolean, int, long, string, bytes, enum, union, array, map */
    return 1;
  }
}

static int walk(pv *v, avro_schema_t s, int depth);

static int walk_blocks(pv *v, avro_schema_t item, int is_map, int depth) {
  const char *what = is_map ? "map" : "array";
  size_t item_min = min_size(item, depth + 1);
  if (is_map)
    item_min = add_sat(item_min, 1); /* the key's length */
  for (;;) {
    size_t at = v->off;
    int64_t count, bsize = -1;
    if (read_long(v, &count, is_map ? "map block count" : "array block count"))
      return -1;
    if (count == 0)
      return 0;
    if (count < 0) {
      if (count == INT64_MIN)
        return fail(v, at, "%s block count out of range", what);
      count = -count;
      if (read_long(v, &bsize, "block byte size") != 0)
        return -1;
      if (bsize < 0 || (uint64_t)bsize > left(v))
        return fail(v, at,
                    "%s block byte size %" PRId64
                    " is not within the %zu bytes left",
                    what, bsize, left(v));
    }
    if (item_min == 0) {
      if ((uint64_t)count > EW_AVRO_MAX_EMPTY_ITEMS - v->empty_items)
        return fail(v, at,
                    "%s declares %" PRId64
                    " zero-size items, over the cap of %d per value",
                    what, count, EW_AVRO_MAX_EMPTY_ITEMS);
      v->empty_items += (size_t)count;
    } else if ((uint64_t)count > left(v) / item_min) {
      return fail(v, at,
                  "%s declares %" PRId64
                  " items of at least %zu bytes but %zu bytes are left",
                  what, count, item_min, left(v));
    }
    if ((uint64_t)count > EW_AVRO_MAX_ITEMS - v->items)
      return fail(v, at,
                  "%s declares %" PRId64
                  " items, over the cap of %d items and entries per value",
                  what, count, EW_AVRO_MAX_ITEMS);
    v->items += (size_t)count;
    size_t start = v->off;
    for (int64_t i = 0; i < count; i++) {
      if (is_map && map_key(v) != 0)
        return -1;
      if (walk(v, item, depth + 1) != 0)
        return -1;
    }
    if (bsize >= 0 && v->off - start != (uint64_t)bsize)
      return fail(v, at,
                  "%s block byte size %" PRId64 " but its items took %zu", what,
                  bsize, v->off - start);
  }
}

static int walk(pv *v, avro_schema_t s, int depth) {
  int64_t n;
  size_t at = v->off;
  s = resolve(s);
  if (!s)
    return fail(v, at, "unresolved schema reference");
  if (depth > EW_AVRO_MAX_DEPTH)
    return fail(v, at, "nested deeper than %d levels", EW_AVRO_MAX_DEPTH);
  switch (avro_typeof(s)) {
  case AVRO_NULL:
    return 0;
  case AVRO_BOOLEAN:
    if (left(v) < 1)
      return fail(v, at, "truncated boolean");
    if (v->p[v->off] > 1)
      return fail(v, at, "boolean byte %u is not 0 or 1", v->p[v->off]);
    v->off++;
    return 0;
  case AVRO_INT32:
    if (read_long(v, &n, "int") != 0)
      return -1;
    if (n < INT32_MIN || n > INT32_MAX)
      return fail(v, at, "int %" PRId64 " exceeds 32 bits", n);
    return 0;
  case AVRO_INT64:
    return read_long(v, &n, "long");
  case AVRO_FLOAT:
    return skip(v, 4, "float");
  case AVRO_DOUBLE:
    return skip(v, 8, "double");
  case AVRO_STRING:
    return skip_lenprefixed(v, "string");
  case AVRO_BYTES:
    return skip_lenprefixed(v, "bytes");
  case AVRO_FIXED:
    return skip(v, avro_schema_fixed_size(s), "fixed");
  case AVRO_ENUM: {
    if (read_long(v, &n, "enum index") != 0)
      return -1;
    int nsym = avro_schema_enum_number_of_symbols(s);
    if (n < 0 || n >= nsym)
      return fail(v, at, "enum %s index %" PRId64 " is not in 0..%d",
                  avro_schema_name(s), n, nsym - 1);
    return 0;
  }
  case AVRO_UNION: {
    if (read_long(v, &n, "union index") != 0)
      return -1;
    size_t nb = avro_schema_union_size(s);
    if (n < 0 || (uint64_t)n >= nb)
      return fail(v, at, "union index %" PRId64 " is not in 0..%zu", n, nb - 1);
    return walk(v, avro_schema_union_branch(s, (int)n), depth + 1);
  }
  case AVRO_RECORD: {
    size_t nf = avro_schema_record_size(s);
    for (size_t i = 0; i < nf; i++)
      if (walk(v, avro_schema_record_field_get_by_index(s, (int)i),
               depth + 1) != 0)
        return -1;
    return 0;
  }
  case AVRO_ARRAY:
    return walk_blocks(v, avro_schema_array_items(s), 0, depth);
  case AVRO_MAP:
    return walk_blocks(v, avro_schema_map_values(s), 1, depth);
  default:
    return fail(v, at, "unsupported schema type %d", (int)avro_typeof(s));
  }
}

int ew_avro_prevalidate(avro_schema_t schema, const void *buf, size_t len,
                        char *errstr, size_t errstr_size) {
  pv v = {buf, len, 0, 0, 0, errstr, errstr_size};
  if (walk(&v, schema, 0) != 0)
    return -1;
  if (v.off != v.len)
    return fail(&v, v.off, "%zu bytes left over after the value",
                v.len - v.off);
  return 0;
}
