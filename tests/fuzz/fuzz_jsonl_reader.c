/*
 * fuzz_jsonl_reader.c - libFuzzer target: a JSON Lines file through
 * consumers/jsonl_reader.c, line by line as `enforcewatch check` and
 * `send` read it (daemon/cli.c ew_cli_each_line).
 *
 * The input is split at "\n" with a trailing "\r" removed; each line is
 * copied into a buffer of exactly its length (no terminating NUL), so a
 * read past the line is an ASan finding rather than a lucky NUL.
 *
 * A line that parses must also survive what the tools do next: its JSON
 * Lines form (ew_jsonl_format) reads back to the same text, and `send`'s
 * Avro encoding decodes (through the daemon's decoder) to the same record.
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

static ew_schemas *g_sc;
static ew_decoder *g_dec;
static ew_encoder *g_enc;
static ew_arena g_a, g_b;

static void die(const char *what, const char *detail) {
  fprintf(stderr, "fuzz_jsonl_reader: %s: %s\n", what, detail ? detail : "");
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
  if (ew_decoder_new(&g_dec, g_sc, 0) != 0 || ew_encoder_new(&g_enc, g_sc) != 0)
    die("setup", "out of memory");
  atexit(cleanup);
  return 0;
}

static void round_trip(const ew_record *rec) {
  char err[512];
  ew_record back;
  int tomb = 0;
  const void *buf;
  size_t len;

  char *text = ew_jsonl_format(rec, EW_JSON_TAG_TYPE);
  if (!text)
    die("jsonl format", "out of memory");
  ew_arena_reset(&g_b);
  if (ew_jsonl_parse(text, strlen(text), &back, &tomb, &g_b, err, sizeof err) !=
          0 ||
      tomb)
    die("the written form does not read back", err);
  char *text2 = ew_jsonl_format(&back, EW_JSON_TAG_TYPE);
  if (!text2 || strcmp(text, text2) != 0)
    die("the written form differs after reading back", text2);
  free(text2);

  if (ew_encode(g_enc, rec, &buf, &len, err, sizeof err) != 0)
    die("a parsed record does not encode", err);
  ew_arena_reset(&g_b);
  ew_decode_error rc =
      ew_decode(g_dec, buf, len, rec->kind, &back, &g_b, err, sizeof err);
  if (rc != EW_DECODE_OK)
    die("an encoded record does not decode", err);
  text2 = ew_jsonl_format(&back, EW_JSON_TAG_TYPE);
  if (!text2 || strcmp(text, text2) != 0)
    die("the record differs after Avro encode and decode", text2);
  free(text2);
  free(text);
}

static void one_line(const char *line, size_t len) {
  char err[512];
  ew_record rec;
  int tomb = -1;

  ew_arena_reset(&g_a);
  int rc = ew_jsonl_parse(line, len, &rec, &tomb, &g_a, err, sizeof err);
  if (rc < 0) {
    if (!err[0])
      die("refused without a reason", NULL);
    for (const char *p = err; *p; p++)
      if ((unsigned char)*p < 0x20)
        die("reason is not one line", err);
    return;
  }
  if (rc == 1 || tomb)
    return;
  round_trip(&rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t start = 0;
  while (start < size) {
    const uint8_t *nl = memchr(data + start, '\n', size - start);
    size_t end = nl ? (size_t)(nl - data) : size;
    size_t len = end - start;
    if (len > 0 && data[start + len - 1] == '\r')
      len--;
    char *line = malloc(len ? len : 1);
    if (!line)
      die("line", "out of memory");
    memcpy(line, data + start, len);
    one_line(line, len);
    free(line);
    start = end + 1;
  }
  return 0;
}
