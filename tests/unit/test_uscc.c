/*
 * test_uscc.c - GB 32100-2015 check character and region code format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "uscc.h"

/* The three codes rules.md §3 verified by hand. */
static void test_sample_codes_pass(void **state) {
  (void)state;
  assert_int_equal(ew_uscc_check("913502000728319549"), EW_USCC_OK);
  assert_int_equal(ew_uscc_check("9135021359498494XQ"), EW_USCC_OK);
  assert_int_equal(ew_uscc_check("91350213678251743X"), EW_USCC_OK);
}

static void test_check_char_computed(void **state) {
  (void)state;
  assert_int_equal(ew_uscc_check_char("91350200072831954"), '9');
  assert_int_equal(ew_uscc_check_char("9135021359498494X"), 'Q');
  assert_int_equal(ew_uscc_check_char("91350213678251743"), 'X');
  /* The fixtures' agency code: check character G. */
  assert_int_equal(ew_uscc_check_char("11622900MB1234567"), 'G');
  /* Works on a full code too: only the first 17 characters count. */
  assert_int_equal(ew_uscc_check_char("913502000728319549"), '9');
  /* A character outside the alphabet or a short input gives 0. */
  assert_int_equal(ew_uscc_check_char("9135020007283195I"), 0);
  assert_int_equal(ew_uscc_check_char("9135"), 0);
}

static void test_wrong_check_char(void **state) {
  (void)state;
  assert_int_equal(ew_uscc_check("913502000728319548"), EW_USCC_BAD_CHECK);
  assert_int_equal(ew_uscc_check("9135021359498494XR"), EW_USCC_BAD_CHECK);
  assert_string_equal(ew_uscc_status_name(EW_USCC_BAD_CHECK), "check_digit");
}

static void test_every_position_matters(void **state) {
  (void)state;
  /* Changing any one of the first 17 characters breaks the check, because
   * every weight is non-zero mod 31. */
  const char *good = "91350213678251743X";
  for (int i = 0; i < 17; i++) {
    char c[19];
    memcpy(c, good, 19);
    c[i] = c[i] == '1' ? '2' : '1';
    assert_int_equal(ew_uscc_check(c), EW_USCC_BAD_CHECK);
  }
}

static void test_length_and_charset(void **state) {
  (void)state;
  assert_int_equal(ew_uscc_check(""), EW_USCC_BAD_LENGTH);
  assert_int_equal(ew_uscc_check("91350213678251743"), EW_USCC_BAD_LENGTH);
  assert_int_equal(ew_uscc_check("91350213678251743X0"), EW_USCC_BAD_LENGTH);
  /* I, O, S, V, Z are never used; lower case is not the standard form. */
  assert_int_equal(ew_uscc_check("9135021367825174IX"), EW_USCC_BAD_CHAR);
  assert_int_equal(ew_uscc_check("913502136782517O3X"), EW_USCC_BAD_CHAR);
  assert_int_equal(ew_uscc_check("91350213678251743S"), EW_USCC_BAD_CHAR);
  assert_int_equal(ew_uscc_check("91350213678251743x"), EW_USCC_BAD_CHAR);
  assert_string_equal(ew_uscc_status_name(EW_USCC_BAD_LENGTH), "length");
  assert_string_equal(ew_uscc_status_name(EW_USCC_BAD_CHAR), "charset");
}

static void test_region_format(void **state) {
  (void)state;
  assert_true(ew_region_code_format_ok("622901"));
  assert_true(ew_region_code_format_ok("620000"));
  assert_false(ew_region_code_format_ok("62290"));
  assert_false(ew_region_code_format_ok("6229011"));
  assert_false(ew_region_code_format_ok("62290A"));
  assert_false(ew_region_code_format_ok(""));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sample_codes_pass),
      cmocka_unit_test(test_check_char_computed),
      cmocka_unit_test(test_wrong_check_char),
      cmocka_unit_test(test_every_position_matters),
      cmocka_unit_test(test_length_and_charset),
      cmocka_unit_test(test_region_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
