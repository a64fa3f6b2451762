/*
 * schema_registry.h - Avro schemas by id, loaded from schemas/<kind>.avsc.
 *
 * Kafka values use the Confluent wire format: magic byte 0, a 4-byte
 * big-endian schema id, then the Avro binary body. While no registry server
 * is configured, ids come from schemas/ids.tsv (`id<TAB>file.avsc`). Each
 * loaded schema is parsed once and cached with its avro-c value class and the
 * mapping of its fields onto the record descriptor (record.h), so no per-
 * record schema work remains (style-and-idioms §B5).
 */
#ifndef EW_SCHEMA_REGISTRY_H
#define EW_SCHEMA_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "../daemon/record.h"

typedef struct ew_schemas ew_schemas;

/* Loads ids.tsv and every schema it names from directory `dir`. Returns 0, or
 * -1 with the file (and line) of the problem in errstr. */
int ew_schemas_load(ew_schemas **out, const char *dir, char *errstr,
                    size_t errstr_size);
void ew_schemas_destroy(ew_schemas *sc); /* accepts NULL */

/* The schema id used to encode records of `kind` (the highest id for it). */
int32_t ew_schemas_id_of(const ew_schemas *sc, ew_rkind kind);

/* The directory that holds the schemas when none is configured: the
 * EW_SCHEMAS_DIR environment variable, else the install path compiled in. */
const char *ew_schemas_default_dir(void);

#endif /* EW_SCHEMA_REGISTRY_H */
