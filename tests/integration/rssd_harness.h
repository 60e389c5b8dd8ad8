/* Integration-test helper: start a private rssd on a temporary directory and socket, stop it. */
#ifndef RSSD_HARNESS_H
#define RSSD_HARNESS_H

#include <stdbool.h>
#include <sys/types.h>

typedef struct rssd_instance {
    pid_t pid;
    char dir[64];     /* temporary directory: state/, rss.sock, policy */
    char socket[96];
    char state[96];
} rssd_instance_t;

/* Creates the directory (mode 0755, so that tests' set-uid children can reach the socket),
 * optionally writes a policy file, starts rssd with extra arguments (NULL-terminated) and waits
 * until it accepts connections. Sets RSS_SOCKET. Returns false on failure. */
bool rssd_start(rssd_instance_t *r, const char *policy_text, const char *const *extra_args);
/* Restarts rssd on the same directory and socket. */
bool rssd_restart(rssd_instance_t *r, const char *const *extra_args);
/* SIGTERM, wait; returns the exit status (0 = clean, including LeakSanitizer), -1 if killed. */
int rssd_stop(rssd_instance_t *r);
/* Removes the directory. */
void rssd_cleanup(rssd_instance_t *r);

#endif /* RSSD_HARNESS_H */
