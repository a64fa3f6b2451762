/*
 * avro_decode.h - Confluent-framed Avro bytes into a plain C record.
 *
 * Input is untrusted. Before avro-c sees a byte, a bounds-checking
 * pre-validator walks the body against the writer schema (every length and
 * count <= the bytes that remain, varints of at most 10 bytes, union and enum
 * indexes in range, nothing left over), because avro-c 1.11.1 leaks on a
 * truncated string and allocates gigabytes for a 6-byte payload declaring a
 * huge length (style-and-idioms §B4).
 */
#ifndef EW_AVRO_DECODE_H
#define EW_AVRO_DECODE_H

#include <stddef.h>

#include "../daemon/arena.h"
#include "../daemon/record.h"
#include "../schemas/schema_registry.h"

/* Why a value could not be decoded; the dead-letter x-error-code header is
 * ew_decode_error_code(). */
typedef enum ew_decode_error {
  EW_DECODE_OK = 0,
  EW_DECODE_TOO_LARGE,      /* over the configured size limit */
  EW_DECODE_BAD_FRAME,      /* shorter than 5 bytes or magic byte not 0 */
  EW_DECODE_UNKNOWN_SCHEMA, /* schema id not loaded */
  EW_DECODE_WRONG_TYPE,     /* schema is for another record kind than topic */
  EW_DECODE_MALFORMED,      /* body fails the pre-validator or avro-c */
  EW_DECODE_MISSING_FIELD,  /* a required field is null/absent */
  EW_DECODE_BAD_VALUE,      /* e.g. an empty required string */
  EW_DECODE_NOMEM
} ew_decode_error;

/* "TOO_LARGE", "BAD_FRAME", ... */
const char *ew_decode_error_code(ew_decode_error err);

typedef struct ew_decoder ew_decoder;

/* `sc` is borrowed and must outlive the decoder. `max_bytes` caps the size of
 * a value (0: no cap). */
int ew_decoder_new(ew_decoder **out, const ew_schemas *sc, size_t max_bytes);
void ew_decoder_destroy(ew_decoder *d); /* accepts NULL */

/* Decodes the framed value `buf`/`len`. When `expect` is a valid kind the
 * schema must be of that kind; pass EW_REC_COUNT to accept any. On success
 * fills *rec with strings and arrays allocated in `arena` and returns
 * EW_DECODE_OK; otherwise returns the error and writes a one-line reason
 * into errstr. */
ew_decode_error ew_decode(ew_decoder *d, const void *buf, size_t len,
                          ew_rkind expect, ew_record *rec, ew_arena *arena,
                          char *errstr, size_t errstr_size);

#endif /* EW_AVRO_DECODE_H */
