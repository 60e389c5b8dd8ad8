/* libts: ts_trace_printf, the trace entry point TS components log through (to stderr). */
#include <stdarg.h>
#include <stdio.h>

#include "trace.h"

void ts_trace_printf(const char *func, int line, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "libts[%d] %s:%d: ", level, func != NULL ? func : "?", line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
