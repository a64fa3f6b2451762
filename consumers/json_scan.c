/*
 * json_scan.c - the jansson-exact JSON scanner of json_scan.h.
 *
 * The functions follow jansson 2.14's load.c (lex_scan, lex_scan_string,
 * lex_scan_number, parse_value, parse_object, parse_array, parse_json) so
 * that errors arise in the same order with the same text. What differs is
 * the machinery: the line is read in place instead of through a one-byte
 * stream and a saved-text buffer, strings without escapes are not copied,
 * and values go to a flat tape instead of a tree.
 *
 * jansson's stream, as reproduced here:
 *   - The "saved text" of the token being scanned, quoted in a message as
 *     "near '...'" when it is at most 20 bytes, is always the input from the
 *     token's first byte to the read position, so it is kept as an offset.
 *     It is printed with %s, so it stops at a NUL byte; when it starts with
 *     one (or is empty) the message says "near end of file" instead.
 *   - A byte >= 0x80 is checked as a whole UTF-8 character when it is first
 *     read, also as the one-character lookahead after a number or a word:
 *     bad UTF-8 right after 12 is "unable to decode byte 0x.. near '12'".
 *   - The column counts the characters (ASCII and lead bytes) read since
 *     the last newline; it is only needed for an error, so it is counted
 *     then.
 *   - A NUL byte read as the lookahead that ends a number or a word, and put
 *     back, is lost: jansson's stream buffer takes the NUL for "empty" and
 *     reads on, so {"a":1<NUL>} is accepted. It is skipped here too, and
 *     not counted in the column.
 *   - jansson keeps the first error set and goes on; every later step then
 *     fails. Here every error stops the scan, so each error set is the
 *     first.
 */
#include "json_scan.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MAX_DEPTH 2048 /* jansson_config.h JSON_PARSER_MAX_DEPTH */
#define CONTEXT_MAX 20 /* longest saved text quoted in a message */

/* Characters as jansson's stream returns them, beside the byte values. */
#define CH_EOF (-1)
#define CH_ERR (-2) /* a UTF-8 error was set */

/* Tokens: jansson's values, and TK_ERROR when an error is set. */
enum {
  TK_ERROR = -2,
  TK_INVALID = -1,
  TK_EOF = 0,
  TK_STRING = 256,
  TK_INTEGER,
  TK_REAL,
  TK_TRUE,
  TK_FALSE,
  TK_NULL
};

typedef struct scanner {
  const unsigned char *b;
  size_t len;
  size_t p;          /* read position */
  size_t tok;        /* first byte of the saved text */
  size_t line_start; /* first byte after the last newline read */
  size_t nul_skips;  /* NULs skipped since line_start */
  size_t skip_at;    /* a put-back NUL the stream skips, or SIZE_MAX */
  /* value of the current token */
  const char *str;
  size_t slen;
  int str_owned, str_nul;
  int64_t ival;
  ew_json_tape *tape;
  ew_arena *arena;
  char *text;
  int *column;
  int oom;
} scanner;

/* ---- tape ---- */

void ew_json_tape_init(ew_json_tape *tape, ew_jtok *buf, size_t cap) {
  tape->tok = buf;
  tape->n = 0;
  tape->str_bytes = 0;
  tape->cap = buf ? cap : 0;
  tape->heap = NULL;
}

void ew_json_tape_free(ew_json_tape *tape) {
  if (!tape)
    return;
  free(tape->heap);
  tape->heap = NULL;
  tape->tok = NULL;
  tape->n = tape->cap = 0;
}

/* Doubles the tape; 0, or -1 when out of memory. */
static int grow(scanner *s) {
  ew_json_tape *t = s->tape;
  size_t cap = t->cap ? t->cap * 2 : 64;
  ew_jtok *nt =
      cap > SIZE_MAX / sizeof *nt ? NULL : realloc(t->heap, cap * sizeof *nt);
  if (!nt) {
    s->oom = 1;
    return -1;
  }
  if (!t->heap && t->n)
    memcpy(nt, t->tok, t->n * sizeof *nt);
  t->heap = t->tok = nt;
  t->cap = cap;
  return 0;
}

