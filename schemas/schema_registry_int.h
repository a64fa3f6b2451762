/*
 * schema_registry_int.h - what the Avro decoder and encoder see of a loaded
 * schema (private to schemas/, consumers/avro_decode.c,
 * producers/avro_encode.c and their tests).
 *
 * Everything that depends only on the schema is worked out once at load: the
 * avro-c value class, one reusable generic value, and for every field of
 * every record the descriptor field it fills, the union branch numbers and
 * the enum symbol translation. The codecs then only walk these tables.
 */
#ifndef EW_SCHEMA_REGISTRY_INT_H
#define EW_SCHEMA_REGISTRY_INT_H

#include <stdarg.h>

#include <avro.h>

#include "schema_registry.h"

typedef struct ew_smap ew_smap;

/* One field of an Avro record schema, bound to its descriptor field. */
typedef struct ew_sfield {
  const ew_field *f;
  int nullable;              /* the Avro type is a 2-branch union with null */
  int null_branch;           /* union discriminants, when nullable */
  int value_branch;          /* ... */
  avro_type_t vtype;         /* non-null type: STRING, INT64, INT32 (a promoted
                                long), BOOLEAN, ENUM, ARRAY, MAP */
  avro_schema_t enum_schema; /* ENUM/ENUMV: the Avro enum (borrowed) */
  int *sym2val; /* ENUM/ENUMV: schema symbol index -> f->enm value, or -1
                   for a symbol this build does not know */
  int *val2sym; /* ENUM/ENUMV: f->enm value -> schema symbol index, or -1
                   for a value the schema cannot carry */
  ew_smap *sub; /* RECV: the item record */
} ew_sfield;

/* An Avro record schema bound to a record descriptor. `fields` is in schema
 * order, so fields[i] belongs to avro_value_get_by_index(rec, i). Descriptor
 * fields absent from the schema are optional ones; decoding leaves them at
 * the defaults of ew_rtype_init. */
struct ew_smap {
  const ew_rtype *rtype;
  size_t nfields;
  ew_sfield *fields;
};

/* One schema id. `value` is scratch space of the codecs: they reset it,
 * fill it and are done with it within one ew_decode/ew_encode call, so a
 * registry and the codecs using it belong to one thread. */
typedef struct ew_schema_entry {
  int32_t id;
  ew_rkind kind;
  char *file; /* as named in ids.tsv, for messages */
  avro_schema_t schema;
  avro_value_iface_t *iface;
  avro_value_t value;
  ew_smap map;
} ew_schema_entry;

/* The entry of schema id `id`, or NULL when it is not loaded. */
ew_schema_entry *ew_schemas_entry(const ew_schemas *sc, int32_t id);

/* Entries in ascending id order, for tests and diagnostics. */
size_t ew_schemas_count(const ew_schemas *sc);
ew_schema_entry *ew_schemas_entry_at(const ew_schemas *sc, size_t i);

/* ---- error messages, one form for the loader and both codecs ---- */

/* Formats into errstr; a NULL errstr or a size of 0 is allowed and leaves
 * nothing. */
void ew_schemas_seterr(char *errstr, size_t errstr_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Where in a record a codec is, for messages: "officers[2].officer_id".
 * Each level lives on the stack of the walk and points to its parent. */
typedef struct ew_avro_path {
  const struct ew_avro_path *up;
  const char *name; /* field name or map key, unless has_idx */
  size_t idx;       /* array index, when has_idx */
  int has_idx;
} ew_avro_path;

/* Sets errstr (as ew_schemas_seterr) to "field <path>: <what>", the form
 * every decode and encode error about one value takes. */
void ew_avro_field_errv(char *errstr, size_t errstr_size, const ew_avro_path *p,
                        const char *fmt, va_list ap);

#endif /* EW_SCHEMA_REGISTRY_INT_H */
