/*
 * store.c - the SQLite store: offsets, outbox, reference records (with an
 * in-memory cache) and the engine's keyed state, in one WAL file.
 *
 * Idioms (style-and-idioms §B6): open_v2 with extended result codes; WAL
 * checked to be on (a file that silently stayed in rollback mode would make
 * every commit fsync twice); synchronous=FULL: the outbox rows of a commit
 * may be in a committed Kafka transaction a moment later, so the commit
 * must survive a power loss too (with NORMAL the state would roll back
 * behind outputs already published, and the re-run could number different
 * outputs the same); every statement prepared once (PERSISTENT)
 * and reset + cleared after each use, so no statement pins a WAL snapshot;
 * migrations in one BEGIN IMMEDIATE keyed by user_version.
 *
 * Reference records of the kinds whose number does not grow with the
 * enterprises or the events (agencies, plans, certificates, benchmarks,
 * ...) are read on every event, so they are decoded once into a cache: a
 * hash by (kind, id), plus groups by (kind, agency_uscc), (kind, participant
 * agency) and (kind, violation_code), each group sorted by id. The cache is
 * changed together with SQLite; when a transaction that changed cached
 * kinds rolls back, those kinds (only) are reloaded from the file.
 *
 * The kinds that grow with them (a credit grade per enterprise, an approval
 * per inspection) stay in the file: a province holds a million credit
 * grades, which decoded would cost gigabytes and seconds at every open. They
 * are read by primary key, and the last few lookups (hits and misses) are
 * kept in a small ring, so that the rules judging one event read an
 * enterprise's grade once.
 *
 * Memory stays bounded whatever the file's size: SQLite's page cache is its
 * default (2 MiB per connection, or the file's default_cache_size), memory
 * mapping is off (Debian's default), and nothing at open reads a table that
 * grows with the enterprises.
 *
 * PRAGMA quick_check reads every page of the file (1.8 s per 100 MB from
 * disk), so it runs at open only when the last close was not clean: a
 * close with no storage fault seen and no transaction open marks the file
 * (meta "store.clean_close"), and the open that follows clears the mark
 * before anything else is written. Damage done to a cleanly closed file
 * shows at the first read of the damaged page instead (ew_store_fault).
 */
#include "store.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "record_blob.h"

#define SCHEMA_VERSION 7
#define BUSY_TIMEOUT_MS 5000

/* Each step migrates from version i to i+1; never edit a released step.
 * Small keyed rows (offsets, seen events, refs) are WITHOUT ROWID tables;
 * snapshot and alert_state carry bodies of about a kilobyte, which SQLite
 * stores better in rowid tables with a unique index (measured: ~1.6x the
 * event rate when alerts change often). */
static const char *const migrations[SCHEMA_VERSION] = {
    /* 0 -> 1 */
    "CREATE TABLE offsets("
    "  topic TEXT NOT NULL, part INTEGER NOT NULL,"
    "  next_offset INTEGER NOT NULL,"
    "  PRIMARY KEY(topic, part)) WITHOUT ROWID;"
    "CREATE TABLE outbox("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL,"
    "  key BLOB, value BLOB, headers BLOB);"
    "CREATE TABLE ref("
    "  kind TEXT NOT NULL, id TEXT NOT NULL, agency_uscc TEXT,"
    "  body BLOB NOT NULL,"
    "  PRIMARY KEY(kind, id)) WITHOUT ROWID;"
    "CREATE INDEX ref_by_agency ON ref(kind, agency_uscc);"
    "CREATE TABLE seen_event("
    "  event_id TEXT PRIMARY KEY, part INTEGER NOT NULL,"
    "  event_time INTEGER) WITHOUT ROWID;"
    "CREATE TABLE snapshot("
    "  kind TEXT NOT NULL, subject_id TEXT NOT NULL, part INTEGER NOT NULL,"
    "  event_id TEXT NOT NULL, event_time INTEGER NOT NULL,"
    "  body BLOB NOT NULL, UNIQUE(kind, subject_id));"
    "CREATE TABLE alert_state("
    "  alert_id TEXT NOT NULL UNIQUE, part INTEGER NOT NULL,"
    "  subject_type TEXT NOT NULL, subject_id TEXT NOT NULL,"
    "  rule_id TEXT NOT NULL, status TEXT NOT NULL,"
    "  fingerprint INTEGER NOT NULL, detected_at INTEGER NOT NULL,"
    "  body BLOB NOT NULL);"
    "CREATE INDEX alert_state_by_subject"
    "  ON alert_state(subject_type, subject_id, status);",
    /* 1 -> 2: history per enterprise (issue 3). `t` is the entry's time
     * for pruning; the other indexes serve one query each. */
    "CREATE TABLE hist_penalty("
    "  decision_no TEXT PRIMARY KEY, part INTEGER NOT NULL,"
    "  enterprise_uscc TEXT NOT NULL, agency_uscc TEXT NOT NULL,"
    "  case_id TEXT, violation_code TEXT, decided_at INTEGER,"
    "  fine_fen INTEGER NOT NULL, confiscated_fen INTEGER NOT NULL,"
    "  compulsory INTEGER NOT NULL, penalised INTEGER NOT NULL,"
    "  t INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX hist_penalty_by_code"
    "  ON hist_penalty(enterprise_uscc, violation_code, decided_at);"
    "CREATE INDEX hist_penalty_by_agency"
    "  ON hist_penalty(enterprise_uscc, agency_uscc, decided_at);"
    "CREATE INDEX hist_penalty_by_case ON hist_penalty(case_id);"
    "CREATE INDEX hist_penalty_by_t ON hist_penalty(t);"
    "CREATE TABLE hist_inspection("
    "  inspection_id TEXT PRIMARY KEY, part INTEGER NOT NULL,"
    "  enterprise_uscc TEXT NOT NULL, agency_uscc TEXT NOT NULL,"
    "  started_at INTEGER, ended_at INTEGER, soft_measures TEXT NOT NULL,"
    "  result TEXT, soft INTEGER NOT NULL, t INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX hist_inspection_soft"
    "  ON hist_inspection(enterprise_uscc, soft, t);"
    "CREATE INDEX hist_inspection_by_t ON hist_inspection(t);",
    /* 2 -> 3: the rule configuration of the last start, one row per
     * parameter as text ("R05.min_officers" -> "2"), so that a start can
     * log what changed (rules_config_store.c). */
    "CREATE TABLE rule_param("
    "  name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",
    /* 3 -> 4: time (issue 4). One pending wake-up per subject; small
     * counters of the engine (its clock, the years R01 covers); notices
     * issued, the alerts each batched notice listed, and the batched
     * alerts waiting for their month's notice. History learns what the
     * window rules (R14b, R18a, R19) compare. */
    "CREATE TABLE wakeup("
    "  kind INTEGER NOT NULL, subject_id TEXT NOT NULL,"
    "  part INTEGER NOT NULL, due_at INTEGER NOT NULL,"
    "  PRIMARY KEY(kind, subject_id)) WITHOUT ROWID;"
    "CREATE INDEX wakeup_by_due ON wakeup(due_at, kind, subject_id);"
    "CREATE TABLE meta("
    "  name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE notice("
    "  notice_id TEXT NOT NULL UNIQUE, part INTEGER NOT NULL,"
    "  recipient TEXT NOT NULL, issued_at INTEGER NOT NULL,"
    "  body BLOB NOT NULL);"
    "CREATE TABLE notice_alert("
    "  alert_id TEXT NOT NULL, notice_id TEXT NOT NULL,"
    "  PRIMARY KEY(alert_id, notice_id)) WITHOUT ROWID;"
    "CREATE TABLE notice_pending("
    "  batch TEXT NOT NULL, alert_id TEXT NOT NULL, part INTEGER NOT NULL,"
    "  PRIMARY KEY(batch, alert_id)) WITHOUT ROWID;"
    "ALTER TABLE hist_inspection ADD COLUMN check_class INTEGER;"
    "ALTER TABLE hist_inspection ADD COLUMN trigger_type INTEGER;"
    "ALTER TABLE hist_inspection ADD COLUMN check_items TEXT;"
    "ALTER TABLE hist_inspection ADD COLUMN joint_plan_id TEXT;"
    "CREATE INDEX hist_inspection_by_enterprise"
    "  ON hist_inspection(enterprise_uscc, t);"
    "ALTER TABLE hist_penalty ADD COLUMN industry_code TEXT;"
    "ALTER TABLE hist_penalty ADD COLUMN penalty_types INTEGER;"
    "CREATE INDEX hist_penalty_by_agency_decided"
    "  ON hist_penalty(agency_uscc, decided_at);",
    /* 4 -> 5: outputs the cluster refuses for good, kept out of the way */
    "CREATE TABLE outbox_parked("
    "  seq INTEGER PRIMARY KEY, topic TEXT NOT NULL,"
    "  key BLOB, value BLOB, headers BLOB,"
    "  parked_at INTEGER NOT NULL, reason TEXT NOT NULL);",
    /* 5 -> 6: the stats stream (issue 5). `stats` holds each value;
     * `stats_contrib` what each subject (an inspection, a penalty, an
     * alert...) adds to it now, so that a new snapshot replaces its old
     * contribution instead of adding to it; `stats_member` counts the
     * subjects behind each member of a distinct count (enterprises
     * inspected). */
    "CREATE TABLE stats("
    "  agency_uscc TEXT NOT NULL, period TEXT NOT NULL, metric TEXT NOT NULL,"
    "  value INTEGER NOT NULL, as_of INTEGER NOT NULL,"
    "  PRIMARY KEY(agency_uscc, period, metric)) WITHOUT ROWID;"
    "CREATE INDEX stats_by_period ON stats(period);"
    "CREATE TABLE stats_contrib("
    "  subject TEXT PRIMARY KEY, parts TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE stats_member("
    "  agency_uscc TEXT NOT NULL, period TEXT NOT NULL, metric TEXT NOT NULL,"
    "  member TEXT NOT NULL, n INTEGER NOT NULL,"
    "  PRIMARY KEY(agency_uscc, period, metric, member)) WITHOUT ROWID;",
    /* 6 -> 7: R23 (issue 5). The benchmark a decision names, for 顶格
     * (R23c); complaints concluded with a finding against an agency, for
     * R23f, by that agency and conclusion time. */
    "ALTER TABLE hist_penalty ADD COLUMN benchmark_id TEXT;"
    "CREATE TABLE hist_complaint("
    "  complaint_id TEXT PRIMARY KEY, part INTEGER NOT NULL,"
    "  respondent_uscc TEXT NOT NULL, category INTEGER, finding INTEGER,"
    "  concluded_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX hist_complaint_by_respondent"
    "  ON hist_complaint(respondent_uscc, concluded_at);"
    "CREATE INDEX hist_complaint_by_t ON hist_complaint(concluded_at);"};

enum {
  ST_BEGIN,
  ST_COMMIT,
  ST_ROLLBACK,
  ST_OFFSET_PUT,
  ST_OFFSET_GET,
  ST_OUTBOX_APPEND,
  ST_OUTBOX_SCAN,
  ST_OUTBOX_DELETE,
  ST_OUTBOX_COUNT,
  ST_OUTBOX_LAST,
  ST_REF_PUT,
  ST_REF_DELETE,
  ST_REF_KIND,
  ST_REF_GET,
  ST_EVENT_MARK,
  ST_SNAP_PUT,
  ST_SNAP_GET,
  ST_ALERT_PUT,
  ST_ALERT_OPEN,
  ST_ALERT_GET,
  ST_HIST_PENALTY_PUT, /* history (issue 3) */
  ST_HIST_PENALTY_DELETE,
  ST_HIST_INSPECTION_PUT,
  ST_HIST_INSPECTION_DELETE,
  ST_HIST_PRIOR,
  ST_HIST_SOFT,
  ST_HIST_CASE,
  ST_HIST_COMPULSORY,
  ST_HIST_NEWEST,
  ST_HIST_PRUNE_PENALTY,
  ST_HIST_PRUNE_INSPECTION,
  ST_HIST_SIZE,
  ST_PARAM_ALL, /* rule configuration of the last start */
  ST_PARAM_CLEAR,
  ST_PARAM_PUT,
  ST_HIST_WINDOW_INSPECTIONS, /* issue 4 */
  ST_HIST_WINDOW_PENALTIES,
  ST_WAKE_PUT,
  ST_WAKE_DELETE,
  ST_WAKE_NEXT,
  ST_WAKE_GET,
  ST_META_GET,
  ST_META_PUT,
  ST_NOTICE_PUT,
  ST_NOTICE_GET,
  ST_NOTICE_ALERT_PUT,
  ST_NOTICE_ALERT_HAS,
  ST_NOTICES_OF_ALERT,
  ST_HIST_INSPECTION_AT,
  ST_HIST_PENALTY_DECIDED,
  ST_PENDING_PUT,
  ST_PENDING_LIST,
  ST_PENDING_DELETE,
  ST_STATS_SET,
  ST_STATS_PUT,
  ST_STATS_GET,
  ST_STATS_SCAN,
  ST_CONTRIB_GET,
  ST_CONTRIB_PUT,
  ST_CONTRIB_DELETE,
  ST_MEMBER_GET,
  ST_MEMBER_SET,
  ST_MEMBER_PUT,
  ST_MEMBER_DELETE,
  ST_HIST_COMPLAINT_PUT, /* R23 (issue 5) */
  ST_HIST_COMPLAINT_DELETE,
  ST_HIST_COMPLAINT_AT,
  ST_HIST_WINDOW_COMPLAINTS,
  ST_HIST_PRUNE_COMPLAINT,
  ST_COUNT
};

/* History columns in the order hist_read_penalty / hist_read_inspection
 * read them. */
#define HIST_PENALTY_COLS                                                      \
  "decision_no, enterprise_uscc, agency_uscc, case_id, violation_code,"        \
  " decided_at, fine_fen, confiscated_fen, compulsory, penalised, part,"       \
  " industry_code, coalesce(penalty_types, 0), benchmark_id"
#define HIST_INSPECTION_COLS                                                   \
  "inspection_id, enterprise_uscc, agency_uscc, t, soft_measures, result,"     \
  " part, started_at, check_class, trigger_type, coalesce(check_items, ''),"   \
  " joint_plan_id"