/* Appends a token; returns it, or NULL when out of memory. */
static inline ew_jtok *push(scanner *s, int type) {
  ew_json_tape *t = s->tape;
  if (t->n == t->cap && grow(s) < 0)
    return NULL;
  ew_jtok *k = &t->tok[t->n++];
  *k = (ew_jtok){.type = (uint8_t)type};
  return k;
}

/* Any fixed function of the bytes will do: it only sorts keys into
 * buckets. Length, head and tail keep it O(1) for any key. */
static inline uint32_t key_hash(const char *s, size_t n) {
  uint64_t a, z;
  if (n >= 8) {
    memcpy(&a, s, 8);
    memcpy(&z, s + n - 8, 8);
  } else if (n >= 4) {
    uint32_t x, y;
    memcpy(&x, s, 4);
    memcpy(&y, s + n - 4, 4);
    a = x;
    z = y;
  } else if (n > 0) {
    a = (uint64_t)(unsigned char)s[0] << 16 |
        (uint64_t)(unsigned char)s[n / 2] << 8 | (unsigned char)s[n - 1];
    z = 0;
  } else {
    a = z = 0;
  }
  uint64_t h = (a * 0x9E3779B97F4A7C15ull) ^ (z * 0xC2B2AE3D27D4EB4Full) ^
               (n * 0x165667B19E3779F9ull);
  h ^= h >> 31;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return (uint32_t)h;
}

uint32_t ew_json_key_hash(const char *s, size_t n) {
  return key_hash(s, n);
}

/* ---- errors ---- */

/* jansson's stream column at the read position. A newline is read outside
 * white space only just before an error (an escape "\<newline>", or one
 * in place of a \u digit), so only then can it follow line_start. */
static int column(const scanner *s) {
  size_t from = s->line_start, skips = s->nul_skips, n = 0;
  for (size_t i = s->p; i > from; i--)
    if (s->b[i - 1] == '\n') {
      from = i;
      skips = 0;
      break;
    }
  for (size_t i = from; i < s->p; i++) {
    unsigned c = s->b[i];
    if (c < 0x80 || (c >= 0xC2 && c <= 0xF4))
      n++;
  }
  return (int)(n - skips);
}

/* Sets the error as jansson's error_set does; `utf8` for a decoding error,
 * which is never "near end of file". Returns TK_ERROR. */
static int error_set(scanner *s, int utf8, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int error_set(scanner *s, int utf8, const char *fmt, ...) {
  /* jansson's text holds 158 characters (its last byte is the error code);
   * the longest message with context is far shorter. */
  char msg[80], ctx[CONTEXT_MAX + 1];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);

  const char *saved = (const char *)s->b + s->tok;
  size_t n = s->p - s->tok;
  if (n > 0 && saved[0] != '\0') {
    if (n <= CONTEXT_MAX) {
      /* Printed with %s by jansson: up to a NUL. */
      memcpy(ctx, saved, n);
      ctx[n] = '\0';
      snprintf(s->text, EW_JSON_TEXT_MAX - 1, "%s near '%s'", msg, ctx);
    } else {
      snprintf(s->text, EW_JSON_TEXT_MAX - 1, "%s", msg);
    }
  } else if (utf8) {
    snprintf(s->text, EW_JSON_TEXT_MAX - 1, "%s", msg);
  } else {
    snprintf(s->text, EW_JSON_TEXT_MAX - 1, "%s near end of file", msg);
  }
  *s->column = column(s);
  return TK_ERROR;
}

/* ---- UTF-8 (jansson utf.c) ---- */

/* Length of the valid UTF-8 character at b[p] (lead byte >= 0x80), or 0
 * when it is not one. Bytes past the end read as 0xFF, as jansson's stream
 * stores EOF, so a cut character is invalid. */
static inline size_t utf8_len(const unsigned char *b, size_t p, size_t len) {
  unsigned c = b[p], count;
  uint32_t v;
  if (c >= 0xE0 && c <= 0xEF && len - p >= 3) {
    /* Most non-ASCII text here is CJK: three bytes. */
    unsigned c1 = b[p + 1], c2 = b[p + 2];
    if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80)
      return 0;
    v = ((c & 0x0F) << 12) | ((c1 & 0x3F) << 6) | (c2 & 0x3F);
    return v < 0x800 || (v >= 0xD800 && v <= 0xDFFF) ? 0 : 3;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    count = 2;
    v = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    count = 3;
    v = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    count = 4;
    v = c & 0x07;
  } else {
    return 0; /* continuation byte, C0, C1, F5..FF */
  }
  for (unsigned i = 1; i < count; i++) {
    unsigned u = p + i < len ? b[p + i] : 0xFF;
    if ((u & 0xC0) != 0x80)
      return 0;
    v = (v << 6) | (u & 0x3F);
  }
  if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ||
      (count == 3 && v < 0x800) || (count == 4 && v < 0x10000))
    return 0;
  return count;
}

