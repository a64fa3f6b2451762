/*
 * test_avro_codec.c - Avro encode/decode round trips and hostile input.
 *
 * Round trips build every record kind from its descriptor (every field,
 * arrays of several elements, optional fields set and unset) so a field
 * added to record.c is covered without touching this file. Hostile inputs
 * are real bytes; avro-c's allocator is wrapped to prove that rejected
 * values allocate nothing (the 2 GiB malloc and the truncated-string leak of
 * style-and-idioms §B4), and the suite runs under ASan and valgrind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "consumers/avro_decode.h"
#include "consumers/avro_prevalidate.h"
#include "producers/avro_encode.h"
#include "record.h"
#include "schemas/schema_registry_int.h"

/* ---- avro-c allocation accounting ---- */

static long g_live;      /* avro-c blocks allocated and not freed */
static size_t g_max_req; /* largest single request since the last reset */

static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    if (ptr)
      g_live--;
    free(ptr);
    return NULL;
  }
  if (nsize > g_max_req)
    g_max_req = nsize;
  void *p = realloc(ptr, nsize);
  if (p && !ptr)
    g_live++;
  return p;
}

/* ---- fixture ---- */

typedef struct fx {
  ew_schemas *sc;
  ew_decoder *dec;
  ew_encoder *enc;
  ew_arena in;  /* records built by the test */
  ew_arena out; /* records decoded */
  char err[512];
} fx;

static int setup(void **state) {
  fx *f = calloc(1, sizeof *f);
  if (!f)
    return -1;
  if (ew_schemas_load(&f->sc, ew_schemas_default_dir(), f->err,
                      sizeof f->err) != 0) {
    fprintf(stderr, "schemas: %s\n", f->err);
    free(f);
    return -1;
  }
  if (ew_decoder_new(&f->dec, f->sc, 1 << 20) != 0 ||
      ew_encoder_new(&f->enc, f->sc) != 0)
    return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fx *f = *state;
  ew_decoder_destroy(f->dec);
  ew_encoder_destroy(f->enc);
  ew_schemas_destroy(f->sc);
  ew_arena_free(&f->in);
  ew_arena_free(&f->out);
  free(f);
  return 0;
}

/* ---- building records from descriptors ---- */

enum fill_mode {
  FILL_FULL,   /* every optional set, arrays of 3-4 elements */
  FILL_SPARSE, /* every optional unset, arrays empty */
  FILL_MIXED   /* every other optional set, arrays of 1-2 elements */
};

static void fill_body(const ew_rtype *t, void *body, int seed,
                      enum fill_mode mode, ew_arena *a);

static size_t count_for(enum fill_mode mode, size_t i) {
  return mode == FILL_FULL ? 3 + i % 2 : mode == FILL_MIXED ? 1 + i % 2 : 0;
}

static void fill_field(const ew_field *f, char *dst, int seed, size_t i,
                       enum fill_mode mode, ew_arena *a) {
  size_t n = count_for(mode, i);
  void *items = NULL;
  switch (f->type) {
  case EW_FT_STR: {
    /* Non-ASCII on purpose: the contract's text is Chinese. */
    const char *s = ew_arena_printf(a, "%s-%d-临州", f->name, seed);
    memcpy(dst, &s, sizeof s);
    return;
  }
  case EW_FT_TIME: {
    int64_t x = 1735660800000LL + seed * 86400000LL + (int64_t)i * 1000;
    memcpy(dst, &x, sizeof x);
    return;
  }
  case EW_FT_LONG: {
    /* Large and negative values exercise long varints. */
    int64_t x =
        (seed % 2 ? -1 : 1) * (INT64_C(1) << (30 + seed % 30)) + (int64_t)i;
    memcpy(dst, &x, sizeof x);
    return;
  }
  case EW_FT_BOOL: {
    int8_t x = (int8_t)((seed + (int)i) % 2);
    memcpy(dst, &x, sizeof x);
    return;
  }
  case EW_FT_ENUM: {
    int x = (seed + (int)i) % f->enm->n;
    memcpy(dst, &x, sizeof x);
    return;
  }
  case EW_FT_STRV:
    if (n) {
      const char **v = ew_arena_calloc(a, n, sizeof *v);
      for (size_t j = 0; j < n; j++)
        v[j] = ew_arena_printf(a, "%s[%zu]-%d", f->name, j, seed);
      items = v;
    }
    break;
  case EW_FT_ENUMV:
    if (n) {
      int *v = ew_arena_calloc(a, n, sizeof *v);
      for (size_t j = 0; j < n; j++)
        v[j] = (int)((seed + j * 3) % (size_t)f->enm->n);
      items = v;
    }
    break;
  case EW_FT_RECV:
    if (n) {
      char *v = ew_arena_calloc(a, n, f->sub->size);
      /* Alternate sub-record modes so nested optionals are set and unset. */
      for (size_t j = 0; j < n; j++)
        fill_body(f->sub, v + j * f->sub->size, seed * 10 + (int)j,
                  j % 2 ? FILL_SPARSE : FILL_FULL, a);
      items = v;
    }
    break;
  case EW_FT_MAP:
    if (n) {
      ew_fact *v = ew_arena_calloc(a, n, sizeof *v);
      for (size_t j = 0; j < n; j++) {
        v[j].key = ew_arena_printf(a, "key%zu", j);
        v[j].value = ew_arena_printf(a, "value=%zu/%d", j, seed);
      }
      items = v;
    }
    break;
  }
  memcpy(dst, &items, sizeof items);
  memcpy(dst + offsetof(ew_strv, n), &n, sizeof n);
}

static void fill_body(const ew_rtype *t, void *body, int seed,
                      enum fill_mode mode, ew_arena *a) {
  ew_rtype_init(t, body);
  int nopt = 0;
  for (size_t i = 0; i < t->nfields; i++) {
    const ew_field *f = &t->fields[i];
    if (f->flags & EW_FF_OPT) {
      int set = mode == FILL_FULL || (mode == FILL_MIXED && nopt % 2 == 0);
      nopt++;
      if (!set)
        continue;
    }
    fill_field(f, (char *)body + f->offset, seed, i, mode, a);
  }
}