static const char *const sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_OFFSET_PUT] = "INSERT OR REPLACE INTO offsets(topic, part, next_offset)"
                      " VALUES(?1, ?2, ?3)",
    [ST_OFFSET_GET] =
        "SELECT next_offset FROM offsets WHERE topic = ?1 AND part = ?2",
    [ST_OUTBOX_APPEND] = "INSERT INTO outbox(topic, key, value, headers)"
                         " VALUES(?1, ?2, ?3, ?4)",
    [ST_OUTBOX_SCAN] = "SELECT seq, topic, key, value, headers FROM outbox"
                       " WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    [ST_OUTBOX_DELETE] = "DELETE FROM outbox WHERE seq <= ?1",
    [ST_OUTBOX_COUNT] = "SELECT count(*) FROM outbox",
    [ST_OUTBOX_LAST] = "SELECT coalesce(max(seq), 0) FROM outbox",
    [ST_REF_PUT] = "INSERT OR REPLACE INTO ref(kind, id, agency_uscc, body)"
                   " VALUES(?1, ?2, ?3, ?4)",
    [ST_REF_DELETE] = "DELETE FROM ref WHERE kind = ?1 AND id = ?2",
    [ST_REF_KIND] = "SELECT id, body FROM ref WHERE kind = ?1",
    [ST_REF_GET] = "SELECT body FROM ref WHERE kind = ?1 AND id = ?2",
    [ST_EVENT_MARK] = "INSERT OR IGNORE INTO seen_event(event_id, part,"
                      " event_time) VALUES(?1, ?2, ?3)",
    [ST_SNAP_PUT] =
        "INSERT INTO snapshot(kind, subject_id, part, event_id, event_time,"
        " body) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
        " ON CONFLICT(kind, subject_id) DO UPDATE SET part = excluded.part,"
        " event_id = excluded.event_id, event_time = excluded.event_time,"
        " body = excluded.body"
        " WHERE excluded.event_time >= snapshot.event_time",
    [ST_SNAP_GET] = "SELECT body FROM snapshot WHERE kind = ?1"
                    " AND subject_id = ?2",
    [ST_ALERT_PUT] =
        "INSERT OR REPLACE INTO alert_state(alert_id, part, subject_type,"
        " subject_id, rule_id, status, fingerprint, detected_at, body)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_ALERT_OPEN] =
        "SELECT alert_id, rule_id, status, fingerprint, detected_at, body"
        " FROM alert_state WHERE subject_type = ?1 AND subject_id = ?2"
        " AND status = 'OPEN' ORDER BY alert_id",
    [ST_ALERT_GET] =
        "SELECT alert_id, rule_id, status, fingerprint, detected_at, body"
        " FROM alert_state WHERE alert_id = ?1",
    /* ---- history (issue 3) ---- */
    [ST_HIST_PENALTY_PUT] =
        "INSERT OR REPLACE INTO hist_penalty(decision_no, part,"
        " enterprise_uscc, agency_uscc, case_id, violation_code, decided_at,"
        " fine_fen, confiscated_fen, compulsory, penalised, t, industry_code,"
        " penalty_types, benchmark_id)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
        " ?15)",
    [ST_HIST_PENALTY_DELETE] =
        "DELETE FROM hist_penalty WHERE decision_no = ?1",
    [ST_HIST_INSPECTION_PUT] =
        "INSERT OR REPLACE INTO hist_inspection(inspection_id, part,"
        " enterprise_uscc, agency_uscc, started_at, ended_at, soft_measures,"
        " result, soft, t, check_class, trigger_type, check_items,"
        " joint_plan_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
        " ?12, ?13, ?14)",
    [ST_HIST_INSPECTION_DELETE] =
        "DELETE FROM hist_inspection WHERE inspection_id = ?1",
    [ST_HIST_PRIOR] =
        "SELECT " HIST_PENALTY_COLS " FROM hist_penalty"
        " WHERE enterprise_uscc = ?1 AND violation_code = ?2"
        " AND decided_at >= ?3 AND decided_at < ?4"
        " AND decision_no IS NOT ?5 ORDER BY decided_at DESC, decision_no"
        " LIMIT 1",
    [ST_HIST_SOFT] =
        "SELECT " HIST_INSPECTION_COLS " FROM hist_inspection"
        " WHERE enterprise_uscc = ?1 AND soft = 1 AND t >= ?3 AND t <= ?4"
        " AND (?2 IS NULL OR agency_uscc = ?2)"
        " ORDER BY t DESC, inspection_id LIMIT 1",
    [ST_HIST_CASE] = "SELECT " HIST_PENALTY_COLS " FROM hist_penalty"
                     " WHERE case_id = ?1 AND enterprise_uscc = ?2"
                     " AND decided_at IS NOT NULL"
                     " ORDER BY decided_at, decision_no LIMIT 1",
    [ST_HIST_COMPULSORY] =
        "SELECT " HIST_PENALTY_COLS " FROM hist_penalty"
        " WHERE enterprise_uscc = ?1 AND agency_uscc = ?2 AND compulsory = 1"
        " AND t >= ?3 AND t <= ?4 ORDER BY t, decision_no LIMIT 1",
    [ST_HIST_NEWEST] = "SELECT (SELECT max(t) FROM hist_penalty),"
                       " (SELECT max(t) FROM hist_inspection)",
    [ST_HIST_PRUNE_PENALTY] =
        "DELETE FROM hist_penalty WHERE decision_no IN (SELECT decision_no"
        " FROM hist_penalty WHERE t < ?1 ORDER BY t LIMIT ?2)",
    [ST_HIST_PRUNE_INSPECTION] =
        "DELETE FROM hist_inspection WHERE inspection_id IN (SELECT"
        " inspection_id FROM hist_inspection WHERE t < ?1 ORDER BY t"
        " LIMIT ?2)",
    [ST_HIST_SIZE] = "SELECT (SELECT count(*) FROM hist_penalty),"
                     " (SELECT count(*) FROM hist_inspection)",
    /* ---- rule configuration of the last start ---- */
    [ST_PARAM_ALL] = "SELECT name, value FROM rule_param ORDER BY name",
    [ST_PARAM_CLEAR] = "DELETE FROM rule_param",
    [ST_PARAM_PUT] =
        "INSERT OR REPLACE INTO rule_param(name, value) VALUES(?1, ?2)",
    /* ---- time (issue 4) ---- */
    [ST_HIST_WINDOW_INSPECTIONS] =
        "SELECT " HIST_INSPECTION_COLS " FROM hist_inspection"
        " WHERE enterprise_uscc = ?1 AND t >= ?2 AND t <= ?3"
        " ORDER BY t, inspection_id",
    [ST_HIST_WINDOW_PENALTIES] =
        "SELECT " HIST_PENALTY_COLS " FROM hist_penalty"
        " WHERE agency_uscc = ?1 AND decided_at >= ?2 AND decided_at <= ?3"
        " ORDER BY decided_at, decision_no",
    [ST_WAKE_PUT] = "INSERT OR REPLACE INTO wakeup(kind, subject_id, part,"
                    " due_at) VALUES(?1, ?2, ?3, ?4)",
    [ST_WAKE_DELETE] = "DELETE FROM wakeup WHERE kind = ?1 AND subject_id = ?2",
    [ST_WAKE_NEXT] = "SELECT kind, subject_id, part, due_at FROM wakeup"
                     " WHERE due_at <= ?1 ORDER BY due_at, kind, subject_id"
                     " LIMIT 1",
    [ST_WAKE_GET] = "SELECT due_at FROM wakeup WHERE kind = ?1"
                    " AND subject_id = ?2",
    [ST_META_GET] = "SELECT value FROM meta WHERE name = ?1",
    [ST_META_PUT] = "INSERT OR REPLACE INTO meta(name, value) VALUES(?1, ?2)",
    [ST_NOTICE_PUT] = "INSERT OR REPLACE INTO notice(notice_id, part,"
                      " recipient, issued_at, body) VALUES(?1, ?2, ?3, ?4, ?5)",
    [ST_NOTICE_GET] = "SELECT part, body FROM notice WHERE notice_id = ?1",
    [ST_NOTICE_ALERT_PUT] = "INSERT OR IGNORE INTO notice_alert(alert_id,"
                            " notice_id) VALUES(?1, ?2)",
    [ST_NOTICE_ALERT_HAS] = "SELECT 1 FROM notice_alert WHERE alert_id = ?1"
                            " LIMIT 1",
    [ST_NOTICES_OF_ALERT] = "SELECT notice_id FROM notice_alert"
                            " WHERE alert_id = ?1 ORDER BY notice_id",
    [ST_HIST_INSPECTION_AT] =
        "SELECT t FROM hist_inspection WHERE inspection_id = ?1",
    [ST_HIST_PENALTY_DECIDED] =
        "SELECT decided_at FROM hist_penalty WHERE decision_no = ?1",
    [ST_PENDING_PUT] = "INSERT OR IGNORE INTO notice_pending(batch, alert_id,"
                       " part) VALUES(?1, ?2, ?3)",
    [ST_PENDING_LIST] = "SELECT alert_id FROM notice_pending WHERE batch = ?1"
                        " ORDER BY alert_id",
    [ST_PENDING_DELETE] = "DELETE FROM notice_pending WHERE batch = ?1",
    /* No RETURNING on hot statements: SQLite 3.40 buffers its rows in an
     * ephemeral table opened and closed at every step. */
    /* A value is updated in place when it exists: REPLACE would delete and
     * reinsert it in the table and in stats_by_period too. */
    [ST_STATS_SET] = "UPDATE stats SET value = ?4, as_of = ?5"
                     " WHERE agency_uscc = ?1 AND period = ?2 AND metric = ?3",
    [ST_STATS_PUT] = "INSERT INTO stats(agency_uscc, period, metric, value,"
                     " as_of) VALUES(?1, ?2, ?3, ?4, ?5)",
    [ST_STATS_GET] = "SELECT value, as_of FROM stats WHERE agency_uscc = ?1"
                     " AND period = ?2 AND metric = ?3",
    /* ?2 a period or a prefix of one ("2025" = every period of 2025) */
    [ST_STATS_SCAN] =
        "SELECT agency_uscc, period, metric, value, as_of FROM stats"
        " WHERE (?1 IS NULL OR agency_uscc = ?1) AND (?2 IS NULL OR"
        " period = ?2 OR substr(period, 1, length(?2) + 1) = ?2 || '-')"
        " ORDER BY agency_uscc, period, metric",
    [ST_CONTRIB_GET] = "SELECT parts FROM stats_contrib WHERE subject = ?1",
    [ST_CONTRIB_PUT] =
        "INSERT OR REPLACE INTO stats_contrib(subject, parts) VALUES(?1, ?2)",
    [ST_CONTRIB_DELETE] = "DELETE FROM stats_contrib WHERE subject = ?1",
    [ST_MEMBER_GET] =
        "SELECT n FROM stats_member WHERE agency_uscc = ?1 AND period = ?2"
        " AND metric = ?3 AND member = ?4",
    [ST_MEMBER_SET] = "UPDATE stats_member SET n = ?5 WHERE agency_uscc = ?1"
                      " AND period = ?2 AND metric = ?3 AND member = ?4",
    [ST_MEMBER_PUT] = "INSERT INTO stats_member(agency_uscc, period, metric,"
                      " member, n) VALUES(?1, ?2, ?3, ?4, ?5)",
    [ST_MEMBER_DELETE] =
        "DELETE FROM stats_member WHERE agency_uscc = ?1 AND period = ?2"
        " AND metric = ?3 AND member = ?4",
    [ST_HIST_COMPLAINT_PUT] =
        "INSERT OR REPLACE INTO hist_complaint(complaint_id, part,"
        " respondent_uscc, category, finding, concluded_at)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_HIST_COMPLAINT_DELETE] =
        "DELETE FROM hist_complaint WHERE complaint_id = ?1",
    [ST_HIST_COMPLAINT_AT] =
        "SELECT concluded_at FROM hist_complaint WHERE complaint_id = ?1",
    [ST_HIST_WINDOW_COMPLAINTS] =
        "SELECT complaint_id, respondent_uscc, category, finding,"
        " concluded_at, part FROM hist_complaint WHERE respondent_uscc = ?1"
        " AND concluded_at >= ?2 AND concluded_at <= ?3"
        " ORDER BY concluded_at, complaint_id",
    [ST_HIST_PRUNE_COMPLAINT] =
        "DELETE FROM hist_complaint WHERE complaint_id IN (SELECT"
        " complaint_id FROM hist_complaint WHERE concluded_at < ?1"
        " ORDER BY concluded_at LIMIT ?2)",
};

/* ---- reference cache ---- */

typedef struct ref_entry {
  struct ref_entry *next; /* hash chain */
  uint64_t hash;
  ew_arena arena; /* the record's strings and arrays */
  ew_record rec;
  const char *id;
} ref_entry;

/* The records of one kind that name one agency, sorted by id. */
typedef struct ref_group {
  struct ref_group *next;
  uint64_t hash;
  ew_rkind kind;
  char *agency;
  ref_entry **v;
  size_t n, cap;
} ref_group;

typedef struct ref_index {
  ref_group **b;
  size_t nb, count;
} ref_index;

/* Where a kind keeps the agency fields the groups are built from. */
typedef struct ref_meta {
  long agency_off;       /* STR agency_uscc, or -1 */
  long participants_off; /* STRV participant_agency_usccs, or -1 */
  long code_off;         /* STR violation_code, or -1 */
  int cached;            /* held in the cache; else read from the file */
} ref_meta;

/* One recent lookup of a kind not cached: the record, or its absence. */
typedef struct point_slot {
  int used, found;
  ew_rkind kind;
  uint64_t hash;
  const char *id;
  ew_arena arena; /* id, the record's strings and arrays */
  ew_record rec;
} point_slot;

/* A pointer ew_store_ref_get returned for a kind not cached stays valid
 * for this many lookups of such kinds that miss the ring (first in, first
 * out): a rule holds one record at a time. */
#define POINT_RING 16

struct ew_store {
  sqlite3 *db;
  sqlite3_stmt *st[ST_COUNT];
  char errmsg[512];
  ew_blob blob;     /* encoding scratch */
  ew_arena scratch; /* outbox header names, per scanned row */
  ew_outbox_header *hdrs;
  size_t hdrs_cap;

  ref_entry **refs; /* hash by (kind, id) */
  size_t refs_nb, refs_count;
  ref_index by_agency, by_participant;
  ref_index by_code; /* (kind, violation_code): benchmarks, leniency items */
  ref_meta meta[EW_REC_COUNT];
  point_slot ring[POINT_RING]; /* recent lookups of the kinds not cached */
  size_t ring_next;
  uint64_t generation; /* rollbacks so far (ew_store_generation) */
  uint32_t refs_dirty; /* bit per cached kind changed in the transaction */
  int refs_broken;     /* the cache could not be rebuilt: refuse lookups */
  int fault;           /* ew_store_fault of the last failure */
  int faulted;         /* a storage fault was seen since the open */
  int checked;         /* the open ran PRAGMA quick_check */
  int mark_clean;      /* a file opened for writing: close may mark it */
};