static int utf8_error(scanner *s, size_t at) {
  s->p = at;
  return error_set(s, 1, "unable to decode byte 0x%x", s->b[at]);
}

/* Reads one character at *q as jansson's stream does (its first byte for a
 * multibyte one, which is checked whole) and steps over that byte. Returns
 * the byte, CH_EOF at the end, or CH_ERR after setting a UTF-8 error. */
static inline int get(scanner *s, size_t *q) {
  if (*q >= s->len)
    return CH_EOF;
  unsigned c = s->b[*q];
  if (c >= 0x80 && !utf8_len(s->b, *q, s->len)) {
    utf8_error(s, *q);
    return CH_ERR;
  }
  (*q)++;
  return (int)c;
}

/* Puts back the character `c` read last (jansson lex_unget_unsave). */
static inline void unget(scanner *s, size_t *q, int c) {
  if (c < 0)
    return;
  (*q)--;
  if (c == 0)
    s->skip_at = *q;
}

static inline int is_digit(int c) {
  return c >= '0' && c <= '9';
}
static inline int is_alpha(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline int is_xdigit(int c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static inline int xval(unsigned char c) {
  return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* ---- strings ---- */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&    \
    defined(__GNUC__)
#define SWAR 1
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
/* High bit set in every byte of `v` that ends a plain run inside a string:
 * '"', '\\', below 0x20, or 0x80 and above. The lowest one is exact. */
static inline uint64_t special_bytes(uint64_t v) {
  uint64_t q = v ^ (ONES * '"'), bs = v ^ (ONES * '\\');
  return (v | ((v - ONES * 0x20) & ~v) | ((q - ONES) & ~q) |
          ((bs - ONES) & ~bs)) &
         HIGHS;
}
#endif

static inline void utf8_put(char **t, uint32_t v) {
  unsigned char *o = (unsigned char *)*t;
  if (v < 0x80) {
    o[0] = (unsigned char)v;
    *t += 1;
  } else if (v < 0x800) {
    o[0] = (unsigned char)(0xC0 | (v >> 6));
    o[1] = (unsigned char)(0x80 | (v & 0x3F));
    *t += 2;
  } else if (v < 0x10000) {
    o[0] = (unsigned char)(0xE0 | (v >> 12));
    o[1] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (v & 0x3F));
    *t += 3;
  } else {
    o[0] = (unsigned char)(0xF0 | (v >> 18));
    o[1] = (unsigned char)(0x80 | ((v >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (v & 0x3F));
    *t += 4;
  }
}

static inline uint32_t hex4(const unsigned char *h) {
  return (uint32_t)(xval(h[0]) << 12 | xval(h[1]) << 8 | xval(h[2]) << 4 |
                    xval(h[3]));
}

/* Decodes the escapes of the string content [src, src + n) (already
 * checked: every escape is complete) into the arena, with jansson's
 * surrogate checks. The byte at src[n] is the closing quote. */
static int decode_escapes(scanner *s, const unsigned char *src, size_t n) {
  char *out = ew_arena_alloc(s->arena, n + 1);
  if (!out) {
    s->oom = 1;
    return TK_ERROR;
  }
  char *t = out;
  const unsigned char *p = src, *end = src + n;
  int nul = 0;
  while (p < end) {
    const unsigned char *bs = memchr(p, '\\', (size_t)(end - p));
    if (!bs) {
      memcpy(t, p, (size_t)(end - p));
      t += end - p;
      break;
    }
    memcpy(t, p, (size_t)(bs - p));
    t += bs - p;
    p = bs + 1;
    switch (*p) {
    case 'u': {
      uint32_t v = hex4(p + 1);
      p += 5;
      if (v >= 0xD800 && v <= 0xDBFF) {
        /* p may sit on the closing quote, which is never '\\'. */
        if (p[0] == '\\' && p[1] == 'u') {
          uint32_t v2 = hex4(p + 2);
          p += 6;
          if (v2 >= 0xDC00 && v2 <= 0xDFFF)
            v = ((v - 0xD800) << 10) + (v2 - 0xDC00) + 0x10000;
          else
            return error_set(s, 0, "invalid Unicode '\\u%04X\\u%04X'",
                             (unsigned)v, (unsigned)v2);
        } else {
          return error_set(s, 0, "invalid Unicode '\\u%04X'", (unsigned)v);
        }
      } else if (v >= 0xDC00 && v <= 0xDFFF) {
        return error_set(s, 0, "invalid Unicode '\\u%04X'", (unsigned)v);
      }
      if (v == 0)
        nul = 1;
      utf8_put(&t, v);
      continue;
    }
    case 'b':
      *t++ = '\b';
      break;
    case 'f':
      *t++ = '\f';
      break;
    case 'n':
      *t++ = '\n';
      break;
    case 'r':
      *t++ = '\r';
      break;
    case 't':
      *t++ = '\t';
      break;
    default: /* '"', '\\', '/' */
      *t++ = (char)*p;
      break;
    }
    p++;
  }
  *t = '\0';
  s->str = out;
  s->slen = (size_t)(t - out);
  s->str_owned = 1;
  s->str_nul = nul;
  return TK_STRING;
}

/* jansson lex_scan_string; s->tok is at the opening quote. */
static int scan_string(scanner *s) {
  const unsigned char *b = s->b;
  size_t len = s->len, q = s->tok + 1;
  int esc = 0;

  for (;;) {
#ifdef __SSE2__
    /* Signed bytes: 0x80 and above compare below 0x20 too. */
    while (len - q >= 16) {
      __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + q));
      __m128i m =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                       _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
      unsigned mask = (unsigned)_mm_movemask_epi8(m);
      if (mask) {
        q += (size_t)__builtin_ctz(mask);
        goto special;
      }
      q += 16;
    }
#endif
#ifdef SWAR
    while (len - q >= 8) {
      uint64_t v, m;
      memcpy(&v, b + q, 8);
      m = special_bytes(v);
      if (m) {
        q += (size_t)__builtin_ctzll(m) >> 3;
        break;
      }
      q += 8;
    }
#endif
#ifdef __SSE2__
  special:
#endif
    if (q >= len) {
      s->p = q;
      return error_set(s, 0, "premature end of input");
    }
    unsigned c = b[q];
    if (c == '"')
      break;
    if (c >= 0x80) {
      /* A run of multibyte characters (CJK text) without the block test. */
      do {
        size_t n = utf8_len(b, q, len);
        if (!n)
          return utf8_error(s, q);
        q += n;
      } while (q < len && b[q] >= 0x80);
      continue;
    }
    if (c == '\\') {
      int e;
      esc = 1;
      q++;
      e = get(s, &q);
      if (e == CH_ERR)
        return TK_ERROR;
      if (e == 'u') {
        for (int i = 0; i < 4; i++) {
          int h = get(s, &q);
          if (h == CH_ERR)
            return TK_ERROR;
          if (!is_xdigit(h)) {
            s->p = q;
            return error_set(s, 0, "invalid escape");
          }
        }
      } else if (!(e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' ||
                   e == 'n' || e == 'r' || e == 't')) {
        s->p = q;
        return error_set(s, 0, "invalid escape");
      }
      continue;
    }
    if (c < 0x20) {
      s->p = q;
      if (c == '\n')
        return error_set(s, 0, "unexpected newline");
      return error_set(s, 0, "control character 0x%x", c);
    }
    q++;
  }
  s->p = q + 1;
  if (esc)
    return decode_escapes(s, b + s->tok + 1, q - s->tok - 1);
  s->str = (const char *)b + s->tok + 1;
  s->slen = q - s->tok - 1;
  s->str_owned = 0;
  s->str_nul = 0;
  return TK_STRING;
}

/* The common string, inlined where strings are read: no escape, no error,
 * and 16 bytes to spare after it; anything else goes to scan_string, which
 * starts over. */
static inline __attribute__((always_inline)) int string_fast(scanner *s) {
#ifdef __SSE2__
  const unsigned char *b = s->b;
  size_t len = s->len, q = s->tok + 1;
  for (;;) {
    while (len - q >= 16) {
      __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + q));
      __m128i m =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                       _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
      unsigned mask = (unsigned)_mm_movemask_epi8(m);
      if (mask) {
        q += (size_t)__builtin_ctz(mask);
        goto special;
      }
      q += 16;
    }
    return scan_string(s);
  special:
    if (b[q] == '"') {
      s->p = q + 1;
      s->str = (const char *)b + s->tok + 1;
      s->slen = q - s->tok - 1;
      s->str_owned = 0;
      s->str_nul = 0;
      return TK_STRING;
    }
    if (b[q] < 0x80)
      return scan_string(s);
    do {
      size_t n = utf8_len(b, q, len);
      if (!n)
        return scan_string(s);
      q += n;
    } while (q < len && b[q] >= 0x80);
  }
#else
  return scan_string(s);
#endif
}

