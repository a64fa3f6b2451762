/*
 * test_schemas.c - the schemas/ .avsc files and ids.tsv against the record
 * descriptors of record.c, and the registry's load errors.
 *
 * The .avsc files are checked twice: as JSON (jansson), which sees what
 * avro-c drops (logicalType, defaults, docs), and as loaded by the registry,
 * which sees how avro-c resolved them (a name that silently resolves to the
 * wrong type only shows up there).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "schemas/schema_registry_int.h"

static const char *schemas_dir(void) {
  return ew_schemas_default_dir();
}

static const char *short_name(const char *full) {
  const char *d = strrchr(full, '.');
  return d ? d + 1 : full;
}

/* ---- temp schema directories for the load-error cases ---- */

typedef struct tmpdir {
  char path[64];
  char files[8][64];
  int nfiles;
} tmpdir;

static void tmp_write(tmpdir *t, const char *name, const char *text) {
  char p[160];
  snprintf(p, sizeof p, "%s/%s", t->path, name);
  FILE *fp = fopen(p, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
  assert_true(t->nfiles < 8);
  snprintf(t->files[t->nfiles++], sizeof t->files[0], "%s", name);
}

static void tmp_open(tmpdir *t, const char *ids) {
  memset(t, 0, sizeof *t);
  snprintf(t->path, sizeof t->path, "/tmp/ew_test_schemas.XXXXXX");
  assert_non_null(mkdtemp(t->path));
  tmp_write(t, "ids.tsv", ids);
}

static void tmp_close(tmpdir *t) {
  for (int i = 0; i < t->nfiles; i++) {
    char p[160];
    snprintf(p, sizeof p, "%s/%s", t->path, t->files[i]);
    unlink(p);
  }
  rmdir(t->path);
}

/* Loads `dir`; returns the rc and leaves the message in err. */
static int try_load(const char *dir, char *err, size_t errsize) {
  ew_schemas *sc = NULL;
  err[0] = '\0';
  int rc = ew_schemas_load(&sc, dir, err, errsize);
  if (rc == 0)
    assert_non_null(sc);
  else
    assert_null(sc);
  ew_schemas_destroy(sc);
  return rc;
}

#define CG_HEAD                                                                \
  "{\"type\": \"record\", \"name\": \"CreditGrade\", \"namespace\": "          \
  "\"enforcewatch\", \"fields\": ["
#define CG_USCC "{\"name\": \"enterprise_uscc\", \"type\": \"string\"}"
#define CG_GRADE                                                               \
  "{\"name\": \"grade\", \"type\": {\"type\": \"enum\", \"name\": \"G\", "     \
  "\"symbols\": [\"A\", \"B\", \"C\", \"D\"]}}"
#define CG_ASOF                                                                \
  "{\"name\": \"as_of\", \"type\": {\"type\": \"long\", \"logicalType\": "     \
  "\"timestamp-millis\"}}"

/* ---- the real schemas ---- */

static void test_every_schema_loads(void **state) {
  (void)state;
  ew_schemas *sc = NULL;
  char err[512] = "";
  int rc = ew_schemas_load(&sc, schemas_dir(), err, sizeof err);
  if (rc != 0)
    fail_msg("load %s: %s", schemas_dir(), err);
  assert_int_equal(ew_schemas_count(sc), EW_REC_COUNT);
  for (size_t i = 0; i < ew_schemas_count(sc); i++) {
    ew_schema_entry *e = ew_schemas_entry_at(sc, i);
    assert_non_null(e->schema);
    assert_non_null(e->iface);
    assert_non_null(e->value.iface);
    assert_ptr_equal(e->map.rtype, ew_rtype_of(e->kind));
  }
  ew_schemas_destroy(sc);
}

static void test_ids_cover_every_kind_once(void **state) {
  (void)state;
  char path[512];
  snprintf(path, sizeof path, "%s/ids.tsv", schemas_dir());
  FILE *fp = fopen(path, "r");
  assert_non_null(fp);
  int seen[EW_REC_COUNT] = {0};
  int entries = 0;
  char line[256];
  while (fgets(line, sizeof line, fp)) {
    if (line[0] == '#' || line[0] == '\n')
      continue;
    int id;
    char file[128];
    assert_int_equal(sscanf(line, "%d\t%127s", &id, file), 2);
    assert_true(id >= 1 && id <= EW_REC_COUNT);
    ew_rkind k = (ew_rkind)(id - 1); /* ids follow ew_rkind order */
    char want[128];
    snprintf(want, sizeof want, "%s.avsc", ew_rkind_name(k));
    assert_string_equal(file, want);
    seen[k]++;
    entries++;
  }
  fclose(fp);
  assert_int_equal(entries, EW_REC_COUNT);
  for (int k = 0; k < EW_REC_COUNT; k++)
    assert_int_equal(seen[k], 1);

  ew_schemas *sc = NULL;
  char err[512];
  assert_int_equal(ew_schemas_load(&sc, schemas_dir(), err, sizeof err), 0);
  for (int k = 0; k < EW_REC_COUNT; k++) {
    assert_int_equal(ew_schemas_id_of(sc, (ew_rkind)k), k + 1);
    ew_schema_entry *e = ew_schemas_entry(sc, k + 1);
    assert_non_null(e);
    assert_int_equal(e->kind, k);
  }
  assert_int_equal(ew_schemas_id_of(sc, EW_REC_COUNT), -1);
  assert_null(ew_schemas_entry(sc, 0));
  assert_null(ew_schemas_entry(sc, EW_REC_COUNT + 1));
  ew_schemas_destroy(sc);
}

/* JSON-level check of one schema against its descriptor. */

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond))                                                               \
      fail_msg(__VA_ARGS__);                                                   \
  } while (0)

