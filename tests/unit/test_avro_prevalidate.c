/*
 * test_avro_prevalidate.c - the pre-validator's caps found while fuzzing the
 * decode path (tests/fuzz, issue #6), through ew_avro_prevalidate and
 * through ew_decode with the real schemas.
 *
 * - Items: decoding costs ~150 bytes of heap per array item or map entry,
 *   so a 1 MB value of empty strings took 145 MB; EW_AVRO_MAX_ITEMS caps
 *   them per value, across blocks and nestings.
 * - Map keys with a NUL byte: avro-c keeps keys as C strings and would
 *   silently shorten "a\0b" to "a".
 * - A value over the size cap is refused as TOO_LARGE before a byte of it
 *   is looked at, whatever it holds (contract §6: it goes to the dead-letter
 *   topic without decoding).
 * avro-c's allocator is wrapped, as in test_avro_codec.c, to show that the
 * refused values cost avro-c nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "consumers/avro_decode.h"
#include "consumers/avro_prevalidate.h"
#include "consumers/jsonl_reader.h"
#include "producers/avro_encode.h"
#include "record.h"
#include "schemas/schema_registry.h"

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

typedef struct fx {
  ew_schemas *sc;
  ew_decoder *dec;
  ew_encoder *enc;
  ew_arena a;
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
  if (ew_decoder_new(&f->dec, f->sc, 1000000) != 0 ||
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
  ew_arena_free(&f->a);
  free(f);
  return 0;
}

/* Appends Avro's zigzag varint of v. */
static size_t put_long(uint8_t *p, int64_t v) {
  uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
  size_t n = 0;
  while (u >= 0x80) {
    p[n++] = (uint8_t)((u & 0x7f) | 0x80);
    u >>= 7;
  }
  p[n++] = (uint8_t)u;
  return n;
}

/* A notice (schema id 16) whose cc_usccs holds `n` strings "a", in blocks
 * of at most `block` items. */
static size_t notice_with_cc(uint8_t *buf, size_t n, size_t block) {
  static const uint8_t head[] = {0,    0,   0,    0,  16, /* frame */
                                 0x02, 'n', 0x00,         /* id, type */
                                 0x02, 'i', 0x02, 'r'};   /* issuer, rec. */
  static const uint8_t tail[] = {0x00, 0x02, 'f',  0x00,  /* ..., findings */
                                 0x00, 0x02, 0x00, 0x04};
  size_t len = sizeof head;
  memcpy(buf, head, sizeof head);
  for (size_t done = 0; done < n;) {
    size_t k = n - done < block ? n - done : block;
    len += put_long(buf + len, (int64_t)k);
    for (size_t i = 0; i < k; i++) {
      buf[len++] = 0x02;
      buf[len++] = 'a';
    }
    done += k;
  }
  buf[len++] = 0x00;
  memcpy(buf + len, tail, sizeof tail);
  return len + sizeof tail;
}

static ew_decode_error decode(fx *f, const void *buf, size_t len,
                              ew_record *rec) {
  f->err[0] = '\0';
  ew_arena_reset(&f->a);
  return ew_decode(f->dec, buf, len, EW_REC_COUNT, rec, &f->a, f->err,
                   sizeof f->err);
}

static void test_items_capped_per_value(void **state) {
  fx *f = *state;
  ew_record rec;
  size_t cap = EW_AVRO_MAX_ITEMS;
  uint8_t *buf = malloc(2 * (cap + 1) + 64 + 5 * (cap + 1));
  assert_non_null(buf);

  /* Exactly the cap, in one block and in blocks of 1000: decoded. */
  size_t len = notice_with_cc(buf, cap, cap);
  assert_int_equal(decode(f, buf, len, &rec), EW_DECODE_OK);
  assert_int_equal(rec.u.notice.cc_usccs.n, cap);
  len = notice_with_cc(buf, cap, 1000);
  assert_int_equal(decode(f, buf, len, &rec), EW_DECODE_OK);
  assert_int_equal(rec.u.notice.cc_usccs.n, cap);

  /* One more, in one block or spread over blocks: refused before avro-c
   * allocates anything. */
  long live = g_live;
  g_max_req = 0;
  len = notice_with_cc(buf, cap + 1, cap + 1);
  assert_int_equal(decode(f, buf, len, &rec), EW_DECODE_MALFORMED);
  assert_non_null(strstr(f->err, "over the cap of 65536"));
  len = notice_with_cc(buf, cap + 1, 1000);
  assert_int_equal(decode(f, buf, len, &rec), EW_DECODE_MALFORMED);
  assert_non_null(strstr(f->err, "over the cap of 65536"));
  assert_int_equal(g_live, live);
  assert_true(g_max_req < 1024);
  free(buf);

  /* The cap counts every array of the value together, nested ones too. */
  char err[256];
  avro_schema_t nested;
  static const char nested_json[] =
      "{\"type\": \"array\", \"items\": {\"type\": \"array\", \"items\": "
      "\"boolean\"}}";
  assert_int_equal(avro_schema_from_json_literal(nested_json, &nested), 0);
  /* 2 outer items of 40000 booleans each: 80002 items. */
  size_t n = 0;
  uint8_t *nb = malloc(100000);
  assert_non_null(nb);
  n += put_long(nb + n, 2);
  for (int o = 0; o < 2; o++) {
    n += put_long(nb + n, 40000);
    memset(nb + n, 0, 40000);
    n += 40000;
    nb[n++] = 0;
  }
  nb[n++] = 0;
  assert_int_equal(ew_avro_prevalidate(nested, nb, n, err, sizeof err), -1);
  assert_non_null(strstr(err, "over the cap"));
  /* 2 of 30000: 60002 items, fine. */
  n = 0;
  n += put_long(nb + n, 2);
  for (int o = 0; o < 2; o++) {
    n += put_long(nb + n, 30000);
    memset(nb + n, 1, 30000);
    n += 30000;
    nb[n++] = 0;
  }
  nb[n++] = 0;
  assert_int_equal(ew_avro_prevalidate(nested, nb, n, err, sizeof err), 0);
  free(nb);
  avro_schema_decref(nested);
}