/* ---- numbers and words ---- */

/* strtod's overflow verdict on the real number [tok, p), as jansson's
 * jsonp_strtod gives it (the '.' turned into the locale's point). */
static int real_overflows(scanner *s) {
  size_t n = s->p - s->tok;
  char small[64], *buf = n < sizeof small ? small : malloc(n + 1);
  if (!buf) {
    s->oom = 1;
    return -1;
  }
  memcpy(buf, s->b + s->tok, n);
  buf[n] = '\0';
  const char *point = localeconv()->decimal_point;
  if (*point != '.') {
    char *dot = strchr(buf, '.');
    if (dot)
      *dot = *point;
  }
  errno = 0;
  double v = strtod(buf, NULL);
  int over = (v == HUGE_VAL || v == -HUGE_VAL) && errno == ERANGE;
  if (buf != small)
    free(buf);
  return over;
}

/* jansson lex_scan_number; s->tok is at the '-' or first digit. */
static int scan_number(scanner *s) {
  size_t q = s->tok + 1;
  int c = s->b[s->tok];

  if (c == '-') {
    c = get(s, &q);
    if (c == CH_ERR)
      return TK_ERROR;
  }
  if (c == '0') {
    c = get(s, &q);
    if (c == CH_ERR)
      return TK_ERROR;
    if (is_digit(c)) {
      unget(s, &q, c);
      s->p = q;
      return TK_INVALID;
    }
  } else if (is_digit(c)) {
    do {
      c = get(s, &q);
      if (c == CH_ERR)
        return TK_ERROR;
    } while (is_digit(c));
  } else {
    unget(s, &q, c);
    s->p = q;
    return TK_INVALID;
  }

  if (c != '.' && c != 'E' && c != 'e') {
    unget(s, &q, c);
    s->p = q;
    /* strtoll: the magnitude may reach 2^63 when negative. */
    const unsigned char *d = s->b + s->tok, *e = s->b + q;
    int neg = *d == '-';
    uint64_t acc = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (d += neg; d < e; d++) {
      unsigned dig = (unsigned)(*d - '0');
      if (acc > (lim - dig) / 10)
        return error_set(s, 0,
                         neg ? "too big negative integer" : "too big integer");
      acc = acc * 10 + dig;
    }
    s->ival = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return TK_INTEGER;
  }

  if (c == '.') {
    c = get(s, &q); /* jansson reads it without saving it first */
    if (c == CH_ERR)
      return TK_ERROR;
    if (!is_digit(c)) {
      if (c >= 0)
        q--; /* lex_unget: a NUL here ends in an error anyway */
      s->p = q;
      return TK_INVALID;
    }
    do {
      c = get(s, &q);
      if (c == CH_ERR)
        return TK_ERROR;
    } while (is_digit(c));
  }

  if (c == 'E' || c == 'e') {
    c = get(s, &q);
    if (c == CH_ERR)
      return TK_ERROR;
    if (c == '+' || c == '-') {
      c = get(s, &q);
      if (c == CH_ERR)
        return TK_ERROR;
    }
    if (!is_digit(c)) {
      unget(s, &q, c);
      s->p = q;
      return TK_INVALID;
    }
    do {
      c = get(s, &q);
      if (c == CH_ERR)
        return TK_ERROR;
    } while (is_digit(c));
  }

  unget(s, &q, c);
  s->p = q;
  int over = real_overflows(s);
  if (over < 0)
    return TK_ERROR;
  if (over)
    return error_set(s, 0, "real number overflow");
  return TK_REAL;
}

