/*
 * kafka_producer.c - the transactional outbox sender (see kafka_producer.h).
 *
 * One Kafka transaction carries the outbox rows after `committed`, in seq
 * order, and ends with the progress marker of its last seq (progress.h).
 * Commit succeeded: the rows are published, once. Anything else (an abort,
 * a timeout, a fatal error, a crash) leaves the question "did it commit?"
 * to the one place that knows: the producer instance is replaced, its
 * init_transactions fences the old one and settles its last transaction,
 * and the last committed marker is read back. Rows up to it are deleted,
 * the rest are sent again. A crash at any instant takes the same path at the
 * next start, so there is one recovery, exercised by every failure.
 *
 * Only an abortable error (a message refused inside the transaction) keeps
 * the instance: the transaction is aborted, nothing of it is visible to a
 * read_committed consumer, and `committed` is still exact.
 *
 * librdkafka 2.0.2 specifics (style-and-idioms §B2, §B3): every
 * transactional call returns an rd_kafka_error_t that must be destroyed; a
 * commit that timed out is not retried on the same instance (the protocol
 * weaknesses of that version make replacing it the safe choice); delivery
 * reports and error_cb run only inside rd_kafka_poll and the transactional
 * calls, on this thread; message.timeout.ms may not exceed
 * transaction.timeout.ms.
 */
#include "kafka_producer.h"

#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "../daemon/log.h"
#include "progress.h"

/* QUEUE_FULL inside a transaction: poll this long per try, this many times,
 * then abort it (librdkafka holds 100000 messages by default, so this means
 * the broker is not taking any). */
#define QUEUE_FULL_POLL_MS 100
#define QUEUE_FULL_TRIES 100
/* Delivered rows are deleted at most this often (one fsync'd commit each),
 * or at once when this many wait. */
#define DELETE_INTERVAL_MS 1000
#define DELETE_BATCH 10000
/* Longest wait for init_transactions and the progress read per attempt. */
#define SETUP_TIMEOUT_MS 30000
/* A row the brokers refused this many transactions in a row, with an error
 * that does not pass by retrying, is parked (see park()). */
#define PARK_AFTER 5

struct ew_kafka_producer {
  rd_kafka_t *rk; /* NULL: to be created */
  const ew_config *cfg;
  ew_store *store;
  int64_t store_id;
  int inited;             /* init_transactions of rk returned */
  int ready;              /* ... and `committed` was read back */
  int fatal;              /* error_cb saw a fatal error */
  int64_t committed;      /* every outbox row <= it is published */
  int64_t deleted_upto;   /* ... and deleted from the outbox */
  int64_t last_delete_ms; /* monotonic */
  int64_t next_try_ms;    /* monotonic: no attempt before (backoff) */
  int failures;           /* in a row */
  int op_timeout_ms;      /* for one transactional call */
  uint64_t txn_count;     /* transactions begun, for the fault hook */
  uint64_t kill_in_txn;   /* EW_FAULT_KILL_IN_TXN, 0: off */
  int64_t dr_bad_seq;     /* first row of this transaction refused for good */
  rd_kafka_resp_err_t dr_bad_err;
  int64_t bad_seq; /* the row that failed the last transactions, 0: none */
  int bad_count;   /* ... how many in a row */
  rd_kafka_resp_err_t last_err;
  int64_t last_err_ms;
  ew_kafka_producer_stats st;
  char errmsg[512];
};

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 0.5 s, 1 s, 2 s ... 30 s */
static void fail_later(ew_kafka_producer *p) {
  int64_t ms = 500;
  for (int i = 1; i < p->failures && ms < 30000; i++)
    ms *= 2;
  p->failures++;
  p->next_try_ms = mono_ms() + (ms < 30000 ? ms : 30000);
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf) {
  (void)rk;
  /* The kafka group is shared by the consumers and the producer, so a
   * property of one is "ignored by" the other on every start: not news. */
  if (strcmp(fac, "CONFWARN") == 0 && strstr(buf, "will be ignored by"))
    level = 7;
  /* syslog levels: 0-3 errors, 4 warning, 5-6 notice/info, 7 debug */
  if (level <= 3)
    ew_err("librdkafka %s: %s", fac, buf);
  else if (level == 4)
    ew_warn("librdkafka %s: %s", fac, buf);
  else if (level <= 6)
    ew_info("librdkafka %s: %s", fac, buf);
  else
    ew_debug("librdkafka %s: %s", fac, buf);
}

