/*
 * sample.h - the follow-up sample of rules.md §4 item 2 (电话走访/网络问卷):
 * which enterprises a supervisor phones about the inspections they had,
 * drawn per agency, stratified by credit grade, reproducibly from a seed.
 *
 * The draw is a pure function of its input rows and parameters: the same
 * rows (in any order) and the same seed give the same sample on every
 * machine. It is specified here exactly, so that anyone can redo it:
 *
 *  1. Population. Rows (agency_uscc, enterprise_uscc, inspection_id,
 *     grade) are grouped by agency and, within an agency, by enterprise:
 *     the agency's population is its distinct enterprises; each keeps the
 *     distinct inspection ids of its rows (sorted bytewise). An enterprise
 *     whose rows disagree on the grade takes the best known one (A before
 *     B, C, D); it is "unknown" only when no row knows it.
 *  2. Size. N = the agency's population. n = ceil(N * rate_ppm / 1e6),
 *     computed in integers; then n = max(n, min), n = min(n, max),
 *     n = min(n, N). (Defaults: rate 5% = 50000 ppm, min 5, max 50.)
 *  3. Strata, in this order: A, B, C, D, unknown. Proportional allocation
 *     by largest remainder: stratum s of N_s enterprises first gets
 *     floor(n * N_s / N); the seats left go one each to the strata with
 *     the largest remainders (n * N_s) mod N, ties to the earlier stratum.
 *  4. Randomness. splitmix64 (Steele, Lea, Flood 2014):
 *       state += 0x9e3779b97f4a7c15; z = state;
 *       z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
 *       z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
 *       return z ^ (z >> 31);
 *     one stream per agency, its state starting at
 *     seed XOR FNV-1a-64(agency_uscc) (offset basis 0xcbf29ce484222325,
 *     prime 0x100000001b3, over the bytes of the USCC), so that adding or
 *     removing another agency's rows changes nothing in this agency's
 *     draw. A number below b is drawn by rejection: draw x until
 *     x >= (2^64 - b) mod b, then take x mod b (unbiased).
 *  5. Draw. For each stratum in the order of 3, one after the other on the
 *     agency's stream: its enterprises sorted bytewise by enterprise_uscc
 *     (m of them, k seats), then a partial Fisher–Yates shuffle: for
 *     i = 0 .. k-1, j = i + uniform(m - i), swap(e[i], e[j]); the sample is
 *     e[0 .. k-1] in that order.
 *  6. Output: agencies sorted bytewise by agency_uscc; within an agency the
 *     strata in the order of 3 and, within a stratum, the draw order of 5;
 *     `rank` numbers them from 1.
 *
 * The default seed of a period is FNV-1a-64 of its text ("2025-H1"), so a
 * rerun without --seed draws the same sample.
 */
#ifndef EW_SAMPLE_H
#define EW_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "record.h"

/* Strata: the credit grades EW_GRADE_A..EW_GRADE_D, then enterprises with
 * no credit_grade record on file. */
enum { EW_SAMPLE_UNKNOWN = 4, EW_SAMPLE_NSTRATA = 5 };

/* "A", "B", "C", "D", "UNKNOWN". */
const char *ew_sample_stratum_name(int stratum);

/* One inspection of the population. */
typedef struct ew_sample_row {
  const char *agency_uscc;
  const char *enterprise_uscc;
  const char *inspection_id;
  int grade; /* EW_GRADE_A..EW_GRADE_D, or -1 when not on file */
} ew_sample_row;

typedef struct ew_sample_params {
  uint64_t seed;
  uint32_t rate_ppm; /* parts per million of the population, <= 1000000 */
  size_t min, max;   /* min <= max */
} ew_sample_params;

/* One enterprise drawn. */
typedef struct ew_sample_pick {
  size_t rank; /* 1-based, within its agency */
  const char *enterprise_uscc;
  int stratum;                 /* EW_GRADE_A..EW_GRADE_D or EW_SAMPLE_UNKNOWN */
  const char **inspection_ids; /* sorted, distinct */
  size_t ninspections;
} ew_sample_pick;

typedef struct ew_sample_agency {
  const char *agency_uscc;
  size_t population;                      /* distinct enterprises */
  size_t stratum_pop[EW_SAMPLE_NSTRATA];  /* enterprises per stratum */
  size_t stratum_size[EW_SAMPLE_NSTRATA]; /* drawn per stratum */
  size_t n;                               /* drawn in all */
  ew_sample_pick *picks;                  /* n of them */
} ew_sample_agency;

/* A drawn sample; every string and array is in `arena`. */
typedef struct ew_sample {
  ew_arena arena;
  ew_sample_agency *agencies; /* sorted by agency_uscc */
  size_t nagencies;
} ew_sample;

/* Draws the sample of `rows` (borrowed; strings copied) into *out, which
 * must be zeroed or freed before. Rows with an empty or NULL agency,
 * enterprise or inspection id are ignored. Returns 0, or -1 with the reason
 * in errstr (bad parameters, out of memory). */
int ew_sample_draw(const ew_sample_row *rows, size_t nrows,
                   const ew_sample_params *p, ew_sample *out, char *errstr,
                   size_t errstr_size);
/* Frees what a draw allocated and zeroes *s. Accepts NULL. */
void ew_sample_free(ew_sample *s);

/* ---- the steps of the draw, exposed so that tests and other tools can
 * check each one against the description above ---- */

/* Step 2: the sample size of a population of `population`. */
size_t ew_sample_size(size_t population, const ew_sample_params *p);
/* Step 3: splits `n` (<= the sum of pop) over the strata. */
void ew_sample_allocate(size_t n, const size_t pop[EW_SAMPLE_NSTRATA],
                        size_t out[EW_SAMPLE_NSTRATA]);
/* Step 4. */
uint64_t ew_sample_fnv1a64(const char *s);
uint64_t ew_sample_splitmix64(uint64_t *state);
/* A uniform number in [0, bound), bound > 0. */
uint64_t ew_sample_uniform(uint64_t *state, uint64_t bound);

/* ---- periods and parameters as the command line gives them ---- */

/* Parses "YYYY-Hn" (n 1-2), "YYYY-Qn" (n 1-4) or "YYYY-MM" into the
 * Asia/Shanghai interval [*from, *to). Returns 0, or -1 if `s` is none of
 * them. */
int ew_sample_period(const char *s, ew_time *from, ew_time *to);
/* The seed used when none is given: FNV-1a-64 of the period's text. */
uint64_t ew_sample_default_seed(const char *period);
/* Parses a rate "0.05" (at most 6 decimals) or "5%" (at most 4 decimals)
 * within [0, 1] into parts per million. Returns 0, or -1. */
int ew_sample_parse_rate(const char *s, uint32_t *ppm);

/* ---- the questionnaire (问卷) that goes with each enterprise ---- */

typedef struct ew_sample_question {
  const char *id;       /* "cert_shown": the answer's column name */
  const char *zh;       /* 检查人员是否出示执法证件 */
  const char *en;       /* English gloss */
  const char *rules;    /* the rules an answer feeds: "R06" */
  const char *concern;  /* the answer that calls for follow-up: "否" */
  const char *category; /* complaint category of such an answer, or NULL */
} ew_sample_question;

extern const ew_sample_question ew_sample_questions[];
extern const size_t ew_sample_nquestions;

#endif /* EW_SAMPLE_H */
