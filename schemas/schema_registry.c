/*
 * schema_registry.c - load schemas/ids.tsv and the .avsc files it names.
 *
 * Loading does all the work that depends only on a schema (style-and-idioms
 * §B4, §B5): parse the JSON, build the avro-c value class and one reusable
 * value, find the record kind by the record's full name, and bind every
 * schema field to its descriptor field (record.h) including union branch
 * numbers and enum symbol translation. A schema that cannot be bound -- a
 * field unknown to the descriptor, a required descriptor field it lacks, an
 * incompatible type -- fails the load with the file named, so a bad schema
 * stops the daemon at start instead of dead-lettering every record.
 *
 * Fields the descriptor marks optional may be missing from a schema: old
 * writer schemas stay readable and the decoder leaves those fields at their
 * defaults (avro-c 1.11.1 cannot apply reader defaults itself, §B4).
 */
#include "schema_registry_int.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EW_SCHEMAS_DIR_DEFAULT
#define EW_SCHEMAS_DIR_DEFAULT "/usr/local/share/enforcewatch/schemas"
#endif

/* Schemas and ids.tsv are small; a bigger file is a mistake, not data. */
#define MAX_FILE_BYTES (1u << 20)

struct ew_schemas {
  ew_schema_entry *entries; /* ascending id */
  size_t n;
  int32_t id_of[EW_REC_COUNT]; /* highest id per kind, -1 when none */
};

void ew_schemas_seterr(char *errstr, size_t errstr_size, const char *fmt, ...) {
  if (!errstr || !errstr_size)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(errstr, errstr_size, fmt, ap);
  va_end(ap);
}

static size_t path_fmt(const ew_avro_path *p, char *buf, size_t size) {
  size_t n = p->up ? path_fmt(p->up, buf, size) : 0;
  int w;
  if (n >= size)
    return n;
  if (p->has_idx)
    w = snprintf(buf + n, size - n, "[%zu]", p->idx);
  else
    w = snprintf(buf + n, size - n, "%s%s", p->up ? "." : "", p->name);
  return w < 0 ? n : n + (size_t)w;
}

void ew_avro_field_errv(char *errstr, size_t errstr_size, const ew_avro_path *p,
                        const char *fmt, va_list ap) {
  char where[256];
  where[0] = '\0';
  path_fmt(p, where, sizeof where);
  if (errstr && errstr_size) {
    int n = snprintf(errstr, errstr_size, "field %s: ", where);
    if (n >= 0 && (size_t)n < errstr_size)
      vsnprintf(errstr + n, errstr_size - (size_t)n, fmt, ap);
  }
}

const char *ew_schemas_default_dir(void) {
  const char *d = getenv("EW_SCHEMAS_DIR");
  return d && *d ? d : EW_SCHEMAS_DIR_DEFAULT;
}

/* Reads a whole file into a malloc'ed, NUL-terminated buffer. */
static int read_file(const char *path, char **out, size_t *outlen, char *errstr,
                     size_t errstr_size) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    ew_schemas_seterr(errstr, errstr_size, "%s: %s", path, strerror(errno));
    return -1;
  }
  for (;;) {
    if (cap - len < 4096) {
      size_t ncap = cap ? cap * 2 : 8192;
      char *nbuf = realloc(buf, ncap + 1);
      if (!nbuf) {
        ew_schemas_seterr(errstr, errstr_size, "%s: out of memory", path);
        goto fail;
      }
      buf = nbuf;
      cap = ncap;
    }
    size_t got = fread(buf + len, 1, cap - len, fp);
    len += got;
    if (len > MAX_FILE_BYTES) {
      ew_schemas_seterr(errstr, errstr_size, "%s: larger than %u bytes", path,
                        MAX_FILE_BYTES);
      goto fail;
    }
    if (got == 0)
      break;
  }
  if (ferror(fp)) {
    ew_schemas_seterr(errstr, errstr_size, "%s: read error", path);
    goto fail;
  }
  fclose(fp);
  buf[len] = '\0';
  *out = buf;
  *outlen = len;
  return 0;
fail:
  fclose(fp);
  free(buf);
  return -1;
}