/* Same error again within a minute: debug, so a broker outage does not
 * flood the log. */
static int loud(ew_kafka_producer *p, rd_kafka_resp_err_t err) {
  int64_t now = mono_ms();
  if (err == p->last_err && now - p->last_err_ms < 60000)
    return 0;
  p->last_err = err;
  p->last_err_ms = now;
  return 1;
}

/* Errors of the row's own bytes, which retrying will not cure. A topic
 * missing or forbidden is not one of them: it may be created or allowed in
 * a minute, so it stalls the outputs, loudly, rather than park any. */
static int refused_for_good(rd_kafka_resp_err_t err) {
  switch (err) {
  case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
  case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
  case RD_KAFKA_RESP_ERR_INVALID_RECORD:
  case RD_KAFKA_RESP_ERR_INVALID_MSG:
  case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
  case RD_KAFKA_RESP_ERR__INVALID_ARG:
    return 1;
  default:
    return 0;
  }
}

/* The outcome of the transaction is what commit says; a report is only
 * counted, logged if it failed, and remembered if it names a row the
 * cluster will not take. */
static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m,
                      void *opaque) {
  ew_kafka_producer *p = opaque;
  (void)rk;
  if (!m->err) {
    p->st.delivered++;
    return;
  }
  p->st.failed++;
  if (m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
      m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
    return; /* our own abort or replacement */
  int64_t seq = (int64_t)(intptr_t)m->_private;
  if (seq > 0 && !p->dr_bad_seq && refused_for_good(m->err)) {
    p->dr_bad_seq = seq;
    p->dr_bad_err = m->err;
  }
  if (loud(p, m->err))
    ew_err("producer: outbox row %" PRId64 " to %s not delivered: %s; its "
           "transaction is aborted and sent again",
           (int64_t)(intptr_t)m->_private, rd_kafka_topic_name(m->rkt),
           rd_kafka_err2str(m->err));
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason,
                     void *opaque) {
  ew_kafka_producer *p = opaque;
  (void)rk;
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    p->fatal = 1; /* replaced by the next call, outside callbacks */
    return;
  }
  if (loud(p, (rd_kafka_resp_err_t)err))
    ew_warn("producer: %s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)err),
            reason);
  else
    ew_debug("producer: %s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)err),
             reason);
}

static int conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                    char *errstr, size_t errstr_size) {
  char rderr[256];
  if (rd_kafka_conf_set(conf, name, value, rderr, sizeof rderr) ==
      RD_KAFKA_CONF_OK)
    return 0;
  snprintf(errstr, errstr_size, "%s=%s: %s", name, value, rderr);
  return -1;
}

