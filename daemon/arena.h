/*
 * arena.h - bump allocator for decoded records.
 *
 * A decoded record's strings and arrays live in one arena, so a record is
 * freed by resetting its arena: no per-field free, no per-record malloc once
 * the arena has grown to the working size. Allocation failure returns NULL;
 * callers treat it like any other error.
 */
#ifndef EW_ARENA_H
#define EW_ARENA_H

#include <stddef.h>

typedef struct ew_arena_chunk ew_arena_chunk;

typedef struct ew_arena {
  ew_arena_chunk *head; /* chunk being filled; older chunks follow */
  size_t chunk_size;    /* size of new chunks; grows for large requests */
} ew_arena;

/* A zeroed arena is valid (chunk size defaults to 8 KiB). */
#define EW_ARENA_INIT                                                          \
  { NULL, 0 }

/* Returns `n` bytes aligned for any type, or NULL on OOM. */
void *ew_arena_alloc(ew_arena *a, size_t n);
/* Returns a zero-filled array of `count` elements of `size`, or NULL. */
void *ew_arena_calloc(ew_arena *a, size_t count, size_t size);
/* Copies `len` bytes of `s` and appends a NUL. */
char *ew_arena_strndup(ew_arena *a, const char *s, size_t len);
char *ew_arena_strdup(ew_arena *a, const char *s);
/* printf into the arena. */
char *ew_arena_printf(ew_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Forgets every allocation but keeps the largest chunk for reuse. */
void ew_arena_reset(ew_arena *a);
/* Frees everything; the arena may be reused afterwards. Accepts NULL. */
void ew_arena_free(ew_arena *a);

#endif /* EW_ARENA_H */