/* An alert (schema id 15) with facts {"ab": "1"}, encoded by our encoder;
 * *key_at is the offset of the key's first byte. */
static size_t alert_with_fact(fx *f, uint8_t *out, size_t *key_at) {
  static const char line[] =
      "{\"kind\":\"alert\",\"alert_id\":\"EW-R01-1\",\"rule_id\":\"R01\","
      "\"severity\":\"MEDIUM\",\"status\":\"OPEN\",\"detected_at\":0,"
      "\"agency_uscc\":\"11622922012197525N\",\"subject_type\":\"AGENCY\","
      "\"subject_id\":\"x/2025\",\"facts\":{\"ab\":\"1\"},"
      "\"legal_basis\":\"b\",\"message\":\"m\"}";
  ew_record rec;
  int tomb;
  const void *buf;
  size_t len;
  ew_arena a = EW_ARENA_INIT;
  assert_int_equal(ew_jsonl_parse(line, strlen(line), &rec, &tomb, &a, f->err,
                                  sizeof f->err),
                   0);
  assert_int_equal(ew_encode(f->enc, &rec, &buf, &len, f->err, sizeof f->err),
                   0);
  memcpy(out, buf, len);
  ew_arena_free(&a);
  /* The map block: count 1 (0x02), key length 2 (0x04), "ab". */
  for (size_t i = 5; i + 3 < len; i++)
    if (out[i] == 0x02 && out[i + 1] == 0x04 && out[i + 2] == 'a' &&
        out[i + 3] == 'b') {
      *key_at = i + 2;
      return len;
    }
  fail_msg("no facts map in the encoded alert");
  return 0;
}

static void test_map_key_with_nul_refused(void **state) {
  fx *f = *state;
  uint8_t buf[1024];
  size_t key_at = 0;
  ew_record rec;
  size_t len = alert_with_fact(f, buf, &key_at);
  assert_int_equal(decode(f, buf, len, &rec), EW_DECODE_OK);
  assert_int_equal(rec.u.alert.facts.n, 1);
  assert_string_equal(rec.u.alert.facts.v[0].key, "ab");

  /* "a\0": avro-c would have handed on the key "a". */
  buf[key_at + 1] = '\0';
  long live = g_live;
  assert_int_equal(decode(f, buf, len, &rec), EW_DECODE_MALFORMED);
  assert_non_null(strstr(f->err, "map key contains a NUL byte"));
  assert_int_equal(g_live, live);
  buf[key_at] = '\0';
  buf[key_at + 1] = 'b';
  assert_int_equal(decode(f, buf, len, &rec), EW_DECODE_MALFORMED);
  assert_non_null(strstr(f->err, "map key contains a NUL byte"));
}

static void test_too_large_before_anything_else(void **state) {
  fx *f = *state;
  ew_record rec;
  ew_decoder *small = NULL;
  assert_int_equal(ew_decoder_new(&small, f->sc, 16), 0);
  /* 17 bytes each: a bad magic byte, an unknown schema id, and a body
   * declaring a 2 GiB string. Size comes first: all three are TOO_LARGE. */
  static const uint8_t magic[17] = {7};
  static const uint8_t unknown[17] = {0, 0, 0, 0, 99};
  static const uint8_t huge[17] = {0,    0,    0,    0,    14, 0xfe,
                                   0xff, 0xff, 0xff, 0x0f, 'x'};
  const uint8_t *vals[] = {magic, unknown, huge};
  for (size_t i = 0; i < 3; i++) {
    long live = g_live;
    g_max_req = 0;
    f->err[0] = '\0';
    assert_int_equal(ew_decode(small, vals[i], 17, EW_REC_COUNT, &rec, &f->a,
                               f->err, sizeof f->err),
                     EW_DECODE_TOO_LARGE);
    assert_non_null(strstr(f->err, "17 bytes exceeds the limit of 16"));
    assert_int_equal(g_live, live);
    assert_int_equal(g_max_req, 0);
  }
  ew_decoder_destroy(small);
}

int main(void) {
  avro_set_allocator(counting_alloc, NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_items_capped_per_value),
      cmocka_unit_test(test_map_key_with_nul_refused),
      cmocka_unit_test(test_too_large_before_anything_else),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