static int fail(ew_store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(ew_store *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
  va_end(ap);
  s->fault = 0; /* a failure of ours; note_fault tells SQLite's apart */
  return -1;
}

/* Keeps the primary code of a storage fault (issue #6): a failure the
 * input did not cause, which the daemon must neither blame on a message
 * nor commit past. */
static int note_fault(ew_store *s, int code) {
  switch (code & 0xff) {
  case SQLITE_FULL:
  case SQLITE_IOERR:
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
  case SQLITE_READONLY:
  case SQLITE_CANTOPEN:
  case SQLITE_NOMEM:
    s->fault = code & 0xff;
    s->faulted = 1; /* the close must not vouch for this file */
    break;
  default:
    s->fault = 0;
  }
  return -1;
}

static int fail_db(ew_store *s, const char *what) {
  fail(s, "%s: %s (sqlite %d)", what, sqlite3_errmsg(s->db),
       sqlite3_extended_errcode(s->db));
  return note_fault(s, sqlite3_extended_errcode(s->db));
}

const char *ew_store_errmsg(const ew_store *s) {
  return s ? s->errmsg : "no store";
}

int ew_store_fault(const ew_store *s) {
  return s ? s->fault : 0;
}

const char *ew_store_fault_text(int fault) {
  switch (fault) {
  case SQLITE_FULL:
    return "disk full";
  case SQLITE_IOERR:
    return "I/O error";
  case SQLITE_CORRUPT:
    return "state file corrupt";
  case SQLITE_NOTADB:
    return "state file corrupt (not an SQLite database)";
  case SQLITE_READONLY:
    return "state file read-only";
  case SQLITE_CANTOPEN:
    return "cannot open the state file or its -wal/-shm";
  case SQLITE_NOMEM:
    return "out of memory";
  default:
    return "no storage fault";
  }
}

const char *ew_store_fault_advice(int fault) {
  switch (fault) {
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
    return "restore it from a backup, or move it away with its -wal and -shm "
           "files: a start without it reads the reference topics again, but "
           "the events only from the group's committed offsets on, so the "
           "history before them is lost";
  case SQLITE_FULL:
    return "free disk space on the state file's filesystem";
  case SQLITE_READONLY:
  case SQLITE_CANTOPEN:
    return "check the permissions, mount and free inodes of the state "
           "file's directory";
  case SQLITE_NOMEM:
    return "free memory";
  default:
    return "check the disk and the kernel log";
  }
}

int ew_store_fault_permanent(int fault) {
  return fault == SQLITE_CORRUPT || fault == SQLITE_NOTADB;
}

static void done(sqlite3_stmt *st) {
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}

/* Records SQLite's error for `what`, then resets the statement, so that a
 * failed bind or step leaves no statement holding a WAL snapshot. */
static int fail_stmt(ew_store *s, sqlite3_stmt *st, const char *what) {
  fail_db(s, what);
  done(st);
  return -1;
}

/* Steps a statement that returns no rows, then resets it. */
static int step_done(ew_store *s, sqlite3_stmt *st, const char *what) {
  if (sqlite3_step(st) != SQLITE_DONE)
    return fail_stmt(s, st, what);
  done(st);
  return 0;
}

static int bind_text(sqlite3_stmt *st, int i, const char *v) {
  return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC)
           : sqlite3_bind_null(st, i);
}

/* A zero-length blob is stored as such (not NULL): an empty Kafka key is
 * not an absent one. */
static int bind_blob(sqlite3_stmt *st, int i, const void *p, size_t n) {
  if (!p)
    return sqlite3_bind_null(st, i);
  if (n == 0)
    return sqlite3_bind_zeroblob(st, i, 0);
  return sqlite3_bind_blob64(st, i, p, n, SQLITE_STATIC);
}

static const void *column_blob(sqlite3_stmt *st, int i, size_t *len) {
  if (sqlite3_column_type(st, i) == SQLITE_NULL) {
    *len = 0;
    return NULL;
  }
  const void *p = sqlite3_column_blob(st, i);
  *len = (size_t)sqlite3_column_bytes(st, i);
  return p ? p : "";
}

/* ---- hashing ---- */

static uint64_t hash_key(ew_rkind kind, const char *key) {
  uint64_t h = UINT64_C(0xcbf29ce484222325) ^ (uint64_t)kind;
  h *= UINT64_C(0x100000001b3);
  for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
    h ^= *p;
    h *= UINT64_C(0x100000001b3);
  }
  return h;
}

static const char *str_field(const ew_record *rec, long off) {
  const char *v;
  memcpy(&v, (const char *)&rec->u + off, sizeof v);
  return v;
}

static ew_strv strv_field(const ew_record *rec, long off) {
  ew_strv v;
  memcpy(&v, (const char *)&rec->u + off, sizeof v);
  return v;
}

/* ---- groups: (kind, agency) -> entries sorted by id ---- */

static ref_group *group_find(ref_index *ix, ew_rkind kind, const char *agency,
                             uint64_t h) {
  if (!ix->nb)
    return NULL;
  for (ref_group *g = ix->b[h & (ix->nb - 1)]; g; g = g->next)
    if (g->hash == h && g->kind == kind && strcmp(g->agency, agency) == 0)
      return g;
  return NULL;
}

static int index_grow(ref_index *ix) {
  size_t nb = ix->nb ? ix->nb * 2 : 64;
  ref_group **b = calloc(nb, sizeof *b);
  if (!b)
    return -1;
  for (size_t i = 0; i < ix->nb; i++) {
    ref_group *g = ix->b[i];
    while (g) {
      ref_group *next = g->next;
      g->next = b[g->hash & (nb - 1)];
      b[g->hash & (nb - 1)] = g;
      g = next;
    }
  }
  free(ix->b);
  ix->b = b;
  ix->nb = nb;
  return 0;
}

/* Binary search by id; *pos is where `id` is or would go. */
static int group_search(const ref_group *g, const char *id, size_t *pos) {
  size_t lo = 0, hi = g->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(g->v[mid]->id, id);
    if (c == 0) {
      *pos = mid;
      return 1;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  *pos = lo;
  return 0;
}

static int group_add(ref_index *ix, const char *agency, ref_entry *e) {
  uint64_t h = hash_key(e->rec.kind, agency);
  ref_group *g = group_find(ix, e->rec.kind, agency, h);
  if (!g) {
    if (ix->count >= ix->nb && index_grow(ix) < 0)
      return -1;
    g = calloc(1, sizeof *g);
    if (!g || !(g->agency = strdup(agency))) {
      free(g);
      return -1;
    }
    g->hash = h;
    g->kind = e->rec.kind;
    g->next = ix->b[h & (ix->nb - 1)];
    ix->b[h & (ix->nb - 1)] = g;
    ix->count++;
  }
  size_t pos;
  if (group_search(g, e->id, &pos))
    return 0; /* an agency listed twice in one record */
  if (g->n == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 8;
    ref_entry **v = realloc(g->v, cap * sizeof *v);
    if (!v)
      return -1;
    g->v = v;
    g->cap = cap;
  }
  memmove(g->v + pos + 1, g->v + pos, (g->n - pos) * sizeof *g->v);
  g->v[pos] = e;
  g->n++;
  return 0;
}

static void group_remove(ref_index *ix, const char *agency, ref_entry *e) {
  uint64_t h = hash_key(e->rec.kind, agency);
  ref_group *g = group_find(ix, e->rec.kind, agency, h);
  size_t pos;
  if (!g || !group_search(g, e->id, &pos) || g->v[pos] != e)
    return;
  memmove(g->v + pos, g->v + pos + 1, (g->n - pos - 1) * sizeof *g->v);
  g->n--;
  if (g->n)
    return;
  ref_group **pp = &ix->b[h & (ix->nb - 1)];
  while (*pp != g)
    pp = &(*pp)->next;
  *pp = g->next;
  ix->count--;
  free(g->v);
  free(g->agency);
  free(g);
}

static void index_free(ref_index *ix) {
  for (size_t i = 0; i < ix->nb; i++) {
    ref_group *g = ix->b[i];
    while (g) {
      ref_group *next = g->next;
      free(g->v);
      free(g->agency);
      free(g);
      g = next;
    }
  }
  free(ix->b);
  memset(ix, 0, sizeof *ix);
}

/* ---- entries: (kind, id) -> record ---- */

static ref_entry **entry_slot(ew_store *s, ew_rkind kind, const char *id) {
  if (!s->refs_nb)
    return NULL;
  uint64_t h = hash_key(kind, id);
  ref_entry **pp = &s->refs[h & (s->refs_nb - 1)];
  for (; *pp; pp = &(*pp)->next)
    if ((*pp)->hash == h && (*pp)->rec.kind == kind &&
        strcmp((*pp)->id, id) == 0)
      return pp;
  return NULL;
}

static void entry_free(ref_entry *e) {
  if (!e)
    return;
  ew_arena_free(&e->arena);
  free(e);
}

/* Takes the entry out of the groups its fields put it in. */
static void entry_unindex(ew_store *s, ref_entry *e) {
  const ref_meta *m = &s->meta[e->rec.kind];
  if (m->agency_off >= 0) {
    const char *ag = str_field(&e->rec, m->agency_off);
    if (ag)
      group_remove(&s->by_agency, ag, e);
  }
  if (m->participants_off >= 0) {
    ew_strv pv = strv_field(&e->rec, m->participants_off);
    for (size_t i = 0; i < pv.n; i++)
      if (pv.v[i])
        group_remove(&s->by_participant, pv.v[i], e);
  }
  if (m->code_off >= 0) {
    const char *code = str_field(&e->rec, m->code_off);
    if (code)
      group_remove(&s->by_code, code, e);
  }
}

/* Unlinks the entry from the hash and the indexes and frees it. */
static void cache_remove(ew_store *s, ew_rkind kind, const char *id) {
  ref_entry **pp = entry_slot(s, kind, id);
  if (!pp)
    return;
  ref_entry *e = *pp;
  *pp = e->next;
  s->refs_count--;
  entry_unindex(s, e);
  entry_free(e);
}

/* Drops every cached record of `kind`. */
static void cache_remove_kind(ew_store *s, ew_rkind kind) {
  for (size_t i = 0; i < s->refs_nb; i++) {
    ref_entry **pp = &s->refs[i];
    while (*pp) {
      ref_entry *e = *pp;
      if (e->rec.kind != kind) {
        pp = &e->next;
        continue;
      }
      *pp = e->next;
      s->refs_count--;
      entry_unindex(s, e);
      entry_free(e);
    }
  }
}

static int refs_grow(ew_store *s) {
  size_t nb = s->refs_nb ? s->refs_nb * 2 : 256;
  ref_entry **b = calloc(nb, sizeof *b);
  if (!b)
    return -1;
  for (size_t i = 0; i < s->refs_nb; i++) {
    ref_entry *e = s->refs[i];
    while (e) {
      ref_entry *next = e->next;
      e->next = b[e->hash & (nb - 1)];
      b[e->hash & (nb - 1)] = e;
      e = next;
    }
  }
  free(s->refs);
  s->refs = b;
  s->refs_nb = nb;
  return 0;
}

/* Takes `e` (a filled entry) into the cache, replacing any record with its
 * kind and id. On failure the entry is freed and the cache may lack the
 * record: callers then fail the transaction, whose rollback rebuilds it. */
static int cache_insert(ew_store *s, ref_entry *e) {
  cache_remove(s, e->rec.kind, e->id);
  if (s->refs_count >= s->refs_nb && refs_grow(s) < 0) {
    entry_free(e);
    return -1;
  }
  e->hash = hash_key(e->rec.kind, e->id);
  e->next = s->refs[e->hash & (s->refs_nb - 1)];
  s->refs[e->hash & (s->refs_nb - 1)] = e;
  s->refs_count++;
  const ref_meta *m = &s->meta[e->rec.kind];
  int rc = 0;
  if (m->agency_off >= 0) {
    const char *ag = str_field(&e->rec, m->agency_off);
    if (ag && group_add(&s->by_agency, ag, e) < 0)
      rc = -1;
  }
  if (m->participants_off >= 0) {
    ew_strv pv = strv_field(&e->rec, m->participants_off);
    for (size_t i = 0; i < pv.n && rc == 0; i++)
      if (pv.v[i] && group_add(&s->by_participant, pv.v[i], e) < 0)
        rc = -1;
  }
  if (m->code_off >= 0 && rc == 0) {
    const char *code = str_field(&e->rec, m->code_off);
    if (code && group_add(&s->by_code, code, e) < 0)
      rc = -1;
  }
  if (rc < 0)
    cache_remove(s, e->rec.kind, e->id);
  return rc;
}

static void cache_clear(ew_store *s) {
  for (size_t i = 0; i < s->refs_nb; i++) {
    ref_entry *e = s->refs[i];
    while (e) {
      ref_entry *next = e->next;
      entry_free(e);
      e = next;
    }
  }
  free(s->refs);
  s->refs = NULL;
  s->refs_nb = s->refs_count = 0;
  index_free(&s->by_agency);
  index_free(&s->by_participant);
  index_free(&s->by_code);
}

/* An empty entry whose arena takes a record of `body_len` encoded bytes in
 * one small chunk: the arena's default chunk (8 KiB) per cached record
 * would cost more than the records. Decoded strings are 16-byte aligned and
 * arrays add a pointer per element, hence twice the encoded size. */
static ref_entry *entry_new(size_t body_len) {
  ref_entry *e = calloc(1, sizeof *e);
  if (e)
    e->arena.chunk_size =
        body_len < 4096 ? (2 * body_len + 127) & ~(size_t)63 : 2 * body_len;
  return e;
}

/* Loads the records of one cached kind from the ref table, replacing what
 * the cache holds of it. */
static int cache_load_kind(ew_store *s, ew_rkind kind) {
  sqlite3_stmt *st = s->st[ST_REF_KIND];
  const char *kname = ew_rkind_name(kind);
  int rc;
  cache_remove_kind(s, kind);
  if (bind_text(st, 1, kname))
    return fail_stmt(s, st, "ref load");
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *id = (const char *)sqlite3_column_text(st, 0);
    size_t len;
    const void *body = column_blob(st, 1, &len);
    ref_entry *e = entry_new(len);
    if (!e) {
      done(st);
      return fail(s, "ref cache: out of memory");
    }
    e->rec.kind = kind;
    if (!body || ew_blob_decode(ew_rtype_of(kind), body, len, &e->rec.u,
                                &e->arena) < 0) {
      entry_free(e);
      done(st);
      return fail(s, "ref %s/%s: body is corrupt or from a newer version",
                  kname, id ? id : "");
    }
    e->id = ew_record_id(&e->rec);
    if (!e->id) {
      entry_free(e);
      done(st);
      return fail(s, "ref %s: body without id", kname);
    }
    if (cache_insert(s, e) < 0) {
      done(st);
      return fail(s, "ref cache: out of memory");
    }
  }
  if (rc != SQLITE_DONE)
    return fail_stmt(s, st, "ref load");
  done(st);
  return 0;
}

/* (Re)builds the cache of every cached kind. A kind the schema does not
 * know is left in the file: a newer build's record, which this one has no
 * rule for. */
static int cache_load(ew_store *s) {
  cache_clear(s);
  s->refs_broken = 1;
  for (int k = EW_REC_FIRST_REF; k <= EW_REC_LAST_REF; k++)
    if (s->meta[k].cached && cache_load_kind(s, (ew_rkind)k) < 0)
      return -1;
  s->refs_broken = 0;
  return 0;
}