/* jansson's identifier branch: a run of letters, then true/false/null. */
static int scan_word(scanner *s) {
  size_t q = s->tok + 1;
  int c;
  do {
    c = get(s, &q);
    if (c == CH_ERR)
      return TK_ERROR;
  } while (is_alpha(c));
  unget(s, &q, c);
  s->p = q;
  const char *w = (const char *)s->b + s->tok;
  size_t n = q - s->tok;
  if (n == 4 && memcmp(w, "true", 4) == 0)
    return TK_TRUE;
  if (n == 5 && memcmp(w, "false", 5) == 0)
    return TK_FALSE;
  if (n == 4 && memcmp(w, "null", 4) == 0)
    return TK_NULL;
  return TK_INVALID;
}

/* Byte classes for jansson's lex_scan dispatch; white space last. */
enum { C_OTHER, C_PUNCT, C_QUOTE, C_NUMBER, C_ALPHA, C_HIGH, C_SPACE, C_NL };
static const unsigned char byte_class[256] = {
    ['{'] = C_PUNCT,  ['}'] = C_PUNCT,  ['['] = C_PUNCT,  [']'] = C_PUNCT,
    [':'] = C_PUNCT,  [','] = C_PUNCT,  ['"'] = C_QUOTE,  ['-'] = C_NUMBER,
    ['0'] = C_NUMBER, ['1'] = C_NUMBER, ['2'] = C_NUMBER, ['3'] = C_NUMBER,
    ['4'] = C_NUMBER, ['5'] = C_NUMBER, ['6'] = C_NUMBER, ['7'] = C_NUMBER,
    ['8'] = C_NUMBER, ['9'] = C_NUMBER, [' '] = C_SPACE,  ['\t'] = C_SPACE,
    ['\r'] = C_SPACE, ['\n'] = C_NL,
#define A(c) [c] = C_ALPHA, [c - 'a' + 'A'] = C_ALPHA
    A('a'),           A('b'),           A('c'),           A('d'),
    A('e'),           A('f'),           A('g'),           A('h'),
    A('i'),           A('j'),           A('k'),           A('l'),
    A('m'),           A('n'),           A('o'),           A('p'),
    A('q'),           A('r'),           A('s'),           A('t'),
    A('u'),           A('v'),           A('w'),           A('x'),
    A('y'),           A('z'),
#undef A
#define H4(c) [c] = C_HIGH, [c + 1] = C_HIGH, [c + 2] = C_HIGH, [c + 3] = C_HIGH
#define H16(c) H4(c), H4(c + 4), H4(c + 8), H4(c + 12)
    H16(0x80),        H16(0x90),        H16(0xA0),        H16(0xB0),
    H16(0xC0),        H16(0xD0),        H16(0xE0),        H16(0xF0),
#undef H16
#undef H4
};

