#ifndef CEMBER_SYSTEM_H
#define CEMBER_SYSTEM_H

#include <stddef.h>

/// Bytes the C allocator has handed out and not yet freed (glibc: mallinfo2's in-use chunks
/// plus mmapped blocks), the figure Redis reports as used_memory. 0 where unknown.
size_t cember_heap_allocated(void);

#endif