static int cache_usable(ew_store *s) {
  if (!s->refs_broken)
    return 0;
  return cache_load(s);
}

/* ---- point lookups of the kinds not cached ---- */

static void ring_clear(ew_store *s) {
  for (size_t i = 0; i < POINT_RING; i++)
    s->ring[i].used = 0;
}

static void ring_drop(ew_store *s, ew_rkind kind, const char *id) {
  uint64_t h = hash_key(kind, id);
  for (size_t i = 0; i < POINT_RING; i++) {
    point_slot *p = &s->ring[i];
    if (p->used && p->hash == h && p->kind == kind && strcmp(p->id, id) == 0)
      p->used = 0;
  }
}

static void ring_free(ew_store *s) {
  for (size_t i = 0; i < POINT_RING; i++)
    ew_arena_free(&s->ring[i].arena);
}

/* ew_store_ref_get for a kind not cached: the ring, else the file. */
static int point_get(ew_store *s, ew_rkind kind, const char *id,
                     const ew_record **out) {
  uint64_t h = hash_key(kind, id);
  for (size_t i = 0; i < POINT_RING; i++) {
    point_slot *p = &s->ring[i];
    if (p->used && p->hash == h && p->kind == kind && strcmp(p->id, id) == 0) {
      *out = p->found ? &p->rec : NULL;
      return 0;
    }
  }
  point_slot *p = &s->ring[s->ring_next];
  s->ring_next = (s->ring_next + 1) % POINT_RING;
  p->used = 0;
  ew_arena_reset(&p->arena);
  memset(&p->rec, 0, sizeof p->rec);
  sqlite3_stmt *st = s->st[ST_REF_GET];
  if (bind_text(st, 1, ew_rkind_name(kind)) || bind_text(st, 2, id))
    return fail_stmt(s, st, "ref_get");
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return fail_stmt(s, st, "ref_get");
  p->found = rc == SQLITE_ROW;
  if (p->found) {
    size_t len;
    const void *body = column_blob(st, 0, &len);
    p->rec.kind = kind;
    if (!body || ew_blob_decode(ew_rtype_of(kind), body, len, &p->rec.u,
                                &p->arena) < 0) {
      done(st);
      return fail(s, "ref %s/%s: body is corrupt or from a newer version",
                  ew_rkind_name(kind), id);
    }
  }
  done(st);
  if (!(p->id = ew_arena_strdup(&p->arena, id)))
    return fail(s, "ref_get: out of memory");
  p->kind = kind;
  p->hash = h;
  p->used = 1;
  *out = p->found ? &p->rec : NULL;
  return 0;
}

/* What the visitors below select for a kind not cached. */
enum { VISIT_ALL, VISIT_AGENCY, VISIT_PARTICIPANT, VISIT_CODE };

static int visit_matches(const ref_meta *m, const ew_record *rec, int by,
                         const char *key) {
  if (by == VISIT_PARTICIPANT) {
    ew_strv pv = strv_field(rec, m->participants_off);
    for (size_t i = 0; i < pv.n; i++)
      if (pv.v[i] && strcmp(pv.v[i], key) == 0)
        return 1;
    return 0;
  }
  if (by == VISIT_CODE) {
    const char *code = str_field(rec, m->code_off);
    return code && strcmp(code, key) == 0;
  }
  return 1; /* VISIT_ALL; VISIT_AGENCY is selected by the query */
}

/* The visitors for a kind not cached: its rows in id order (the agency
 * ones by the ref_by_agency index), each decoded for the call only. Rare
 * (no rule visits these kinds), so the statement is prepared per call,
 * which also lets fn visit again. */
static int point_visit(ew_store *s, ew_rkind kind, int by, const char *key,
                       ew_ref_visit_fn fn, void *ud) {
  const ref_meta *m = &s->meta[kind];
  if ((by == VISIT_AGENCY && m->agency_off < 0) ||
      (by == VISIT_PARTICIPANT && m->participants_off < 0) ||
      (by == VISIT_CODE && m->code_off < 0))
    return 0; /* no record of the kind has the field */
  const char *q = by == VISIT_AGENCY
                      ? "SELECT body FROM ref WHERE kind = ?1"
                        " AND agency_uscc = ?2 ORDER BY id"
                      : "SELECT body FROM ref WHERE kind = ?1 ORDER BY id";
  sqlite3_stmt *st = NULL;
  ew_arena arena = EW_ARENA_INIT;
  ew_record rec;
  int rc, ret = 0;
  if (sqlite3_prepare_v2(s->db, q, -1, &st, NULL) != SQLITE_OK ||
      bind_text(st, 1, ew_rkind_name(kind)) != SQLITE_OK ||
      (by == VISIT_AGENCY && bind_text(st, 2, key) != SQLITE_OK)) {
    fail_db(s, "ref visit");
    sqlite3_finalize(st);
    return -1;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    size_t len;
    const void *body = column_blob(st, 0, &len);
    ew_arena_reset(&arena);
    memset(&rec, 0, sizeof rec);
    rec.kind = kind;
    if (!body ||
        ew_blob_decode(ew_rtype_of(kind), body, len, &rec.u, &arena) < 0) {
      ret = fail(s, "ref %s: a body is corrupt or from a newer version",
                 ew_rkind_name(kind));
      break;
    }
    if (visit_matches(m, &rec, by, key) && (ret = fn(ud, &rec)) != 0)
      break;
  }
  if (ret == 0 && rc != SQLITE_DONE)
    ret = fail_db(s, "ref visit");
  sqlite3_finalize(st);
  ew_arena_free(&arena);
  return ret;
}

static long field_off(const ew_rtype *t, const char *name, ew_ftype type) {
  for (size_t i = 0; i < t->nfields; i++)
    if (t->fields[i].type == type && strcmp(t->fields[i].name, name) == 0)
      return (long)t->fields[i].offset;
  return -1;
}

/* ---- open / close ---- */

static int exec(ew_store *s, const char *q, const char *what) {
  char *err = NULL;
  if (sqlite3_exec(s->db, q, NULL, NULL, &err) != SQLITE_OK) {
    fail(s, "%s: %s", what, err ? err : sqlite3_errmsg(s->db));
    sqlite3_free(err);
    return note_fault(s, sqlite3_extended_errcode(s->db));
  }
  return 0;
}

/* Runs a one-row one-column pragma and copies its text result. */
static int pragma_text(ew_store *s, const char *q, char *out, size_t n) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(s->db, q, -1, &st, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *v = (const char *)sqlite3_column_text(st, 0);
    snprintf(out, n, "%s", v ? v : "");
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    snprintf(out, n, "%s", "");
    rc = SQLITE_OK;
  }
  if (rc != SQLITE_OK)
    fail_db(s, q);
  sqlite3_finalize(st);
  return rc == SQLITE_OK ? 0 : -1;
}

/* The meta row a clean close leaves (see the top of the file). */
#define CLEAN_CLOSE "store.clean_close"

/* 1 when the file's last close was clean. Any failure to tell (a new file,
 * one from before the mark existed, an unreadable one) is 0: quick_check
 * then runs and names the trouble. */
static int closed_clean(ew_store *s) {
  sqlite3_stmt *st = NULL;
  int clean = 0;
  if (sqlite3_prepare_v2(
          s->db, "SELECT value FROM meta WHERE name = '" CLEAN_CLOSE "'", -1,
          &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    clean = sqlite3_column_int64(st, 0) == 1;
  sqlite3_finalize(st);
  return clean;
}

/* Whether a kind is held in the cache. The kinds whose number grows with
 * the enterprises (a credit grade each) or with the events (an approval per
 * inspection that needs one) are read from the file instead; random tasks
 * list the enterprises they drew, but there are a few hundred tasks a year
 * and R02/R16 visit them by agency, so they stay. */
static int kind_cached(ew_rkind kind) {
  return kind != EW_REC_CREDIT_GRADE && kind != EW_REC_APPROVAL;
}

/* What both opens do once the connection is ready: prepare the statements,
 * learn where each kind keeps its agency fields, load the cache. */
static int store_finish_open(ew_store *s) {
  for (int i = 0; i < ST_COUNT; i++)
    if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                           &s->st[i], NULL) != SQLITE_OK)
      return fail_db(s, sql[i]);
  for (int k = EW_REC_FIRST_REF; k <= EW_REC_LAST_REF; k++) {
    const ew_rtype *t = ew_rtype_of((ew_rkind)k);
    s->meta[k].agency_off = field_off(t, "agency_uscc", EW_FT_STR);
    s->meta[k].participants_off =
        field_off(t, "participant_agency_usccs", EW_FT_STRV);
    s->meta[k].code_off = field_off(t, "violation_code", EW_FT_STR);
    s->meta[k].cached = kind_cached((ew_rkind)k);
  }
  return cache_load(s);
}

static int migrate(ew_store *s) {
  char v[32];
  if (exec(s, "BEGIN IMMEDIATE", "migration") < 0)
    return -1;
  if (pragma_text(s, "PRAGMA user_version", v, sizeof v) < 0)
    goto fail;
  long version = strtol(v, NULL, 10);
  if (version > SCHEMA_VERSION) {
    fail(s,
         "the state file has schema version %ld, newer than this build's %d; "
         "refusing to open it",
         version, SCHEMA_VERSION);
    goto fail;
  }
  for (long i = version; i < SCHEMA_VERSION; i++)
    if (exec(s, migrations[i], "migration") < 0)
      goto fail;
  if (version < SCHEMA_VERSION) {
    char q[64];
    snprintf(q, sizeof q, "PRAGMA user_version = %d", SCHEMA_VERSION);
    if (exec(s, q, "migration") < 0)
      goto fail;
  }
  /* From here on the file is in use: a stop before the next clean close
   * must be followed by a quick_check. */
  if (exec(s, "DELETE FROM meta WHERE name = '" CLEAN_CLOSE "'", "migration") <
      0)
    goto fail;
  if (exec(s, "COMMIT", "migration") < 0)
    goto fail;
  return 0;
fail:
  sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
  return -1;
}

/* Each connection is used by one thread at a time (SQLITE_OPEN_NOMUTEX),
 * and nobody reads SQLite's memory statistics: with both, every API call
 * and every allocation took a mutex (4% of check's instructions). Only the
 * first call, before SQLite is initialized, has an effect; later ones are
 * refused, harmlessly. */
static void store_sqlite_config(void) {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int ew_store_open(ew_store **out, const char *path, char *errstr,
                  size_t errstr_size) {
  *out = NULL;
  ew_store *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(errstr, errstr_size, "store: out of memory");
    return -1;
  }
  int memory = strcmp(path, ":memory:") == 0 || path[0] == '\0';
  store_sqlite_config();
  int rc = sqlite3_open_v2(
      path, &s->db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    fail(s, "cannot open %s: %s", path,
         s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    note_fault(s, rc);
    goto fail;
  }
  sqlite3_extended_result_codes(s->db, 1);
  sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
  if (!memory) {
    char mode[16];
    if (pragma_text(s, "PRAGMA journal_mode=WAL", mode, sizeof mode) < 0)
      goto fail;
    if (strcmp(mode, "wal") != 0) {
      fail(s, "%s: journal_mode is '%s', not wal", path, mode);
      goto fail;
    }
    /* A damaged page would otherwise show only when a batch first reads
     * it, long after the start. quick_check reads every page once:
     * measured on a 106 MB state file, 0.25 s from the page cache and
     * 1.8 s from disk; so only after a stop that was not a clean close
     * (a crash, a kill, a power loss, a storage fault). */
    if (!closed_clean(s)) {
      char qc[256];
      s->checked = 1;
      if (pragma_text(s, "PRAGMA quick_check(1)", qc, sizeof qc) < 0)
        goto fail;
      if (strcmp(qc, "ok") != 0) {
        for (char *c = qc; *c; c++)
          if (*c == '\n')
            *c = ' '; /* one log line */
        fail(s, "PRAGMA quick_check: %s", qc);
        s->fault = SQLITE_CORRUPT;
        goto fail;
      }
    }
  }
  if (exec(s, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", "settings") <
          0 ||
      migrate(s) < 0 || store_finish_open(s) < 0)
    goto fail;
  s->mark_clean = !memory;
  *out = s;
  return 0;
fail:
  if (s->fault)
    snprintf(errstr, errstr_size, "%s: %s; %s", ew_store_fault_text(s->fault),
             s->errmsg, ew_store_fault_advice(s->fault));
  else
    snprintf(errstr, errstr_size, "%s", s->errmsg);
  ew_store_close(s);
  return -1;
}

void ew_store_close(ew_store *s) {
  if (!s)
    return;
  /* The mark that spares the next open its quick_check: not after a
   * storage fault, nor with a transaction still open. If it cannot be
   * written, the next open checks. */
  if (s->mark_clean && !s->faulted && sqlite3_get_autocommit(s->db))
    sqlite3_exec(s->db,
                 "INSERT OR REPLACE INTO meta(name, value)"
                 " VALUES('" CLEAN_CLOSE "', 1)",
                 NULL, NULL, NULL);
  for (int i = 0; i < ST_COUNT; i++)
    sqlite3_finalize(s->st[i]);
  sqlite3_close(s->db);
  cache_clear(s);
  ring_free(s);
  ew_blob_free(&s->blob);
  ew_arena_free(&s->scratch);
  free(s->hdrs);
  free(s);
}

/* ---- transactions ---- */

int ew_store_begin(ew_store *s) {
  /* A BEGIN refused because a transaction is open must not forget that
   * this one changed references: its rollback has to reload the cache. */
  if (step_done(s, s->st[ST_BEGIN], "begin") < 0)
    return -1;
  s->refs_dirty = 0;
  s->fault = 0; /* a fault is of the transaction it happened in */
  return 0;
}

int ew_store_commit(ew_store *s) {
  if (step_done(s, s->st[ST_COMMIT], "commit") < 0)
    return -1;
  s->refs_dirty = 0;
  return 0;
}

int ew_store_rollback(ew_store *s) {
  s->generation++;
  int rc = 0;
  if (!sqlite3_get_autocommit(s->db))
    rc = step_done(s, s->st[ST_ROLLBACK], "rollback");
  ring_clear(s); /* it may hold what the transaction wrote */
  uint32_t dirty = s->refs_dirty;
  s->refs_dirty = 0;
  for (int k = EW_REC_FIRST_REF; k <= EW_REC_LAST_REF && !s->refs_broken; k++)
    if ((dirty & (UINT32_C(1) << k)) && cache_load_kind(s, (ew_rkind)k) < 0) {
      s->refs_broken = 1; /* lookups retry a whole load */
      rc = -1;
    }
  return rc;
}

/* ---- offsets ---- */

int ew_store_offset_put(ew_store *s, const char *topic, int32_t partition,
                        int64_t next_offset) {
  sqlite3_stmt *st = s->st[ST_OFFSET_PUT];
  if (bind_text(st, 1, topic) || sqlite3_bind_int(st, 2, partition) ||
      sqlite3_bind_int64(st, 3, next_offset))
    return fail_stmt(s, st, "offset_put");
  return step_done(s, st, "offset_put");
}

int ew_store_offset_get(ew_store *s, const char *topic, int32_t partition,
                        int64_t *next_offset) {
  sqlite3_stmt *st = s->st[ST_OFFSET_GET];
  int rc = -1;
  if (bind_text(st, 1, topic) || sqlite3_bind_int(st, 2, partition)) {
    fail_db(s, "offset_get");
    goto out;
  }
  switch (sqlite3_step(st)) {
  case SQLITE_ROW:
    *next_offset = sqlite3_column_int64(st, 0);
    rc = 0;
    break;
  case SQLITE_DONE:
    *next_offset = -1;
    rc = 0;
    break;
  default:
    fail_db(s, "offset_get");
  }
out:
  done(st);
  return rc;
}

/* ---- outbox ---- */

/* Headers blob: u32 n, then per header u32 name_len, name, u32 value_len
 * (0xFFFFFFFF for a NULL value), value; little-endian. */
static int putbytes(ew_blob *b, const void *p, size_t n) {
  if (b->cap - b->len < n) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n)
      cap *= 2;
    unsigned char *np = realloc(b->p, cap);
    if (!np)
      return -1;
    b->p = np;
    b->cap = cap;
  }
  if (n)
    memcpy(b->p + b->len, p, n);
  b->len += n;
  return 0;
}