/* jansson lex_scan: skips white space and scans one token. */
static inline int lex_scan(scanner *s) {
  const unsigned char *b = s->b;
  size_t p = s->p, len = s->len;
  unsigned k;

again:
  for (;; p++) {
    if (p >= len) {
      s->p = s->tok = p;
      return TK_EOF;
    }
    k = byte_class[b[p]];
    if (k < C_SPACE)
      break;
    if (k == C_NL) {
      s->line_start = p + 1;
      s->nul_skips = 0;
    }
  }
  s->tok = p;
  switch (k) {
  case C_PUNCT:
    s->p = p + 1;
    return b[p];
  case C_QUOTE:
    return string_fast(s);
  case C_NUMBER:
    return scan_number(s);
  case C_ALPHA:
    return scan_word(s);
  case C_HIGH: {
    /* A character no token starts with: saved whole, as jansson's
     * lex_save_cached does, after the stream checked it. */
    size_t n = utf8_len(b, p, len);
    if (!n)
      return utf8_error(s, p);
    s->p = p + n;
    return TK_INVALID;
  }
  default:
    if (p == s->skip_at) {
      /* The NUL put back after a number or a word: lost, not counted. */
      s->skip_at = SIZE_MAX;
      s->nul_skips++;
      p++;
      goto again;
    }
    s->p = p + 1;
    return TK_INVALID;
  }
}

