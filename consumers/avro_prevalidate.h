/*
 * avro_prevalidate.h - a bounds-checking walk of an Avro binary body.
 *
 * avro-c 1.11.1 trusts the lengths and counts it reads: a truncated string
 * leaks its buffer and a 6-byte value declaring a huge string makes it
 * malloc gigabytes (style-and-idioms §B4). This walker reads the body the
 * way avro_value_read would, allocates nothing, and accepts it only if every
 * declared length and count fits in the bytes that remain, so that avro-c
 * is only ever handed bodies it can read without surprises. Map keys must
 * be free of NUL bytes: avro-c keeps them as C strings, so "a\0b" would
 * silently become "a".
 */
#ifndef EW_AVRO_PREVALIDATE_H
#define EW_AVRO_PREVALIDATE_H

#include <stddef.h>

#include <avro.h>

/* Schemas nest a handful of levels; anything deeper is hostile or a
 * recursive schema being walked by hostile data. */
#define EW_AVRO_MAX_DEPTH 32
/* Items of a type that encodes to 0 bytes (null, an empty record) cost no
 * input, so their count is capped per body instead of by the bytes left. */
#define EW_AVRO_MAX_EMPTY_ITEMS 4096
/* Array items and map entries of one body, all blocks and nestings
 * together. Decoding costs about 150 bytes of heap per item (avro-c's value
 * and the decoder's copy: a 1 MB notice of 999000 empty strings took
 * 145 MB), so the bytes left alone would let a value cost two orders of
 * magnitude more memory than its size. */
#define EW_AVRO_MAX_ITEMS 65536

/* Returns 0 when `buf`/`len` is exactly one value of `schema` (the whole
 * buffer, nothing left over); otherwise -1 with a one-line reason in errstr,
 * "at body byte N: what", N counted from the start of `buf`. */
int ew_avro_prevalidate(avro_schema_t schema, const void *buf, size_t len,
                        char *errstr, size_t errstr_size);

#endif /* EW_AVRO_PREVALIDATE_H */