static avro_schema_t resolve(avro_schema_t s) {
  /* A named type used a second time in one file is a link to its
   * definition; the bound field needs the definition. */
  while (s && is_avro_link(s))
    s = avro_schema_link_target(s);
  return s;
}

static const char *type_word(avro_schema_t s) {
  switch (avro_typeof(s)) {
  case AVRO_STRING:
    return "string";
  case AVRO_BYTES:
    return "bytes";
  case AVRO_INT32:
    return "int";
  case AVRO_INT64:
    return "long";
  case AVRO_FLOAT:
    return "float";
  case AVRO_DOUBLE:
    return "double";
  case AVRO_BOOLEAN:
    return "boolean";
  case AVRO_NULL:
    return "null";
  case AVRO_RECORD:
    return "record";
  case AVRO_ENUM:
    return "enum";
  case AVRO_FIXED:
    return "fixed";
  case AVRO_MAP:
    return "map";
  case AVRO_ARRAY:
    return "array";
  case AVRO_UNION:
    return "union";
  default:
    return "link";
  }
}

static const char *ftype_wants(ew_ftype t) {
  switch (t) {
  case EW_FT_STR:
    return "string";
  case EW_FT_TIME:
    return "long (timestamp-millis)";
  case EW_FT_LONG:
    return "long";
  case EW_FT_BOOL:
    return "boolean";
  case EW_FT_ENUM:
    return "enum";
  case EW_FT_STRV:
    return "array of string";
  case EW_FT_ENUMV:
    return "array of enum";
  case EW_FT_RECV:
    return "array of record";
  case EW_FT_MAP:
    return "map of string";
  }
  return "?";
}

static void smap_done(ew_smap *m) {
  if (!m || !m->fields)
    return;
  for (size_t i = 0; i < m->nfields; i++) {
    ew_sfield *sf = &m->fields[i];
    free(sf->sym2val);
    free(sf->val2sym);
    if (sf->sub) {
      smap_done(sf->sub);
      free(sf->sub);
    }
  }
  free(m->fields);
  m->fields = NULL;
  m->nfields = 0;
}

/* Symbol tables both ways, by name, so the schema may order its symbols
 * differently from the enum table or carry symbols this build lacks. */
static int bind_enum(ew_sfield *sf, avro_schema_t es, const char *file,
                     char *errstr, size_t errstr_size) {
  const ew_enum *e = sf->f->enm;
  int nsym = avro_schema_enum_number_of_symbols(es);
  sf->enum_schema = es;
  sf->sym2val = malloc(sizeof(int) * (size_t)(nsym > 0 ? nsym : 1));
  sf->val2sym = malloc(sizeof(int) * (size_t)e->n);
  if (!sf->sym2val || !sf->val2sym) {
    ew_schemas_seterr(errstr, errstr_size, "%s: out of memory", file);
    return -1;
  }
  for (int v = 0; v < e->n; v++)
    sf->val2sym[v] = -1;
  for (int i = 0; i < nsym; i++) {
    const char *sym = avro_schema_enum_get(es, i);
    int v = sym ? ew_enum_parse(e, sym, strlen(sym)) : -1;
    sf->sym2val[i] = v;
    if (v >= 0)
      sf->val2sym[v] = i;
  }
  return 0;
}

static int smap_build(ew_smap *m, avro_schema_t rs, const ew_rtype *rt,
                      const char *file, char *errstr, size_t errstr_size);

