/* psa-tool: bounded-memory streaming of large inputs and outputs, with a progress line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

bool tool_input_open(tool_input_t *in, const char *path, const char *what, bool quiet)
{
    memset(in, 0, sizeof(*in));
    in->what = what;
    in->size = -1;
    bool from_stdin = path == NULL || strcmp(path, "-") == 0;
    in->name = from_stdin ? "standard input" : path;
    in->f = from_stdin ? stdin : fopen(path, "rb");
    if (in->f == NULL) {
        fprintf(stderr, "psa-tool: cannot open %s: %s\n", path, strerror(errno));
        return false;
    }
    in->owned = !from_stdin;
    struct stat st;
    if (fstat(fileno(in->f), &st) == 0 && S_ISREG(st.st_mode)) {
        in->size = (long long)st.st_size;
    }
    /* A progress line only for a person watching: stderr is a terminal, no --quiet, and the
     * input is longer than one chunk (or of unknown length). */
    in->progress = !quiet && isatty(STDERR_FILENO) &&
                   (in->size < 0 || (unsigned long long)in->size > TOOL_CHUNK);
    return true;
}

static void show_progress(tool_input_t *in, bool last)
{
    if (!in->progress) {
        return;
    }
    const uint64_t mib = 1u << 20;
    if (in->size > 0) {
        unsigned pct = (unsigned)(in->done * 100 / (uint64_t)in->size);
        if (!last && pct == in->shown_pct && in->shown_any) {
            return;
        }
        in->shown_pct = pct;
        fprintf(stderr, "\rpsa-tool: %s: %llu / %llu MiB (%u%%)", in->what,
                (unsigned long long)(in->done / mib), (unsigned long long)in->size / mib, pct);
    } else {
        uint64_t step = in->done / (16 * mib);
        if (!last && step == in->shown_step && in->shown_any) {
            return;
        }
        in->shown_step = step;
        fprintf(stderr, "\rpsa-tool: %s: %llu MiB", in->what, (unsigned long long)(in->done / mib));
    }
    in->shown_any = true;
}

bool tool_input_read(tool_input_t *in, uint8_t *buf, size_t n, size_t *got)
{
    size_t total = 0;
    while (total < n) {
        size_t r = fread(buf + total, 1, n - total, in->f);
        total += r;
        if (r == 0) {
            break;
        }
    }
    *got = total;
    if (ferror(in->f)) {
        tool_input_end_progress(in);
        fprintf(stderr, "psa-tool: cannot read %s: %s\n", in->name, strerror(errno));
        return false;
    }
    in->done += total;
    show_progress(in, false);
    return true;
}

bool tool_input_at_end(tool_input_t *in)
{
    int c = getc(in->f);
    if (c == EOF) {
        return true;
    }
    ungetc(c, in->f);
    return false;
}

void tool_input_end_progress(tool_input_t *in)
{
    if (in->shown_any) {
        show_progress(in, true);
        fputc('\n', stderr);
        in->shown_any = false;
    }
    in->progress = false;
}

void tool_input_close(tool_input_t *in)
{
    tool_input_end_progress(in);
    if (in->owned && in->f != NULL) {
        fclose(in->f);
    }
    in->f = NULL;
}

bool tool_output_open(tool_output_t *out, const char *path)
{
    memset(out, 0, sizeof(*out));
    if (path == NULL || strcmp(path, "-") == 0) {
        out->f = stdout;
        out->name = "standard output";
        return true;
    }
    out->name = path;
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* A device or a pipe (/dev/null, a fifo): written directly, cannot be taken back. */
        out->f = fopen(path, "wb");
        if (out->f == NULL) {
            fprintf(stderr, "psa-tool: cannot open %s: %s\n", path, strerror(errno));
            return false;
        }
        return true;
    }
    /* A regular file is written beside its final name and renamed there on success, so that a
     * failure (a wrong tag, a full disk) leaves no partial output. */
    size_t len = strlen(path) + sizeof(".psa-tool-XXXXXX");
    out->tmp = malloc(len);
    if (out->tmp == NULL) {
        fprintf(stderr, "psa-tool: out of memory\n");
        return false;
    }
    snprintf(out->tmp, len, "%s.psa-tool-XXXXXX", path);
    int fd = mkstemp(out->tmp);
    if (fd < 0) {
        fprintf(stderr, "psa-tool: cannot create %s: %s\n", out->tmp, strerror(errno));
        free(out->tmp);
        out->tmp = NULL;
        return false;
    }
    /* mkstemp makes it 0600, which it stays until commit: a decryption's plaintext is not
     * authenticated before then. */
    if ((out->f = fdopen(fd, "wb")) == NULL) {
        fprintf(stderr, "psa-tool: cannot create %s: %s\n", out->tmp, strerror(errno));
        close(fd);
        unlink(out->tmp);
        free(out->tmp);
        out->tmp = NULL;
        return false;
    }
    out->regular = true;
    return true;
}

bool tool_output_write(tool_output_t *out, const uint8_t *data, size_t length)
{
    if (length > 0 && fwrite(data, 1, length, out->f) != length) {
        fprintf(stderr, "psa-tool: cannot write %s: %s\n", out->name, strerror(errno));
        return false;
    }
    return true;
}

bool tool_output_commit(tool_output_t *out)
{
    bool ok;
    if (out->f == stdout) {
        ok = fflush(stdout) == 0;
    } else {
        if (out->tmp != NULL) {
            /* The mode an ordinary create gives (0666 less the umask). */
            mode_t mask = umask(0);
            umask(mask);
            ok = fchmod(fileno(out->f), 0666 & ~mask) == 0;
        } else {
            ok = true;
        }
        ok = fclose(out->f) == 0 && ok;
    }
    out->f = NULL;
    if (ok && out->tmp != NULL) {
        ok = rename(out->tmp, out->name) == 0;
    }
    if (!ok) {
        fprintf(stderr, "psa-tool: cannot write %s: %s\n", out->name, strerror(errno));
        if (out->tmp != NULL) {
            unlink(out->tmp);
        }
    }
    free(out->tmp);
    out->tmp = NULL;
    return ok;
}

void tool_output_discard(tool_output_t *out)
{
    if (out->f != NULL && out->f != stdout) {
        fclose(out->f);
    }
    out->f = NULL;
    if (out->tmp != NULL) {
        unlink(out->tmp);
        free(out->tmp);
        out->tmp = NULL;
    }
}
