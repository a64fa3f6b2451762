/*
 * uscc.h - 统一社会信用代码 (GB 32100-2015) and region code (GB/T 2260)
 * checks, for R25 and for building valid sample data.
 *
 * A failing code is a data-quality finding, never a decode error (contract
 * §1): callers get a reason, not a verdict on the record.
 */
#ifndef EW_USCC_H
#define EW_USCC_H

#include <stddef.h>

#define EW_USCC_LEN 18

typedef enum ew_uscc_status {
  EW_USCC_OK,
  EW_USCC_BAD_LENGTH, /* not 18 characters (UTF-8 characters, not bytes) */
  EW_USCC_BAD_CHAR,   /* a character outside 0-9 A-H J-N P-R T U W X Y */
  EW_USCC_BAD_CHECK   /* the 18th character is not the check character */
} ew_uscc_status;

/* Checks `s` (NUL-terminated). Lower-case letters are refused: the standard
 * writes codes in upper case and the contract carries them verbatim. */
ew_uscc_status ew_uscc_check(const char *s);

/* "ok", "length", "charset", "check_digit": the fact value R25 reports. */
const char *ew_uscc_status_name(ew_uscc_status st);

/* Computes the check character of the first 17 characters of `s`. Returns
 * it, or 0 when `s` is shorter than 17 characters or holds a character
 * outside the alphabet. */
char ew_uscc_check_char(const char *s);

/* 1 when `s` is six ASCII digits (the GB/T 2260 form), else 0. Whether the
 * code is a known one is configuration (rules.md D14), not checked here. */
int ew_region_code_format_ok(const char *s);

#endif /* EW_USCC_H */