static int bind_field(ew_sfield *sf, const ew_field *f, avro_schema_t ft,
                      const ew_rtype *rt, const char *file, char *errstr,
                      size_t errstr_size) {
  avro_schema_t t = resolve(ft);
  sf->f = f;
  if (is_avro_union(t)) {
    avro_schema_t b0 = avro_schema_union_size(t) == 2
                           ? resolve(avro_schema_union_branch(t, 0))
                           : NULL;
    avro_schema_t b1 = b0 ? resolve(avro_schema_union_branch(t, 1)) : NULL;
    avro_schema_t other = b0 && is_avro_null(b0) ? b1 : b0;
    if (!b0 || !b1 || is_avro_null(b0) == is_avro_null(b1) ||
        is_avro_union(other)) {
      ew_schemas_seterr(
          errstr, errstr_size,
          "%s: field %s.%s: a union must be of null and one other type", file,
          rt->name, f->name);
      return -1;
    }
    sf->nullable = 1;
    sf->null_branch = is_avro_null(b0) ? 0 : 1;
    sf->value_branch = 1 - sf->null_branch;
    t = other;
  }
  sf->vtype = avro_typeof(t);

  avro_schema_t items = NULL;
  if (is_avro_array(t))
    items = resolve(avro_schema_array_items(t));
  int ok = 0;
  switch (f->type) {
  case EW_FT_STR:
    ok = is_avro_string(t);
    break;
  case EW_FT_TIME:
  case EW_FT_LONG:
    ok = is_avro_int64(t) || is_avro_int32(t); /* int promotes to long */
    break;
  case EW_FT_BOOL:
    ok = is_avro_boolean(t);
    break;
  case EW_FT_ENUM:
    ok = is_avro_enum(t);
    if (ok && bind_enum(sf, t, file, errstr, errstr_size) != 0)
      return -1;
    break;
  case EW_FT_STRV:
    ok = items && is_avro_string(items);
    break;
  case EW_FT_ENUMV:
    ok = items && is_avro_enum(items);
    if (ok && bind_enum(sf, items, file, errstr, errstr_size) != 0)
      return -1;
    break;
  case EW_FT_RECV:
    ok = items && is_avro_record(items);
    if (ok) {
      sf->sub = calloc(1, sizeof *sf->sub);
      if (!sf->sub) {
        ew_schemas_seterr(errstr, errstr_size, "%s: out of memory", file);
        return -1;
      }
      if (smap_build(sf->sub, items, f->sub, file, errstr, errstr_size) != 0)
        return -1;
    }
    break;
  case EW_FT_MAP:
    ok = is_avro_map(t) && is_avro_string(resolve(avro_schema_map_values(t)));
    break;
  }
  if (!ok) {
    ew_schemas_seterr(errstr, errstr_size,
                      "%s: field %s.%s is %s %s, expected %s", file, rt->name,
                      f->name, items ? "an array of" : "a",
                      type_word(items ? items : t), ftype_wants(f->type));
    return -1;
  }
  return 0;
}

static const ew_field *descriptor_field(const ew_rtype *rt, const char *name,
                                        size_t *index) {
  for (size_t i = 0; i < rt->nfields; i++)
    if (strcmp(rt->fields[i].name, name) == 0) {
      *index = i;
      return &rt->fields[i];
    }
  return NULL;
}

static int smap_build(ew_smap *m, avro_schema_t rs, const ew_rtype *rt,
                      const char *file, char *errstr, size_t errstr_size) {
  int rc = -1;
  size_t n = avro_schema_record_size(rs);
  unsigned char *seen = calloc(rt->nfields ? rt->nfields : 1, 1);
  m->rtype = rt;
  m->nfields = 0;
  m->fields = calloc(n ? n : 1, sizeof *m->fields);
  if (!m->fields || !seen) {
    ew_schemas_seterr(errstr, errstr_size, "%s: out of memory", file);
    goto done;
  }
  m->nfields = n; /* smap_done frees whatever got bound */
  for (size_t i = 0; i < n; i++) {
    const char *name = avro_schema_record_field_name(rs, (int)i);
    size_t di = 0;
    const ew_field *f = name ? descriptor_field(rt, name, &di) : NULL;
    if (!f) {
      ew_schemas_seterr(errstr, errstr_size,
                        "%s: field %s.%s is not a field of the %s record", file,
                        avro_schema_name(rs), name ? name : "?", rt->name);
      goto done;
    }
    if (seen[di]) {
      ew_schemas_seterr(errstr, errstr_size, "%s: field %s.%s appears twice",
                        file, rt->name, name);
      goto done;
    }
    seen[di] = 1;
    if (bind_field(&m->fields[i], f,
                   avro_schema_record_field_get_by_index(rs, (int)i), rt, file,
                   errstr, errstr_size) != 0)
      goto done;
  }
  for (size_t i = 0; i < rt->nfields; i++)
    if (!seen[i] && ew_field_required(&rt->fields[i])) {
      ew_schemas_seterr(errstr, errstr_size,
                        "%s: required field %s.%s is missing from the schema",
                        file, rt->name, rt->fields[i].name);
      goto done;
    }
  rc = 0;
done:
  free(seen);
  return rc;
}

