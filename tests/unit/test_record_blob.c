/*
 * test_record_blob.c - the store's binary record form: round trips of every
 * kind (defaults and fully populated, through the descriptors), deep copy,
 * and refusal of truncated, trailing, foreign-version and newer blobs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record_blob.h"

typedef struct vec {
  void *v;
  size_t n;
} vec;

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

/* Fills every field with a non-default value derived from `seed`, arrays
 * with two elements, sub-records recursively. */
static void populate(const ew_rtype *t, char *body, ew_arena *a, int seed) {
  ew_rtype_init(t, body);
  for (size_t i = 0; i < t->nfields; i++) {
    const ew_field *f = &t->fields[i];
    char *at = body + f->offset;
    int k = seed * 100 + (int)i;
    switch (f->type) {
    case EW_FT_STR: {
      const char *s = ew_arena_printf(a, "%s-%d-值", f->name, k);
      memcpy(at, &s, sizeof s);
      break;
    }
    case EW_FT_TIME:
    case EW_FT_LONG: {
      int64_t v = -1700000000000LL + k; /* negative on purpose */
      memcpy(at, &v, sizeof v);
      break;
    }
    case EW_FT_BOOL: {
      int8_t v = (int8_t)(k & 1);
      memcpy(at, &v, sizeof v);
      break;
    }
    case EW_FT_ENUM: {
      int v = k % f->enm->n;
      memcpy(at, &v, sizeof v);
      break;
    }
    default: {
      vec v = {ew_arena_calloc(a, 2, elem_size(f)), 2};
      for (size_t j = 0; j < 2; j++) {
        if (f->type == EW_FT_STRV)
          ((const char **)v.v)[j] = ew_arena_printf(a, "s%d.%zu", k, j);
        else if (f->type == EW_FT_ENUMV)
          ((int *)v.v)[j] = (int)((size_t)k + j) % f->enm->n;
        else if (f->type == EW_FT_MAP) {
          ((ew_fact *)v.v)[j].key = ew_arena_printf(a, "k%zu", j);
          ((ew_fact *)v.v)[j].value = ew_arena_printf(a, "v%d", k);
        } else
          populate(f->sub, (char *)v.v + j * f->sub->size, a, k + (int)j);
      }
      memcpy(at, &v, sizeof v);
      break;
    }
    }
  }
}