static int create_rk(ew_kafka_producer *p, char *errstr, size_t errstr_size) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char maxbytes[32], txn_ms[32], rderr[512];
  snprintf(maxbytes, sizeof maxbytes, "%lld",
           (long long)ew_config_deadletter_max_bytes(p->cfg));
  snprintf(txn_ms, sizeof txn_ms, "%lld",
           (long long)p->cfg->transaction_timeout_ms);
  if (!conf) {
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
  }
  /* Defaults first, the file's `kafka` group next, then the guarantees. */
  if (conf_set(conf, "linger.ms", "10", errstr, errstr_size) != 0 ||
      /* Java's partitioner: keys land where Java producers put them. */
      conf_set(conf, "partitioner", "murmur2_random", errstr, errstr_size) !=
          0 ||
      conf_set(conf, "message.max.bytes", maxbytes, errstr, errstr_size) != 0 ||
      ew_config_kafka_conf(p->cfg, conf, errstr, errstr_size) != 0 ||
      conf_set(conf, "transactional.id", p->cfg->instance_id, errstr,
               errstr_size) != 0 ||
      conf_set(conf, "transaction.timeout.ms", txn_ms, errstr, errstr_size) !=
          0 ||
      /* A message that cannot be delivered within its transaction fails
       * the transaction, which is then sent again as a whole. */
      conf_set(conf, "message.timeout.ms", txn_ms, errstr, errstr_size) != 0 ||
      conf_set(conf, "log.queue", "true", errstr, errstr_size) != 0) {
    rd_kafka_conf_destroy(conf);
    return -1;
  }
  rd_kafka_conf_set_opaque(conf, p);
  rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
  rd_kafka_conf_set_error_cb(conf, error_cb);
  rd_kafka_conf_set_log_cb(conf, log_cb);
  p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, rderr, sizeof rderr);
  if (!p->rk) {
    rd_kafka_conf_destroy(conf); /* still ours: rd_kafka_new failed */
    snprintf(errstr, errstr_size, "creating the producer: %s", rderr);
    return -1;
  }
  rd_kafka_set_log_queue(p->rk, NULL);
  return 0;
}

/* Gives up the instance and whatever it holds; what was committed is read
 * back by the next setup(). */
static void drop_rk(ew_kafka_producer *p) {
  if (p->rk) {
    rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(p->rk, 0);
    rd_kafka_destroy(p->rk);
    p->rk = NULL;
  }
  p->inited = p->ready = p->fatal = 0;
}

/* The state file's identity, made at its first use by a producer. */
static int load_store_id(ew_kafka_producer *p, char *errstr,
                         size_t errstr_size) {
  int found = 0;
  if (ew_store_meta_get(p->store, "store_id", &p->store_id, &found) != 0)
    goto fail;
  if (found)
    return 0;
  uint64_t r = 0;
  if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
    r = (uint64_t)time(NULL) ^ ((uint64_t)mono_ms() << 20);
  p->store_id = (int64_t)(r >> 1);
  if (ew_store_begin(p->store) != 0)
    goto fail;
  if (ew_store_meta_put(p->store, "store_id", p->store_id) != 0 ||
      ew_store_commit(p->store) != 0) {
    ew_store_rollback(p->store);
    goto fail;
  }
  return 0;
fail:
  snprintf(errstr, errstr_size, "producer: state file id: %s",
           ew_store_errmsg(p->store));
  return -1;
}

int ew_kafka_producer_new(ew_kafka_producer **out, const ew_config *cfg,
                          ew_store *store, char *errstr, size_t errstr_size) {
  ew_kafka_producer *p = calloc(1, sizeof *p);
  *out = NULL;
  if (!p) {
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
  }
  p->cfg = cfg;
  p->store = store;
  /* A transactional call blocks the daemon's loop, signals included: no
   * longer than a graceful stop may take. One that times out is settled
   * by the next instance (setup), so a short bound loses nothing. */
  p->op_timeout_ms =
      (int)(cfg->shutdown_timeout_ms < cfg->transaction_timeout_ms
                ? cfg->shutdown_timeout_ms
                : cfg->transaction_timeout_ms);
  const char *fault = getenv("EW_FAULT_KILL_IN_TXN");
  if (fault && *fault) {
    p->kill_in_txn = strtoull(fault, NULL, 10);
    ew_warn("producer: fault hook EW_FAULT_KILL_IN_TXN=%" PRIu64 ": this "
            "process kills itself inside that transaction",
            p->kill_in_txn);
  }
  if (load_store_id(p, errstr, errstr_size) != 0 ||
      create_rk(p, errstr, errstr_size) != 0) {
    free(p);
    return -1;
  }
  *out = p;
  return 0;
}