static int is_str(const json_t *j, const char *s) {
  return json_is_string(j) && strcmp(json_string_value(j), s) == 0;
}

static void check_record_json(const char *file, const json_t *r,
                              const ew_rtype *rt, int top);

static void check_enum_json(const char *file, const char *fname,
                            const json_t *t, const ew_enum *e) {
  CHECK(json_is_object(t) && is_str(json_object_get(t, "type"), "enum"),
        "%s: %s: not an inline enum", file, fname);
  CHECK(is_str(json_object_get(t, "name"), e->name),
        "%s: %s: enum name is not %s", file, fname, e->name);
  const json_t *syms = json_object_get(t, "symbols");
  CHECK(json_is_array(syms) && json_array_size(syms) == (size_t)e->n,
        "%s: %s: %s must have %d symbols", file, fname, e->name, e->n);
  for (int i = 0; i < e->n; i++)
    CHECK(is_str(json_array_get(syms, (size_t)i), e->symbols[i]),
          "%s: %s: symbol %d is not %s", file, fname, i, e->symbols[i]);
}

static void check_value_json(const char *file, const json_t *t,
                             const ew_field *f) {
  const json_t *items = json_is_object(t) ? json_object_get(t, "items") : NULL;
  switch (f->type) {
  case EW_FT_STR:
    CHECK(is_str(t, "string"), "%s: %s is not a string", file, f->name);
    break;
  case EW_FT_TIME:
    CHECK(json_is_object(t) && is_str(json_object_get(t, "type"), "long") &&
              is_str(json_object_get(t, "logicalType"), "timestamp-millis"),
          "%s: %s is not a timestamp-millis long", file, f->name);
    break;
  case EW_FT_LONG:
    CHECK(is_str(t, "long"), "%s: %s is not a long", file, f->name);
    break;
  case EW_FT_BOOL:
    CHECK(is_str(t, "boolean"), "%s: %s is not a boolean", file, f->name);
    break;
  case EW_FT_ENUM:
    check_enum_json(file, f->name, t, f->enm);
    break;
  case EW_FT_STRV:
    CHECK(is_str(json_object_get(t, "type"), "array") &&
              is_str(items, "string"),
          "%s: %s is not an array of string", file, f->name);
    break;
  case EW_FT_ENUMV:
    CHECK(is_str(json_object_get(t, "type"), "array"), "%s: %s is not an array",
          file, f->name);
    check_enum_json(file, f->name, items, f->enm);
    break;
  case EW_FT_RECV:
    CHECK(is_str(json_object_get(t, "type"), "array") && json_is_object(items),
          "%s: %s is not an array of an inline record", file, f->name);
    check_record_json(file, items, f->sub, 0);
    break;
  case EW_FT_MAP:
    CHECK(json_is_object(t) && is_str(json_object_get(t, "type"), "map") &&
              is_str(json_object_get(t, "values"), "string"),
          "%s: %s is not a map of string", file, f->name);
    break;
  }
}

