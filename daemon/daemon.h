/*
 * daemon.h - the enforcewatchd process: consumers -> engine -> producer.
 *
 * One loop on one thread (Redis's shape: a context struct instead of
 * globals, and a periodic tick). Each iteration is one batch, one SQLite
 * transaction:
 *   1. drain what the reference consumer has fetched (refs before events);
 *   2. poll events until batch.max_records or batch.max_ms;
 *   3. decode each message (bad input -> dead-letter row), apply it to the
 *      engine, whose outputs are encoded and appended to the outbox;
 *   4. on the tick, advance the engine's clock to the wall clock;
 *   5. record every consumed partition's next offset in SQLite and commit;
 *   6. hand the outbox to the producer; once every output of a batch is
 *      delivered, store and commit that batch's offsets in Kafka.
 * A store or engine failure rolls the batch back, rewinds the consumers to
 * the batch's first offsets and retries after a pause; no offset is ever
 * committed for work that is not saved.
 */
#ifndef EW_DAEMON_H
#define EW_DAEMON_H

#include <signal.h>
#include <stddef.h>

#include "config.h"

typedef struct ew_daemon ew_daemon;

/* Set by the SIGTERM/SIGINT handler (to the signal number); the loop stops
 * at the end of the current batch. The one global of the daemon: a signal
 * handler cannot be handed a context. */
extern volatile sig_atomic_t ew_daemon_stop_signal;

/* Installs the handlers: SIGTERM/SIGINT set ew_daemon_stop_signal, a second
 * one exits at once (the state file is crash-safe); SIGALRM, armed when the
 * graceful shutdown starts, exits when it overruns; SIGPIPE is ignored. */
int ew_daemon_install_signals(void);

/* Opens the store, loads the schemas, creates the engine, the producer and
 * the reference consumer. `cfg` is borrowed and must outlive the daemon.
 * Returns 0, or -1 with the reason in errstr. */
int ew_daemon_new(ew_daemon **out, const ew_config *cfg, char *errstr,
                  size_t errstr_size);

/* Re-sends the outbox, bootstraps the reference topics, joins the consumer
 * group and runs the loop until a stop signal or a fatal error, then shuts
 * down gracefully within shutdown_timeout_ms (finishes the batch, flushes
 * the producer, commits what was delivered, leaves the group). Returns the
 * process exit code: 0 after a stop signal, 1 after a fatal error. */
int ew_daemon_run(ew_daemon *d);

/* Releases everything (closing whatever ew_daemon_run did not). Accepts
 * NULL. */
void ew_daemon_destroy(ew_daemon *d);

#endif /* EW_DAEMON_H */
