/*
 * progress.h - the producer's progress marker.
 *
 * Every Kafka transaction of the outbox sender ends with one record on the
 * progress topic (compacted, one partition): key = the daemon's instance_id,
 * value = "<store id> <seq>", the highest outbox seq the transaction holds.
 * The marker commits or aborts with the outputs it counts, so after a crash
 * the last committed marker says exactly which outbox rows a read_committed
 * consumer has already seen. The store id (a random number kept in the
 * state file) tells a marker of this state file from one left by an earlier
 * file under the same instance_id.
 */
#ifndef EW_PROGRESS_H
#define EW_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "../daemon/config.h"

typedef struct ew_progress {
  int found;        /* a marker of this instance_id was read */
  int64_t store_id; /* of the state file that wrote it */
  int64_t seq;      /* every outbox row <= seq is committed */
} ew_progress;

/* Writes the marker value into buf (NUL-terminated). Returns its length
 * without the NUL, or -1 when n is too small. */
int ew_progress_format(char *buf, size_t n, int64_t store_id, int64_t seq);

/* Parses a marker value. Returns 0, or -1 when it is not one. */
int ew_progress_parse(const void *value, size_t len, int64_t *store_id,
                      int64_t *seq);

/* Reads the progress topic of `cfg` from its beginning up to its end with a
 * read_committed consumer and returns the last marker keyed by
 * cfg->instance_id. Call it after rd_kafka_init_transactions of that
 * transactional.id has returned: the broker has then settled the previous
 * instance's last transaction, so no marker of ours is still pending.
 * Returns 0 (out->found may be 0: nothing committed yet), or -1 with the
 * reason in errstr (no broker within timeout_ms, a missing topic). */
int ew_progress_read(const ew_config *cfg, ew_progress *out, int timeout_ms,
                     char *errstr, size_t errstr_size);

#endif /* EW_PROGRESS_H */