static void check_field_json(const char *file, const json_t *jf,
                             const ew_field *f) {
  CHECK(is_str(json_object_get(jf, "name"), f->name),
        "%s: expected field %s here", file, f->name);
  const json_t *t = json_object_get(jf, "type");
  const json_t *d = json_object_get(jf, "default");
  if (f->flags & EW_FF_OPT) {
    CHECK(json_is_array(t) && json_array_size(t) == 2 &&
              is_str(json_array_get(t, 0), "null"),
          "%s: %s must be [\"null\", T]", file, f->name);
    CHECK(d && json_is_null(d), "%s: %s must default to null", file, f->name);
    check_value_json(file, json_array_get(t, 1), f);
    return;
  }
  check_value_json(file, t, f);
  if (f->flags & EW_FF_DFLT) {
    CHECK(d != NULL, "%s: %s needs a default", file, f->name);
    switch (f->type) {
    case EW_FT_LONG:
      CHECK(json_is_integer(d) && json_integer_value(d) == f->dflt,
            "%s: %s must default to %lld", file, f->name, (long long)f->dflt);
      break;
    case EW_FT_BOOL:
      CHECK(json_is_boolean(d) && json_boolean_value(d) == (f->dflt != 0),
            "%s: %s must default to %d", file, f->name, (int)f->dflt);
      break;
    case EW_FT_ENUM:
      CHECK(is_str(d, f->enm->symbols[f->dflt]), "%s: %s must default to %s",
            file, f->name, f->enm->symbols[f->dflt]);
      break;
    default:
      fail_msg("%s: %s: unexpected default kind", file, f->name);
    }
  } else if (f->type == EW_FT_MAP) {
    CHECK(json_is_object(d) && json_object_size(d) == 0,
          "%s: %s must default to {}", file, f->name);
  } else if (!ew_field_required(f)) {
    CHECK(json_is_array(d) && json_array_size(d) == 0,
          "%s: %s must default to []", file, f->name);
  } else {
    CHECK(d == NULL, "%s: required %s must have no default", file, f->name);
  }
}

static void check_record_json(const char *file, const json_t *r,
                              const ew_rtype *rt, int top) {
  CHECK(json_is_object(r) && is_str(json_object_get(r, "type"), "record"),
        "%s: %s is not a record", file, rt->name);
  CHECK(is_str(json_object_get(r, "name"), short_name(rt->avro)),
        "%s: record name must be %s", file, short_name(rt->avro));
  if (top)
    CHECK(is_str(json_object_get(r, "namespace"), "enforcewatch"),
          "%s: namespace must be enforcewatch", file);
  const json_t *doc = json_object_get(r, "doc");
  CHECK(json_is_string(doc) && json_string_length(doc) > 0,
        "%s: record %s needs a doc", file, rt->name);
  const json_t *fields = json_object_get(r, "fields");
  CHECK(json_is_array(fields) && json_array_size(fields) == rt->nfields,
        "%s: %s must have %zu fields", file, rt->name, rt->nfields);
  for (size_t i = 0; i < rt->nfields; i++)
    check_field_json(file, json_array_get(fields, i), &rt->fields[i]);
}

