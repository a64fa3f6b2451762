/*
 * json_scan.h - one JSON text into a flat token tape, accepting exactly
 * what jansson 2.14 json_loadb(JSON_REJECT_DUPLICATES) accepts.
 *
 * jsonl_reader used to build a jansson tree per line and walk it; the tree
 * (a hash table per object, a malloc per value) cost eight times the rest of
 * the reader. This scanner validates the text in one pass the way jansson's
 * lexer and parser do - same UTF-8 checks, escapes, surrogate pairs, \u0000
 * rule, integer and real overflow, depth limit, duplicate keys, and the same
 * first error text and column - and records the values in a tape the reader
 * walks through the record descriptors. Matching jansson byte for byte keeps
 * the accepted language and every message of the JSON Lines reader as they
 * were (tests/unit/test_jsonl.c; a differential fuzz against jansson found
 * the quirks reproduced in json_scan.c).
 */
#ifndef EW_JSON_SCAN_H
#define EW_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "../daemon/arena.h"

typedef enum ew_jtype {
  EW_JT_OBJECT,
  EW_JT_ARRAY,
  EW_JT_STRING,
  EW_JT_INTEGER,
  EW_JT_REAL,
  EW_JT_TRUE,
  EW_JT_FALSE,
  EW_JT_NULL
} ew_jtype;

/* One value of the tape. An object is followed by its members (a key
 * string, then the value and its subtree), an array by its elements. */
typedef struct ew_jtok {
  uint8_t type;  /* ew_jtype */
  uint8_t owned; /* STRING: s is NUL-terminated, in the arena */
  uint32_t hash; /* STRING used as a key: ew_json_key_hash(s, n) */
  size_t n;      /* STRING: bytes; OBJECT: members; ARRAY: elements */
  size_t next;   /* OBJECT, ARRAY: index of the token after the subtree;
                    a key: the previous key of its object, or SIZE_MAX */
  union {
    const char *s; /* STRING: the line's bytes (no escapes) or decoded */
    int64_t i;     /* INTEGER */
  } u;
} ew_jtok;

typedef struct ew_json_tape {
  ew_jtok *tok;
  size_t n, cap;
  size_t str_bytes; /* sum of n + 1 over the strings that are not owned */
  ew_jtok *heap;    /* set once the tape outgrew the caller's buffer */
} ew_json_tape;

/* jansson's json_error_t.text size. */
#define EW_JSON_TEXT_MAX 160

/* Starts a tape in the caller's buffer of `cap` tokens (may be 0). */
void ew_json_tape_init(ew_json_tape *tape, ew_jtok *buf, size_t cap);
/* Frees what the tape allocated beyond the caller's buffer. */
void ew_json_tape_free(ew_json_tape *tape);

/* Scans `len` bytes of `buf`. Strings with escapes are decoded into `arena`
 * (NUL-terminated, owned = 1); the others point into `buf`. Returns 0 with
 * the tape filled (token 0 is the root object or array), -1 with jansson's
 * error text in `text` (EW_JSON_TEXT_MAX bytes) and its column in *column,
 * or -2 when out of memory. */
int ew_json_scan(const char *buf, size_t len, ew_json_tape *tape,
                 ew_arena *arena, char *text, int *column);

/* The hash the tape keeps for object keys. */
uint32_t ew_json_key_hash(const char *s, size_t n);

/* Index of the token after token `i` of `tok` and its subtree. */
static inline size_t ew_jtok_after(const ew_jtok *tok, size_t i) {
  return tok[i].type == EW_JT_OBJECT || tok[i].type == EW_JT_ARRAY ? tok[i].next
                                                                   : i + 1;
}

#endif /* EW_JSON_SCAN_H */
