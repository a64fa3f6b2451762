#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ew_arena_chunk {
  ew_arena_chunk *next;
  size_t cap;
  size_t used;
  max_align_t data[]; /* flexible, aligned for anything */
};

#define EW_ARENA_DEFAULT_CHUNK 8192
#define ALIGN (sizeof(max_align_t))

void *ew_arena_alloc(ew_arena *a, size_t n) {
  size_t need = (n + ALIGN - 1) & ~(ALIGN - 1);
  if (need < n)
    return NULL;
  ew_arena_chunk *c = a->head;
  if (!c || c->cap - c->used < need) {
    size_t cap = a->chunk_size ? a->chunk_size : EW_ARENA_DEFAULT_CHUNK;
    while (cap < need)
      cap *= 2;
    c = malloc(sizeof *c + cap);
    if (!c)
      return NULL;
    c->cap = cap;
    c->used = 0;
    c->next = a->head;
    a->head = c;
    a->chunk_size = cap;
  }
  void *p = (char *)c->data + c->used;
  c->used += need;
  return p;
}

void *ew_arena_calloc(ew_arena *a, size_t count, size_t size) {
  if (size && count > SIZE_MAX / size)
    return NULL;
  void *p = ew_arena_alloc(a, count * size);
  if (p)
    memset(p, 0, count * size);
  return p;
}

char *ew_arena_strndup(ew_arena *a, const char *s, size_t len) {
  char *p = ew_arena_alloc(a, len + 1);
  if (p) {
    memcpy(p, s, len);
    p[len] = '\0';
  }
  return p;
}

char *ew_arena_strdup(ew_arena *a, const char *s) {
  return ew_arena_strndup(a, s, strlen(s));
}

char *ew_arena_printf(ew_arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return NULL;
  char *p = ew_arena_alloc(a, (size_t)n + 1);
  if (!p)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

void ew_arena_reset(ew_arena *a) {
  /* Keep the newest chunk: it is the largest, because chunks only grow. */
  ew_arena_chunk *keep = a->head;
  if (!keep)
    return;
  ew_arena_chunk *c = keep->next;
  while (c) {
    ew_arena_chunk *next = c->next;
    free(c);
    c = next;
  }
  keep->next = NULL;
  keep->used = 0;
}

void ew_arena_free(ew_arena *a) {
  if (!a)
    return;
  ew_arena_chunk *c = a->head;
  while (c) {
    ew_arena_chunk *next = c->next;
    free(c);
    c = next;
  }
  a->head = NULL;
  a->chunk_size = 0;
}