static void test_avsc_json_matches_descriptors(void **state) {
  (void)state;
  for (int k = 0; k < EW_REC_COUNT; k++) {
    const ew_rtype *rt = ew_rtype_of((ew_rkind)k);
    char path[512], file[64];
    snprintf(file, sizeof file, "%s.avsc", rt->name);
    snprintf(path, sizeof path, "%s/%s", schemas_dir(), file);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    CHECK(root != NULL, "%s:%d: %s", path, jerr.line, jerr.text);
    check_record_json(file, root, rt, 1);
    json_decref(root);
  }
}

/* avro-c-level check: the registry's binding is the descriptor, in order,
 * with the Avro types avro-c actually resolved. */
static void check_smap(const char *file, const ew_smap *m, const ew_rtype *rt) {
  CHECK(m->rtype == rt, "%s: bound to %s", file, m->rtype->name);
  CHECK(m->nfields == rt->nfields, "%s: %s has %zu fields, descriptor %zu",
        file, rt->name, m->nfields, rt->nfields);
  for (size_t i = 0; i < m->nfields; i++) {
    const ew_sfield *sf = &m->fields[i];
    const ew_field *f = &rt->fields[i];
    CHECK(sf->f == f, "%s: field %zu is %s, descriptor says %s", file, i,
          sf->f->name, f->name);
    CHECK(sf->nullable == ((f->flags & EW_FF_OPT) != 0),
          "%s: %s nullability differs", file, f->name);
    avro_type_t want = AVRO_NULL;
    switch (f->type) {
    case EW_FT_STR:
      want = AVRO_STRING;
      break;
    case EW_FT_TIME:
    case EW_FT_LONG:
      want = AVRO_INT64;
      break;
    case EW_FT_BOOL:
      want = AVRO_BOOLEAN;
      break;
    case EW_FT_ENUM:
      want = AVRO_ENUM;
      break;
    case EW_FT_STRV:
    case EW_FT_ENUMV:
    case EW_FT_RECV:
      want = AVRO_ARRAY;
      break;
    case EW_FT_MAP:
      want = AVRO_MAP;
      break;
    }
    CHECK(sf->vtype == want, "%s: %s has Avro type %d, want %d", file, f->name,
          (int)sf->vtype, (int)want);
    if (f->type == EW_FT_ENUM || f->type == EW_FT_ENUMV) {
      CHECK(strcmp(avro_schema_name(sf->enum_schema), f->enm->name) == 0,
            "%s: %s: enum %s", file, f->name,
            avro_schema_name(sf->enum_schema));
      CHECK(avro_schema_enum_number_of_symbols(sf->enum_schema) == f->enm->n,
            "%s: %s: symbol count", file, f->name);
      for (int s = 0; s < f->enm->n; s++)
        CHECK(sf->sym2val[s] == s && sf->val2sym[s] == s,
              "%s: %s: symbol %d out of order", file, f->name, s);
    }
    if (f->type == EW_FT_RECV)
      check_smap(file, sf->sub, f->sub);
  }
}

static void test_loaded_bindings_match_descriptors(void **state) {
  (void)state;
  ew_schemas *sc = NULL;
  char err[512];
  assert_int_equal(ew_schemas_load(&sc, schemas_dir(), err, sizeof err), 0);
  for (size_t i = 0; i < ew_schemas_count(sc); i++) {
    ew_schema_entry *e = ew_schemas_entry_at(sc, i);
    char full[128];
    snprintf(full, sizeof full, "%s.%s", avro_schema_namespace(e->schema),
             avro_schema_name(e->schema));
    assert_string_equal(full, ew_rtype_of(e->kind)->avro);
    check_smap(e->file, &e->map, ew_rtype_of(e->kind));
  }
  ew_schemas_destroy(sc);
}

/* ---- load errors ---- */