static void fill_record(ew_record *rec, ew_rkind k, int seed,
                        enum fill_mode mode, ew_arena *a) {
  memset(rec, 0, sizeof *rec);
  rec->kind = k;
  fill_body(ew_rtype_of(k), ew_record_body(rec), seed, mode, a);
}

/* ---- comparing records through descriptors ---- */

static void body_equal(const ew_rtype *t, const char *a, const char *b,
                       const char *where);

static void str_equal(const char *x, const char *y, const char *where,
                      const char *name) {
  if (!x || !y) {
    if (x != y)
      fail_msg("%s.%s: %s vs %s", where, name, x ? x : "NULL", y ? y : "NULL");
    return;
  }
  if (strcmp(x, y) != 0)
    fail_msg("%s.%s: \"%s\" vs \"%s\"", where, name, x, y);
}

static void field_equal(const ew_field *f, const char *a, const char *b,
                        const char *where) {
  switch (f->type) {
  case EW_FT_STR: {
    const char *x, *y;
    memcpy(&x, a, sizeof x);
    memcpy(&y, b, sizeof y);
    str_equal(x, y, where, f->name);
    return;
  }
  case EW_FT_TIME:
  case EW_FT_LONG: {
    int64_t x, y;
    memcpy(&x, a, sizeof x);
    memcpy(&y, b, sizeof y);
    if (x != y)
      fail_msg("%s.%s: %lld vs %lld", where, f->name, (long long)x,
               (long long)y);
    return;
  }
  case EW_FT_BOOL:
    if (*(const int8_t *)a != *(const int8_t *)b)
      fail_msg("%s.%s: %d vs %d", where, f->name, *(const int8_t *)a,
               *(const int8_t *)b);
    return;
  case EW_FT_ENUM: {
    int x, y;
    memcpy(&x, a, sizeof x);
    memcpy(&y, b, sizeof y);
    if (x != y)
      fail_msg("%s.%s: %d vs %d", where, f->name, x, y);
    return;
  }
  default:
    break;
  }
  const char *xv, *yv;
  size_t xn, yn;
  memcpy(&xv, a, sizeof xv);
  memcpy(&yv, b, sizeof yv);
  memcpy(&xn, a + offsetof(ew_strv, n), sizeof xn);
  memcpy(&yn, b + offsetof(ew_strv, n), sizeof yn);
  if (xn != yn)
    fail_msg("%s.%s: %zu vs %zu items", where, f->name, xn, yn);
  for (size_t j = 0; j < xn; j++) {
    char sub[256];
    snprintf(sub, sizeof sub, "%s.%s[%zu]", where, f->name, j);
    switch (f->type) {
    case EW_FT_STRV:
      str_equal(((const char *const *)(const void *)xv)[j],
                ((const char *const *)(const void *)yv)[j], sub, "");
      break;
    case EW_FT_ENUMV:
      if (((const int *)(const void *)xv)[j] !=
          ((const int *)(const void *)yv)[j])
        fail_msg("%s: enum differs", sub);
      break;
    case EW_FT_RECV:
      body_equal(f->sub, xv + j * f->sub->size, yv + j * f->sub->size, sub);
      break;
    default: {
      const ew_fact *x = &((const ew_fact *)(const void *)xv)[j];
      const ew_fact *y = &((const ew_fact *)(const void *)yv)[j];
      str_equal(x->key, y->key, sub, "key");
      str_equal(x->value, y->value, sub, "value");
      break;
    }
    }
  }
}

static void body_equal(const ew_rtype *t, const char *a, const char *b,
                       const char *where) {
  for (size_t i = 0; i < t->nfields; i++)
    field_equal(&t->fields[i], a + t->fields[i].offset, b + t->fields[i].offset,
                where);
}

static void record_equal(const ew_record *a, const ew_record *b) {
  assert_int_equal(a->kind, b->kind);
  body_equal(ew_rtype_of(a->kind), (const char *)ew_record_body_const(a),
             (const char *)ew_record_body_const(b), ew_rkind_name(a->kind));
}

/* ---- helpers ---- */

static ew_decode_error decode(fx *f, const void *buf, size_t len,
                              ew_rkind expect, ew_record *out) {
  f->err[0] = '\0';
  return ew_decode(f->dec, buf, len, expect, out, &f->out, f->err,
                   sizeof f->err);
}

/* Decodes a value that must be refused with `want` before avro-c allocates
 * anything, and with a reason containing `msg`. */
static void expect_refused(fx *f, const void *buf, size_t len,
                           ew_decode_error want, const char *msg) {
  ew_record rec;
  long live = g_live;
  g_max_req = 0;
  ew_decode_error rc = decode(f, buf, len, EW_REC_COUNT, &rec);
  if (rc != want)
    fail_msg("got %s (%s), want %s", ew_decode_error_code(rc), f->err,
             ew_decode_error_code(want));
  if (!strstr(f->err, msg))
    fail_msg("reason \"%s\" lacks \"%s\"", f->err, msg);
  assert_null(strchr(f->err, '\n')); /* one line */
  assert_int_equal(g_live, live);
  assert_true(g_max_req < 1024);
}

/* ---- round trips ---- */