void ew_kafka_producer_destroy(ew_kafka_producer *p) {
  if (!p)
    return;
  drop_rk(p);
  free(p);
}

const char *ew_kafka_producer_errmsg(const ew_kafka_producer *p) {
  return p->errmsg;
}

/* After a failed transactional call: an abortable error (or `abort`, a
 * row refused before anything was sent) aborts and keeps the instance;
 * anything else, or an abort that fails, replaces it. Destroys `error`. */
static void txn_failed(ew_kafka_producer *p, const char *what,
                       rd_kafka_error_t *error, int abort) {
  rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  abort = (abort || rd_kafka_error_txn_requires_abort(error)) && !p->fatal &&
          !rd_kafka_error_is_fatal(error);
  if (loud(p, code))
    ew_err("producer: %s: %s%s", what, rd_kafka_error_string(error),
           abort ? "; aborting the transaction, to be sent again"
                 : "; replacing the producer instance");
  else
    ew_debug("producer: %s: %s", what, rd_kafka_error_string(error));
  rd_kafka_error_destroy(error);
  if (abort) {
    rd_kafka_error_t *e2 = rd_kafka_abort_transaction(p->rk, p->op_timeout_ms);
    if (!e2) {
      p->st.aborted++;
      fail_later(p);
      return;
    }
    ew_err("producer: abort_transaction: %s; replacing the producer instance",
           rd_kafka_error_string(e2));
    rd_kafka_error_destroy(e2);
  }
  drop_rk(p);
  p->st.recreated++;
  fail_later(p);
}

static int delete_committed(ew_kafka_producer *p) {
  if (p->committed <= p->deleted_upto)
    return 0;
  /* A failed BEGIN leaves alone whatever transaction is open: it is not
   * ours to roll back (a caller's batch inside it would be lost). */
  if (ew_store_begin(p->store) != 0)
    goto fail;
  if (ew_store_outbox_delete_upto(p->store, p->committed) != 0 ||
      ew_store_commit(p->store) != 0) {
    ew_store_rollback(p->store);
    goto fail;
  }
  p->deleted_upto = p->committed;
  p->last_delete_ms = mono_ms();
  return 0;
fail:
  /* Not again for 30 s: a full disk would otherwise fail and log on every
   * turn of the daemon's loop (the rows are harmless meanwhile: the
   * progress marker already says they are published). */
  p->last_delete_ms = mono_ms() + 30000 - DELETE_INTERVAL_MS;
  snprintf(p->errmsg, sizeof p->errmsg,
           "producer: deleting published outbox rows: %s",
           ew_store_errmsg(p->store));
  return -1;
}

/* Creates the instance if needed, initialises its transactions and reads
 * back what is committed. Returns 0 ready, -1 not (yet): tried again after
 * a pause. */
