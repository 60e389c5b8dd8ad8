/* libts 2.0.0 ABI: the trace entry point TS components log through. */
#ifndef LIBTS_TRACE_H
#define LIBTS_TRACE_H

#ifdef __cplusplus
extern "C" {
#endif

void ts_trace_printf(const char *func, int line, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#ifdef __cplusplus
}
#endif

#endif /* LIBTS_TRACE_H */
