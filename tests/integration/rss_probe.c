/* rss_probe: a small libpsa client for the daemon tests: a call, ITS objects, a held connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psa/crypto.h>
#include <psa/internal_trusted_storage.h>
#include <rss/connection.h>

/*
 * rss_probe call              psa_crypto_init and a psa_generate_random through rssd
 * rss_probe set UID TEXT      psa_its_set of TEXT
 * rss_probe get UID           prints the object psa_its_get reads
 * rss_probe hold              a call, then waits for a line on stdin, then a call on the same
 *                             process (libpsa keeps its connection) and reports both
 * rss_probe socket            prints the socket libpsa would connect to now
 * Each result is one line: "ok", the text read, or "status N" (N the PSA status), followed for
 * a connection failure by libpsa's account of the sockets it tried. Exit 0 when every call
 * succeeded, 1 otherwise, 2 for a usage error.
 */

static int report(psa_status_t status)
{
    if (status == PSA_SUCCESS) {
        printf("ok\n");
        return 0;
    }
    char why[512];
    rss_connection_error(why, sizeof(why));
    printf("status %d%s%s\n", (int)status, why[0] ? ": " : "", why);
    return 1;
}

/* psa_crypto_init (a call to rssd the first time), then a psa_generate_random through rssd. */
static psa_status_t one_call(void)
{
    uint8_t random[16];
    psa_status_t status = psa_crypto_init();
    return status != PSA_SUCCESS ? status : psa_generate_random(random, sizeof(random));
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "call") == 0) {
        return report(one_call());
    }
    if (argc == 2 && strcmp(argv[1], "socket") == 0) {
        char path[128];
        if (rss_connection_socket(path, sizeof(path)) == 0) {
            return 1;
        }
        printf("%s\n", path);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "hold") == 0) {
        int rc = report(one_call());
        fflush(stdout);
        char line[16];
        if (fgets(line, sizeof(line), stdin) == NULL) {
            return 1;
        }
        return report(one_call()) | rc;
    }
    if (argc == 4 && strcmp(argv[1], "set") == 0) {
        return report(psa_its_set(strtoull(argv[2], NULL, 0), strlen(argv[3]), argv[3], 0));
    }
    if (argc == 3 && strcmp(argv[1], "get") == 0) {
        char text[256];
        size_t n = 0;
        psa_status_t status =
            psa_its_get(strtoull(argv[2], NULL, 0), 0, sizeof(text) - 1, text, &n);
        if (status != PSA_SUCCESS) {
            return report(status);
        }
        text[n] = '\0';
        printf("%s\n", text);
        return 0;
    }
    fprintf(stderr, "usage: rss_probe call|socket|hold | set UID TEXT | get UID\n");
    return 2;
}
