/* psa-api-test: runs the crypto, ITS and PS conformance suites and prints a table of results. */
#include <stdio.h>
#include <string.h>

#include "runner.h"
#include "ss_version.h"
#include "storage_common.h"

/* psa-api-test or psa-api-test-local: one source, two programs (tools/CMakeLists.txt). */
#ifndef PSA_API_TEST_PROGRAM
#define PSA_API_TEST_PROGRAM "psa-api-test"
#endif

static const test_group_t groups[] = {
    {AREA_CRYPTO, crypto_keys_tests, NULL, NULL},
    {AREA_CRYPTO, crypto_hash_tests, NULL, NULL},
    {AREA_CRYPTO, crypto_mac_tests, NULL, NULL},
    {AREA_CRYPTO, crypto_cipher_tests, NULL, NULL},
    {AREA_CRYPTO, crypto_aead_tests, NULL, NULL},
    {AREA_CRYPTO, crypto_kdf_tests, NULL, NULL},
    {AREA_CRYPTO, crypto_asym_tests, NULL, NULL},
    {AREA_CRYPTO, crypto_agreement_tests, NULL, NULL},
    {AREA_CRYPTO, crypto_pake_tests, NULL, NULL},
    {AREA_ITS, its_tests, &its_api, "S-ITS-"},
    {AREA_PS, ps_tests, &ps_api, "S-PS-"},
};

static const char *const area_names[] = {"crypto", "its", "ps"};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: " PSA_API_TEST_PROGRAM " [--list] crypto|its|ps|all [ID-PREFIX...]\n"
            "       " PSA_API_TEST_PROGRAM " --help | --version\n"
            "\n"
            "Runs the PSA Certified Crypto API 1.2 and Secure Storage API 1.0 conformance\n"
            "suites against the PSA library this program is linked with, and prints one row\n"
            "per test: id, PASS or FAIL (with the failing check, the status seen and the status\n"
            "expected) and title. The last line is \"N passed, N failed\"; the exit status is 0\n"
            "only when no test failed.\n"
            "\n"
            "  --list        print the ids and titles without running anything\n"
            "  ID-PREFIX     run only the tests whose id starts with one of these prefixes\n"
            "\n"
            "Test objects live in documented ranges: persistent key ids 0x3FFE5000-0x3FFE500F,\n"
            "storage UIDs 0x5053415400000000-0x505341540000000F (removed before and after each\n"
            "test) and write-once UIDs from 0x5053415457000000 (created once, kept: the\n"
            "specification forbids removing them).\n");
}

static bool selected(const char *id, int nprefix, char **prefixes)
{
    if (nprefix == 0) {
        return true;
    }
    for (int i = 0; i < nprefix; i++) {
        if (strncmp(id, prefixes[i], strlen(prefixes[i])) == 0) {
            return true;
        }
    }
    return false;
}

static void clean_area(test_area_t area)
{
    switch (area) {
    case AREA_CRYPTO:
        test_clean_keys();
        break;
    case AREA_ITS:
        test_clean_its();
        break;
    case AREA_PS:
        test_clean_ps();
        break;
    }
}

typedef struct run_totals {
    bool list;
    unsigned passed;
    unsigned failed;
} run_totals_t;

/* Runs one test between two cleanings of its area's id range and prints its row. */
static void run_one(run_totals_t *totals, test_area_t area, const char *id, const char *title,
                    test_fn_t fn, storage_test_fn_t rule, const storage_api_t *api)
{
    if (totals->list) {
        printf("%-12s %-6s %s\n", id, "-", title);
        return;
    }
    test_state_t state;
    memset(&state, 0, sizeof(state));
    clean_area(area);
    if (fn != NULL) {
        fn(&state);
    } else {
        rule(&state, api);
    }
    clean_area(area);
    printf("%-12s %-6s %s\n", id, state.failed ? "FAIL" : "PASS", title);
    if (state.failed) {
        const char *base = strrchr(state.file, '/');
        printf("%-12s %-6s   %s: %s [%s:%d]\n", "", "", state.check, state.detail,
               base != NULL ? base + 1 : state.file, state.line);
        totals->failed++;
    } else {
        totals->passed++;
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    bool list = false;
    int argi = 1;
    for (; argi < argc && argv[argi][0] == '-'; argi++) {
        if (strcmp(argv[argi], "--list") == 0) {
            list = true;
        } else if (strcmp(argv[argi], "--help") == 0 || strcmp(argv[argi], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[argi], "--version") == 0) {
            printf("%s (%s) %s\n", PSA_API_TEST_PROGRAM, SS_PROJECT_NAME, SS_VERSION);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (argi >= argc) {
        usage(stderr);
        return 2;
    }
    const char *suite = argv[argi++];
    bool want[3] = {false, false, false};
    if (strcmp(suite, "all") == 0) {
        want[AREA_CRYPTO] = want[AREA_ITS] = want[AREA_PS] = true;
    } else if (strcmp(suite, "crypto") == 0) {
        want[AREA_CRYPTO] = true;
    } else if (strcmp(suite, "its") == 0) {
        want[AREA_ITS] = true;
    } else if (strcmp(suite, "ps") == 0) {
        want[AREA_PS] = true;
    } else {
        fprintf(stderr, "psa-api-test: unknown suite '%s'\n", suite);
        usage(stderr);
        return 2;
    }
    int nprefix = argc - argi;
    char **prefixes = argv + argi;

    /* Crypto tests need an initialised library; its own conformance is test C-KEY-001. */
    if (!list && want[AREA_CRYPTO]) {
        (void)psa_crypto_init();
    }

    run_totals_t all = {list, 0, 0};
    for (int area = AREA_CRYPTO; area <= AREA_PS; area++) {
        if (!want[area]) {
            continue;
        }
        run_totals_t t = {list, 0, 0};
        printf("== %s\n%-12s %-6s %s\n", area_names[area], "ID", "RESULT", "TITLE");
        for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
            if ((int)groups[g].area != area) {
                continue;
            }
            for (size_t r = 0; groups[g].api != NULL && r < storage_rule_count; r++) {
                char id[32];
                snprintf(id, sizeof(id), "%s%s", groups[g].rule_prefix, storage_rules[r].suffix);
                if (selected(id, nprefix, prefixes)) {
                    run_one(&t, (test_area_t)area, id, storage_rules[r].title, NULL,
                            storage_rules[r].fn, groups[g].api);
                }
            }
            for (const test_case_t *tc = groups[g].cases; tc->id != NULL; tc++) {
                if (selected(tc->id, nprefix, prefixes)) {
                    run_one(&t, (test_area_t)area, tc->id, tc->title, tc->fn, NULL, NULL);
                }
            }
        }
        if (!list) {
            printf("%s: %u passed, %u failed\n\n", area_names[area], t.passed, t.failed);
        }
        all.passed += t.passed;
        all.failed += t.failed;
    }
    if (list) {
        return 0;
    }
    unsigned passed = all.passed, failed = all.failed;
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
