/* Unit tests of the psa provider's key URIs: "psa:id=N", decimal or 0x hexadecimal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "uri.h"

static void accepts(const char *uri, psa_key_id_t want)
{
    psa_key_id_t id = 0;
    assert_true(psa_prov_uri_parse(uri, &id));
    assert_int_equal(id, want);
}

static void refuses(const char *uri)
{
    psa_key_id_t id = 0x5a5a;
    assert_false(psa_prov_uri_parse(uri, &id));
    assert_int_equal(id, 0x5a5a); /* untouched */
}

static void test_decimal_and_hex(void **state)
{
    (void)state;
    accepts("psa:id=1", 1);
    accepts("psa:id=4660", 0x1234);
    accepts("psa:id=0x1234", 0x1234);
    accepts("psa:id=0X00ABcd", 0xabcd);
    accepts("psa:id=4294967295", 0xffffffffu);
    accepts("psa:id=0xffffffff", 0xffffffffu);
    accepts("psa:id=007", 7);
}

static void test_refused(void **state)
{
    (void)state;
    refuses(NULL);
    refuses("");
    refuses("psa:");
    refuses("psa:id=");
    refuses("psa:id=0");
    refuses("psa:id=0x");
    refuses("psa:id=0x0");
    refuses("psa:id=4294967296");
    refuses("psa:id=0x100000000");
    refuses("psa:id=99999999999999999999999");
    refuses("psa:id=-1");
    refuses("psa:id=+1");
    refuses("psa:id= 1");
    refuses("psa:id=1 ");
    refuses("psa:id=12x");
    refuses("psa:id=0x1g");
    refuses("psa:id=1a");
    refuses("PSA:id=1");
    refuses("psa:name=1");
    refuses("file:id=1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_and_hex),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