static int put32(ew_blob *b, uint32_t v) {
  unsigned char le[4];
  for (int i = 0; i < 4; i++)
    le[i] = (unsigned char)(v >> (8 * i));
  return putbytes(b, le, sizeof le);
}

static int headers_encode(ew_blob *b, const ew_outbox_header *h, size_t n) {
  ew_blob_reset(b);
  if (n > UINT32_MAX || put32(b, (uint32_t)n) < 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    size_t nl = strlen(h[i].name);
    if (nl >= UINT32_MAX || h[i].len >= UINT32_MAX ||
        put32(b, (uint32_t)nl) < 0 || putbytes(b, h[i].name, nl) < 0)
      return -1;
    if (!h[i].value) {
      if (put32(b, UINT32_MAX) < 0)
        return -1;
    } else if (put32(b, (uint32_t)h[i].len) < 0 ||
               putbytes(b, h[i].value, h[i].len) < 0) {
      return -1;
    }
  }
  return 0;
}

static int get32(const unsigned char **p, size_t *left, uint32_t *v) {
  if (*left < 4)
    return -1;
  *v = (uint32_t)(*p)[0] | (uint32_t)(*p)[1] << 8 | (uint32_t)(*p)[2] << 16 |
       (uint32_t)(*p)[3] << 24;
  *p += 4;
  *left -= 4;
  return 0;
}

static int headers_decode(ew_store *s, const void *data, size_t len,
                          size_t *nout) {
  const unsigned char *p = data;
  size_t left = len;
  uint32_t n;
  *nout = 0;
  if (!data)
    return 0;
  if (get32(&p, &left, &n) < 0 || n > left / 8)
    return -1;
  if (n > s->hdrs_cap) {
    ew_outbox_header *h = realloc(s->hdrs, n * sizeof *h);
    if (!h)
      return -1;
    s->hdrs = h;
    s->hdrs_cap = n;
  }
  for (uint32_t i = 0; i < n; i++) {
    uint32_t nl, vl;
    if (get32(&p, &left, &nl) < 0 || nl > left)
      return -1;
    s->hdrs[i].name = ew_arena_strndup(&s->scratch, (const char *)p, nl);
    if (!s->hdrs[i].name)
      return -1;
    p += nl;
    left -= nl;
    if (get32(&p, &left, &vl) < 0)
      return -1;
    if (vl == UINT32_MAX) {
      s->hdrs[i].value = NULL;
      s->hdrs[i].len = 0;
      continue;
    }
    if (vl > left)
      return -1;
    s->hdrs[i].value = p;
    s->hdrs[i].len = vl;
    p += vl;
    left -= vl;
  }
  *nout = n;
  return left == 0 ? 0 : -1;
}

int ew_store_outbox_append(ew_store *s, const ew_outbox_row *row,
                           int64_t *seq) {
  sqlite3_stmt *st = s->st[ST_OUTBOX_APPEND];
  int have_headers = row->nheaders > 0;
  if (have_headers && headers_encode(&s->blob, row->headers, row->nheaders) < 0)
    return fail(s, "outbox_append: cannot encode headers");
  if (bind_text(st, 1, row->topic) ||
      bind_blob(st, 2, row->key, row->key_len) ||
      bind_blob(st, 3, row->value, row->value_len) ||
      (have_headers ? bind_blob(st, 4, s->blob.p, s->blob.len)
                    : sqlite3_bind_null(st, 4)))
    return fail_stmt(s, st, "outbox_append");
  if (step_done(s, st, "outbox_append") < 0)
    return -1;
  if (seq)
    *seq = sqlite3_last_insert_rowid(s->db);
  return 0;
}

int ew_store_outbox_scan(ew_store *s, int64_t after_seq, size_t limit,
                         ew_outbox_visit_fn fn, void *ud) {
  sqlite3_stmt *st = s->st[ST_OUTBOX_SCAN];
  int rc, ret = 0;
  if (sqlite3_bind_int64(st, 1, after_seq) ||
      sqlite3_bind_int64(
          st, 2, limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit))
    return fail_stmt(s, st, "outbox_scan");
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    ew_outbox_row row;
    size_t hlen;
    ew_arena_reset(&s->scratch);
    row.seq = sqlite3_column_int64(st, 0);
    row.topic = (const char *)sqlite3_column_text(st, 1);
    row.key = column_blob(st, 2, &row.key_len);
    row.value = column_blob(st, 3, &row.value_len);
    const void *h = column_blob(st, 4, &hlen);
    if (headers_decode(s, h, hlen, &row.nheaders) < 0) {
      fail(s, "outbox row %" PRId64 ": corrupt headers", row.seq);
      done(st);
      return -1;
    }
    row.headers = s->hdrs;
    if ((ret = fn(ud, &row)) != 0)
      break;
  }
  if (ret == 0 && rc != SQLITE_DONE) {
    fail_db(s, "outbox_scan");
    ret = -1;
  }
  done(st);
  return ret;
}

int ew_store_outbox_delete_upto(ew_store *s, int64_t upto) {
  sqlite3_stmt *st = s->st[ST_OUTBOX_DELETE];
  if (sqlite3_bind_int64(st, 1, upto))
    return fail_stmt(s, st, "outbox_delete");
  return step_done(s, st, "outbox_delete");
}

int ew_store_outbox_count(ew_store *s, int64_t *count) {
  sqlite3_stmt *st = s->st[ST_OUTBOX_COUNT];
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *count = sqlite3_column_int64(st, 0);
  else
    fail_db(s, "outbox_count");
  done(st);
  return rc == SQLITE_ROW ? 0 : -1;
}

int ew_store_outbox_reserve_upto(ew_store *s, int64_t seq) {
  /* AUTOINCREMENT keeps its high mark in sqlite_sequence; rows appended
   * later get numbers above it. Rare (a restored state file), so not a
   * prepared statement. */
  char q[400];
  snprintf(q, sizeof q,
           "UPDATE sqlite_sequence SET seq = %" PRId64
           " WHERE name = 'outbox' AND seq < %" PRId64 ";"
           "INSERT INTO sqlite_sequence(name, seq) SELECT 'outbox', %" PRId64
           " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence"
           " WHERE name = 'outbox')",
           seq, seq, seq);
  return exec(s, q, "outbox_reserve") < 0 ? -1 : 0;
}

int ew_store_outbox_park(ew_store *s, int64_t seq, const char *reason) {
  /* Rare (a row the cluster refused many times), so not prepared. */
  char *q = sqlite3_mprintf(
      "INSERT INTO outbox_parked(seq, topic, key, value, headers, parked_at,"
      " reason) SELECT seq, topic, key, value, headers,"
      " CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), %Q"
      " FROM outbox"
      " WHERE seq = %lld;"
      "DELETE FROM outbox WHERE seq = %lld",
      reason, (long long)seq, (long long)seq);
  if (!q)
    return fail(s, "outbox_park: out of memory");
  int rc = exec(s, q, "outbox_park");
  sqlite3_free(q);
  return rc < 0 ? -1 : 0;
}

int ew_store_outbox_last_seq(ew_store *s, int64_t *seq) {
  sqlite3_stmt *st = s->st[ST_OUTBOX_LAST];
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *seq = sqlite3_column_int64(st, 0);
  else
    fail_db(s, "outbox_last_seq");
  done(st);
  return rc == SQLITE_ROW ? 0 : -1;
}

/* ---- reference records ---- */

int ew_store_ref_put(ew_store *s, const ew_record *rec) {
  if (!ew_rkind_is_ref(rec->kind))
    return fail(s, "ref_put: %s is not a reference kind",
                ew_rkind_name(rec->kind) ? ew_rkind_name(rec->kind) : "?");
  const char *id = ew_record_id(rec);
  if (!id)
    return fail(s, "ref_put: %s without id", ew_rkind_name(rec->kind));
  const ew_rtype *t = ew_rtype_of(rec->kind);
  const ref_meta *m = &s->meta[rec->kind];
  const char *agency =
      m->agency_off >= 0 ? str_field(rec, m->agency_off) : NULL;
  sqlite3_stmt *st = s->st[ST_REF_PUT];

  ew_blob_reset(&s->blob);
  if (ew_blob_encode(&s->blob, t, &rec->u) < 0)
    return fail(s, "ref_put %s/%s: cannot encode", t->name, id);
  if (bind_text(st, 1, t->name) || bind_text(st, 2, id) ||
      bind_text(st, 3, agency) || bind_blob(st, 4, s->blob.p, s->blob.len))
    return fail_stmt(s, st, "ref_put");
  if (step_done(s, st, "ref_put") < 0)
    return -1;
  if (!m->cached) {
    ring_drop(s, rec->kind, id);
    return 0;
  }
  s->refs_dirty |= UINT32_C(1) << rec->kind;

  ref_entry *e = entry_new(s->blob.len);
  if (!e) {
    s->refs_broken = 1;
    return fail(s, "ref_put: out of memory");
  }
  e->rec.kind = rec->kind;
  if (ew_blob_copy(t, &e->rec.u, &rec->u, &e->arena) < 0) {
    entry_free(e);
    s->refs_broken = 1;
    return fail(s, "ref_put: out of memory");
  }
  e->id = ew_record_id(&e->rec);
  if (cache_insert(s, e) < 0) {
    s->refs_broken = 1; /* the next lookup rebuilds from the file */
    return fail(s, "ref_put: out of memory");
  }
  return 0;
}

int ew_store_ref_delete(ew_store *s, ew_rkind kind, const char *id) {
  if (!ew_rkind_is_ref(kind) || !id)
    return fail(s, "ref_delete: needs a reference kind and an id");
  sqlite3_stmt *st = s->st[ST_REF_DELETE];
  if (bind_text(st, 1, ew_rkind_name(kind)) || bind_text(st, 2, id))
    return fail_stmt(s, st, "ref_delete");
  if (step_done(s, st, "ref_delete") < 0)
    return -1;
  if (!s->meta[kind].cached) {
    ring_drop(s, kind, id);
    return 0;
  }
  s->refs_dirty |= UINT32_C(1) << kind;
  cache_remove(s, kind, id);
  return 0;
}

int ew_store_ref_get(ew_store *s, ew_rkind kind, const char *id,
                     const ew_record **out) {
  *out = NULL;
  if (cache_usable(s) < 0)
    return -1;
  if (!id || !ew_rkind_is_ref(kind))
    return 0;
  if (!s->meta[kind].cached)
    return point_get(s, kind, id, out);
  ref_entry **pp = entry_slot(s, kind, id);
  *out = pp ? &(*pp)->rec : NULL;
  return 0;
}

static int visit_group(ew_store *s, ref_index *ix, int by, ew_rkind kind,
                       const char *agency, ew_ref_visit_fn fn, void *ud) {
  if (cache_usable(s) < 0)
    return -1;
  if (!agency || !ew_rkind_is_ref(kind))
    return 0;
  if (!s->meta[kind].cached)
    return point_visit(s, kind, by, agency, fn, ud);
  ref_group *g = group_find(ix, kind, agency, hash_key(kind, agency));
  for (size_t i = 0; g && i < g->n; i++) {
    int rc = fn(ud, &g->v[i]->rec);
    if (rc)
      return rc;
  }
  return 0;
}

int ew_store_ref_by_agency(ew_store *s, ew_rkind kind, const char *agency_uscc,
                           ew_ref_visit_fn fn, void *ud) {
  return visit_group(s, &s->by_agency, VISIT_AGENCY, kind, agency_uscc, fn, ud);
}

int ew_store_ref_by_participant(ew_store *s, ew_rkind kind,
                                const char *agency_uscc, ew_ref_visit_fn fn,
                                void *ud) {
  return visit_group(s, &s->by_participant, VISIT_PARTICIPANT, kind,
                     agency_uscc, fn, ud);
}

int ew_store_ref_by_code(ew_store *s, ew_rkind kind, const char *violation_code,
                         ew_ref_visit_fn fn, void *ud) {
  return visit_group(s, &s->by_code, VISIT_CODE, kind, violation_code, fn, ud);
}

size_t ew_store_ref_cached(const ew_store *s, ew_rkind kind) {
  size_t n = 0;
  for (size_t i = 0; i < s->refs_nb; i++)
    for (const ref_entry *e = s->refs[i]; e; e = e->next)
      n += e->rec.kind == kind;
  return n;
}

int ew_store_integrity_checked(const ew_store *s) {
  return s ? s->checked : 0;
}

/* ---- engine state ---- */

int ew_store_event_mark(ew_store *s, const char *event_id, int32_t part,
                        ew_time event_time, int *is_new) {
  sqlite3_stmt *st = s->st[ST_EVENT_MARK];
  if (bind_text(st, 1, event_id) || sqlite3_bind_int(st, 2, part) ||
      (event_time == EW_NONE ? sqlite3_bind_null(st, 3)
                             : sqlite3_bind_int64(st, 3, event_time)))
    return fail_stmt(s, st, "event_mark");
  if (step_done(s, st, "event_mark") < 0)
    return -1;
  *is_new = sqlite3_changes(s->db) > 0;
  return 0;
}