static void round_trip_all(fx *f, enum fill_mode mode, int seed) {
  for (int k = 0; k < EW_REC_COUNT; k++) {
    ew_record in, out;
    const void *buf;
    size_t len;
    fill_record(&in, (ew_rkind)k, seed + k, mode, &f->in);
    int rc = ew_encode(f->enc, &in, &buf, &len, f->err, sizeof f->err);
    if (rc != 0)
      fail_msg("encode %s: %s", ew_rkind_name((ew_rkind)k), f->err);
    assert_true(len > 5);
    const uint8_t *p = buf;
    assert_int_equal(p[0], 0);
    assert_int_equal((p[1] << 24) | (p[2] << 16) | (p[3] << 8) | p[4], k + 1);
    ew_decode_error drc = decode(f, buf, len, (ew_rkind)k, &out);
    if (drc != EW_DECODE_OK)
      fail_msg("decode %s: %s: %s", ew_rkind_name((ew_rkind)k),
               ew_decode_error_code(drc), f->err);
    record_equal(&in, &out);
    ew_arena_reset(&f->in);
    ew_arena_reset(&f->out);
  }
}

static void test_round_trip_full(void **state) {
  round_trip_all(*state, FILL_FULL, 1);
}

static void test_round_trip_sparse(void **state) {
  round_trip_all(*state, FILL_SPARSE, 2);
}

static void test_round_trip_mixed(void **state) {
  round_trip_all(*state, FILL_MIXED, 3);
}

static void test_round_trip_repeated_reuses_values(void **state) {
  fx *f = *state;
  /* Alternating kinds and modes through the same cached values must not
   * leak state from one record into the next. */
  for (int round = 0; round < 3; round++) {
    round_trip_all(f, FILL_FULL, 10 + round);
    round_trip_all(f, FILL_SPARSE, 20 + round);
  }
}

static void test_round_trip_concrete_inspection(void **state) {
  fx *f = *state;
  ew_officer officers[2] = {{"O-1", "C-1", 1}, {"O-2", NULL, 0}};
  const char *items[] = {"C13-01", "C13-02"};
  int soft[] = {EW_SOFT_ADMIN_WARNING, EW_SOFT_ADMIN_GUIDANCE};
  ew_record in, out;
  memset(&in, 0, sizeof in);
  in.kind = EW_REC_INSPECTION;
  ew_inspection *i = &in.u.inspection;
  ew_rtype_init(ew_rtype_of(EW_REC_INSPECTION), i);
  i->event_id = "E-1";
  i->event_time = 1741052400000LL; /* 2025-03-04T09:40:00+08:00 */
  i->inspection_id = "INS-001";
  i->status = EW_INSP_STARTED;
  i->agency_uscc = "11622900MB1234567X";
  i->enterprise_uscc = "91622901MA7XXXXX00";
  i->check_class = EW_CLASS_ROUTINE;
  i->trigger_type = EW_TRIG_DATA_MONITORING;
  i->mode = EW_MODE_ON_SITE;
  i->check_items.v = items;
  i->check_items.n = 2;
  i->officers.v = officers;
  i->officers.n = 2;
  i->soft_measures.v = soft;
  i->soft_measures.n = 2;
  i->started_at = 1741052400000LL;
  const void *buf;
  size_t len;
  assert_int_equal(ew_encode(f->enc, &in, &buf, &len, f->err, sizeof f->err),
                   0);
  assert_int_equal(decode(f, buf, len, EW_REC_INSPECTION, &out), EW_DECODE_OK);
  const ew_inspection *o = &out.u.inspection;
  assert_string_equal(o->enterprise_uscc, "91622901MA7XXXXX00");
  assert_int_equal(o->trigger_type, EW_TRIG_DATA_MONITORING);
  assert_int_equal(o->officers.n, 2);
  assert_string_equal(o->officers.v[0].cert_no, "C-1");
  assert_int_equal(o->officers.v[0].cert_shown, 1);
  assert_null(o->officers.v[1].cert_no);
  assert_int_equal(o->officers.v[1].cert_shown, 0);
  assert_string_equal(o->check_items.v[1], "C13-02");
  assert_int_equal(o->soft_measures.v[0], EW_SOFT_ADMIN_WARNING);
  assert_int_equal(o->ended_at, EW_NONE);
  assert_null(o->plan_id);
  assert_int_equal(o->result, EW_ENUM_NONE);
  assert_int_equal(o->av_coverage, EW_AV_NONE); /* = NONE default */
  assert_int_equal(o->emergency, 0);
  assert_int_equal(o->av_record_ids.n, 0);
  assert_null(o->av_record_ids.v);
  /* Decoded strings live in the arena, not in the input. */
  assert_ptr_not_equal(o->officers.v[0].officer_id, officers[0].officer_id);
  ew_arena_reset(&f->out);
}

static void test_golden_bytes(void **state) {
  fx *f = *state;
  /* calendar_day is id 14; "2025-10-01" is 10 bytes (zigzag 20 = 0x14);
   * false is 0x00. Any Confluent Avro reader reads these bytes. */
  static const uint8_t want[] = {0,   0,   0,   0,   14,  0x14, '2', '0', '2',
                                 '5', '-', '1', '0', '-', '0',  '1', 0x00};
  ew_record in, out;
  memset(&in, 0, sizeof in);
  in.kind = EW_REC_CALENDAR_DAY;
  in.u.calendar_day.date = "2025-10-01";
  in.u.calendar_day.is_workday = 0;
  const void *buf;
  size_t len;
  assert_int_equal(ew_encode(f->enc, &in, &buf, &len, f->err, sizeof f->err),
                   0);
  assert_int_equal(len, sizeof want);
  assert_memory_equal(buf, want, sizeof want);
  assert_int_equal(decode(f, want, sizeof want, EW_REC_CALENDAR_DAY, &out),
                   EW_DECODE_OK);
  assert_string_equal(out.u.calendar_day.date, "2025-10-01");
  assert_int_equal(out.u.calendar_day.is_workday, 0);

  /* A negative block count with its byte size is legal Avro (Java writes
   * it for buffered arrays): notice with cc_usccs as one such block. */
  static const uint8_t notice[] = {
      0,    0,    0,    0,    16,                    /* frame, id 16 */
      0x02, 'n',  0x00, 0x02, 'i',  0x02, 'r',       /* id, type, issuer.. */
      0x03, 0x08, 0x02, 'a',  0x02, 'b',  0x00,      /* cc: -2 items, 4 B */
      0x00, 0x02, 'f',  0x00, 0x00, 0x02, 0x00, 0x04 /* ... */
  };
  assert_int_equal(decode(f, notice, sizeof notice, EW_REC_NOTICE, &out),
                   EW_DECODE_OK);
  assert_int_equal(out.u.notice.cc_usccs.n, 2);
  assert_string_equal(out.u.notice.cc_usccs.v[1], "b");
  assert_int_equal(out.u.notice.issued_at, 1);
  assert_int_equal(out.u.notice.rectification_due_at, EW_NONE);
  assert_int_equal(out.u.notice.feedback_due_at, 2);
  ew_arena_reset(&f->out);
}

