#ifndef CEMBER_SYSTEM_H
#define CEMBER_SYSTEM_H

#include <stddef.h>

/// Bytes the C allocator has handed out and not yet freed (glibc: mallinfo2's in-use chunks
/// plus mmapped blocks), the figure Redis reports as used_memory. 0 where unknown.
size_t cember_heap_allocated(void);

/// The CPU's time-stamp counter, or 0 where there is none (not x86-64). Cheaper than
/// clock_gettime for timing commands; only meaningful when cember_tsc_is_invariant().
unsigned long long cember_tsc(void);

/// Whether the time-stamp counter ticks at a constant rate across power states and cores
/// (the constant_tsc and nonstop_tsc CPU flags), as Redis checks before using it.
int cember_tsc_is_invariant(void);

/// snprintf(buffer, capacity, format, value) for one double, so Swift formats numbers the way
/// Redis does (`%.17g`) without building a va_list of existentials per call.
int cember_format_double(char *buffer, size_t capacity, const char *format, double value);

#endif
