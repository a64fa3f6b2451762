#!/usr/bin/env bash
# tests/integration/test_valgrind_daemon.sh ENFORCEWATCHD ENFORCEWATCH
#
# enforcewatchd leaks nothing of its own (issue 6, "clean under tools"): the
# Linxia sample (deploy/sample/linxia.jsonl) is sent to fresh topics, the
# daemon runs under valgrind's memcheck, bootstraps the reference topics,
# processes the events, publishes its alerts and notices, and SIGTERM stops
# it gracefully. valgrind must report 0 errors (invalid reads and writes,
# uninitialised values, bad frees, definite and indirect leaks), the daemon
# must exit with status 0, and what it published must be what `enforcewatch
# check --as-of <its final clock>` prints (as in test_end_to_end.sh), so the
# run went through the real work. The daemon is then started again on the
# same state, under valgrind again, and stopped once it has caught up: the
# start from an existing state file (offsets, stored rule configuration,
# clock) is a path of its own.
#
# Which binary. valgrind cannot run an AddressSanitizer binary, and tests/run.sh
# runs ctest in its ASan build. The daemon run is therefore, in this order:
# $EW_VALGRIND_DAEMON (tests/CMakeLists.txt sets it to EW_PLAIN_BUILD_DIR's
# enforcewatchd, and tests/run.sh sets EW_PLAIN_BUILD_DIR to its plain build
# build/), else ENFORCEWATCHD when it is not an ASan build. An ASan
# ENFORCEWATCHD and no EW_VALGRIND_DAEMON: the test is skipped (exit 77).
# The CLI (send, tail, check) may be any build; it is not under valgrind.
#
# Suppressions: tests/valgrind.supp, only for memory kept by third-party
# libraries (see there). A leak in enforcewatch's own code is fixed, never
# suppressed. Still-reachable blocks (library globals alive at exit) are
# listed in the figures but are not errors. valgrind's log is
# $EW_TMP/valgrind.<run>.log (kept when the test fails; EW_IT_KEEP_TMP=1 keeps
# it always); rerun by hand with --gen-suppressions=all to see a suppression
# for each leak.
#
# Environment: EW_VALGRIND_DAEMON (above), EW_VALGRIND (the valgrind command,
# default valgrind), and lib.sh's.
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

ew_init valgrind_daemon "$@"
[[ -f "$EW_SAMPLE" ]] || ew_fail "no sample at $EW_SAMPLE"
T_START=$SECONDS
VALGRIND=${EW_VALGRIND:-valgrind}
SUPP="$EW_ROOT/tests/valgrind.supp"
VG_ERROR_EXIT=97 # not one of enforcewatchd's own exit codes (0, 1, 2)

# vg_is_asan FILE: FILE is linked with AddressSanitizer.
vg_is_asan() { LC_ALL=C grep -qa '__asan_init' "$1"; }

VG_DAEMON=${EW_VALGRIND_DAEMON:-}
if [[ -n "$VG_DAEMON" ]]; then
  [[ -x "$VG_DAEMON" ]] ||
    ew_fail "EW_VALGRIND_DAEMON=$VG_DAEMON is not an executable (is the plain build built?)"
elif vg_is_asan "$EW_DAEMOND"; then
  ew_log "SKIP: $EW_DAEMOND is an ASan build, which valgrind cannot run, and" \
    "EW_VALGRIND_DAEMON names no plain one (configure with -DEW_PLAIN_BUILD_DIR=<plain build>)"
  EW_VERDICT=pass
  exit 77
else
  VG_DAEMON=$EW_DAEMOND
fi
VG_DAEMON=$(ew_abs "$VG_DAEMON")
! vg_is_asan "$VG_DAEMON" || ew_fail "$VG_DAEMON is an ASan build; valgrind cannot run it"
command -v "$VALGRIND" >/dev/null ||
  ew_fail "$VALGRIND not found (Debian package valgrind)"
[[ -f "$SUPP" ]] || ew_fail "no suppression file $SUPP"
ew_log "daemon under valgrind: $VG_DAEMON ($("$VALGRIND" --version))"

# vg_daemon_start RUN: enforcewatchd under memcheck in the background, as
# ew_daemon_start does (the pid is the daemon's: valgrind runs it in its own
# process, so SIGTERM reaches the daemon's handler). Its output goes to
# daemon.RUN.log, valgrind's to valgrind.RUN.log.
vg_daemon_start() {
  EW_DAEMON_LOG="$EW_TMP/daemon.$1.log"
  "$VALGRIND" --tool=memcheck --leak-check=full \
    --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect \
    --error-exitcode="$VG_ERROR_EXIT" --track-origins=yes --num-callers=40 \
    --suppressions="$SUPP" --log-file="$EW_TMP/valgrind.$1.log" \
    "$VG_DAEMON" -c "$EW_CFG" >"$EW_DAEMON_LOG" 2>&1 &
  EW_DAEMON_PID=$!
  ew_log "started enforcewatchd under valgrind (run $1, pid $EW_DAEMON_PID)"
}