/* ---- hostile input ---- */

static void test_hostile_frames(void **state) {
  fx *f = *state;
  static const uint8_t four[] = {0, 0, 0, 14};
  static const uint8_t magic[] = {1, 0, 0, 0, 14, 0x02, 'x', 0};
  static const uint8_t unknown[] = {0, 0, 0, 0, 99, 0x02, 'x', 0};
  static const uint8_t high[] = {0, 0x80, 0, 0, 1, 0x02, 'x', 0};
  expect_refused(f, "", 0, EW_DECODE_BAD_FRAME, "0 bytes");
  expect_refused(f, four, sizeof four, EW_DECODE_BAD_FRAME, "4 bytes");
  expect_refused(f, magic, sizeof magic, EW_DECODE_BAD_FRAME, "magic byte 1");
  expect_refused(f, unknown, sizeof unknown, EW_DECODE_UNKNOWN_SCHEMA,
                 "schema id 99 is not known");
  expect_refused(f, high, sizeof high, EW_DECODE_UNKNOWN_SCHEMA,
                 "schema id 2147483649 is not known");
  assert_string_equal(ew_decode_error_code(EW_DECODE_BAD_FRAME), "BAD_FRAME");
}

static void test_hostile_kind_mismatch(void **state) {
  fx *f = *state;
  static const uint8_t cal[] = {0, 0, 0, 0, 14, 0x02, 'x', 0};
  ew_record rec;
  long live = g_live;
  assert_int_equal(decode(f, cal, sizeof cal, EW_REC_INSPECTION, &rec),
                   EW_DECODE_WRONG_TYPE);
  assert_non_null(strstr(f->err, "calendar_day"));
  assert_non_null(strstr(f->err, "inspection"));
  assert_int_equal(g_live, live);
  assert_string_equal(ew_decode_error_code(EW_DECODE_WRONG_TYPE), "WRONG_TYPE");
}

static void test_hostile_huge_string_does_not_allocate(void **state) {
  fx *f = *state;
  /* calendar_day whose date declares 2^31-1 bytes: a 6-byte body that
   * makes avro-c 1.11.1 malloc 2 GiB without the pre-validator. */
  static const uint8_t huge[] = {0,    0,    0,    0,    14, 0xfe,
                                 0xff, 0xff, 0xff, 0x0f, 'x'};
  expect_refused(f, huge, sizeof huge, EW_DECODE_MALFORMED, "string");
  assert_non_null(strstr(f->err, "2147483647"));
  /* The longest varint there is. */
  static const uint8_t huge10[] = {0,    0,    0,    0,    14,   0xfe,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0x01, 'x'};
  expect_refused(f, huge10, sizeof huge10, EW_DECODE_MALFORMED, "string");
  static const uint8_t negative[] = {0, 0, 0, 0, 14, 0x01, 'x', 0};
  expect_refused(f, negative, sizeof negative, EW_DECODE_MALFORMED,
                 "negative length");
}

static void test_hostile_truncated_string(void **state) {
  fx *f = *state;
  /* date declares 10 bytes, 4 follow: avro-c leaks the buffer. */
  static const uint8_t trunc[] = {0, 0, 0, 0, 14, 0x14, '2', '0', '2', '5'};
  expect_refused(f, trunc, sizeof trunc, EW_DECODE_MALFORMED,
                 "exceeds the 4 bytes left");
  /* The body ends inside a varint. */
  static const uint8_t trunc_varint[] = {0, 0, 0, 0, 14, 0x80};
  expect_refused(f, trunc_varint, sizeof trunc_varint, EW_DECODE_MALFORMED,
                 "truncated varint");
  /* The record ends before its last field. */
  static const uint8_t no_bool[] = {0, 0, 0, 0, 14, 0x02, 'x'};
  expect_refused(f, no_bool, sizeof no_bool, EW_DECODE_MALFORMED,
                 "truncated boolean");
}

static void test_hostile_huge_array_count(void **state) {
  fx *f = *state;
  /* notice: notice_id "n", notice_type 0, issuer "i", recipient "r", then
   * cc_usccs declaring 2^31-1 strings. */
  static const uint8_t huge[] = {0,    0,    0,    0,    16,  0x02, 'n',
                                 0,    0x02, 'i',  0x02, 'r', 0xfe, 0xff,
                                 0xff, 0xff, 0x0f, 0x02, 'a'};
  expect_refused(f, huge, sizeof huge, EW_DECODE_MALFORMED,
                 "array declares 2147483647 items");
  /* Negative count whose byte size overruns the body. */
  static const uint8_t bsize[] = {0,    0,    0,    0,    16,  0x02, 'n',
                                  0,    0x02, 'i',  0x02, 'r', 0x03, 0x7e,
                                  0x02, 'a',  0x02, 'b',  0x00};
  expect_refused(f, bsize, sizeof bsize, EW_DECODE_MALFORMED,
                 "block byte size 63");
  /* Negative count whose byte size is in range but wrong. */
  static const uint8_t bwrong[] = {0,    0,    0,    0,    16,   0x02, 'n',
                                   0,    0x02, 'i',  0x02, 'r',  0x03, 0x02,
                                   0x02, 'a',  0x02, 'b',  0x00, 0x00, 0x02,
                                   'f',  0x00, 0x00, 0x02, 0x00, 0x04};
  expect_refused(f, bwrong, sizeof bwrong, EW_DECODE_MALFORMED,
                 "but its items took 4");
}

