/* psa_status_name and psa_status_text: one table of every status psa/error.h defines. */
#include <ss/psa_status.h>

#include <stddef.h>

struct status_entry {
    psa_status_t status;
    const char *name;
    const char *text;
};

/* The name is the macro's own spelling, so that the table cannot disagree with the header. */
#define STATUS(macro, sentence)                                                                    \
    {                                                                                              \
        macro, #macro, sentence                                                                    \
    }

static const struct status_entry status_table[] = {
    STATUS(PSA_SUCCESS, "The action was completed successfully."),
    STATUS(PSA_ERROR_PROGRAMMER_ERROR, "The service reported a programming error in the call."),
    STATUS(PSA_ERROR_CONNECTION_REFUSED, "The service refused the connection from this caller."),
    STATUS(PSA_ERROR_CONNECTION_BUSY, "The service could not accept the call now."),
    STATUS(PSA_ERROR_GENERIC_ERROR,
           "An error occurred that does not correspond to any defined cause."),
    STATUS(PSA_ERROR_NOT_PERMITTED,
           "The key policy or the object's flags do not allow this action."),
    STATUS(PSA_ERROR_NOT_SUPPORTED,
           "The algorithm, key type or parameter is not supported by this implementation."),
    STATUS(PSA_ERROR_INVALID_ARGUMENT, "The arguments are not valid for this call."),
    STATUS(PSA_ERROR_INVALID_HANDLE, "There is no key with this id, or the handle is not valid."),
    STATUS(PSA_ERROR_BAD_STATE, "The call cannot be made in the current state."),
    STATUS(PSA_ERROR_BUFFER_TOO_SMALL, "An output buffer is too small."),
    STATUS(PSA_ERROR_ALREADY_EXISTS, "The key or object already exists."),
    STATUS(PSA_ERROR_DOES_NOT_EXIST, "There is no key or object with this identifier."),
    STATUS(PSA_ERROR_INSUFFICIENT_MEMORY, "There is not enough memory for this action."),
    STATUS(PSA_ERROR_INSUFFICIENT_STORAGE, "There is not enough storage space for this object."),
    STATUS(PSA_ERROR_INSUFFICIENT_DATA,
           "There is not enough data: a key derivation has less capacity than requested, or an "
           "input is shorter than required."),
    STATUS(PSA_ERROR_SERVICE_FAILURE, "The service failed."),
    STATUS(PSA_ERROR_COMMUNICATION_FAILURE,
           "The secure service could not be reached (is rssd running? see RSS_SOCKET)."),
    STATUS(PSA_ERROR_STORAGE_FAILURE, "The storage failed; data may have been lost."),
    STATUS(PSA_ERROR_HARDWARE_FAILURE, "A hardware failure occurred."),
    STATUS(PSA_ERROR_INSUFFICIENT_ENTROPY, "There is not enough entropy to generate random data."),
    STATUS(PSA_ERROR_INVALID_SIGNATURE, "The signature, MAC, tag or hash does not match the data."),
    STATUS(PSA_ERROR_INVALID_PADDING, "The decrypted padding is not valid."),
    STATUS(PSA_ERROR_CORRUPTION_DETECTED,
           "A tampering attempt or internal corruption was detected."),
    STATUS(PSA_ERROR_DATA_CORRUPT, "Stored data has been corrupted."),
    STATUS(PSA_ERROR_DATA_INVALID, "Stored data is not valid for this implementation."),
    STATUS(PSA_OPERATION_INCOMPLETE, "The operation is not complete: call it again to continue."),
};

static const struct status_entry *status_find(psa_status_t status)
{
    for (size_t i = 0; i < sizeof(status_table) / sizeof(status_table[0]); i++) {
        if (status_table[i].status == status) {
            return &status_table[i];
        }
    }
    return NULL;
}

const char *psa_status_name(psa_status_t status)
{
    const struct status_entry *e = status_find(status);
    return e != NULL ? e->name : "PSA_ERROR_UNKNOWN";
}

const char *psa_status_text(psa_status_t status)
{
    const struct status_entry *e = status_find(status);
    return e != NULL ? e->text : "The call failed with a status no PSA specification defines.";
}