static void expect_load_error(const char *ids, const char *file,
                              const char *avsc, const char *want1,
                              const char *want2) {
  tmpdir t;
  char err[512];
  tmp_open(&t, ids);
  if (file)
    tmp_write(&t, file, avsc);
  int rc = try_load(t.path, err, sizeof err);
  tmp_close(&t);
  CHECK(rc == -1, "expected a load error mentioning %s", want1);
  CHECK(strstr(err, want1) != NULL, "error \"%s\" lacks \"%s\"", err, want1);
  if (want2)
    CHECK(strstr(err, want2) != NULL, "error \"%s\" lacks \"%s\"", err, want2);
}

static void test_load_rejects_unknown_field(void **state) {
  (void)state;
  expect_load_error("13\tcg.avsc\n", "cg.avsc",
                    CG_HEAD CG_USCC ", " CG_GRADE ", " CG_ASOF
                                    ", {\"name\": \"bogus\", \"type\": "
                                    "\"string\"}]}",
                    "cg.avsc", "bogus");
}

static void test_load_rejects_missing_required_field(void **state) {
  (void)state;
  expect_load_error("13\tcg.avsc\n", "cg.avsc",
                    CG_HEAD CG_USCC ", " CG_GRADE "]}", "cg.avsc", "as_of");
}

static void test_load_rejects_incompatible_type(void **state) {
  (void)state;
  expect_load_error("13\tcg.avsc\n", "cg.avsc",
                    CG_HEAD CG_USCC ", " CG_GRADE
                                    ", {\"name\": \"as_of\", \"type\": "
                                    "\"string\"}]}",
                    "cg.avsc", "as_of");
  expect_load_error("13\tcg.avsc\n", "cg.avsc",
                    CG_HEAD
                    "{\"name\": \"enterprise_uscc\", \"type\": [\"null\", "
                    "\"string\", \"long\"]}, " CG_GRADE ", " CG_ASOF "]}",
                    "cg.avsc", "enterprise_uscc");
}

static void test_load_rejects_name_resolving_to_record(void **state) {
  (void)state;
  /* An enum named like its record would resolve to the record itself:
   * avro-c accepts that silently, the binding must not. */
  expect_load_error("13\tcg.avsc\n", "cg.avsc",
                    CG_HEAD CG_USCC ", {\"name\": \"grade\", \"type\": "
                                    "\"CreditGrade\"}, " CG_ASOF "]}",
                    "cg.avsc", "grade");
}

static void test_load_rejects_unknown_record(void **state) {
  (void)state;
  expect_load_error("13\tx.avsc\n", "x.avsc",
                    "{\"type\": \"record\", \"name\": \"Nope\", \"namespace\": "
                    "\"enforcewatch\", \"fields\": []}",
                    "x.avsc", "enforcewatch.Nope");
  expect_load_error("13\tx.avsc\n", "x.avsc", "\"string\"", "x.avsc",
                    "not a record");
  expect_load_error("13\tx.avsc\n", "x.avsc", "{\"type\": \"record\", ",
                    "x.avsc", NULL);
}

static void test_load_rejects_bad_ids_tsv(void **state) {
  (void)state;
  expect_load_error("# c\n13 cg.avsc\n", NULL, NULL, "ids.tsv:2", NULL);
  expect_load_error("0\tcg.avsc\n", NULL, NULL, "ids.tsv:1", NULL);
  expect_load_error("13\t../cg.avsc\n", NULL, NULL, "ids.tsv:1", NULL);
  expect_load_error("# nothing\n", NULL, NULL, "no schemas", NULL);
  expect_load_error("13\tmissing.avsc\n", NULL, NULL, "missing.avsc", NULL);
  expect_load_error("13\tcg.avsc\n13\tcg.avsc\n", "cg.avsc",
                    CG_HEAD CG_USCC ", " CG_GRADE ", " CG_ASOF "]}",
                    "ids.tsv:2", "twice");
}