static int setup(ew_kafka_producer *p) {
  char err[512];
  if (p->ready)
    return 0;
  if (mono_ms() < p->next_try_ms)
    return -1;
  if (p->fatal)
    drop_rk(p);
  if (!p->rk && create_rk(p, err, sizeof err) != 0) {
    ew_err("producer: %s", err);
    fail_later(p);
    return -1;
  }
  int timeout =
      p->op_timeout_ms < SETUP_TIMEOUT_MS ? p->op_timeout_ms : SETUP_TIMEOUT_MS;
  if (!p->inited) {
    rd_kafka_error_t *error = rd_kafka_init_transactions(p->rk, timeout);
    if (error) {
      if (loud(p, rd_kafka_error_code(error)))
        ew_err("producer: init_transactions (transactional.id %s): %s; "
               "trying again",
               p->cfg->instance_id, rd_kafka_error_string(error));
      /* A timeout may be resumed by calling again; anything else needs a
       * new instance. */
      if (!rd_kafka_error_is_retriable(error))
        drop_rk(p);
      rd_kafka_error_destroy(error);
      fail_later(p);
      return -1;
    }
    p->inited = 1;
  }
  ew_progress prog;
  if (ew_progress_read(p->cfg, &prog, timeout, err, sizeof err) != 0) {
    if (loud(p, RD_KAFKA_RESP_ERR__STATE))
      ew_err("producer: %s; trying again", err);
    fail_later(p);
    return -1;
  }
  int64_t committed = 0;
  if (prog.found && prog.store_id == p->store_id)
    committed = prog.seq;
  else if (prog.found)
    ew_warn("producer: the last progress marker of %s was written for "
            "another state file (id %" PRId64 ", this one is %" PRId64
            "); nothing of this file counts as published",
            p->cfg->instance_id, prog.store_id, p->store_id);
  /* Rows up to it are published; new rows must number above it even when
   * the file is older than the marker (restored from a backup). */
  if (ew_store_begin(p->store) != 0)
    goto store_fail;
  if (ew_store_outbox_reserve_upto(p->store, committed) != 0 ||
      ew_store_outbox_delete_upto(p->store, committed) != 0 ||
      ew_store_commit(p->store) != 0) {
    ew_store_rollback(p->store);
    goto store_fail;
  }
  if (committed != p->committed || p->st.transactions == 0)
    ew_info("producer: %s ready; outbox rows up to %" PRId64 " are published",
            p->cfg->instance_id, committed);
  p->committed = p->deleted_upto = committed;
  p->ready = 1;
  p->failures = 0;
  return 0;
store_fail:
  snprintf(p->errmsg, sizeof p->errmsg, "producer: %s",
           ew_store_errmsg(p->store));
  ew_err("%s", p->errmsg);
  fail_later(p);
  return -1;
}

static int first_seq(void *ud, const ew_outbox_row *row) {
  *(int64_t *)ud = row->seq;
  return 1;
}

/* A row the cluster keeps refusing (larger than a topic takes, a topic
 * deleted or forbidden to us) would hold back every output behind it for
 * good. After PARK_AFTER refusals in a row (at once when librdkafka itself
 * can never send it) it is moved, bytes and reason, to the state file's
 * outbox_parked table, loudly, and the outputs behind it go on. Returns 1
 * when parked. */
static int park_if_hopeless(ew_kafka_producer *p, int64_t seq,
                            rd_kafka_resp_err_t err, int local) {
  if (!seq || !refused_for_good(err)) {
    p->bad_seq = 0;
    return 0;
  }
  if (seq == p->bad_seq)
    p->bad_count++;
  else {
    p->bad_seq = seq;
    p->bad_count = 1;
  }
  int at_once = local && (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ||
                          err == RD_KAFKA_RESP_ERR__INVALID_ARG);
  if (!at_once && p->bad_count < PARK_AFTER)
    return 0;
  char reason[200];
  snprintf(reason, sizeof reason, "%s (%s, %d time(s))", rd_kafka_err2str(err),
           rd_kafka_err2name(err), p->bad_count);
  if (ew_store_begin(p->store) != 0)
    goto fail;
  if (ew_store_outbox_park(p->store, seq, reason) != 0 ||
      ew_store_commit(p->store) != 0) {
    ew_store_rollback(p->store);
    goto fail;
  }
  p->st.parked++;
  p->bad_seq = 0;
  /* Parked first in line, it must not hold back the Kafka offsets of the
   * input behind it (delivered_upto) when no output follows it. */
  int64_t next = 0;
  if (ew_store_outbox_scan(p->store, p->committed, 1, first_seq, &next) >= 0 &&
      (next == 0 || next > seq) && seq > p->committed)
    p->committed = seq;
  p->failures = 0;
  p->next_try_ms = 0;
  ew_err("producer: outbox row %" PRId64 " refused: %s; parked in the state "
         "file's outbox_parked table with its bytes, the outputs behind it "
         "go on",
         seq, reason);
  return 1;
fail:
  ew_err("producer: parking outbox row %" PRId64 ": %s", seq,
         ew_store_errmsg(p->store));
  return 0;
}

