/*
 * engine_int.h - the engine's private state, for engine.c and its tests.
 */
#ifndef EW_ENGINE_INT_H
#define EW_ENGINE_INT_H

#include "arena.h"
#include "engine.h"

struct ew_engine {
  ew_store *store;            /* borrowed */
  const ew_rules_config *cfg; /* borrowed */
  ew_emit_fn emit;
  void *emit_ud;
  /* The engine's notion of "now": moved only by ew_engine_advance and
   * never backwards. No rule of issue #2 is time-driven, so nothing reads
   * it yet; deadline rules will fire what falls due at or before it. */
  ew_time clock;
  /* History pruning (issue 3): the engine day (Asia/Shanghai, days since
   * the epoch) of the last prune, INT64_MIN before the first, and whether
   * that prune stopped at its per-call bound with old entries left. */
  int64_t hist_prune_day;
  int hist_prune_more;
  ew_arena arena; /* per-record scratch: findings, decoded alert states */
  char errmsg[512];
};

#endif /* EW_ENGINE_INT_H */