int ew_store_snapshot_put(ew_store *s, const ew_record *rec, int32_t part,
                          int *applied) {
  const ew_rtype *t = ew_rtype_of(rec->kind);
  const char *id = ew_record_id(rec);
  const char *event_id = ew_record_event_id(rec);
  ew_time et = ew_record_event_time(rec);
  sqlite3_stmt *st = s->st[ST_SNAP_PUT];
  if (!ew_rkind_is_event(rec->kind) || !id || !event_id || et == EW_NONE)
    return fail(s, "snapshot_put: not an event with id, event_id and time");
  ew_blob_reset(&s->blob);
  if (ew_blob_encode(&s->blob, t, &rec->u) < 0)
    return fail(s, "snapshot_put %s/%s: cannot encode", t->name, id);
  if (bind_text(st, 1, t->name) || bind_text(st, 2, id) ||
      sqlite3_bind_int(st, 3, part) || bind_text(st, 4, event_id) ||
      sqlite3_bind_int64(st, 5, et) || bind_blob(st, 6, s->blob.p, s->blob.len))
    return fail_stmt(s, st, "snapshot_put");
  if (step_done(s, st, "snapshot_put") < 0)
    return -1;
  *applied = sqlite3_changes(s->db) > 0;
  return 0;
}

int ew_store_snapshot_get(ew_store *s, ew_rkind kind, const char *subject_id,
                          ew_arena *a, ew_record *out, int *found) {
  sqlite3_stmt *st = s->st[ST_SNAP_GET];
  int rc = -1;
  *found = 0;
  if (!ew_rkind_is_event(kind))
    return fail(s, "snapshot_get: not an event kind");
  if (bind_text(st, 1, ew_rkind_name(kind)) || bind_text(st, 2, subject_id)) {
    fail_db(s, "snapshot_get");
    goto out;
  }
  switch (sqlite3_step(st)) {
  case SQLITE_ROW: {
    size_t len;
    const void *body = column_blob(st, 0, &len);
    out->kind = kind;
    if (!body || ew_blob_decode(ew_rtype_of(kind), body, len, &out->u, a) < 0) {
      fail(s, "snapshot %s/%s: corrupt body", ew_rkind_name(kind), subject_id);
      break;
    }
    *found = 1;
    rc = 0;
    break;
  }
  case SQLITE_DONE:
    rc = 0;
    break;
  default:
    fail_db(s, "snapshot_get");
  }
out:
  done(st);
  return rc;
}

int ew_store_alert_state_put(ew_store *s, const ew_alert *a,
                             uint64_t fingerprint, int32_t part) {
  sqlite3_stmt *st = s->st[ST_ALERT_PUT];
  const char *stype = ew_enum_name(&ew_enum_subject_type, a->subject_type);
  const char *status = ew_enum_name(&ew_enum_alert_status, a->status);
  if (!a->alert_id || !a->rule_id || !a->subject_id || !stype || !status ||
      a->detected_at == EW_NONE)
    return fail(s, "alert_state_put: incomplete alert");
  ew_blob_reset(&s->blob);
  if (ew_blob_encode(&s->blob, ew_rtype_of(EW_REC_ALERT), a) < 0)
    return fail(s, "alert_state_put %s: cannot encode", a->alert_id);
  if (bind_text(st, 1, a->alert_id) || sqlite3_bind_int(st, 2, part) ||
      bind_text(st, 3, stype) || bind_text(st, 4, a->subject_id) ||
      bind_text(st, 5, a->rule_id) || bind_text(st, 6, status) ||
      sqlite3_bind_int64(st, 7, (int64_t)fingerprint) ||
      sqlite3_bind_int64(st, 8, a->detected_at) ||
      bind_blob(st, 9, s->blob.p, s->blob.len))
    return fail_stmt(s, st, "alert_state_put");
  return step_done(s, st, "alert_state_put");
}

static int read_state(sqlite3_stmt *st, ew_alert_state *out) {
  const char *status = (const char *)sqlite3_column_text(st, 2);
  out->alert_id = (const char *)sqlite3_column_text(st, 0);
  out->rule_id = (const char *)sqlite3_column_text(st, 1);
  out->status =
      status ? ew_enum_parse(&ew_enum_alert_status, status, strlen(status))
             : -1;
  out->fingerprint = (uint64_t)sqlite3_column_int64(st, 3);
  out->detected_at = sqlite3_column_int64(st, 4);
  out->body = column_blob(st, 5, &out->body_len);
  return out->alert_id && out->rule_id && out->body ? 0 : -1;
}

int ew_store_alert_state_open(ew_store *s, int subject_type,
                              const char *subject_id,
                              ew_alert_state_visit_fn fn, void *ud) {
  sqlite3_stmt *st = s->st[ST_ALERT_OPEN];
  const char *stype = ew_enum_name(&ew_enum_subject_type, subject_type);
  int rc, ret = 0;
  if (!stype)
    return fail(s, "alert_state_open: bad subject type %d", subject_type);
  if (bind_text(st, 1, stype) || bind_text(st, 2, subject_id))
    return fail_stmt(s, st, "alert_state_open");
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    ew_alert_state as;
    if (read_state(st, &as) < 0) {
      fail(s, "alert_state of %s: corrupt row", subject_id);
      done(st);
      return -1;
    }
    if ((ret = fn(ud, &as)) != 0)
      break;
  }
  if (ret == 0 && rc != SQLITE_DONE) {
    fail_db(s, "alert_state_open");
    ret = -1;
  }
  done(st);
  return ret;
}

int ew_store_alert_state_get(ew_store *s, const char *alert_id, ew_arena *a,
                             ew_alert_state *out, int *found) {
  sqlite3_stmt *st = s->st[ST_ALERT_GET];
  int rc = -1;
  *found = 0;
  if (bind_text(st, 1, alert_id)) {
    fail_db(s, "alert_state_get");
    goto out;
  }
  switch (sqlite3_step(st)) {
  case SQLITE_ROW: {
    ew_alert_state as;
    void *body;
    if (read_state(st, &as) < 0) {
      fail(s, "alert_state %s: corrupt row", alert_id);
      break;
    }
    *out = as;
    out->alert_id = ew_arena_strdup(a, as.alert_id);
    out->rule_id = ew_arena_strdup(a, as.rule_id);
    body = ew_arena_alloc(a, as.body_len ? as.body_len : 1);
    if (!out->alert_id || !out->rule_id || !body) {
      fail(s, "alert_state_get: out of memory");
      break;
    }
    memcpy(body, as.body, as.body_len);
    out->body = body;
    *found = 1;
    rc = 0;
    break;
  }
  case SQLITE_DONE:
    rc = 0;
    break;
  default:
    fail_db(s, "alert_state_get");
  }
out:
  done(st);
  return rc;
}

/* ====================================================================
 * History per enterprise (issue 3: R13, R15, R22). One row per decision_no
 * and per inspection_id, written from the accepted snapshot, so that a later
 * snapshot replaces the row and a withdrawal or cancellation deletes it.
 * Rows keep only the columns the rules query, never the whole body: rules
 * read a few of them per event, and pruning deletes many at a time.
 * ==================================================================== */

static int bind_time(sqlite3_stmt *st, int i, ew_time t) {
  return t == EW_NONE ? sqlite3_bind_null(st, i) : sqlite3_bind_int64(st, i, t);
}

static ew_time column_time(sqlite3_stmt *st, int i) {
  return sqlite3_column_type(st, i) == SQLITE_NULL
             ? EW_NONE
             : sqlite3_column_int64(st, i);
}

/* A copy of text column i in `a`; NULL for SQL NULL. Sets *oom when the
 * copy fails. */
static const char *column_dup(sqlite3_stmt *st, int i, ew_arena *a, int *oom) {
  const char *v = (const char *)sqlite3_column_text(st, i);
  if (!v)
    return NULL;
  char *c = ew_arena_strdup(a, v);
  if (!c)
    *oom = 1;
  return c;
}

static int bind_enum(sqlite3_stmt *st, int i, int v) {
  return v < 0 ? sqlite3_bind_null(st, i) : sqlite3_bind_int(st, i, v);
}

static int column_enum(sqlite3_stmt *st, int i) {
  return sqlite3_column_type(st, i) == SQLITE_NULL ? -1
                                                   : sqlite3_column_int(st, i);
}

static uint32_t enum_bits(ew_enumv v) {
  uint32_t bits = 0;
  for (size_t i = 0; i < v.n; i++)
    if (v.v[i] >= 0 && v.v[i] < 32)
      bits |= 1u << v.v[i];
  return bits;
}

static int hist_penalty_put(ew_store *s, const ew_penalty *p, int32_t part) {
  sqlite3_stmt *st;
  if (!p->decision_no)
    return 0;
  if (p->withdrawn_at != EW_NONE || !p->enterprise_uscc || !p->agency_uscc) {
    /* A withdrawn decision no longer counts as an offence or a decision. */
    st = s->st[ST_HIST_PENALTY_DELETE];
    if (bind_text(st, 1, p->decision_no))
      return fail_stmt(s, st, "hist_record penalty");
    return step_done(s, st, "hist_record penalty");
  }
  int penalised =
      p->penalty_types.n > 0 || p->fine_fen > 0 || p->confiscated_fen > 0;
  ew_time t = p->decided_at != EW_NONE ? p->decided_at : p->event_time;
  st = s->st[ST_HIST_PENALTY_PUT];
  if (bind_text(st, 1, p->decision_no) || sqlite3_bind_int(st, 2, part) ||
      bind_text(st, 3, p->enterprise_uscc) ||
      bind_text(st, 4, p->agency_uscc) || bind_text(st, 5, p->case_id) ||
      bind_text(st, 6, p->violation_code) || bind_time(st, 7, p->decided_at) ||
      sqlite3_bind_int64(st, 8, p->fine_fen) ||
      sqlite3_bind_int64(st, 9, p->confiscated_fen) ||
      sqlite3_bind_int(st, 10, p->compulsory_measures.n > 0) ||
      sqlite3_bind_int(st, 11, penalised) || bind_time(st, 12, t) ||
      bind_text(st, 13, p->industry_code) ||
      sqlite3_bind_int64(st, 14, (int64_t)enum_bits(p->penalty_types)) ||
      bind_text(st, 15, p->benchmark_id))
    return fail_stmt(s, st, "hist_record penalty");
  return step_done(s, st, "hist_record penalty");
}

static int hist_inspection_put(ew_store *s, const ew_inspection *in,
                               int32_t part) {
  sqlite3_stmt *st;
  if (!in->inspection_id)
    return 0;
  if ((in->status != EW_INSP_STARTED && in->status != EW_INSP_ENDED) ||
      !in->enterprise_uscc || !in->agency_uscc) {
    /* Planned or cancelled: as far as is known now, it did not take place. */
    st = s->st[ST_HIST_INSPECTION_DELETE];
    if (bind_text(st, 1, in->inspection_id))
      return fail_stmt(s, st, "hist_record inspection");
    return step_done(s, st, "hist_record inspection");
  }
  /* The feed may repeat a measure: a bit set keeps the text short and in
   * the enum's order whatever the array holds. */
  unsigned bits = 0;
  for (size_t i = 0; i < in->soft_measures.n; i++)
    if (in->soft_measures.v[i] >= 0 && in->soft_measures.v[i] < 32)
      bits |= 1u << in->soft_measures.v[i];
  char soft[128] = "";
  size_t len = 0;
  for (int i = 0; i < ew_enum_soft_measure.n && i < 32; i++)
    if (bits & (1u << i))
      len += (size_t)snprintf(soft + len, sizeof soft - len, "%s%s",
                              len ? "," : "", ew_enum_soft_measure.symbols[i]);
  int is_soft = bits != 0 || in->result == EW_RES_RECTIFICATION_ORDERED ||
                in->result == EW_RES_GUIDANCE_GIVEN;
  ew_time t = in->ended_at != EW_NONE     ? in->ended_at
              : in->started_at != EW_NONE ? in->started_at
                                          : in->event_time;
  /* The window rules compare check items; a list cut at the buffer is
   * still a list of whole codes. */
  char items[1024] = "";
  size_t ilen = 0;
  for (size_t i = 0; i < in->check_items.n; i++) {
    const char *c = in->check_items.v[i];
    size_t n = c ? strlen(c) : 0;
    if (!n || ilen + n + 2 > sizeof items)
      continue;
    if (ilen)
      items[ilen++] = ',';
    memcpy(items + ilen, c, n + 1);
    ilen += n;
  }
  st = s->st[ST_HIST_INSPECTION_PUT];
  if (bind_text(st, 1, in->inspection_id) || sqlite3_bind_int(st, 2, part) ||
      bind_text(st, 3, in->enterprise_uscc) ||
      bind_text(st, 4, in->agency_uscc) || bind_time(st, 5, in->started_at) ||
      bind_time(st, 6, in->ended_at) ||
      sqlite3_bind_text(st, 7, soft, -1, SQLITE_TRANSIENT) ||
      bind_text(st, 8, ew_enum_name(&ew_enum_inspection_result, in->result)) ||
      sqlite3_bind_int(st, 9, is_soft) || bind_time(st, 10, t) ||
      bind_enum(st, 11, in->check_class) ||
      bind_enum(st, 12, in->trigger_type) ||
      sqlite3_bind_text(st, 13, items, -1, SQLITE_TRANSIENT) ||
      bind_text(st, 14, in->joint_plan_id))
    return fail_stmt(s, st, "hist_record inspection");
  return step_done(s, st, "hist_record inspection");
}

/* R23f: a complaint concluded with a finding against a named agency; any
 * other snapshot removes what an earlier one left. */
static int hist_complaint_put(ew_store *s, const ew_complaint *c,
                              int32_t part) {
  sqlite3_stmt *st;
  if (!c->complaint_id)
    return 0;
  if (!c->respondent_agency_uscc || !*c->respondent_agency_uscc ||
      c->concluded_at == EW_NONE || c->finding < 0) {
    st = s->st[ST_HIST_COMPLAINT_DELETE];
    if (bind_text(st, 1, c->complaint_id))
      return fail_stmt(s, st, "hist_record complaint");
    return step_done(s, st, "hist_record complaint");
  }
  st = s->st[ST_HIST_COMPLAINT_PUT];
  if (bind_text(st, 1, c->complaint_id) || sqlite3_bind_int(st, 2, part) ||
      bind_text(st, 3, c->respondent_agency_uscc) ||
      bind_enum(st, 4, c->category) || bind_enum(st, 5, c->finding) ||
      sqlite3_bind_int64(st, 6, c->concluded_at))
    return fail_stmt(s, st, "hist_record complaint");
  return step_done(s, st, "hist_record complaint");
}

int ew_store_hist_record(ew_store *s, const ew_record *rec, int32_t part) {
  switch (rec->kind) {
  case EW_REC_PENALTY:
    return hist_penalty_put(s, &rec->u.penalty, part);
  case EW_REC_INSPECTION:
    return hist_inspection_put(s, &rec->u.inspection, part);
  case EW_REC_COMPLAINT:
    return hist_complaint_put(s, &rec->u.complaint, part);
  default:
    return 0;
  }
}

/* Row readers for hist_one: `dst` is an ew_hist_penalty or an
 * ew_hist_inspection, its strings copied into `a`. */