static void entry_done(ew_schema_entry *e) {
  /* Reverse order of creation (§B4): value, class, schema. */
  if (e->value.iface)
    avro_value_decref(&e->value);
  if (e->iface)
    avro_value_iface_decref(e->iface);
  if (e->schema)
    avro_schema_decref(e->schema);
  smap_done(&e->map);
  free(e->file);
  memset(e, 0, sizeof *e);
}

static int entry_load(ew_schema_entry *e, const char *dir, char *errstr,
                      size_t errstr_size) {
  char *json = NULL;
  size_t jlen = 0;
  char *path = malloc(strlen(dir) + strlen(e->file) + 2);
  if (!path) {
    ew_schemas_seterr(errstr, errstr_size, "%s: out of memory", e->file);
    return -1;
  }
  sprintf(path, "%s/%s", dir, e->file);
  int rc = read_file(path, &json, &jlen, errstr, errstr_size);
  free(path);
  if (rc != 0)
    return -1;
  if (avro_schema_from_json_length(json, jlen, &e->schema) != 0) {
    e->schema = NULL;
    ew_schemas_seterr(errstr, errstr_size, "%s: %s", e->file, avro_strerror());
    goto fail;
  }
  if (!is_avro_record(e->schema)) {
    ew_schemas_seterr(errstr, errstr_size, "%s: the schema is %s, not a record",
                      e->file, type_word(e->schema));
    goto fail;
  }
  const char *ns = avro_schema_namespace(e->schema);
  const char *name = avro_schema_name(e->schema);
  size_t nslen = ns ? strlen(ns) : 0;
  int kind = -1;
  for (int k = 0; k < EW_REC_COUNT && kind < 0; k++) {
    const char *full = ew_rtype_of((ew_rkind)k)->avro;
    if (ns && strncmp(full, ns, nslen) == 0 && full[nslen] == '.' &&
        strcmp(full + nslen + 1, name) == 0)
      kind = k;
  }
  if (kind < 0) {
    ew_schemas_seterr(errstr, errstr_size,
                      "%s: record %s%s%s is not a record kind", e->file,
                      ns ? ns : "", ns ? "." : "", name);
    goto fail;
  }
  e->kind = (ew_rkind)kind;
  if (smap_build(&e->map, e->schema, ew_rtype_of(e->kind), e->file, errstr,
                 errstr_size) != 0)
    goto fail;
  e->iface = avro_generic_class_from_schema(e->schema);
  if (!e->iface) {
    ew_schemas_seterr(errstr, errstr_size, "%s: %s", e->file, avro_strerror());
    goto fail;
  }
  /* The value takes its own class reference; ours is released in
   * entry_done (§B4). */
  if (avro_generic_value_new(e->iface, &e->value) != 0) {
    e->value.iface = NULL;
    ew_schemas_seterr(errstr, errstr_size, "%s: %s", e->file, avro_strerror());
    goto fail;
  }
  free(json);
  return 0;
fail:
  free(json);
  return -1;
}

static int cmp_entry(const void *a, const void *b) {
  int32_t x = ((const ew_schema_entry *)a)->id;
  int32_t y = ((const ew_schema_entry *)b)->id;
  return (x > y) - (x < y);
}

/* Parses one ids.tsv line into id and file. Returns 1 for an entry, 0 for a
 * blank or comment line, -1 for a bad line. */
static int parse_line(char *line, int32_t *id, char **file, const char **why) {
  size_t len = strlen(line);
  while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
    line[--len] = '\0';
  if (len == 0 || line[0] == '#')
    return 0;
  char *tab = strchr(line, '\t');
  if (!tab) {
    *why = "expected `id<TAB>file`";
    return -1;
  }
  *tab = '\0';
  char *end;
  errno = 0;
  long v = strtol(line, &end, 10);
  if (end == line || *end || errno || v < 1 || v > INT32_MAX) {
    *why = "the id is not a number in 1..2147483647";
    return -1;
  }
  char *f = tab + 1;
  while (*f == '\t' || *f == ' ')
    f++;
  if (!*f || strchr(f, '/') || strchr(f, '\t')) {
    *why = "the file must be a plain file name in the schemas directory";
    return -1;
  }
  *id = (int32_t)v;
  *file = f;
  return 1;
}

