/*
 * fuzz_avro_decode.c - libFuzzer target: one Kafka value through the decode
 * path of enforcewatchd (issue #6, contract §6, style-and-idioms §B4).
 *
 * The input is a whole Kafka value: Confluent frame, then the Avro body.
 * It goes through ew_decode exactly as daemon.c hands it a consumed value,
 * with the real schemas/ (EW_SCHEMAS_DIR, else the path compiled in) and
 * the daemon's default size cap, so the frame checks, the pre-validator,
 * avro-c and the field walk are all under the fuzzer. Crashes, UB, leaks
 * (libFuzzer's per-input leak check) and huge allocations (-malloc_limit_mb,
 * see run-fuzz.sh) are findings.
 *
 * A value that decodes must also survive what the daemon does with it next:
 * re-encoded (alerts are encoded with the same codec) it decodes to the
 * same record, and its JSON Lines form (`enforcewatch tail`, `check`) reads
 * back. The comparison is of JSON Lines text, which names every field.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "consumers/avro_decode.h"
#include "consumers/jsonl_reader.h"
#include "producers/avro_encode.h"
#include "producers/jsonl_writer.h"
#include "record.h"
#include "schemas/schema_registry.h"

/* daemon/config.c's default max_message_bytes. */
#define MAX_MESSAGE_BYTES 1000000

static ew_schemas *g_sc;
static ew_decoder *g_dec;
static ew_encoder *g_enc;
static ew_arena g_a, g_b;

/* Aborts with a message, which libFuzzer reports as a crash with this input
 * saved. */
static void die(const char *what, const char *detail) {
  fprintf(stderr, "fuzz_avro_decode: %s: %s\n", what, detail ? detail : "");
  abort();
}

/* Everything freed at exit, before LeakSanitizer looks: avro-c keeps the
 * hash table of a map value behind a pointer at an unaligned address, which
 * LSan does not scan by default, so a live schema would be reported as a
 * leak. */
static void cleanup(void) {
  ew_decoder_destroy(g_dec);
  ew_encoder_destroy(g_enc);
  ew_schemas_destroy(g_sc);
  ew_arena_free(&g_a);
  ew_arena_free(&g_b);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  char err[512];
  (void)argc;
  (void)argv;
  if (ew_schemas_load(&g_sc, ew_schemas_default_dir(), err, sizeof err) != 0)
    die("schemas", err);
  if (ew_decoder_new(&g_dec, g_sc, MAX_MESSAGE_BYTES) != 0 ||
      ew_encoder_new(&g_enc, g_sc) != 0)
    die("setup", "out of memory");
  atexit(cleanup);
  return 0;
}

static void check_errstr(const char *err) {
  if (!err[0])
    die("refused without a reason", NULL);
  if (strchr(err, '\n'))
    die("reason is not one line", err);
}

/* A decoded record: encode, decode, and read back its JSON Lines form. */
static void round_trip(const ew_record *rec) {
  char err[512];
  const void *buf;
  size_t len;
  ew_record again, back;
  int tomb;

  char *text = ew_jsonl_format(rec, EW_JSON_TAG_TYPE);
  if (!text)
    die("jsonl format", "out of memory");
  if (ew_encode(g_enc, rec, &buf, &len, err, sizeof err) != 0)
    die("a decoded record does not encode", err);
  ew_arena_reset(&g_b);
  ew_decode_error rc =
      ew_decode(g_dec, buf, len, rec->kind, &again, &g_b, err, sizeof err);
  if (rc != EW_DECODE_OK)
    die("a re-encoded record does not decode", err);
  char *text2 = ew_jsonl_format(&again, EW_JSON_TAG_TYPE);
  if (!text2 || strcmp(text, text2) != 0)
    die("re-encoded record differs", text2);
  free(text2);

  ew_arena_reset(&g_b);
  if (ew_jsonl_parse(text, strlen(text), &back, &tomb, &g_b, err, sizeof err) !=
      0)
    die("the JSON Lines form of a decoded record does not read back", err);
  text2 = ew_jsonl_format(&back, EW_JSON_TAG_TYPE);
  if (!text2 || strcmp(text, text2) != 0)
    die("JSON Lines form differs after reading back", text2);
  free(text2);
  free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  ew_record rec;

  err[0] = '\0';
  ew_arena_reset(&g_a);
  /* EW_REC_COUNT: any kind, so every schema is reachable; the daemon passes
   * its topic's kind, which only adds the WRONG_TYPE refusal in front. */
  ew_decode_error rc =
      ew_decode(g_dec, data, size, EW_REC_COUNT, &rec, &g_a, err, sizeof err);
  if (rc != EW_DECODE_OK) {
    check_errstr(err);
    if (strcmp(ew_decode_error_code(rc), "UNKNOWN") == 0)
      die("error without a code", err);
    return 0;
  }
  round_trip(&rec);
  return 0;
}
