/* Peer identity: the policy file that gives each uid a role, client ids, process start times. */
#define _GNU_SOURCE
#include "enclave/identity.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef struct enclave_rule {
    uid_t uid;
    enclave_role_t role;
} enclave_rule_t;

struct enclave_policy {
    enclave_role_t default_role;
    size_t count;
    enclave_rule_t *rules;
};

static bool parse_role(const char *word, bool allow_forwarder, enclave_role_t *role)
{
    if (strcmp(word, "client") == 0) {
        *role = ENCLAVE_ROLE_CLIENT;
    } else if (strcmp(word, "refused") == 0) {
        *role = ENCLAVE_ROLE_REFUSED;
    } else if (allow_forwarder && strcmp(word, "forwarder") == 0) {
        *role = ENCLAVE_ROLE_FORWARDER;
    } else {
        return false;
    }
    return true;
}

static bool parse_uid(const char *word, uid_t *uid)
{
    if (isdigit((unsigned char)word[0])) {
        char *end = NULL;
        errno = 0;
        unsigned long v = strtoul(word, &end, 10);
        if (errno != 0 || *end != '\0' || v >= (unsigned long)(uid_t)-1) {
            return false;
        }
        *uid = (uid_t)v;
        return true;
    }
    struct passwd pw, *found = NULL;
    char buf[4096];
    if (getpwnam_r(word, &pw, buf, sizeof(buf), &found) != 0 || found == NULL) {
        return false;
    }
    *uid = found->pw_uid;
    return true;
}

static psa_status_t policy_add(enclave_policy_t *p, uid_t uid, enclave_role_t role)
{
    for (size_t i = 0; i < p->count; i++) {
        if (p->rules[i].uid == uid) {
            p->rules[i].role = role;
            return PSA_SUCCESS;
        }
    }
    enclave_rule_t *rules = realloc(p->rules, (p->count + 1) * sizeof(*rules));
    if (rules == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    rules[p->count++] = (enclave_rule_t){.uid = uid, .role = role};
    p->rules = rules;
    return PSA_SUCCESS;
}

psa_status_t enclave_policy_load(const char *path, enclave_policy_t **out, unsigned *error_line)
{
    *error_line = 0;
    FILE *f = NULL;
    if (path != NULL && (f = fopen(path, "re")) == NULL) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    psa_status_t status = enclave_policy_read(f, out, error_line);
    if (f != NULL) {
        fclose(f);
    }
    return status;
}

psa_status_t enclave_policy_read(FILE *f, enclave_policy_t **out, unsigned *error_line)
{
    *error_line = 0;
    enclave_policy_t *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return PSA_ERROR_INSUFFICIENT_MEMORY;
    }
    p->default_role = ENCLAVE_ROLE_CLIENT;
    char line[512];
    unsigned number = 0;
    psa_status_t status = PSA_SUCCESS;
    while (f != NULL && status == PSA_SUCCESS && fgets(line, sizeof(line), f) != NULL) {
        number++;
        char *hash = strchr(line, '#');
        if (hash != NULL) {
            *hash = '\0';
        }
        char *save = NULL;
        char *w1 = strtok_r(line, " \t\r\n", &save);
        if (w1 == NULL) {
            continue;
        }
        char *w2 = strtok_r(NULL, " \t\r\n", &save);
        char *w3 = strtok_r(NULL, " \t\r\n", &save);
        char *w4 = strtok_r(NULL, " \t\r\n", &save);
        enclave_role_t role;
        uid_t uid;
        if (strcmp(w1, "uid") == 0 && w2 != NULL && w3 != NULL && w4 == NULL &&
            parse_uid(w2, &uid) && parse_role(w3, true, &role)) {
            status = policy_add(p, uid, role);
        } else if (strcmp(w1, "default") == 0 && w2 != NULL && w3 == NULL &&
                   parse_role(w2, false, &role)) {
            p->default_role = role;
        } else {
            *error_line = number;
            status = PSA_ERROR_INVALID_ARGUMENT;
        }
    }
    if (status != PSA_SUCCESS) {
        enclave_policy_free(p);
        return status;
    }
    *out = p;
    return PSA_SUCCESS;
}

void enclave_policy_free(enclave_policy_t *policy)
{
    if (policy != NULL) {
        free(policy->rules);
        free(policy);
    }
}

enclave_role_t enclave_policy_role(const enclave_policy_t *policy, uid_t uid)
{
    for (size_t i = 0; i < policy->count; i++) {
        if (policy->rules[i].uid == uid) {
            return policy->rules[i].role;
        }
    }
    return policy->default_role;
}

bool enclave_client_id_for_uid(uid_t uid, int32_t *client_id)
{
    if ((uint64_t)uid > (uint64_t)INT32_MAX - ENCLAVE_CLIENT_ID_UID_BASE) {
        return false;
    }
    *client_id = -(int32_t)(ENCLAVE_CLIENT_ID_UID_BASE + (int32_t)uid);
    return true;
}

bool enclave_client_id_assertable(int32_t client_id)
{
    return client_id < 0;
}

bool enclave_process_start_time(pid_t pid, uint64_t *start_time)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return false;
    }
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name (field 2) may contain spaces and parentheses: start after the last ')'. */
    char *p = strrchr(buf, ')');
    if (p == NULL) {
        return false;
    }
    p++;
    /* Fields 3..22: skip 19 fields to reach starttime. */
    for (int field = 3; field < 22; field++) {
        while (*p == ' ') {
            p++;
        }
        while (*p != ' ' && *p != '\0') {
            p++;
        }
    }
    char *end = NULL;
    unsigned long long v = strtoull(p, &end, 10);
    if (end == p) {
        return false;
    }
    *start_time = v;
    return true;
}

/* SO_PEERPIDFD (Linux 6.5): a pidfd of the process that connected, pinned at connect time. */
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

int enclave_peer_pidfd(int sock)
{
    int pidfd = -1;
    socklen_t len = sizeof(pidfd);
    if (getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0) {
        return -1;
    }
    return pidfd;
}

bool enclave_pidfd_is(int pidfd, pid_t pid)
{
    char path[64], line[128];
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return false;
    }
    bool same = false;
    while (fgets(line, sizeof(line), f) != NULL) {
        int v = 0;
        if (sscanf(line, "Pid: %d", &v) == 1) {
            same = v == (int)pid; /* -1 once the process has exited */
            break;
        }
    }
    fclose(f);
    return same;
}
