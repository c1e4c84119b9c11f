#include "CEmberSystem.h"

#include <stdio.h>
#include <string.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

size_t cember_heap_allocated(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
#else
    return 0;
#endif
}

unsigned long long cember_tsc(void) {
#if defined(__x86_64__)
    return __rdtsc();
#else
    return 0;
#endif
}

int cember_tsc_is_invariant(void) {
#if defined(__x86_64__) && defined(__linux__)
    FILE *cpuinfo = fopen("/proc/cpuinfo", "r");
    if (cpuinfo == NULL) return 0;
    char line[4096];
    int invariant = 0;
    while (fgets(line, sizeof line, cpuinfo) != NULL) {
        if (strncmp(line, "flags", 5) == 0) {
            invariant = strstr(line, " constant_tsc") != NULL && strstr(line, " nonstop_tsc") != NULL;
            break;
        }
    }
    fclose(cpuinfo);
    return invariant;
#else
    return 0;
#endif
}

int cember_format_double(char *buffer, size_t capacity, const char *format, double value) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    return snprintf(buffer, capacity, format, value);
#pragma GCC diagnostic pop
}
