/*
 * uscc.c - GB 32100-2015 check character (rules.md §3).
 *
 * v(c) is the character's index in the 31-character alphabet; weights are
 * 3^(i-1) mod 31; C18 = (31 - sum mod 31) mod 31 mapped back through the
 * alphabet. The weights are spelled out rather than computed so that a
 * reader can compare them with the standard's table.
 */
#include "uscc.h"

#include <string.h>

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                29, 25, 13, 8,  24, 10, 30, 28};

/* v(c) + 1 for the alphabet's characters, 0 for the rest: R25 checks every
 * code of every event, so this is a table rather than a strchr per char. */
static const unsigned char value_plus_1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,
    ['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12,
    ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16, ['G'] = 17, ['H'] = 18,
    ['J'] = 19, ['K'] = 20, ['L'] = 21, ['M'] = 22, ['N'] = 23, ['P'] = 24,
    ['Q'] = 25, ['R'] = 26, ['T'] = 27, ['U'] = 28, ['W'] = 29, ['X'] = 30,
    ['Y'] = 31};

static int char_value(char c) {
  return (int)value_plus_1[(unsigned char)c] - 1;
}

char ew_uscc_check_char(const char *s) {
  int sum = 0;
  for (int i = 0; i < 17; i++) {
    int v = char_value(s[i]);
    if (v < 0)
      return 0;
    sum += v * weights[i];
  }
  return alphabet[(31 - sum % 31) % 31];
}

ew_uscc_status ew_uscc_check(const char *s) {
  /* The length is counted in characters (UTF-8 lead bytes), not bytes: a
   * code keyed with a full-width character (全角 "Ａ") has 18 characters
   * and more than 18 bytes, and what is wrong with it is its charset. */
  size_t bytes = 0, chars = 0;
  for (; s[bytes]; bytes++)
    chars += ((unsigned char)s[bytes] & 0xC0) != 0x80;
  if (chars != EW_USCC_LEN)
    return EW_USCC_BAD_LENGTH;
  if (bytes != EW_USCC_LEN)
    return EW_USCC_BAD_CHAR;
  int sum = 0;
  for (int i = 0; i < EW_USCC_LEN; i++) {
    int v = char_value(s[i]);
    if (v < 0)
      return EW_USCC_BAD_CHAR;
    if (i < 17)
      sum += v * weights[i];
  }
  return alphabet[(31 - sum % 31) % 31] == s[17] ? EW_USCC_OK
                                                 : EW_USCC_BAD_CHECK;
}

const char *ew_uscc_status_name(ew_uscc_status st) {
  switch (st) {
  case EW_USCC_OK:
    return "ok";
  case EW_USCC_BAD_LENGTH:
    return "length";
  case EW_USCC_BAD_CHAR:
    return "charset";
  case EW_USCC_BAD_CHECK:
    return "check_digit";
  }
  return "unknown";
}

int ew_region_code_format_ok(const char *s) {
  for (int i = 0; i < 6; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return s[6] == '\0';
}
