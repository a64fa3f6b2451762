/*
 * jsonl_writer.c - an ew_record as one line of JSON (contract §7).
 *
 * The line is built by hand from the record's descriptor rather than by
 * json_dumps: jansson would refuse (json_string returns NULL) a string that
 * is not valid UTF-8, losing the whole record, and its escaping is not ours
 * to pin down. Here the output is a pure function of the record: members in
 * descriptor order, facts in stored order, no white space, valid UTF-8
 * copied byte for byte (Chinese stays readable, no \uXXXX), only '"', '\\'
 * and control characters escaped. A byte sequence that is not valid UTF-8
 * (which jansson, and so jsonl_reader, would refuse) becomes U+FFFD.
 *
 * Values: enums as their symbol, times as ew_time_format (+08:00) strings,
 * absent optional values (NULL, EW_NONE, -1) as null, arrays always as
 * arrays. A time outside years 0000-9999, which ISO-8601 text cannot carry
 * in the form ew_time_parse reads, is written as epoch milliseconds, which
 * jsonl_reader also reads, so every record round-trips.
 *
 * The tag member comes first. leniency_item has a field called "kind", so
 * it is tagged "type" even when EW_JSON_TAG_KIND is asked for; a duplicate
 * member would make the line unreadable.
 */
#include "jsonl_writer.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/ewtime.h"

typedef struct wbuf {
  char *p;
  size_t len, cap;
  int oom;
} wbuf;

typedef struct anyvec {
  const void *v;
  size_t n;
} anyvec;

