/*
 * jsonl_writer.h - plain C records as one-line JSON objects.
 *
 * The form is the one jsonl_reader reads back: fields by contract name in
 * descriptor order, enums as strings, times as ISO-8601 with +08:00, absent
 * optional fields as null. The first member is a tag: "kind" for outputs
 * (`{"kind":"alert",...}`, contract §7) or "type" for inputs.
 */
#ifndef EW_JSONL_WRITER_H
#define EW_JSONL_WRITER_H

#include <stdio.h>

#include "../daemon/record.h"

typedef enum ew_json_tag { EW_JSON_TAG_KIND, EW_JSON_TAG_TYPE } ew_json_tag;

/* Returns a malloc'd NUL-terminated line without a trailing newline, or NULL
 * on OOM. */
char *ew_jsonl_format(const ew_record *rec, ew_json_tag tag);
/* Writes the line and a newline to `fp`. Returns 0, or -1 on error. */
int ew_jsonl_write(FILE *fp, const ew_record *rec, ew_json_tag tag);

#endif /* EW_JSONL_WRITER_H */
