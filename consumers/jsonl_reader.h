/*
 * jsonl_reader.h - the JSON Lines form of contract §7 into plain C records.
 *
 * One JSON object per line with "type" naming the record kind and fields by
 * their contract names: null or absent for an empty optional field, strings
 * for enums, times as ISO-8601 strings or epoch-millisecond integers.
 * Unknown fields are refused, so a typo is reported instead of ignored.
 */
#ifndef EW_JSONL_READER_H
#define EW_JSONL_READER_H

#include <stddef.h>

#include "../daemon/arena.h"
#include "../daemon/record.h"

/* Parses one line (without its newline) into *rec, with strings and arrays in
 * `arena`. A line of only white space is reported as such (returns 1) so the
 * caller can skip it. Returns 0 on success, 1 for a blank line, -1 on error
 * with a one-line reason naming the field in errstr.
 * A reference record line may be a tombstone: {"type":"plan","plan_id":"x",
 * "deleted":true}; then *tombstone is set to 1 and only the id is filled. */
int ew_jsonl_parse(const char *line, size_t len, ew_record *rec, int *tombstone,
                   ew_arena *arena, char *errstr, size_t errstr_size);

#endif /* EW_JSONL_READER_H */