static void put(wbuf *b, const char *s, size_t n) {
  if (b->oom)
    return;
  if (b->cap - b->len < n + 1) {
    size_t cap = b->cap ? b->cap : 512;
    while (cap - b->len < n + 1)
      cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      b->oom = 1;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void puts_(wbuf *b, const char *s) {
  put(b, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at `s` (NUL-terminated), or 0 if it is
 * not one: overlong forms, surrogates and code points past U+10FFFF are
 * refused, exactly as a strict decoder (jansson) refuses them. */
static size_t utf8_seq(const unsigned char *s) {
  unsigned c = s[0];
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    return (s[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 &&
                   (s[3] & 0xC0) == 0x80
               ? 4
               : 0;
  }
  return 0;
}

static void put_string(wbuf *b, const char *str) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *s = (const unsigned char *)str;
  put(b, "\"", 1);
  while (*s) {
    size_t run = 0, n;
    /* Copy the longest run that needs no escaping in one go. */
    while (s[run] >= 0x20 && s[run] != '"' && s[run] != '\\' &&
           (n = utf8_seq(s + run)) > 0)
      run += n;
    put(b, (const char *)s, run);
    s += run;
    if (!*s)
      break;
    switch (*s) {
    case '"':
      put(b, "\\\"", 2);
      break;
    case '\\':
      put(b, "\\\\", 2);
      break;
    case '\n':
      put(b, "\\n", 2);
      break;
    case '\r':
      put(b, "\\r", 2);
      break;
    case '\t':
      put(b, "\\t", 2);
      break;
    case '\b':
      put(b, "\\b", 2);
      break;
    case '\f':
      put(b, "\\f", 2);
      break;
    default:
      if (*s < 0x20) {
        char esc[7] = {'\\', 'u', '0', '0', hex[*s >> 4], hex[*s & 15], 0};
        put(b, esc, 6);
      } else {
        put(b, "\xEF\xBF\xBD", 3); /* U+FFFD for a byte of bad UTF-8 */
      }
    }
    s++;
  }
  put(b, "\"", 1);
}

static void put_opt_string(wbuf *b, const char *s) {
  if (s)
    put_string(b, s);
  else
    puts_(b, "null");
}

static void put_long(wbuf *b, int64_t v) {
  char num[24];
  snprintf(num, sizeof num, "%" PRId64, v);
  puts_(b, num);
}

static void put_time(wbuf *b, ew_time t) {
  char buf[EW_TIME_BUFSZ];
  if (t == EW_NONE) {
    puts_(b, "null");
  } else if (t < ew_time_from_civil(0, 1, 1) ||
             t >= ew_time_from_civil(10000, 1, 1)) {
    put_long(b, t);
  } else {
    put(b, "\"", 1);
    puts_(b, ew_time_format(t, buf));
    put(b, "\"", 1);
  }
}

static void put_enum(wbuf *b, const ew_enum *e, int v) {
  const char *sym = ew_enum_name(e, v);
  if (sym) {
    put(b, "\"", 1);
    puts_(b, sym);
    put(b, "\"", 1);
  } else {
    puts_(b, "null"); /* EW_ENUM_NONE; or a value no symbol has */
  }
}

static void put_fields(wbuf *b, const ew_rtype *t, const void *body);

static void put_value(wbuf *b, const ew_field *f, const void *body) {
  const char *src = (const char *)body + f->offset;
  anyvec vec;

  switch (f->type) {
  case EW_FT_STR: {
    const char *s;
    memcpy(&s, src, sizeof s);
    put_opt_string(b, s);
    return;
  }
  case EW_FT_TIME: {
    ew_time t;
    memcpy(&t, src, sizeof t);
    put_time(b, t);
    return;
  }
  case EW_FT_LONG: {
    int64_t v;
    memcpy(&v, src, sizeof v);
    if (v == EW_NONE)
      puts_(b, "null");
    else
      put_long(b, v);
    return;
  }
  case EW_FT_BOOL: {
    int8_t v;
    memcpy(&v, src, sizeof v);
    puts_(b, v == EW_BOOL_NONE ? "null" : v ? "true" : "false");
    return;
  }
  case EW_FT_ENUM: {
    int v;
    memcpy(&v, src, sizeof v);
    put_enum(b, f->enm, v);
    return;
  }
  default:
    break;
  }

  memcpy(&vec, src, sizeof vec);
  if (f->type == EW_FT_MAP) {
    const ew_fact *facts = vec.v;
    put(b, "{", 1);
    for (size_t i = 0; i < vec.n; i++) {
      if (i)
        put(b, ",", 1);
      put_string(b, facts[i].key ? facts[i].key : "");
      put(b, ":", 1);
      /* The map's values are strings; there is no null to write. */
      put_string(b, facts[i].value ? facts[i].value : "");
    }
    put(b, "}", 1);
    return;
  }
  put(b, "[", 1);
  for (size_t i = 0; i < vec.n; i++) {
    if (i)
      put(b, ",", 1);
    switch (f->type) {
    case EW_FT_STRV:
      put_opt_string(b, ((const char *const *)vec.v)[i]);
      break;
    case EW_FT_ENUMV:
      put_enum(b, f->enm, ((const int *)vec.v)[i]);
      break;
    case EW_FT_RECV:
      put(b, "{", 1);
      put_fields(b, f->sub, (const char *)vec.v + i * f->sub->size);
      put(b, "}", 1);
      break;
    default:
      break;
    }
  }
  put(b, "]", 1);
}

/* Writes `"name":value` for each field, comma-separated, no braces. */
static void put_fields(wbuf *b, const ew_rtype *t, const void *body) {
  for (size_t i = 0; i < t->nfields; i++) {
    const ew_field *f = &t->fields[i];
    if (i)
      put(b, ",", 1);
    put_string(b, f->name);
    put(b, ":", 1);
    put_value(b, f, body);
  }
}

static int has_field(const ew_rtype *t, const char *name) {
  for (size_t i = 0; i < t->nfields; i++)
    if (strcmp(t->fields[i].name, name) == 0)
      return 1;
  return 0;
}

char *ew_jsonl_format(const ew_record *rec, ew_json_tag tag) {
  wbuf b = {NULL, 0, 0, 0};
  const ew_rtype *t = ew_rtype_of(rec->kind);
  if (!t)
    return NULL;
  const char *tagname = tag == EW_JSON_TAG_KIND ? "kind" : "type";
  if (has_field(t, tagname))
    tagname = "type";

  put(&b, "{", 1);
  put_string(&b, tagname);
  put(&b, ":", 1);
  put_string(&b, t->name);
  if (t->nfields)
    put(&b, ",", 1);
  put_fields(&b, t, ew_record_body_const(rec));
  put(&b, "}", 1);
  if (b.oom) {
    free(b.p);
    return NULL;
  }
  return b.p;
}

int ew_jsonl_write(FILE *fp, const ew_record *rec, ew_json_tag tag) {
  char *line = ew_jsonl_format(rec, tag);
  int rc = -1;
  if (!line)
    goto fail;
  size_t n = strlen(line);
  line[n] = '\n'; /* the NUL's place: one write, no second buffer */
  if (fwrite(line, 1, n + 1, fp) != n + 1)
    goto fail;
  rc = 0;
fail:
  free(line);
  return rc;
}