static void hist_read_penalty(sqlite3_stmt *st, ew_arena *a, void *dst,
                              int *oom) {
  ew_hist_penalty *out = dst;
  out->decision_no = column_dup(st, 0, a, oom);
  out->enterprise_uscc = column_dup(st, 1, a, oom);
  out->agency_uscc = column_dup(st, 2, a, oom);
  out->case_id = column_dup(st, 3, a, oom);
  out->violation_code = column_dup(st, 4, a, oom);
  out->decided_at = column_time(st, 5);
  out->fine_fen = sqlite3_column_int64(st, 6);
  out->confiscated_fen = sqlite3_column_int64(st, 7);
  out->compulsory = sqlite3_column_int(st, 8) != 0;
  out->penalised = sqlite3_column_int(st, 9) != 0;
  out->part = sqlite3_column_int(st, 10);
  out->industry_code = column_dup(st, 11, a, oom);
  out->penalty_types = (uint32_t)sqlite3_column_int64(st, 12);
  out->benchmark_id = column_dup(st, 13, a, oom);
}

static void hist_read_inspection(sqlite3_stmt *st, ew_arena *a, void *dst,
                                 int *oom) {
  ew_hist_inspection *out = dst;
  out->inspection_id = column_dup(st, 0, a, oom);
  out->enterprise_uscc = column_dup(st, 1, a, oom);
  out->agency_uscc = column_dup(st, 2, a, oom);
  out->at = column_time(st, 3);
  out->soft_measures = column_dup(st, 4, a, oom);
  out->result = column_dup(st, 5, a, oom);
  out->part = sqlite3_column_int(st, 6);
  out->started_at = column_time(st, 7);
  out->check_class = column_enum(st, 8);
  out->trigger_type = column_enum(st, 9);
  out->check_items = column_dup(st, 10, a, oom);
  out->joint_plan_id = column_dup(st, 11, a, oom);
}

/* Steps a bound query that returns at most one row and reads it with
 * `read` (hist_read_penalty or hist_read_inspection). */
static int hist_one(ew_store *s, sqlite3_stmt *st, const char *what,
                    ew_arena *a, void *out, int *found,
                    void (*read)(sqlite3_stmt *, ew_arena *, void *, int *)) {
  int rc = -1, oom = 0;
  *found = 0;
  switch (sqlite3_step(st)) {
  case SQLITE_ROW:
    read(st, a, out, &oom);
    if (oom) {
      fail(s, "%s: out of memory", what);
      break;
    }
    *found = 1;
    rc = 0;
    break;
  case SQLITE_DONE:
    rc = 0;
    break;
  default:
    fail_db(s, what);
  }
  done(st);
  return rc;
}

int ew_store_hist_prior_offence(ew_store *s, const char *enterprise_uscc,
                                const char *violation_code, ew_time from,
                                ew_time to, const char *exclude_decision_no,
                                ew_arena *a, ew_hist_penalty *out, int *found) {
  sqlite3_stmt *st = s->st[ST_HIST_PRIOR];
  *found = 0;
  if (bind_text(st, 1, enterprise_uscc) || bind_text(st, 2, violation_code) ||
      sqlite3_bind_int64(st, 3, from) || sqlite3_bind_int64(st, 4, to) ||
      bind_text(st, 5, exclude_decision_no))
    return fail_stmt(s, st, "hist_prior_offence");
  return hist_one(s, st, "hist_prior_offence", a, out, found,
                  hist_read_penalty);
}

int ew_store_hist_soft_measure(ew_store *s, const char *enterprise_uscc,
                               const char *agency_uscc, ew_time from,
                               ew_time to, ew_arena *a, ew_hist_inspection *out,
                               int *found) {
  sqlite3_stmt *st = s->st[ST_HIST_SOFT];
  *found = 0;
  if (bind_text(st, 1, enterprise_uscc) || bind_text(st, 2, agency_uscc) ||
      sqlite3_bind_int64(st, 3, from) || sqlite3_bind_int64(st, 4, to))
    return fail_stmt(s, st, "hist_soft_measure");
  return hist_one(s, st, "hist_soft_measure", a, out, found,
                  hist_read_inspection);
}

int ew_store_hist_case_decision(ew_store *s, const char *enterprise_uscc,
                                const char *case_id, ew_arena *a,
                                ew_hist_penalty *out, int *found) {
  sqlite3_stmt *st = s->st[ST_HIST_CASE];
  *found = 0;
  if (!case_id)
    return 0;
  if (bind_text(st, 1, case_id) || bind_text(st, 2, enterprise_uscc))
    return fail_stmt(s, st, "hist_case_decision");
  return hist_one(s, st, "hist_case_decision", a, out, found,
                  hist_read_penalty);
}

int ew_store_hist_compulsory(ew_store *s, const char *enterprise_uscc,
                             const char *agency_uscc, ew_time from, ew_time to,
                             ew_arena *a, ew_hist_penalty *out, int *found) {
  sqlite3_stmt *st = s->st[ST_HIST_COMPULSORY];
  *found = 0;
  if (bind_text(st, 1, enterprise_uscc) || bind_text(st, 2, agency_uscc) ||
      sqlite3_bind_int64(st, 3, from) || sqlite3_bind_int64(st, 4, to))
    return fail_stmt(s, st, "hist_compulsory");
  return hist_one(s, st, "hist_compulsory", a, out, found, hist_read_penalty);
}

int ew_store_hist_newest(ew_store *s, ew_time *out) {
  sqlite3_stmt *st = s->st[ST_HIST_NEWEST];
  int rc = sqlite3_step(st);
  *out = EW_NONE;
  if (rc == SQLITE_ROW) {
    ew_time p = column_time(st, 0), i = column_time(st, 1);
    *out = p > i ? p : i; /* EW_NONE is the smallest ew_time */
  } else {
    fail_db(s, "hist_newest");
  }
  done(st);
  return rc == SQLITE_ROW ? 0 : -1;
}

int ew_store_hist_prune(ew_store *s, ew_time before, int64_t limit,
                        int64_t *deleted, int *more) {
  static const int which[] = {ST_HIST_PRUNE_PENALTY, ST_HIST_PRUNE_INSPECTION,
                              ST_HIST_PRUNE_COMPLAINT};
  *deleted = 0;
  *more = 0;
  if (limit <= 0)
    return 0;
  for (size_t i = 0; i < sizeof which / sizeof which[0]; i++) {
    sqlite3_stmt *st = s->st[which[i]];
    if (sqlite3_bind_int64(st, 1, before) || sqlite3_bind_int64(st, 2, limit))
      return fail_stmt(s, st, "hist_prune");
    if (step_done(s, st, "hist_prune") < 0)
      return -1;
    int n = sqlite3_changes(s->db);
    *deleted += n;
    if (n >= limit)
      *more = 1; /* maybe more: the next call finds out */
  }
  return 0;
}

int ew_store_hist_count(ew_store *s, int64_t *penalties, int64_t *inspections) {
  sqlite3_stmt *st = s->st[ST_HIST_SIZE];
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *penalties = sqlite3_column_int64(st, 0);
    *inspections = sqlite3_column_int64(st, 1);
  } else {
    fail_db(s, "hist_count");
  }
  done(st);
  return rc == SQLITE_ROW ? 0 : -1;
}

int ew_store_ref_each(ew_store *s, ew_rkind kind, ew_ref_visit_fn fn,
                      void *ud) {
  if (cache_usable(s) < 0)
    return -1;
  if (!ew_rkind_is_ref(kind))
    return 0;
  if (!s->meta[kind].cached)
    return point_visit(s, kind, VISIT_ALL, NULL, fn, ud);
  for (size_t i = 0; i < s->refs_nb; i++)
    for (ref_entry *e = s->refs[i]; e; e = e->next)
      if (e->rec.kind == kind) {
        int rc = fn(ud, &e->rec);
        if (rc)
          return rc;
      }
  return 0;
}

/* ---- rule configuration of the last start ---- */

int ew_store_rule_params_scan(ew_store *s, ew_rule_param_visit_fn fn,
                              void *ud) {
  sqlite3_stmt *st = s->st[ST_PARAM_ALL];
  int rc, stop = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *value = (const char *)sqlite3_column_text(st, 1);
    if ((stop = fn(ud, name ? name : "", value ? value : "")) != 0)
      break;
  }
  if (!stop && rc != SQLITE_DONE) {
    fail_db(s, "rule_params_scan");
    done(st);
    return -1;
  }
  done(st);
  return stop;
}

int ew_store_rule_params_clear(ew_store *s) {
  return step_done(s, s->st[ST_PARAM_CLEAR], "rule_params_clear");
}

int ew_store_rule_param_put(ew_store *s, const char *name, const char *value) {
  sqlite3_stmt *st = s->st[ST_PARAM_PUT];
  if (bind_text(st, 1, name) || bind_text(st, 2, value))
    return fail_stmt(s, st, "rule_param_put");
  return step_done(s, st, "rule_param_put");
}

/* ====================================================================
 * Time (issue 4): history windows, wake-ups, engine counters, notices.
 * ==================================================================== */

/* Steps a bound query over many rows, reading each with `read` into `row`
 * (strings in `a`) and handing it to `fn`. */
static int hist_many(ew_store *s, sqlite3_stmt *st, const char *what,
                     ew_arena *a, void *row,
                     void (*read)(sqlite3_stmt *, ew_arena *, void *, int *),
                     int (*fn)(void *, const void *), void *ud) {
  int rc, stop = 0, oom = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    read(st, a, row, &oom);
    if (oom) {
      fail(s, "%s: out of memory", what);
      done(st);
      return -1;
    }
    if ((stop = fn(ud, row)) != 0)
      break;
  }
  if (!stop && rc != SQLITE_DONE) {
    fail_db(s, what);
    done(st);
    return -1;
  }
  done(st);
  return stop;
}

int ew_store_hist_inspections_between(ew_store *s, const char *enterprise_uscc,
                                      ew_time from, ew_time to, ew_arena *a,
                                      ew_hist_inspection_fn fn, void *ud) {
  sqlite3_stmt *st = s->st[ST_HIST_WINDOW_INSPECTIONS];
  ew_hist_inspection row;
  if (bind_text(st, 1, enterprise_uscc) || sqlite3_bind_int64(st, 2, from) ||
      sqlite3_bind_int64(st, 3, to))
    return fail_stmt(s, st, "hist_inspections_between");
  return hist_many(s, st, "hist_inspections_between", a, &row,
                   hist_read_inspection, (int (*)(void *, const void *))fn, ud);
}

int ew_store_hist_decisions_between(ew_store *s, const char *agency_uscc,
                                    ew_time from, ew_time to, ew_arena *a,
                                    ew_hist_penalty_fn fn, void *ud) {
  sqlite3_stmt *st = s->st[ST_HIST_WINDOW_PENALTIES];
  ew_hist_penalty row;
  if (bind_text(st, 1, agency_uscc) || sqlite3_bind_int64(st, 2, from) ||
      sqlite3_bind_int64(st, 3, to))
    return fail_stmt(s, st, "hist_decisions_between");
  return hist_many(s, st, "hist_decisions_between", a, &row, hist_read_penalty,
                   (int (*)(void *, const void *))fn, ud);
}

static void hist_read_complaint(sqlite3_stmt *st, ew_arena *a, void *dst,
                                int *oom) {
  ew_hist_complaint *out = dst;
  out->complaint_id = column_dup(st, 0, a, oom);
  out->respondent_agency_uscc = column_dup(st, 1, a, oom);
  out->category = column_enum(st, 2);
  out->finding = column_enum(st, 3);
  out->concluded_at = column_time(st, 4);
  out->part = sqlite3_column_int(st, 5);
}

int ew_store_hist_complaints_between(ew_store *s, const char *respondent_uscc,
                                     ew_time from, ew_time to, ew_arena *a,
                                     ew_hist_complaint_fn fn, void *ud) {
  sqlite3_stmt *st = s->st[ST_HIST_WINDOW_COMPLAINTS];
  ew_hist_complaint row;
  if (bind_text(st, 1, respondent_uscc) || sqlite3_bind_int64(st, 2, from) ||
      sqlite3_bind_int64(st, 3, to))
    return fail_stmt(s, st, "hist_complaints_between");
  return hist_many(s, st, "hist_complaints_between", a, &row,
                   hist_read_complaint, (int (*)(void *, const void *))fn, ud);
}

int ew_store_wakeup_put(ew_store *s, int kind, const char *subject_id,
                        int32_t part, ew_time due_at) {
  sqlite3_stmt *st;
  if (due_at == EW_NONE) {
    st = s->st[ST_WAKE_DELETE];
    if (sqlite3_bind_int(st, 1, kind) || bind_text(st, 2, subject_id))
      return fail_stmt(s, st, "wakeup_put");
    return step_done(s, st, "wakeup_put");
  }
  st = s->st[ST_WAKE_PUT];
  if (sqlite3_bind_int(st, 1, kind) || bind_text(st, 2, subject_id) ||
      sqlite3_bind_int(st, 3, part) || sqlite3_bind_int64(st, 4, due_at))
    return fail_stmt(s, st, "wakeup_put");
  return step_done(s, st, "wakeup_put");
}

int ew_store_wakeup_get(ew_store *s, int kind, const char *subject_id,
                        ew_time *due_at) {
  sqlite3_stmt *st = s->st[ST_WAKE_GET];
  *due_at = EW_NONE;
  if (sqlite3_bind_int(st, 1, kind) || bind_text(st, 2, subject_id))
    return fail_stmt(s, st, "wakeup_get");
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *due_at = sqlite3_column_int64(st, 0);
  else if (rc != SQLITE_DONE)
    return fail_stmt(s, st, "wakeup_get");
  done(st);
  return 0;
}

int ew_store_wakeup_next(ew_store *s, ew_time upto, ew_arena *a, ew_wakeup *out,
                         int *found) {
  sqlite3_stmt *st = s->st[ST_WAKE_NEXT];
  int oom = 0;
  *found = 0;
  if (sqlite3_bind_int64(st, 1, upto))
    return fail_stmt(s, st, "wakeup_next");
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    out->kind = sqlite3_column_int(st, 0);
    out->subject_id = column_dup(st, 1, a, &oom);
    out->part = sqlite3_column_int(st, 2);
    out->due_at = sqlite3_column_int64(st, 3);
    if (oom || !out->subject_id) {
      done(st);
      return fail(s, "wakeup_next: out of memory");
    }
    *found = 1;
  } else if (rc != SQLITE_DONE) {
    return fail_stmt(s, st, "wakeup_next");
  }
  done(st);
  return 0;
}

int ew_store_meta_get(ew_store *s, const char *name, int64_t *value,
                      int *found) {
  sqlite3_stmt *st = s->st[ST_META_GET];
  *found = 0;
  if (bind_text(st, 1, name))
    return fail_stmt(s, st, "meta_get");
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *value = sqlite3_column_int64(st, 0);
    *found = 1;
  } else if (rc != SQLITE_DONE) {
    return fail_stmt(s, st, "meta_get");
  }
  done(st);
  return 0;
}

