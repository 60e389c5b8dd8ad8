/* rssd: the secure enclave daemon (command line, storage, worker pool, shutdown). */
int main(void)
{
    return 1; /* replaced by the full daemon in the next commit */
}
