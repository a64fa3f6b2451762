/*
 * watermark.c - the low watermark of the partitions' event times (see
 * watermark.h). A daemon is assigned a few dozen partitions at most: a
 * linear scan is the whole index.
 */
#include "watermark.h"

#include <stdlib.h>
#include <string.h>

ew_wm_part *ew_watermark_find(ew_watermark *w, const char *topic,
                              int32_t partition) {
  for (size_t i = 0; i < w->n; i++)
    if (w->v[i].partition == partition && strcmp(w->v[i].topic, topic) == 0)
      return &w->v[i];
  return NULL;
}

int ew_watermark_assign(ew_watermark *w, const char *topic, int32_t partition,
                        int64_t next, int64_t now_ms) {
  ew_wm_part *p = ew_watermark_find(w, topic, partition);
  if (!p) {
    if (w->n == w->cap) {
      size_t cap = w->cap ? 2 * w->cap : 16;
      ew_wm_part *v = realloc(w->v, cap * sizeof *v);
      if (!v)
        return -1;
      w->v = v;
      w->cap = cap;
    }
    char *t = strdup(topic);
    if (!t)
      return -1;
    p = &w->v[w->n++];
    p->topic = t;
    p->partition = partition;
  }
  p->next = next;
  p->high = -1;
  p->last = EW_NONE;
  p->active_ms = now_ms;
  return 0;
}

void ew_watermark_revoke(ew_watermark *w, const char *topic,
                         int32_t partition) {
  ew_wm_part *p = ew_watermark_find(w, topic, partition);
  if (!p)
    return;
  free(p->topic);
  *p = w->v[--w->n];
}

void ew_watermark_clear(ew_watermark *w) {
  for (size_t i = 0; i < w->n; i++)
    free(w->v[i].topic);
  free(w->v);
  w->v = NULL;
  w->n = w->cap = 0;
}

void ew_watermark_seen(ew_wm_part *p, int64_t offset, ew_time t,
                       int64_t now_ms) {
  p->next = offset + 1;
  if (t != EW_NONE && (p->last == EW_NONE || t > p->last))
    p->last = t;
  p->active_ms = now_ms;
}

int ew_watermark_unread(const ew_wm_part *p) {
  return p->high < 0 || p->next < 0 || p->next < p->high;
}

ew_time ew_watermark_bound(const ew_watermark *w, int64_t now_ms) {
  ew_time bound = EW_NONE;
  for (size_t i = 0; i < w->n; i++) {
    const ew_wm_part *p = &w->v[i];
    if (!ew_watermark_unread(p) || now_ms - p->active_ms > w->hold_ms)
      continue;
    if (p->last == EW_NONE)
      return EW_WATERMARK_HOLD;
    if (bound == EW_NONE || p->last < bound)
      bound = p->last;
  }
  return bound;
}