/* Whether the next token, after spaces only, is the punctuation `c`; if so
 * it is taken as lex_scan would take it, and the spaces after it are
 * skipped as the next lex_scan would skip them. The parser's shortcut for
 * the separators that follow almost every key and value. */
static inline int next_is(scanner *s, unsigned c) {
  const unsigned char *b = s->b;
  size_t p = s->p, len = s->len;
  while (p < len && b[p] == ' ')
    p++;
  if (p < len && b[p] == c) {
    s->tok = p++;
    while (p < len && b[p] == ' ')
      p++;
    s->p = p;
    return 1;
  }
  return 0;
}

/* ---- parser ---- */

/* An open object or array. Keys of an object so far: a 512-bit filter of
 * their hashes, and the last key token, from which the keys chain
 * backwards (ew_jtok.next). */
typedef struct frame {
  size_t tok;
  size_t count;
  size_t last_key;
  uint64_t bits[8];
  int obj;
} frame;

#define FRAMES_INLINE 16

static int is_duplicate(scanner *s, frame *f, uint32_t h) {
  unsigned bit = h >> 23;
  uint64_t m = 1ull << (bit & 63);
  if (!(f->bits[bit >> 6] & m)) {
    f->bits[bit >> 6] |= m;
    return 0;
  }
  for (size_t i = f->last_key; i != SIZE_MAX; i = s->tape->tok[i].next) {
    const ew_jtok *k = &s->tape->tok[i];
    if (k->hash == h && k->n == s->slen && memcmp(k->u.s, s->str, s->slen) == 0)
      return 1;
  }
  return 0;
}

/* What the next token must be, in jansson's parse_json, parse_value,
 * parse_object and parse_array, unrolled into one loop with a stack of
 * open containers (no recursion). The tokens are read in jansson's order;
 * the usual "key": "value", separators are read by shortcuts that take
 * exactly what lex_scan would. */
enum {
  S_START,     /* the top-level '[' or '{' */
  S_VALUE,     /* a member's value, after ':' */
  S_ARR_FIRST, /* after '[': a value or ']' */
  S_ARR_NEXT,  /* after ',' in an array: a value */
  S_OBJ_FIRST, /* after '{': a key or '}' */
  S_KEY,       /* after ',' in an object: a key */
  S_COLON,     /* after a key */
  S_AFTER      /* after a value: ',', the closing bracket, or the end */
};