int ew_store_meta_put(ew_store *s, const char *name, int64_t value) {
  sqlite3_stmt *st = s->st[ST_META_PUT];
  if (bind_text(st, 1, name) || sqlite3_bind_int64(st, 2, value))
    return fail_stmt(s, st, "meta_put");
  return step_done(s, st, "meta_put");
}

int ew_store_notice_put(ew_store *s, const ew_notice *n, int32_t part) {
  if (!n->notice_id || !n->recipient_agency_uscc || n->issued_at == EW_NONE)
    return fail(s, "notice_put: incomplete notice");
  ew_blob_reset(&s->blob);
  if (ew_blob_encode(&s->blob, ew_rtype_of(EW_REC_NOTICE), n) < 0)
    return fail(s, "notice_put %s: cannot encode", n->notice_id);
  sqlite3_stmt *st = s->st[ST_NOTICE_PUT];
  if (bind_text(st, 1, n->notice_id) || sqlite3_bind_int(st, 2, part) ||
      bind_text(st, 3, n->recipient_agency_uscc) ||
      sqlite3_bind_int64(st, 4, n->issued_at) ||
      bind_blob(st, 5, s->blob.p, s->blob.len))
    return fail_stmt(s, st, "notice_put");
  return step_done(s, st, "notice_put");
}

int ew_store_notice_get(ew_store *s, const char *notice_id, ew_arena *a,
                        ew_notice *out, int32_t *part, int *found) {
  sqlite3_stmt *st = s->st[ST_NOTICE_GET];
  *found = 0;
  if (bind_text(st, 1, notice_id))
    return fail_stmt(s, st, "notice_get");
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    size_t len;
    const void *body = column_blob(st, 1, &len);
    if (part)
      *part = sqlite3_column_int(st, 0);
    if (ew_blob_decode(ew_rtype_of(EW_REC_NOTICE), body, len, out, a) < 0) {
      done(st);
      return fail(s, "notice_get %s: corrupt body", notice_id);
    }
    *found = 1;
  } else if (rc != SQLITE_DONE) {
    return fail_stmt(s, st, "notice_get");
  }
  done(st);
  return 0;
}

int ew_store_notice_alert_add(ew_store *s, const char *alert_id,
                              const char *notice_id) {
  sqlite3_stmt *st = s->st[ST_NOTICE_ALERT_PUT];
  if (bind_text(st, 1, alert_id) || bind_text(st, 2, notice_id))
    return fail_stmt(s, st, "notice_alert_add");
  return step_done(s, st, "notice_alert_add");
}

int ew_store_notice_alert_has(ew_store *s, const char *alert_id, int *has) {
  sqlite3_stmt *st = s->st[ST_NOTICE_ALERT_HAS];
  *has = 0;
  if (bind_text(st, 1, alert_id))
    return fail_stmt(s, st, "notice_alert_has");
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *has = 1;
  else if (rc != SQLITE_DONE)
    return fail_stmt(s, st, "notice_alert_has");
  done(st);
  return 0;
}

int ew_store_notice_pending_add(ew_store *s, const char *batch,
                                const char *alert_id, int32_t part) {
  sqlite3_stmt *st = s->st[ST_PENDING_PUT];
  if (bind_text(st, 1, batch) || bind_text(st, 2, alert_id) ||
      sqlite3_bind_int(st, 3, part))
    return fail_stmt(s, st, "notice_pending_add");
  return step_done(s, st, "notice_pending_add");
}

/* Steps `st`, bound to one text key, and copies its first column of each
 * row into `out` (strings in `a`). */
static int collect_strv(ew_store *s, sqlite3_stmt *st, const char *key,
                        const char *what, ew_arena *a, ew_strv *out) {
  size_t cap = 0;
  int rc, oom = 0;
  out->v = NULL;
  out->n = 0;
  if (bind_text(st, 1, key))
    return fail_stmt(s, st, what);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (out->n == cap) { /* arena memory cannot grow: copy to twice */
      size_t ncap = cap ? cap * 2 : 8;
      const char **nv = ew_arena_alloc(a, ncap * sizeof *nv);
      if (nv && out->n)
        memcpy(nv, out->v, out->n * sizeof *nv);
      out->v = nv;
      cap = ncap;
    }
    const char *v = out->v ? column_dup(st, 0, a, &oom) : NULL;
    if (!out->v || oom) {
      out->n = 0;
      done(st);
      return fail(s, "%s: out of memory", what);
    }
    out->v[out->n++] = v;
  }
  if (rc != SQLITE_DONE)
    return fail_stmt(s, st, what);
  done(st);
  return 0;
}

int ew_store_notice_pending_take(ew_store *s, const char *batch, ew_arena *a,
                                 ew_strv *alert_ids) {
  if (collect_strv(s, s->st[ST_PENDING_LIST], batch, "notice_pending_take", a,
                   alert_ids) < 0)
    return -1;
  sqlite3_stmt *st = s->st[ST_PENDING_DELETE];
  if (bind_text(st, 1, batch))
    return fail_stmt(s, st, "notice_pending_take");
  return step_done(s, st, "notice_pending_take");
}

int ew_store_notices_of_alert(ew_store *s, const char *alert_id, ew_arena *a,
                              ew_strv *notice_ids) {
  return collect_strv(s, s->st[ST_NOTICES_OF_ALERT], alert_id,
                      "notices_of_alert", a, notice_ids);
}

int ew_store_hist_time(ew_store *s, ew_rkind kind, const char *id, ew_time *t) {
  sqlite3_stmt *st = s->st[kind == EW_REC_PENALTY     ? ST_HIST_PENALTY_DECIDED
                           : kind == EW_REC_COMPLAINT ? ST_HIST_COMPLAINT_AT
                                                      : ST_HIST_INSPECTION_AT];
  *t = EW_NONE;
  if (kind != EW_REC_PENALTY && kind != EW_REC_INSPECTION &&
      kind != EW_REC_COMPLAINT)
    return 0;
  if (bind_text(st, 1, id))
    return fail_stmt(s, st, "hist_time");
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *t = column_time(st, 0);
  else if (rc != SQLITE_DONE)
    return fail_stmt(s, st, "hist_time");
  done(st);
  return 0;
}

uint64_t ew_store_generation(const ew_store *s) {
  return s->generation;
}

/* ---- stats (issue 5) ---- */

/* Binds the key (?1..?3, or ?1..?4 with a member) and the value (?4 or
 * ?5, and ?5 as_of for a value) to `st` and runs it: 1 when it changed a
 * row, 0 when none, -1 on failure. */
static int stats_write(ew_store *s, int which, const char *agency,
                       const char *period, const char *metric,
                       const char *member, int64_t value, ew_time as_of) {
  sqlite3_stmt *st = s->st[which];
  int vi = member ? 5 : 4;
  if (bind_text(st, 1, agency) || bind_text(st, 2, period) ||
      bind_text(st, 3, metric) || (member && bind_text(st, 4, member)) ||
      sqlite3_bind_int64(st, vi, value) ||
      (!member && sqlite3_bind_int64(st, 5, as_of)))
    return fail_stmt(s, st, "stats write");
  if (step_done(s, st, "stats write") < 0)
    return -1;
  return sqlite3_changes(s->db) > 0;
}

int ew_store_stats_put(ew_store *s, const char *agency, const char *period,
                       const char *metric, int64_t value, ew_time as_of) {
  int rc =
      stats_write(s, ST_STATS_SET, agency, period, metric, NULL, value, as_of);
  if (rc == 0)
    rc = stats_write(s, ST_STATS_PUT, agency, period, metric, NULL, value,
                     as_of);
  return rc < 0 ? -1 : 0;
}

int ew_store_stats_add(ew_store *s, const char *agency, const char *period,
                       const char *metric, int64_t delta, ew_time as_of,
                       int64_t *value) {
  int64_t v = 0;
  int found;
  if (ew_store_stats_get(s, agency, period, metric, &v, NULL, &found) < 0 ||
      ew_store_stats_put(s, agency, period, metric, v + delta, as_of) < 0)
    return -1;
  if (value)
    *value = v + delta;
  return 0;
}

int ew_store_stats_get(ew_store *s, const char *agency, const char *period,
                       const char *metric, int64_t *value, ew_time *as_of,
                       int *found) {
  sqlite3_stmt *st = s->st[ST_STATS_GET];
  *found = 0;
  if (bind_text(st, 1, agency) || bind_text(st, 2, period) ||
      bind_text(st, 3, metric))
    return fail_stmt(s, st, "stats_get");
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *value = sqlite3_column_int64(st, 0);
    if (as_of)
      *as_of = sqlite3_column_int64(st, 1);
    *found = 1;
  } else if (rc != SQLITE_DONE)
    return fail_stmt(s, st, "stats_get");
  done(st);
  return 0;
}

int ew_store_stats_scan(ew_store *s, const char *agency,
                        const char *period_prefix, ew_stats_visit_fn fn,
                        void *ud) {
  sqlite3_stmt *st = s->st[ST_STATS_SCAN];
  int rc, ret = 0;
  if (bind_text(st, 1, agency) || bind_text(st, 2, period_prefix))
    return fail_stmt(s, st, "stats_scan");
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    ew_stat_row r = {(const char *)sqlite3_column_text(st, 0),
                     (const char *)sqlite3_column_text(st, 1),
                     (const char *)sqlite3_column_text(st, 2),
                     sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4)};
    if ((ret = fn(ud, &r)) != 0)
      break;
  }
  if (ret == 0 && rc != SQLITE_DONE) {
    fail_db(s, "stats_scan");
    ret = -1;
  }
  done(st);
  return ret;
}

int ew_store_stats_contrib_get(ew_store *s, const char *subject, ew_arena *a,
                               char **parts) {
  sqlite3_stmt *st = s->st[ST_CONTRIB_GET];
  *parts = NULL;
  if (bind_text(st, 1, subject))
    return fail_stmt(s, st, "stats_contrib_get");
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *parts = ew_arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
    if (!*parts) {
      done(st);
      return fail(s, "stats_contrib_get: out of memory");
    }
  } else if (rc != SQLITE_DONE)
    return fail_stmt(s, st, "stats_contrib_get");
  done(st);
  return 0;
}

int ew_store_stats_contrib_put(ew_store *s, const char *subject,
                               const char *parts) {
  sqlite3_stmt *st =
      s->st[parts && *parts ? ST_CONTRIB_PUT : ST_CONTRIB_DELETE];
  if (bind_text(st, 1, subject) || (parts && *parts && bind_text(st, 2, parts)))
    return fail_stmt(s, st, "stats_contrib_put");
  return step_done(s, st, "stats_contrib_put");
}

int ew_store_stats_member_get(ew_store *s, const char *agency,
                              const char *period, const char *metric,
                              const char *member, int64_t *n, int *found) {
  sqlite3_stmt *st = s->st[ST_MEMBER_GET];
  *n = 0;
  *found = 0;
  if (bind_text(st, 1, agency) || bind_text(st, 2, period) ||
      bind_text(st, 3, metric) || bind_text(st, 4, member))
    return fail_stmt(s, st, "stats_member_get");
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *n = sqlite3_column_int64(st, 0);
    *found = 1;
  } else if (rc != SQLITE_DONE)
    return fail_stmt(s, st, "stats_member_get");
  done(st);
  return 0;
}

int ew_store_stats_member_put(ew_store *s, const char *agency,
                              const char *period, const char *metric,
                              const char *member, int64_t n) {
  if (n <= 0) {
    sqlite3_stmt *st = s->st[ST_MEMBER_DELETE];
    if (bind_text(st, 1, agency) || bind_text(st, 2, period) ||
        bind_text(st, 3, metric) || bind_text(st, 4, member))
      return fail_stmt(s, st, "stats_member_put");
    return step_done(s, st, "stats_member_put");
  }
  int rc = stats_write(s, ST_MEMBER_SET, agency, period, metric, member, n, 0);
  if (rc == 0)
    rc = stats_write(s, ST_MEMBER_PUT, agency, period, metric, member, n, 0);
  return rc < 0 ? -1 : 0;
}

/* ---- added for `enforcewatch report` (issue 5): a reader's open ---- */

/* A report reads the state file of a running daemon: nothing may be
 * written (no migration, no journal mode change), and a file of another
 * schema version is refused rather than read with the wrong queries. The
 * statements that write are prepared like the others and fail if used. */
int ew_store_open_readonly(ew_store **out, const char *path, char *errstr,
                           size_t errstr_size) {
  *out = NULL;
  ew_store *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(errstr, errstr_size, "store: out of memory");
    return -1;
  }
  store_sqlite_config();
  int rc = sqlite3_open_v2(path, &s->db,
                           SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    fail(s, "cannot open %s: %s", path,
         s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    goto fail;
  }
  sqlite3_extended_result_codes(s->db, 1);
  sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
  char v[32];
  if (pragma_text(s, "PRAGMA user_version", v, sizeof v) < 0)
    goto fail;
  long version = strtol(v, NULL, 10);
  if (version != SCHEMA_VERSION) {
    if (version == 0)
      fail(s, "%s is not an enforcewatch state file", path);
    else
      fail(s,
           "%s has schema version %ld, this build reads %d; open it once "
           "with this build's daemon",
           path, version, SCHEMA_VERSION);
    goto fail;
  }
  if (store_finish_open(s) < 0)
    goto fail;
  *out = s;
  return 0;
fail:
  snprintf(errstr, errstr_size, "%s", s->errmsg);
  ew_store_close(s);
  return -1;
}

/* ---- added for `enforcewatch sample` (issue 5) ---- */

/* Run once per command, so prepared here rather than kept with the
 * statements of every event. */
int ew_store_inspected_scan(ew_store *s, ew_time from, ew_time to,
                            ew_inspected_fn fn, void *ud) {
  static const char q[] =
      "SELECT agency_uscc, enterprise_uscc, inspection_id, started_at"
      " FROM hist_inspection WHERE started_at >= ?1 AND started_at < ?2"
      " ORDER BY agency_uscc, enterprise_uscc, inspection_id";
  sqlite3_stmt *st = NULL;
  int rc, ret = 0;
  if (sqlite3_prepare_v2(s->db, q, -1, &st, NULL) != SQLITE_OK ||
      sqlite3_bind_int64(st, 1, from) != SQLITE_OK ||
      sqlite3_bind_int64(st, 2, to) != SQLITE_OK) {
    fail_db(s, "inspected_scan");
    sqlite3_finalize(st);
    return -1;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    ew_inspected_row r = {(const char *)sqlite3_column_text(st, 0),
                          (const char *)sqlite3_column_text(st, 1),
                          (const char *)sqlite3_column_text(st, 2),
                          column_time(st, 3)};
    if ((ret = fn(ud, &r)) != 0)
      break;
  }
  if (ret == 0 && rc != SQLITE_DONE) {
    fail_db(s, "inspected_scan");
    ret = -1;
  }
  sqlite3_finalize(st);
  return ret;
}