int ew_schemas_load(ew_schemas **out, const char *dir, char *errstr,
                    size_t errstr_size) {
  char *tsv = NULL, *path = NULL;
  size_t tlen = 0, cap = 0;
  ew_schemas *sc = calloc(1, sizeof *sc);
  *out = NULL;
  if (!sc) {
    ew_schemas_seterr(errstr, errstr_size, "out of memory");
    return -1;
  }
  for (int k = 0; k < EW_REC_COUNT; k++)
    sc->id_of[k] = -1;
  path = malloc(strlen(dir) + sizeof "/ids.tsv");
  if (!path) {
    ew_schemas_seterr(errstr, errstr_size, "out of memory");
    goto fail;
  }
  sprintf(path, "%s/ids.tsv", dir);
  if (read_file(path, &tsv, &tlen, errstr, errstr_size) != 0)
    goto fail;

  int lineno = 0;
  for (char *line = tsv, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    lineno++;
    int32_t id;
    char *file;
    const char *why = NULL;
    int r = parse_line(line, &id, &file, &why);
    if (r < 0) {
      ew_schemas_seterr(errstr, errstr_size, "%s:%d: %s", path, lineno, why);
      goto fail;
    }
    if (r == 0)
      continue;
    for (size_t i = 0; i < sc->n; i++)
      if (sc->entries[i].id == id) {
        ew_schemas_seterr(errstr, errstr_size,
                          "%s:%d: schema id %d is listed twice", path, lineno,
                          (int)id);
        goto fail;
      }
    if (sc->n == cap) {
      size_t ncap = cap ? cap * 2 : 32;
      ew_schema_entry *ne = realloc(sc->entries, ncap * sizeof *ne);
      if (!ne) {
        ew_schemas_seterr(errstr, errstr_size, "out of memory");
        goto fail;
      }
      sc->entries = ne;
      cap = ncap;
    }
    ew_schema_entry *e = &sc->entries[sc->n++];
    memset(e, 0, sizeof *e);
    e->id = id;
    e->file = strdup(file);
    if (!e->file) {
      ew_schemas_seterr(errstr, errstr_size, "out of memory");
      goto fail;
    }
    if (entry_load(e, dir, errstr, errstr_size) != 0)
      goto fail;
  }
  if (sc->n == 0) {
    ew_schemas_seterr(errstr, errstr_size, "%s: no schemas listed", path);
    goto fail;
  }
  qsort(sc->entries, sc->n, sizeof *sc->entries, cmp_entry);
  for (size_t i = 0; i < sc->n; i++)
    sc->id_of[sc->entries[i].kind] = sc->entries[i].id; /* ascending: max */
  free(tsv);
  free(path);
  *out = sc;
  return 0;
fail:
  free(tsv);
  free(path);
  ew_schemas_destroy(sc);
  return -1;
}

void ew_schemas_destroy(ew_schemas *sc) {
  if (!sc)
    return;
  for (size_t i = 0; i < sc->n; i++)
    entry_done(&sc->entries[i]);
  free(sc->entries);
  free(sc);
}

int32_t ew_schemas_id_of(const ew_schemas *sc, ew_rkind kind) {
  return (unsigned)kind < EW_REC_COUNT ? sc->id_of[kind] : -1;
}

ew_schema_entry *ew_schemas_entry(const ew_schemas *sc, int32_t id) {
  size_t lo = 0, hi = sc->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (sc->entries[mid].id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < sc->n && sc->entries[lo].id == id ? &sc->entries[lo] : NULL;
}

size_t ew_schemas_count(const ew_schemas *sc) {
  return sc->n;
}

ew_schema_entry *ew_schemas_entry_at(const ew_schemas *sc, size_t i) {
  return i < sc->n ? &sc->entries[i] : NULL;
}