/* ---- one transaction ---- */

typedef struct txn {
  ew_kafka_producer *p;
  int begun;
  int handed;
  int64_t last;                /* highest seq produced */
  rd_kafka_error_t *err;       /* a transactional call failed */
  rd_kafka_resp_err_t refused; /* produce refused a row */
  int64_t refused_seq;
} txn;

static int produce_row(txn *t, const ew_outbox_row *row) {
  ew_kafka_producer *p = t->p;
  rd_kafka_headers_t *hdrs = NULL;
  if (row->nheaders > 0) {
    hdrs = rd_kafka_headers_new(row->nheaders);
    for (size_t i = 0; i < row->nheaders; i++)
      rd_kafka_header_add(hdrs, row->headers[i].name, -1, row->headers[i].value,
                          (ssize_t)row->headers[i].len);
  }
  for (int tries = 0;; tries++) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        p->rk, RD_KAFKA_V_TOPIC(row->topic),
        RD_KAFKA_V_KEY(row->key, row->key ? row->key_len : 0),
        RD_KAFKA_V_VALUE((void *)row->value, row->value ? row->value_len : 0),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_OPAQUE((void *)(intptr_t)row->seq), RD_KAFKA_V_HEADERS(hdrs),
        RD_KAFKA_V_END);
    if (!err) {
      p->st.produced++;
      return 0; /* hdrs belong to librdkafka now */
    }
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && tries < QUEUE_FULL_TRIES) {
      rd_kafka_poll(p->rk, QUEUE_FULL_POLL_MS);
      continue;
    }
    if (hdrs)
      rd_kafka_headers_destroy(hdrs);
    t->refused = err;
    t->refused_seq = row->seq;
    return -1;
  }
}

static int visit_row(void *ud, const ew_outbox_row *row) {
  txn *t = ud;
  ew_kafka_producer *p = t->p;
  if (!t->begun) {
    t->err = rd_kafka_begin_transaction(p->rk);
    if (t->err)
      return 1;
    t->begun = 1;
    p->txn_count++;
  }
  if (produce_row(t, row) != 0)
    return 1;
  t->handed++;
  t->last = row->seq;
  return 0;
}

/* Ends the transaction with its progress marker and commits it. */
static void commit(txn *t) {
  ew_kafka_producer *p = t->p;
  char value[64];
  int len = ew_progress_format(value, sizeof value, p->store_id, t->last);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      p->rk, RD_KAFKA_V_TOPIC(p->cfg->topics.progress),
      RD_KAFKA_V_KEY(p->cfg->instance_id, strlen(p->cfg->instance_id)),
      RD_KAFKA_V_VALUE(value, (size_t)len),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(NULL),
      RD_KAFKA_V_END);
  if (err) {
    t->refused = err;
    t->refused_seq = 0;
    return;
  }
  if (p->kill_in_txn && p->txn_count == p->kill_in_txn) {
    ew_warn("producer: fault hook: SIGKILL inside transaction %" PRIu64
            " (outbox rows up to %" PRId64 " produced, not committed)",
            p->txn_count, t->last);
    rd_kafka_flush(p->rk, 1000); /* let the rows reach the broker first */
    raise(SIGKILL);
  }
  t->err = rd_kafka_commit_transaction(p->rk, p->op_timeout_ms);
}

