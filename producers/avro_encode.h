/*
 * avro_encode.h - a plain C record into Confluent-framed Avro bytes.
 */
#ifndef EW_AVRO_ENCODE_H
#define EW_AVRO_ENCODE_H

#include <stddef.h>

#include "../daemon/record.h"
#include "../schemas/schema_registry.h"

typedef struct ew_encoder ew_encoder;

/* `sc` is borrowed and must outlive the encoder. */
int ew_encoder_new(ew_encoder **out, const ew_schemas *sc);
void ew_encoder_destroy(ew_encoder *enc); /* accepts NULL */

/* Encodes `rec` with the schema of its kind. On success returns 0 and sets
 * *buf and *len to bytes owned by the encoder, valid until the next call. On
 * failure returns -1 with the reason in errstr (e.g. a required field is
 * absent). */
int ew_encode(ew_encoder *enc, const ew_record *rec, const void **buf,
              size_t *len, char *errstr, size_t errstr_size);

#endif /* EW_AVRO_ENCODE_H */
