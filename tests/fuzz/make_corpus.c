/*
 * make_corpus.c - the valid part of the Avro seed corpus, written by our
 * own encoder (the one `enforcewatch send` uses), so the seeds are real
 * Confluent-framed values the daemon would consume.
 *
 *   fuzz_make_corpus OUTDIR FILE.jsonl...
 *
 * For every record kind found in the files it writes the first record and
 * the longest one (by encoded size) as OUTDIR/<kind>-first.avro and
 * OUTDIR/<kind>-longest.avro. Bad lines and tombstones are skipped; they
 * are the JSON Lines corpus's business. tests/fuzz/gen-corpus.sh runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "consumers/jsonl_reader.h"
#include "producers/avro_encode.h"
#include "record.h"
#include "schemas/schema_registry.h"

typedef struct pick {
  unsigned char *first, *longest;
  size_t first_len, longest_len;
} pick;

static unsigned char *dup_bytes(const void *p, size_t n) {
  unsigned char *d = malloc(n);
  if (d)
    memcpy(d, p, n);
  return d;
}

static int write_file(const char *dir, const char *kind, const char *which,
                      const unsigned char *p, size_t n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s-%s.avro", dir, kind, which);
  FILE *fp = fopen(path, "wb");
  if (!fp || fwrite(p, 1, n, fp) != n || fclose(fp) != 0) {
    perror(path);
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  char err[512];
  ew_schemas *sc = NULL;
  ew_encoder *enc = NULL;
  ew_arena a = EW_ARENA_INIT;
  pick picks[EW_REC_COUNT];
  int rc = 1;

  memset(picks, 0, sizeof picks);
  if (argc < 3) {
    fprintf(stderr, "usage: fuzz_make_corpus OUTDIR FILE.jsonl...\n");
    return 2;
  }
  if (ew_schemas_load(&sc, ew_schemas_default_dir(), err, sizeof err) != 0) {
    fprintf(stderr, "schemas: %s\n", err);
    return 1;
  }
  if (ew_encoder_new(&enc, sc) != 0)
    goto out;
  for (int i = 2; i < argc; i++) {
    FILE *fp = fopen(argv[i], "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    if (!fp) {
      perror(argv[i]);
      goto out;
    }
    while ((n = getline(&line, &cap, fp)) >= 0) {
      size_t len = (size_t)n;
      ew_record rec;
      int tomb;
      const void *buf;
      size_t blen;
      while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
      ew_arena_reset(&a);
      if (ew_jsonl_parse(line, len, &rec, &tomb, &a, err, sizeof err) != 0 ||
          tomb || ew_encode(enc, &rec, &buf, &blen, err, sizeof err) != 0)
        continue;
      pick *p = &picks[rec.kind];
      if (!p->first) {
        p->first = dup_bytes(buf, blen);
        p->first_len = blen;
      }
      if (blen > p->longest_len) {
        free(p->longest);
        p->longest = dup_bytes(buf, blen);
        p->longest_len = blen;
      }
    }
    free(line);
    fclose(fp);
  }
  for (int k = 0; k < EW_REC_COUNT; k++) {
    const char *name = ew_rkind_name((ew_rkind)k);
    if (!picks[k].first || !picks[k].longest)
      continue;
    if (write_file(argv[1], name, "first", picks[k].first,
                   picks[k].first_len) != 0)
      goto out;
    if (picks[k].longest_len != picks[k].first_len &&
        write_file(argv[1], name, "longest", picks[k].longest,
                   picks[k].longest_len) != 0)
      goto out;
  }
  rc = 0;
out:
  for (int k = 0; k < EW_REC_COUNT; k++) {
    free(picks[k].first);
    free(picks[k].longest);
  }
  ew_arena_free(&a);
  ew_encoder_destroy(enc);
  ew_schemas_destroy(sc);
  return rc;
}