static int str_eq(const char *x, const char *y) {
  return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* Deep equality through the descriptor; `distinct` also demands that no
 * string or array pointer is shared (a deep copy). */
static int equal(const ew_rtype *t, const char *x, const char *y,
                 int distinct) {
  for (size_t i = 0; i < t->nfields; i++) {
    const ew_field *f = &t->fields[i];
    const char *ax = x + f->offset, *ay = y + f->offset;
    switch (f->type) {
    case EW_FT_STR: {
      const char *sx, *sy;
      memcpy(&sx, ax, sizeof sx);
      memcpy(&sy, ay, sizeof sy);
      if (!str_eq(sx, sy) || (distinct && sx && sx == sy))
        return 0;
      break;
    }
    case EW_FT_TIME:
    case EW_FT_LONG:
      if (memcmp(ax, ay, 8))
        return 0;
      break;
    case EW_FT_BOOL:
      if (memcmp(ax, ay, 1))
        return 0;
      break;
    case EW_FT_ENUM:
      if (memcmp(ax, ay, sizeof(int)))
        return 0;
      break;
    default: {
      vec vx, vy;
      memcpy(&vx, ax, sizeof vx);
      memcpy(&vy, ay, sizeof vy);
      if (vx.n != vy.n || (distinct && vx.n && vx.v == vy.v))
        return 0;
      for (size_t j = 0; j < vx.n; j++) {
        if (f->type == EW_FT_STRV) {
          const char *sx = ((const char **)vx.v)[j];
          const char *sy = ((const char **)vy.v)[j];
          if (!str_eq(sx, sy) || (distinct && sx == sy))
            return 0;
        } else if (f->type == EW_FT_ENUMV) {
          if (((int *)vx.v)[j] != ((int *)vy.v)[j])
            return 0;
        } else if (f->type == EW_FT_MAP) {
          if (!str_eq(((ew_fact *)vx.v)[j].key, ((ew_fact *)vy.v)[j].key) ||
              !str_eq(((ew_fact *)vx.v)[j].value, ((ew_fact *)vy.v)[j].value))
            return 0;
        } else if (!equal(f->sub, (char *)vx.v + j * f->sub->size,
                          (char *)vy.v + j * f->sub->size, distinct)) {
          return 0;
        }
      }
      break;
    }
    }
  }
  return 1;
}

static void test_roundtrip_defaults_every_kind(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_blob b = {0};
  for (int k = 0; k < EW_REC_COUNT; k++) {
    const ew_rtype *t = ew_rtype_of((ew_rkind)k);
    ew_record in, out;
    ew_rtype_init(t, &in.u);
    ew_blob_reset(&b);
    assert_int_equal(ew_blob_encode(&b, t, &in.u), 0);
    memset(&out, 0x5a, sizeof out);
    assert_int_equal(ew_blob_decode(t, b.p, b.len, &out.u, &a), 0);
    assert_true(equal(t, (char *)&in.u, (char *)&out.u, 0));
  }
  ew_blob_free(&b);
  ew_arena_free(&a);
}

static void test_roundtrip_populated_every_kind(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_blob b = {0};
  for (int k = 0; k < EW_REC_COUNT; k++) {
    const ew_rtype *t = ew_rtype_of((ew_rkind)k);
    ew_record in, out, copy;
    populate(t, (char *)&in.u, &a, k + 1);
    ew_blob_reset(&b);
    assert_int_equal(ew_blob_encode(&b, t, &in.u), 0);
    assert_int_equal(ew_blob_decode(t, b.p, b.len, &out.u, &a), 0);
    assert_true(equal(t, (char *)&in.u, (char *)&out.u, 1));
    assert_int_equal(ew_blob_copy(t, &copy.u, &in.u, &a), 0);
    assert_true(equal(t, (char *)&in.u, (char *)&copy.u, 1));
  }
  ew_blob_free(&b);
  ew_arena_free(&a);
}

/* Encoding appends, so a buffer can hold several blobs back to back. */
static void test_encode_appends(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_blob b = {0};
  const ew_rtype *t = ew_rtype_of(EW_REC_CERTIFICATE);
  ew_record x, y;
  populate(t, (char *)&x.u, &a, 1);
  assert_int_equal(ew_blob_encode(&b, t, &x.u), 0);
  size_t first = b.len;
  assert_int_equal(ew_blob_encode(&b, t, &x.u), 0);
  assert_int_equal(b.len, 2 * first);
  assert_int_equal(ew_blob_decode(t, b.p + first, first, &y.u, &a), 0);
  assert_true(equal(t, (char *)&x.u, (char *)&y.u, 1));
  ew_blob_free(&b);
  ew_arena_free(&a);
}

static void test_null_and_empty_strings_differ(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_blob b = {0};
  const ew_rtype *t = ew_rtype_of(EW_REC_APPROVAL);
  ew_record in, out;
  ew_rtype_init(t, &in.u);
  in.u.approval.approval_id = "";
  in.u.approval.enterprise_uscc = NULL;
  assert_int_equal(ew_blob_encode(&b, t, &in.u), 0);
  assert_int_equal(ew_blob_decode(t, b.p, b.len, &out.u, &a), 0);
  assert_non_null(out.u.approval.approval_id);
  assert_string_equal(out.u.approval.approval_id, "");
  assert_null(out.u.approval.enterprise_uscc);
  ew_blob_free(&b);
  ew_arena_free(&a);
}

static void test_truncated_and_trailing_refused(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_blob b = {0};
  const ew_rtype *t = ew_rtype_of(EW_REC_PLAN);
  ew_record in, out;
  populate(t, (char *)&in.u, &a, 3);
  assert_int_equal(ew_blob_encode(&b, t, &in.u), 0);
  for (size_t n = 0; n < b.len; n++)
    assert_int_equal(ew_blob_decode(t, b.p, n, &out.u, &a), -1);
  unsigned char *longer = malloc(b.len + 1);
  memcpy(longer, b.p, b.len);
  longer[b.len] = 0;
  assert_int_equal(ew_blob_decode(t, longer, b.len + 1, &out.u, &a), -1);
  free(longer);
  ew_blob_free(&b);
  ew_arena_free(&a);
}

static void test_version_and_tag_checked(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_blob b = {0};
  const ew_rtype *t = ew_rtype_of(EW_REC_CERTIFICATE);
  ew_record in, out;
  populate(t, (char *)&in.u, &a, 2);
  assert_int_equal(ew_blob_encode(&b, t, &in.u), 0);
  assert_int_equal(b.p[0], EW_BLOB_VERSION);
  b.p[0] = EW_BLOB_VERSION + 1;
  assert_int_equal(ew_blob_decode(t, b.p, b.len, &out.u, &a), -1);
  b.p[0] = EW_BLOB_VERSION;
  /* byte 3 is the first field's type tag (after version and u16 count) */
  assert_int_equal(b.p[3], EW_FT_STR);
  b.p[3] = EW_FT_LONG;
  assert_int_equal(ew_blob_decode(t, b.p, b.len, &out.u, &a), -1);
  /* Reading a certificate blob as another kind fails on a tag too. */
  b.p[3] = EW_FT_STR;
  assert_int_equal(
      ew_blob_decode(ew_rtype_of(EW_REC_LENIENCY_ITEM), b.p, b.len, &out.u, &a),
      -1);
  ew_blob_free(&b);
  ew_arena_free(&a);
}

/* A blob written before a field was appended to the contract decodes with
 * that field's default; one written by a newer build (more fields) is
 * refused rather than misread. */
static void test_field_count_evolution(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_blob b = {0};
  const ew_rtype *full = ew_rtype_of(EW_REC_LENIENCY_ITEM);
  ew_rtype older = *full;
  older.nfields--; /* without must_correct (= true) */
  ew_record in, out;
  ew_rtype_init(full, &in.u);
  in.u.leniency_item.item_id = "L1";
  in.u.leniency_item.violation_code = "V1";
  in.u.leniency_item.kind = EW_LEN_LIGHTER;
  in.u.leniency_item.must_correct = 0;
  assert_int_equal(ew_blob_encode(&b, &older, &in.u), 0);
  assert_int_equal(ew_blob_decode(full, b.p, b.len, &out.u, &a), 0);
  assert_string_equal(out.u.leniency_item.item_id, "L1");
  assert_int_equal(out.u.leniency_item.kind, EW_LEN_LIGHTER);
  assert_int_equal(out.u.leniency_item.must_correct, 1);

  ew_blob_reset(&b);
  assert_int_equal(ew_blob_encode(&b, full, &in.u), 0);
  assert_int_equal(ew_blob_decode(&older, b.p, b.len, &out.u, &a), -1);
  ew_blob_free(&b);
  ew_arena_free(&a);
}

/* An array count larger than the bytes left is refused before anything is
 * allocated for it. */
static void test_huge_count_refused(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_blob b = {0};
  const ew_rtype *t = ew_rtype_of(EW_REC_CALENDAR_DAY);
  ew_rtype one = *t;
  one.nfields = 1; /* just `date` */
  ew_record in, out;
  ew_rtype_init(t, &in.u);
  in.u.calendar_day.date = "2025-01-01";
  assert_int_equal(ew_blob_encode(&b, &one, &in.u), 0);
  /* date is STR: u32 length at offset 4; make it claim 4 GiB - 2 bytes */
  b.p[4] = b.p[5] = b.p[6] = 0xff;
  b.p[7] = 0xff;
  b.p[4] = 0xfe;
  assert_int_equal(ew_blob_decode(t, b.p, b.len, &out.u, &a), -1);
  ew_blob_free(&b);
  ew_arena_free(&a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrip_defaults_every_kind),
      cmocka_unit_test(test_roundtrip_populated_every_kind),
      cmocka_unit_test(test_encode_appends),
      cmocka_unit_test(test_null_and_empty_strings_differ),
      cmocka_unit_test(test_truncated_and_trailing_refused),
      cmocka_unit_test(test_version_and_tag_checked),
      cmocka_unit_test(test_field_count_evolution),
      cmocka_unit_test(test_huge_count_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