static void test_hostile_union_and_enum_index(void **state) {
  fx *f = *state;
  /* approval: approval_id, agency_uscc, then enterprise_uscc's union with
   * branch 2 of a 2-branch union. */
  static const uint8_t un[] = {0,   0,    0,   0,    7,    0x02,
                               'a', 0x02, 'b', 0x04, 0x02, 'x'};
  expect_refused(f, un, sizeof un, EW_DECODE_MALFORMED,
                 "union index 2 is not in 0..1");
  static const uint8_t neg[] = {0, 0, 0, 0, 7, 0x02, 'a', 0x02, 'b', 0x01};
  expect_refused(f, neg, sizeof neg, EW_DECODE_MALFORMED, "union index -1");
  /* credit_grade: enterprise_uscc "x", grade index 4 of A..D. */
  static const uint8_t en[] = {0, 0, 0, 0, 13, 0x02, 'x', 0x08, 0x02};
  expect_refused(f, en, sizeof en, EW_DECODE_MALFORMED,
                 "enum CreditRiskGrade index 4 is not in 0..3");
  /* calendar_day with a boolean byte of 2. */
  static const uint8_t bo[] = {0, 0, 0, 0, 14, 0x02, 'x', 0x02};
  expect_refused(f, bo, sizeof bo, EW_DECODE_MALFORMED,
                 "boolean byte 2 is not 0 or 1");
  /* credit_grade as_of: an 11-byte varint, and a 10th byte over 1. */
  static const uint8_t v11[] = {0,    0,    0,    0,    13,   0x02, 'x',
                                0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0x01};
  expect_refused(f, v11, sizeof v11, EW_DECODE_MALFORMED,
                 "varint exceeds 64 bits");
  static const uint8_t v10[] = {0,    0,    0,    0,    13,   0x02,
                                'x',  0x00, 0xff, 0xff, 0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
  expect_refused(f, v10, sizeof v10, EW_DECODE_MALFORMED,
                 "varint exceeds 64 bits");
}

static void test_hostile_trailing_and_size_cap(void **state) {
  fx *f = *state;
  static const uint8_t trail[] = {0, 0, 0, 0, 14, 0x02, 'x', 0x01, 0xee};
  expect_refused(f, trail, sizeof trail, EW_DECODE_MALFORMED,
                 "1 bytes left over");

  ew_decoder *small = NULL;
  assert_int_equal(ew_decoder_new(&small, f->sc, 8), 0);
  ew_decoder *keep = f->dec;
  f->dec = small;
  static const uint8_t nine[] = {0, 0, 0, 0, 14, 0x04, 'x', 'y', 0x01};
  expect_refused(f, nine, sizeof nine, EW_DECODE_TOO_LARGE,
                 "value of 9 bytes exceeds the limit of 8");
  ew_record rec;
  assert_int_equal(decode(f, nine, 8, EW_REC_COUNT, &rec), EW_DECODE_MALFORMED);
  f->dec = keep;
  ew_decoder_destroy(small);

  /* After all that, the decoder still decodes. */
  assert_int_equal(decode(f, nine, sizeof nine, EW_REC_CALENDAR_DAY, &rec),
                   EW_DECODE_OK);
  assert_string_equal(rec.u.calendar_day.date, "xy");
  assert_int_equal(rec.u.calendar_day.is_workday, 1);
  ew_arena_reset(&f->out);
}

static void test_bad_values(void **state) {
  fx *f = *state;
  ew_record rec;
  /* Empty required string. */
  static const uint8_t empty[] = {0, 0, 0, 0, 14, 0x00, 0x01};
  assert_int_equal(decode(f, empty, sizeof empty, EW_REC_COUNT, &rec),
                   EW_DECODE_BAD_VALUE);
  assert_string_equal(f->err, "field date: required but empty");
  /* Invalid UTF-8 and an embedded NUL. */
  static const uint8_t utf[] = {0, 0, 0, 0, 14, 0x04, 0xc0, 0xaf, 0x01};
  assert_int_equal(decode(f, utf, sizeof utf, EW_REC_COUNT, &rec),
                   EW_DECODE_BAD_VALUE);
  assert_string_equal(f->err, "field date: string is not valid UTF-8");
  static const uint8_t nul[] = {0, 0, 0, 0, 14, 0x04, 'a', 0, 0x01};
  assert_int_equal(decode(f, nul, sizeof nul, EW_REC_COUNT, &rec),
                   EW_DECODE_BAD_VALUE);
  assert_string_equal(f->err, "field date: string contains a NUL byte");
  /* A nested required string, reported with its path. */
  ew_officer off[2] = {{"O-1", NULL, 0}, {"", NULL, 0}};
  ew_record in;
  fill_record(&in, EW_REC_PENALTY, 5, FILL_SPARSE, &f->in);
  in.u.penalty.officers.v = off;
  in.u.penalty.officers.n = 2;
  const void *buf;
  size_t len;
  assert_int_equal(ew_encode(f->enc, &in, &buf, &len, f->err, sizeof f->err),
                   -1);
  assert_string_equal(f->err, "field officers[1].officer_id: required but "
                              "empty");
  ew_arena_reset(&f->in);
  ew_arena_reset(&f->out);
}

/* ---- schemas other than ours: old writers, missing required fields ---- */

typedef struct tmpdir {
  char path[64];
  char files[4][32];
  int n;
} tmpdir;

static void tmp_write(tmpdir *t, const char *name, const char *text) {
  char p[128];
  snprintf(p, sizeof p, "%s/%s", t->path, name);
  FILE *fp = fopen(p, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
  snprintf(t->files[t->n++], sizeof t->files[0], "%s", name);
}

static void tmp_close(tmpdir *t) {
  for (int i = 0; i < t->n; i++) {
    char p[128];
    snprintf(p, sizeof p, "%s/%s", t->path, t->files[i]);
    unlink(p);
  }
  rmdir(t->path);
}

static ew_schemas *load_tmp(tmpdir *t, const char *ids, const char *file,
                            const char *avsc) {
  memset(t, 0, sizeof *t);
  snprintf(t->path, sizeof t->path, "/tmp/ew_test_codec.XXXXXX");
  assert_non_null(mkdtemp(t->path));
  tmp_write(t, "ids.tsv", ids);
  tmp_write(t, file, avsc);
  ew_schemas *sc = NULL;
  char err[512];
  if (ew_schemas_load(&sc, t->path, err, sizeof err) != 0)
    fail_msg("%s", err);
  return sc;
}

#define CG_NULLABLE_USCC                                                       \
  "{\"type\": \"record\", \"name\": \"CreditGrade\", \"namespace\": "          \
  "\"enforcewatch\", \"fields\": ["                                            \
  "{\"name\": \"enterprise_uscc\", \"type\": [\"null\", \"string\"]},"         \
  "{\"name\": \"grade\", \"type\": {\"type\": \"enum\", \"name\": \"G\", "     \
  "\"symbols\": [\"D\", \"C\", \"B\", \"A\", \"AAA\"]}},"                      \
  "{\"name\": \"as_of\", \"type\": \"long\"}]}"

static void test_missing_required_field(void **state) {
  fx *f = *state;
  tmpdir t;
  ew_schemas *sc = load_tmp(&t, "113\tcg.avsc\n", "cg.avsc", CG_NULLABLE_USCC);
  tmp_close(&t);
  ew_schema_entry *e = ew_schemas_entry(sc, 113);
  assert_non_null(e);

  /* Write the null by hand with avro-c's generic API, as a foreign
   * producer whose schema allows it would. */
  avro_value_iface_t *iface = avro_generic_class_from_schema(e->schema);
  avro_value_t v, field, branch;
  assert_non_null(iface);
  assert_int_equal(avro_generic_value_new(iface, &v), 0);
  assert_int_equal(avro_value_get_by_index(&v, 0, &field, NULL), 0);
  assert_int_equal(avro_value_set_branch(&field, 0, &branch), 0);
  assert_int_equal(avro_value_set_null(&branch), 0);
  assert_int_equal(avro_value_get_by_index(&v, 1, &field, NULL), 0);
  assert_int_equal(avro_value_set_enum(&field, 3), 0); /* A */
  assert_int_equal(avro_value_get_by_index(&v, 2, &field, NULL), 0);
  assert_int_equal(avro_value_set_long(&field, 1), 0);
  uint8_t buf[64];
  size_t n = 0;
  assert_int_equal(avro_value_sizeof(&v, &n), 0);
  assert_true(n + 5 <= sizeof buf);
  avro_writer_t w = avro_writer_memory((char *)buf + 5, (int64_t)n);
  assert_int_equal(avro_value_write(w, &v), 0);
  avro_writer_free(w);
  avro_value_decref(&v);
  avro_value_iface_decref(iface);
  memcpy(buf, "\0\0\0\0\x71", 5); /* magic 0, id 113 */
  static const uint8_t want[] = {0, 0, 0, 0, 113, 0x00, 0x06, 0x02};
  assert_int_equal(n + 5, sizeof want);
  assert_memory_equal(buf, want, sizeof want);

  ew_decoder *dec = NULL;
  ew_encoder *enc = NULL;
  assert_int_equal(ew_decoder_new(&dec, sc, 0), 0);
  assert_int_equal(ew_encoder_new(&enc, sc), 0);
  ew_record rec;
  assert_int_equal(ew_decode(dec, buf, n + 5, EW_REC_CREDIT_GRADE, &rec,
                             &f->out, f->err, sizeof f->err),
                   EW_DECODE_MISSING_FIELD);
  assert_string_equal(f->err, "field enterprise_uscc: required but null");
  assert_string_equal(ew_decode_error_code(EW_DECODE_MISSING_FIELD),
                      "MISSING_FIELD");

  /* The encoder refuses to write that null itself... */
  ew_record in;
  memset(&in, 0, sizeof in);
  in.kind = EW_REC_CREDIT_GRADE;
  ew_rtype_init(ew_rtype_of(EW_REC_CREDIT_GRADE), &in.u);
  in.u.credit_grade.grade = EW_GRADE_A;
  in.u.credit_grade.as_of = 1;
  const void *out;
  size_t len;
  assert_int_equal(ew_encode(enc, &in, &out, &len, f->err, sizeof f->err), -1);
  assert_string_equal(f->err, "field enterprise_uscc: required but absent");
  /* ...and with a value, maps grade through the writer's symbol order. */
  in.u.credit_grade.enterprise_uscc = "x";
  assert_int_equal(ew_encode(enc, &in, &out, &len, f->err, sizeof f->err), 0);
  assert_int_equal(len, 10);
  assert_int_equal(((const uint8_t *)out)[8], 0x06); /* A is symbol 3 */
  assert_int_equal(ew_decode(dec, out, len, EW_REC_CREDIT_GRADE, &rec, &f->out,
                             f->err, sizeof f->err),
                   EW_DECODE_OK);
  assert_int_equal(rec.u.credit_grade.grade, EW_GRADE_A);

  /* A writer symbol this build does not know is bad input. */
  static const uint8_t aaa[] = {0, 0, 0, 0, 113, 0x02, 0x02, 'x', 0x08, 0x02};
  assert_int_equal(ew_decode(dec, aaa, sizeof aaa, EW_REC_COUNT, &rec, &f->out,
                             f->err, sizeof f->err),
                   EW_DECODE_BAD_VALUE);
  assert_string_equal(f->err,
                      "field grade: unknown CreditRiskGrade symbol AAA");

  ew_decoder_destroy(dec);
  ew_encoder_destroy(enc);
  ew_schemas_destroy(sc);
  ew_arena_reset(&f->out);
}

static void test_old_writer_gets_defaults(void **state) {
  fx *f = *state;
  tmpdir t;
  /* An agency writer from before parent_agency_uscc and
   * has_inspection_power existed. */
  ew_schemas *sc =
      load_tmp(&t, "105\tag.avsc\n", "ag.avsc",
               "{\"type\": \"record\", \"name\": \"Agency\", \"namespace\": "
               "\"enforcewatch\", \"fields\": ["
               "{\"name\": \"agency_uscc\", \"type\": \"string\"},"
               "{\"name\": \"name\", \"type\": \"string\"},"
               "{\"name\": \"region_code\", \"type\": \"string\"},"
               "{\"name\": \"level\", \"type\": {\"type\": \"enum\", \"name\": "
               "\"AgencyLevel\", \"symbols\": [\"PREFECTURE\", \"COUNTY\", "
               "\"TOWNSHIP\"]}},"
               "{\"name\": \"justice_bureau_uscc\", \"type\": \"string\"}]}");
  tmp_close(&t);
  ew_encoder *enc = NULL;
  ew_decoder *dec = NULL;
  assert_int_equal(ew_encoder_new(&enc, sc), 0);
  assert_int_equal(ew_decoder_new(&dec, sc, 0), 0);
  ew_record in, out;
  fill_record(&in, EW_REC_AGENCY, 7, FILL_FULL, &f->in);
  in.u.agency.has_inspection_power = 0;
  const void *buf;
  size_t len;
  assert_int_equal(ew_encode(enc, &in, &buf, &len, f->err, sizeof f->err), 0);
  assert_int_equal(((const uint8_t *)buf)[4], 105);
  assert_int_equal(ew_decode(dec, buf, len, EW_REC_AGENCY, &out, &f->out,
                             f->err, sizeof f->err),
                   EW_DECODE_OK);
  assert_string_equal(out.u.agency.name, in.u.agency.name);
  assert_int_equal(out.u.agency.level, in.u.agency.level);
  assert_null(out.u.agency.parent_agency_uscc);
  assert_int_equal(out.u.agency.has_inspection_power, 1); /* = true */
  ew_encoder_destroy(enc);
  ew_decoder_destroy(dec);
  ew_schemas_destroy(sc);
  ew_arena_reset(&f->in);
  ew_arena_reset(&f->out);
}

/* ---- encoder errors ---- */

static void test_encode_errors(void **state) {
  fx *f = *state;
  const void *buf;
  size_t len;
  ew_record in;

  fill_record(&in, EW_REC_INSPECTION, 1, FILL_FULL, &f->in);
  in.u.inspection.enterprise_uscc = NULL;
  assert_int_equal(ew_encode(f->enc, &in, &buf, &len, f->err, sizeof f->err),
                   -1);
  assert_string_equal(f->err, "field enterprise_uscc: required but absent");

  fill_record(&in, EW_REC_INSPECTION, 1, FILL_FULL, &f->in);
  in.u.inspection.event_time = EW_NONE;
  assert_int_equal(ew_encode(f->enc, &in, &buf, &len, f->err, sizeof f->err),
                   -1);
  assert_string_equal(f->err, "field event_time: required but absent");

  fill_record(&in, EW_REC_INSPECTION, 1, FILL_FULL, &f->in);
  in.u.inspection.status = 17;
  assert_int_equal(ew_encode(f->enc, &in, &buf, &len, f->err, sizeof f->err),
                   -1);
  assert_string_equal(f->err,
                      "field status: InspectionStatus value 17 is out of "
                      "range");

  fill_record(&in, EW_REC_PLAN, 1, FILL_FULL, &f->in);
  in.u.plan.items.v[1].window_end = EW_NONE;
  assert_int_equal(ew_encode(f->enc, &in, &buf, &len, f->err, sizeof f->err),
                   -1);
  assert_string_equal(f->err, "field items[1].window_end: required but absent");

  fill_record(&in, EW_REC_ALERT, 1, FILL_FULL, &f->in);
  in.u.alert.evidence_event_ids.v[2] = NULL;
  assert_int_equal(ew_encode(f->enc, &in, &buf, &len, f->err, sizeof f->err),
                   -1);
  assert_string_equal(f->err, "field evidence_event_ids[2]: NULL string");

  /* A DFLT field left absent is written as its default. */
  fill_record(&in, EW_REC_LENIENCY_ITEM, 1, FILL_FULL, &f->in);
  in.u.leniency_item.lookback_days = EW_NONE;
  in.u.leniency_item.must_correct = EW_BOOL_NONE;
  assert_int_equal(ew_encode(f->enc, &in, &buf, &len, f->err, sizeof f->err),
                   0);
  ew_record out;
  assert_int_equal(decode(f, buf, len, EW_REC_LENIENCY_ITEM, &out),
                   EW_DECODE_OK);
  assert_int_equal(out.u.leniency_item.lookback_days, 730);
  assert_int_equal(out.u.leniency_item.must_correct, 1);

  in.kind = EW_REC_COUNT;
  assert_int_equal(ew_encode(f->enc, &in, &buf, &len, f->err, sizeof f->err),
                   -1);
  assert_non_null(strstr(f->err, "no schema"));
  ew_encoder_destroy(NULL);
  ew_decoder_destroy(NULL);
  ew_arena_reset(&f->in);
  ew_arena_reset(&f->out);
}

static void test_large_values_grow_the_buffer(void **state) {
  fx *f = *state;
  ew_record in, out;
  fill_record(&in, EW_REC_ALERT, 4, FILL_FULL, &f->in);
  size_t n = 20000;
  ew_fact *facts = ew_arena_calloc(&f->in, n, sizeof *facts);
  for (size_t i = 0; i < n; i++) {
    facts[i].key = ew_arena_printf(&f->in, "officer.O%zu", i);
    facts[i].value = "cert_not_found";
  }
  in.u.alert.facts.v = facts;
  in.u.alert.facts.n = n;
  const void *buf;
  size_t len;
  assert_int_equal(ew_encode(f->enc, &in, &buf, &len, f->err, sizeof f->err),
                   0);
  assert_true(len > 4096);
  assert_int_equal(decode(f, buf, len, EW_REC_ALERT, &out), EW_DECODE_OK);
  record_equal(&in, &out);
  ew_arena_reset(&f->in);
  ew_arena_reset(&f->out);
}

/* ---- the pre-validator on schemas ours do not use ---- */

static void test_prevalidate_zero_size_items_and_depth(void **state) {
  (void)state;
  char err[256];
  avro_schema_t nulls;
  static const char nulls_json[] = "{\"type\": \"array\", \"items\": \"null\"}";
  assert_int_equal(avro_schema_from_json_literal(nulls_json, &nulls), 0);
  /* 3 nulls, then the end: fine. */
  static const uint8_t three[] = {0x06, 0x00};
  assert_int_equal(
      ew_avro_prevalidate(nulls, three, sizeof three, err, sizeof err), 0);
  /* 2^31-1 nulls cost 5 bytes: capped. */
  static const uint8_t many[] = {0xfe, 0xff, 0xff, 0xff, 0x0f, 0x00};
  assert_int_equal(
      ew_avro_prevalidate(nulls, many, sizeof many, err, sizeof err), -1);
  assert_non_null(strstr(err, "zero-size items"));
  /* The cap holds across blocks too. */
  uint8_t blocks[64];
  size_t nb = 0;
  for (int i = 0; i < 20; i++) { /* 20 blocks of 4000 */
    blocks[nb++] = 0xc0;
    blocks[nb++] = 0x3e;
  }
  blocks[nb++] = 0;
  assert_int_equal(ew_avro_prevalidate(nulls, blocks, nb, err, sizeof err), -1);
  assert_non_null(strstr(err, "zero-size items"));
  avro_schema_decref(nulls);

  /* A recursive schema walked by data that nests forever. */
  avro_schema_t list;
  static const char list_json[] =
      "{\"type\": \"record\", \"name\": \"L\", \"fields\": [{\"name\": "
      "\"next\", \"type\": [\"null\", \"L\"]}]}";
  assert_int_equal(avro_schema_from_json_literal(list_json, &list), 0);
  uint8_t deep[100];
  memset(deep, 0x02, sizeof deep);
  deep[sizeof deep - 1] = 0x00;
  assert_int_equal(
      ew_avro_prevalidate(list, deep, sizeof deep, err, sizeof err), -1);
  assert_non_null(strstr(err, "nested deeper"));
  assert_int_equal(ew_avro_prevalidate(list, deep + 90, 10, err, sizeof err),
                   0);
  avro_schema_decref(list);

  /* Maps, fixed, float, double, bytes and int. */
  avro_schema_t misc;
  static const char misc_json[] =
      "{\"type\": \"record\", \"name\": \"M\", \"fields\": ["
      "{\"name\": \"m\", \"type\": {\"type\": \"map\", \"values\": \"int\"}},"
      "{\"name\": \"x\", \"type\": {\"type\": \"fixed\", \"name\": \"F\", "
      "\"size\": 3}},"
      "{\"name\": \"f\", \"type\": \"float\"},"
      "{\"name\": \"d\", \"type\": \"double\"},"
      "{\"name\": \"b\", \"type\": \"bytes\"}]}";
  assert_int_equal(avro_schema_from_json_literal(misc_json, &misc), 0);
  static const uint8_t ok[] = {0x02, 0x02, 'k', 0x04, 0x00,          /* m */
                               1,    2,    3,                        /* x */
                               0,    0,    0,   0,                   /* f */
                               0,    0,    0,   0,    0,    0, 0, 0, /* d */
                               0x02, 0xff};                          /* b */
  assert_int_equal(ew_avro_prevalidate(misc, ok, sizeof ok, err, sizeof err),
                   0);
  assert_int_equal(
      ew_avro_prevalidate(misc, ok, sizeof ok - 1, err, sizeof err), -1);
  uint8_t bigint[sizeof ok + 5];
  static const uint8_t m_big[] = {0x02, 0x02, 'k',  0xfe, 0xff,
                                  0xff, 0xff, 0x1f, 0x00};
  memcpy(bigint, m_big, sizeof m_big);
  memcpy(bigint + sizeof m_big, ok + 5, sizeof ok - 5);
  assert_int_equal(ew_avro_prevalidate(misc, bigint,
                                       sizeof m_big + sizeof ok - 5, err,
                                       sizeof err),
                   -1);
  assert_non_null(strstr(err, "exceeds 32 bits"));
  avro_schema_decref(misc);
}

int main(void) {
  /* Before any avro-c call, so every block goes through the counter. */
  avro_set_allocator(counting_alloc, NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip_full),
      cmocka_unit_test(test_round_trip_sparse),
      cmocka_unit_test(test_round_trip_mixed),
      cmocka_unit_test(test_round_trip_repeated_reuses_values),
      cmocka_unit_test(test_round_trip_concrete_inspection),
      cmocka_unit_test(test_golden_bytes),
      cmocka_unit_test(test_hostile_frames),
      cmocka_unit_test(test_hostile_kind_mismatch),
      cmocka_unit_test(test_hostile_huge_string_does_not_allocate),
      cmocka_unit_test(test_hostile_truncated_string),
      cmocka_unit_test(test_hostile_huge_array_count),
      cmocka_unit_test(test_hostile_union_and_enum_index),
      cmocka_unit_test(test_hostile_trailing_and_size_cap),
      cmocka_unit_test(test_bad_values),
      cmocka_unit_test(test_missing_required_field),
      cmocka_unit_test(test_old_writer_gets_defaults),
      cmocka_unit_test(test_encode_errors),
      cmocka_unit_test(test_large_values_grow_the_buffer),
      cmocka_unit_test(test_prevalidate_zero_size_items_and_depth),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