int ew_json_scan(const char *buf, size_t len, ew_json_tape *tape,
                 ew_arena *arena, char *text, int *column) {
  scanner s;
  frame inline_frames[FRAMES_INLINE], *fr = inline_frames, *f;
  size_t nfr = 0, capfr = FRAMES_INLINE;
  int state = S_START, rc = TK_ERROR, t;
  uint32_t h;
  ew_jtok *k;

  memset(&s, 0, sizeof s);
  s.skip_at = SIZE_MAX;
  s.b = (const unsigned char *)buf;
  s.len = len;
  s.tape = tape;
  s.arena = arena;
  s.text = text;
  s.column = column;
  tape->n = 0;
  tape->str_bytes = 0;
  text[0] = '\0';
  *column = -1;

  for (;;) {
    t = lex_scan(&s);
    if (t == TK_ERROR)
      goto out;
    switch (state) {
    case S_START:
      if (t != '[' && t != '{') {
        error_set(&s, 0, "'[' or '{' expected");
        goto out;
      }
      goto value;
    case S_VALUE:
      goto value;
    case S_ARR_FIRST:
      if (t == ']')
        goto close;
      /* fall through */
    case S_ARR_NEXT:
      if (t == TK_EOF) {
        error_set(&s, 0, "']' expected");
        goto out;
      }
      goto value;
    case S_OBJ_FIRST:
      if (t == '}')
        goto close;
      /* fall through */
    case S_KEY:
    key:
      if (t != TK_STRING) {
        error_set(&s, 0, "string or '}' expected");
        goto out;
      }
      if (s.str_nul) {
        error_set(&s, 0, "NUL byte in object key not supported");
        goto out;
      }
      f = &fr[nfr - 1];
      h = key_hash(s.str, s.slen);
      if (is_duplicate(&s, f, h)) {
        error_set(&s, 0, "duplicate object key");
        goto out;
      }
      if (!(k = push(&s, EW_JT_STRING)))
        goto out;
      k->owned = (uint8_t)s.str_owned;
      if (!s.str_owned)
        tape->str_bytes += s.slen + 1;
      k->hash = h;
      k->n = s.slen;
      k->u.s = s.str;
      k->next = f->last_key;
      f->last_key = (size_t)(k - tape->tok);
      if (next_is(&s, ':')) {
        if (s.p < len && s.b[s.p] == '"') {
          /* lex_scan at a quote: straight to the string. */
          s.tok = s.p;
          if ((t = string_fast(&s)) == TK_ERROR)
            goto out;
          goto value;
        }
        state = S_VALUE;
        continue;
      }
      state = S_COLON;
      continue;
    case S_COLON:
      if (t != ':') {
        error_set(&s, 0, "':' expected");
        goto out;
      }
      state = S_VALUE;
      continue;
    case S_AFTER:
      if (nfr == 0) {
        if (t != TK_EOF)
          error_set(&s, 0, "end of file expected");
        else
          rc = 0;
        goto out;
      }
      f = &fr[nfr - 1];
      if (t == ',') {
        state = f->obj ? S_KEY : S_ARR_NEXT;
        continue;
      }
      if (t != (f->obj ? '}' : ']')) {
        error_set(&s, 0, f->obj ? "'}' expected" : "']' expected");
        goto out;
      }
      goto close;
    }

  value:
    if (nfr >= MAX_DEPTH) {
      error_set(&s, 0, "maximum parsing depth reached");
      goto out;
    }
    switch (t) {
    case TK_STRING:
      if (s.str_nul) {
        error_set(&s, 0, "\\u0000 is not allowed without JSON_ALLOW_NUL");
        goto out;
      }
      if (!(k = push(&s, EW_JT_STRING)))
        goto out;
      k->owned = (uint8_t)s.str_owned;
      if (!s.str_owned)
        tape->str_bytes += s.slen + 1;
      k->n = s.slen;
      k->u.s = s.str;
      break;
    case TK_INTEGER:
      if (!(k = push(&s, EW_JT_INTEGER)))
        goto out;
      k->u.i = s.ival;
      break;
    case TK_REAL:
    case TK_TRUE:
    case TK_FALSE:
    case TK_NULL:
      if (!push(&s, t == TK_REAL    ? EW_JT_REAL
                    : t == TK_TRUE  ? EW_JT_TRUE
                    : t == TK_FALSE ? EW_JT_FALSE
                                    : EW_JT_NULL))
        goto out;
      break;
    case '{':
    case '[':
      if (nfr == capfr) {
        frame *nf = malloc(2 * capfr * sizeof *nf);
        if (!nf) {
          s.oom = 1;
          goto out;
        }
        memcpy(nf, fr, nfr * sizeof *nf);
        if (fr != inline_frames)
          free(fr);
        fr = nf;
        capfr *= 2;
      }
      if (!(k = push(&s, t == '{' ? EW_JT_OBJECT : EW_JT_ARRAY)))
        goto out;
      f = &fr[nfr++];
      memset(f, 0, sizeof *f);
      f->tok = (size_t)(k - tape->tok);
      f->last_key = SIZE_MAX;
      f->obj = t == '{';
      state = f->obj ? S_OBJ_FIRST : S_ARR_FIRST;
      continue;
    case TK_INVALID:
      error_set(&s, 0, "invalid token");
      goto out;
    default:
      error_set(&s, 0, "unexpected token");
      goto out;
    }

  done: /* a value is complete */
    state = S_AFTER;
    if (nfr) {
      f = &fr[nfr - 1];
      f->count++;
      if (next_is(&s, ',')) {
        if (f->obj && s.p < len && s.b[s.p] == '"') {
          s.tok = s.p;
          if ((t = string_fast(&s)) == TK_ERROR)
            goto out;
          goto key;
        }
        state = f->obj ? S_KEY : S_ARR_NEXT;
        continue;
      }
      if (next_is(&s, f->obj ? '}' : ']'))
        goto close;
    }
    continue;

  close:
    f = &fr[--nfr];
    tape->tok[f->tok].n = f->count;
    tape->tok[f->tok].next = tape->n;
    goto done;
  }

out:
  if (fr != inline_frames)
    free(fr);
  if (s.oom)
    return -2;
  return rc == 0 ? 0 : -1;
}
