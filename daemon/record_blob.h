/*
 * record_blob.h - a compact binary form of any contract record, driven by
 * its descriptor (ew_rtype), for the store's reference records, subject
 * snapshots and alert states.
 *
 * The store needs a byte form it controls: the JSON and Avro codecs belong to
 * the wire, may change with it, and are slower than a memcpy-style walk.
 * Layout (all integers little-endian):
 *
 *   blob    := u8 version(=1) body
 *   body    := u16 nfields, nfields x field
 *   field   := u8 ew_ftype tag, value
 *   STR     := u32 len (0xFFFFFFFF = NULL), len bytes
 *   TIME, LONG := i64;  BOOL := i8;  ENUM := i32
 *   STRV    := u32 n, n x STR;   ENUMV := u32 n, n x i32
 *   RECV    := u32 n, n x body;  MAP   := u32 n, n x (STR key, STR value)
 *
 * Fields are written in descriptor order. A blob with fewer fields than the
 * descriptor (written before a field was appended to the contract) decodes
 * with defaults for the missing tail; a blob with more fields, or a tag that
 * differs from the descriptor's type, is refused as written by another
 * version.
 */
#ifndef EW_RECORD_BLOB_H
#define EW_RECORD_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "record.h"

#define EW_BLOB_VERSION 1

/* A growable byte buffer; a zeroed one is valid. Reused across records so
 * that encoding allocates only while it grows. */
typedef struct ew_blob {
  unsigned char *p;
  size_t len;
  size_t cap;
} ew_blob;

/* Empties the buffer, keeping its memory. */
static inline void ew_blob_reset(ew_blob *b) {
  b->len = 0;
}
/* Frees the buffer. Accepts NULL. */
void ew_blob_free(ew_blob *b);

/* Appends the blob of `body` (a struct described by `t`) to `b`. Returns 0,
 * or -1 on OOM or a string longer than 4 GiB (b->len is then unchanged). */
int ew_blob_encode(ew_blob *b, const ew_rtype *t, const void *body);

/* Decodes `len` bytes at `data` into `body` (a struct described by `t`);
 * strings and arrays are allocated in `a`. Returns 0, or -1 when the bytes
 * are truncated, trailing, of another version or OOM. */
int ew_blob_decode(const ew_rtype *t, const void *data, size_t len, void *body,
                   ew_arena *a);

/* Deep-copies `src` into `dst` (both described by `t`), allocating strings
 * and arrays in `a`. Returns 0, or -1 on OOM. */
int ew_blob_copy(const ew_rtype *t, void *dst, const void *src, ew_arena *a);

#endif /* EW_RECORD_BLOB_H */
