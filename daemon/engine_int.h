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
  ew_arena arena; /* per-record scratch: findings, decoded alert states */
  char errmsg[512];
};

#endif /* EW_ENGINE_INT_H */