static void test_load_accepts_old_writer_and_picks_highest_id(void **state) {
  (void)state;
  tmpdir t;
  char err[512];
  tmp_open(&t, "# old and new\n30\tnew.avsc\r\n\n20\told.avsc\n");
  /* The old writer lacks the optional field and reorders enum symbols. */
  tmp_write(&t, "old.avsc",
            CG_HEAD CG_USCC ", {\"name\": \"grade\", \"type\": {\"type\": "
                            "\"enum\", \"name\": \"G\", \"symbols\": [\"D\", "
                            "\"C\", \"B\", \"A\", \"E\"]}}, " CG_ASOF "]}");
  tmp_write(&t, "new.avsc", CG_HEAD CG_USCC ", " CG_GRADE ", " CG_ASOF "]}");
  ew_schemas *sc = NULL;
  int rc = ew_schemas_load(&sc, t.path, err, sizeof err);
  tmp_close(&t);
  CHECK(rc == 0, "%s", err);
  assert_int_equal(ew_schemas_id_of(sc, EW_REC_CREDIT_GRADE), 30);
  assert_int_equal(ew_schemas_id_of(sc, EW_REC_INSPECTION), -1);
  ew_schema_entry *old = ew_schemas_entry(sc, 20);
  assert_non_null(old);
  const ew_sfield *g = &old->map.fields[1];
  assert_int_equal(g->sym2val[0], EW_GRADE_D);
  assert_int_equal(g->sym2val[3], EW_GRADE_A);
  assert_int_equal(g->sym2val[4], -1); /* E: unknown to this build */
  assert_int_equal(g->val2sym[EW_GRADE_B], 2);
  ew_schemas_destroy(sc);
}

static void test_load_accepts_missing_optional_field(void **state) {
  (void)state;
  tmpdir t;
  char err[512];
  tmp_open(&t, "5\tag.avsc\n");
  tmp_write(&t, "ag.avsc",
            "{\"type\": \"record\", \"name\": \"Agency\", \"namespace\": "
            "\"enforcewatch\", \"fields\": ["
            "{\"name\": \"agency_uscc\", \"type\": \"string\"},"
            "{\"name\": \"name\", \"type\": \"string\"},"
            "{\"name\": \"region_code\", \"type\": \"string\"},"
            "{\"name\": \"level\", \"type\": {\"type\": \"enum\", \"name\": "
            "\"AgencyLevel\", \"symbols\": [\"PREFECTURE\", \"COUNTY\", "
            "\"TOWNSHIP\"]}},"
            "{\"name\": \"justice_bureau_uscc\", \"type\": \"string\"}]}");
  int rc = try_load(t.path, err, sizeof err);
  tmp_close(&t);
  CHECK(rc == 0, "%s", err);
}

static void test_default_dir(void **state) {
  (void)state;
  char *saved =
      getenv("EW_SCHEMAS_DIR") ? strdup(getenv("EW_SCHEMAS_DIR")) : NULL;
  setenv("EW_SCHEMAS_DIR", "/some/where", 1);
  assert_string_equal(ew_schemas_default_dir(), "/some/where");
  unsetenv("EW_SCHEMAS_DIR");
  assert_string_equal(ew_schemas_default_dir(), EW_SCHEMAS_DIR_DEFAULT);
  if (saved)
    setenv("EW_SCHEMAS_DIR", saved, 1);
  free(saved);
  ew_schemas_destroy(NULL); /* accepts NULL */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_schema_loads),
      cmocka_unit_test(test_ids_cover_every_kind_once),
      cmocka_unit_test(test_avsc_json_matches_descriptors),
      cmocka_unit_test(test_loaded_bindings_match_descriptors),
      cmocka_unit_test(test_load_rejects_unknown_field),
      cmocka_unit_test(test_load_rejects_missing_required_field),
      cmocka_unit_test(test_load_rejects_incompatible_type),
      cmocka_unit_test(test_load_rejects_name_resolving_to_record),
      cmocka_unit_test(test_load_rejects_unknown_record),
      cmocka_unit_test(test_load_rejects_bad_ids_tsv),
      cmocka_unit_test(test_load_accepts_old_writer_and_picks_highest_id),
      cmocka_unit_test(test_load_accepts_missing_optional_field),
      cmocka_unit_test(test_default_dir),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