int ew_kafka_producer_send(ew_kafka_producer *p) {
  if (setup(p) != 0 || mono_ms() < p->next_try_ms)
    return 0;
  txn t = {p, 0, 0, 0, NULL, RD_KAFKA_RESP_ERR_NO_ERROR, 0};
  int64_t t0 = mono_ms();
  p->dr_bad_seq = 0;
  int scanned =
      ew_store_outbox_scan(p->store, p->committed,
                           (size_t)p->cfg->transaction_max_rows, visit_row, &t);
  if (t.err) {
    txn_failed(p, "begin_transaction", t.err, 0);
    return 0;
  }
  if (scanned < 0) {
    snprintf(p->errmsg, sizeof p->errmsg, "producer: reading the outbox: %s",
             ew_store_errmsg(p->store));
    if (t.begun)
      txn_failed(p, "reading the outbox",
                 rd_kafka_error_new(RD_KAFKA_RESP_ERR__STATE, "%s", p->errmsg),
                 1);
    return -1;
  }
  if (!t.begun)
    return 0; /* nothing to send */
  if (!t.refused)
    commit(&t);
  if (t.refused) {
    /* The rows produced so far must not be published without their
     * marker: abort. A row refused for good (larger than the broker
     * takes) stops the outputs behind it, loudly, until it is fixed. */
    char what[96];
    if (t.refused_seq)
      snprintf(what, sizeof what, "outbox row %" PRId64 " refused",
               t.refused_seq);
    else
      snprintf(what, sizeof what, "progress marker refused");
    txn_failed(p, what,
               rd_kafka_error_new(t.refused, "%s", rd_kafka_err2str(t.refused)),
               1);
    park_if_hopeless(p, t.refused_seq, t.refused, 1);
    return 0;
  }
  if (t.err) {
    txn_failed(p, "commit_transaction", t.err, 0);
    park_if_hopeless(p, p->dr_bad_seq, p->dr_bad_err, 0);
    return 0;
  }
  p->bad_seq = 0;
  p->committed = t.last;
  p->st.transactions++;
  p->failures = 0;
  ew_debug("producer: transaction %" PRIu64 ": %d row(s) up to %" PRId64
           " committed in %" PRId64 " ms",
           p->txn_count, t.handed, t.last, mono_ms() - t0);
  return t.handed;
}

int ew_kafka_producer_poll(ew_kafka_producer *p, int timeout_ms) {
  if (p->rk)
    rd_kafka_poll(p->rk, timeout_ms);
  if (p->fatal && p->rk) {
    char reason[400];
    rd_kafka_resp_err_t err =
        rd_kafka_fatal_error(p->rk, reason, sizeof reason);
    ew_err("producer: fatal error %s: %s; replacing the producer instance",
           rd_kafka_err2name(err), reason);
    drop_rk(p);
    p->st.recreated++;
  }
  int64_t now = mono_ms();
  if (p->committed > p->deleted_upto && now >= p->last_delete_ms &&
      (p->committed - p->deleted_upto >= DELETE_BATCH ||
       now - p->last_delete_ms >= DELETE_INTERVAL_MS))
    return delete_committed(p);
  return 0;
}

int64_t ew_kafka_producer_delivered_upto(const ew_kafka_producer *p) {
  return p->committed;
}

int ew_kafka_producer_flush(ew_kafka_producer *p, int timeout_ms,
                            int64_t *undelivered) {
  int64_t deadline = mono_ms() + timeout_ms;
  int rc = 0, saved = p->op_timeout_ms;
  for (;;) {
    int64_t left = deadline - mono_ms(), last = 0;
    if (left <= 0)
      break;
    p->op_timeout_ms = left < saved ? (int)left : saved;
    if (ew_kafka_producer_send(p) < 0)
      rc = -1;
    if (ew_store_outbox_last_seq(p->store, &last) != 0) {
      rc = -1;
      break;
    }
    if (last <= p->committed)
      break; /* everything is published */
    left = deadline - mono_ms();
    ew_kafka_producer_poll(p, left > 100 ? 100 : (left > 0 ? (int)left : 0));
  }
  p->op_timeout_ms = saved;
  if (delete_committed(p) != 0)
    rc = -1;
  if (undelivered) {
    int64_t left = -1;
    if (ew_store_outbox_count(p->store, &left) != 0)
      rc = -1;
    *undelivered = left;
  }
  return rc;
}

void ew_kafka_producer_get_stats(const ew_kafka_producer *p,
                                 ew_kafka_producer_stats *st) {
  *st = p->st;
}