# vg_verdict RUN: the figures of valgrind.RUN.log, printed; fails the test on
# any error or definite/indirect leak, and shows valgrind's report of each.
vg_verdict() {
  local log="$EW_TMP/valgrind.$1.log" figures
  [[ -s "$log" ]] || ew_fail "run $1: no valgrind log"
  figures=$(python3 - "$log" <<'EOF'
import re, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
lines = [re.sub(r"^==\d+== ?", "", l) for l in lines]
text = "\n".join(lines)
def num(s): return int(s.replace(",", ""))
m = re.search(r"ERROR SUMMARY: ([\d,]+) errors from [\d,]+ contexts"
              r" \(suppressed: ([\d,]+) from", text)
if not m or not re.search(r"LEAK SUMMARY|All heap blocks were freed", text):
    print("no ERROR SUMMARY or leak summary (did valgrind finish?)")
    sys.exit(1)
errors, suppressed = num(m.group(1)), num(m.group(2))
kinds = {}
for kind in ("definitely lost", "indirectly lost", "possibly lost",
             "still reachable", "suppressed"):
    k = re.search(kind + r": ([\d,]+) bytes in ([\d,]+) blocks", text)
    kinds[kind] = (num(k.group(1)), num(k.group(2))) if k else (0, 0)
print("ERROR SUMMARY %d errors (%d suppressed); %s" % (errors, suppressed,
      ", ".join("%s %d bytes in %d blocks" % (k, b, n)
                for k, (b, n) in kinds.items())))
if not (errors or kinds["definitely lost"][0] or kinds["indirectly lost"][0]):
    sys.exit(0)
# The records (blank-line separated) of the errors before the heap summary
# and of the definite and indirect leaks after it.
block, heap = [], False
for l in lines + [""]:
    if l.strip():
        block.append(l)
        continue
    head = block[0] if block else ""
    if head.startswith("HEAP SUMMARY"):
        heap = True
    elif block and not heap and not head.startswith(("Memcheck,", "Parent PID")):
        print("\n".join(block) + "\n", file=sys.stderr)
    elif heap and re.search(r"are (definitely|indirectly) lost", head):
        print("\n".join(block) + "\n", file=sys.stderr)
    block = []
sys.exit(1)
EOF
  ) || {
    ew_log "run $1: valgrind: $figures"
    ew_fail "run $1: valgrind found errors or leaks (full log: $log)"
  }
  ew_log "run $1: valgrind: $figures"
}

# vg_stop RUN: SIGTERM, and the daemon must stop with 0 (valgrind's exit is
# VG_ERROR_EXIT on an error) within 60 s: shutdown_timeout_ms (10 s), plus
# memcheck's leak search and its slower pace.
vg_stop() {
  local t=$SECONDS
  ew_daemon_stop 60 || ew_fail "run $1: the daemon did not exit within 60 s of SIGTERM"
  ew_log "run $1: stopped in $((SECONDS - t)) s, status $EW_DAEMON_RC"
  [[ "$EW_DAEMON_RC" != "$VG_ERROR_EXIT" ]] || {
    vg_verdict "$1"
    ew_fail "run $1: valgrind exited with $VG_ERROR_EXIT (errors found)"
  }
  [[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "run $1: the daemon exited with status $EW_DAEMON_RC after SIGTERM"
  vg_verdict "$1"
}

ew_broker_ensure
ew_config ""
ew_topics_create
ew_send "$EW_SAMPLE"
RECORDS=$(grep -c . "$EW_SAMPLE")

# ---- run 1: bootstrap, the sample, its outputs, SIGTERM ----------------------
vg_daemon_start 1
ew_wait_caught_up 240 "$RECORDS"
ew_log "run 1: caught up after $((SECONDS - T_START)) s"
vg_stop 1

ew_final_clock
"$EW_CLI" check --as-of "$EW_FINAL_CLOCK" "$EW_SAMPLE" >"$EW_TMP/expected.jsonl" \
  2>"$EW_TMP/check.err" || { cat "$EW_TMP/check.err" >&2; ew_fail "enforcewatch check --as-of failed"; }
ew_tail "$EW_T_ALERTS" "$EW_TMP/alerts.jsonl"
ew_tail "$EW_T_NOTICES" "$EW_TMP/notices.jsonl"
ew_tail "$EW_T_DEADLETTER" "$EW_TMP/deadletter.jsonl"
[[ ! -s "$EW_TMP/deadletter.jsonl" ]] || ew_fail "the sample produced dead letters under valgrind"
ALERTS=$(ew_count_kind "$EW_TMP/alerts.jsonl" alert)
NOTICES=$(ew_count_kind "$EW_TMP/notices.jsonl" notice)
((ALERTS > 0 && NOTICES > 0)) ||
  ew_fail "run 1 published $ALERTS alert(s) and $NOTICES notice(s); the sample has both"
ew_log "run 1 published $ALERTS alert record(s), $NOTICES notice(s)"
ew_compare_final "$EW_TMP/expected.jsonl" "$EW_TMP/alerts.jsonl" "$EW_TMP/notices.jsonl" ||
  ew_fail "the daemon's final state differs from enforcewatch check --as-of $(ew_ms_iso "$EW_FINAL_CLOCK")"

# ---- run 2: a start on the state file of run 1, nothing new, SIGTERM ---------
vg_daemon_start 2
ew_wait_caught_up 240 "$RECORDS"
vg_stop 2

ew_log "done in $((SECONDS - T_START)) s"
ew_pass
